// Front-end shape manipulation: views where possible, copies through copy_into otherwise.
#include <algorithm>
#include <numeric>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::describe;

namespace {
// "(1, 2)" for a list of sizes, reps or axes in an error message.
std::string ints_str(const std::vector<std::int64_t>& values) { return shape_str(Shape(values.begin(), values.end())); }
}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape_in) {
  Shape shape = shape_in;
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) value_error("reshape", "can only specify one unknown dimension, got ", shape_str(shape_in));
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      value_error("reshape", "invalid dimension ", shape[i], " in shape ", shape_str(shape_in));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0) {
      value_error("reshape", "cannot reshape ", describe(x), " into shape ", shape_str(shape_in));
    }
    shape[infer] = x.numel() / known;
  }
  if (shape_numel(shape, "reshape") != x.numel()) {
    value_error("reshape", "cannot reshape ", describe(x), " into shape ", shape_str(shape_in));
  }
  return autograd::differentiable(
      "reshape", {x},
      [&] {
        Tensor v = x.view(shape);
        return v.defined() ? v : copy(x).view(shape);
      },
      [&] { return autograd::reshape_rule(x); });
}

Tensor transpose(const Tensor& x, const std::optional<std::vector<std::int64_t>>& axes) {
  if (!axes) {
    std::vector<std::int64_t> reversed(x.ndim());
    for (int d = 0; d < x.ndim(); ++d) reversed[d] = x.ndim() - 1 - d;
    return transpose(x, reversed);
  }
  if (static_cast<int>(axes->size()) != x.ndim()) {
    value_error("transpose", "axes ", ints_str(*axes), " don't match ", describe(x));
  }
  std::vector<int> perm;
  std::vector<bool> seen(x.ndim(), false);
  for (auto a : *axes) {
    const int ax = normalize_axis(a, x.ndim(), "transpose");
    if (seen[ax]) value_error("transpose", "repeated axis in axes ", ints_str(*axes));
    seen[ax] = true;
    perm.push_back(ax);
  }
  return autograd::differentiable(
      "transpose", {x}, [&] { return x.permute(perm); }, [&] { return autograd::transpose_rule(perm); });
}

Tensor expand_dims(const Tensor& x, std::int64_t axis) {
  const int ax = normalize_axis(axis, x.ndim() + 1, "expand_dims");
  return autograd::differentiable(
      "expand_dims", {x}, [&] { return x.expand_dims(ax); }, [&] { return autograd::reshape_rule(x); });
}

Tensor squeeze(const Tensor& x, const Axes& axes) {
  std::vector<int> drop;
  if (!axes) {
    for (int d = 0; d < x.ndim(); ++d) {
      if (x.shape()[d] == 1) drop.push_back(d);
    }
  } else {
    drop = detail::reduction_axes(axes, x.ndim(), "squeeze");
    for (int d : drop) {
      if (x.shape()[d] != 1) {
        value_error("squeeze", "cannot select an axis to squeeze out which has size not equal to one (axis ", d,
                    " of ", describe(x), ")");
      }
    }
  }
  return autograd::differentiable(
      "squeeze", {x},
      [&] {
        Tensor out = x;
        for (auto it = drop.rbegin(); it != drop.rend(); ++it) out = out.squeeze_axis(*it);
        return out;
      },
      [&] { return autograd::reshape_rule(x); });
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  broadcast_shapes(x.shape(), shape, "broadcast_to");
  return autograd::differentiable(
      "broadcast_to", {x}, [&] { return x.broadcast_to(shape); }, [&] { return autograd::broadcast_rule(x); });
}

