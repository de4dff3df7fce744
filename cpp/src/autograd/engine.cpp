// Graph recording and the backward engine.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd.h"
#include "ember/errors.h"
#include "ember/ops.h"

namespace ember::autograd {

namespace {

thread_local bool grad_enabled = true;

TensorInfo info_of(const Tensor& t) { return {t.shape(), t.dtype(), t.device()}; }

using Versions = std::vector<std::pair<std::weak_ptr<Storage>, std::uint64_t>>;

// A node built from a rule. It remembers the storage versions of its inputs and outputs
// at record time: an in-place write to any of them before backward is an error.
class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, std::vector<Edge> next, std::vector<TensorInfo> inputs,
               std::vector<TensorInfo> outputs, Rule rule, Versions versions, Grads saved_outputs)
      : Node(std::move(name), std::move(next), std::move(inputs), std::move(outputs)),
        rule_(std::move(rule)),
        versions_(std::move(versions)),
        saved_outputs_(std::move(saved_outputs)) {}

  Grads apply(const Grads& grad_outputs, const std::vector<bool>& needs) override {
    if (!rule_) {
      value_error("backward", "the graph of '", name(),
                  "' was already freed by an earlier backward pass; pass retain_graph=True to the first one");
    }
    for (const auto& [weak, version] : versions_) {
      const auto storage = weak.lock();  // a freed buffer cannot have been changed
      if (storage && storage->version() != version) {
        value_error("backward", "a tensor needed to compute the gradient of '", name(),
                    "' was modified in place after it was used (version ", storage->version(), ", expected ", version,
                    "); write to a copy instead");
      }
    }
    return rule_(grad_outputs, outputs(), needs);
  }
  void release() override {
    rule_ = nullptr;
    versions_.clear();
    saved_outputs_.clear();
  }

 private:
  // The outputs, re-attached to this node while the backward pass records, so that
  // rules using them differentiate through them (the node cannot own attached outputs:
  // they own it).
  Grads outputs() {
    if (!is_grad_enabled()) return saved_outputs_;
    Grads attached;
    for (std::size_t k = 0; k < saved_outputs_.size(); ++k) {
      Tensor t = saved_outputs_[k];
      auto meta = std::make_shared<AutogradMeta>();
      meta->requires_grad = true;
      meta->grad_fn = shared_from_this();
      meta->output_nr = static_cast<int>(k);
      t.set_autograd_meta(std::move(meta));
      attached.push_back(std::move(t));
    }
    return attached;
  }

  Rule rule_;
  Versions versions_;
  Grads saved_outputs_;
};

class NotDifferentiableNode final : public Node {
 public:
  using Node::Node;
  Grads apply(const Grads&, const std::vector<bool>&) override {
    not_implemented(name(), "has no gradient rule; compute it outside the differentiated function or wrap its "
                            "inputs in stop_gradient");
  }
};

// Adds a leaf's incoming gradient into its `.grad`.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<AutogradMeta> meta, const TensorInfo& info)
      : Node("AccumulateGrad", {}, {}, {info}), meta_(std::move(meta)) {}
  Grads apply(const Grads& grad_outputs, const std::vector<bool>&) override {
    const Tensor& g = grad_outputs[0];
    meta_->grad = meta_->grad.defined() ? add(meta_->grad, g) : (is_grad_enabled() ? g : g.detach());
    return {};
  }

 private:
  std::shared_ptr<AutogradMeta> meta_;
};

AutogradMeta& meta_of(Tensor& t) {
  if (!t.autograd_meta()) t.set_autograd_meta(std::make_shared<AutogradMeta>());
  return *t.autograd_meta();
}

}  // namespace

bool is_grad_enabled() noexcept { return grad_enabled; }
void set_grad_enabled(bool enabled) noexcept { grad_enabled = enabled; }

bool requires_grad(const Tensor& t) noexcept { return t.autograd_meta() && t.autograd_meta()->requires_grad; }

