// Front end of the fused CfC sequence op (ember/liquid.h): validation, then the device's
// "cfc_sequence" / "cfc_sequence_backward" kernels through ops/fused_sequence.h, or the
// op-composed sequence (ops/cfc_composite.cpp) where the device has none.
#include <array>
#include <atomic>
#include <string>
#include <tuple>
#include <vector>

#include "ember/liquid.h"
#include "ember/random.h"
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

// The kernels' spec (layer sizes H_l from the heads' rows); checks every shape, dtype and
// device.
CfcSpec validate(const Tensor& x, const Tensor& h0, const Tensor& ts, const std::vector<CfcLayer>& layers,
                 CfcMode mode, CfcActivation activation, const Tensor& step_mask, const CfcDropout& dropout,
                 CfcActivation head_activation, const MixedMemory& memory) {
  if (!(dropout.rate >= 0.0 && dropout.rate < 1.0)) {
    value_error(kOp, "backbone dropout rate must be in [0, 1), got ", dropout.rate);
  }
  if (head_activation != CfcActivation::Tanh && head_activation != CfcActivation::LecunTanh) {
    value_error(kOp, "head activation must be tanh or lecun_tanh, got activation code ",
                static_cast<std::int64_t>(head_activation));
  }
  if (!x.defined() || !h0.defined() || !ts.defined()) value_error(kOp, "inputs, h0 and ts must be tensors");
  if (x.ndim() != 3) value_error(kOp, "inputs must be (batch, time, features), got ", describe(x));
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float64) {
    type_error(kOp, "inputs must be float32 or float64, got ", describe(x));
  }
  if (layers.empty()) value_error(kOp, "needs at least one layer");
  const bool pure = mode == CfcMode::Pure;
  const std::int64_t heads = pure ? 1 : 4;
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1];
  CfcSpec spec;
  spec.mode = mode;
  spec.activation = activation;
  spec.head_activation = head_activation;
  spec.has_step_mask = step_mask.defined();
  spec.dropout_rate = dropout.rate;
  spec.dropout_first = dropout.first;
  spec.mixed_memory = memory.defined();
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
    spec.sizes.push_back(h);
    spec.backbone_depths.push_back(static_cast<std::int64_t>(layer.backbone_weights.size()));
    total += h;
    in_features = h;
  }
  if (h0.shape() != Shape{batch, total}) {
    value_error(kOp, "h0 must have shape ", shape_str({batch, total}), ", got ", describe(h0));
  }
  if (ts.shape() != Shape{batch, steps}) {
    value_error(kOp, "ts must have shape ", shape_str({batch, steps}), ", got ", describe(ts));
  }
  if (memory.defined()) {
    const std::int64_t gates = 4 * total;
    for (const auto& [t, what, shape] :
         {std::tuple{&memory.input_weight, "input weight", Shape{gates, x.shape()[2]}},
          std::tuple{&memory.input_bias, "input bias", Shape{gates}},
          std::tuple{&memory.recurrent_weight, "recurrent weight", Shape{gates, total}},
          std::tuple{&memory.c0, "c0", Shape{batch, total}}}) {
      if (!t->defined() || t->shape() != shape) {
        value_error(kOp, "mixed memory ", what, " must have shape ", shape_str(shape), ", got ",
                    t->defined() ? describe(*t) : std::string("None"));
      }
      all.push_back(t);
    }
  }
  for (const Tensor* t : all) {
    if (t->dtype() != x.dtype()) {
      type_error(kOp, "every tensor must have the dtype of inputs (", dtype_name(x.dtype()), "), got ", describe(*t));
    }
    detail::common_device(kOp, {&x, t});
  }
  return spec;
}

