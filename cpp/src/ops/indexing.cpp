// Basic indexing: integers, slices, Ellipsis and new axes, as zero-copy views.
#include "autograd/rules.h"
#include "core/slice_length.h"
#include "ops/common.h"

namespace ember {

namespace {
// Python's slice.indices(): clamps start/stop for the given step and length.
std::pair<std::int64_t, std::int64_t> adjust_slice(const IndexItem& it, std::int64_t len) {
  const bool neg = it.step < 0;
  auto clamp = [&](std::int64_t v) {
    if (v < 0) {
      v += len;
      if (v < 0) v = neg ? -1 : 0;
    } else if (v >= len) {
      v = neg ? len - 1 : len;
    }
    return v;
  };
  const std::int64_t start = it.start ? clamp(*it.start) : (neg ? len - 1 : 0);
  const std::int64_t stop = it.stop ? clamp(*it.stop) : (neg ? -1 : len);
  return {start, stop};
}
}  // namespace

namespace {
// The view's shape, strides and offset are worked out in one pass over the key and the
// view made once: x[1:3] is called thousands of times on small tensors, where a chain of
// intermediate views (one Tensor each) costs more than the indexing itself.
Tensor basic_view(const Tensor& x, const std::vector<IndexItem>& items) {
  using Kind = IndexItem::Kind;
  int consumed = 0, ellipses = 0;
  for (const auto& it : items) {
    if (it.kind == Kind::Int || it.kind == Kind::Slice) ++consumed;
    if (it.kind == Kind::Ellipsis) ++ellipses;
  }
  if (ellipses > 1) index_error("index", "an index can only have a single ellipsis ('...')");
  if (consumed > x.ndim()) {
    index_error("index", "too many indices: tensor of shape ", shape_str(x.shape()), " is ", x.ndim(),
                "-dimensional, but ", consumed, " were indexed");
  }
  Shape shape;
  Strides strides;
  std::int64_t offset = x.offset();
  int axis = 0;  // next axis of x
  const auto keep = [&](int count) {
    for (; count > 0; --count, ++axis) {
      shape.push_back(x.shape()[axis]);
      strides.push_back(x.strides()[axis]);
    }
  };
  for (const auto& it : items) {
    switch (it.kind) {
      case Kind::Int: {
        const std::int64_t len = x.shape()[axis];
        const std::int64_t i = it.index < 0 ? it.index + len : it.index;
        if (i < 0 || i >= len) {
          index_error("index", "index ", it.index, " is out of bounds for axis ", axis, " with size ", len);
        }
        offset += i * x.strides()[axis];
        ++axis;
        break;
      }
      case Kind::Slice: {
        if (it.step == 0) value_error("index", "slice step cannot be zero");
        const auto [start, stop] = adjust_slice(it, x.shape()[axis]);
        const std::int64_t n = slice_length(start, stop, it.step);
        shape.push_back(n);
        strides.push_back(x.strides()[axis] * it.step);
        if (n > 0) offset += start * x.strides()[axis];
        ++axis;
        break;
      }
      case Kind::Ellipsis:
        keep(x.ndim() - consumed);
        break;
      case Kind::NewAxis:
        shape.push_back(1);
        strides.push_back(0);
        break;
    }
  }
  keep(x.ndim() - axis);
  return x.as_strided(shape, strides, offset);
}
}  // namespace

Tensor basic_index(const Tensor& x, const std::vector<IndexItem>& items) {
  // Without grad, skip differentiable()'s list of inputs, whose copy of x costs about as
  // much as the view.
  if (!autograd::requires_grad(x)) return basic_view(x, items);
  return autograd::differentiable(
      "index", {x}, [&] { return basic_view(x, items); }, [&] { return autograd::basic_index_rule(x, items); });
}

}  // namespace ember
