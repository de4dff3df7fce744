// Front-end elementwise ops: dtype rules, broadcasting, dispatch.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::common_device;
using detail::describe;
using detail::registered_op;
using detail::run_to_new;

DType result_type(const Tensor& a, const Tensor& b) {
  if (a.is_wrapped_number() && b.is_wrapped_number()) {
    // Two Python scalars: as if each had been converted on its own (float32, int32, bool).
    return promote_types(default_dtype(dtype_kind(a.dtype())), default_dtype(dtype_kind(b.dtype())));
  }
  if (a.is_wrapped_number() == b.is_wrapped_number()) return promote_types(a.dtype(), b.dtype());
  const Tensor& scalar = a.is_wrapped_number() ? a : b;
  const Tensor& tensor = a.is_wrapped_number() ? b : a;
  const DTypeKind sk = dtype_kind(scalar.dtype());
  if (sk <= dtype_kind(tensor.dtype())) return tensor.dtype();
  // A Python int that does not fit the default int32 takes int64, as convert_to_tensor does.
  const auto v = scalar.wrapped_int();
  const bool wide = sk == DTypeKind::Int && v && (*v < std::numeric_limits<std::int32_t>::min() ||
                                                   *v > std::numeric_limits<std::int32_t>::max());
  return promote_types(tensor.dtype(), wide ? DType::Int64 : default_dtype(sk));
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      value_error(op, "operands could not be broadcast together with shapes ", shape_str(a), " and ", shape_str(b));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace {

enum class BinaryKind {
  Arithmetic,  // any dtype
  NoBool,      // bool operands are promoted to int8 (NumPy's floor_divide, mod, power)
  Subtract,    // bool - bool is a TypeError, as in NumPy
  TrueDivide,  // integer / bool inputs compute in float32 (divide, arctan2)
  Compare,     // bool result
  Bitwise,     // integer or bool only
  Shift,       // integer or bool only; bool computes in int8 (numpy.left_shift)
};

Tensor as_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : cast(t, dtype); }

// The range of an integer dtype, clipped to int64 (a Python int operand is an int64).
std::pair<std::int64_t, std::int64_t> int_range(DType dtype) {
  std::pair<std::int64_t, std::int64_t> r{0, 0};
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::uint64_t>) {
      r.second = std::numeric_limits<std::int64_t>::max();
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      r.first = static_cast<std::int64_t>(std::numeric_limits<T>::min());
      r.second = static_cast<std::int64_t>(std::numeric_limits<T>::max());
    }
  });
  return r;
}

Tensor binary(const OpEntry& op, const Tensor& a, const Tensor& b, BinaryKind kind);

// A Python int operand outside the range of the other operand's integer dtype (NumPy 2,
// NEP 50): `above` when it is larger than every value of that dtype.
struct OutOfRange {
  const Tensor* scalar = nullptr;
  const Tensor* tensor = nullptr;
  bool above = false;
};

OutOfRange python_int_out_of_range(const Tensor& a, const Tensor& b) {
  for (const auto& [s, t] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    const auto v = s->wrapped_int();
    if (!v || t->is_wrapped_number() || !is_integral(t->dtype())) continue;
    // The bindings give an int beyond int64 as a float64 marked with the saturated int64.
    const bool beyond_int64 = s->dtype() == DType::Float64;
    const auto [lo, hi] = int_range(t->dtype());
    if (beyond_int64 || *v < lo || *v > hi) return {s, t, beyond_int64 ? *v > 0 : *v > hi};
  }
  return {};
}

// The exact NumPy 2 answer of `op` for an out-of-range Python int: comparisons are
// constant, maximum / minimum return the tensor when the int lies on the side that loses,
// logical ops see a nonzero int, and anything that would store the int raises
// OverflowError (numpy's "Python integer 300 out of bounds for uint8").
Tensor out_of_range_binary(const OpEntry& op, const Tensor& a, const Tensor& b, BinaryKind kind,
                           const OutOfRange& r) {
  const std::string& name = op.name();
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name.c_str());
  const Device device = r.tensor->device();
  const bool b_larger = (r.scalar == &b) == r.above;  // b > a holds elementwise
  auto constant = [&](bool v) { return full(shape, Scalar::from_bool(v), DType::Bool, device); };
  if (name == "equal") return constant(false);
  if (name == "not_equal") return constant(true);
  if (name == "less" || name == "less_equal") return constant(b_larger);
  if (name == "greater" || name == "greater_equal") return constant(!b_larger);
  if (name.rfind("logical_", 0) == 0) {
    const Tensor one = scalar_tensor(Scalar::from_int(1), r.tensor->dtype(), device);  // same truth, in range
    return binary(op, r.scalar == &a ? one : a, r.scalar == &b ? one : b, kind);
  }
  const bool tensor_wins = (name == "maximum" && !r.above) || (name == "minimum" && r.above);
  if (tensor_wins) return copy(r.tensor->broadcast_to(shape));
  if (r.scalar->dtype() == DType::Float64) {
    overflow_error(name, "Python integer beyond the int64 range out of bounds for ", dtype_name(r.tensor->dtype()));
  }
  overflow_error(name, "Python integer ", *r.scalar->wrapped_int(), " out of bounds for ",
                 dtype_name(r.tensor->dtype()));
}

