// Linear-algebra ops built from other ops and views, with no kernels of their own:
// norm (numpy.linalg.norm), diag / diagonal (numpy.diag / numpy.diagonal) and the
// orthogonal initializer.
#include <cmath>

#include "ember/linalg.h"
#include "ember/random.h"
#include "autograd/rules.h"
#include "ops/common.h"

namespace ember::linalg {

using detail::describe;

namespace {

Tensor scalar(double v, DType dtype, Device device) { return scalar_tensor(Scalar::from_double(v), dtype, device); }

Axes one_axis(int a) { return std::vector<std::int64_t>{a}; }

// sqrt(sum(x**2)) over `axes`.
Tensor sum_squares_root(const Tensor& x, const Axes& axes, bool keepdims) {
  return sqrt(sum(square(x), axes, keepdims));
}

Tensor vector_norm(const Tensor& x, const NormOrd& ord, int axis, bool keepdims) {
  if (ord.kind == NormOrd::Kind::Fro || ord.kind == NormOrd::Kind::Nuc) {
    value_error("norm", "invalid norm order '", ord.kind == NormOrd::Kind::Fro ? "fro" : "nuc", "' for vectors");
  }
  const Axes axes = one_axis(axis);
  const double p = ord.p;
  if (ord.kind == NormOrd::Kind::Default || p == 2) return sum_squares_root(x, axes, keepdims);
  if (p == INFINITY) return max(abs(x), axes, keepdims);
  if (p == -INFINITY) return min(abs(x), axes, keepdims);
  // The "0-norm" counts the non-zero entries (not a norm, but numpy's definition).
  if (p == 0) return sum(cast(not_equal(x, scalar(0, x.dtype(), x.device())), x.dtype()), axes, keepdims);
  if (p == 1) return sum(abs(x), axes, keepdims);
  const Tensor pw = power(abs(x), scalar(p, x.dtype(), x.device()));
  return power(sum(pw, axes, keepdims), scalar(1.0 / p, x.dtype(), x.device()));
}

// Singular values of the (row, col) planes of x, as a (..., K) tensor. float16 has no
// SVD, so it is computed in float32 and rounded back.
Tensor plane_singular_values(const Tensor& x, int row, int col) {
  std::vector<int> perm;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d != row && d != col) perm.push_back(d);
  }
  perm.push_back(row);
  perm.push_back(col);
  const Tensor planes = x.permute(perm);
  if (x.dtype() == DType::Float16) return cast(svd(cast(planes, DType::Float32), false, false).s, DType::Float16);
  return svd(planes, false, false).s;
}

Tensor matrix_norm(const Tensor& x, const NormOrd& ord, int row, int col) {
  using Kind = NormOrd::Kind;
  if (ord.kind == Kind::Default || ord.kind == Kind::Fro) {
    return sum_squares_root(x, std::vector<std::int64_t>{row, col}, false);
  }
  if (ord.kind == Kind::Nuc) return sum(plane_singular_values(x, row, col), one_axis(-1), false);
  const double p = ord.p;
  if (p == 2) return max(plane_singular_values(x, row, col), one_axis(-1), false);
  if (p == -2) return min(plane_singular_values(x, row, col), one_axis(-1), false);
  // Induced 1-norm: largest absolute column sum; inf-norm: largest absolute row sum.
  if (p == 1 || p == -1) {
    const Tensor colsums = sum(abs(x), one_axis(row), false);
    const int c = col > row ? col - 1 : col;
    return p == 1 ? max(colsums, one_axis(c), false) : min(colsums, one_axis(c), false);
  }
  if (p == INFINITY || p == -INFINITY) {
    const Tensor rowsums = sum(abs(x), one_axis(col), false);
    const int r = row > col ? row - 1 : row;
    return p > 0 ? max(rowsums, one_axis(r), false) : min(rowsums, one_axis(r), false);
  }
  value_error("norm", "invalid norm order ", p, " for matrices");
}

}  // namespace

