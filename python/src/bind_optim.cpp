// Bindings of the fused optimizer updates (ember/optim.h) used by ember_ml.training.
#include "bindings.h"
#include "convert.h"
#include "ember/errors.h"
#include "ember/optim.h"

namespace ember::py_bind {

namespace {

// An EmberTensor, or an undefined Tensor for None (a buffer the options do not use).
Tensor tensor_or_undefined(py::handle obj, const char* op, const char* name) {
  if (obj.is_none()) return Tensor();
  const Tensor* t = as_tensor(obj);
  if (t == nullptr) type_error(op, name, " must be an EmberTensor or None, got ", std::string(py::str(py::type::of(obj))));
  return *t;
}

}  // namespace

void bind_optim(py::module_& m) {
  m.def(
      "sgd_step_",
      [](py::handle param, py::handle grad, py::handle momentum_buffer, double lr, double momentum, double dampening,
         double weight_decay, bool nesterov, bool first_step) {
        const char* op = "sgd_step";
        sgd_step_(tensor_or_undefined(param, op, "param"), tensor_or_undefined(grad, op, "grad"),
                  tensor_or_undefined(momentum_buffer, op, "momentum_buffer"), lr, momentum, dampening, weight_decay,
                  nesterov, first_step);
      },
      py::arg("param"), py::arg("grad"), py::arg("momentum_buffer"), py::arg("lr"), py::arg("momentum"),
      py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"), py::arg("first_step"),
      "One torch.optim.SGD update of param (and momentum_buffer, None when momentum is 0) in place.");
  m.def(
      "adam_step_",
      [](py::handle param, py::handle grad, py::handle exp_avg, py::handle exp_avg_sq, py::handle max_exp_avg_sq,
         std::int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay, bool decoupled,
         bool amsgrad) {
        const char* op = "adam_step";
        adam_step_(tensor_or_undefined(param, op, "param"), tensor_or_undefined(grad, op, "grad"),
                   tensor_or_undefined(exp_avg, op, "exp_avg"), tensor_or_undefined(exp_avg_sq, op, "exp_avg_sq"),
                   tensor_or_undefined(max_exp_avg_sq, op, "max_exp_avg_sq"), step, lr, beta1, beta2, eps,
                   weight_decay, decoupled, amsgrad);
      },
      py::arg("param"), py::arg("grad"), py::arg("exp_avg"), py::arg("exp_avg_sq"), py::arg("max_exp_avg_sq"),
      py::arg("step"), py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("weight_decay"),
      py::arg("decoupled"), py::arg("amsgrad"),
      "One torch.optim.Adam (decoupled=False) / AdamW (decoupled=True) update in place; step counts from 1.");
  m.def(
      "rmsprop_step_",
      [](py::handle param, py::handle grad, py::handle square_avg, py::handle grad_avg, py::handle momentum_buffer,
         double lr, double alpha, double eps, double weight_decay, double momentum, bool centered) {
        const char* op = "rmsprop_step";
        rmsprop_step_(tensor_or_undefined(param, op, "param"), tensor_or_undefined(grad, op, "grad"),
                      tensor_or_undefined(square_avg, op, "square_avg"), tensor_or_undefined(grad_avg, op, "grad_avg"),
                      tensor_or_undefined(momentum_buffer, op, "momentum_buffer"), lr, alpha, eps, weight_decay,
                      momentum, centered);
      },
      py::arg("param"), py::arg("grad"), py::arg("square_avg"), py::arg("grad_avg"), py::arg("momentum_buffer"),
      py::arg("lr"), py::arg("alpha"), py::arg("eps"), py::arg("weight_decay"), py::arg("momentum"),
      py::arg("centered"), "One torch.optim.RMSprop update of param and its buffers in place.");
}

}  // namespace ember::py_bind
