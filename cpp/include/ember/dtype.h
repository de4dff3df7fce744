// The dtypes, their C++ types and NumPy's promotion rules.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ember {

// IEEE binary16; arithmetic on it is done in float and rounded back, as NumPy does.
using half = _Float16;

// The twelve real dtypes, then the two complex ones (std::complex<float> / <double>).
enum class DType : std::uint8_t {
  Bool, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float16, Float32, Float64,
  Complex64, Complex128
};
inline constexpr int kNumDTypes = 14;

// Kind order used by promotion with Python scalars ("weak" operands).
enum class DTypeKind : std::uint8_t { Bool = 0, Int = 1, Float = 2, Complex = 3 };

std::size_t itemsize(DType dtype);
const char* dtype_name(DType dtype);
std::optional<DType> dtype_from_name(std::string_view name);
DTypeKind dtype_kind(DType dtype);
bool is_floating(DType dtype);  // real floating point: float16, float32, float64
bool is_integral(DType dtype);  // signed or unsigned integer, not bool
bool is_unsigned(DType dtype);
bool is_complex(DType dtype);
// The dtype of the real and imaginary parts of a complex dtype (complex64 -> float32,
// complex128 -> float64); real dtypes map to themselves.
DType real_dtype(DType dtype);
// The complex dtype a computation on `dtype` runs in: complex dtypes map to themselves,
// float64 to complex128, and the other real dtypes to complex64 (Ember computes
// integers and bool in single precision).
DType complex_dtype(DType dtype);

// NumPy's array-array promotion table (numpy.promote_types).
DType promote_types(DType a, DType b);

// The dtype a value of kind `kind` gets when nothing else decides: bool_, int32,
// float32, complex64.
DType default_dtype(DTypeKind kind);

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<std::int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<std::int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of<std::int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<std::uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<std::uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct dtype_of<std::uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct dtype_of<std::uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct dtype_of<half> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of<std::complex<float>> { static constexpr DType value = DType::Complex64; };
template <> struct dtype_of<std::complex<double>> { static constexpr DType value = DType::Complex128; };

// Raises TypeError: a kernel was handed a dtype it is not instantiated for. The
// front-end routes complex tensors to complex kernels, so this guards against a
// missing check rather than reporting user errors.
[[noreturn]] void unsupported_kernel_dtype(DType dtype);

// Calls fn(T{}) with T the C++ type of `dtype`, for the twelve real dtypes; kernels
// written for real arithmetic use it, and complex dtypes raise TypeError.
template <class Fn>
decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::Bool: return fn(bool{});
    case DType::Int8: return fn(std::int8_t{});
    case DType::Int16: return fn(std::int16_t{});
    case DType::Int32: return fn(std::int32_t{});
    case DType::Int64: return fn(std::int64_t{});
    case DType::UInt8: return fn(std::uint8_t{});
    case DType::UInt16: return fn(std::uint16_t{});
    case DType::UInt32: return fn(std::uint32_t{});
    case DType::UInt64: return fn(std::uint64_t{});
    case DType::Float16: return fn(half{});
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    case DType::Complex64:
    case DType::Complex128: unsupported_kernel_dtype(dtype);
  }
  __builtin_unreachable();
}

// Calls fn(T{}) with T std::complex<float> or std::complex<double>; real dtypes raise TypeError.
template <class Fn>
decltype(auto) visit_complex_dtype(DType dtype, Fn&& fn) {
  if (dtype == DType::Complex64) return fn(std::complex<float>{});
  if (dtype != DType::Complex128) unsupported_kernel_dtype(dtype);
  return fn(std::complex<double>{});
}

}  // namespace ember
