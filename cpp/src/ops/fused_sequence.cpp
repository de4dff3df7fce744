#include "ops/fused_sequence.h"

#include "ember/autograd.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "ops/common.h"

namespace ember::liquid {

Tensor check_step_mask(const char* op, const Tensor& step_mask, const Tensor& inputs) {
  const Shape want{inputs.shape()[0], inputs.shape()[1]};
  if (step_mask.shape() != want) {
    value_error(op, "step_mask must have shape ", shape_str(want), " (inputs ", detail::describe(inputs), "), got ",
                detail::describe(step_mask));
  }
  if (is_complex(step_mask.dtype())) {
    type_error(op, "step_mask must be bool or real (0 / 1), got ", detail::describe(step_mask));
  }
  detail::common_device(op, {&inputs, &step_mask});
  // Nonzero = a real step, whatever the dtype (a cast of 0.5 to float keeps it nonzero).
  return cast(not_equal(step_mask, zeros({}, step_mask.dtype(), step_mask.device())), inputs.dtype());
}

}  // namespace ember::liquid

namespace ember::liquid::internal {
namespace {

std::vector<Tensor> contiguous_all(const std::vector<Tensor>& in) {
  std::vector<Tensor> out;
  out.reserve(in.size());
  for (const Tensor& t : in) out.push_back(contiguous(t));
  return out;
}

autograd::Grads backward(const std::string& name, const std::vector<Tensor>& in, const Tensor& states,
                         const Tensor& grad_states, const Tensor& saved, const std::vector<bool>& needs,
                         const Attrs& attrs, const std::vector<bool>& has_grad) {
  const std::string backward_name = name + "_backward";
  const OpEntry& op = detail::registered_op(backward_name);
  std::vector<Tensor> kin = contiguous_all(in);
  kin.push_back(states);
  kin.push_back(contiguous(grad_states));
  if (saved.defined()) kin.push_back(saved);
  autograd::Grads grads(in.size());
  std::vector<Tensor> written;
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (!has_grad[k]) continue;
    grads[k] = Tensor::empty(in[k].shape(), in[k].dtype(), in[k].device());
    written.push_back(grads[k]);
  }
  op.call(states.device(), kin, written, attrs);
  std::vector<Tensor> recorded_from = {grad_states};
  recorded_from.insert(recorded_from.end(), in.begin(), in.end());
  std::vector<Tensor*> outs;
  bool any = false;
  for (const Tensor& t : recorded_from) any = any || autograd::requires_grad(t);
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (!needs[k]) grads[k] = Tensor();
    if (grads[k].defined()) outs.push_back(&grads[k]);
  }
  if (any && autograd::is_grad_enabled()) autograd::record_not_differentiable(backward_name.c_str(), recorded_from, outs);
  return grads;
}

}  // namespace

Tensor run_fused(const std::string& name, const std::vector<Tensor>& inputs, const Shape& out_shape,
                 const Attrs& attrs, const std::vector<bool>& has_grad, std::int64_t saved_numel) {
  const OpEntry& op = detail::registered_op(name);
  bool record = false;
  if (autograd::is_grad_enabled()) {
    for (const Tensor& t : inputs) record = record || autograd::requires_grad(t);
  }
  const Device device = inputs[0].device();
  std::vector<Tensor> outs = {Tensor::empty(out_shape, inputs[0].dtype(), device)};
  if (record && saved_numel >= 0) outs.push_back(Tensor::empty({saved_numel}, inputs[0].dtype(), device));
  auto compute = [&] {
    if (outs[0].numel() > 0) op.call(device, contiguous_all(inputs), outs, attrs);
    return outs[0];
  };
  if (!record) return compute();
  Tensor out = autograd::unrecorded(compute);
  const Tensor saved = outs.size() > 1 ? outs[1] : Tensor();
  autograd::record(op.name().c_str(), inputs, {&out},
                   [name, inputs, attrs, has_grad, saved](const autograd::Grads& g, const autograd::Grads& states,
                                                          const std::vector<bool>& needs) {
                     return backward(name, inputs, states[0], g[0], saved, needs, attrs, has_grad);
                   });
  return out;
}

}  // namespace ember::liquid::internal
