// Front-end linear algebra (numpy.linalg semantics) of ember_ml.ops.linearalg.
// Decompositions are batched over leading axes where NumPy batches. float32 and float64
// inputs compute in their own dtype; integer and bool inputs compute in float32; float16
// raises TypeError (as numpy.linalg), and so does complex input except to eig / eigvals.
// Where NumPy raises LinAlgError (singular, not positive definite, non-finite input to
// eig) these raise ValueError naming the op and the shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ember/ops.h"

namespace ember::linalg {

Tensor solve(const Tensor& a, const Tensor& b);  // b: (..., M) only when 1-D, else (..., M, K)
Tensor inv(const Tensor& a);
Tensor det(const Tensor& a);
Tensor cholesky(const Tensor& a);  // lower factor; reads the lower triangle only

struct EighResult {
  Tensor eigenvalues;   // (..., N), ascending
  Tensor eigenvectors;  // (..., N, N), columns
};
EighResult eigh(const Tensor& a);  // reads the lower triangle only

struct EigResult {
  Tensor eigenvalues;   // (..., N)
  Tensor eigenvectors;  // (..., N, N), unit-length columns; undefined for eigvals
};
// numpy.linalg.eig / eigvals of general square matrices (batched). Real input gives
// real results when every eigenvalue of the batch is real, else complex64 / complex128
// (as numpy); complex input gives complex results. Eigenvalues come in no particular
// order and each eigenvector is fixed only up to a complex factor of modulus 1.
// Non-finite input raises ValueError (numpy: LinAlgError).
EigResult eig(const Tensor& a);
Tensor eigvals(const Tensor& a);

struct SvdResult {
  Tensor u;   // (..., M, M) or (..., M, K); undefined when !compute_uv
  Tensor s;   // (..., K), K = min(M, N), descending
  Tensor vh;  // (..., N, N) or (..., K, N); undefined when !compute_uv
};
SvdResult svd(const Tensor& a, bool full_matrices, bool compute_uv);

struct QrResult {
  Tensor q;  // undefined for mode "r"
  Tensor r;
};
// mode: "reduced" (Q (..., M, K), R (..., K, N)), "complete" (Q (..., M, M), R (..., M, N)), "r".
QrResult qr(const Tensor& a, const std::string& mode);

struct LstsqResult {
  Tensor x;          // (N,) or (N, K)
  Tensor residuals;  // (K,) (or (1,) for 1-D b) when rank == N < M, else (0,)
  Tensor rank;       // 0-d int32
  Tensor s;          // (min(M, N),)
};
// rcond: singular values <= rcond * max(s) count as zero; nullopt: eps * max(M, N).
LstsqResult lstsq(const Tensor& a, const Tensor& b, std::optional<double> rcond);

// The order of a norm: none (2-norm / Frobenius), a number (inf allowed), 'fro' or 'nuc'.
struct NormOrd {
  enum class Kind { Default, Number, Fro, Nuc };
  Kind kind = Kind::Default;
  double p = 0.0;
};
// axis: nullopt (whole tensor), one axis (vector norm) or two axes (matrix norm).
Tensor norm(const Tensor& x, const NormOrd& ord, const Axes& axis, bool keepdims);

Tensor diag(const Tensor& x, std::int64_t k);  // 1-D -> 2-D matrix; 2-D -> copy of a diagonal
// A view of the diagonals of the (axis1, axis2) planes, appended as the last axis.
Tensor diagonal(const Tensor& x, std::int64_t offset, std::int64_t axis1, std::int64_t axis2);

// A (semi-)orthogonal matrix of `shape` (>= 2-D; rows = prod(shape[:-1]), cols = shape[-1])
// times `gain`, from the QR of a standard normal matrix with the signs of diag(R) folded
// into Q (Saxe et al. 2013). The normals come from the Philox stream (global unless
// `seed` is given).
Tensor orthogonal(const Shape& shape, double gain, DType dtype, Device device, std::optional<std::uint64_t> seed);

}  // namespace ember::linalg
