// Derivatives of the elementwise ops. Broadcast operands get their gradient summed back
// to their own shape (sum_to); the engine casts gradients to each input's dtype.
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

// d out / d x as a function of x, out and the incoming gradient g.
Tensor unary_derivative(std::string_view op, const Tensor& x, const Tensor& y, const Tensor& g) {
  if (op == "exp") return multiply(g, y);
  if (op == "log") return divide(g, x);
  if (op == "log10") return divide(g, multiply(x, scalar_like(std::numbers::ln10, g)));
  if (op == "log2") return divide(g, multiply(x, scalar_like(std::numbers::ln2, g)));
  if (op == "sqrt") return divide(g, multiply(y, scalar_like(2.0, g)));
  if (op == "sin") return multiply(g, cos(x));
  if (op == "cos") return negative(multiply(g, sin(x)));
  if (op == "tan") return multiply(g, add(scalar_like(1.0, g), square(y)));
  if (op == "sinh") return multiply(g, cosh(x));
  if (op == "cosh") return multiply(g, sinh(x));
  if (op == "erf") return multiply(g, multiply(exp(negative(square(x))), scalar_like(std::numbers::inv_sqrtpi * 2, g)));
  if (op == "tanh") return multiply(g, subtract(scalar_like(1.0, g), square(y)));
  if (op == "sigmoid") return multiply(g, multiply(y, subtract(scalar_like(1.0, g), y)));
  if (op == "abs") return multiply(g, sign(x));
  if (op == "negative") return negative(g);
  if (op == "square") return multiply(g, multiply(x, scalar_like(2.0, g)));
  // Piecewise constant: zero gradient almost everywhere (as PyTorch).
  if (op == "sign" || op == "floor" || op == "ceil") return zeros(x.shape(), g.dtype(), g.device());
  not_implemented(std::string(op), "has no gradient rule");
}

}  // namespace

Rule unary_rule(std::string_view op, const Tensor& x) {
  return [op, x](const Grads& g, const Grads& y, const std::vector<bool>&) -> Grads {
    return {unary_derivative(op, x, y[0], g[0])};
  };
}

namespace {

// Gradients of a binary op before they are summed back to the operand shapes.
std::pair<Tensor, Tensor> binary_derivative(std::string_view op, const Tensor& a, const Tensor& b, const Tensor& y,
                                            const Tensor& g, bool need_a, bool need_b) {
  Tensor ga, gb;
  const Tensor zero = scalar_like(0.0, g);
  if (op == "add") {
    ga = g, gb = g;
  } else if (op == "subtract") {
    ga = g;
    if (need_b) gb = negative(g);
  } else if (op == "multiply") {
    if (need_a) ga = multiply(g, b);
    if (need_b) gb = multiply(g, a);
  } else if (op == "divide") {
    if (need_a) ga = divide(g, b);
    if (need_b) gb = negative(divide(multiply(g, y), b));
  } else if (op == "power") {
    // As PyTorch: d/da is 0 where b == 0, d/db is 0 where a == 0 (and b >= 0).
    if (need_a) {
      const Tensor d = multiply(b, power(a, subtract(b, scalar_like(1.0, b))));
      ga = multiply(g, where(equal(b, zero), zero, d));
    }
    if (need_b) {
      const Tensor d = multiply(y, log(a));
      gb = multiply(g, where(logical_and(equal(a, zero), greater_equal(b, zero)), zero, d));
    }
  } else if (op == "maximum" || op == "minimum") {
    // Ties share the gradient equally (PyTorch's rule), so it is symmetric in a and b.
    const Tensor half = multiply(as_float_mask(equal(a, b), g), scalar_like(0.5, g));
    const Tensor a_wins = op == "maximum" ? greater(a, b) : less(a, b);
    const Tensor b_wins = op == "maximum" ? greater(b, a) : less(b, a);
    if (need_a) ga = multiply(g, add(as_float_mask(a_wins, g), half));
    if (need_b) gb = multiply(g, add(as_float_mask(b_wins, g), half));
  } else if (op == "mod") {
    // a mod b = a - b * floor(a / b).
    ga = g;
    if (need_b) gb = negative(multiply(g, floor_divide(a, b)));
  } else if (op == "arctan2") {
    // d atan2(a, b) = (b da - a db) / (a^2 + b^2).
    const Tensor r2 = add(square(a), square(b));
    if (need_a) ga = divide(multiply(g, b), r2);
    if (need_b) gb = negative(divide(multiply(g, a), r2));
  } else if (op == "floor_divide") {
    if (need_a) ga = zeros(a.shape(), g.dtype(), g.device());
    if (need_b) gb = zeros(b.shape(), g.dtype(), g.device());
  } else {
    not_implemented(std::string(op), "has no gradient rule");
  }
  return {ga, gb};
}

}  // namespace

Rule binary_rule(std::string_view op, const Tensor& a, const Tensor& b) {
  return [op, a, b](const Grads& g, const Grads& y, const std::vector<bool>& needs) -> Grads {
    auto [ga, gb] = binary_derivative(op, a, b, y[0], g[0], needs[0], needs[1]);
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
