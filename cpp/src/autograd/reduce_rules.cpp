// Gradients of sum, prod, max and min.
#include "autograd/rules.h"

namespace ember::autograd {

namespace {

// A reduced tensor (or its gradient) broadcast back over the input's shape.
Tensor expand_back(const Tensor& g, const Shape& shape, const std::vector<int>& axes, bool keepdims) {
  Tensor kept = g;
  if (!keepdims) {
    Shape with_ones = shape;
    for (int a : axes) with_ones[a] = 1;
    kept = reshape(g, with_ones);
  }
  return broadcast_to(kept, shape);
}

Axes to_axes(const std::vector<int>& axes) { return std::vector<std::int64_t>(axes.begin(), axes.end()); }

}  // namespace

Rule sum_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return [shape = x.shape(), axes, keepdims](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {expand_back(g[0], shape, axes, keepdims)};
  };
}

// d prod / d x_i is the product of the other elements. Where x_i is the only zero of its
// slice that is the product of the non-zeros; where the slice has two zeros, 0; elsewhere
// out / x_i (no division by zero is ever used).
Rule prod_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return [x, axes, keepdims](const Grads& g, const Grads& y, const std::vector<bool>&) -> Grads {
    const Tensor zero = scalar_like(0.0, x), one = scalar_like(1.0, x);
    const Tensor is_zero = equal(x, zero);
    const Tensor zero_count = sum(cast(is_zero, x.dtype()), to_axes(axes), true);
    const Tensor prod_nonzero = prod(where(is_zero, one, x), to_axes(axes), true);
    const Tensor out = expand_back(y[0], x.shape(), axes, keepdims);
    const Tensor others =
        where(is_zero, where(equal(zero_count, one), prod_nonzero, zero), divide(out, where(is_zero, one, x)));
    return {multiply(expand_back(g[0], x.shape(), axes, keepdims), others)};
  };
}

// Ties share the gradient equally (as PyTorch's amax / amin).
Rule extremum_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return [x, axes, keepdims](const Grads& g, const Grads& y, const std::vector<bool>&) -> Grads {
    const Tensor mask = cast(equal(x, expand_back(y[0], x.shape(), axes, keepdims)), g[0].dtype());
    const Tensor count = sum(mask, to_axes(axes), true);
    return {divide(multiply(expand_back(g[0], x.shape(), axes, keepdims), mask), count)};
  };
}

Rule identity_rule(const Tensor& x) {
  return [device = x.device()](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    return {g[0].device() == device ? g[0] : to_device(g[0], device)};
  };
}

}  // namespace ember::autograd
