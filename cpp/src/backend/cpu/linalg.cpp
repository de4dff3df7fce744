// CPU linear-algebra kernels on Eigen. Every kernel receives contiguous float32/float64
// batches [B, M, N] (LinalgAttrs: batch, rows, cols), loops over the batch, and fills
// contiguous outputs. Numerical failures (exact zero pivot, not positive definite, no
// convergence) are reported per batch item in an int32 `info` output, as LAPACK does,
// so the front-end can raise with the caller's shapes.
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/errors.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using MapMat = Eigen::Map<Mat<T>>;
template <class T>
using MapConstMat = Eigen::Map<const Mat<T>>;

struct Dims {
  std::int64_t B, M, N;
};
Dims dims(const Attrs& attrs) {
  const LinalgAttrs a = decode<LinalgAttrs>(attrs);
  return {a.batch, a.rows, a.cols};
}

// Splits the batch across threads when one matrix is small relative to the batch.
template <class Fn>
void for_each_batch(const Dims& d, Fn&& fn) {
  const std::int64_t work = std::max<std::int64_t>(1, d.M * d.N * std::max(d.M, d.N));
  parallel_range(d.B, std::max<std::int64_t>(1, kParallelGrain / work), [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b) fn(b);
  });
}

// Calls fn(T{}) for float32 / float64; the front-end never sends other dtypes.
template <class Fn>
void visit_float(DType dtype, const char* op, Fn&& fn) {
  if (dtype == DType::Float32) return fn(float{});
  if (dtype == DType::Float64) return fn(double{});
  type_error(op, "kernel called with unsupported dtype ", dtype_name(dtype));
}

// LAPACK getrf reports singularity as an exact zero pivot; PartialPivLU keeps going, so
// the pivots are checked here to raise where numpy.linalg raises.
template <class T>
bool has_zero_pivot(const Eigen::PartialPivLU<Mat<T>>& lu) {
  return (lu.matrixLU().diagonal().array() == T(0)).any();
}

// in: a [B, N, N], b [B, N, K]; out: x [B, N, K], info [B]; attrs: B, N, K.
void solve_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  visit_float(in[0].dtype(), "solve", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch({d.B, d.M, d.M}, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.M, d.M, d.M);
      const MapConstMat<T> rhs(in[1].data<T>() + b * d.M * d.N, d.M, d.N);
      MapMat<T> x(out[0].data<T>() + b * d.M * d.N, d.M, d.N);
      const Eigen::PartialPivLU<Mat<T>> lu(a);
      const bool singular = has_zero_pivot<T>(lu);
      out[1].data<std::int32_t>()[b] = singular ? 1 : 0;
      if (!singular) x = lu.solve(rhs);
    });
  });
}

// in: a [B, N, N]; out: inverse [B, N, N], info [B]; attrs: B, N, N.
void inv_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  visit_float(in[0].dtype(), "inv", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.M, d.M, d.M);
      MapMat<T> x(out[0].data<T>() + b * d.M * d.M, d.M, d.M);
      const Eigen::PartialPivLU<Mat<T>> lu(a);
      const bool singular = has_zero_pivot<T>(lu);
      out[1].data<std::int32_t>()[b] = singular ? 1 : 0;
      if (!singular) x = lu.inverse();
    });
  });
}

// in: a [B, N, N] with N > 0; out: det [B]; attrs: B, N, N.
void det_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  visit_float(in[0].dtype(), "det", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.M, d.M, d.M);
      out[0].data<T>()[b] = Eigen::PartialPivLU<Mat<T>>(a).determinant();
    });
  });
}

// in: a [B, N, N]; out: L [B, N, N] (zeros above the diagonal), info [B]; attrs: B, N, N.
void cholesky_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  visit_float(in[0].dtype(), "cholesky", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.M, d.M, d.M);
      MapMat<T> l(out[0].data<T>() + b * d.M * d.M, d.M, d.M);
      const Eigen::LLT<Mat<T>, Eigen::Lower> llt(a);
      const bool ok = llt.info() == Eigen::Success;
      out[1].data<std::int32_t>()[b] = ok ? 0 : 1;
      if (ok) l = llt.matrixL();
    });
  });
}

