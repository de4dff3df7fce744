// Float32 exp / log / tanh / sigmoid, evaluated in double precision.
//
// Method (the textbook one, e.g. J.-M. Muller, "Elementary Functions", 3rd ed., ch. 11):
// exp(x) = 2^k exp(r) with k = round(x / ln 2) and |r| <= ln(2) / 2, exp(r) from its
// Taylor polynomial of degree 8 (truncation error below 3e-10 relative); log(x) =
// e ln 2 + 2 atanh((m - 1) / (m + 1)) with x = 2^e m, m in [sqrt(1/2), sqrt(2)), from the
// atanh series to s^11 (error below 1e-10 relative). A relative error of 3e-10 in double
// adds at most 0.01 ULP to the final rounding to float32.
#include "backend/cpu/vector_math.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace ember::cpu {
namespace {

constexpr double kLn2 = 0.6931471805599453094;
constexpr double kLog2e = 1.4426950408889634074;
// Adding 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer and leaves that
// integer in the low bits of the sum's mantissa.
constexpr double kRoundShift = 0x1.8p52;
// exp(+-110) lies beyond float32's range (and sigmoid(-110) below its smallest subnormal)
// while 2^k stays a normal double, so inputs are clamped there.
constexpr double kExpClamp = 110.0;

// std::max/min(x, bound) return x when x is NaN, so NaN passes through.
inline double clamp_exp_arg(double x) { return std::min(std::max(x, -kExpClamp), kExpClamp); }

// exp(x) = 2^k (1 + q) with q = exp(r) - 1, for |x| <= kExpClamp or NaN. expm1 adds the
// pieces so that no cancellation happens at k = 0 (needed by tanh near 0).
struct ExpParts {
  double scale;  // 2^k
  double q;      // exp(r) - 1
};
inline ExpParts exp_parts(double x) {
  const double kd = x * kLog2e + kRoundShift;
  const double k = kd - kRoundShift;
  const double r = x - k * kLn2;
  // The low 12 bits of kd's pattern are k (two's complement) + 0x800; adding the
  // exponent bias and shifting them into the exponent field gives 2^k.
  const double scale = std::bit_cast<double>((std::bit_cast<std::uint64_t>(kd) + 1023) << 52);
  double p = 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  return {scale, p * r};
}

inline double exp_d(double x) {
  const ExpParts e = exp_parts(clamp_exp_arg(x));
  return e.scale * e.q + e.scale;
}

// For |x| <= kExpClamp or NaN.
inline double expm1_d(double x) {
  const ExpParts e = exp_parts(x);
  return e.scale * e.q + (e.scale - 1.0);
}

// log of a positive, finite, normal double (garbage, but no UB, for anything else).
inline double log_d(double x) {
  // Subtracting sqrt(1/2)'s pattern makes the exponent field of the difference e, the
  // exponent that puts the mantissa m in [sqrt(1/2), sqrt(2)) (musl's logf does the same).
  // Unsigned arithmetic: callers also pass other inputs and discard the result.
  constexpr std::uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcd;
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const std::int64_t e = static_cast<std::int64_t>(bits - kSqrtHalfBits) >> 52;
  const double m = std::bit_cast<double>(bits - (static_cast<std::uint64_t>(e) << 52));
  const double s = (m - 1.0) / (m + 1.0);  // m - 1 is exact (Sterbenz)
  const double s2 = s * s;
  double p = 1.0 / 11;
  p = p * s2 + 1.0 / 9;
  p = p * s2 + 1.0 / 7;
  p = p * s2 + 1.0 / 5;
  p = p * s2 + 1.0 / 3;
  p = p * s2 + 1.0;
  return static_cast<double>(e) * kLn2 + 2.0 * s * p;
}

}  // namespace

void exp_f32(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(exp_d(x[i]));
}

void log_f32(const float* x, float* y, std::int64_t n) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  for (std::int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    // Every positive finite float is a normal double; the rest: log(+-0) = -inf,
    // log(+inf) = +inf, log(NaN) = NaN, log(negative) = NaN.
    const float special = v == 0.0f ? -kInf : (v < 0.0f ? kNaN : v);
    const float r = static_cast<float>(log_d(v));
    y[i] = (v > 0.0f && v < kInf) ? r : special;
  }
}

void tanh_f32(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = std::fabs(static_cast<double>(x[i]));
    // tanh |x| = e / (e + 2) with e = expm1(2 |x|); at |x| >= 20 it is 1 in double.
    const double e = expm1_d(2.0 * std::min(a, 20.0));
    y[i] = static_cast<float>(std::copysign(e / (e + 2.0), static_cast<double>(x[i])));
  }
}

void sigmoid_f32(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(1.0 / (1.0 + exp_d(-static_cast<double>(x[i]))));
}

}  // namespace ember::cpu
