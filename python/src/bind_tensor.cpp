// Bindings of EmberDType and EmberTensor.
#include <pybind11/stl.h>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"
#include "fast_paths.h"

namespace ember::py_bind {

namespace {

std::string buffer_format(DType d) {
  switch (d) {
    case DType::Bool: return "?";
    case DType::Int8: return "b";
    case DType::Int16: return "h";
    case DType::Int32: return "i";
    case DType::Int64: return "q";
    case DType::UInt8: return "B";
    case DType::UInt16: return "H";
    case DType::UInt32: return "I";
    case DType::UInt64: return "Q";
    case DType::Float16: return "e";
    case DType::Float32: return "f";
    case DType::Float64: return "d";
    case DType::Complex64: return "Zf";
    case DType::Complex128: return "Zd";
  }
  return "B";
}

py::object item(const Tensor& t) {
  if (t.numel() != 1) {
    value_error("item", "can only convert a tensor of size 1 to a Python scalar, got shape ", shape_str(t.shape()));
  }
  return to_numpy(t).attr("item")();
}

// t itself; TypeError for complex tensors, which Python's float() and int() refuse too.
const Tensor& real_scalar(const Tensor& t, const char* op) {
  if (is_complex(t.dtype())) {
    type_error(op, "cannot convert a ", dtype_name(t.dtype()), " tensor; use ops.real or ops.abs");
  }
  return t;
}

// Binds a Python binary operator (and its reflected form, if any) to a front-end op.
// These methods are the general path; the type's slots take tensors and Python numbers
// directly (fast_paths.h).
template <Tensor (*fn)(const Tensor&, const Tensor&)>
void def_operator(py::class_<Tensor>& cls, const char* name, const char* rname, const char* op) {
  cls.def(name, [op](const Tensor& self, py::handle other) {
    const Tensor o = to_operand(other, self.device(), op);
    return release_gil_if(self.numel(), [&] { return fn(self, o); });
  });
  if (rname) {
    cls.def(rname, [op](const Tensor& self, py::handle other) {
      const Tensor o = to_operand(other, self.device(), op);
      return release_gil_if(self.numel(), [&] { return fn(o, self); });
    });
  }
}

// def_operator for an operator of the number protocol, with its fast slot.
template <Tensor (*fn)(const Tensor&, const Tensor&), binaryfunc PyNumberMethods::*member>
void def_number_operator(py::class_<Tensor>& cls, const char* name, const char* rname, const char* op) {
  def_operator<fn>(cls, name, rname, op);
  fast::OperatorSlot<fn, member>::install(reinterpret_cast<PyTypeObject*>(cls.ptr()), op, name, rname);
}

}  // namespace

void bind_dtypes(py::module_& m) {
  py::class_<PyDType>(m, "EmberDType", "A tensor element type; compares equal to its name ('float32').")
      .def_property_readonly("name", [](const PyDType& d) { return std::string(dtype_name(d.dtype)); })
      .def_property_readonly("itemsize", [](const PyDType& d) { return itemsize(d.dtype); }, "Bytes per element.")
      .def_property_readonly("is_floating_point", [](const PyDType& d) { return is_floating(d.dtype); })
      .def_property_readonly("is_complex", [](const PyDType& d) { return is_complex(d.dtype); })
      .def("__str__", [](const PyDType& d) { return std::string(dtype_name(d.dtype)); })
      .def("__repr__", [](const PyDType& d) { return "ember_ml." + std::string(dtype_name(d.dtype)); })
      .def("__hash__", [](const PyDType& d) { return py::hash(py::str(dtype_name(d.dtype))); })
      .def("__eq__",
           [](const PyDType& d, py::handle other) {
             try {
               const auto o = parse_dtype(other, "dtype");
               return o && *o == d.dtype;
             } catch (const Error&) {
               return false;
             }
           })
      .def("__ne__", [](py::handle self, py::handle other) { return !self.attr("__eq__")(other).cast<bool>(); })
      .def_property_readonly("numpy_dtype", [](const PyDType& d) { return numpy_dtype(d.dtype); },
                             "The equivalent numpy.dtype.");
  for (int i = 0; i < kNumDTypes; ++i) {
    const auto d = static_cast<DType>(i);
    const std::string name = d == DType::Bool ? "bool_" : dtype_name(d);
    m.attr(name.c_str()) = PyDType{d};
  }
}

void bind_tensor(py::module_& m) {
  py::class_<Tensor> cls(m, "EmberTensor", py::buffer_protocol(), R"doc(
An n-dimensional array on a device ('cpu' or 'opencl:N').

EmberTensor(data, dtype=None, device=None) converts nested sequences, scalars, NumPy
arrays and tensors (Python floats become float32, ints int32; NumPy arrays keep their
dtype). Supports NumPy-style operators, basic indexing (ints, slices, ..., None) that
returns views, advanced indexing (integer arrays, boolean masks) that
returns copies, __array__, the buffer protocol and DLPack.
)doc");
  cls.def(py::init([](py::handle data, py::handle dtype, py::handle device) {
            const Device d = device.is_none() ? device_of({data}) : Device::parse(py::str(device).cast<std::string>());
            Tensor t = to_tensor(data, d, parse_dtype(dtype, "EmberTensor"), "EmberTensor");
            if (t.device() != d) t = to_device(t, d);
            t.set_wrapped_number(false);
            return t;
          }),
          py::arg("data"), py::arg("dtype") = py::none(), py::arg("device") = py::none());
  cls.def_property_readonly("shape", [](const Tensor& t) { return py::tuple(py::cast(t.shape())); },
                            "Shape as a tuple of ints.");
  cls.def_property_readonly("dtype", [](const Tensor& t) { return PyDType{t.dtype()}; }, "The EmberDType.");
  cls.def_property_readonly("device", [](const Tensor& t) { return t.device().str(); }, "Device name, e.g. 'cpu'.");
  cls.def_property_readonly("ndim", &Tensor::ndim, "Number of dimensions.");
  cls.def_property_readonly("size", &Tensor::numel, "Number of elements.");
  cls.def_property_readonly("itemsize", [](const Tensor& t) { return t.itemsize(); }, "Bytes per element.");
  cls.def_property_readonly("strides", [](const Tensor& t) { return py::tuple(py::cast(t.strides())); },
                            "Strides in elements (may be 0 for broadcast views or negative).");
  cls.def_property_readonly("T", [](const Tensor& t) { return transpose(t, std::nullopt); }, "Reversed-axes view.");
  cls.def("is_contiguous", &Tensor::is_contiguous, "True when the elements are laid out in C order.");
  cls.def("numpy", [](const Tensor& t) { return to_numpy(t); },
          "A NumPy array; for CPU tensors it shares memory with the tensor.");
  cls.def(
      "__array__",
      [](const Tensor& t, py::handle dtype, py::handle copy) {
        py::object arr = to_numpy(t);
        if (!dtype.is_none()) arr = arr.attr("astype")(dtype);
        if (!copy.is_none() && copy.cast<bool>()) arr = arr.attr("copy")();
        return arr;
      },
      py::arg("dtype") = py::none(), py::arg("copy") = py::none());
  cls.attr("__array_ufunc__") = py::none();  // NumPy defers mixed operations to our reflected operators
  cls.def_buffer([](const Tensor& t) {
    if (t.device().type != DeviceType::CPU) {
      not_implemented("buffer", "the buffer protocol is only available for cpu tensors, got ", t.device().str());
    }
    std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
    std::vector<py::ssize_t> strides;
    for (auto s : t.strides()) strides.push_back(static_cast<py::ssize_t>(s * static_cast<std::int64_t>(t.itemsize())));
    return py::buffer_info(t.raw_data(), static_cast<py::ssize_t>(t.itemsize()), buffer_format(t.dtype()),
                           t.ndim(), shape, strides);
  });
  cls.def(
      "__dlpack__",
      [](const Tensor& t, py::kwargs kwargs) { return to_numpy(t).attr("__dlpack__")(**kwargs); },
      "DLPack capsule sharing the tensor's memory (through NumPy's exporter).");
  cls.def("__dlpack_device__", [](const Tensor& t) {
    if (t.device().type != DeviceType::CPU) not_implemented("__dlpack__", "only cpu tensors export DLPack");
    return py::make_tuple(1, 0);  // kDLCPU, device 0
  });
  cls.def("item", &item, "The single element as a Python scalar. ValueError unless size is 1.");
  cls.def("tolist", [](const Tensor& t) { return to_numpy(t).attr("tolist")(); }, "Nested Python lists.");
  cls.def("__len__", [](const Tensor& t) {
    if (t.ndim() == 0) type_error("len", "len() of a 0-d tensor");
    return t.shape()[0];
  });
  cls.def("__iter__", [](const Tensor& t) {
    if (t.ndim() == 0) type_error("iter", "iteration over a 0-d tensor");
    py::list rows;
    for (std::int64_t i = 0; i < t.shape()[0]; ++i) {
      IndexItem row;
      row.index = i;
      rows.append(basic_index(t, {row}));
    }
    return py::iter(rows);
  });
  cls.def("__bool__", [](const Tensor& t) {
    if (t.numel() != 1) {
      value_error("bool", "the truth value of a tensor with more than one element is ambiguous (shape ",
                  shape_str(t.shape()), "); use ops.any or ops.all");
    }
    return item(t).cast<bool>();
  });
  cls.def("__float__", [](const Tensor& t) { return item(real_scalar(t, "float")).cast<double>(); });
  cls.def("__int__", [](const Tensor& t) { return py::int_(item(real_scalar(t, "int"))); });
  cls.def("__complex__", [](const Tensor& t) { return py::module_::import("builtins").attr("complex")(item(t)); });
  cls.def("__index__", [](const Tensor& t) {
    if (!is_integral(t.dtype())) type_error("index", "only integer tensors can be used as an index, got ", dtype_name(t.dtype()));
    return py::int_(item(t));
  });
  cls.def("__repr__", [](const Tensor& t) {
    auto np = py::module_::import("numpy");
    const std::string body =
        np.attr("array2string")(to_numpy(t), py::arg("separator") = ", ", py::arg("prefix") = "EmberTensor(")
            .cast<std::string>();
    return "EmberTensor(" + body + ", dtype=" + dtype_name(t.dtype()) + ", device='" + t.device().str() + "')";
  });
  cls.def("__str__", [](const Tensor& t) { return py::str(to_numpy(t)).cast<std::string>(); });
  cls.attr("__hash__") = py::none();

  using NM = PyNumberMethods;
  def_number_operator<add, &NM::nb_add>(cls, "__add__", "__radd__", "add");
  def_number_operator<subtract, &NM::nb_subtract>(cls, "__sub__", "__rsub__", "subtract");
  def_number_operator<multiply, &NM::nb_multiply>(cls, "__mul__", "__rmul__", "multiply");
  def_number_operator<divide, &NM::nb_true_divide>(cls, "__truediv__", "__rtruediv__", "divide");
  def_number_operator<floor_divide, &NM::nb_floor_divide>(cls, "__floordiv__", "__rfloordiv__", "floor_divide");
  def_number_operator<mod, &NM::nb_remainder>(cls, "__mod__", "__rmod__", "mod");
  def_operator<power>(cls, "__pow__", "__rpow__", "power");  // nb_power is ternary: no fast slot
  def_number_operator<matmul, &NM::nb_matrix_multiply>(cls, "__matmul__", "__rmatmul__", "matmul");
  def_number_operator<bitwise_and, &NM::nb_and>(cls, "__and__", "__rand__", "bitwise_and");
  def_number_operator<bitwise_or, &NM::nb_or>(cls, "__or__", "__ror__", "bitwise_or");
  def_number_operator<bitwise_xor, &NM::nb_xor>(cls, "__xor__", "__rxor__", "bitwise_xor");
  def_operator<equal>(cls, "__eq__", nullptr, "equal");
  def_operator<not_equal>(cls, "__ne__", nullptr, "not_equal");
  def_operator<less>(cls, "__lt__", nullptr, "less");
  def_operator<less_equal>(cls, "__le__", nullptr, "less_equal");
  def_operator<greater>(cls, "__gt__", nullptr, "greater");
  def_operator<greater_equal>(cls, "__ge__", nullptr, "greater_equal");
  fast::install_richcompare(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  cls.def("__neg__", [](const Tensor& t) { return negative(t); });
  cls.def("__pos__", [](const Tensor& t) { return t; });
  cls.def("__abs__", [](const Tensor& t) { return abs(t); });
  cls.def("__invert__", [](const Tensor& t) { return bitwise_not(t); });

  cls.def("__getitem__", [](const Tensor& t, py::handle key) { return index(t, parse_index(key, t.device())); });
  fast::install_getitem(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  fast::install_dealloc(reinterpret_cast<PyTypeObject*>(cls.ptr()));
  cls.def("__setitem__", [](const Tensor& t, py::handle key, py::handle value) {
    const auto items = parse_index(key, t.device());
    const Tensor v = to_tensor(value, t.device(), std::nullopt, "setitem");
    release_gil_if(t.numel(), [&] {
      index_put(t, items, v);
      return 0;
    });
  });

  cls.def("astype", [](const Tensor& t, py::handle dtype) {
    const auto d = parse_dtype(dtype, "astype");
    if (!d) type_error("astype", "dtype must not be None");
    return cast(t, *d);
  }, py::arg("dtype"), "A copy converted to dtype.");
  cls.def("reshape", [](const Tensor& t, py::args shape) {
    if (shape.size() == 1) return reshape(t, parse_shape(shape[0], "reshape"));
    return reshape(t, parse_shape(shape, "reshape"));
  }, "x.reshape(2, 3), x.reshape((2, 3)) or x.reshape(6).");
  cls.def("flatten", [](const Tensor& t) { return reshape(t, {t.numel()}); }, "A 1-D tensor of the elements.");
  cls.def("copy", [](const Tensor& t) { return copy(t); }, "A contiguous copy.");
  cls.def("to", [](const Tensor& t, py::handle device) { return to_device(t, Device::parse(parse_str(device, "to", "device"))); },
          py::arg("device"), "This tensor on another device.");
}

}  // namespace ember::py_bind