Tensor binary(const OpEntry& op, const Tensor& a, const Tensor& b, BinaryKind kind) {
  const char* name = op.name().c_str();
  const Device device = common_device(name, {&a, &b});
  if (kind != BinaryKind::TrueDivide && (a.is_wrapped_number() || b.is_wrapped_number())) {
    // True division computes in float, where any int64 fits.
    if (const OutOfRange r = python_int_out_of_range(a, b); r.scalar) return out_of_range_binary(op, a, b, kind, r);
  }
  DType compute = result_type(a, b);
  // Complex operands go to the op's complex kernel and need none of the real-dtype rules.
  const bool on_complex = is_complex(compute);
  const OpEntry& kernel = on_complex ? detail::complex_entry(op, {&a, &b}) : op;
  switch (on_complex ? BinaryKind::Arithmetic : kind) {
    case BinaryKind::NoBool:
      if (compute == DType::Bool) compute = DType::Int8;
      break;
    case BinaryKind::Subtract:
      if (compute == DType::Bool) {
        type_error(name, "boolean subtract is not supported (", describe(a), ", ", describe(b),
                   "); use logical_xor instead");
      }
      break;
    case BinaryKind::TrueDivide:
      if (!is_floating(compute)) compute = default_dtype(DTypeKind::Float);
      break;
    case BinaryKind::Bitwise:
    case BinaryKind::Shift:
      if (is_floating(compute)) {
        type_error(name, "only integer and bool dtypes are supported, got ", describe(a), " and ", describe(b));
      }
      if (kind == BinaryKind::Shift && compute == DType::Bool) compute = DType::Int8;
      break;
    default:
      break;
  }
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  const DType out_dtype = kind == BinaryKind::Compare ? DType::Bool : compute;
  Tensor out = Tensor::empty(shape, out_dtype, device);
  if (out.numel() == 0) return out;
  // Cast or broadcast only when needed: tiny ops are dominated by such bookkeeping.
  auto prepare = [&](const Tensor& t) -> Tensor {
    if (t.dtype() != compute) return cast(t, compute).broadcast_to(shape);
    return t.broadcast_to(shape);
  };
  const Tensor ins[2] = {prepare(a), prepare(b)};
  kernel.call(device, ins, std::span<Tensor>(&out, 1));
  return out;
}

enum class UnaryKind {
  Floating,     // integer and bool inputs are computed in float32
  SameDType,    // any dtype, same-dtype result
  Magnitude,    // as SameDType, but complex input gives its real dtype (abs)
  NoBool,       // same-dtype result; bool input is a TypeError
  BoolAsInt8,   // same-dtype result; bool input computes in int8 (numpy.square)
  Predicate,    // bool result
  IntegerOnly,  // integer or bool
};

Tensor unary(const OpEntry& op, const Tensor& x, UnaryKind kind) {
  const char* name = op.name().c_str();
  if (is_complex(x.dtype())) {
    const DType out = kind == UnaryKind::Predicate   ? DType::Bool
                      : kind == UnaryKind::Magnitude ? real_dtype(x.dtype())
                                                     : x.dtype();
    return run_to_new(detail::complex_entry(op, {&x}), x.device(), x.shape(), out, {x});
  }
  DType compute = x.dtype();
  if (kind == UnaryKind::Floating && !is_floating(compute)) compute = default_dtype(DTypeKind::Float);
  if (kind == UnaryKind::BoolAsInt8 && compute == DType::Bool) compute = DType::Int8;
  if (kind == UnaryKind::NoBool && compute == DType::Bool) {
    type_error(name, "not supported for ", describe(x));
  }
  if (kind == UnaryKind::IntegerOnly && is_floating(compute)) {
    type_error(name, "only integer and bool dtypes are supported, got ", describe(x));
  }
  const DType out_dtype = kind == UnaryKind::Predicate ? DType::Bool : compute;
  return run_to_new(op, x.device(), x.shape(), out_dtype, {as_dtype(x, compute)});
}