namespace {
// concatenate, reporting errors under the name of the op the user called. `xs` may be
// views of `originals` with an axis added (stack, vstack, hstack): gradients flow to the
// originals.
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis_in, const char* name,
              const std::vector<Tensor>& originals) {
  if (xs.empty()) value_error(name, "need at least one tensor to concatenate");
  const Tensor& first = xs.front();
  if (first.ndim() == 0) value_error(name, "zero-dimensional tensors cannot be concatenated");
  const int axis = normalize_axis(axis_in, first.ndim(), name);
  DType dtype = first.dtype();
  Shape shape = first.shape();
  shape[axis] = 0;
  for (const Tensor& t : xs) {
    detail::common_device(name, {&first, &t});
    if (t.ndim() != first.ndim()) {
      value_error(name, "all inputs must have the same number of dimensions, got ", describe(first),
                  " and ", describe(t));
    }
    for (int d = 0; d < t.ndim(); ++d) {
      if (d != axis && t.shape()[d] != first.shape()[d]) {
        value_error(name, "all input dimensions except axis ", axis, " must match, got ",
                    shape_str(first.shape()), " and ", shape_str(t.shape()));
      }
    }
    shape[axis] += t.shape()[axis];
    dtype = promote_types(dtype, t.dtype());
  }
  Tensor out = Tensor::empty(shape, dtype, first.device());
  {
    autograd::GradModeGuard no_grad(false);
    std::int64_t pos = 0;
    for (const Tensor& t : xs) {
      const std::int64_t n = t.shape()[axis];
      copy_into(out.slice(axis, pos, pos + n, 1), t, name);
      pos += n;
    }
  }
  bool record = false;
  for (const Tensor& t : originals) record = record || autograd::any_requires_grad({t});
  if (record && is_floating(dtype)) {
    std::vector<Shape> shapes;
    std::vector<std::int64_t> sizes;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      shapes.push_back(originals[i].shape());
      sizes.push_back(xs[i].shape()[axis]);
    }
    autograd::record(name, originals, {&out}, autograd::concat_rule(std::move(shapes), std::move(sizes), axis));
  }
  return out;
}
}  // namespace

Tensor concatenate(const std::vector<Tensor>& xs, std::int64_t axis) {
  return concat(xs, axis, "concatenate", xs);
}

Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis_in) {
  if (xs.empty()) value_error("stack", "need at least one tensor to stack");
  const int axis = normalize_axis(axis_in, xs.front().ndim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const Tensor& t : xs) {
    if (t.shape() != xs.front().shape()) {
      value_error("stack", "all input tensors must have the same shape, got ", shape_str(xs.front().shape()),
                  " and ", shape_str(t.shape()));
    }
    expanded.push_back(t.expand_dims(axis));
  }
  return concat(expanded, axis, "stack", xs);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t axis_in) {
  const int axis = normalize_axis(axis_in, x.ndim(), "split");
  std::int64_t total = 0;
  for (auto s : sizes) {
    if (s < 0) value_error("split", "section sizes must be non-negative, got ", ints_str(sizes));
    total += s;
  }
  if (total != x.shape()[axis]) {
    value_error("split", "section sizes ", ints_str(sizes), " do not sum to the size ", x.shape()[axis],
                " of axis ", axis, " of ", describe(x));
  }
  std::vector<Tensor> parts;
  std::int64_t pos = 0;
  for (auto s : sizes) {
    parts.push_back(x.slice(axis, pos, pos + s, 1));
    pos += s;
  }
  if (autograd::any_requires_grad({x}) && is_floating(x.dtype())) {
    std::vector<Tensor*> outs;
    for (Tensor& p : parts) outs.push_back(&p);
    autograd::record("split", {x}, outs, autograd::split_rule(axis));
  }
  return parts;
}

std::vector<Tensor> split_equal(const Tensor& x, std::int64_t sections, std::int64_t axis_in) {
  const int axis = normalize_axis(axis_in, x.ndim(), "split");
  if (sections <= 0 || x.shape()[axis] % sections != 0) {
    value_error("split", "tensor split does not result in an equal division: axis ", axis, " of ", describe(x),
                " into ", sections, " sections");
  }
  return split(x, std::vector<std::int64_t>(sections, x.shape()[axis] / sections), axis);
}

Tensor tile(const Tensor& x, const std::vector<std::int64_t>& reps_in) {
  for (auto r : reps_in) {
    if (r < 0) value_error("tile", "repetitions must be non-negative, got ", ints_str(reps_in));
  }
  const int nd = std::max<int>(x.ndim(), static_cast<int>(reps_in.size()));
  std::vector<std::int64_t> reps(nd - reps_in.size(), 1);
  reps.insert(reps.end(), reps_in.begin(), reps_in.end());
  Shape xs(nd - x.ndim(), 1);
  xs.insert(xs.end(), x.shape().begin(), x.shape().end());
  // View x as [1, x0, 1, x1, ...], broadcast to [r0, x0, r1, x1, ...], then merge pairs.
  Shape inter, expanded, result;
  for (int d = 0; d < nd; ++d) {
    inter.insert(inter.end(), {1, xs[d]});
    expanded.insert(expanded.end(), {reps[d], xs[d]});
  }
  // The size check comes before the result's products, which it proves cannot wrap.
  shape_numel(expanded, "tile");
  for (int d = 0; d < nd; ++d) result.push_back(reps[d] * xs[d]);
  return reshape(contiguous(broadcast_to(reshape(x, inter), expanded)), result);
}

