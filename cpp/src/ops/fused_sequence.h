// Shared plumbing of the fused sequence ops (ops/ltc_sequence.cpp, ops/cfc_sequence.cpp):
// one forward kernel producing every step's state, one backward kernel producing the
// gradients of every input, and autograd recording around them; and the CfC's fallback.
#pragma once

#include <string>
#include <vector>

#include "ember/liquid.h"
#include "ember/registry.h"
#include "ember/tensor.h"

namespace ember::liquid::internal {

// Runs the kernel `name` on contiguous copies of `inputs` into a new tensor of
// `out_shape` (the states) and, when an input requires grad, records a node whose rule
// runs the kernel `name + "_backward"` on (inputs, states, grad_states) and writes the
// gradients of the inputs with has_grad[k] (the others, e.g. masks, get none). The
// backward pass itself is marked not differentiable (no second order, never silently).
// saved_numel >= 0: when it records, the forward kernel also writes a buffer of that many
// elements (the activations backward reads instead of recomputing them), passed to the
// backward kernel after grad_states (also when it is empty, so that the backward kernel's
// inputs do not depend on the sizes).
Tensor run_fused(const std::string& name, const std::vector<Tensor>& inputs, const Shape& out_shape,
                 const Attrs& attrs, const std::vector<bool>& has_grad, std::int64_t saved_numel = -1);

// The widths U_k of each layer's backbone layers (CfcSpec::dropout_layout's units).
std::vector<std::vector<std::int64_t>> backbone_units(const std::vector<CfcLayer>& layers);

// The CfC sequence composed of ember's ops (ops/cfc_composite.cpp) on checked arguments:
// spec from the front end's validation, keep the checked step mask (0 / 1 in inputs'
// dtype) or undefined, units_kept the dropout keep masks (CfcSpec) or undefined, memory
// checked or undefined.
Tensor cfc_composite(const Tensor& inputs, const Tensor& h0, const Tensor& ts, const std::vector<CfcLayer>& layers,
                     const CfcSpec& spec, const Tensor& keep, const Tensor& units_kept,
                     const MixedMemory& memory);

}  // namespace ember::liquid::internal
