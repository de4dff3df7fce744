// Front-end complex support: routing complex operands to the "complex_<op>" kernels,
// the checks other ops use to refuse complex input, and numpy's real / imag / conj /
// angle.
#include <string>

#include "ops/common.h"

namespace ember {

namespace detail {

namespace {
std::string describe_all(std::initializer_list<const Tensor*> operands) {
  std::string out;
  for (const Tensor* t : operands) {
    if (!t->defined()) continue;
    out += (out.empty() ? "" : ", ") + describe(*t);
  }
  return out;
}
}  // namespace

const OpEntry& complex_entry(const OpEntry& op, std::initializer_list<const Tensor*> operands) {
  const OpEntry* entry = find_op("complex_" + op.name());
  if (!entry) type_error(op.name(), "complex input is not supported (", describe_all(operands), ")");
  return *entry;
}

void require_real(const char* op, std::initializer_list<const Tensor*> operands) {
  for (const Tensor* t : operands) {
    if (t->defined() && is_complex(t->dtype())) {
      type_error(op, "complex input is not supported (", describe_all(operands),
                 "); take ops.real, ops.imag or ops.abs first");
    }
  }
}

void check_fill_value(const char* op, DType dtype, Scalar value) {
  if (value.kind == DTypeKind::Complex && !is_complex(dtype)) {
    type_error(op, "cannot store the complex value (", value.f, (value.imag < 0 ? "" : "+"), value.imag,
               "j) in a ", dtype_name(dtype), " tensor");
  }
}

Tensor truth(const Tensor& x) {
  if (x.dtype() == DType::Bool) return x;
  return is_complex(x.dtype()) ? not_equal(x, zeros({}, x.dtype(), x.device())) : cast(x, DType::Bool);
}

}  // namespace detail

namespace {
// The real (part 0) or imaginary (part 1) components of a complex tensor as a view: the
// same storage read as floats with doubled strides, like numpy's .real / .imag. A
// read-only (broadcast) input is copied first, so the view is never writable into it.
Tensor part_view(const Tensor& x, std::int64_t part) {
  const Tensor src = x.is_read_only() ? copy(x) : x;
  Strides strides = src.strides();
  for (auto& s : strides) s *= 2;
  return Tensor::from_storage(src.storage(), src.shape(), strides, 2 * src.offset() + part, real_dtype(src.dtype()));
}
}  // namespace

Tensor real(const Tensor& x) { return is_complex(x.dtype()) ? part_view(x, 0) : x; }

Tensor imag(const Tensor& x) {
  return is_complex(x.dtype()) ? part_view(x, 1) : zeros(x.shape(), x.dtype(), x.device());
}

Tensor conj(const Tensor& x) {
  static const OpEntry& op = detail::registered_op("conj");
  // numpy.conjugate computes bool in int8 and returns other real input as it is.
  if (x.dtype() == DType::Bool) return cast(x, DType::Int8);
  if (!is_complex(x.dtype())) return copy(x);
  return detail::run_to_new(op, x.device(), x.shape(), x.dtype(), {x});
}

Tensor angle(const Tensor& x) {
  static const OpEntry& op = detail::registered_op("angle");
  const DType cdtype = complex_dtype(x.dtype());
  const Tensor z = x.dtype() == cdtype ? x : cast(x, cdtype);
  const Tensor out = detail::run_to_new(op, x.device(), x.shape(), real_dtype(cdtype), {z});
  // Real float input keeps its dtype, as numpy.angle (arctan2(0, x)) does.
  return x.dtype() == DType::Float16 ? cast(out, DType::Float16) : out;
}

}  // namespace ember
