// Gradients of indexing with arrays, scatter, index_update and cumsum.
#include "autograd/rules.h"

namespace ember::autograd {

// Indexing x with arrays picks elements by position; indexing a tensor of flat positions
// the same way says which position each output element came from, and a scatter-add of
// the gradient over those positions sums repeated picks, as the adjoint must.
Rule advanced_index_rule(const Tensor& x, const std::vector<TensorIndex>& items) {
  return [shape = x.shape(), items](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    const std::int64_t n = shape_numel(shape);
    const Tensor positions = reshape(arange(0, static_cast<double>(n), 1, DType::Int64, g[0].device()), shape);
    const Tensor picked = reshape(index(positions, items), {-1});
    const Tensor flat = scatter(reshape(g[0], {-1}), picked, n, "add", 0);
    return {reshape(flat, shape)};
  };
}

Rule scatter_rule(const Tensor& data, const Tensor& indices, const std::string& aggr, int axis) {
  return [data, indices, aggr, axis](const Grads& g, const Grads& y, const std::vector<bool>& needs) -> Grads {
    Grads out(1);
    if (!needs[0]) return out;
    const Tensor picked = gather(g[0], indices, axis);
    const std::int64_t size = y[0].shape()[axis];
    if (aggr == "add") {
      out[0] = picked;
    } else if (aggr == "mean") {
      Shape ones_shape(data.ndim(), 1);
      ones_shape[axis] = data.shape()[axis];
      const Tensor count = scatter(ones(ones_shape, g[0].dtype(), g[0].device()), indices, size, "add", axis);
      out[0] = divide(picked, gather(count, indices, axis));
    } else {  // max, min: the elements equal to their segment's result share its gradient
      const Tensor wins = cast(equal(data, gather(y[0], indices, axis)), g[0].dtype());
      const Tensor ties = scatter(wins, indices, size, "add", axis);
      out[0] = divide(multiply(picked, wins), gather(ties, indices, axis));
    }
    return out;
  };
}

Rule index_update_rule(const std::vector<TensorIndex>& items, const Tensor& values) {
  return [items, vshape = values.shape()](const Grads& g, const Grads&, const std::vector<bool>& needs) -> Grads {
    Grads out(2);
    if (needs[0]) out[0] = index_update(g[0], items, scalar_like(0.0, g[0]));
    if (needs[1]) out[1] = sum_to(index(g[0], items), vshape);
    return out;
  };
}

// The adjoint of a running sum is a running sum taken from the other end.
Rule cumsum_rule(int axis) {
  return [axis](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    std::vector<IndexItem> flip(axis + 1);
    for (auto& item : flip) item.kind = IndexItem::Kind::Slice;
    flip[axis].step = -1;
    return {basic_index(cumsum(basic_index(g[0], flip), axis), flip)};
  };
}

// Sorting permutes each slice along `axis`: the flat position of sorted element j is
// base + perm[j] * stride, and the gradient is scattered back to those positions.
Rule sort_rule(const Tensor& x, int axis, bool descending) {
  return [x, axis, descending](const Grads& g, const Grads&, const std::vector<bool>&) -> Grads {
    const Shape& shape = x.shape();
    const std::int64_t n = shape_numel(shape);
    std::int64_t stride = 1;
    for (int d = axis + 1; d < x.ndim(); ++d) stride *= shape[d];
    const Device dev = g[0].device();
    const Tensor positions = reshape(arange(0, static_cast<double>(n), 1, DType::Int64, dev), shape);
    Shape along_shape(x.ndim(), 1);
    along_shape[axis] = shape[axis];
    const Tensor along = reshape(arange(0, static_cast<double>(shape[axis]), 1, DType::Int64, dev), along_shape);
    const Tensor step = scalar_tensor(Scalar::from_int(stride), DType::Int64, dev);
    const Tensor base = subtract(positions, multiply(along, step));
    const Tensor source = add(base, multiply(argsort(x, axis, descending), step));
    return {reshape(scatter(reshape(g[0], {-1}), reshape(source, {-1}), n, "add", 0), shape)};
  };
}

}  // namespace ember::autograd
