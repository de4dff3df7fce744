#include "convert.h"

#include <cstring>
#include <limits>

#include "ember/errors.h"

namespace ember::py_bind {

namespace {

std::optional<DType> dtype_from_numpy(const py::dtype& dt) {
  const auto name = py::str(dt.attr("name")).cast<std::string>();
  if (name == "bool") return DType::Bool;
  return dtype_from_name(name);
}

Tensor from_array(py::array arr, Device device, const char* op, py::handle source) {
  const auto dtype = dtype_from_numpy(arr.dtype());
  if (arr.dtype().kind() == 'O') {  // None, dicts, ragged or mixed sequences
    type_error(op, "expected a tensor, array, number or nested sequence of numbers, got ",
               py::repr(source).cast<std::string>().substr(0, 200), " (", py::str(py::type::of(source)).cast<std::string>(),
               ")");
  }
  if (!dtype) {
    type_error(op, "unsupported NumPy dtype '", py::str(arr.dtype()).cast<std::string>(), "'");
  }
  py::array c = py::array::ensure(arr, py::array::c_style | py::array::forcecast);
  if (!c.dtype().attr("isnative").cast<bool>()) c = c.attr("astype")(c.dtype().attr("newbyteorder")("="));
  Shape shape(c.shape(), c.shape() + c.ndim());
  Tensor t = Tensor::empty(shape, *dtype, Device{});
  std::memcpy(t.raw_data(), c.data(), static_cast<std::size_t>(c.nbytes()));
  return to_device(t, device);
}

}  // namespace

const Tensor* as_tensor(py::handle obj) {
  static const py::detail::type_info* info = py::detail::get_type_info(typeid(Tensor));
  PyTypeObject* type = Py_TYPE(obj.ptr());
  if (type == info->type) {
    auto* inst = reinterpret_cast<py::detail::instance*>(obj.ptr());
    return static_cast<const Tensor*>(inst->get_value_and_holder(info).value_ptr());
  }
  if (!PyType_IsSubtype(type, info->type)) return nullptr;
  return &obj.cast<const Tensor&>();
}

py::dtype numpy_dtype(DType dtype) {
  return py::dtype(dtype == DType::Bool ? std::string("bool") : std::string(dtype_name(dtype)));
}

std::optional<DType> parse_dtype(py::handle obj, const char* op) {
  if (obj.is_none()) return std::nullopt;
  if (py::isinstance<PyDType>(obj)) return obj.cast<PyDType>().dtype;
  if (py::isinstance<py::str>(obj)) {
    const auto name = obj.cast<std::string>();
    if (auto d = dtype_from_name(name)) return d;
    if (name == "bool") return DType::Bool;
    type_error(op, "unknown dtype '", name, "'");
  }
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return DType::Float32;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return DType::Int32;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return DType::Bool;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyComplex_Type)) return DType::Complex64;
  try {
    const py::dtype dt = py::dtype::from_args(py::reinterpret_borrow<py::object>(obj));
    if (auto d = dtype_from_numpy(dt)) return d;
  } catch (const py::error_already_set&) {
  }
  type_error(op, "cannot interpret ", py::repr(obj).cast<std::string>(), " as a dtype");
}

namespace {
// A Python bool / int / float / complex as a 0-d tensor of its full-precision dtype, or
// an undefined tensor for anything else (NumPy scalars included).
Tensor python_scalar(py::handle obj, Device device, const char* op) {
  if (PyBool_Check(obj.ptr())) return scalar_tensor(Scalar::from_bool(obj.ptr() == Py_True), DType::Bool, device);
  if (PyLong_CheckExact(obj.ptr())) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (overflow) overflow_error(op, "Python integer ", py::str(obj).cast<std::string>(), " out of bounds for int64");
    return scalar_tensor(Scalar::from_int(v), DType::Int64, device);
  }
  if (PyFloat_CheckExact(obj.ptr())) {
    return scalar_tensor(Scalar::from_double(PyFloat_AsDouble(obj.ptr())), DType::Float64, device);
  }
  if (PyComplex_CheckExact(obj.ptr())) {
    const Scalar v = Scalar::from_complex(PyComplex_RealAsDouble(obj.ptr()), PyComplex_ImagAsDouble(obj.ptr()));
    return scalar_tensor(v, DType::Complex128, device);
  }
  return Tensor();
}

