// Float32 exp / log / tanh / sigmoid for contiguous arrays.
//
// Methods (the textbook ones, e.g. J.-M. Muller, "Elementary Functions", 3rd ed., ch. 11):
// exp(x) = 2^k exp(r) with k = round(x / ln 2), |r| <= ln(2) / 2 and exp(r) from its
// Taylor polynomial; log(x) = e ln 2 + log(1 + f) with x = 2^e (1 + f), 1 + f in
// [sqrt(1/2), sqrt(2)), and log(1 + f) = f - f^2 / 2 + f^3 P(f) (the arrangement of
// Cephes' logf); tanh(x) = x + x^3 P(x^2) below |x| = 1, 1 - 2 / (exp(2|x|) + 1) above.
// exp, log and tanh run in float (16 lanes per AVX-512 vector); sigmoid runs in double,
// where 1 / (1 + exp(-x)) keeps its relative accuracy for large negative x.
#include "backend/cpu/vector_math.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "backend/cpu/exp_simd.h"

namespace ember::cpu {
namespace {

// Adding 1.5 * 2^23 (2^52 in double) rounds a number of magnitude below 2^22 (2^51) to an
// integer and leaves that integer in the low bits of the sum's pattern.
constexpr float kRoundShiftF = 0x1.8p23f;
constexpr double kRoundShiftD = 0x1.8p52;
// Chebyshev fits (numpy.polynomial.chebyshev.chebfit on 4000 Chebyshev nodes, rounded to
// float32): kTanhPoly[j] of (tanh(x) - x) / x^3 in s = x^2 on [0, 1] and kLogPoly[j] of
// (log(1 + f) - f + f^2 / 2) / f^3 on [sqrt(1/2) - 1, sqrt(2) - 1], both within 7e-8
// relative; their terms weigh at most 0.32 of the result.
constexpr float kTanhPoly[8] = {-3.3333334e-01f, 1.3333312e-01f, -5.3963624e-02f, 2.1830779e-02f,
                                -8.701321e-03f,  3.2118538e-03f, -9.271475e-04f,  1.4382882e-04f};
constexpr float kLogPoly[9] = {3.333333e-01f,   -2.499999e-01f, 2.0000708e-01f, -1.666848e-01f, 1.4249937e-01f,
                               -1.24110505e-01f, 1.1661511e-01f, -1.1571201e-01f, 7.149754e-02f};

// exp(r) for |r| <= ln(2) / 2 from the Taylor polynomial of degree 7 (truncation 5e-9).
inline float exp_poly(float r) {
  float p = kExpTaylor[0];
  for (int j = 1; j < 8; ++j) p = p * r + kExpTaylor[j];
  return p;
}

// x = k ln 2 + r; returns r and sets k. NaN passes through (k is then garbage).
inline float reduce_exp_arg(float x, std::int32_t& k) {
  const float kd = x * kLog2E + kRoundShiftF;
  const float kf = kd - kRoundShiftF;
  k = static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(kd) - std::bit_cast<std::uint32_t>(kRoundShiftF));
  return (x - kf * kLn2Hi) - kf * kLn2Lo;
}

// 2^k for -126 <= k <= 127.
inline float pow2(std::int32_t k) { return std::bit_cast<float>(static_cast<std::uint32_t>(k + 127) << 23); }

// exp(x) for |x| <= 87 (2^k a normal float) or NaN.
inline float exp_normal(float x) {
  std::int32_t k;
  const float r = reduce_exp_arg(x, k);
  return exp_poly(r) * pow2(k);
}

// exp(x) for every float. 2^k is applied as 2^(k/2) 2^(k - k/2), both normal floats, so
// results in the subnormal range are rounded once and overflow rounds to inf as IEEE
// multiplication does. std::max/min(x, bound) return x when x is NaN.
inline float exp_full(float x) {
  x = std::min(std::max(x, -105.0f), 89.0f);  // beyond these exp(x) rounds to 0 / inf
  std::int32_t k;
  const float r = reduce_exp_arg(x, k);
  const std::int32_t k1 = k >> 1;
  return exp_poly(r) * pow2(k1) * pow2(k - k1);
}

// exp(x) in double for |x| <= 110 (2^k a normal double) or NaN, Taylor degree 8
// (truncation below 3e-10 relative, which adds at most 0.01 ULP to a rounding to float).
inline double exp_double(double x) {
  const double kd = x * 1.4426950408889634074 + kRoundShiftD;
  const double k = kd - kRoundShiftD;
  const double r = x - k * 0.6931471805599453094;
  const double scale = std::bit_cast<double>((std::bit_cast<std::uint64_t>(kd) + 1023) << 52);
  double p = 1.0 / 40320;
  for (const double c : {1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1.0, 1.0}) p = p * r + c;
  return p * scale;
}

constexpr std::uint32_t kSqrtHalfBits = 0x3f3504f3;

// log of the positive normal float whose pattern is `bits`, plus shift ln 2.
inline float log_bits(std::uint32_t bits, std::int32_t shift) {
  // Subtracting sqrt(1/2)'s pattern makes the exponent field of the difference e, the
  // exponent that puts 1 + f in [sqrt(1/2), sqrt(2)) (musl's logf does the same).
  const std::int32_t e = static_cast<std::int32_t>(bits - kSqrtHalfBits) >> 23;
  const float f = std::bit_cast<float>(bits - (static_cast<std::uint32_t>(e) << 23)) - 1.0f;  // exact
  const float fe = static_cast<float>(e + shift);
  float p = kLogPoly[8];
  for (int j = 7; j >= 0; --j) p = p * f + kLogPoly[j];
  const float f2 = f * f;
  // Small terms first, as Cephes' logf sums them.
  return f + ((f2 * f * p + fe * kLn2Lo) - 0.5f * f2) + fe * kLn2Hi;
}

// log(v) for every float.
inline float log_any(float v) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  // Subnormals are scaled by 2^23 into the normal range first.
  const bool subnormal = v < std::numeric_limits<float>::min();
  const float r = log_bits(std::bit_cast<std::uint32_t>(subnormal ? v * 0x1p23f : v), subnormal ? -23 : 0);
  // log(+-0) = -inf, log(+inf) = +inf, log(NaN) = NaN, log(negative) = NaN.
  const float special = v == 0.0f ? -kInf : (v < 0.0f ? kNaN : v);
  return (v > 0.0f && v < kInf) ? r : special;
}

}  // namespace