namespace {
Tensor pad_impl(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings,
                const std::string& mode, Scalar constant_value) {
  if (static_cast<int>(paddings.size()) != x.ndim()) {
    value_error("pad", "expected ", x.ndim(), " (before, after) pairs for ", describe(x), ", got ", paddings.size());
  }
  if (mode != "constant" && mode != "reflect" && mode != "symmetric" && mode != "edge") {
    value_error("pad", "unknown mode '", mode, "'; expected constant, reflect, symmetric or edge");
  }
  detail::check_fill_value("pad", x.dtype(), constant_value);
  Shape shape = x.shape();
  for (int d = 0; d < x.ndim(); ++d) {
    const auto [lo, hi] = paddings[d];
    if (lo < 0 || hi < 0) value_error("pad", "paddings must be non-negative, got (", lo, ", ", hi, ")");
    if (mode != "constant" && (lo > 0 || hi > 0) && x.shape()[d] == 0) {
      value_error("pad", "can't extend empty axis ", d, " using mode '", mode, "'");
    }
    if (__builtin_add_overflow(shape[d], lo, &shape[d]) || __builtin_add_overflow(shape[d], hi, &shape[d])) {
      value_error("pad", "padding axis ", d, " of ", describe(x), " by (", lo, ", ", hi, ") overflows its size");
    }
  }
  Tensor out = Tensor::empty(shape, x.dtype(), x.device(), "pad");
  if (mode == "constant") fill_(out, constant_value);
  Tensor inner = out;
  for (int d = 0; d < x.ndim(); ++d) inner = inner.slice(d, paddings[d].first, paddings[d].first + x.shape()[d], 1);
  copy_into(inner, x, "pad");
  if (mode == "constant") return out;
  // Fill the borders axis by axis from already written data (NumPy's approach), so
  // corners take values from the earlier axes' padding.
  for (int d = 0; d < x.ndim(); ++d) {
    const auto [lo, hi] = paddings[d];
    const std::int64_t n = x.shape()[d];
    const std::int64_t start = lo;
    auto src_index = [&](std::int64_t i) {  // i: position relative to the original start, outside [0, n)
      if (mode == "edge") return i < 0 ? 0 : n - 1;
      const std::int64_t period = mode == "reflect" ? 2 * (n - 1) : 2 * n;
      if (period == 0) return std::int64_t{0};
      std::int64_t k = ((i % period) + period) % period;
      if (mode == "reflect") return k < n ? k : period - k;
      return k < n ? k : period - 1 - k;
    };
    for (std::int64_t i = -lo; i < n + hi; ++i) {
      if (i >= 0 && i < n) continue;
      copy_into(out.select(d, start + i), out.select(d, start + src_index(i)), "pad");
    }
  }
  return out;
}
}  // namespace

Tensor pad(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings,
           const std::string& mode, Scalar constant_value) {
  return autograd::differentiable(
      "pad", {x}, [&] { return pad_impl(x, paddings, mode, constant_value); },
      [&] { return autograd::pad_rule(x, paddings, mode); });
}

Tensor vstack(const std::vector<Tensor>& xs) {
  std::vector<Tensor> v;
  for (const Tensor& t : xs) v.push_back(t.ndim() == 0 ? t.view({1, 1}) : t.ndim() == 1 ? t.expand_dims(0) : t);
  return concat(v, 0, "vstack", xs);
}

Tensor hstack(const std::vector<Tensor>& xs) {
  std::vector<Tensor> v;
  for (const Tensor& t : xs) v.push_back(t.ndim() == 0 ? t.view({1}) : t);
  if (v.empty()) value_error("hstack", "need at least one tensor to stack");
  return concat(v, v.front().ndim() == 1 ? 0 : 1, "hstack", xs);
}

std::vector<Tensor> meshgrid(const std::vector<Tensor>& xs, const std::string& indexing) {
  if (indexing != "xy" && indexing != "ij") {
    value_error("meshgrid", "indexing must be 'xy' or 'ij', got '", indexing, "'");
  }
  const int n = static_cast<int>(xs.size());
  Shape shape;
  for (const Tensor& x : xs) shape.push_back(x.numel());
  if (indexing == "xy" && n >= 2) std::swap(shape[0], shape[1]);
  std::vector<Tensor> out;
  for (int i = 0; i < n; ++i) {
    int axis = i;
    if (indexing == "xy" && n >= 2 && i < 2) axis = 1 - i;
    Shape s(n, 1);
    s[axis] = xs[i].numel();
    out.push_back(copy(broadcast_to(reshape(xs[i], s), shape)));
  }
  return out;
}

}  // namespace ember