// The dropout keep masks (CfcDropout, laid out as CfcSpec::dropout_layout), or undefined
// without dropout; then spec.dropout_rate is 0 (as when no backbone layer drops: the step
// loop draws nothing then either).
Tensor draw_keep_masks(const Tensor& inputs, const std::vector<CfcLayer>& layers, CfcSpec& spec,
                       const CfcDropout& dropout) {
  const std::int64_t step = spec.dropout_layout(inputs.shape()[0], internal::backbone_units(layers)).step;
  if (step == 0) {
    spec.dropout_rate = 0.0;
    return Tensor();
  }
  return random_bernoulli({inputs.shape()[1] * step}, 1.0 - dropout.rate, inputs.dtype(), inputs.device(),
                          dropout.seed);
}

std::array<std::atomic<CfcUseFallback>, kNumDeviceTypes> use_fallback_rules{};

// Whether inputs' device runs the fused kernels (else the composite).
bool fused_on(const Tensor& inputs) {
  const DeviceType type = inputs.device().type;
  for (const char* name : {kOp, "cfc_sequence_backward"}) {
    if (!detail::registered_op(name).has_kernel(type)) return false;
  }
  const CfcUseFallback rule = use_fallback_rules[static_cast<int>(type)].load();
  return rule == nullptr || !rule(inputs);
}

}  // namespace

void set_cfc_use_fallback(DeviceType type, CfcUseFallback rule) { use_fallback_rules[static_cast<int>(type)] = rule; }

Tensor cfc_sequence_composite(const Tensor& inputs, const Tensor& h0, const Tensor& ts,
                              const std::vector<CfcLayer>& layers, CfcMode mode, CfcActivation activation,
                              const Tensor& step_mask, const CfcDropout& dropout, CfcActivation head_activation,
                              const MixedMemory& memory) {
  CfcSpec spec = validate(inputs, h0, ts, layers, mode, activation, step_mask, dropout, head_activation, memory);
  const Tensor keep = step_mask.defined() ? check_step_mask(kOp, step_mask, inputs) : Tensor();
  const Tensor units_kept = draw_keep_masks(inputs, layers, spec, dropout);
  return internal::cfc_composite(inputs, h0, ts, layers, spec, keep, units_kept, memory);
}

Tensor cfc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& ts, const std::vector<CfcLayer>& layers,
                    CfcMode mode, CfcActivation activation, const Tensor& step_mask, const CfcDropout& dropout,
                    CfcActivation head_activation, const MixedMemory& memory) {
  CfcSpec spec = validate(inputs, h0, ts, layers, mode, activation, step_mask, dropout, head_activation, memory);
  const Tensor keep = step_mask.defined() ? check_step_mask(kOp, step_mask, inputs) : Tensor();
  const Tensor units_kept = draw_keep_masks(inputs, layers, spec, dropout);
  if (!fused_on(inputs)) return internal::cfc_composite(inputs, h0, ts, layers, spec, keep, units_kept, memory);
  std::vector<Tensor> in = {inputs, h0, ts};
  for (const CfcLayer& layer : layers) {
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
  if (memory.defined()) {
    in.insert(in.end(), {memory.input_weight, memory.input_bias, memory.recurrent_weight, memory.c0});
  }
  std::vector<bool> has_grad(in.size(), true);
  for (const Tensor& mask : {keep, units_kept}) {
    if (!mask.defined()) continue;
    in.push_back(mask);
    has_grad.push_back(false);
  }
  const std::int64_t saved_numel =
      inputs.shape()[0] * inputs.shape()[1] * spec.saved_width(internal::backbone_units(layers));
  return internal::run_fused(kOp, in, {inputs.shape()[0], inputs.shape()[1], spec.width()}, spec.to_attrs(),
                             has_grad, saved_numel);
}

}  // namespace ember::liquid

namespace ember::liquid::internal {

std::vector<std::vector<std::int64_t>> backbone_units(const std::vector<CfcLayer>& layers) {
  std::vector<std::vector<std::int64_t>> units;
  for (const CfcLayer& layer : layers) {
    units.emplace_back();
    for (const Tensor& w : layer.backbone_weights) units.back().push_back(w.shape()[0]);
  }
  return units;
}

}  // namespace ember::liquid::internal
