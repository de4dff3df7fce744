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

void check_dense(const Tensor& w, const Tensor& b, std::int64_t rows, std::int64_t cols, const std::string& what) {
  if (!w.defined() || !b.defined() || w.ndim() != 2 || (rows > 0 && w.shape()[0] != rows) || w.shape()[0] == 0 ||
      w.shape()[1] != cols) {
    value_error(kOp, what, " weight must be (", rows > 0 ? std::to_string(rows) : std::string("units"), ", ", cols,
                "), got ", w.defined() ? describe(w) : std::string("None"));
  }
  if (b.shape() != Shape{w.shape()[0]}) {
    value_error(kOp, what, " bias must have shape (", w.shape()[0], ",), got ", b.defined() ? describe(b) : "None");
  }
}

// Layer sizes H_l, from the heads' rows; checks every shape, dtype and device.
std::vector<std::int64_t> validate(const Tensor& x, const Tensor& h0, const Tensor& ts,
                                   const std::vector<CfcLayer>& layers, CfcMode mode) {
  if (!x.defined() || !h0.defined() || !ts.defined()) value_error(kOp, "inputs, h0 and ts must be tensors");
  if (x.ndim() != 3) value_error(kOp, "inputs must be (batch, time, features), got ", describe(x));
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float64) {
    type_error(kOp, "inputs must be float32 or float64, got ", describe(x));
  }
  if (layers.empty()) value_error(kOp, "needs at least one layer");
  const bool pure = mode == CfcMode::Pure;
  const std::int64_t heads = pure ? 1 : 4;
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1];
  std::vector<std::int64_t> sizes;
  std::vector<const Tensor*> all = {&h0, &ts};
  std::int64_t in_features = x.shape()[2], total = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const CfcLayer& layer = layers[l];
    const std::string name = "layer " + std::to_string(l);
    if (!layer.weight.defined() || layer.weight.ndim() != 2 || layer.weight.shape()[0] % heads != 0 ||
        layer.weight.shape()[0] == 0) {
      value_error(kOp, name, " heads weight must be (", pure ? "H" : "4 H", ", width) with H >= 1, got ",
                  layer.weight.defined() ? describe(layer.weight) : std::string("None"));
    }
    const std::int64_t h = layer.weight.shape()[0] / heads;
    if (layer.backbone_weights.size() != layer.backbone_biases.size()) {
      value_error(kOp, name, " needs one backbone bias per backbone weight");
    }
    if (pure) {
      for (const auto& [t, what] : {std::pair{&layer.w_tau, "w_tau"}, std::pair{&layer.a, "A"}}) {
        if (!t->defined() || t->shape() != Shape{h}) {
          value_error(kOp, name, " ", what, " must have shape (", h, ",) in pure mode, got ",
                      t->defined() ? describe(*t) : std::string("None"));
        }
        all.push_back(t);
      }
    }
    std::int64_t width = in_features + h;
    for (std::size_t k = 0; k < layer.backbone_weights.size(); ++k) {
      check_dense(layer.backbone_weights[k], layer.backbone_biases[k], 0, width,
                  name + " backbone " + std::to_string(k));
      width = layer.backbone_weights[k].shape()[0];
      all.push_back(&layer.backbone_weights[k]);
      all.push_back(&layer.backbone_biases[k]);
    }
    check_dense(layer.weight, layer.bias, heads * h, width, name + " heads");
    all.push_back(&layer.weight);
    all.push_back(&layer.bias);
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
  for (const Tensor* t : all) {
    if (t->dtype() != x.dtype()) {
      type_error(kOp, "every tensor must have the dtype of inputs (", dtype_name(x.dtype()), "), got ", describe(*t));
    }
    detail::common_device(kOp, {&x, t});
  }
  return sizes;
}

}  // namespace

Tensor cfc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& ts, const std::vector<CfcLayer>& layers,
                    CfcMode mode, CfcActivation activation, const Tensor& step_mask) {
  const std::vector<std::int64_t> sizes = validate(inputs, h0, ts, layers, mode);
  Attrs attrs;
  attrs.ints = {static_cast<std::int64_t>(mode), static_cast<std::int64_t>(activation),
                static_cast<std::int64_t>(layers.size())};
  attrs.ints.insert(attrs.ints.end(), sizes.begin(), sizes.end());
  std::vector<Tensor> in = {inputs, h0, ts};
  for (const CfcLayer& layer : layers) {
    attrs.ints.push_back(static_cast<std::int64_t>(layer.backbone_weights.size()));
    for (std::size_t k = 0; k < layer.backbone_weights.size(); ++k) {
      in.push_back(layer.backbone_weights[k]);
      in.push_back(layer.backbone_biases[k]);
    }
    in.push_back(layer.weight);
    in.push_back(layer.bias);
    if (mode == CfcMode::Pure) {
      in.push_back(layer.w_tau);
      in.push_back(layer.a);
    }
  }
  std::vector<bool> has_grad(in.size(), true);
  attrs.ints.push_back(step_mask.defined() ? 1 : 0);
  if (step_mask.defined()) {
    in.push_back(check_step_mask(kOp, step_mask, inputs));
    has_grad.push_back(false);
  }
  return internal::run_fused(kOp, in, {inputs.shape()[0], inputs.shape()[1], h0.shape()[1]}, attrs, has_grad);
}

}  // namespace ember::liquid
