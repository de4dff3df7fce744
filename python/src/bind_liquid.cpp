// Bindings of the fused liquid-network sequence ops (ember/liquid.h), used by
// ember_ml.nn.modules.rnn.
#include "args.h"
#include "bindings.h"
#include "convert.h"
#include "ember/errors.h"
#include "ember/liquid.h"

namespace ember::py_bind {

namespace {

Tensor tensor_arg(py::handle obj, const char* name) {
  const Tensor* t = as_tensor(obj);
  if (t == nullptr) {
    type_error("ltc_sequence", name, " must be an EmberTensor, got ", std::string(py::str(py::type::of(obj))));
  }
  return *t;
}

}  // namespace

void bind_liquid(py::module_& m) {
  m.def(
      "ltc_sequence",
      [](py::handle inputs, py::handle h0, py::handle elapsed, py::dict params, std::int64_t ode_unfolds,
         double epsilon) {
        auto param = [&](const char* key) {
          if (!params.contains(key)) value_error("ltc_sequence", "params has no '", key, "'");
          return tensor_arg(params[key], key);
        };
        const liquid::LtcParams p{param("sensory_w"), param("sensory_mu"), param("sensory_sigma"),
                                  param("sensory_erev"), param("sensory_sparsity_mask"), param("w"), param("mu"),
                                  param("sigma"), param("erev"), param("sparsity_mask"), param("cm"), param("gleak"),
                                  param("vleak")};
        const Tensor x = tensor_arg(inputs, "inputs"), h = tensor_arg(h0, "h0"), e = tensor_arg(elapsed, "elapsed");
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
}

}  // namespace ember::py_bind
