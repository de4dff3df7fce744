// CPU matmul: OpenBLAS sgemm/dgemm for float32/float64, a blocked loop for integers.
#include <cblas.h>

#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/errors.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// Byte offset of batch `b` for a tensor whose leading ndim-2 axes are the batch axes.
std::int64_t batch_offset(const Tensor& t, std::int64_t b) {
  std::int64_t off = 0;
  for (int d = t.ndim() - 3; d >= 0; --d) {
    off += (b % t.shape()[d]) * t.strides()[d];
    b /= t.shape()[d];
  }
  return off;
}

// How BLAS can read a strided matrix without a copy: row-major (unit column stride)
// or transposed (unit row stride); otherwise it must be packed first.
struct BlasView {
  bool ok = false;
  bool trans = false;
  std::int64_t ld = 0;
};
BlasView blas_view(std::int64_t rows, std::int64_t cols, std::int64_t rs, std::int64_t cs) {
  if ((cs == 1 || cols == 1) && rs >= std::max<std::int64_t>(cols, 1)) return {true, false, rs};
  if ((rs == 1 || rows == 1) && cs >= std::max<std::int64_t>(rows, 1)) return {true, true, cs};
  return {};
}

template <class T>
void gemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const T* a, std::int64_t lda,
          const T* b, std::int64_t ldb, T* c, std::int64_t ldc) {
  const auto TA = ta ? CblasTrans : CblasNoTrans;
  const auto TB = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, TA, TB, M, N, K, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, TA, TB, M, N, K, 1.0, a, lda, b, ldb, 0.0, c, ldc);
  }
}

template <class T>
void blas_matmul(const Tensor& a, const Tensor& b, Tensor& out, std::int64_t batches) {
  const int nd = out.ndim();
  const std::int64_t M = out.shape()[nd - 2], N = out.shape()[nd - 1], K = a.shape()[nd - 1];
  const auto av = blas_view(M, K, a.strides()[nd - 2], a.strides()[nd - 1]);
  const auto bv = blas_view(K, N, b.strides()[nd - 2], b.strides()[nd - 1]);
  // One b for every batch (its batch axes broadcast) and a C-contiguous a, as in a layer
  // applied to a batch of sequences: a single GEMM over all batches' rows, (batches M) x K
  // times K x N, instead of one small GEMM per batch.
  bool shared_b = batches > 1 && bv.ok && a.is_contiguous();
  for (int d = 0; d < nd - 2; ++d) shared_b &= b.strides()[d] == 0 || b.shape()[d] == 1;
  if (shared_b) {
    gemm<T>(false, bv.trans, batches * M, N, K, a.data<T>(), std::max<std::int64_t>(K, 1), b.data<T>(), bv.ld,
            out.data<T>(), std::max<std::int64_t>(N, 1));
    return;
  }
  std::vector<T> pa, pb;  // packed copies for matrices BLAS cannot read in place
  for (std::int64_t bt = 0; bt < batches; ++bt) {
    const T* ap = a.data<T>() + batch_offset(a, bt);
    const T* bp = b.data<T>() + batch_offset(b, bt);
    T* cp = out.data<T>() + bt * M * N;
    BlasView ua = av, ub = bv;
    if (!ua.ok) {
      pa.resize(M * K);
      for (std::int64_t i = 0; i < M; ++i)
        for (std::int64_t k = 0; k < K; ++k) pa[i * K + k] = ap[i * a.strides()[nd - 2] + k * a.strides()[nd - 1]];
      ap = pa.data();
      ua = {true, false, std::max<std::int64_t>(K, 1)};
    }
    if (!ub.ok) {
      pb.resize(K * N);
      for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t j = 0; j < N; ++j) pb[k * N + j] = bp[k * b.strides()[nd - 2] + j * b.strides()[nd - 1]];
      bp = pb.data();
      ub = {true, false, std::max<std::int64_t>(N, 1)};
    }
    gemm<T>(ua.trans, ub.trans, M, N, K, ap, ua.ld, bp, ub.ld, cp, std::max<std::int64_t>(N, 1));
  }
}

// Integer matmul with wrapping arithmetic (as NumPy), i-k-j order for unit-stride inner
// loops; uint64 accumulation avoids signed overflow and small-type int promotion.
template <class T>
void int_matmul(const Tensor& a, const Tensor& b, Tensor& out, std::int64_t batches) {
  using U = std::uint64_t;
  const int nd = out.ndim();
  const std::int64_t M = out.shape()[nd - 2], N = out.shape()[nd - 1], K = a.shape()[nd - 1];
  const std::int64_t ars = a.strides()[nd - 2], acs = a.strides()[nd - 1];
  const std::int64_t brs = b.strides()[nd - 2], bcs = b.strides()[nd - 1];
  parallel_range(batches * M, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(N * K, 1)),
                 [&](std::int64_t lo, std::int64_t hi) {
                   std::vector<U> row(N);
                   for (std::int64_t w = lo; w < hi; ++w) {
                     const std::int64_t bt = w / M, i = w % M;
                     const T* ap = a.data<T>() + batch_offset(a, bt) + i * ars;
                     const T* bp = b.data<T>() + batch_offset(b, bt);
                     std::fill(row.begin(), row.end(), U(0));
                     for (std::int64_t k = 0; k < K; ++k) {
                       const U av = static_cast<U>(ap[k * acs]);
                       const T* brow = bp + k * brs;
                       for (std::int64_t j = 0; j < N; ++j) row[j] = static_cast<U>(row[j] + av * static_cast<U>(brow[j * bcs]));
                     }
                     T* cp = out.data<T>() + (bt * M + i) * N;
                     for (std::int64_t j = 0; j < N; ++j) cp[j] = static_cast<T>(row[j]);
                   }
                 });
}

// inputs: a [B..., M, K], b [B..., K, N] (batch axes already broadcast, any strides);
// outputs: contiguous [B..., M, N] of the same dtype (float32/64 or an integer type).
void matmul_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& a = in[0];
  const Tensor& b = in[1];
  Tensor& c = out[0];
  std::int64_t batches = 1;
  for (int d = 0; d < c.ndim() - 2; ++d) batches *= c.shape()[d];
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      blas_matmul<T>(a, b, c, batches);
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      int_matmul<T>(a, b, c, batches);
    } else {
      type_error("matmul", "kernel called with unsupported dtype ", dtype_name(a.dtype()));
    }
  });
}

}  // namespace

void register_matmul_kernels() { op_entry("matmul").set_kernel(DeviceType::CPU, matmul_kernel); }

}  // namespace ember::cpu
