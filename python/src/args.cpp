#include "args.h"

#include <pybind11/complex.h>

#include "ember/errors.h"

namespace ember::py_bind {

std::pair<Tensor, Tensor> tensor_pair(py::handle a, py::handle b, const char* op) {
  const Device device = device_of({a, b});
  return {to_operand(a, device, op), to_operand(b, device, op)};
}

namespace {
std::int64_t as_int(py::handle h, const char* op, const char* what) {
  if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr())) {
    type_error(op, what, " must be an integer, got ", py::repr(h).cast<std::string>());
  }
  PyObject* index = PyNumber_Index(h.ptr());  // fails for arrays of more than one element
  if (!index) {
    PyErr_Clear();
    type_error(op, what, " must be an integer, got ", py::repr(h).cast<std::string>());
  }
  return py::reinterpret_steal<py::object>(index).cast<std::int64_t>();
}

std::vector<std::int64_t> as_int_list(py::handle h, const char* op, const char* what) {
  std::vector<std::int64_t> out;
  if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()) && !py::isinstance<py::array>(h)) {
    out.push_back(as_int(h, op, what));
    return out;
  }
  if (py::isinstance<Tensor>(h) || py::isinstance<py::array>(h)) {
    const py::list items = py::reinterpret_borrow<py::object>(h).attr("tolist")();
    for (py::handle item : items) out.push_back(as_int(item, op, what));
    return out;
  }
  if (!py::isinstance<py::sequence>(h) || py::isinstance<py::str>(h)) {
    type_error(op, what, " must be an integer or a sequence of integers, got ", py::repr(h).cast<std::string>());
  }
  for (py::handle item : py::reinterpret_borrow<py::sequence>(h)) out.push_back(as_int(item, op, what));
  return out;
}
}  // namespace

Axes parse_axes(py::handle axis, const char* op) {
  if (axis.is_none()) return std::nullopt;
  return as_int_list(axis, op, "axis");
}

std::optional<std::int64_t> parse_axis(py::handle axis, const char* op) {
  if (axis.is_none()) return std::nullopt;
  return as_int(axis, op, "axis");
}

Shape parse_shape(py::handle shape, const char* op) { return as_int_list(shape, op, "shape"); }

Shape parse_new_shape(py::handle shape, const char* op) {
  Shape s = parse_shape(shape, op);
  for (auto d : s) {
    if (d < 0) value_error(op, "negative dimensions are not allowed, got shape ", shape_str(s));
  }
  return s;
}

Scalar parse_scalar(py::handle value, const char* op) {
  if (PyBool_Check(value.ptr())) return Scalar::from_bool(value.ptr() == Py_True);
  if (PyIndex_Check(value.ptr())) return Scalar::from_int(as_int(value, op, "value"));
  if (py::isinstance<Tensor>(value) && value.cast<const Tensor&>().numel() == 1) {
    return parse_scalar(py::reinterpret_borrow<py::object>(value).attr("item")(), op);
  }
  // Python complex and NumPy complex scalars (numpy.complex64 is no Python complex).
  const bool complex_value = PyComplex_Check(value.ptr()) ||
                            (!PyFloat_Check(value.ptr()) &&
                             py::isinstance(value, py::module_::import("numpy").attr("complexfloating")));
  if (complex_value) {
    const auto z = py::reinterpret_borrow<py::object>(value).cast<std::complex<double>>();
    return Scalar::from_complex(z.real(), z.imag());
  }
  try {
    return Scalar::from_double(py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>());
  } catch (const py::error_already_set&) {
    type_error(op, "expected a scalar, got ", py::repr(value).cast<std::string>());
  }
}

std::vector<Tensor> parse_tensor_list(py::handle seq, const char* op) {
  if (py::isinstance<Tensor>(seq) || !py::isinstance<py::sequence>(seq)) {
    type_error(op, "expected a sequence of tensors, got ", py::repr(py::type::of(seq)).cast<std::string>());
  }
  const auto items = py::reinterpret_borrow<py::sequence>(seq);
  std::vector<py::handle> handles(items.begin(), items.end());
  Device device = default_device();
  for (py::handle h : handles) {
    if (py::isinstance<Tensor>(h)) {
      device = h.cast<const Tensor&>().device();
      break;
    }
  }
  std::vector<Tensor> out;
  for (py::handle h : handles) out.push_back(to_tensor(h, device, std::nullopt, op));
  return out;
}

}  // namespace ember::py_bind