// in: a [B, N, N]; out: w [B, N] ascending, v [B, N, N], info [B]; attrs: B, N, N.
void eigh_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  visit_float(in[0].dtype(), "eigh", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.M, d.M, d.M);
      // SelfAdjointEigenSolver reads only the lower triangle, like numpy's UPLO='L'.
      const Eigen::SelfAdjointEigenSolver<Mat<T>> es(a);
      const bool ok = es.info() == Eigen::Success;
      out[2].data<std::int32_t>()[b] = ok ? 0 : 1;
      if (!ok) return;
      Eigen::Map<Vec<T>>(out[0].data<T>() + b * d.M, d.M) = es.eigenvalues();
      MapMat<T>(out[1].data<T>() + b * d.M * d.M, d.M, d.M) = es.eigenvectors();
    });
  });
}

// in: a [B, M, N]; out: s [B, K] (+ u, vh unless SvdMode::ValuesOnly).
void svd_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  const SvdMode uv = decode<LinalgAttrs>(attrs).svd;
  const std::int64_t K = std::min(d.M, d.N);
  const unsigned opts = uv == SvdMode::ValuesOnly ? 0u
                        : uv == SvdMode::Reduced  ? unsigned(Eigen::ComputeThinU | Eigen::ComputeThinV)
                                                  : unsigned(Eigen::ComputeFullU | Eigen::ComputeFullV);
  const std::int64_t ucols = uv == SvdMode::Full ? d.M : K, vrows = uv == SvdMode::Full ? d.N : K;
  visit_float(in[0].dtype(), "svd", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.N, d.M, d.N);
      // Divide and conquer (bidiagonal) SVD: LAPACK gesdd's algorithm, as numpy uses.
      const Eigen::BDCSVD<Mat<T>> svd(a, opts);
      if (svd.info() != Eigen::Success) {
        // Never leave the outputs uninitialised: NaN singular values tell the front end.
        Eigen::Map<Vec<T>>(out[0].data<T>() + b * K, K).setConstant(std::numeric_limits<T>::quiet_NaN());
        return;
      }
      Eigen::Map<Vec<T>>(out[0].data<T>() + b * K, K) = svd.singularValues();
      if (uv == SvdMode::ValuesOnly) return;
      MapMat<T>(out[1].data<T>() + b * d.M * ucols, d.M, ucols) = svd.matrixU();
      MapMat<T>(out[2].data<T>() + b * vrows * d.N, vrows, d.N) = svd.matrixV().transpose();
    });
  });
}

// in: a [B, M, N]; out: r (+ q first unless QrMode::ROnly). Householder QR, as LAPACK geqrf.
void qr_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  const QrMode mode = decode<LinalgAttrs>(attrs).qr;
  const std::int64_t K = std::min(d.M, d.N);
  const std::int64_t qcols = mode == QrMode::Complete ? d.M : K, rrows = mode == QrMode::Complete ? d.M : K;
  Tensor& r_out = mode == QrMode::ROnly ? out[0] : out[1];
  visit_float(in[0].dtype(), "qr", [&](auto tag) {
    using T = decltype(tag);
    for_each_batch(d, [&](std::int64_t b) {
      const MapConstMat<T> a(in[0].data<T>() + b * d.M * d.N, d.M, d.N);
      const Eigen::HouseholderQR<Mat<T>> qr(a);
      MapMat<T> r(r_out.data<T>() + b * rrows * d.N, rrows, d.N);
      r.setZero();
      r.topRows(K) = qr.matrixQR().topRows(K).template triangularView<Eigen::Upper>();
      if (mode == QrMode::ROnly) return;
      MapMat<T> q(out[0].data<T>() + b * d.M * qcols, d.M, qcols);
      q = qr.householderQ() * Mat<T>::Identity(d.M, qcols);
    });
  });
}

