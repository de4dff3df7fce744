// Front end of the fused liquid-network sequence ops (ember/liquid.h): validation,
// autograd recording and dispatch to the "ltc_sequence" / "ltc_sequence_backward" kernels.
#include "ember/liquid.h"

#include <string>
#include <vector>

#include "ember/autograd.h"
#include "ops/common.h"

namespace ember::liquid {
namespace {

using detail::describe;

// Kernel input order: inputs, h0, elapsed, then the parameters in LtcParams order.
constexpr int kParamBegin = 3;
constexpr int kNumInputs = kParamBegin + 13;
constexpr int kSensoryMask = kParamBegin + 4, kMask = kParamBegin + 9;

std::vector<Tensor> kernel_inputs(const Tensor& inputs, const Tensor& h0, const Tensor& elapsed, const LtcParams& p) {
  return {inputs, h0, elapsed, p.sensory_w, p.sensory_mu, p.sensory_sigma, p.sensory_erev, p.sensory_mask,
          p.w, p.mu, p.sigma, p.erev, p.mask, p.cm, p.gleak, p.vleak};
}

void check_shape(const Tensor& t, const Shape& want, const char* name) {
  if (t.shape() != want) {
    value_error("ltc_sequence", name, " must have shape ", shape_str(want), ", got ", describe(t));
  }
}

void validate(const std::vector<Tensor>& in, std::int64_t ode_unfolds) {
  static constexpr const char* kNames[kNumInputs] = {
      "inputs", "h0", "elapsed", "sensory_w", "sensory_mu", "sensory_sigma", "sensory_erev", "sensory_mask",
      "w", "mu", "sigma", "erev", "mask", "cm", "gleak", "vleak"};
  for (int k = 0; k < kNumInputs; ++k) {
    if (!in[k].defined()) value_error("ltc_sequence", kNames[k], " must be a tensor");
  }
  const Tensor& x = in[0];
  if (x.ndim() != 3) value_error("ltc_sequence", "inputs must be (batch, time, features), got ", describe(x));
  const DType dtype = x.dtype();
  if (dtype != DType::Float32 && dtype != DType::Float64) {
    type_error("ltc_sequence", "inputs must be float32 or float64, got ", describe(x));
  }
  if (in[1].ndim() != 2) value_error("ltc_sequence", "h0 must be (batch, neurons), got ", describe(in[1]));
  const std::int64_t batch = x.shape()[0], steps = x.shape()[1], c = x.shape()[2], n = in[1].shape()[1];
  check_shape(in[1], {batch, n}, "h0");
  check_shape(in[2], {batch, steps}, "elapsed");
  for (int k = kParamBegin; k < kParamBegin + 5; ++k) check_shape(in[k], {c, n}, kNames[k]);
  for (int k = kParamBegin + 5; k < kParamBegin + 10; ++k) check_shape(in[k], {n, n}, kNames[k]);
  for (int k = kParamBegin + 10; k < kNumInputs; ++k) check_shape(in[k], {n}, kNames[k]);
  for (int k = 1; k < kNumInputs; ++k) {
    if (in[k].dtype() != dtype) {
      type_error("ltc_sequence", kNames[k], " must have the dtype of inputs (", dtype_name(dtype), "), got ",
                 describe(in[k]));
    }
    detail::common_device("ltc_sequence", {&in[0], &in[k]});
  }
  if (ode_unfolds < 1) value_error("ltc_sequence", "ode_unfolds must be >= 1, got ", ode_unfolds);
}

std::vector<Tensor> contiguous_all(const std::vector<Tensor>& in) {
  std::vector<Tensor> out;
  out.reserve(in.size());
  for (const Tensor& t : in) out.push_back(contiguous(t));
  return out;
}

Attrs attrs_of(std::int64_t ode_unfolds, double epsilon) {
  Attrs attrs;
  attrs.ints = {ode_unfolds};
  attrs.floats = {epsilon};
  return attrs;
}

// Gradients of every input (masks: none) from the states and their gradient.
autograd::Grads backward(const std::vector<Tensor>& in, const Tensor& states, const Tensor& grad_states,
                         const std::vector<bool>& needs, const Attrs& attrs) {
  static const OpEntry& op = detail::registered_op("ltc_sequence_backward");
  std::vector<Tensor> kin = contiguous_all(in);
  kin.push_back(states);
  kin.push_back(contiguous(grad_states));
  std::vector<Tensor> grads;
  for (int k = 0; k < kNumInputs; ++k) {
    grads.push_back(k == kSensoryMask || k == kMask ? Tensor() : Tensor::empty(in[k].shape(), in[k].dtype(),
                                                                               in[k].device()));
  }
  std::vector<Tensor> written;
  for (const Tensor& g : grads) {
    if (g.defined()) written.push_back(g);
  }
  op.call(states.device(), kin, written, attrs);
  // The backward pass is one kernel without its own rule: gradients of gradients stop here loudly.
  std::vector<Tensor> recorded_from = {grad_states};
  recorded_from.insert(recorded_from.end(), in.begin(), in.end());
  std::vector<Tensor*> outs;
  for (int k = 0; k < kNumInputs; ++k) {
    if (!needs[k]) grads[k] = Tensor();
    if (grads[k].defined()) outs.push_back(&grads[k]);
  }
  bool any = false;
  for (const Tensor& t : recorded_from) any = any || autograd::requires_grad(t);
  if (any && autograd::is_grad_enabled()) autograd::record_not_differentiable("ltc_sequence_backward", recorded_from, outs);
  return grads;
}

}  // namespace

Tensor ltc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& elapsed, const LtcParams& params,
                    std::int64_t ode_unfolds, double epsilon) {
  static const OpEntry& op = detail::registered_op("ltc_sequence");
  const std::vector<Tensor> in = kernel_inputs(inputs, h0, elapsed, params);
  validate(in, ode_unfolds);
  const Attrs attrs = attrs_of(ode_unfolds, epsilon);
  const Shape out_shape = {inputs.shape()[0], inputs.shape()[1], h0.shape()[1]};
  const auto& p = params;
  return autograd::differentiable(
      "ltc_sequence",
      {inputs, h0, elapsed, p.sensory_w, p.sensory_mu, p.sensory_sigma, p.sensory_erev, p.sensory_mask, p.w, p.mu,
       p.sigma, p.erev, p.mask, p.cm, p.gleak, p.vleak},
      [&] {
        const std::vector<Tensor> kin = contiguous_all(in);
        Tensor out = Tensor::empty(out_shape, inputs.dtype(), inputs.device());
        if (out.numel() > 0) op.call(out.device(), kin, std::span<Tensor>(&out, 1), attrs);
        return out;
      },
      [&] {
        return [in, attrs](const autograd::Grads& g, const autograd::Grads& outs, const std::vector<bool>& needs) {
          return backward(in, outs[0], g[0], needs, attrs);
        };
      });
}

}  // namespace ember::liquid
