// Advanced indexing, gather / scatter, sorting, scans and order statistics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/ops.h"

namespace ember {

// One item of a NumPy index: a basic item, or (when `array` is defined) an integer
// array or boolean mask. Integer arrays may be negative (they wrap); masks consume as
// many axes as they have dimensions.
struct TensorIndex {
  IndexItem item;
  Tensor array;
};

// x[items] with NumPy semantics. Without array items it is basic_index (a view);
// with them a new tensor: the index arrays (and integers, which count as advanced
// indices then) broadcast together, and the broadcast axes replace the indexed axes
// in place when the advanced items are adjacent, else go first.
Tensor index(const Tensor& x, const std::vector<TensorIndex>& items);
// x[items] = values (broadcast to the shape of x[items], cast to x's dtype), in place.
// With repeated indices the last write wins. `op` names the caller in error messages.
void index_put(const Tensor& x, const std::vector<TensorIndex>& items, const Tensor& values,
               const char* op = "setitem");

// numpy.take(x, indices, axis): negative indices wrap; out of range raises IndexError.
// Functional index_put: a copy of x with out[items] = values (values broadcast).
Tensor index_update(const Tensor& x, const std::vector<TensorIndex>& items, const Tensor& values,
                    const char* op = "index_update");

Tensor gather(const Tensor& x, const Tensor& indices, std::int64_t axis);
// Segment reduction: out has dim_size rows along axis (default max(indices) + 1); row
// indices[i] aggregates slice i of data along axis with aggr add | max | min | mean.
// Rows no index points at are 0.
Tensor scatter(const Tensor& data, const Tensor& indices, std::optional<std::int64_t> dim_size,
               const std::string& aggr, std::int64_t axis);
// TensorFlow's tensor_scatter_nd_update: indices [..., K] address the first K axes of x.
Tensor tensor_scatter_nd_update(const Tensor& x, const Tensor& indices, const Tensor& updates);
// numpy.nonzero: one int64 tensor of indices per axis of x.
std::vector<Tensor> nonzero(const Tensor& x);

// Stable sort along axis; NaNs go last in both directions.
Tensor sort(const Tensor& x, std::int64_t axis, bool descending);
Tensor argsort(const Tensor& x, std::int64_t axis, bool descending);
// numpy.cumsum; axis nullopt: over the flattened tensor.
Tensor cumsum(const Tensor& x, std::optional<std::int64_t> axis);
// numpy.percentile with the 'linear' method; q in [0, 100]. q_is_scalar: no leading q axis.
Tensor percentile(const Tensor& x, const std::vector<double>& q, bool q_is_scalar, const Axes& axes,
                  bool keepdims);
Tensor median(const Tensor& x, const Axes& axes, bool keepdims);

}  // namespace ember
