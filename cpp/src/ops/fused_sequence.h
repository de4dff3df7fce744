// Shared plumbing of the fused sequence ops (ops/liquid.cpp, ops/cfc_sequence.cpp): one
// forward kernel producing every step's state, one backward kernel producing the
// gradients of every input, and autograd recording around them.
#pragma once

#include <string>
#include <vector>

#include "ember/registry.h"
#include "ember/tensor.h"

namespace ember::liquid::internal {

// Runs the kernel `name` on contiguous copies of `inputs` into a new tensor of
// `out_shape` (the states) and, when an input requires grad, records a node whose rule
// runs the kernel `name + "_backward"` on (inputs, states, grad_states) and writes the
// gradients of the inputs with has_grad[k] (the others, e.g. masks, get none). The
// backward pass itself is marked not differentiable (no second order, never silently).
Tensor run_fused(const std::string& name, const std::vector<Tensor>& inputs, const Shape& out_shape,
                 const Attrs& attrs, const std::vector<bool>& has_grad);

}  // namespace ember::liquid::internal
