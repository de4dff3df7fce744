// Front-end sort, argsort, cumsum, percentile and median. The kernels see contiguous
// rows: the sorted / scanned axis is moved last (sort, percentile) or kept as the
// middle of an [M, R, N] block (cumsum).
#include <cmath>

#include "ember/indexing.h"
#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::registered_op;
using detail::run_to_new;

namespace {

// x with `axis` moved last, as a contiguous copy, and the permutation used.
std::pair<Tensor, std::vector<int>> axis_last(const Tensor& x, int axis) {
  std::vector<int> perm;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d != axis) perm.push_back(d);
  }
  perm.push_back(axis);
  return {contiguous(x.permute(perm)), perm};
}

std::vector<int> inverse(const std::vector<int>& perm) {
  std::vector<int> inv(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int>(i);
  return inv;
}

Tensor sort_like(const char* name, const Tensor& x, std::int64_t axis, bool descending, DType out_dtype) {
  detail::require_real(name, {&x});
  const int a = normalize_axis(axis, x.ndim(), name);
  auto [rows, perm] = axis_last(x, a);
  const std::int64_t R = x.shape()[a];
  const Attrs attrs = encode(SortAttrs{R == 0 ? 0 : x.numel() / R, R, descending});
  const Tensor out = run_to_new(registered_op(name), x.device(), rows.shape(), out_dtype, {rows}, attrs);
  return contiguous(out.permute(inverse(perm)));
}

}  // namespace

Tensor sort(const Tensor& x, std::int64_t axis, bool descending) {
  return autograd::differentiable(
      "sort", {x}, [&] { return sort_like("sort", x, axis, descending, x.dtype()); },
      [&] { return autograd::sort_rule(x, normalize_axis(axis, x.ndim(), "sort"), descending); });
}

Tensor argsort(const Tensor& x, std::int64_t axis, bool descending) {
  return sort_like("argsort", x, axis, descending, DType::Int64);
}

Tensor cumsum(const Tensor& x, std::optional<std::int64_t> axis) {
  detail::require_real("cumsum", {&x});
  if (!axis) return cumsum(reshape(x, {x.numel()}), 0);
  if (x.ndim() == 0) {
    normalize_axis(*axis, 1, "cumsum");
    return cumsum(reshape(x, {1}), 0);
  }
  const int a = normalize_axis(*axis, x.ndim(), "cumsum");
  // NumPy's accumulator dtype: bool and signed integers widen to int64, unsigned to uint64.
  DType acc = x.dtype();
  if (acc == DType::Bool || (is_integral(acc) && !is_unsigned(acc))) acc = DType::Int64;
  else if (is_unsigned(acc)) acc = DType::UInt64;
  const Tensor in = contiguous(x.dtype() == acc ? x : cast(x, acc));
  std::int64_t M = 1, N = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d < a) M *= x.shape()[d];
    if (d > a) N *= x.shape()[d];
  }
  const Attrs attrs = encode(AxisLayout{M, x.shape()[a], N});
  return autograd::differentiable(
      "cumsum", {x}, [&] { return run_to_new(registered_op("cumsum"), x.device(), x.shape(), acc, {in}, attrs); },
      [&] { return autograd::cumsum_rule(a); });
}

namespace {
Tensor order_statistic(const char* name, const Tensor& x, const std::vector<double>& q, bool q_is_scalar,
                       const Axes& axes, bool keepdims, bool median) {
  detail::require_real(name, {&x});
  for (double v : q) {
    if (!(v >= 0.0 && v <= 100.0)) value_error(name, "percentiles must be in the range [0, 100], got ", v);
  }
  const std::vector<int> ax = detail::reduction_axes(axes, x.ndim(), name);
  std::vector<bool> reduced(x.ndim(), false);
  for (int a : ax) reduced[a] = true;
  std::vector<int> perm;
  Shape kept_shape;
  std::int64_t M = 1, R = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    if (!reduced[d]) {
      perm.push_back(d);
      M *= x.shape()[d];
    }
    if (!reduced[d]) kept_shape.push_back(x.shape()[d]);
    else if (keepdims) kept_shape.push_back(1);
  }
  for (int a : ax) {
    perm.push_back(a);
    R *= x.shape()[a];
  }
  // Computed in double; integer and bool inputs give float32 like mean, floats keep their dtype.
  const DType out_dtype = is_floating(x.dtype()) ? x.dtype() : default_dtype(DTypeKind::Float);
  const Tensor rows = contiguous(cast(x.permute(perm), DType::Float64));
  PercentileAttrs attrs{M, R, median, {}};
  for (double v : q) attrs.quantiles.push_back(v / 100.0);
  const auto Q = static_cast<std::int64_t>(q.size());
  const Tensor out = run_to_new(registered_op("percentile"), x.device(), {Q, M}, DType::Float64, {rows}, encode(attrs));
  Shape shape = kept_shape;
  if (!q_is_scalar) shape.insert(shape.begin(), Q);
  return cast(out.view(shape), out_dtype);
}
}  // namespace

Tensor percentile(const Tensor& x, const std::vector<double>& q, bool q_is_scalar, const Axes& axes,
                  bool keepdims) {
  if (q_is_scalar && q.size() != 1) value_error("percentile", "a scalar q must hold one value");
  return autograd::not_differentiable(
      "percentile", {x}, [&] { return order_statistic("percentile", x, q, q_is_scalar, axes, keepdims, false); });
}

Tensor median(const Tensor& x, const Axes& axes, bool keepdims) {
  return autograd::not_differentiable(
      "median", {x}, [&] { return order_statistic("median", x, {50.0}, true, axes, keepdims, true); });
}

}  // namespace ember
