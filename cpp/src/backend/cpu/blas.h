// OpenBLAS's GEMM for the cpu kernels that need one outside matmul (float32 / float64).
#pragma once

#include <cblas.h>

#include <cstdint>
#include <type_traits>

namespace ember::cpu {

// C = op(A) op(B) (beta 0) or C += op(A) op(B) (accumulate), row-major, op = transpose
// where ta / tb: C is M x N, op(A) M x K, op(B) K x N.
template <class T>
void gemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const T* a, std::int64_t lda,
          const T* b, std::int64_t ldb, T* c, std::int64_t ldc, bool accumulate = false) {
  const auto TA = ta ? CblasTrans : CblasNoTrans;
  const auto TB = tb ? CblasTrans : CblasNoTrans;
  const T beta = accumulate ? T(1) : T(0);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, TA, TB, M, N, K, 1.0f, a, lda, b, ldb, beta, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, TA, TB, M, N, K, 1.0, a, lda, b, ldb, beta, c, ldc);
  }
}

}  // namespace ember::cpu
