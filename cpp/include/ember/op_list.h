// The declared ops: every name a backend may register a kernel for (the registry refuses
// any other, see registry.h). The elementwise families are X-macros that expand, in one
// place each, into the C++ declarations (ops.h), the front-end definitions
// (ops/elementwise.cpp), the derivative table's index (autograd/elementwise_rules.cpp) and
// the Python bindings with their docstrings (python/src/bind_ops.cpp).
//
// A row is X(name, kind, doc):
//   name  the C++ function, the Python function and the registry key;
//   kind  the dtype rule of the front end (UnaryKind / BinaryKind in ops/elementwise.cpp);
//   doc   the first paragraph of the Python docstring (bind_ops.cpp adds Args/Returns/Raises).
#pragma once

#include <string>
#include <string_view>
#include <vector>

// clang-format off
#define EMBER_UNARY_OPS(X)                                                                                  \
  X(exp, Floating, "Elementwise e**x. Integer/bool input is computed in float32.")                          \
  X(log, Floating, "Elementwise natural logarithm (float result).")                                         \
  X(log10, Floating, "Elementwise base-10 logarithm (float result).")                                       \
  X(log2, Floating, "Elementwise base-2 logarithm (float result).")                                         \
  X(sqrt, Floating, "Elementwise square root (float result).")                                              \
  X(sin, Floating, "Elementwise sine, radians (float result).")                                             \
  X(cos, Floating, "Elementwise cosine, radians (float result).")                                           \
  X(tan, Floating, "Elementwise tangent, radians (float result).")                                          \
  X(sinh, Floating, "Elementwise hyperbolic sine (float result).")                                          \
  X(cosh, Floating, "Elementwise hyperbolic cosine (float result).")                                        \
  X(erf, Floating,                                                                                          \
    "Elementwise Gauss error function erf(x) = 2 / sqrt(pi) * integral_0^x exp(-t^2) dt (float result).")  \
  X(tanh, Floating, "Elementwise hyperbolic tangent (float result).")                                       \
  X(sigmoid, Floating, "Elementwise logistic function 1 / (1 + exp(-x)) (float result).")                   \
  X(abs, Magnitude, "Elementwise absolute value; same dtype as x.")                                         \
  X(negative, NoBool, "Elementwise -x; same dtype. Raises TypeError for bool.")                             \
  X(sign, NoBool, "Elementwise sign (-1, 0, 1; NaN stays NaN); same dtype. TypeError for bool.")            \
  X(square, BoolAsInt8, "Elementwise x*x; same dtype.")                                                     \
  X(floor, SameDType, "Elementwise floor; same dtype (integers unchanged).")                                \
  X(ceil, SameDType, "Elementwise ceiling; same dtype (integers unchanged).")                               \
  X(isnan, Predicate, "Elementwise NaN test; bool result.")                                                 \
  X(isinf, Predicate, "Elementwise infinity test; bool result.")                                            \
  X(isfinite, Predicate, "Elementwise finiteness test; bool result.")                                       \
  X(logical_not, Predicate, "Elementwise logical NOT (x == 0); bool result.")                               \
  X(bitwise_not, IntegerOnly, "Elementwise bitwise NOT of integer/bool x. TypeError for floats.")           \
  X(count_ones, IntegerOnly,                                                                                \
    "Set bits of each element's two's-complement pattern (std::popcount); same dtype. TypeError for floats.")