void set_requires_grad(Tensor& t, bool value) {
  if (!is_leaf(t)) {
    value_error("requires_grad", "can only be changed on leaf tensors; use detach() to get a new leaf");
  }
  if (value && !is_floating(t.dtype())) {
    type_error("requires_grad", "only floating-point tensors can require gradients, got ", dtype_name(t.dtype()));
  }
  if (!value && !t.autograd_meta()) return;
  meta_of(t).requires_grad = value;
}

bool is_leaf(const Tensor& t) noexcept { return !t.autograd_meta() || !t.autograd_meta()->grad_fn; }

Tensor grad(const Tensor& t) { return t.autograd_meta() ? t.autograd_meta()->grad : Tensor(); }

void set_grad(Tensor& t, const Tensor& g) {
  if (g.defined() && (g.shape() != t.shape() || g.dtype() != t.dtype() || g.device() != t.device())) {
    value_error("grad", "assigned gradient must match the tensor: expected ", dtype_name(t.dtype()), " ",
                shape_str(t.shape()), " on ", t.device().str(), ", got ", dtype_name(g.dtype()), " ",
                shape_str(g.shape()), " on ", g.device().str());
  }
  meta_of(t).grad = g;
}

const Node* grad_fn(const Tensor& t) noexcept { return t.autograd_meta() ? t.autograd_meta()->grad_fn.get() : nullptr; }

Edge gradient_edge(const Tensor& t) {
  const auto& meta = t.autograd_meta();
  if (!meta || !meta->requires_grad) return {};
  if (meta->grad_fn) return {meta->grad_fn, meta->output_nr};
  std::shared_ptr<Node> acc = meta->accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(meta, info_of(t));
    meta->accumulator = acc;
  }
  return {acc, 0};
}

void check_inplace(const Tensor& t, const char* op) {
  if (is_grad_enabled() && requires_grad(t)) {
    value_error(op, "in-place write to a tensor that requires grad would cut it out of the gradient graph; "
                    "use a functional op (index_update, slice_update, where) or write under no_grad()");
  }
}

namespace {

void attach(const std::shared_ptr<Node>& node, std::vector<Tensor*>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    auto meta = std::make_shared<AutogradMeta>();
    meta->requires_grad = true;
    meta->grad_fn = node;
    meta->output_nr = static_cast<int>(i);
    outputs[i]->set_autograd_meta(std::move(meta));
  }
}

std::vector<Edge> edges_of(const std::vector<Tensor>& inputs) {
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(t.defined() ? gradient_edge(t) : Edge{});
  return edges;
}

std::vector<TensorInfo> infos(const std::vector<Tensor>& ts) {
  std::vector<TensorInfo> out;
  out.reserve(ts.size());
  for (const Tensor& t : ts) out.push_back(t.defined() ? info_of(t) : TensorInfo{{}, DType::Float32, Device{}});
  return out;
}

std::vector<TensorInfo> infos(const std::vector<Tensor*>& ts) {
  std::vector<TensorInfo> out;
  out.reserve(ts.size());
  for (const Tensor* t : ts) out.push_back(info_of(*t));
  return out;
}

}  // namespace

void record(const char* name, const std::vector<Tensor>& inputs, std::vector<Tensor*> outputs, Rule rule) {
  Versions versions;
  auto remember = [&](const Tensor& t) {
    if (t.defined()) versions.emplace_back(t.storage(), t.storage()->version());
  };
  for (const Tensor& t : inputs) remember(t);
  Grads saved_outputs;
  for (const Tensor* t : outputs) {
    remember(*t);
    saved_outputs.push_back(t->detach());
  }
  auto node = std::make_shared<FunctionNode>(name, edges_of(inputs), infos(inputs), infos(outputs), std::move(rule),
                                             std::move(versions), std::move(saved_outputs));
  attach(node, outputs);
}

