// Vectorised float32 transcendental kernels for contiguous arrays.
//
// Each is evaluated in double precision and rounded to float32 once, so results are
// within 0.51 ULP of the exact value (NumPy's AVX512F float32 exp and log allow up to
// 2.5 and 3.8 ULP), overflow, underflow to subnormals and signed zeros come out of the
// final double -> float rounding, and inf / NaN / negative inputs follow C99 Annex F.
// The loops have no branches and no libm calls, so the compiler vectorises them for
// whatever SIMD width the build targets.
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

}  // namespace ember::cpu
