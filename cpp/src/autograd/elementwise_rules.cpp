// Derivatives of the elementwise ops. Broadcast operands get their gradient summed back
// to their own shape (sum_to); the engine casts gradients to each input's dtype.
#include <array>
#include <cmath>
#include <numbers>

#include "autograd/rules.h"
#include "ember/errors.h"

namespace ember::autograd {

Tensor scalar_like(double value, const Tensor& like) {
  return scalar_tensor(Scalar::from_double(value), like.dtype(), like.device());
}

namespace {

Tensor as_float_mask(const Tensor& mask, const Tensor& like) { return cast(mask, like.dtype()); }

#define EMBER_OP_NAME(name, kind, doc) #name,
constexpr const char* kUnaryNames[] = {EMBER_UNARY_OPS(EMBER_OP_NAME)};
constexpr const char* kBinaryNames[] = {EMBER_BINARY_OPS(EMBER_OP_NAME)};
#undef EMBER_OP_NAME

template <class Op>
constexpr std::size_t index(Op op) { return static_cast<std::size_t>(op); }

// d out / d x from x, the output y and the incoming gradient g. nullptr: the op has no
// gradient rule (a backward pass that reaches it raises NotImplementedError).
using UnaryDerivative = Tensor (*)(const Tensor& x, const Tensor& y, const Tensor& g);

#define EMBER_UNARY_DERIVATIVE(op, expr)                                                     \
  d[index(UnaryOp::op)] = []([[maybe_unused]] const Tensor& x, [[maybe_unused]] const Tensor& y, \
                             const Tensor& g) -> Tensor { return expr; }

constexpr auto kUnaryDerivatives = [] {
  std::array<UnaryDerivative, std::size(kUnaryNames)> d{};
  EMBER_UNARY_DERIVATIVE(exp, multiply(g, y));
  EMBER_UNARY_DERIVATIVE(log, divide(g, x));
  EMBER_UNARY_DERIVATIVE(log10, divide(g, multiply(x, scalar_like(std::numbers::ln10, g))));
  EMBER_UNARY_DERIVATIVE(log2, divide(g, multiply(x, scalar_like(std::numbers::ln2, g))));
  EMBER_UNARY_DERIVATIVE(sqrt, divide(g, multiply(y, scalar_like(2.0, g))));
  EMBER_UNARY_DERIVATIVE(sin, multiply(g, cos(x)));
  EMBER_UNARY_DERIVATIVE(cos, negative(multiply(g, sin(x))));
  EMBER_UNARY_DERIVATIVE(tan, multiply(g, add(scalar_like(1.0, g), square(y))));
  EMBER_UNARY_DERIVATIVE(sinh, multiply(g, cosh(x)));
  EMBER_UNARY_DERIVATIVE(cosh, multiply(g, sinh(x)));
  EMBER_UNARY_DERIVATIVE(erf, multiply(g, multiply(exp(negative(square(x))),
                                                   scalar_like(std::numbers::inv_sqrtpi * 2, g))));
  EMBER_UNARY_DERIVATIVE(tanh, multiply(g, subtract(scalar_like(1.0, g), square(y))));
  EMBER_UNARY_DERIVATIVE(sigmoid, multiply(g, multiply(y, subtract(scalar_like(1.0, g), y))));
  EMBER_UNARY_DERIVATIVE(abs, multiply(g, sign(x)));
  EMBER_UNARY_DERIVATIVE(negative, negative(g));
  EMBER_UNARY_DERIVATIVE(square, multiply(g, multiply(x, scalar_like(2.0, g))));
  // Piecewise constant: zero gradient almost everywhere (as PyTorch).
  EMBER_UNARY_DERIVATIVE(sign, zeros(x.shape(), g.dtype(), g.device()));
  EMBER_UNARY_DERIVATIVE(floor, zeros(x.shape(), g.dtype(), g.device()));
  EMBER_UNARY_DERIVATIVE(ceil, zeros(x.shape(), g.dtype(), g.device()));
  return d;
}();
#undef EMBER_UNARY_DERIVATIVE

// The gradients of a binary op before they are summed back to the operand shapes; only
// those flagged by need_a / need_b must be defined.
using BinaryDerivative = std::pair<Tensor, Tensor> (*)(const Tensor& a, const Tensor& b, const Tensor& y,
                                                       const Tensor& g, bool need_a, bool need_b);

// Ties share the gradient equally (PyTorch's rule), so it is symmetric in a and b.
template <bool IsMax>
std::pair<Tensor, Tensor> extremum_derivative(const Tensor& a, const Tensor& b, const Tensor&, const Tensor& g,
                                              bool need_a, bool need_b) {
  const Tensor half = multiply(as_float_mask(equal(a, b), g), scalar_like(0.5, g));
  Tensor ga, gb;
  if (need_a) ga = multiply(g, add(as_float_mask(IsMax ? greater(a, b) : less(a, b), g), half));
  if (need_b) gb = multiply(g, add(as_float_mask(IsMax ? greater(b, a) : less(b, a), g), half));
  return {ga, gb};
}

#define EMBER_BINARY_DERIVATIVE(op)                                                                     \
  d[index(BinaryOp::op)] = []([[maybe_unused]] const Tensor& a, [[maybe_unused]] const Tensor& b,       \
                              [[maybe_unused]] const Tensor& y, const Tensor& g, [[maybe_unused]] bool need_a, \
                              [[maybe_unused]] bool need_b) -> std::pair<Tensor, Tensor>

constexpr auto kBinaryDerivatives = [] {
  std::array<BinaryDerivative, std::size(kBinaryNames)> d{};
  EMBER_BINARY_DERIVATIVE(add) { return {g, g}; };
  EMBER_BINARY_DERIVATIVE(subtract) { return {g, need_b ? negative(g) : Tensor()}; };
  EMBER_BINARY_DERIVATIVE(multiply) {
    return {need_a ? multiply(g, b) : Tensor(), need_b ? multiply(g, a) : Tensor()};
  };
  EMBER_BINARY_DERIVATIVE(divide) {
    return {need_a ? divide(g, b) : Tensor(), need_b ? negative(divide(multiply(g, y), b)) : Tensor()};
  };
  EMBER_BINARY_DERIVATIVE(power) {
    // As PyTorch: d/da is 0 where b == 0, d/db is 0 where a == 0 (and b >= 0).
    const Tensor zero = scalar_like(0.0, g);
    Tensor ga, gb;
    if (need_a) {
      const Tensor d = multiply(b, power(a, subtract(b, scalar_like(1.0, b))));
      ga = multiply(g, where(equal(b, zero), zero, d));
    }
    if (need_b) {
      const Tensor d = multiply(y, log(a));
      gb = multiply(g, where(logical_and(equal(a, zero), greater_equal(b, zero)), zero, d));
    }
    return {ga, gb};
  };
  d[index(BinaryOp::maximum)] = extremum_derivative<true>;
  d[index(BinaryOp::minimum)] = extremum_derivative<false>;
  // a mod b = a - b * floor(a / b).
  EMBER_BINARY_DERIVATIVE(mod) { return {g, need_b ? negative(multiply(g, floor_divide(a, b))) : Tensor()}; };
  EMBER_BINARY_DERIVATIVE(arctan2) {
    // d atan2(a, b) = (b da - a db) / (a^2 + b^2).
    const Tensor r2 = add(square(a), square(b));
    return {need_a ? divide(multiply(g, b), r2) : Tensor(), need_b ? negative(divide(multiply(g, a), r2)) : Tensor()};
  };
  EMBER_BINARY_DERIVATIVE(floor_divide) {
    return {need_a ? zeros(a.shape(), g.dtype(), g.device()) : Tensor(),
            need_b ? zeros(b.shape(), g.dtype(), g.device()) : Tensor()};
  };
  return d;
}();
#undef EMBER_BINARY_DERIVATIVE

}  // namespace

Rule unary_rule(UnaryOp op, const Tensor& x) {
  const UnaryDerivative derivative = kUnaryDerivatives[index(op)];
  if (!derivative) {
    return [op](const Grads&, const Grads&, const std::vector<bool>&) -> Grads {
      not_implemented(kUnaryNames[index(op)], "has no gradient rule");
    };
  }
  return [derivative, x](const Grads& g, const Grads& y, const std::vector<bool>&) -> Grads {
    return {derivative(x, y[0], g[0])};
  };
}

Rule binary_rule(BinaryOp op, const Tensor& a, const Tensor& b) {
  const BinaryDerivative derivative = kBinaryDerivatives[index(op)];
  if (!derivative) {
    return [op](const Grads&, const Grads&, const std::vector<bool>&) -> Grads {
      not_implemented(kBinaryNames[index(op)], "has no gradient rule");
    };
  }
  return [derivative, a, b](const Grads& g, const Grads& y, const std::vector<bool>& needs) -> Grads {
    auto [ga, gb] = derivative(a, b, y[0], g[0], needs[0], needs[1]);
    return {needs[0] ? sum_to(ga, a.shape()) : Tensor(), needs[1] ? sum_to(gb, b.shape()) : Tensor()};
  };
}

Rule where_rule(const Tensor& condition, const Tensor& x, const Tensor& y) {
  return [condition, xs = x.shape(), ys = y.shape()](const Grads& g, const Grads&,
                                                     const std::vector<bool>& needs) -> Grads {
    const Tensor zero = scalar_like(0.0, g[0]);
    Grads out(3);
    if (needs[1]) out[1] = sum_to(where(condition, g[0], zero), xs);
    if (needs[2]) out[2] = sum_to(where(condition, zero, g[0]), ys);
    return out;
  };
}

}  // namespace ember::autograd
