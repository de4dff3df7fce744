// Gradient rules shared by the front-end ops. Each returns the Rule of one op, given
// the op's inputs; the rules use only front-end ops.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/indexing.h"
#include "ember/ops.h"

namespace ember::autograd {

// A 0-d tensor holding `value` with the dtype and device of `like`.
Tensor scalar_like(double value, const Tensor& like);

// The elementwise ops of op_list.h, as indices into the derivative tables.
#define EMBER_OP_ENUMERATOR(name, kind, doc) name,
enum class UnaryOp { EMBER_UNARY_OPS(EMBER_OP_ENUMERATOR) };
enum class BinaryOp { EMBER_BINARY_OPS(EMBER_OP_ENUMERATOR) };
#undef EMBER_OP_ENUMERATOR

Rule unary_rule(UnaryOp op, const Tensor& x);
Rule binary_rule(BinaryOp op, const Tensor& a, const Tensor& b);
Rule where_rule(const Tensor& condition, const Tensor& x, const Tensor& y);

// Reductions over `axes` (normalised, sorted; every axis when empty for a full reduction).
Rule sum_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims);
Rule prod_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims);
Rule extremum_rule(const Tensor& x, const std::vector<int>& axes, bool keepdims);  // max, min

// Ops whose gradient is the incoming one, moved back to the input's device (the engine
// casts it to the input's dtype): cast, copy, to_device.
Rule identity_rule(const Tensor& x);

// Shape ops.
Rule reshape_rule(const Tensor& x);  // reshape, expand_dims, squeeze: any op that keeps the elements in order
Rule transpose_rule(const std::vector<int>& perm);
Rule broadcast_rule(const Tensor& x);
// concatenate and stack: `shapes` are the inputs' own shapes, `sizes` their extents along `axis`.
Rule concat_rule(std::vector<Shape> shapes, std::vector<std::int64_t> sizes, int axis);
Rule split_rule(int axis);
Rule pad_rule(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings,
              const std::string& mode);
Rule basic_index_rule(const Tensor& x, const std::vector<IndexItem>& items);
Rule matmul_rule(const Tensor& a, const Tensor& b);
Tensor swap_last_two(const Tensor& t);

// The adjoint of a strided view (`view(x)` picks elements of x without repeats): zeros of
// `shape` with g written into the view. Recorded, with `view` as its own rule.
Tensor view_adjoint(const char* name, const Tensor& g, const Shape& shape, std::function<Tensor(const Tensor&)> view);

// Linear algebra (ember/linalg.h).
Rule solve_rule(const Tensor& a, const Tensor& b);
Rule inv_rule();
Rule det_rule(const Tensor& a);
Rule cholesky_rule();

// Indexing with integer arrays (index, gather): the gradient is scattered (added) back.
Rule advanced_index_rule(const Tensor& x, const std::vector<TensorIndex>& items);
Rule scatter_rule(const Tensor& data, const Tensor& indices, const std::string& aggr, int axis);
// out = x with out[items] = values.
Rule index_update_rule(const std::vector<TensorIndex>& items, const Tensor& values);
Rule cumsum_rule(int axis);
Rule sort_rule(const Tensor& x, int axis, bool descending);

}  // namespace ember::autograd
