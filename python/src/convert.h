// Conversions between Python objects and ember tensors / dtypes.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>

#include "ember/ops.h"

namespace ember::py_bind {

namespace py = pybind11;

// The Python-visible dtype object (ember_ml.nn.tensor.EmberDType).
struct PyDType {
  DType dtype;
};

// None → nullopt; EmberDType, names ('float32', 'bool_'), NumPy dtypes and the Python
// types float / int / bool → a DType. Anything else raises TypeError naming `op`.
std::optional<DType> parse_dtype(py::handle obj, const char* op);

// Converts tensors, Python scalars (as weak "wrapped numbers"), nested sequences and
// NumPy arrays to a tensor on `device`. Python floats become float32 and ints int32
// (int64 when they do not fit); NumPy arrays keep their dtype.
Tensor to_tensor(py::handle obj, Device device, std::optional<DType> dtype = std::nullopt,
                 const char* op = "convert_to_tensor");

// The device of the first tensor among `objs`, else the default device.
Device device_of(std::initializer_list<py::handle> objs);

// A NumPy array sharing the tensor's memory (CPU tensors).
py::array to_numpy(const Tensor& t);

py::dtype numpy_dtype(DType dtype);

// Releases the GIL around work on large tensors; tiny ops skip the cost.
inline constexpr std::int64_t kReleaseGilNumel = 1 << 15;

}  // namespace ember::py_bind
