// Front-end ops: validate arguments, promote dtypes, broadcast, then dispatch to the
// kernel registered for the device of the inputs. Inputs on different devices raise.
#pragma once

#include <optional>
#include <vector>

#include "ember/op_list.h"
#include "ember/tensor.h"

namespace ember {

using Axes = std::optional<std::vector<std::int64_t>>;  // nullopt: every axis

// A Python-style scalar: its value and the kind that promotion sees.
struct Scalar {
  double f = 0.0;
  std::int64_t i = 0;
  DTypeKind kind = DTypeKind::Float;
  double imag = 0.0;  // the imaginary part of a complex scalar (f holds the real part)
  static Scalar from_double(double v) { return {v, static_cast<std::int64_t>(v), DTypeKind::Float}; }
  static Scalar from_int(std::int64_t v) { return {static_cast<double>(v), v, DTypeKind::Int}; }
  static Scalar from_bool(bool v) { return {v ? 1.0 : 0.0, v ? 1 : 0, DTypeKind::Bool}; }
  static Scalar from_complex(double re, double im) { return {re, 0, DTypeKind::Complex, im}; }
};

// Result dtype of combining a and b (NumPy table; wrapped numbers promote by kind).
DType result_type(const Tensor& a, const Tensor& b);
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// ---- creation ---------------------------------------------------------------
Tensor scalar_tensor(Scalar value, DType dtype, Device device);
Tensor full(const Shape& shape, Scalar value, DType dtype, Device device);
Tensor zeros(const Shape& shape, DType dtype, Device device);
Tensor ones(const Shape& shape, DType dtype, Device device);
Tensor eye(std::int64_t n, std::int64_t m, std::int64_t k, DType dtype, Device device);
Tensor arange(double start, double stop, double step, DType dtype, Device device);
Tensor linspace(double start, double stop, std::int64_t num, bool endpoint, DType dtype, Device device);

// ---- copies and casts ----------------------------------------------------------
Tensor cast(const Tensor& x, DType dtype);        // always a new tensor
Tensor copy(const Tensor& x);                      // contiguous copy, same dtype
Tensor contiguous(const Tensor& x);                // x itself when already contiguous
void copy_into(const Tensor& dst, const Tensor& src, const char* op);  // broadcasts src, casts
void fill_(const Tensor& dst, Scalar value);
Tensor to_device(const Tensor& x, Device device);

// ---- elementwise (declared in op_list.h; arctan2(y, x) is numpy.arctan2) ---------------
#define EMBER_DECLARE_UNARY(name, kind, doc) Tensor name(const Tensor& x);
#define EMBER_DECLARE_BINARY(name, kind, doc) Tensor name(const Tensor& a, const Tensor& b);
EMBER_UNARY_OPS(EMBER_DECLARE_UNARY)
EMBER_BINARY_OPS(EMBER_DECLARE_BINARY)
#undef EMBER_DECLARE_UNARY
#undef EMBER_DECLARE_BINARY

Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y);
// min_val / max_val may be undefined Tensors (no bound on that side).
Tensor clip(const Tensor& x, const Tensor& min_val, const Tensor& max_val);
Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan);
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan);

// ---- reductions ---------------------------------------------------------------------
Tensor sum(const Tensor& x, const Axes& axes, bool keepdims, std::optional<DType> dtype = {});
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims, std::optional<DType> dtype = {});
Tensor prod(const Tensor& x, const Axes& axes, bool keepdims);
Tensor max(const Tensor& x, const Axes& axes, bool keepdims);
Tensor min(const Tensor& x, const Axes& axes, bool keepdims);
Tensor var(const Tensor& x, const Axes& axes, bool keepdims, double ddof);
Tensor std(const Tensor& x, const Axes& axes, bool keepdims, double ddof);
Tensor all(const Tensor& x, const Axes& axes, bool keepdims);
Tensor any(const Tensor& x, const Axes& axes, bool keepdims);
Tensor argmax(const Tensor& x, std::optional<std::int64_t> axis, bool keepdims);
Tensor argmin(const Tensor& x, std::optional<std::int64_t> axis, bool keepdims);

// ---- linear algebra ---------------------------------------------------------------------
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);

// ---- shape manipulation ---------------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);  // one -1 allowed
Tensor transpose(const Tensor& x, const std::optional<std::vector<std::int64_t>>& axes);
Tensor expand_dims(const Tensor& x, std::int64_t axis);
Tensor squeeze(const Tensor& x, const Axes& axes);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor concatenate(const std::vector<Tensor>& xs, std::int64_t axis);
Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis);
std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes, std::int64_t axis);
std::vector<Tensor> split_equal(const Tensor& x, std::int64_t sections, std::int64_t axis);
Tensor tile(const Tensor& x, const std::vector<std::int64_t>& reps);
// paddings: one (before, after) pair per axis; mode: constant | reflect | symmetric | edge.
Tensor pad(const Tensor& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& paddings,
           const std::string& mode, Scalar constant_value);
Tensor vstack(const std::vector<Tensor>& xs);
Tensor hstack(const std::vector<Tensor>& xs);
// numpy.meshgrid: indexing "xy" (Cartesian) or "ij" (matrix); returns copies.
std::vector<Tensor> meshgrid(const std::vector<Tensor>& xs, const std::string& indexing);

// ---- basic indexing (NumPy semantics; always a view) ---------------------------------
struct IndexItem {
  enum class Kind { Int, Slice, Ellipsis, NewAxis };
  Kind kind = Kind::Int;
  std::int64_t index = 0;                      // Int
  std::optional<std::int64_t> start, stop;     // Slice; nullopt: the default end
  std::int64_t step = 1;                       // Slice
};
Tensor basic_index(const Tensor& x, const std::vector<IndexItem>& items);

// ---- complex parts (numpy.real / imag / conjugate / angle) -------------------------------
// real / imag of a complex tensor are float views of its memory (strides doubled); of a
// real tensor, x itself / zeros of its dtype. conj copies real input (bool becomes int8,
// as numpy). angle = atan2(imag, real) in the real dtype of the complex computation
// (integer and bool input: float32; float16 stays float16).
Tensor real(const Tensor& x);
Tensor imag(const Tensor& x);
Tensor conj(const Tensor& x);
Tensor angle(const Tensor& x);

}  // namespace ember
