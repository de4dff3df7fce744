// The float32 exp's constants, and 1 / (1 + exp(t)) on AVX-512 packets: the vectorised tanh
// and sigmoid_fast_f32 (vector_math.cpp) take exp(t), the fused LTC kernels' synapse sigmoids
// (ltc_problem.h) 2^u.
//
// exp(t) = 2^k exp(r) with k = round(t / ln 2), r = t - k ln 2 (Cody-Waite: ln 2 in two
// parts) and exp(r) from its Taylor polynomial of degree 7 (J.-M. Muller, "Elementary
// Functions", 3rd ed., ch. 11); 2^k is applied exactly by vscalefps. 1 / d is the 14-bit
// reciprocal estimate q refined by one Newton step q (2 - d q) (relative error about 2^-28)
// instead of a division, whose throughput bounds such loops.
#pragma once

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace ember::cpu {

// 1 / ln 2; ln 2 = kLn2Hi + kLn2Lo with kLn2Hi exact in 9 bits, so k * kLn2Hi is exact for
// |k| < 2^15; the Taylor coefficients 1 / j! of exp(r), highest degree (7) first
// (truncation 5e-9 relative for |r| <= ln(2) / 2).
inline constexpr float kLog2E = 1.44269504f;
inline constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
inline constexpr float kExpTaylor[8] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
// 2^f on [-1/2, 1/2], highest degree (6) first: numpy.polynomial.chebyshev.chebfit on 4000
// Chebyshev nodes, rounded to float32, within 1.9e-8 relative.
inline constexpr float kExp2Poly[7] = {1.5469732e-04f, 1.3400433e-03f, 9.618025e-03f, 5.550327e-02f,
                                       2.402265e-01f,  6.931472e-01f,  1.0f};

#ifdef __AVX512F__
// e[g] = 1 / (1 + e[g]) for e >= 0.
template <int G>
inline void reciprocal_one_plus(__m512 (&e)[G]) {
  __m512 d[G], q[G];
  for (int g = 0; g < G; ++g) d[g] = _mm512_add_ps(e[g], _mm512_set1_ps(1.0f));
  for (int g = 0; g < G; ++g) q[g] = _mm512_rcp14_ps(d[g]);
  for (int g = 0; g < G; ++g) e[g] = _mm512_mul_ps(q[g], _mm512_fnmadd_ps(d[g], q[g], _mm512_set1_ps(2.0f)));
}

// t[g] = 1 / (1 + exp(t[g])) for G packets of t <= 88 (exp(t) then stays finite) or NaN
// (passed through). Each packet's result is a chain of about 16 dependent instructions;
// evaluated one packet after another, out-of-order execution overlaps only a few such
// chains, so the G packets advance stage by stage together (in a micro-benchmark of the LTC
// synapse loop, 5.2 ns per synapse with G = 8 against 6.6 with G = 1 and 7.7 with Eigen's
// logistic, which also branches on the input's range).
template <int G>
inline void reciprocal_one_plus_exp(__m512 (&t)[G]) {
  __m512 k[G], r[G], e[G];
  for (int g = 0; g < G; ++g) {
    k[g] = _mm512_roundscale_ps(_mm512_mul_ps(t[g], _mm512_set1_ps(kLog2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  for (int g = 0; g < G; ++g) r[g] = _mm512_fnmadd_ps(k[g], _mm512_set1_ps(kLn2Hi), t[g]);
  for (int g = 0; g < G; ++g) r[g] = _mm512_fnmadd_ps(k[g], _mm512_set1_ps(kLn2Lo), r[g]);
  for (int g = 0; g < G; ++g) e[g] = _mm512_set1_ps(kExpTaylor[0]);
  for (int j = 1; j < 8; ++j) {
    for (int g = 0; g < G; ++g) e[g] = _mm512_fmadd_ps(e[g], r[g], _mm512_set1_ps(kExpTaylor[j]));
  }
  for (int g = 0; g < G; ++g) t[g] = _mm512_scalef_ps(e[g], k[g]);
  reciprocal_one_plus(t);
}

// u[g] = 1 / (1 + 2^u[g]) for u <= 126 or NaN, with 2^f on f = u - round(u) in [-1/2, 1/2] from
// kExp2Poly: fewer instructions than reciprocal_one_plus_exp where the caller's argument
// comes in base 2 at no cost (the LTC synapses fold 1 / ln 2 into their table), but without
// the Cody-Waite split u carries its own rounding error times ln 2 |u| into the result.
template <int G>
inline void reciprocal_one_plus_exp2(__m512 (&u)[G]) {
  __m512 k[G], f[G], e[G];
  for (int g = 0; g < G; ++g) k[g] = _mm512_roundscale_ps(u[g], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  for (int g = 0; g < G; ++g) f[g] = _mm512_sub_ps(u[g], k[g]);
  for (int g = 0; g < G; ++g) e[g] = _mm512_set1_ps(kExp2Poly[0]);
  for (int j = 1; j < 7; ++j) {
    for (int g = 0; g < G; ++g) e[g] = _mm512_fmadd_ps(e[g], f[g], _mm512_set1_ps(kExp2Poly[j]));
  }
  for (int g = 0; g < G; ++g) u[g] = _mm512_scalef_ps(e[g], k[g]);
  reciprocal_one_plus(u);
}
#endif

}  // namespace ember::cpu
