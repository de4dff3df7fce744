// Fused sequence ops of the liquid networks (ember_ml.nn.modules.rnn): the whole time
// loop of a layer, forward and backward, in one op, instead of a graph of small ops per
// step and ODE unfold.
#pragma once

#include <cstdint>

#include "ember/tensor.h"

namespace ember::liquid {

// The tensors of an LTC cell (ncps.torch.LTCCell names), after the positivity transform
// of w, sensory_w, cm and gleak (softplus or clamping is applied by the caller, as plain
// ops, so that its gradient is the caller's). N neurons, C sensory inputs.
struct LtcParams {
  Tensor sensory_w, sensory_mu, sensory_sigma, sensory_erev, sensory_mask;  // (C, N)
  Tensor w, mu, sigma, erev, mask;                                          // (N, N)
  Tensor cm, gleak, vleak;                                                  // (N,)
};

// The LTC ODE (Hasani et al. 2021, AAAI, eq. 3) over a sequence, with ncps's fused
// semi-implicit Euler solver: per time step t, ode_unfolds steps of
//   v <- (cm_t v + gleak vleak + sum_i a_ij erev_ij + sum_c b_cj erev_cj)
//        / (cm_t + gleak + epsilon + sum_i a_ij + sum_c b_cj),
//   a_ij = w_ij mask_ij sigmoid(sigma_ij (v_i - mu_ij)),
//   b_cj = sensory_w_cj sensory_mask_cj sigmoid(sensory_sigma_cj (x_c - sensory_mu_cj)),
//   cm_t = cm * ode_unfolds / elapsed[b, t].
// inputs (B, T, C) (already input-mapped), h0 (B, N), elapsed (B, T); all one float dtype
// and device; masks are 0/1 and get no gradient. Returns the states after every step,
// (B, T, N). Differentiable (a fused backward-through-time op; no second order).
Tensor ltc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& elapsed, const LtcParams& params,
                    std::int64_t ode_unfolds, double epsilon);

}  // namespace ember::liquid