void exp_f32(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = exp_full(x[i]);
}

void log_f32(const float* x, float* y, std::int64_t n) {
  // Blocks of positive normal numbers (nearly every input) skip the subnormal scaling and
  // the special cases: a quarter less time per element.
  constexpr std::int64_t kBlock = 512;
  for (std::int64_t b = 0; b < n; b += kBlock) {
    const std::int64_t m = std::min(kBlock, n - b);
    const float* xb = x + b;
    float* yb = y + b;
    // Positive normal finite floats are the patterns 0x00800000 ... 0x7f7fffff.
    std::uint32_t other = 0;
    for (std::int64_t i = 0; i < m; ++i) {
      other |= std::bit_cast<std::uint32_t>(xb[i]) - 0x00800000u >= 0x7f000000u;
    }
    if (other == 0) {
      for (std::int64_t i = 0; i < m; ++i) yb[i] = log_bits(std::bit_cast<std::uint32_t>(xb[i]), 0);
    } else {
      for (std::int64_t i = 0; i < m; ++i) yb[i] = log_any(xb[i]);
    }
  }
}

#ifdef __AVX512F__
namespace {
// tanh_f32 on the first n - n % 16 elements, 16 lanes at a time: the same polynomial, and
// 2 / (e + 1) from reciprocal_one_plus_exp (exp_simd.h), no division (whose throughput bounded
// the loop, about 1.7 times slower). The reciprocal's error (about 1 ULP of r <= 0.12) moves
// the result by at most 0.25 ULP. Returns the elements done.
std::int64_t tanh_f32_avx512(const float* x, float* y, std::int64_t n) {
  const __m512 sign = _mm512_set1_ps(-0.0f), one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 a = _mm512_andnot_ps(sign, v);
    const __m512 s = _mm512_mul_ps(a, a);
    __m512 p = _mm512_set1_ps(kTanhPoly[7]);
    for (int j = 6; j >= 0; --j) p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(kTanhPoly[j]));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(a, s), p, a);
    // min(9.1, a) keeps a NaN (vminps returns its second operand when either is NaN).
    __m512 inv[1] = {_mm512_mul_ps(two, _mm512_min_ps(_mm512_set1_ps(9.1f), a))};
    reciprocal_one_plus_exp<1>(inv);
    const __m512 large = _mm512_fnmadd_ps(two, inv[0], one);
    const __m512 mag = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, one, _CMP_LT_OQ), large, small);
    _mm512_storeu_ps(y + i, _mm512_or_ps(mag, _mm512_and_ps(sign, v)));
  }
  return i;
}

// sigmoid_fast_f32 on 16 G elements, G packets in lockstep. min(88, -x) keeps exp finite and a
// NaN (vminps returns its second operand then).
template <int G>
void sigmoid_packets(const float* x, float* y) {
  __m512 t[G];
  for (int g = 0; g < G; ++g) {
    t[g] = _mm512_min_ps(_mm512_set1_ps(88.0f), _mm512_sub_ps(_mm512_setzero_ps(), _mm512_loadu_ps(x + 16 * g)));
  }
  reciprocal_one_plus_exp<G>(t);
  for (int g = 0; g < G; ++g) _mm512_storeu_ps(y + 16 * g, t[g]);
}
}  // namespace
#endif

void tanh_f32(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
#ifdef __AVX512F__
  i = tanh_f32_avx512(x, y, n);
#endif
  for (; i < n; ++i) {
    const float a = std::fabs(x[i]);
    const float s = a * a;
    float p = kTanhPoly[7];
    for (int j = 6; j >= 0; --j) p = p * s + kTanhPoly[j];
    const float small = a * s * p + a;
    // From 9.1 on float32's tanh is 1; NaN passes through std::min(a, bound).
    const float large = 1.0f - 2.0f / (exp_normal(2.0f * std::min(a, 9.1f)) + 1.0f);
    y[i] = std::copysign(a < 1.0f ? small : large, x[i]);
  }
}

void sigmoid_f32(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    // exp(110) is beyond float's range and sigmoid(-110) below its smallest subnormal.
    const double t = std::min(std::max(-static_cast<double>(x[i]), -110.0), 110.0);
    y[i] = static_cast<float>(1.0 / (1.0 + exp_double(t)));
  }
}

void sigmoid_fast_f32(const float* x, float* y, std::int64_t n) {
  std::int64_t i = 0;
#ifdef __AVX512F__
  for (; i + 64 <= n; i += 64) sigmoid_packets<4>(x + i, y + i);
  for (; i + 16 <= n; i += 16) sigmoid_packets<1>(x + i, y + i);
#endif
  sigmoid_f32(x + i, y + i, n - i);
}

}  // namespace ember::cpu