// autograd::differentiable for the elementwise ops, which model code calls thousands of
// times on small tensors: when grad mode is off or no input requires grad it runs the
// op without building differentiable()'s list of input tensors, whose copies (atomic
// reference counts) cost as much as a small op's kernel.
template <class Compute, class MakeRule, class... Inputs>
Tensor elementwise_op(const char* name, Compute&& compute, MakeRule&& make_rule, const Inputs&... inputs) {
  if (!autograd::is_grad_enabled() || !(autograd::requires_grad(inputs) || ...)) return compute();
  return autograd::differentiable(name, {inputs...}, compute, make_rule);
}

}  // namespace

#define EMBER_DEFINE_UNARY(fn, kind, doc)                                            \
  Tensor fn(const Tensor& x) {                                                       \
    static const OpEntry& op = registered_op(#fn);                                   \
    return elementwise_op(                                                           \
        #fn, [&] { return unary(op, x, UnaryKind::kind); },                          \
        [&] { return autograd::unary_rule(autograd::UnaryOp::fn, x); }, x);          \
  }
EMBER_UNARY_OPS(EMBER_DEFINE_UNARY)
#undef EMBER_DEFINE_UNARY

#define EMBER_DEFINE_BINARY(fn, kind, doc)                                           \
  Tensor fn(const Tensor& a, const Tensor& b) {                                      \
    static const OpEntry& op = registered_op(#fn);                                   \
    return elementwise_op(                                                           \
        #fn, [&] { return binary(op, a, b, BinaryKind::kind); },                     \
        [&] { return autograd::binary_rule(autograd::BinaryOp::fn, a, b); }, a, b);  \
  }
EMBER_BINARY_OPS(EMBER_DEFINE_BINARY)
#undef EMBER_DEFINE_BINARY

Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y) {
  static const OpEntry& op = registered_op("where");
  const Device device = common_device("where", {&condition, &x, &y});
  const DType dtype = result_type(x, y);
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), x.shape(), "where"), y.shape(), "where");
  return autograd::differentiable(
      "where", {condition, x, y},
      [&] {
        return run_to_new(op, device, shape, dtype,
                          {detail::truth(condition).broadcast_to(shape), as_dtype(x, dtype).broadcast_to(shape),
                           as_dtype(y, dtype).broadcast_to(shape)});
      },
      [&] { return autograd::where_rule(condition, x, y); });
}

Tensor clip(const Tensor& x, const Tensor& min_val, const Tensor& max_val) {
  if (!min_val.defined() && !max_val.defined()) {
    value_error("clip", "at least one of min_val and max_val must be given");
  }
  common_device("clip", {&x, &min_val, &max_val});
  detail::require_real("clip", {&x, &min_val, &max_val});
  if (min_val.defined()) broadcast_shapes(x.shape(), min_val.shape(), "clip");
  if (max_val.defined()) broadcast_shapes(x.shape(), max_val.shape(), "clip");
  Tensor out = x;
  if (min_val.defined()) out = maximum(out, min_val);
  if (max_val.defined()) out = minimum(out, max_val);
  return out;
}

// numpy.isclose: |a - b| <= atol + rtol * |b|, with infinities equal only to themselves.
// For complex operands |.| is the modulus and the tolerance is real, as in NumPy.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  common_device("isclose", {&a, &b});
  broadcast_shapes(a.shape(), b.shape(), "isclose");
  DType dtype = result_type(a, b);
  if (!is_floating(dtype) && !is_complex(dtype)) dtype = default_dtype(DTypeKind::Float);
  const Tensor fa = as_dtype(a, dtype), fb = as_dtype(b, dtype);
  const Device dev = fa.device();
  const DType tol_dtype = real_dtype(dtype);
  Tensor tol = scalar_tensor(Scalar::from_double(atol), tol_dtype, dev);
  tol = add(tol, multiply(scalar_tensor(Scalar::from_double(rtol), tol_dtype, dev), abs(fb)));
  Tensor close = less_equal(abs(subtract(fa, fb)), tol);
  const Tensor both_finite = logical_and(isfinite(fa), isfinite(fb));
  close = logical_or(logical_and(close, both_finite), logical_and(equal(fa, fb), logical_not(both_finite)));
  if (equal_nan) close = logical_or(close, logical_and(isnan(fa), isnan(fb)));
  return close;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  broadcast_shapes(a.shape(), b.shape(), "allclose");
  const Tensor r = cast(all(isclose(a, b, rtol, atol, equal_nan), std::nullopt, false), DType::Bool);
  return to_device(r, Device{}).data<bool>()[0];
}

}  // namespace ember
