// Bindings of the fused liquid-network sequence ops (ember/liquid.h), used by
// ember_ml.nn.modules.rnn.
#include "args.h"
#include "bindings.h"
#include "convert.h"
#include "ember/errors.h"
#include "ember/liquid.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ember::py_bind {

namespace {

Tensor tensor_arg(py::handle obj, const char* op, const std::string& name) {
  const Tensor* t = as_tensor(obj);
  if (t == nullptr) type_error(op, name, " must be an EmberTensor, got ", std::string(py::str(py::type::of(obj))));
  return *t;
}

// An optional tensor argument (None = undefined).
Tensor optional_tensor_arg(py::handle obj, const char* op, const std::string& name) {
  return obj.is_none() ? Tensor() : tensor_arg(obj, op, name);
}

// The mixed_memory argument: None (undefined), or a dict of MixedMemory's four tensors.
liquid::MixedMemory mixed_memory_arg(py::handle obj, const char* op) {
  if (obj.is_none()) return {};
  if (!py::isinstance<py::dict>(obj)) type_error(op, "mixed_memory must be a dict or None");
  const py::dict parts = py::reinterpret_borrow<py::dict>(obj);
  auto part = [&](const char* key) {
    if (!parts.contains(key)) value_error(op, "mixed_memory has no '", key, "'");
    return tensor_arg(parts[key], op, std::string("mixed_memory['") + key + "']");
  };
  return {part("input_weight"), part("input_bias"), part("recurrent_weight"), part("c0")};
}

}  // namespace

