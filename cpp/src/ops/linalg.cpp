// Front-end linear algebra: validation, dtype choice and batching for the Eigen kernels
// (numpy.linalg semantics); norm, diag and diagonal are built from other ops and views.
#include "ember/linalg.h"

#include <cmath>
#include <limits>
#include <random>

#include "autograd/rules.h"
#include "ops/common.h"

namespace ember::linalg {

using detail::describe;
using detail::registered_op;

namespace {

// numpy.linalg has no half-precision LAPACK and refuses float16; integers and bool
// compute in float32, as Ember's other float-valued ops.
DType compute_dtype(DType dtype, const char* op) {
  if (dtype == DType::Float16) type_error(op, "float16 is not supported; cast to float32 first");
  if (is_complex(dtype)) {
    type_error(op, dtype_name(dtype), " is not supported; only eig and eigvals take complex input");
  }
  return is_floating(dtype) ? dtype : default_dtype(DTypeKind::Float);
}

void require_matrix(const Tensor& a, const char* op) {
  if (a.ndim() < 2) value_error(op, "expected a matrix or a stack of matrices (>= 2-D), got ", describe(a));
}

void require_square(const Tensor& a, const char* op) {
  require_matrix(a, op);
  if (a.dim(-1) != a.dim(-2)) value_error(op, "last two dimensions must be square, got ", describe(a));
}

Shape batch_of(const Tensor& a) { return Shape(a.shape().begin(), a.shape().end() - 2); }

Shape with_tail(Shape shape, std::initializer_list<std::int64_t> tail) {
  shape.insert(shape.end(), tail);
  return shape;
}

// `a` broadcast to `shape`, cast to `dtype`, contiguous, viewed as [B, M, N].
Tensor prepared(const Tensor& a, const Shape& shape, DType dtype) {
  const Tensor b = a.shape() == shape ? a : a.broadcast_to(shape);
  const Tensor c = b.dtype() == dtype ? contiguous(b) : cast(b, dtype);
  const std::int64_t M = shape[shape.size() - 2], N = shape.back();
  return c.view({shape_numel(Shape(shape.begin(), shape.end() - 2)), M, N});
}

LinalgAttrs dims_attrs(std::int64_t B, std::int64_t M, std::int64_t N) { return {B, M, N}; }

void call(const char* kernel, Device device, std::initializer_list<Tensor> ins, std::vector<Tensor>& outs,
          const LinalgAttrs& attrs) {
  registered_op(kernel).call(device, std::span<const Tensor>(ins.begin(), ins.size()), outs, encode(attrs));
}

// Raises LinAlgError `what` when a kernel flagged any batch item in `info`, naming the input.
void check_info(const Tensor& info, const char* op, const char* what, const Tensor& a) {
  const Tensor host = to_device(info, Device{});
  const std::int32_t* flags = host.data<std::int32_t>();
  for (std::int64_t b = 0; b < host.numel(); ++b) {
    if (flags[b] == 0) continue;
    if (a.ndim() > 2) linalg_error(op, what, " (matrix ", b, " of the batch of ", describe(a), ")");
    linalg_error(op, what, " (", describe(a), ")");
  }
}

bool all_true(const Tensor& mask) { return to_device(all(mask, std::nullopt, false), Device{}).data<bool>()[0]; }

// LinAlgError `what` when `values` (the prepared form of the input `a`) hold an inf or a
// NaN: the LAPACK-style drivers have no defined result for them (numpy.linalg raises too).
void require_finite(const Tensor& values, const Tensor& a, const char* op, const char* what) {
  if (values.numel() > 0 && !all_true(isfinite(values))) {
    linalg_error(op, what, " (", describe(a), " holds infs or NaNs)");
  }
}

// True when the lower triangle of every matrix of a [B, N, N] float tensor is finite:
// cholesky and eigh read only that triangle, as numpy.linalg's UPLO='L'.
bool lower_triangle_finite(const Tensor& a) {
  const Tensor h = contiguous(to_device(a, Device{}));
  const std::int64_t N = h.dim(-1), B = N == 0 ? 0 : h.numel() / (N * N);
  const auto scan = [&](const auto* p) {
    for (std::int64_t b = 0; b < B; ++b) {
      for (std::int64_t i = 0; i < N; ++i) {
        for (std::int64_t j = 0; j <= i; ++j) {
          if (!std::isfinite(p[(b * N + i) * N + j])) return false;
        }
      }
    }
    return true;
  };
  return h.dtype() == DType::Float64 ? scan(h.data<double>()) : scan(h.data<float>());
}

// An identity (n, n) broadcast over `batch`, as a new contiguous tensor.
// Decompositions without a gradient rule yet: a backward pass through them raises.
void mark_not_differentiable(const char* name, const std::vector<Tensor>& inputs, std::vector<Tensor*> outputs) {
  bool record = false;
  for (const Tensor& t : inputs) record = record || autograd::any_requires_grad({t});
  if (!record) return;
  std::erase_if(outputs, [](const Tensor* t) { return !t->defined(); });
  autograd::record_not_differentiable(name, inputs, outputs);
}

Tensor batched_eye(const Shape& batch, std::int64_t n, DType dtype, Device device) {
  return copy(eye(n, n, 0, dtype, device).broadcast_to(with_tail(batch, {n, n})));
}

}  // namespace

namespace {
Tensor solve_impl(const Tensor& a, const Tensor& b_in) {
  const Device device = detail::common_device("solve", {&a, &b_in});
  require_square(a, "solve");
  const DType dtype = compute_dtype(result_type(a, b_in), "solve");
  // NumPy 2: b is a vector only when it is 1-D; otherwise a stack of (M, K) matrices.
  const bool vector_b = b_in.ndim() == 1;
  if (b_in.ndim() == 0) value_error("solve", "b must be at least 1-D, got ", describe(b_in));
  const Tensor b = vector_b ? b_in.expand_dims(1) : b_in;
  const std::int64_t M = a.dim(-1), K = b.dim(-1);
  if (b.dim(-2) != M) {
    value_error("solve", "a ", shape_str(a.shape()), " and b ", shape_str(b_in.shape()),
                " do not match: b needs ", M, " rows");
  }
  const Shape batch = broadcast_shapes(batch_of(a), vector_b ? Shape{} : batch_of(b), "solve");
  const Tensor ac = prepared(a, with_tail(batch, {M, M}), dtype);
  const Tensor bc = prepared(b, with_tail(batch, {M, K}), dtype);
  std::vector<Tensor> outs = {Tensor::empty(with_tail(batch, {M, K}), dtype, device),
                              Tensor::empty({ac.dim(0)}, DType::Int32, device)};
  if (outs[0].numel() > 0) {
    call("linalg_solve", device, {ac, bc}, outs, dims_attrs(ac.dim(0), M, K));
    check_info(outs[1], "solve", "singular matrix", a);
  }
  return vector_b ? outs[0].squeeze_axis(outs[0].ndim() - 1) : outs[0];
}
}  // namespace

Tensor solve(const Tensor& a, const Tensor& b_in) {
  return autograd::differentiable(
      "solve", {a, b_in}, [&] { return solve_impl(a, b_in); }, [&] { return autograd::solve_rule(a, b_in); });
}

namespace {
Tensor inv_impl(const Tensor& a) {
  require_square(a, "inv");
  const DType dtype = compute_dtype(a.dtype(), "inv");
  const std::int64_t N = a.dim(-1);
  const Tensor ac = prepared(a, a.shape(), dtype);
  std::vector<Tensor> outs = {Tensor::empty(a.shape(), dtype, a.device()),
                              Tensor::empty({ac.dim(0)}, DType::Int32, a.device())};
  if (outs[0].numel() > 0) {
    call("linalg_inv", a.device(), {ac}, outs, dims_attrs(ac.dim(0), N, N));
    check_info(outs[1], "inv", "singular matrix", a);
  }
  return outs[0];
}
}  // namespace

Tensor inv(const Tensor& a) {
  return autograd::differentiable(
      "inv", {a}, [&] { return inv_impl(a); }, [&] { return autograd::inv_rule(); });
}

namespace {
Tensor det_impl(const Tensor& a) {
  require_square(a, "det");
  const DType dtype = compute_dtype(a.dtype(), "det");
  const std::int64_t N = a.dim(-1);
  // The determinant of a 0x0 matrix is the empty product.
  if (N == 0) return ones(batch_of(a), dtype, a.device());
  const Tensor ac = prepared(a, a.shape(), dtype);
  std::vector<Tensor> outs = {Tensor::empty(batch_of(a), dtype, a.device())};
  if (outs[0].numel() > 0) call("linalg_det", a.device(), {ac}, outs, dims_attrs(ac.dim(0), N, N));
  return outs[0];
}
}  // namespace

Tensor det(const Tensor& a) {
  return autograd::differentiable(
      "det", {a}, [&] { return det_impl(a); }, [&] { return autograd::det_rule(a); });
}

namespace {
Tensor cholesky_impl(const Tensor& a) {
  require_square(a, "cholesky");
  const DType dtype = compute_dtype(a.dtype(), "cholesky");
  const std::int64_t N = a.dim(-1);
  const Tensor ac = prepared(a, a.shape(), dtype);
  std::vector<Tensor> outs = {Tensor::empty(a.shape(), dtype, a.device()),
                              Tensor::empty({ac.dim(0)}, DType::Int32, a.device())};
  if (outs[0].numel() > 0) {
    // Eigen's LLT takes a NaN pivot for a positive one; LAPACK's potrf (NumPy) refuses it.
    if (!lower_triangle_finite(ac)) linalg_error("cholesky", "matrix is not positive definite (", describe(a), " holds infs or NaNs)");
    call("linalg_cholesky", a.device(), {ac}, outs, dims_attrs(ac.dim(0), N, N));
    check_info(outs[1], "cholesky", "matrix is not positive definite", a);
  }
  return outs[0];
}
}  // namespace

Tensor cholesky(const Tensor& a) {
  return autograd::differentiable(
      "cholesky", {a}, [&] { return cholesky_impl(a); }, [&] { return autograd::cholesky_rule(); });
}

EighResult eigh(const Tensor& a) {
  require_square(a, "eigh");
  const DType dtype = compute_dtype(a.dtype(), "eigh");
  const std::int64_t N = a.dim(-1);
  const Tensor ac = prepared(a, a.shape(), dtype);
  std::vector<Tensor> outs = {Tensor::empty(with_tail(batch_of(a), {N}), dtype, a.device()),
                              Tensor::empty(a.shape(), dtype, a.device()),
                              Tensor::empty({ac.dim(0)}, DType::Int32, a.device())};
  if (outs[1].numel() > 0 && !lower_triangle_finite(ac)) {
    // numpy.linalg.eigh answers NaN for a non-finite (read) triangle rather than raising.
    const Scalar nan = Scalar::from_double(std::numeric_limits<double>::quiet_NaN());
    outs[0] = full(outs[0].shape(), nan, dtype, a.device());
    outs[1] = full(outs[1].shape(), nan, dtype, a.device());
  } else if (outs[1].numel() > 0) {
    call("linalg_eigh", a.device(), {ac}, outs, dims_attrs(ac.dim(0), N, N));
    check_info(outs[2], "eigh", "eigenvalues did not converge", a);
  }
  EighResult result{outs[0], outs[1]};
  mark_not_differentiable("eigh", {a}, {&result.eigenvalues, &result.eigenvectors});
  return result;
}

namespace {
EigResult eig_impl(const Tensor& a, bool vectors, const char* op) {
  require_square(a, op);
  const DType dtype = is_complex(a.dtype()) ? a.dtype() : compute_dtype(a.dtype(), op);
  const DType cdtype = complex_dtype(dtype);
  const std::int64_t N = a.dim(-1);
  const Device device = a.device();
  const Tensor ac = prepared(a, a.shape(), dtype);
  std::vector<Tensor> outs = {Tensor::empty(with_tail(batch_of(a), {N}), cdtype, device)};
  if (vectors) outs.push_back(Tensor::empty(a.shape(), cdtype, device));
  outs.push_back(Tensor::empty({ac.dim(0)}, DType::Int32, device));
  if (a.numel() > 0) {
    require_finite(ac, a, op, "array must not contain infs or NaNs");
    LinalgAttrs attrs = dims_attrs(ac.dim(0), N, N);
    attrs.eigenvectors = vectors;
    call("linalg_eig", device, {ac}, outs, attrs);
    check_info(outs.back(), op, "eigenvalues did not converge", a);
  }
  EigResult r{outs[0], vectors ? outs[1] : Tensor()};
  // numpy.linalg.eig: real input whose eigenvalues are all real gives real results.
  const Tensor zero = zeros({}, real_dtype(cdtype), device);
  if (!is_complex(a.dtype()) && all_true(equal(imag(r.eigenvalues), zero))) {
    r.eigenvalues = copy(real(r.eigenvalues));
    if (vectors) r.eigenvectors = copy(real(r.eigenvectors));
  }
  return r;
}
}  // namespace

EigResult eig(const Tensor& a) { return eig_impl(a, true, "eig"); }
Tensor eigvals(const Tensor& a) { return eig_impl(a, false, "eigvals").eigenvalues; }

SvdResult svd(const Tensor& a, bool full_matrices, bool compute_uv) {
  require_matrix(a, "svd");
  const DType dtype = compute_dtype(a.dtype(), "svd");
  const std::int64_t M = a.dim(-2), N = a.dim(-1), K = std::min(M, N);
  const Shape batch = batch_of(a);
  const Device device = a.device();
  std::vector<Tensor> outs = {Tensor::empty(with_tail(batch, {K}), dtype, device)};
  if (compute_uv) {
    const std::int64_t uc = full_matrices ? M : K, vr = full_matrices ? N : K;
    outs.push_back(Tensor::empty(with_tail(batch, {M, uc}), dtype, device));
    outs.push_back(Tensor::empty(with_tail(batch, {vr, N}), dtype, device));
  }
  if (K == 0) {
    // No singular values: the full bases are identities, the reduced ones empty.
    if (compute_uv && full_matrices) {
      outs[1] = batched_eye(batch, M, dtype, device);
      outs[2] = batched_eye(batch, N, dtype, device);
    }
  } else if (outs[0].numel() > 0) {
    const Tensor ac = prepared(a, a.shape(), dtype);
    require_finite(ac, a, "svd", "SVD did not converge");
    LinalgAttrs attrs = dims_attrs(ac.dim(0), M, N);
    attrs.svd = !compute_uv ? SvdMode::ValuesOnly : full_matrices ? SvdMode::Full : SvdMode::Reduced;
    call("linalg_svd", device, {ac}, outs, attrs);
    // The kernel writes NaN singular values where Eigen reports a failure.
    if (!all_true(isfinite(outs[0]))) linalg_error("svd", "SVD did not converge (", describe(a), ")");
  }
  SvdResult result = compute_uv ? SvdResult{outs[1], outs[0], outs[2]} : SvdResult{Tensor(), outs[0], Tensor()};
  mark_not_differentiable("svd", {a}, {&result.u, &result.s, &result.vh});
  return result;
}

QrResult qr(const Tensor& a, const std::string& mode) {
  require_matrix(a, "qr");
  QrMode m = QrMode::Reduced;
  if (mode == "reduced") m = QrMode::Reduced;
  else if (mode == "complete") m = QrMode::Complete;
  else if (mode == "r") m = QrMode::ROnly;
  else value_error("qr", "unrecognized mode '", mode, "'; expected 'reduced', 'complete' or 'r'");
  const DType dtype = compute_dtype(a.dtype(), "qr");
  const std::int64_t M = a.dim(-2), N = a.dim(-1), K = std::min(M, N);
  const Shape batch = batch_of(a);
  const Device device = a.device();
  const std::int64_t qc = m == QrMode::Complete ? M : K, rr = m == QrMode::Complete ? M : K;
  std::vector<Tensor> outs;
  if (m != QrMode::ROnly) outs.push_back(Tensor::empty(with_tail(batch, {M, qc}), dtype, device));
  outs.push_back(Tensor::empty(with_tail(batch, {rr, N}), dtype, device));
  if (K == 0) {
    // Nothing to factor: R is all zeros, and the complete Q the identity.
    outs.back() = zeros(with_tail(batch, {rr, N}), dtype, device);
    if (m == QrMode::Complete) outs[0] = batched_eye(batch, M, dtype, device);
  } else if (shape_numel(batch) > 0) {
    const Tensor ac = prepared(a, a.shape(), dtype);
    LinalgAttrs attrs = dims_attrs(ac.dim(0), M, N);
    attrs.qr = m;
    call("linalg_qr", device, {ac}, outs, attrs);
  }
  QrResult result = m == QrMode::ROnly ? QrResult{Tensor(), outs[0]} : QrResult{outs[0], outs[1]};
  mark_not_differentiable("qr", {a}, {&result.q, &result.r});
  return result;
}

LstsqResult lstsq(const Tensor& a, const Tensor& b_in, std::optional<double> rcond) {
  const Device device = detail::common_device("lstsq", {&a, &b_in});
  if (a.ndim() != 2) value_error("lstsq", "a must be 2-D, got ", describe(a));
  if (b_in.ndim() != 1 && b_in.ndim() != 2) value_error("lstsq", "b must be 1-D or 2-D, got ", describe(b_in));
  const std::int64_t M = a.dim(0), N = a.dim(1);
  if (b_in.dim(0) != M) {
    value_error("lstsq", "a ", shape_str(a.shape()), " and b ", shape_str(b_in.shape()),
                " do not match: b needs ", M, " rows");
  }
  const DType dtype = compute_dtype(result_type(a, b_in), "lstsq");
  const Tensor b = b_in.ndim() == 1 ? b_in.expand_dims(1) : b_in;
  const std::int64_t K = b.dim(1);
  const double eps = dtype == DType::Float32 ? std::numeric_limits<float>::epsilon()
                                             : std::numeric_limits<double>::epsilon();
  const Tensor ac = dtype == a.dtype() ? a : cast(a, dtype);
  const Tensor bc = dtype == b.dtype() ? b : cast(b, dtype);
  std::vector<Tensor> outs = {zeros({N, K}, dtype, device), Tensor::empty({std::min(M, N)}, dtype, device),
                              zeros({}, DType::Int32, device)};
  if (M > 0 && N > 0 && K > 0) {
    require_finite(ac, a, "lstsq", "SVD did not converge in Linear Least Squares");
    require_finite(bc, b_in, "lstsq", "SVD did not converge in Linear Least Squares");
    LinalgAttrs attrs = dims_attrs(1, M, N);
    attrs.rhs = K;
    attrs.rcond = rcond.value_or(eps * static_cast<double>(std::max(M, N)));
    call("linalg_lstsq", device, {prepared(ac, {1, M, N}, dtype), contiguous(bc)}, outs, attrs);
  }
  const std::int64_t rank = to_device(outs[2], Device{}).data<std::int32_t>()[0];
  // Sums of squared residuals exist only for a full-rank overdetermined system.
  Tensor residuals = Tensor::empty({0}, dtype, device);
  if (rank == N && M > N) residuals = sum(square(subtract(bc, matmul(ac, outs[0]))), std::vector<std::int64_t>{0}, false);
  LstsqResult result{b_in.ndim() == 1 ? outs[0].squeeze_axis(1) : outs[0], residuals, outs[2], outs[1]};
  mark_not_differentiable("lstsq", {a, b_in}, {&result.x, &result.residuals, &result.s});
  return result;
}

}  // namespace ember::linalg
