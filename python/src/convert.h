// Conversions between Python objects and ember tensors / dtypes.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "ember/ops.h"

// Shapes and strides convert like std::vector: to and from Python sequences of ints.
namespace pybind11::detail {
template <class T, std::size_t N>
struct type_caster<ember::SmallVector<T, N>> : list_caster<ember::SmallVector<T, N>, T> {};
}  // namespace pybind11::detail

namespace ember::py_bind {

namespace py = pybind11;

// The Python-visible dtype object (ember_ml.nn.tensor.EmberDType).
struct PyDType {
  DType dtype;
};

// The tensor inside `obj`, or nullptr when it is not an EmberTensor (fast path for the
// exact type: ops on small tensors spend most of their time on argument handling).
const Tensor* as_tensor(py::handle obj);

// None → nullopt; EmberDType, names ('float32', 'bool_'), NumPy dtypes and the Python
// types float / int / bool → a DType. Anything else raises TypeError naming `op`.
std::optional<DType> parse_dtype(py::handle obj, const char* op);

// Converts tensors, Python scalars, nested sequences and NumPy arrays (and NumPy
// scalars, which keep their dtype) to a tensor on `device`. Python floats become
// float32 and ints int32 (int64 when they do not fit).
Tensor to_tensor(py::handle obj, Device device, std::optional<DType> dtype = std::nullopt,
                 const char* op = "convert_to_tensor");

// As to_tensor, but a Python scalar becomes a weak "wrapped number" holding its full
// value (float64 / int64) that takes part in promotion by kind only: operands of
// binary ops, where and clip.
Tensor to_operand(py::handle obj, Device device, const char* op);

// The device of the first tensor among `objs`, else the default device.
Device device_of(std::initializer_list<py::handle> objs);

// A NumPy array sharing the tensor's memory (CPU tensors).
py::array to_numpy(const Tensor& t);

py::dtype numpy_dtype(DType dtype);

// Releases the GIL around work on large tensors; tiny ops skip the cost.
inline constexpr std::int64_t kReleaseGilNumel = 1 << 15;

}  // namespace ember::py_bind