#define EMBER_BINARY_OPS(X)                                                                                  \
  X(add, Arithmetic, "Elementwise x + y (logical OR for bool).")                                             \
  X(subtract, Subtract, "Elementwise x - y. Raises TypeError for bool - bool (use logical_xor).")           \
  X(multiply, Arithmetic, "Elementwise x * y (logical AND for bool).")                                       \
  X(divide, TrueDivide, "True division; integer inputs give float32. Broadcasts.")                          \
  X(floor_divide, NoBool, "Floor division (Python semantics; x // 0 is 0 for integers).")                   \
  X(mod, NoBool, "Remainder with the sign of the divisor (numpy.mod; x % 0 is 0 for integers).")            \
  X(power, NoBool, "Elementwise x ** y. Integers to negative integer powers raise ValueError.")              \
  X(maximum, Arithmetic, "Elementwise maximum, NaN-propagating (numpy.maximum).")                           \
  X(minimum, Arithmetic, "Elementwise minimum, NaN-propagating (numpy.minimum).")                           \
  X(equal, Compare, "Elementwise x == y; bool result.")                                                     \
  X(not_equal, Compare, "Elementwise x != y; bool result.")                                                 \
  X(less, Compare, "Elementwise x < y; bool result.")                                                       \
  X(less_equal, Compare, "Elementwise x <= y; bool result.")                                                \
  X(greater, Compare, "Elementwise x > y; bool result.")                                                    \
  X(greater_equal, Compare, "Elementwise x >= y; bool result.")                                             \
  X(logical_and, Compare, "Elementwise logical AND; bool result.")                                          \
  X(logical_or, Compare, "Elementwise logical OR; bool result.")                                            \
  X(logical_xor, Compare, "Elementwise logical XOR; bool result.")                                          \
  X(bitwise_and, Bitwise, "Elementwise bitwise AND of integer/bool tensors.")                               \
  X(bitwise_or, Bitwise, "Elementwise bitwise OR of integer/bool tensors.")                                 \
  X(bitwise_xor, Bitwise, "Elementwise bitwise XOR of integer/bool tensors.")                               \
  X(left_shift, Shift,                                                                                      \
    "numpy.left_shift: x << y; counts < 0 or >= the bit width give 0. Bool computes in int8; "             \
    "TypeError for floats.")                                                                                \
  X(right_shift, Shift,                                                                                     \
    "numpy.right_shift: arithmetic x >> y; counts < 0 or >= the bit width give 0 "                         \
    "(-1 for negative x). Bool computes in int8; TypeError for floats.")                                    \
  X(arctan2, TrueDivide,                                                                                    \
    "numpy.arctan2(x, y): the angle in [-pi, pi] of the point (y, x), i.e. atan(x / y) placed "            \
    "in the quadrant of the signs of both (std::atan2, signed zeros included). Integer and "                \
    "bool inputs compute in float32.")

// Elementwise and creation ops with a kernel for complex operands, registered as
// "complex_<name>" (ops/complex.cpp routes complex inputs to them).
#define EMBER_COMPLEX_OPS(X)                                                                   \
  X(add) X(subtract) X(multiply) X(divide) X(equal) X(not_equal) X(exp) X(log) X(sqrt)        \
  X(negative) X(square) X(abs) X(isnan) X(isinf) X(isfinite) X(copy) X(fill) X(sum)

// Every other kernel name, by family. Their front ends are written by hand (the argument
// lists differ); their non-tensor arguments travel as the typed structs of kernel_attrs.h.
#define EMBER_KERNEL_OPS(X)                                                                    \
  /* elementwise, creation, copies */                                                          \
  X(where) X(conj) X(angle) X(copy) X(fill) X(arange) X(linspace) X(transfer)                 \
  /* reductions, sorting, scans */                                                             \
  X(sum) X(prod) X(max) X(min) X(all) X(any) X(argmax) X(argmin)                              \
  X(sort) X(argsort) X(cumsum) X(percentile)                                                   \
  /* indexing */                                                                               \
  X(index) X(index_put) X(scatter) X(nonzero)                                                  \
  /* linear algebra, fft */                                                                    \
  X(matmul) X(linalg_solve) X(linalg_inv) X(linalg_det) X(linalg_cholesky) X(linalg_eigh)     \
  X(linalg_svd) X(linalg_qr) X(linalg_lstsq) X(linalg_eig) X(fft)                             \
  /* random */                                                                                 \
  X(random_uniform) X(random_normal) X(random_bernoulli) X(random_binomial) X(random_gamma)   \
  X(random_exponential) X(random_poisson) X(random_categorical) X(random_shuffle)             \
  /* fused optimizer steps */                                                                  \
  X(sgd_step) X(adam_step) X(rmsprop_step)                                                     \
  /* fused liquid sequences (forward, backward through time) */                                \
  X(ltc_sequence) X(ltc_sequence_backward) X(cfc_sequence) X(cfc_sequence_backward)
// clang-format on

namespace ember {

// Every name of the lists above, sorted (complex kernels as "complex_<name>").
const std::vector<std::string>& declared_ops();
bool is_declared_op(std::string_view name);

}  // namespace ember
