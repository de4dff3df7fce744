// Bindings of the autograd engine: tensor attributes and the functional entry points.
#include <pybind11/stl.h>

#include "args.h"
#include "bindings.h"
#include "ember/autograd.h"
#include "ember/errors.h"

namespace ember::py_bind {

namespace {

// A gradient argument: None (undefined), or a tensor-like placed on `like`'s device.
Tensor optional_tensor(py::handle g, const Tensor& like, const char* op) {
  if (g.is_none()) return Tensor();
  return to_tensor(g, like.device(), like.dtype(), op);
}

std::vector<Tensor> tensors_of(py::handle seq, const char* op) {
  std::vector<Tensor> out;
  for (py::handle item : seq) {
    if (!py::isinstance<Tensor>(item)) type_error(op, "expected EmberTensors, got ", std::string(py::str(py::type::of(item))));
    out.push_back(item.cast<Tensor>());
  }
  return out;
}

std::vector<Tensor> grad_outputs_of(py::handle grads, const std::vector<Tensor>& outputs, const char* op) {
  std::vector<Tensor> out(outputs.size());
  if (grads.is_none()) return out;
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(grads);
  if (seq.size() != outputs.size()) {
    value_error(op, "got ", seq.size(), " grad_outputs for ", outputs.size(), " outputs");
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) out[i] = optional_tensor(seq[i], outputs[i], op);
  return out;
}

py::object tensor_or_none(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

}  // namespace

void bind_autograd(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("EmberTensor"));
  cls.def_property(
      "requires_grad", [](const Tensor& t) { return autograd::requires_grad(t); },
      [](Tensor& t, bool value) { autograd::set_requires_grad(t, value); },
      "Whether gradients are taken with respect to this tensor. Settable on leaves only "
      "(ValueError otherwise); TypeError for non-floating dtypes.");
  cls.def(
      "requires_grad_",
      [](py::object self, bool value) {
        autograd::set_requires_grad(*self.cast<Tensor*>(), value);
        return self;
      },
      py::arg("requires_grad") = true, "Sets requires_grad in place and returns the tensor.");
  cls.def_property(
      "grad", [](const Tensor& t) { return tensor_or_none(autograd::grad(t)); },
      [](Tensor& t, py::handle g) {
        autograd::set_grad(t, g.is_none() ? Tensor() : to_tensor(g, t.device(), t.dtype(), "grad"));
      },
      "The gradient accumulated by backward() (same shape, dtype and device), or None.");
  cls.def_property_readonly(
      "grad_fn",
      [](const Tensor& t) -> py::object {
        const autograd::Node* node = autograd::grad_fn(t);
        if (!node) return py::none();
        return py::str(node->name());
      },
      "Name of the op that produced this tensor in a recorded graph, or None for leaves.");
  cls.def_property_readonly("is_leaf", [](const Tensor& t) { return autograd::is_leaf(t); },
                            "True unless the tensor was produced by a recorded op.");
  cls.def("detach", [](const Tensor& t) { return t.detach(); },
          "The same data (shared, no copy) outside any gradient graph.");
  cls.def(
      "backward",
      [](const Tensor& t, py::handle gradient, bool retain_graph, bool create_graph) {
        autograd::backward({t}, {optional_tensor(gradient, t, "backward")}, retain_graph, create_graph);
      },
      py::arg("gradient") = py::none(), py::arg("retain_graph") = false, py::arg("create_graph") = false,
      R"doc(Accumulates the gradient of this tensor into `.grad` of every leaf that requires grad.

Args:
    gradient: d(loss)/d(self) with self's shape; None for a one-element tensor (ones).
    retain_graph: keep the graph for another backward pass (otherwise it is freed).
    create_graph: record the backward pass, so that the gradients can be differentiated.

Raises:
    ValueError: self does not require grad, a non-scalar self without gradient, a graph
        already freed, or a saved tensor modified in place since it was used.
    NotImplementedError: the graph contains an op without a gradient rule.)doc");

  m.def("is_grad_enabled", &autograd::is_grad_enabled, "Whether ops currently record gradient graphs.");
  m.def("set_grad_enabled", &autograd::set_grad_enabled, py::arg("enabled"),
        "Turns graph recording on or off for the current thread.");
  m.def(
      "autograd_grad",
      [](py::handle outputs, py::handle inputs, py::handle grad_outputs, bool retain_graph, bool create_graph,
         bool allow_unused) {
        const auto outs = tensors_of(outputs, "grad");
        const auto ins = tensors_of(inputs, "grad");
        const auto result = autograd::grad(outs, grad_outputs_of(grad_outputs, outs, "grad"), ins, retain_graph,
                                           create_graph, allow_unused);
        py::list grads;
        for (const Tensor& g : result) grads.append(tensor_or_none(g));
        return grads;
      },
      py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(), py::arg("retain_graph") = false,
      py::arg("create_graph") = false, py::arg("allow_unused") = false,
      R"doc(Gradients of sum(<outputs_i, grad_outputs_i>) with respect to each input.

Args:
    outputs: sequence of EmberTensors that require grad.
    inputs: sequence of EmberTensors that require grad (leaves or intermediate results).
    grad_outputs: one gradient per output (None entries mean ones for one-element outputs).
    retain_graph: keep the graph for further passes.
    create_graph: record this pass so that its results can be differentiated again.
    allow_unused: give None for inputs the outputs do not depend on (else ValueError).

Returns:
    A list with one EmberTensor (input's shape and dtype) or None per input. `.grad` of
    the inputs is left untouched.)doc");
}

}  // namespace ember::py_bind
