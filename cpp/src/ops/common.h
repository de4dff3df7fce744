// Helpers shared by the front-end ops.
#pragma once

#include <initializer_list>
#include <string>

#include "ember/errors.h"
#include "ember/kernel_attrs.h"
#include "ember/ops.h"
#include "ember/registry.h"

namespace ember::detail {

// The registry entry for `name`, with every backend registered first.
inline const OpEntry& registered_op(const std::string& name) {
  init_backends();
  return op_entry(name);
}

// The common device of an op's tensor inputs; raises ValueError naming both devices.
Device common_device(const char* op, std::initializer_list<const Tensor*> inputs);

// "float32 tensor of shape (2, 3)" for error messages.
std::string describe(const Tensor& t);

// Runs a kernel that fills a new tensor of `shape`/`dtype` on `device`.
Tensor run_to_new(const OpEntry& op, Device device, const Shape& shape, DType dtype,
                  std::initializer_list<Tensor> inputs, const Attrs& attrs = {});

// Normalises, de-duplicates and sorts reduction axes (nullopt: all axes).
std::vector<int> reduction_axes(const Axes& axes, int ndim, const char* op);

// ---- complex dtypes (ops/complex.cpp) ------------------------------------------------------
// The kernel that computes `op` on complex operands ("complex_<op>"); TypeError naming
// the op and the operands when the op has none.
const OpEntry& complex_entry(const OpEntry& op, std::initializer_list<const Tensor*> operands);
// TypeError naming `op` when any defined operand is complex.
void require_real(const char* op, std::initializer_list<const Tensor*> operands);
// TypeError naming `op` when a complex value would be stored in a real dtype.
void check_fill_value(const char* op, DType dtype, Scalar value);
// x != 0 as a bool tensor (x itself when bool).
Tensor truth(const Tensor& x);

}  // namespace ember::detail
