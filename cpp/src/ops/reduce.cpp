// Front-end reductions. Every kernel sees a contiguous [M, R, N] input (reduce over R).
#include <algorithm>
#include <string_view>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::describe;
using detail::registered_op;
using detail::run_to_new;

namespace {

struct Layout {
  Tensor x;  // contiguous, viewed as [M, R, N]
  std::int64_t M = 1, R = 1, N = 1;
  Shape out_shape;
};

Layout prepare(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  Layout l;
  std::vector<bool> reduced(x.ndim(), false);
  for (int a : axes) reduced[a] = true;
  for (int d = 0; d < x.ndim(); ++d) {
    if (!reduced[d]) l.out_shape.push_back(x.shape()[d]);
    else if (keepdims) l.out_shape.push_back(1);
  }
  const bool block = axes.empty() || axes.back() - axes.front() + 1 == static_cast<int>(axes.size());
  if (block && x.is_contiguous()) {
    const int p = axes.empty() ? x.ndim() : axes.front();
    const int q = axes.empty() ? x.ndim() : axes.back() + 1;
    for (int d = 0; d < x.ndim(); ++d) (d < p ? l.M : d < q ? l.R : l.N) *= x.shape()[d];
    l.x = x;
    return l;
  }
  std::vector<int> perm;
  for (int d = 0; d < x.ndim(); ++d) {
    if (!reduced[d]) {
      perm.push_back(d);
      l.M *= x.shape()[d];
    }
  }
  for (int a : axes) {
    perm.push_back(a);
    l.R *= x.shape()[a];
  }
  l.x = copy(x.permute(perm));
  return l;
}

// Complex input accumulates only in a complex dtype.
void check_accumulator(const char* name, const Tensor& x, DType dtype) {
  if (is_complex(x.dtype()) && !is_complex(dtype)) {
    type_error(name, "cannot accumulate ", describe(x), " in ", dtype_name(dtype),
               "; take ops.real, ops.imag or ops.abs first");
  }
}

Tensor reduce(const char* name, const Tensor& x, const Axes& axes, bool keepdims, DType dtype,
              bool needs_identity = false) {
  // Of the reductions only sum (and mean through it) has a complex kernel.
  if (std::string_view(name) != "sum") detail::require_real(name, {&x});
  check_accumulator(name, x, dtype);
  const OpEntry& op = registered_op(is_complex(dtype) ? std::string("complex_") + name : std::string(name));
  const std::vector<int> ax = detail::reduction_axes(axes, x.ndim(), name);
  const Tensor in = x.dtype() == dtype ? x : cast(x, dtype);
  Layout l = prepare(in, ax, keepdims);
  if (needs_identity && l.R == 0) {  // as NumPy, even when the result is empty
    value_error(name, "zero-size reduction has no identity (", describe(x), ")");
  }
  Tensor out = run_to_new(op, x.device(), {l.M, l.N}, dtype, {l.x}, encode(AxisLayout{l.M, l.R, l.N}));
  return out.view(l.out_shape);
}

// NumPy's accumulator dtype for sum and prod: small integers and bool widen to 64 bits.
DType sum_dtype(DType d) {
  if (d == DType::Bool || (is_integral(d) && !is_unsigned(d))) return DType::Int64;
  if (is_unsigned(d)) return DType::UInt64;
  return d;
}

DType float_dtype(DType d) { return is_floating(d) || is_complex(d) ? d : default_dtype(DTypeKind::Float); }

std::int64_t reduced_count(const Tensor& x, const Axes& axes, const char* name) {
  std::int64_t count = 1;
  for (int a : detail::reduction_axes(axes, x.ndim(), name)) count *= x.shape()[a];
  return count;
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes, bool keepdims, std::optional<DType> dtype) {
  return autograd::differentiable(
      "sum", {x}, [&] { return reduce("sum", x, axes, keepdims, dtype.value_or(sum_dtype(x.dtype()))); },
      [&] { return autograd::sum_rule(x, detail::reduction_axes(axes, x.ndim(), "sum"), keepdims); });
}

Tensor prod(const Tensor& x, const Axes& axes, bool keepdims) {
  return autograd::differentiable(
      "prod", {x}, [&] { return reduce("prod", x, axes, keepdims, sum_dtype(x.dtype())); },
      [&] { return autograd::prod_rule(x, detail::reduction_axes(axes, x.ndim(), "prod"), keepdims); });
}

Tensor mean(const Tensor& x, const Axes& axes, bool keepdims, std::optional<DType> dtype) {
  const DType d = dtype.value_or(float_dtype(x.dtype()));
  if (!is_floating(d) && !is_complex(d)) type_error("mean", "dtype must be a floating dtype, got ", dtype_name(d));
  check_accumulator("mean", x, d);
  const double count = static_cast<double>(reduced_count(x, axes, "mean"));
  // float16 sums overflow past 65504: accumulate and divide in float32.
  const DType acc = d == DType::Float16 ? DType::Float32 : d;
  const Tensor s = sum(x, axes, keepdims, acc);
  const Tensor m = divide(s, scalar_tensor(Scalar::from_double(count), acc, x.device()));
  return acc == d ? m : cast(m, d);
}

Tensor max(const Tensor& x, const Axes& axes, bool keepdims) {
  return autograd::differentiable(
      "max", {x}, [&] { return reduce("max", x, axes, keepdims, x.dtype(), true); },
      [&] { return autograd::extremum_rule(x, detail::reduction_axes(axes, x.ndim(), "max"), keepdims); });
}

Tensor min(const Tensor& x, const Axes& axes, bool keepdims) {
  return autograd::differentiable(
      "min", {x}, [&] { return reduce("min", x, axes, keepdims, x.dtype(), true); },
      [&] { return autograd::extremum_rule(x, detail::reduction_axes(axes, x.ndim(), "min"), keepdims); });
}

// Two-pass variance: mean first, then the mean of squared deviations (numpy.var).
namespace {
Tensor variance(const Tensor& x, const Axes& axes, bool keepdims, double ddof, bool take_sqrt, const char* name) {
  detail::require_real(name, {&x});
  const DType d = float_dtype(x.dtype());
  const DType acc = d == DType::Float16 ? DType::Float32 : d;  // as in mean
  const double n = std::max(0.0, static_cast<double>(reduced_count(x, axes, name)) - ddof);
  const Tensor xf = x.dtype() == acc ? x : cast(x, acc);
  const Tensor dev = subtract(xf, mean(xf, axes, true));
  const Tensor ss = sum(multiply(dev, dev), axes, keepdims, acc);
  Tensor v = divide(ss, scalar_tensor(Scalar::from_double(n), acc, x.device()));
  if (take_sqrt) v = sqrt(v);
  return acc == d ? v : cast(v, d);
}
}  // namespace

Tensor var(const Tensor& x, const Axes& axes, bool keepdims, double ddof) {
  return variance(x, axes, keepdims, ddof, false, "var");
}

Tensor std(const Tensor& x, const Axes& axes, bool keepdims, double ddof) {
  return variance(x, axes, keepdims, ddof, true, "std");
}

Tensor all(const Tensor& x, const Axes& axes, bool keepdims) { return reduce("all", x, axes, keepdims, DType::Bool); }
Tensor any(const Tensor& x, const Axes& axes, bool keepdims) { return reduce("any", x, axes, keepdims, DType::Bool); }

namespace {
Tensor arg_reduce(const char* name, const Tensor& x, std::optional<std::int64_t> axis, bool keepdims) {
  const OpEntry& op = registered_op(name);
  detail::require_real(name, {&x});
  if (!axis) {
    if (x.numel() == 0) value_error(name, "attempt to get ", name, " of an empty sequence (", describe(x), ")");
    Tensor flat = reshape(x, {x.numel()});
    Tensor out = arg_reduce(name, flat, 0, false);
    return keepdims ? out.view(Shape(x.ndim(), 1)) : out;
  }
  const int a = normalize_axis(*axis, x.ndim(), name);
  if (x.shape()[a] == 0) value_error(name, "attempt to get ", name, " of an empty sequence (axis ", a, " of ", describe(x), ")");
  Layout l = prepare(x, {a}, keepdims);
  return run_to_new(op, x.device(), {l.M, l.N}, DType::Int64, {l.x}, encode(AxisLayout{l.M, l.R, l.N}))
      .view(l.out_shape);
}
}  // namespace

Tensor argmax(const Tensor& x, std::optional<std::int64_t> axis, bool keepdims) {
  return arg_reduce("argmax", x, axis, keepdims);
}
Tensor argmin(const Tensor& x, std::optional<std::int64_t> axis, bool keepdims) {
  return arg_reduce("argmin", x, axis, keepdims);
}

}  // namespace ember
