// Entry points of the binding units, called from the module initialiser.
#pragma once

#include <pybind11/pybind11.h>

#include "ember/indexing.h"

namespace ember::py_bind {
void bind_dtypes(pybind11::module_& m);
void bind_tensor(pybind11::module_& m);
void bind_ops(pybind11::module_& m);
void bind_indexing(pybind11::module_& m);
// A NumPy index key (ints, slices, ..., None, integer arrays, boolean masks) as items.
std::vector<TensorIndex> parse_index(pybind11::handle key, Device device);
// One item of a key when it is basic (int, slice, ..., None): fills `item` and returns
// true; false for array items. Raises for invalid slices.
bool parse_basic_item(pybind11::handle h, IndexItem& item);
void bind_random(pybind11::module_& m);
void bind_linalg(pybind11::module_& m);
void bind_opencl(pybind11::module_& m);
void bind_autograd(pybind11::module_& m);
// Fused optimizer updates (training).
void bind_optim(pybind11::module_& m);
void bind_complex(pybind11::module_& m);
void bind_fft(pybind11::module_& m);
void bind_liquid(pybind11::module_& m);
// registered_kernels(): the op registry's names and the devices with a kernel for each.
void bind_registry(pybind11::module_& m);
}  // namespace ember::py_bind