void bind_liquid(py::module_& m) {
  m.def(
      "ltc_sequence",
      [](py::handle inputs, py::handle h0, py::handle elapsed, py::dict params, std::int64_t ode_unfolds,
         double epsilon, py::handle step_mask, py::handle mixed_memory, py::handle memory_inputs) {
        auto param = [&](const char* key) {
          if (!params.contains(key)) value_error("ltc_sequence", "params has no '", key, "'");
          return tensor_arg(params[key], "ltc_sequence", key);
        };
        const liquid::LtcParams p{param("sensory_w"), param("sensory_mu"), param("sensory_sigma"),
                                  param("sensory_erev"), param("sensory_sparsity_mask"), param("w"), param("mu"),
                                  param("sigma"), param("erev"), param("sparsity_mask"), param("cm"), param("gleak"),
                                  param("vleak")};
        const char* op = "ltc_sequence";
        const Tensor x = tensor_arg(inputs, op, "inputs"), h = tensor_arg(h0, op, "h0");
        const Tensor e = tensor_arg(elapsed, op, "elapsed");
        const Tensor keep = optional_tensor_arg(step_mask, op, "step_mask");
        const liquid::MixedMemory memory = mixed_memory_arg(mixed_memory, op);
        const Tensor memory_x = optional_tensor_arg(memory_inputs, op, "memory_inputs");
        return release_gil_if(x.numel() * h.shape().back(), [&] {
          return liquid::ltc_sequence(x, h, e, p, ode_unfolds, epsilon, keep, memory, memory_x);
        });
      },
      py::arg("inputs"), py::arg("h0"), py::arg("elapsed"), py::arg("params"), py::arg("ode_unfolds"),
      py::arg("epsilon"), py::arg("step_mask") = py::none(), py::arg("mixed_memory") = py::none(),
      py::arg("memory_inputs") = py::none(),
      R"(States of an LTC cell over a whole sequence, forward and backward in one fused op.

Hasani et al. 2021 (AAAI), eq. 3, with ncps.torch.LTCCell's fused semi-implicit Euler
solver (ode_unfolds steps per time step).

Args:
    inputs: (B, T, C) float32 / float64, already input-mapped.
    h0: (B, N) initial state.
    elapsed: (B, T) elapsed time of every step.
    params: dict with ncps's names: sensory_w sensory_mu sensory_sigma sensory_erev
        sensory_sparsity_mask (C, N); w mu sigma erev sparsity_mask (N, N); cm gleak vleak
        (N,). w, sensory_w, cm and gleak already made non-negative (softplus / clamping).
    ode_unfolds: Euler steps per time step (>= 1).
    epsilon: added to the ODE denominator.
    step_mask: None, or (B, T) bool / 0-1 real: a 0 step carries the state unchanged
        (Keras masking); its input and elapsed time are not read (zero gradient).
    mixed_memory: None, or the LSTM cell run before the LTC cell on every step, as
        cfc_sequence's (H = N); the ODE's unfolds start from its h_lstm.
    memory_inputs: (B, T, C') the sequence the memory reads (the layer's inputs before the
        input mapping); with mixed_memory only.

Returns:
    (B, T, N) states after every step; with mixed_memory (B, T, 2 N): the states, then the
    memory cells c' (a masked step carries both). Differentiable with respect to every
    input except the masks (no second order).

Raises:
    ValueError: [ltc_sequence] for a missing parameter or mismatched shapes.
    TypeError: [ltc_sequence] for non-float or mixed dtypes, a complex step_mask or a
        mixed_memory that is not a dict.
)");
  m.def(
      "cfc_sequence",
      [](py::handle inputs, py::handle h0, py::handle ts, const py::sequence& layers, const std::string& mode,
         const std::string& activation, py::handle step_mask, double backbone_dropout, bool dropout_first,
         const std::string& head_activation, py::handle mixed_memory) {
        const char* op = "cfc_sequence";
        static const std::map<std::string, liquid::CfcMode> kModes = {
            {"default", liquid::CfcMode::Default}, {"no_gate", liquid::CfcMode::NoGate},
            {"pure", liquid::CfcMode::Pure}};
        const auto m = kModes.find(mode);
        if (m == kModes.end()) value_error(op, "mode must be 'default', 'no_gate' or 'pure', got '", mode, "'");
        static const std::map<std::string, liquid::CfcActivation> kActivations = {
            {"lecun_tanh", liquid::CfcActivation::LecunTanh}, {"tanh", liquid::CfcActivation::Tanh},
            {"relu", liquid::CfcActivation::Relu}, {"silu", liquid::CfcActivation::Silu},
            {"gelu", liquid::CfcActivation::Gelu}};
        const auto act = kActivations.find(activation);
        if (act == kActivations.end()) {
          value_error(op, "activation must be lecun_tanh, tanh, relu, silu or gelu, got '", activation, "'");
        }
        if (head_activation != "tanh" && head_activation != "lecun_tanh") {
          value_error(op, "head_activation must be 'tanh' or 'lecun_tanh', got '", head_activation, "'");
        }
        const liquid::CfcActivation head = kActivations.at(head_activation);
        std::vector<liquid::CfcLayer> cfc_layers;
        for (std::size_t l = 0; l < layers.size(); ++l) {
          const std::string name = "layers[" + std::to_string(l) + "]";
          if (!py::isinstance<py::dict>(layers[l])) type_error(op, name, " must be a dict");
          const py::dict layer = layers[l];
          liquid::CfcLayer cl;
          if (!layer.contains("weight") || !layer.contains("bias")) value_error(op, name, " needs 'weight' and 'bias'");
          cl.weight = tensor_arg(layer["weight"], op, name + "['weight']");
          cl.bias = tensor_arg(layer["bias"], op, name + "['bias']");
          if (m->second == liquid::CfcMode::Pure) {
            if (!layer.contains("w_tau") || !layer.contains("A")) value_error(op, name, " needs 'w_tau' and 'A'");
            cl.w_tau = tensor_arg(layer["w_tau"], op, name + "['w_tau']");
            cl.a = tensor_arg(layer["A"], op, name + "['A']");
          }
          if (layer.contains("backbone")) {
            const py::sequence backbone = layer["backbone"];
            for (std::size_t k = 0; k < backbone.size(); ++k) {
              const py::sequence pair = backbone[k];
              if (pair.size() != 2) value_error(op, name, "['backbone'] entries must be (weight, bias) pairs");
              cl.backbone_weights.push_back(tensor_arg(pair[0], op, name + "['backbone'] weight"));
              cl.backbone_biases.push_back(tensor_arg(pair[1], op, name + "['backbone'] bias"));
            }
          }
          cfc_layers.push_back(std::move(cl));
        }
        const liquid::MixedMemory memory = mixed_memory_arg(mixed_memory, op);
        const Tensor x = tensor_arg(inputs, op, "inputs"), h = tensor_arg(h0, op, "h0"), t = tensor_arg(ts, op, "ts");
        const Tensor keep = optional_tensor_arg(step_mask, op, "step_mask");
        const liquid::CfcDropout dropout{backbone_dropout, dropout_first, std::nullopt};
        return release_gil_if(x.numel() * h.shape().back(), [&] {
          return liquid::cfc_sequence(x, h, t, cfc_layers, m->second, act->second, keep, dropout, head, memory);
        });
      },
      py::arg("inputs"), py::arg("h0"), py::arg("ts"), py::arg("layers"), py::arg("mode"),
      py::arg("activation") = "lecun_tanh", py::arg("step_mask") = py::none(), py::arg("backbone_dropout") = 0.0,
      py::arg("dropout_first") = false, py::arg("head_activation") = "tanh",
      py::arg("mixed_memory") = py::none(),
      R"(States of a stack of CfC layers (ncps.torch.CfCCell / WiredCfCCell) over a sequence, fused.

Hasani et al. 2022 (Nature MI). Per step t, layer l reads z = [in_l, h_l]
(in_0 = inputs[:, t], in_l = layer l-1's new state), a = backbone(z) and with
[f1, f2, fa, fb] = a W_l^T + b_l, s = sigmoid(fa * ts + fb): default
h' = g(f1) (1 - s) + s g(f2); no_gate h' = g(f1) + s g(f2) (eq. 10), g = head_activation;
pure (f1 = a W_l^T + b_l alone) h' = A - A exp(-ts (|w_tau| + |f1|)) f1 (eq. 5).

Args:
    inputs: (B, T, C) float32 / float64.
    h0: (B, sum H_l) initial states of the layers, side by side.
    ts: (B, T) elapsed time of every step.
    layers: per layer a dict: 'weight' (4 H_l, width) with rows ff1, ff2, time_a, time_b
        (masks applied), 'bias' (4 H_l,), optional 'backbone': [(W_k (U_k, in_k), b_k), ...]
        applied to z before the heads (each followed by the activation). In
        pure mode 'weight' (H_l, width) and 'bias' (H_l,) are ff1's, and 'w_tau', 'A' (H_l,).
    mode: 'default', 'no_gate' or 'pure'.
    activation: backbone activation: 'lecun_tanh' (ncps's 1.7159 tanh(0.666 x)), 'tanh',
        'relu', 'silu' or 'gelu' (exact, erf form).
    step_mask: None, or (B, T) bool / 0-1 real: a 0 step carries every layer's state
        unchanged (Keras masking); its input and time span get zero gradients.
    backbone_dropout: dropout rate in [0, 1) after every backbone layer but the first
        (ncps; 0: none), as the step loop's Dropout modules while training: x * keep / (1 - rate),
        keep drawn as they draw it, per step and dropped layer random_bernoulli((B, U), 1 - rate)
        from the global stream (nn.tensor.set_seed), so with the same seed the same units drop.
    dropout_first: also after the first backbone layer (the CfC paper's tf_cfc.py).
    head_activation: g of the heads ff1 / ff2: 'tanh' (ncps) or 'lecun_tanh'
        (1.7159 tanh(0.666 x), the CfC paper's tf_cfc.py); pure mode has no g.
    mixed_memory: None, or ncps's LSTM cell run before the layers on every step (Lechner &
        Hasani 2020), a dict: 'input_weight' (4 H, C), 'input_bias' (4 H,),
        'recurrent_weight' (4 H, H), 'c0' (B, H), H = sum H_l. With h, c the states and cells
        before the step, [k, i, f, o] = x W_ih^T + b_ih + h W_hh^T, c' = sigmoid(f + 1) c +
        sigmoid(i) tanh(k), and the layers read h_lstm = sigmoid(o) tanh(c') as their states.

Returns:
    (B, T, sum H_l) states after every step; with mixed_memory (B, T, 2 sum H_l): the states,
    then the memory cells c' (a masked step carries both). Differentiable with respect to
    every input (no second order).

Raises:
    ValueError: [cfc_sequence] for mismatched shapes, an unknown mode / activation /
        head_activation, a dropout rate outside [0, 1) or a mixed_memory without one of its keys.
    TypeError: [cfc_sequence] for non-float or mixed dtypes, a complex step_mask or a
        mixed_memory that is not a dict.
)");
}

}  // namespace ember::py_bind
