// Vectorised float32 transcendental kernels for contiguous arrays.
//
// Branch-free loops without libm calls, which the compiler vectorises for whatever SIMD
// width the build targets; overflow, underflow to subnormals, signed zeros, inf, NaN and
// negative inputs to log follow C99 Annex F. Largest errors measured by
// tests_py/test_transcendental_accuracy.py (every 4099th float32 bit pattern and a dense
// grid), against NumPy 2's AVX-512 float32 loops on the same inputs: exp 0.88 ULP (NumPy
// 2.31), log 0.80 (3.30), tanh 1.02 (1.36); sigmoid, evaluated in double and rounded once,
// at most 0.51 ULP.
#pragma once

#include <cstdint>

namespace ember::cpu {

// y[i] = exp(x[i]) for i in [0, n). x and y may be the same array.
void exp_f32(const float* x, float* y, std::int64_t n);
// y[i] = log(x[i]): -inf at +-0, NaN below 0.
void log_f32(const float* x, float* y, std::int64_t n);
// y[i] = tanh(x[i]), odd (tanh(-0) = -0).
void tanh_f32(const float* x, float* y, std::int64_t n);
// y[i] = 1 / (1 + exp(-x[i])), the logistic sigmoid.
void sigmoid_f32(const float* x, float* y, std::int64_t n);
// The same in float for the fused RNN kernels, where it is one of the larger costs: on
// AVX-512, 1 / (1 + exp(-x)) from reciprocal_one_plus_exp (exp_simd.h), four packets in
// lockstep: within 3 ULP of the sigmoid from x = -87 on (2.75 measured near x = -0.03, where
// the roundings of 1 + e and of exp add up; tests_cpp/test_vector_math.cpp), against 0.51 for
// sigmoid_f32; below x = -88, where the sigmoid is under 6.1e-39, it returns sigmoid(-88).
// Elsewhere, and for the last n % 16 elements, sigmoid_f32.
void sigmoid_fast_f32(const float* x, float* y, std::int64_t n);

}  // namespace ember::cpu
