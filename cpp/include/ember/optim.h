// Fused optimizer updates: one op per parameter and step, writing the parameter and its
// optimizer state in place. The update formulas are torch.optim's (single-tensor
// implementations of SGD, Adam/AdamW and RMSprop, PyTorch 2.x), applied in the
// parameter's dtype in the same order of operations, so that trajectories match
// PyTorch's to rounding. The ops assume valid hyper-parameters (the Python optimizers
// check them); they validate the tensors, refuse a parameter that requires grad while
// grad mode is on, and bump the storage version of every tensor they write.
#pragma once

#include <cstdint>

#include "ember/tensor.h"

namespace ember {

// param, grad, buffers: float32 or float64, one shape and dtype; param and buffers
// C-contiguous. An undefined Tensor stands for a buffer the options do not use.

// torch.optim.SGD. momentum_buffer is used when momentum != 0; first_step initialises it
// to the (weight-decayed) gradient, as torch does.
void sgd_step_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, double lr, double momentum,
               double dampening, double weight_decay, bool nesterov, bool first_step);

// torch.optim.Adam (decoupled = false) and AdamW (decoupled = true); step counts from 1.
// max_exp_avg_sq is used when amsgrad.
void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, std::int64_t step, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool decoupled, bool amsgrad);

// torch.optim.RMSprop. grad_avg is used when centered, momentum_buffer when momentum > 0.
void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                   const Tensor& momentum_buffer, double lr, double alpha, double eps, double weight_decay,
                   double momentum, bool centered);

}  // namespace ember
