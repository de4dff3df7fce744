#include "ember/dtype.h"

#include <array>

#include "ember/errors.h"

namespace ember {
namespace {

struct Info {
  const char* name;
  std::size_t size;
  DTypeKind kind;
  bool is_unsigned;
};

constexpr std::array<Info, kNumDTypes> kInfo = {{
    {"bool", 1, DTypeKind::Bool, false},   {"int8", 1, DTypeKind::Int, false},
    {"int16", 2, DTypeKind::Int, false},   {"int32", 4, DTypeKind::Int, false},
    {"int64", 8, DTypeKind::Int, false},   {"uint8", 1, DTypeKind::Int, true},
    {"uint16", 2, DTypeKind::Int, true},   {"uint32", 4, DTypeKind::Int, true},
    {"uint64", 8, DTypeKind::Int, true},   {"float16", 2, DTypeKind::Float, false},
    {"float32", 4, DTypeKind::Float, false}, {"float64", 8, DTypeKind::Float, false},
    {"complex64", 8, DTypeKind::Complex, false}, {"complex128", 16, DTypeKind::Complex, false},
}};

const Info& info(DType d) { return kInfo[static_cast<int>(d)]; }

DType signed_int_of_size(std::size_t size) {
  switch (size) {
    case 1: return DType::Int8;
    case 2: return DType::Int16;
    case 4: return DType::Int32;
    default: return DType::Int64;
  }
}

// Smallest float that holds every value of an integer of `size` bytes (NumPy's rule:
// 8-bit ints fit float16, 16-bit fit float32, wider ones need float64).
DType float_for_int_size(std::size_t size) {
  if (size == 1) return DType::Float16;
  if (size == 2) return DType::Float32;
  return DType::Float64;
}

DType larger(DType a, DType b) { return info(a).size >= info(b).size ? a : b; }

}  // namespace

std::size_t itemsize(DType d) { return info(d).size; }
const char* dtype_name(DType d) { return info(d).name; }
DTypeKind dtype_kind(DType d) { return info(d).kind; }
bool is_floating(DType d) { return info(d).kind == DTypeKind::Float; }
bool is_integral(DType d) { return info(d).kind == DTypeKind::Int; }
bool is_unsigned(DType d) { return info(d).is_unsigned; }
bool is_complex(DType d) { return info(d).kind == DTypeKind::Complex; }

DType real_dtype(DType d) {
  if (d == DType::Complex64) return DType::Float32;
  if (d == DType::Complex128) return DType::Float64;
  return d;
}

DType complex_dtype(DType d) {
  if (is_complex(d)) return d;
  return d == DType::Float64 ? DType::Complex128 : DType::Complex64;
}

void unsupported_kernel_dtype(DType dtype) {
  type_error("kernel", "dtype ", dtype_name(dtype), " reached a kernel that does not support it");
}

std::optional<DType> dtype_from_name(std::string_view name) {
  if (name == "bool_") return DType::Bool;
  for (int i = 0; i < kNumDTypes; ++i) {
    if (name == kInfo[i].name) return static_cast<DType>(i);
  }
  return std::nullopt;
}

DType default_dtype(DTypeKind kind) {
  switch (kind) {
    case DTypeKind::Bool: return DType::Bool;
    case DTypeKind::Int: return DType::Int32;
    case DTypeKind::Float: return DType::Float32;
    case DTypeKind::Complex: return DType::Complex64;
  }
  return DType::Float32;
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  const Info& ia = info(a);
  const Info& ib = info(b);
  if (ia.kind == DTypeKind::Bool) return b;
  if (ib.kind == DTypeKind::Bool) return a;
  if (ia.kind == DTypeKind::Complex || ib.kind == DTypeKind::Complex) {
    // NumPy: the complex dtype whose parts hold the promotion of the real parts.
    return complex_dtype(promote_types(real_dtype(a), real_dtype(b)));
  }
  if (ia.kind == DTypeKind::Float && ib.kind == DTypeKind::Float) return larger(a, b);
  if (ia.kind == DTypeKind::Float || ib.kind == DTypeKind::Float) {
    const DType f = ia.kind == DTypeKind::Float ? a : b;
    const DType i = ia.kind == DTypeKind::Float ? b : a;
    return larger(f, float_for_int_size(itemsize(i)));
  }
  if (ia.is_unsigned == ib.is_unsigned) return larger(a, b);
  const DType u = ia.is_unsigned ? a : b;
  const DType s = ia.is_unsigned ? b : a;
  if (itemsize(s) > itemsize(u)) return s;
  if (itemsize(u) == 8) return DType::Float64;  // no signed type holds uint64
  return signed_int_of_size(2 * itemsize(u));
}

}  // namespace ember