void record_not_differentiable(const char* name, const std::vector<Tensor>& inputs, std::vector<Tensor*> outputs) {
  auto node = std::make_shared<NotDifferentiableNode>(name, edges_of(inputs), infos(inputs), infos(outputs));
  attach(node, outputs);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  const int lead = g.ndim() - static_cast<int>(shape.size());
  std::vector<std::int64_t> axes;
  for (int d = 0; d < g.ndim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && g.shape()[d] != 1)) axes.push_back(d);
  }
  Tensor s = axes.empty() ? g : sum(g, axes, true);
  return reshape(s, shape);
}

namespace {

struct EdgeKey {
  const Node* node;
  int output_nr;
  bool operator==(const EdgeKey&) const = default;
};
struct EdgeKeyHash {
  std::size_t operator()(const EdgeKey& k) const noexcept {
    return std::hash<const void*>()(k.node) ^ (static_cast<std::size_t>(k.output_nr) * 0x9e3779b97f4a7c15ULL);
  }
};

// One backward pass. With `captures`, it returns the gradients flowing into those edges
// and runs only the nodes that lead to them; without, leaves accumulate into `.grad`.
class GraphTask {
 public:
  GraphTask(bool retain_graph, bool create_graph, const std::vector<Edge>* captures)
      : retain_graph_(retain_graph), create_graph_(create_graph) {
    if (captures) {
      for (std::size_t i = 0; i < captures->size(); ++i) {
        capture_index_.emplace(EdgeKey{(*captures)[i].node.get(), (*captures)[i].output_nr}, i);
        targets_.insert((*captures)[i].node.get());
      }
      captured_.resize(captures->size());
    }
  }

