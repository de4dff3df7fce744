// Bindings of the fused liquid-network sequence ops (ember/liquid.h), used by
// ember_ml.nn.modules.rnn.
#include "args.h"
#include "bindings.h"
#include "convert.h"
#include "ember/errors.h"
#include "ember/liquid.h"

#include <string>
#include <vector>

namespace ember::py_bind {

namespace {

Tensor tensor_arg(py::handle obj, const char* op, const std::string& name) {
  const Tensor* t = as_tensor(obj);
  if (t == nullptr) type_error(op, name, " must be an EmberTensor, got ", std::string(py::str(py::type::of(obj))));
  return *t;
}

std::vector<Tensor> tensor_list(const py::sequence& items, const char* op, const char* name) {
  std::vector<Tensor> out;
  for (std::size_t k = 0; k < items.size(); ++k) out.push_back(tensor_arg(items[k], op, name + std::to_string(k)));
  return out;
}

}  // namespace

void bind_liquid(py::module_& m) {
  m.def(
      "ltc_sequence",
      [](py::handle inputs, py::handle h0, py::handle elapsed, py::dict params, std::int64_t ode_unfolds,
         double epsilon) {
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
        return release_gil_if(x.numel() * h.shape().back(),
                              [&] { return liquid::ltc_sequence(x, h, e, p, ode_unfolds, epsilon); });
      },
      py::arg("inputs"), py::arg("h0"), py::arg("elapsed"), py::arg("params"), py::arg("ode_unfolds"),
      py::arg("epsilon"),
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

Returns:
    (B, T, N) states after every step, differentiable with respect to every input except
    the masks (no second order).

Raises:
    ValueError: [ltc_sequence] for a missing parameter or mismatched shapes.
    TypeError: [ltc_sequence] for non-float or mixed dtypes.
)");
  m.def(
      "cfc_sequence",
      [](py::handle inputs, py::handle h0, py::handle ts, const py::sequence& weights, const py::sequence& biases,
         const std::string& mode) {
        const char* op = "cfc_sequence";
        if (mode != "default" && mode != "no_gate") {
          value_error(op, "mode must be 'default' or 'no_gate', got '", mode, "'");
        }
        const Tensor x = tensor_arg(inputs, op, "inputs"), h = tensor_arg(h0, op, "h0"), t = tensor_arg(ts, op, "ts");
        const std::vector<Tensor> w = tensor_list(weights, op, "weights"), b = tensor_list(biases, op, "biases");
        const auto m = mode == "default" ? liquid::CfcMode::Default : liquid::CfcMode::NoGate;
        return release_gil_if(x.numel() * h.shape().back(), [&] { return liquid::cfc_sequence(x, h, t, w, b, m); });
      },
      py::arg("inputs"), py::arg("h0"), py::arg("ts"), py::arg("weights"), py::arg("biases"), py::arg("mode"),
      R"(States of a stack of CfC layers (ncps.torch.WiredCfCCell, no backbone) over a sequence, fused.

Hasani et al. 2022 (Nature MI), eq. 10. Per step t, layer l reads z = [in_l, h_l]
(in_0 = inputs[:, t], in_l = layer l-1's new state) and with [f1, f2, fa, fb] = z W_l^T + b_l,
s = sigmoid(fa * ts + fb): default h' = tanh(f1) (1 - s) + s tanh(f2); no_gate
h' = tanh(f1) + s tanh(f2).

Args:
    inputs: (B, T, C) float32 / float64.
    h0: (B, sum H_l) initial states of the layers, side by side.
    ts: (B, T) elapsed time of every step.
    weights: per layer (4 H_l, I_l + H_l), rows ff1, ff2, time_a, time_b (masks applied).
    biases: per layer (4 H_l,).
    mode: 'default' or 'no_gate'.

Returns:
    (B, T, sum H_l) states after every step; differentiable with respect to every input
    (no second order).

Raises:
    ValueError: [cfc_sequence] for mismatched shapes or an unknown mode.
    TypeError: [cfc_sequence] for non-float or mixed dtypes.
)");
}

}  // namespace ember::py_bind
