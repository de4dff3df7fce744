// Entry points of the binding units, called from the module initialiser.
#pragma once

#include <pybind11/pybind11.h>

namespace ember::py_bind {
void bind_dtypes(pybind11::module_& m);
void bind_tensor(pybind11::module_& m);
void bind_ops(pybind11::module_& m);
void bind_linalg(pybind11::module_& m);
}  // namespace ember::py_bind
