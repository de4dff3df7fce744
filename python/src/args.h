// Argument parsing shared by the bindings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "convert.h"

namespace ember::py_bind {

// Converts two operands to tensors on the device of whichever is a tensor.
std::pair<Tensor, Tensor> tensor_pair(py::handle a, py::handle b, const char* op);

// None → every axis; an int or a sequence of ints → those axes.
Axes parse_axes(py::handle axis, const char* op);
std::optional<std::int64_t> parse_axis(py::handle axis, const char* op);

// An int or a sequence of ints (also a tensor or array of them); TypeError naming
// `what` otherwise.
std::vector<std::int64_t> parse_int_list(py::handle value, const char* op, const char* what);
// parse_int_list as a shape.
Shape parse_shape(py::handle shape, const char* op);
// As parse_shape, for the shape of a new tensor: negative sizes raise ValueError.
Shape parse_new_shape(py::handle shape, const char* op);

// The one conversion layer for non-tensor arguments: each accepts the Python value, a
// NumPy scalar or a one-element EmberTensor / NumPy array holding it, and raises
// TypeError "[op] <what> must be ..." otherwise (never a pybind11 cast message).
std::int64_t parse_int(py::handle value, const char* op, const char* what);
std::optional<std::int64_t> parse_optional_int(py::handle value, const char* op, const char* what);
double parse_float(py::handle value, const char* op, const char* what);
bool parse_bool(py::handle value, const char* op, const char* what);
std::string parse_str(py::handle value, const char* op, const char* what);
// A sequence of (before, after) pairs, e.g. pad widths; tensors and arrays of shape (n, 2) too.
std::vector<std::pair<std::int64_t, std::int64_t>> parse_int_pairs(py::handle value, const char* op,
                                                                    const char* what);

// A Python / NumPy scalar (bool, int or float) as a Scalar.
Scalar parse_scalar(py::handle value, const char* op);

// A sequence of tensor-like objects, all placed on the device of the first tensor.
std::vector<Tensor> parse_tensor_list(py::handle seq, const char* op);

// Runs fn with the GIL released when the work is large enough to be worth it.
template <class Fn>
auto release_gil_if(std::int64_t numel, Fn&& fn) {
  if (numel >= kReleaseGilNumel) {
    py::gil_scoped_release release;
    return fn();
  }
  return fn();
}

}  // namespace ember::py_bind