  std::vector<Tensor> run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs) {
    if (grad_outputs.size() != outputs.size()) {
      value_error("backward", "got ", grad_outputs.size(), " gradients for ", outputs.size(), " outputs");
    }
    std::vector<std::pair<Edge, Tensor>> roots;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Edge e = gradient_edge(outputs[i]);
      if (!e.valid()) {
        value_error("backward", "output ", i, " does not require grad and has no grad_fn: nothing to differentiate "
                    "(did its inputs require grad, and was grad mode on?)");
      }
      roots.emplace_back(e, root_grad(outputs[i], grad_outputs[i]));
    }
    for (const auto& root : roots) count_dependencies(root.first.node.get());
    GradModeGuard mode(create_graph_);
    for (auto& [edge, g] : roots) deliver(edge, std::move(g));
    std::vector<Node*> ready;
    for (const auto& root : roots) {
      Node* n = root.first.node.get();
      if (dependencies_[n] == 0 && needed(n) && std::find(ready.begin(), ready.end(), n) == ready.end()) {
        ready.push_back(n);
      }
    }
    while (!ready.empty()) {
      Node* node = ready.back();
      ready.pop_back();
      execute(node, ready);
    }
    return std::move(captured_);
  }

 private:
  static Tensor root_grad(const Tensor& out, const Tensor& g) {
    if (g.defined()) {
      if (g.shape() != out.shape()) {
        value_error("backward", "gradient of shape ", shape_str(g.shape()), " given for an output of shape ",
                    shape_str(out.shape()));
      }
      return g.dtype() == out.dtype() ? g : cast(g, out.dtype());
    }
    if (out.numel() != 1) {
      value_error("backward", "a gradient can be created implicitly only for one-element outputs, got shape ",
                  shape_str(out.shape()), "; pass grad_outputs");
    }
    return ones(out.shape(), out.dtype(), out.device());
  }

  // Whether a node leads to a capture target (always true when accumulating).
  bool needed(Node* node) {
    if (targets_.empty()) return true;
    auto it = needed_.find(node);
    if (it != needed_.end()) return it->second;
    // Iterative post-order so deep graphs (long RNN unrolls) do not overflow the stack.
    std::vector<std::pair<Node*, std::size_t>> stack{{node, 0}};
    needed_[node] = false;
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next_edges().size()) {
        Node* child = n->next_edges()[i++].node.get();
        if (child && !needed_.count(child)) {
          needed_[child] = false;
          stack.emplace_back(child, 0);
        }
        continue;
      }
      bool result = targets_.count(n) > 0;
      for (const Edge& e : n->next_edges()) result = result || (e.node && needed_[e.node.get()]);
      needed_[n] = result;
      stack.pop_back();
    }
    return needed_[node];
  }

  void count_dependencies(Node* root) {
    if (!needed(root) || seen_.count(root)) return;
    seen_.insert(root);
    std::vector<Node*> stack{root};
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      for (const Edge& e : n->next_edges()) {
        Node* child = e.node.get();
        if (!child || !needed(child)) continue;
        ++dependencies_[child];
        if (seen_.insert(child).second) stack.push_back(child);
      }
    }
  }

  void deliver(const Edge& edge, Tensor g) {
    auto& buffer = buffers_[edge.node.get()];
    if (buffer.empty()) buffer.resize(edge.node->output_info().size());
    Tensor& slot = buffer[edge.output_nr];
    slot = slot.defined() ? add(slot, g) : std::move(g);
  }

  void execute(Node* node, std::vector<Node*>& ready) {
    Grads grads = std::move(buffers_[node]);
    buffers_.erase(node);
    grads.resize(node->output_info().size());
    for (std::size_t k = 0; k < grads.size(); ++k) {
      if (!grads[k].defined()) {
        const TensorInfo& info = node->output_info()[k];
        grads[k] = zeros(info.shape, info.dtype, info.device);
      }
      auto it = capture_index_.find(EdgeKey{node, static_cast<int>(k)});
      if (it != capture_index_.end()) captured_[it->second] = grads[k];
    }
    const auto& next = node->next_edges();
    std::vector<bool> needs(next.size());
    for (std::size_t i = 0; i < next.size(); ++i) needs[i] = next[i].valid() && needed(next[i].node.get());
    if (!targets_.empty() && next.empty()) return;  // a captured leaf: `.grad` stays untouched
    Grads input_grads = node->apply(grads, needs);
    if (!retain_graph_) node->release();
    for (std::size_t i = 0; i < next.size(); ++i) {
      if (!needs[i]) continue;
      Tensor g = std::move(input_grads.at(i));
      if (!g.defined()) {
        value_error("backward", "gradient rule of '", node->name(), "' returned no gradient for input ", i);
      }
      const TensorInfo& info = node->input_info()[i];
      if (g.shape() != info.shape) {
        value_error("backward", "gradient rule of '", node->name(), "' returned shape ", shape_str(g.shape()),
                    " for input ", i, " of shape ", shape_str(info.shape));
      }
      if (g.dtype() != info.dtype) g = cast(g, info.dtype);
      Node* child = next[i].node.get();
      deliver(next[i], std::move(g));
      if (--dependencies_[child] == 0) ready.push_back(child);
    }
  }

  bool retain_graph_;
  bool create_graph_;
  std::unordered_map<EdgeKey, std::size_t, EdgeKeyHash> capture_index_;
  std::unordered_set<const Node*> targets_;
  std::vector<Tensor> captured_;
  std::unordered_map<Node*, bool> needed_;
  std::unordered_set<Node*> seen_;
  std::unordered_map<Node*, int> dependencies_;
  std::unordered_map<Node*, Grads> buffers_;
};

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs, bool retain_graph,
              bool create_graph) {
  GraphTask(retain_graph, create_graph, nullptr).run(outputs, grad_outputs);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
                         const std::vector<Tensor>& inputs, bool retain_graph, bool create_graph,
                         bool allow_unused) {
  std::vector<Edge> captures;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Edge e = gradient_edge(inputs[i]);
    if (!e.valid()) value_error("grad", "input ", i, " does not require grad");
    captures.push_back(e);
  }
  std::vector<Tensor> result = GraphTask(retain_graph, create_graph, &captures).run(outputs, grad_outputs);
  for (std::size_t i = 0; i < result.size(); ++i) {
    if (!result[i].defined() && !allow_unused) {
      value_error("grad", "input ", i, " was not used to compute the outputs; pass allow_unused=True");
    }
  }
  return result;
}

}  // namespace ember::autograd
