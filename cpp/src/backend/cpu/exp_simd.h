// The float32 exp's constants, and 1 / (1 + exp(t)) on AVX-512 packets, shared by the
// vectorised tanh (vector_math.cpp) and the fused LTC kernels' synapse sigmoids
// (ltc_problem.h).
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

#ifdef __AVX512F__
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
  for (int g = 0; g < G; ++g) e[g] = _mm512_add_ps(_mm512_scalef_ps(e[g], k[g]), _mm512_set1_ps(1.0f));
  for (int g = 0; g < G; ++g) r[g] = _mm512_rcp14_ps(e[g]);
  for (int g = 0; g < G; ++g) t[g] = _mm512_mul_ps(r[g], _mm512_fnmadd_ps(e[g], r[g], _mm512_set1_ps(2.0f)));
}
#endif

}  // namespace ember::cpu