// t converted to dtype, with conversion errors naming `op`.
Tensor converted(const Tensor& t, DType dtype, const char* op) {
  if (t.dtype() == dtype) return t;
  Tensor out = Tensor::empty(t.shape(), dtype, t.device());
  copy_into(out, t, op);
  return out;
}

bool fits_int32(const Tensor& t) {
  const std::int64_t v = t.data<std::int64_t>()[0];
  return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max();
}
}  // namespace

Tensor to_operand(py::handle obj, Device device, const char* op) {
  if (const Tensor* t = as_tensor(obj)) return *t;
  if (PyLong_CheckExact(obj.ptr())) {
    // A Python int keeps its exact value beside the tensor (NumPy 2's rules for ints
    // outside the other operand's dtype). One beyond int64 is a float64 holding it, for
    // float operands, marked with the saturated int64 so integer operands raise.
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (!overflow) {
      Tensor t = scalar_tensor(Scalar::from_int(v), DType::Int64, device);
      t.set_wrapped_int(v);
      return t;
    }
    double f = PyLong_AsDouble(obj.ptr());
    if (f == -1.0 && PyErr_Occurred()) {  // beyond the float64 range too
      PyErr_Clear();
      f = overflow > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    }
    Tensor t = scalar_tensor(Scalar::from_double(f), DType::Float64, device);
    t.set_wrapped_int(overflow > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min());
    return t;
  }
  Tensor t = python_scalar(obj, device, op);
  if (!t.defined()) return to_tensor(obj, device, std::nullopt, op);
  t.set_wrapped_number(true);
  return t;
}

Tensor to_tensor(py::handle obj, Device device, std::optional<DType> dtype, const char* op) {
  if (const Tensor* t = as_tensor(obj)) return dtype ? converted(*t, *dtype, op) : *t;
  Tensor t = python_scalar(obj, Device{}, op);
  if (t.defined()) {
    // Cast from the full-precision value, so float64 targets keep every digit.
    if (dtype) return to_device(converted(t, *dtype, op), device);
    if (t.dtype() == DType::Float64) return to_device(cast(t, DType::Float32), device);
    if (t.dtype() == DType::Complex128) return to_device(cast(t, DType::Complex64), device);
    if (t.dtype() == DType::Int64 && fits_int32(t)) return to_device(cast(t, DType::Int32), device);
    return to_device(t, device);
  } else {
    const bool is_numpy = py::isinstance<py::array>(obj) || py::isinstance(obj, py::module_::import("numpy").attr("generic"));
    py::array arr;
    try {
      arr = py::module_::import("numpy").attr("asarray")(obj);
    } catch (const py::error_already_set& e) {
      type_error(op, "cannot convert ", py::str(py::type::of(obj)).cast<std::string>(), " to a tensor: ", e.what());
    }
    if (!is_numpy && !dtype) {
      // Python data follows the Python-scalar rule: float → float32, int → int32 when it fits.
      const char kind = arr.dtype().kind();
      if (kind == 'f' && arr.itemsize() == 8) {
        arr = arr.attr("astype")("float32");
      } else if (kind == 'c' && arr.itemsize() == 16) {
        arr = arr.attr("astype")("complex64");
      } else if (kind == 'i' && arr.itemsize() == 8) {
        auto np = py::module_::import("numpy");
        const bool fits = arr.size() == 0 ||
                          (np.attr("min")(arr).cast<long long>() >= std::numeric_limits<std::int32_t>::min() &&
                           np.attr("max")(arr).cast<long long>() <= std::numeric_limits<std::int32_t>::max());
        if (fits) arr = arr.attr("astype")("int32");
      }
    }
    t = from_array(arr, device, op, obj);
  }
  return dtype ? converted(t, *dtype, op) : t;
}

Device device_of(std::initializer_list<py::handle> objs) {
  for (py::handle h : objs) {
    if (const Tensor* t = as_tensor(h)) return t->device();
  }
  return default_device();
}

py::array to_numpy(const Tensor& device_tensor) {
  // Device tensors are read back (an explicit, counted transfer); CPU tensors are shared.
  const Tensor t = to_device(device_tensor, Device{});
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  std::vector<py::ssize_t> strides;
  for (auto s : t.strides()) strides.push_back(static_cast<py::ssize_t>(s * static_cast<std::int64_t>(t.itemsize())));
  // The capsule keeps the storage alive for as long as NumPy uses the memory.
  auto* keep = new std::shared_ptr<Storage>(t.storage());
  py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<Storage>*>(p); });
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.raw_data(), owner);
}

}  // namespace ember::py_bind
