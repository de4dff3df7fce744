// Front-end fused optimizer updates (ember/optim.h): validation, in-place bookkeeping
// and dispatch to the "sgd_step" / "adam_step" / "rmsprop_step" kernels.
#include "ember/optim.h"

#include <cmath>
#include <initializer_list>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::registered_op;

namespace {

// Checks the tensors of one update and bumps the versions of those it writes. Returns
// the gradient as a contiguous tensor (a copy only when it is not contiguous already).
Tensor prepare(const char* op, const Tensor& param, const Tensor& grad, std::initializer_list<const Tensor*> state) {
  if (!param.defined() || !grad.defined()) value_error(op, "param and grad must be defined tensors");
  if (param.dtype() != DType::Float32 && param.dtype() != DType::Float64) {
    type_error(op, "param must be float32 or float64, got ", detail::describe(param));
  }
  detail::common_device(op, {&param, &grad});
  if (grad.dtype() != param.dtype() || grad.shape() != param.shape()) {
    value_error(op, "grad (", detail::describe(grad), ") must match param (", detail::describe(param), ")");
  }
  for (const Tensor* s : state) {
    if (!s->defined()) continue;
    detail::common_device(op, {&param, s});
    if (s->dtype() != param.dtype() || s->shape() != param.shape()) {
      value_error(op, "optimizer state (", detail::describe(*s), ") must match param (", detail::describe(param), ")");
    }
  }
  if (!param.is_contiguous() || param.is_read_only()) {
    value_error(op, "param must be a writable C-contiguous tensor, got a view ", detail::describe(param));
  }
  for (const Tensor* s : state) {
    if (s->defined() && (!s->is_contiguous() || s->is_read_only())) {
      value_error(op, "optimizer state must be writable C-contiguous tensors, got a view ", detail::describe(*s));
    }
  }
  autograd::check_inplace(param, op);
  param.storage()->bump_version();
  for (const Tensor* s : state) {
    if (s->defined()) s->storage()->bump_version();
  }
  return contiguous(grad);
}

void dispatch(const char* op, const Tensor& grad, std::initializer_list<Tensor> written, const Attrs& attrs) {
  const OpEntry& entry = registered_op(op);
  if (grad.numel() == 0) return;
  std::vector<Tensor> outs(written);
  entry.call(grad.device(), std::span<const Tensor>(&grad, 1), std::span<Tensor>(outs), attrs);
}

void require_state(const char* op, const Tensor& t, const char* name, const char* why) {
  if (!t.defined()) value_error(op, name, " must be a tensor when ", why);
}

}  // namespace

void sgd_step_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, double lr, double momentum,
               double dampening, double weight_decay, bool nesterov, bool first_step) {
  if (momentum != 0) require_state("sgd_step", momentum_buffer, "momentum_buffer", "momentum != 0");
  const Tensor g = prepare("sgd_step", param, grad, {&momentum_buffer});
  dispatch("sgd_step", g, {param, momentum_buffer},
           encode(SgdAttrs{lr, momentum, dampening, weight_decay, nesterov, first_step}));
}

void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, std::int64_t step, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool decoupled, bool amsgrad) {
  if (step < 1) value_error("adam_step", "step counts from 1, got ", step);
  require_state("adam_step", exp_avg, "exp_avg", "updating");
  require_state("adam_step", exp_avg_sq, "exp_avg_sq", "updating");
  if (amsgrad) require_state("adam_step", max_exp_avg_sq, "max_exp_avg_sq", "amsgrad is on");
  const Tensor g = prepare("adam_step", param, grad, {&exp_avg, &exp_avg_sq, &max_exp_avg_sq});
  // Bias corrections in double, as torch computes them in Python.
  const auto t = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(beta1, t);
  const double bias_correction2 = 1.0 - std::pow(beta2, t);
  const AdamAttrs attrs{lr / bias_correction1, std::sqrt(bias_correction2), beta1, beta2, eps,
                        decoupled ? 0.0 : weight_decay, decoupled ? 1.0 - lr * weight_decay : 1.0, amsgrad};
  dispatch("adam_step", g, {param, exp_avg, exp_avg_sq, max_exp_avg_sq}, encode(attrs));
}

void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& momentum_buffer, double lr, double alpha, double eps, double weight_decay,
                   double momentum, bool centered) {
  require_state("rmsprop_step", square_avg, "square_avg", "updating");
  if (centered) require_state("rmsprop_step", grad_avg, "grad_avg", "centered");
  if (momentum > 0) require_state("rmsprop_step", momentum_buffer, "momentum_buffer", "momentum > 0");
  const Tensor g = prepare("rmsprop_step", param, grad, {&square_avg, &grad_avg, &momentum_buffer});
  dispatch("rmsprop_step", g, {param, square_avg, grad_avg, momentum_buffer},
           encode(RmspropAttrs{lr, alpha, eps, weight_decay, momentum, centered}));
}

}  // namespace ember
