// Front end of the fused CfC sequence op (ember/liquid.h): validation, then
// ops/fused_sequence.h runs the "cfc_sequence" / "cfc_sequence_backward" kernels.
#include <string>
#include <vector>

#include "ember/liquid.h"
#include "ops/common.h"
#include "ops/fused_sequence.h"

namespace ember::liquid {
namespace {

using detail::describe;

constexpr const char* kOp = "cfc_sequence";

// Layer sizes H_l, from the weights' rows; checks every shape, dtype and device.
std::vector<std::int64_t> validate(const Tensor& x, const Tensor& h0, const Tensor& ts,
                                   const std::vector<Tensor>& weights, const std::vector<Tensor>& biases) {
  if (!x.defined() || !h0.defined() || !ts.defined()) value_error(kOp, "inputs, h0 and ts must be tensors");
  if (x.ndim() != 3) value_error(kOp, "inputs must be (batch, time, features), got ", describe(x));
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float64) {
    type_error(kOp, "inputs must be float32 or float64, got ", describe(x));
  }
  if (weights.empty() || weights.size() != biases.size()) {
    value_error(kOp, "needs one bias per weight and at least one layer, got ", weights.size(), " weights and ",
                biases.size(), " biases");
  }
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1];
  std::vector<std::int64_t> sizes;
  std::int64_t in_features = x.shape()[2], total = 0;
  for (std::size_t l = 0; l < weights.size(); ++l) {
    const Tensor& w = weights[l];
    const Tensor& b = biases[l];
    if (!w.defined() || !b.defined() || w.ndim() != 2 || w.shape()[0] % 4 != 0 || w.shape()[0] == 0) {
      value_error(kOp, "weight ", l, " must be (4 H, I + H) with H >= 1, got ",
                  w.defined() ? describe(w) : std::string("None"));
    }
    const std::int64_t h = w.shape()[0] / 4;
    if (w.shape()[1] != in_features + h) {
      value_error(kOp, "weight ", l, " must have ", in_features + h, " columns (", in_features, " inputs + ", h,
                  " states), got ", describe(w));
    }
    if (b.shape() != Shape{4 * h}) value_error(kOp, "bias ", l, " must have shape (", 4 * h, ",), got ", describe(b));
    sizes.push_back(h);
    total += h;
    in_features = h;
  }
  if (h0.shape() != Shape{batch, total}) {
    value_error(kOp, "h0 must have shape ", shape_str({batch, total}), ", got ", describe(h0));
  }
  if (ts.shape() != Shape{batch, steps}) {
    value_error(kOp, "ts must have shape ", shape_str({batch, steps}), ", got ", describe(ts));
  }
  std::vector<const Tensor*> all = {&h0, &ts};
  for (std::size_t l = 0; l < weights.size(); ++l) {
    all.push_back(&weights[l]);
    all.push_back(&biases[l]);
  }
  for (const Tensor* t : all) {
    if (t->dtype() != x.dtype()) {
      type_error(kOp, "every tensor must have the dtype of inputs (", dtype_name(x.dtype()), "), got ", describe(*t));
    }
    detail::common_device(kOp, {&x, t});
  }
  return sizes;
}

}  // namespace

Tensor cfc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& ts, const std::vector<Tensor>& weights,
                    const std::vector<Tensor>& biases, CfcMode mode) {
  const std::vector<std::int64_t> sizes = validate(inputs, h0, ts, weights, biases);
  Attrs attrs;
  attrs.ints = {static_cast<std::int64_t>(mode)};
  attrs.ints.insert(attrs.ints.end(), sizes.begin(), sizes.end());
  std::vector<Tensor> in = {inputs, h0, ts};
  for (std::size_t l = 0; l < weights.size(); ++l) {
    in.push_back(weights[l]);
    in.push_back(biases[l]);
  }
  return internal::run_fused(kOp, in, {inputs.shape()[0], inputs.shape()[1], h0.shape()[1]}, attrs,
                           std::vector<bool>(in.size(), true));
}

}  // namespace ember::liquid
