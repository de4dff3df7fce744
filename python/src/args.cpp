#include "args.h"

#include <pybind11/complex.h>

#include "ember/errors.h"

namespace ember::py_bind {

std::pair<Tensor, Tensor> tensor_pair(py::handle a, py::handle b, const char* op) {
  const Device device = device_of({a, b});
  return {to_operand(a, device, op), to_operand(b, device, op)};
}

namespace {
std::string repr_of(py::handle h) { return py::repr(h).cast<std::string>(); }

// The Python value of a one-element tensor (so it converts like the scalar it holds).
py::object tensor_item(py::handle h, const char* op, const char* what, const char* expected) {
  const Tensor* t = as_tensor(h);
  if (t->numel() != 1) type_error(op, what, " must be ", expected, ", got a tensor of shape ", shape_str(t->shape()));
  return py::reinterpret_borrow<py::object>(h).attr("item")();
}

std::int64_t as_int(py::handle h, const char* op, const char* what) {
  if (const Tensor* t = as_tensor(h)) {
    if (!is_integral(t->dtype())) {
      type_error(op, what, " must be an integer, got a ", dtype_name(t->dtype()), " tensor");
    }
    return as_int(tensor_item(h, op, what, "an integer"), op, what);
  }
  if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr())) type_error(op, what, " must be an integer, got ", repr_of(h));
  PyObject* index = PyNumber_Index(h.ptr());  // fails for arrays of more than one element
  if (!index) {
    PyErr_Clear();
    type_error(op, what, " must be an integer, got ", repr_of(h));
  }
  const auto owned = py::reinterpret_steal<py::object>(index);
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
  if (overflow) value_error(op, what, " ", repr_of(owned), " does not fit in a 64-bit integer");
  return v;
}

std::vector<std::int64_t> as_int_list(py::handle h, const char* op, const char* what) {
  std::vector<std::int64_t> out;
  const bool array = py::isinstance<py::array>(h) || as_tensor(h);
  if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()) && !array) {
    out.push_back(as_int(h, op, what));
    return out;
  }
  if (array) {
    const py::object items = py::reinterpret_borrow<py::object>(h).attr("tolist")();
    if (!py::isinstance<py::list>(items)) return {as_int(items, op, what)};  // 0-d
    for (py::handle item : items) out.push_back(as_int(item, op, what));
    return out;
  }
  if (!py::isinstance<py::sequence>(h) || py::isinstance<py::str>(h)) {
    type_error(op, what, " must be an integer or a sequence of integers, got ", repr_of(h));
  }
  for (py::handle item : py::reinterpret_borrow<py::sequence>(h)) out.push_back(as_int(item, op, what));
  return out;
}
}  // namespace

std::int64_t parse_int(py::handle value, const char* op, const char* what) { return as_int(value, op, what); }

std::optional<std::int64_t> parse_optional_int(py::handle value, const char* op, const char* what) {
  if (value.is_none()) return std::nullopt;
  return as_int(value, op, what);
}

double parse_float(py::handle value, const char* op, const char* what) {
  if (as_tensor(value)) return parse_float(tensor_item(value, op, what, "a real number"), op, what);
  if (!PyNumber_Check(value.ptr()) || PyComplex_Check(value.ptr()) || py::isinstance<py::array>(value)) {
    type_error(op, what, " must be a real number, got ", repr_of(value));
  }
  const double v = PyFloat_AsDouble(value.ptr());
  if (v == -1.0 && PyErr_Occurred()) {
    const py::error_already_set err;
    type_error(op, what, " must be a real number, got ", repr_of(value), " (", err.what(), ")");
  }
  return v;
}

bool parse_bool(py::handle value, const char* op, const char* what) {
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  // NumPy's bool_ and integers count by truth value, as numpy's keepdims=1 does.
  const bool numpy_bool = py::isinstance(value, py::module_::import("numpy").attr("bool_"));
  if (numpy_bool || (PyIndex_Check(value.ptr()) && !py::isinstance<py::array>(value) && !as_tensor(value))) {
    return PyObject_IsTrue(value.ptr()) == 1;
  }
  type_error(op, what, " must be a bool, got ", repr_of(value));
}

std::string parse_str(py::handle value, const char* op, const char* what) {
  if (!py::isinstance<py::str>(value)) type_error(op, what, " must be a string, got ", repr_of(value));
  return value.cast<std::string>();
}

std::vector<std::pair<std::int64_t, std::int64_t>> parse_int_pairs(py::handle value, const char* op,
                                                                    const char* what) {
  const bool array = py::isinstance<py::array>(value) || as_tensor(value);
  const py::object items = array ? py::reinterpret_borrow<py::object>(value).attr("tolist")()
                                 : py::reinterpret_borrow<py::object>(value);
  if (!py::isinstance<py::sequence>(items) || py::isinstance<py::str>(items)) {
    type_error(op, what, " must be a sequence of (before, after) pairs, got ", repr_of(value));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  for (py::handle p : py::reinterpret_borrow<py::sequence>(items)) {
    const auto pair = as_int_list(p, op, what);
    if (pair.size() != 2) value_error(op, "each of ", what, " must be a (before, after) pair, got ", repr_of(p));
    pairs.emplace_back(pair[0], pair[1]);
  }
  return pairs;
}

Axes parse_axes(py::handle axis, const char* op) {
  if (axis.is_none()) return std::nullopt;
  return as_int_list(axis, op, "axis");
}

std::optional<std::int64_t> parse_axis(py::handle axis, const char* op) {
  return parse_optional_int(axis, op, "axis");
}

std::vector<std::int64_t> parse_int_list(py::handle value, const char* op, const char* what) {
  return as_int_list(value, op, what);
}

Shape parse_shape(py::handle shape, const char* op) {
  const auto sizes = as_int_list(shape, op, "shape");
  return Shape(sizes.begin(), sizes.end());
}

Shape parse_new_shape(py::handle shape, const char* op) {
  Shape s = parse_shape(shape, op);
  shape_numel(s, op);  // negative sizes and sizes beyond the arithmetic raise ValueError here
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
