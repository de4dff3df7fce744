// Front end of the fused LTC sequence op (ember/liquid.h): validation, then
// ops/fused_sequence.h runs the "ltc_sequence" / "ltc_sequence_backward" kernels.
#include "ember/liquid.h"

#include <optional>
#include <string>
#include <vector>

#include "ember/ops.h"
#include "ops/common.h"
#include "ops/fused_sequence.h"

namespace ember::liquid {
namespace {

using detail::describe;

// Kernel input order: LtcSpec::LtcInput; the step mask, when given, is checked apart.
constexpr int kNumInputs = LtcSpec::kStepMask;

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
  for (int k = LtcSpec::kSensoryW; k <= LtcSpec::kSensoryMask; ++k) check_shape(in[k], {c, n}, kNames[k]);
  for (int k = LtcSpec::kW; k <= LtcSpec::kMask; ++k) check_shape(in[k], {n, n}, kNames[k]);
  for (int k = LtcSpec::kCm; k <= LtcSpec::kVleak; ++k) check_shape(in[k], {n}, kNames[k]);
  for (int k = 1; k < kNumInputs; ++k) {
    if (in[k].dtype() != dtype) {
      type_error("ltc_sequence", kNames[k], " must have the dtype of inputs (", dtype_name(dtype), "), got ",
                 describe(in[k]));
    }
    detail::common_device("ltc_sequence", {&in[0], &in[k]});
  }
  if (ode_unfolds < 1) value_error("ltc_sequence", "ode_unfolds must be >= 1, got ", ode_unfolds);
}

// The memory's kernel inputs (LtcSpec::MemoryInput) after checking them against inputs (B, T, .)
// and h0 (B, N): the projection of every step, W_hh and c0. A masked step's memory input is
// zeroed before the GEMM (not read, whatever the padding holds).
std::vector<Tensor> memory_inputs_of(const MixedMemory& memory, const Tensor& memory_inputs, const Tensor& inputs,
                                     const Tensor& h0, const Tensor& keep) {
  const std::int64_t batch = inputs.shape()[0], steps = inputs.shape()[1], n = h0.shape()[1];
  if (!memory_inputs.defined() || memory_inputs.ndim() != 3 || memory_inputs.shape()[0] != batch ||
      memory_inputs.shape()[1] != steps) {
    value_error("ltc_sequence", "mixed memory inputs must be (", batch, ", ", steps, ", features), got ",
                memory_inputs.defined() ? describe(memory_inputs) : std::string("None"));
  }
  const std::int64_t c = memory_inputs.shape()[2];
  check_shape(memory.input_weight, {4 * n, c}, "mixed memory input weight");
  check_shape(memory.input_bias, {4 * n}, "mixed memory input bias");
  check_shape(memory.recurrent_weight, {4 * n, n}, "mixed memory recurrent weight");
  check_shape(memory.c0, {batch, n}, "mixed memory c0");
  for (const Tensor* t : {&memory_inputs, &memory.input_weight, &memory.input_bias, &memory.recurrent_weight,
                          &memory.c0}) {
    if (t->dtype() != inputs.dtype()) {
      type_error("ltc_sequence", "mixed memory tensors must have the dtype of inputs (", dtype_name(inputs.dtype()),
                 "), got ", describe(*t));
    }
    detail::common_device("ltc_sequence", {&inputs, t});
  }
  Tensor seen = memory_inputs;
  if (keep.defined()) {
    const Tensor zero = zeros({}, inputs.dtype(), inputs.device());
    seen = where(reshape(not_equal(keep, zero), {batch, steps, 1}), memory_inputs, zero);
  }
  const Tensor projected = add(matmul(reshape(seen, {batch * steps, c}), transpose(memory.input_weight, std::nullopt)),
                               memory.input_bias);
  return {reshape(projected, {batch, steps, 4 * n}), memory.recurrent_weight, memory.c0};
}

}  // namespace

Tensor ltc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& elapsed, const LtcParams& params,
                    std::int64_t ode_unfolds, double epsilon, const Tensor& step_mask, const MixedMemory& memory,
                    const Tensor& memory_inputs) {
  std::vector<Tensor> in = kernel_inputs(inputs, h0, elapsed, params);
  validate(in, ode_unfolds);
  const LtcSpec spec{ode_unfolds, epsilon, step_mask.defined(), memory.defined()};
  std::vector<bool> has_grad(kNumInputs, true);
  has_grad[LtcSpec::kSensoryMask] = has_grad[LtcSpec::kMask] = false;
  const Tensor keep = step_mask.defined() ? check_step_mask("ltc_sequence", step_mask, inputs) : Tensor();
  if (memory.defined()) {
    for (const Tensor& t : memory_inputs_of(memory, memory_inputs, inputs, h0, keep)) {
      in.push_back(t);
      has_grad.push_back(true);
    }
  }
  if (keep.defined()) {
    in.push_back(keep);
    has_grad.push_back(false);
  }
  const std::int64_t width = h0.shape()[1] * (memory.defined() ? 2 : 1);
  return internal::run_fused("ltc_sequence", in, {inputs.shape()[0], inputs.shape()[1], width}, spec.to_attrs(),
                             has_grad);
}

}  // namespace ember::liquid