Tensor norm(const Tensor& x_in, const NormOrd& ord, const Axes& axis, bool keepdims) {
  detail::require_real("norm", {&x_in});
  const Tensor x = is_floating(x_in.dtype()) ? x_in : cast(x_in, default_dtype(DTypeKind::Float));
  const int nd = x.ndim();
  std::vector<std::int64_t> axes;
  if (!axis) {
    if (ord.kind == NormOrd::Kind::Default) {
      // Default order over everything: the 2-norm of the flattened tensor.
      return sum_squares_root(x, std::nullopt, keepdims);
    }
    if (nd != 1 && nd != 2) {
      value_error("norm", "an order needs a 1-D or 2-D input or an axis, got ", describe(x_in));
    }
    for (int d = 0; d < nd; ++d) axes.push_back(d);
  } else {
    axes = *axis;
  }
  if (axes.size() == 1) return vector_norm(x, ord, normalize_axis(axes[0], nd, "norm"), keepdims);
  if (axes.size() != 2) value_error("norm", "axis must name 1 or 2 axes, got ", axes.size());
  const int row = normalize_axis(axes[0], nd, "norm"), col = normalize_axis(axes[1], nd, "norm");
  if (row == col) value_error("norm", "duplicate axes given: ", axes[0], " and ", axes[1]);
  Tensor out = matrix_norm(x, ord, row, col);
  if (keepdims) {
    Shape shape = x.shape();
    shape[row] = 1;
    shape[col] = 1;
    out = reshape(out, shape);
  }
  return out;
}

Tensor diagonal(const Tensor& x, std::int64_t offset, std::int64_t axis1, std::int64_t axis2) {
  if (x.ndim() < 2) value_error("diagonal", "input must be at least 2-D, got ", describe(x));
  const int a1 = normalize_axis(axis1, x.ndim(), "diagonal"), a2 = normalize_axis(axis2, x.ndim(), "diagonal");
  if (a1 == a2) value_error("diagonal", "axis1 and axis2 cannot be the same (", axis1, ", ", axis2, ")");
  const std::int64_t n1 = x.shape()[a1], n2 = x.shape()[a2];
  const std::int64_t len = std::max<std::int64_t>(
      0, offset >= 0 ? std::min(n1, n2 - offset) : std::min(n1 + offset, n2));
  Shape shape;
  Strides strides;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == a1 || d == a2) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  shape.push_back(len);
  strides.push_back(x.strides()[a1] + x.strides()[a2]);
  // Start at (0, offset) or (-offset, 0); an empty diagonal keeps the base offset.
  std::int64_t start = x.offset();
  if (len > 0) start += offset >= 0 ? offset * x.strides()[a2] : -offset * x.strides()[a1];
  return autograd::differentiable(
      "diagonal", {x}, [&] { return x.as_strided(shape, strides, start); },
      [&] {
        return autograd::Rule([shape = x.shape(), offset, a1, a2](const autograd::Grads& g, const autograd::Grads&,
                                                                   const std::vector<bool>&) -> autograd::Grads {
          return {autograd::view_adjoint("diagonal_backward", g[0], shape,
                                         [=](const Tensor& t) { return diagonal(t, offset, a1, a2); })};
        });
      });
}

Tensor diag(const Tensor& x, std::int64_t k) {
  if (x.ndim() == 2) return diagonal(x, k, 0, 1);
  if (x.ndim() != 1) value_error("diag", "input must be 1-D or 2-D, got ", describe(x));
  const std::int64_t n = x.dim(0) + (k >= 0 ? k : -k);
  return autograd::view_adjoint("diag", x, {n, n}, [k](const Tensor& t) { return diagonal(t, k, 0, 1); });
}

Tensor orthogonal(const Shape& shape, double gain, DType dtype, Device device, std::optional<std::uint64_t> seed) {
  if (shape.size() < 2) value_error("orthogonal", "shape must have at least 2 dimensions, got ", shape_str(shape));
  if (!is_floating(dtype)) type_error("orthogonal", "dtype must be floating, got ", dtype_name(dtype));
  shape_nbytes(shape, DType::Float64, "orthogonal");  // the float64 work matrix has as many elements
  const std::int64_t cols = shape.back(), rows = shape_numel(shape, "orthogonal") / std::max<std::int64_t>(cols, 1);
  if (rows == 0 || cols == 0) return zeros(shape, dtype, device);
  // A tall (max, min) standard normal matrix in float64 on the CPU, from the Philox
  // stream (the global one unless `seed` is given), so tensor.set_seed governs it too.
  const std::int64_t tall = std::max(rows, cols), thin = std::min(rows, cols);
  const Tensor a = random_normal({tall, thin}, 0.0, 1.0, DType::Float64, Device{}, seed);
  const QrResult f = qr(a, "reduced");
  // Multiplying column j of Q by sign(R[j, j]) makes the result Haar-distributed
  // (a zero diagonal entry, of probability zero, counts as positive).
  const Tensor d = diagonal(f.r, 0, 0, 1);
  const Tensor signs = where(less(d, scalar(0, DType::Float64, Device{})), scalar(-1, DType::Float64, Device{}),
                             scalar(1, DType::Float64, Device{}));
  Tensor q = multiply(f.q, signs);
  if (rows < cols) q = q.transpose();
  q = multiply(q, scalar(gain, DType::Float64, Device{}));
  return to_device(cast(reshape(q, shape), dtype), device);
}

}  // namespace ember::linalg
