// Reverse-mode automatic differentiation.
//
// Ops record a Node only while gradients are being taken: when grad mode is on and one
// of their inputs requires grad. A Node holds one gradient rule, written with ordinary
// front-end ops, so the same rule runs on every backend, and, when the backward pass
// itself runs with grad mode on (create_graph), records the nodes that make gradients
// of gradients possible. The engine follows PyTorch's design (Paszke et al., "Automatic
// differentiation in PyTorch", 2017): leaves accumulate into `.grad` through an
// accumulator node, interior tensors point at the node that produced them.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::autograd {

class Node;

// The gradient destination of one tensor: output `output_nr` of `node`.
struct Edge {
  std::shared_ptr<Node> node;
  int output_nr = 0;
  bool valid() const noexcept { return node != nullptr; }
};

struct AutogradMeta {
  bool requires_grad = false;
  Tensor grad;                      // accumulated gradient of a leaf (undefined until backward)
  std::shared_ptr<Node> grad_fn;    // null for leaves
  int output_nr = 0;
  std::weak_ptr<Node> accumulator;  // a leaf's accumulator node, made on first use
};

// Gradients of the outputs in, gradients of the inputs out. `outputs` are the op's
// outputs, still attached to the graph when the backward pass records (create_graph), so
// rules that reuse an output (exp, tanh, ...) have correct gradients of gradients.
// `needs[i]` says whether input i wants a gradient; entries for the others may be left
// undefined.
using Grads = std::vector<Tensor>;
using Rule = std::function<Grads(const Grads& grad_outputs, const Grads& outputs, const std::vector<bool>& needs)>;

// Shape, dtype and device of an output, to make zeros when no gradient reached it.
struct TensorInfo {
  Shape shape;
  DType dtype;
  Device device;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node(std::string name, std::vector<Edge> next, std::vector<TensorInfo> inputs, std::vector<TensorInfo> outputs)
      : name_(std::move(name)), next_(std::move(next)), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}
  virtual ~Node() = default;
  const std::string& name() const noexcept { return name_; }
  const std::vector<Edge>& next_edges() const noexcept { return next_; }
  const std::vector<TensorInfo>& input_info() const noexcept { return inputs_; }
  const std::vector<TensorInfo>& output_info() const noexcept { return outputs_; }
  // Runs the rule: one gradient per input (undefined where not needed).
  virtual Grads apply(const Grads& grad_outputs, const std::vector<bool>& needs) = 0;
  // Frees what the rule saved once the graph is no longer needed (retain_graph=false).
  virtual void release() {}

 private:
  std::string name_;
  std::vector<Edge> next_;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
};

// ---- grad mode ------------------------------------------------------------------------
bool is_grad_enabled() noexcept;
void set_grad_enabled(bool enabled) noexcept;

// Sets grad mode for a scope and restores the previous mode on exit.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

// ---- tensor flags --------------------------------------------------------------------------
bool requires_grad(const Tensor& t) noexcept;
// Makes `t` a leaf that requires (or no longer requires) grad. TypeError for non-float
// dtypes, ValueError for a non-leaf.
void set_requires_grad(Tensor& t, bool value);
bool is_leaf(const Tensor& t) noexcept;
Tensor grad(const Tensor& t);  // a leaf's accumulated gradient; undefined when none
void set_grad(Tensor& t, const Tensor& g);
const Node* grad_fn(const Tensor& t) noexcept;
// The edge a gradient for `t` flows into (the accumulator for leaves).
Edge gradient_edge(const Tensor& t);

// Raises ValueError when `t` may not be written in place: it requires grad while grad
// mode is on, so the write would silently cut it out of the graph.
void check_inplace(const Tensor& t, const char* op);

// ---- recording -------------------------------------------------------------------------------
// Whether grad mode is on and one of `inputs` requires grad.
inline bool any_requires_grad(std::initializer_list<Tensor> inputs) noexcept {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs) {
    if (requires_grad(t)) return true;
  }
  return false;
}

// Runs an op's computation with grad mode off: its internal steps record nothing.
template <class Compute>
Tensor unrecorded(Compute&& compute) {
  GradModeGuard no_grad(false);
  return compute();
}

// Attaches a node with `rule` to `outputs`, whose gradients flow to `inputs`.
// Outputs must be floating point; they become non-leaf tensors that require grad.
void record(const char* name, const std::vector<Tensor>& inputs, std::vector<Tensor*> outputs, Rule rule);

// Runs `compute` without recording its internals and, when an input requires grad,
// records one node whose rule is `make_rule()` (called only then, so ops that do not
// record pay nothing for building the rule).
template <class Compute, class MakeRule>
Tensor differentiable(const char* name, std::initializer_list<Tensor> inputs, Compute&& compute,
                      MakeRule&& make_rule) {
  if (!any_requires_grad(inputs)) return compute();
  Tensor out = unrecorded(compute);
  if (is_floating(out.dtype())) record(name, std::vector<Tensor>(inputs), {&out}, make_rule());
  return out;
}

// Marks the outputs of an op that has no gradient rule: a backward pass that reaches
// them raises NotImplementedError naming the op.
void record_not_differentiable(const char* name, const std::vector<Tensor>& inputs, std::vector<Tensor*> outputs);

// Runs `compute` and, when an input requires grad, marks its floating-point result with
// record_not_differentiable, so that a gradient can never silently stop at it.
template <class Compute>
Tensor not_differentiable(const char* name, std::initializer_list<Tensor> inputs, Compute&& compute) {
  if (!any_requires_grad(inputs)) return compute();
  Tensor out = unrecorded(compute);
  if (is_floating(out.dtype())) record_not_differentiable(name, std::vector<Tensor>(inputs), {&out});
  return out;
}

// ---- backward --------------------------------------------------------------------------------
// Accumulates d(sum_i <outputs_i, grad_outputs_i>)/d(leaf) into every leaf's `.grad`.
// An undefined grad_output of a one-element output means ones.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph,
              bool create_graph);

// Returns d(sum_i <outputs_i, grad_outputs_i>)/d(inputs_j) without touching `.grad`.
// Inputs no gradient reaches give undefined tensors when allow_unused, else ValueError.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
                         const std::vector<Tensor>& inputs, bool retain_graph, bool create_graph,
                         bool allow_unused);

// Sums `g` over broadcast dimensions so that it has `shape` (the adjoint of broadcast_to).
Tensor sum_to(const Tensor& g, const Shape& shape);

}  // namespace ember::autograd