// in: a [1, M, N], b [M, K]; out: x [N, K], s [min(M, N)], rank [1] int32;
// attrs: batch 1, rhs K, rcond. Minimum-norm solution from the SVD (as gelsd).
void lstsq_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  const LinalgAttrs spec = decode<LinalgAttrs>(attrs);
  const std::int64_t K = spec.rhs;
  visit_float(in[0].dtype(), "lstsq", [&](auto tag) {
    using T = decltype(tag);
    const MapConstMat<T> a(in[0].data<T>(), d.M, d.N);
    const MapConstMat<T> rhs(in[1].data<T>(), d.M, K);
    Eigen::BDCSVD<Mat<T>> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
    // Eigen's threshold is relative to the largest singular value, as numpy's rcond.
    svd.setThreshold(static_cast<T>(spec.rcond));
    MapMat<T>(out[0].data<T>(), d.N, K) = svd.solve(rhs);
    Eigen::Map<Vec<T>>(out[1].data<T>(), std::min(d.M, d.N)) = svd.singularValues();
    out[2].data<std::int32_t>()[0] = static_cast<std::int32_t>(svd.rank());
  });
}

// in: a [B, N, N] (float32 / float64, or complex64 / complex128); out: w [B, N], then
// (when eigenvectors) v [B, N, N] with unit-length eigenvector columns, both complex
// of a's precision, then info [B] (1: the QR iteration did not converge). Real matrices use EigenSolver (real Schur form, as LAPACK geev), complex
// ones ComplexEigenSolver (complex Schur form).
template <class Solver, class T>
void eig_batch(std::span<const Tensor> in, std::span<Tensor> out, const Dims& d, bool vectors) {
  using C = std::complex<typename Eigen::NumTraits<T>::Real>;
  Tensor& info = out[vectors ? 2 : 1];
  for_each_batch(d, [&](std::int64_t b) {
    const Solver es(MapConstMat<T>(in[0].data<T>() + b * d.M * d.M, d.M, d.M), vectors);
    const bool ok = es.info() == Eigen::Success;
    info.data<std::int32_t>()[b] = ok ? 0 : 1;
    if (!ok) return;
    Eigen::Map<Vec<C>>(out[0].data<C>() + b * d.M, d.M) = es.eigenvalues();
    if (vectors) MapMat<C>(out[1].data<C>() + b * d.M * d.M, d.M, d.M) = es.eigenvectors();
  });
}

void eig_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Dims d = dims(attrs);
  const bool vectors = decode<LinalgAttrs>(attrs).eigenvectors;
  if (is_complex(in[0].dtype())) {
    visit_complex_dtype(in[0].dtype(), [&](auto tag) {
      using T = decltype(tag);
      eig_batch<Eigen::ComplexEigenSolver<Mat<T>>, T>(in, out, d, vectors);
    });
    return;
  }
  visit_float(in[0].dtype(), "eig", [&](auto tag) {
    using T = decltype(tag);
    eig_batch<Eigen::EigenSolver<Mat<T>>, T>(in, out, d, vectors);
  });
}

}  // namespace

void register_linalg_kernels() {
  op_entry("linalg_solve").set_kernel(DeviceType::CPU, solve_kernel);
  op_entry("linalg_inv").set_kernel(DeviceType::CPU, inv_kernel);
  op_entry("linalg_det").set_kernel(DeviceType::CPU, det_kernel);
  op_entry("linalg_cholesky").set_kernel(DeviceType::CPU, cholesky_kernel);
  op_entry("linalg_eigh").set_kernel(DeviceType::CPU, eigh_kernel);
  op_entry("linalg_svd").set_kernel(DeviceType::CPU, svd_kernel);
  op_entry("linalg_qr").set_kernel(DeviceType::CPU, qr_kernel);
  op_entry("linalg_lstsq").set_kernel(DeviceType::CPU, lstsq_kernel);
  op_entry("linalg_eig").set_kernel(DeviceType::CPU, eig_kernel);
}

}  // namespace ember::cpu
