// Advanced indexing (integer arrays and boolean masks), gather, scatter and nonzero.
//
// An advanced index is planned as: apply the basic items to get a view whose advanced
// axes are left whole, move the advanced axes together (first, when NumPy's rule says
// so), and turn the broadcast index arrays into one element offset per index tuple.
// The cpu kernels then read or write view[pre, offset, post] without copying the view.
#include <algorithm>

#include "ember/indexing.h"
#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::describe;
using detail::registered_op;
using detail::run_to_new;

namespace {

using Kind = IndexItem::Kind;

std::int64_t read_int(const Tensor& t) {
  const Tensor c = cast(to_device(t, Device{}), DType::Int64);
  return *c.data<std::int64_t>();
}

Tensor int64_scalar(std::int64_t v, Device device) {
  return scalar_tensor(Scalar::from_int(v), DType::Int64, device);
}

struct Plan {
  Tensor src;                 // the view with the advanced axes removed: [pre..., post...]
  int npre = 0;               // leading axes of src that come before the advanced axes
  Tensor offsets;             // int64, one element offset per index tuple (broadcast shape)
  Shape out_shape;            // pre + broadcast + post
};

// One advanced entry after masks are expanded: the array and whether it indexes an
// axis that a 0-d boolean adds.
struct Advanced {
  Tensor array;
  bool new_axis = false;
  std::int64_t mask_size = -1;  // the axis size a mask dimension requires
  int mask_axis = 0;
};

Plan plan(const Tensor& x, const std::vector<TensorIndex>& items, const char* op) {
  const bool any_array = std::any_of(items.begin(), items.end(), [](const auto& it) { return it.array.defined(); });
  std::vector<IndexItem> basic;
  std::vector<std::optional<Advanced>> adv_of_item;  // parallel to `basic`
  for (const auto& it : items) {
    if (!it.array.defined() && !(any_array && it.item.kind == Kind::Int)) {
      basic.push_back(it.item);
      adv_of_item.emplace_back();
      continue;
    }
    IndexItem full;
    full.kind = Kind::Slice;
    if (!it.array.defined()) {  // an integer among arrays counts as a 0-d index array
      basic.push_back(full);
      adv_of_item.push_back(Advanced{int64_scalar(it.item.index, x.device())});
      continue;
    }
    const Tensor& a = it.array;
    if (a.dtype() == DType::Bool) {
      if (a.ndim() == 0) {  // x[True] adds an axis of length 1 and keeps it; x[False] empties it
        IndexItem nx;
        nx.kind = Kind::NewAxis;
        basic.push_back(nx);
        adv_of_item.push_back(Advanced{zeros({read_int(a)}, DType::Int64, x.device()), true});
        continue;
      }
      const std::vector<Tensor> nz = nonzero(a);
      for (int d = 0; d < a.ndim(); ++d) {
        basic.push_back(full);
        adv_of_item.push_back(Advanced{nz[d], false, a.shape()[d], d});
      }
      continue;
    }
    if (!is_integral(a.dtype())) {
      index_error(op, "arrays used as indices must be of integer or boolean type, got ", describe(a));
    }
    basic.push_back(full);
    adv_of_item.push_back(Advanced{a.dtype() == DType::Int64 ? a : cast(a, DType::Int64)});
  }
  const Tensor view = basic_index(x, basic);

  // Axis of `view` for each advanced entry.
  int consumed = 0;
  for (const auto& b : basic) consumed += b.kind == Kind::Slice || b.kind == Kind::Int;
  std::vector<int> positions;
  std::vector<Advanced> adv;
  int axis = 0;
  for (std::size_t i = 0; i < basic.size(); ++i) {
    if (adv_of_item[i]) {
      positions.push_back(axis);
      adv.push_back(*adv_of_item[i]);
    }
    if (basic[i].kind == Kind::Ellipsis) axis += x.ndim() - consumed;
    else if (basic[i].kind != Kind::Int) ++axis;
  }
  const bool adjacent = positions.back() - positions.front() + 1 == static_cast<int>(positions.size());

  Shape bshape;
  for (const auto& a : adv) {
    try {
      bshape = broadcast_shapes(bshape, a.array.shape(), op);
    } catch (const Error&) {  // NumPy reports this as an IndexError
      index_error(op, "shape mismatch: indexing arrays of shapes ", shape_str(bshape), " and ",
                  shape_str(a.array.shape()), " could not be broadcast together");
    }
  }
  Tensor offsets = zeros(bshape, DType::Int64, x.device());
  for (std::size_t j = 0; j < adv.size(); ++j) {
    const int p = positions[j];
    const std::int64_t size = view.shape()[p];
    if (adv[j].mask_size >= 0 && adv[j].mask_size != size) {
      index_error(op, "boolean index did not match indexed tensor along axis ", p, "; size of axis is ", size,
                  " but size of corresponding boolean axis is ", adv[j].mask_size);
    }
    Tensor a = adv[j].array;
    if (a.numel() > 0) {
      const std::int64_t lo = read_int(min(a, std::nullopt, false));
      const std::int64_t hi = read_int(max(a, std::nullopt, false));
      if (lo < -size || hi >= size) {
        index_error(op, "index ", lo < -size ? lo : hi, " is out of bounds for axis ", p, " with size ", size);
      }
      if (lo < 0) a = where(less(a, int64_scalar(0, x.device())), add(a, int64_scalar(size, x.device())), a);
    }
    offsets = add(offsets, multiply(a, int64_scalar(view.strides()[p], x.device())));
  }

  Plan pl;
  Shape pre, post;
  Strides pre_st, post_st;
  for (int d = 0; d < view.ndim(); ++d) {
    if (std::find(positions.begin(), positions.end(), d) != positions.end()) continue;
    const bool before = adjacent && d < positions.front();
    (before ? pre : post).push_back(view.shape()[d]);
    (before ? pre_st : post_st).push_back(view.strides()[d]);
  }
  pl.npre = static_cast<int>(pre.size());
  pl.out_shape = pre;
  pl.out_shape.insert(pl.out_shape.end(), bshape.begin(), bshape.end());
  pl.out_shape.insert(pl.out_shape.end(), post.begin(), post.end());
  pre.insert(pre.end(), post.begin(), post.end());
  pre_st.insert(pre_st.end(), post_st.begin(), post_st.end());
  pl.src = view.as_strided(pre, pre_st, view.offset());
  pl.offsets = contiguous(offsets);
  return pl;
}

bool has_array(const std::vector<TensorIndex>& items) {
  return std::any_of(items.begin(), items.end(), [](const auto& it) { return it.array.defined(); });
}

std::vector<IndexItem> basic_items(const std::vector<TensorIndex>& items) {
  std::vector<IndexItem> out;
  for (const auto& it : items) out.push_back(it.item);
  return out;
}

Tensor gather_items(const Tensor& x, const std::vector<TensorIndex>& items, const char* op) {
  if (!has_array(items)) return basic_index(x, basic_items(items));
  return autograd::differentiable(
      op, {x},
      [&] {
        const Plan pl = plan(x, items, op);
        return run_to_new(registered_op("index"), x.device(), pl.out_shape, x.dtype(), {pl.src, pl.offsets},
                          encode(IndexAttrs{pl.npre}));
      },
      [&] { return autograd::advanced_index_rule(x, items); });
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<TensorIndex>& items) { return gather_items(x, items, "index"); }

void index_put(const Tensor& x, const std::vector<TensorIndex>& items, const Tensor& values, const char* op) {
  if (autograd::any_requires_grad({values})) {
    value_error(op, "the values require grad, but an in-place write cannot carry their gradient; use the "
                    "functional index_update");
  }
  if (!has_array(items)) {
    copy_into(basic_index(x, basic_items(items)), values, op);
    return;
  }
  if (x.is_read_only()) value_error(op, "the destination is a broadcast view (read-only); copy it first");
  const Plan pl = plan(x, items, op);
  const Shape vshape = broadcast_shapes(values.shape(), pl.out_shape, op);
  if (vshape != pl.out_shape) {
    value_error(op, "cannot assign a ", describe(values), " to an indexed selection of shape ",
                shape_str(pl.out_shape));
  }
  const Tensor v = Tensor::empty(pl.out_shape, x.dtype(), x.device());
  copy_into(v, values, op);
  if (v.numel() == 0) return;
  autograd::check_inplace(x, op);
  x.storage()->bump_version();
  Tensor dst = pl.src;
  const Tensor inputs[] = {v, pl.offsets};
  registered_op("index_put").call(x.device(), inputs, std::span<Tensor>(&dst, 1), encode(IndexAttrs{pl.npre}));
}

Tensor index_update(const Tensor& x, const std::vector<TensorIndex>& items, const Tensor& values, const char* op) {
  return autograd::differentiable(
      op, {x, values},
      [&] {
        const Tensor out = copy(x);
        index_put(out, items, values, op);
        return out;
      },
      [&] { return autograd::index_update_rule(items, values); });
}

Tensor gather(const Tensor& x, const Tensor& indices, std::int64_t axis) {
  const int a = normalize_axis(axis, std::max(x.ndim(), 1), "gather");
  if (x.ndim() == 0) index_error("gather", "cannot index a 0-d tensor along an axis");
  if (!is_integral(indices.dtype()) && indices.dtype() != DType::Bool) {
    type_error("gather", "indices must be integers, got ", describe(indices));
  }
  std::vector<TensorIndex> items(a + 1);
  for (int d = 0; d < a; ++d) items[d].item.kind = Kind::Slice;
  items[a].array = cast(indices, DType::Int64);  // numpy.take reads booleans as 0 / 1
  return gather_items(x, items, "gather");
}

Tensor scatter(const Tensor& data, const Tensor& indices, std::optional<std::int64_t> dim_size,
               const std::string& aggr, std::int64_t axis) {
  static const char* kAggr[] = {"add", "max", "min", "mean"};  // in ScatterAggr's order
  const auto it = std::find(std::begin(kAggr), std::end(kAggr), aggr);
  if (it == std::end(kAggr)) value_error("scatter", "aggr must be one of add, max, min, mean; got '", aggr, "'");
  if (data.ndim() == 0) value_error("scatter", "data must have at least one dimension, got ", describe(data));
  detail::require_real("scatter", {&data});
  const int a = normalize_axis(axis, data.ndim(), "scatter");
  if (!is_integral(indices.dtype())) type_error("scatter", "indices must be integers, got ", describe(indices));
  if (indices.ndim() != 1 || indices.shape()[0] != data.shape()[a]) {
    value_error("scatter", "indices must be 1-D with one entry per slice of data along axis ", a, "; got ",
                describe(indices), " for ", describe(data));
  }
  const Tensor idx = contiguous(cast(indices, DType::Int64));
  const std::int64_t hi = idx.numel() ? read_int(max(idx, std::nullopt, false)) : -1;
  const std::int64_t lo = idx.numel() ? read_int(min(idx, std::nullopt, false)) : 0;
  const std::int64_t size = dim_size.value_or(hi + 1);
  if (size < 0) value_error("scatter", "dim_size must be non-negative, got ", size);
  if (lo < 0 || hi >= size) {
    index_error("scatter", "index ", lo < 0 ? lo : hi, " is out of range for dim_size ", size);
  }
  std::int64_t M = 1, N = 1;
  for (int d = 0; d < data.ndim(); ++d) {
    if (d < a) M *= data.shape()[d];
    if (d > a) N *= data.shape()[d];
  }
  Shape out_shape = data.shape();
  out_shape[a] = size;
  const Attrs attrs = encode(ScatterAttrs{M, data.shape()[a], N, size, ScatterAggr(it - std::begin(kAggr))});
  return autograd::differentiable(
      "scatter", {data},
      [&] {
        return run_to_new(registered_op("scatter"), data.device(), out_shape, data.dtype(), {contiguous(data), idx},
                          attrs);
      },
      [&] { return autograd::scatter_rule(data, idx, aggr, a); });
}

Tensor tensor_scatter_nd_update(const Tensor& x, const Tensor& indices, const Tensor& updates) {
  const char* op = "tensor_scatter_nd_update";
  if (!is_integral(indices.dtype())) type_error(op, "indices must be integers, got ", describe(indices));
  if (indices.ndim() == 0 || indices.shape().back() < 1 || indices.shape().back() > x.ndim()) {
    value_error(op, "indices must have shape [..., K] with 1 <= K <= x.ndim; got ", describe(indices), " for ",
                describe(x));
  }
  const int k = static_cast<int>(indices.shape().back());
  Shape expected(indices.shape().begin(), indices.shape().end() - 1);
  expected.insert(expected.end(), x.shape().begin() + k, x.shape().end());
  if (updates.shape() != expected) {
    value_error(op, "updates must have shape ", shape_str(expected), " (indices.shape[:-1] + x.shape[K:]), got ",
                describe(updates));
  }
  std::vector<TensorIndex> items(k);
  for (int j = 0; j < k; ++j) items[j].array = indices.select(indices.ndim() - 1, j);
  return index_update(x, items, updates, op);
}

std::vector<Tensor> nonzero(const Tensor& x) {
  if (x.ndim() == 0) value_error("nonzero", "calling nonzero on a 0-d tensor is not allowed; use x[None]");
  const Tensor mask = contiguous(detail::truth(x));
  const std::int64_t count = read_int(sum(mask, std::nullopt, false));
  const Tensor coords = run_to_new(registered_op("nonzero"), x.device(), {count, x.ndim()}, DType::Int64, {mask});
  std::vector<Tensor> out;
  for (int d = 0; d < x.ndim(); ++d) out.push_back(contiguous(coords.select(1, d)));
  return out;
}

}  // namespace ember
