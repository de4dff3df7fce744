// Front-end matmul (numpy.matmul semantics) and dot (numpy.dot semantics).
#include "autograd/rules.h"
#include "ops/common.h"

namespace ember {

using detail::describe;
using detail::registered_op;
using detail::run_to_new;

namespace {
Tensor matmul_impl(const Tensor& a_in, const Tensor& b_in) {
  static const OpEntry& op = registered_op("matmul");
  const Device device = detail::common_device("matmul", {&a_in, &b_in});
  detail::require_real("matmul", {&a_in, &b_in});
  if (a_in.ndim() == 0 || b_in.ndim() == 0) {
    value_error("matmul", "operands must be at least 1-D, got ", describe(a_in), " and ", describe(b_in));
  }
  // 1-D operands become matrices (prepend / append an axis) and lose that axis afterwards.
  const Tensor a = a_in.ndim() == 1 ? a_in.expand_dims(0) : a_in;
  const Tensor b = b_in.ndim() == 1 ? b_in.expand_dims(1) : b_in;
  const std::int64_t M = a.dim(-2), K = a.dim(-1), N = b.dim(-1);
  if (b.dim(-2) != K) {
    value_error("matmul", "inner dimensions do not match: ", shape_str(a_in.shape()), " @ ", shape_str(b_in.shape()),
                " (", K, " != ", b.dim(-2), ")");
  }
  const Shape batch_a(a.shape().begin(), a.shape().end() - 2);
  const Shape batch_b(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");

  const DType dtype = result_type(a_in, b_in);
  Tensor out;
  if (dtype == DType::Float16 || dtype == DType::Bool) {
    // No half or bool GEMM: compute in float32 / int32 and convert back, as NumPy's result dtype.
    const DType wide = dtype == DType::Float16 ? DType::Float32 : DType::Int32;
    out = matmul_impl(cast(a, wide), cast(b, wide));
    out = dtype == DType::Bool ? not_equal(out, zeros({}, wide, device)) : cast(out, dtype);
  } else {
    Shape sa = batch, sb = batch, so = batch;
    sa.insert(sa.end(), {M, K});
    sb.insert(sb.end(), {K, N});
    so.insert(so.end(), {M, N});
    const Tensor ac = a.dtype() == dtype ? a : cast(a, dtype);
    const Tensor bc = b.dtype() == dtype ? b : cast(b, dtype);
    out = Tensor::empty(so, dtype, device);
    if (out.numel() > 0) {
      const Tensor ins[2] = {ac.broadcast_to(sa), bc.broadcast_to(sb)};
      if (K == 0) {
        fill_(out, Scalar::from_int(0));
      } else {
        op.call(device, ins, std::span<Tensor>(&out, 1));
      }
    }
  }
  if (a_in.ndim() == 1) out = out.squeeze_axis(out.ndim() - 2);
  if (b_in.ndim() == 1) out = out.squeeze_axis(out.ndim() - 1);
  return out;
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  return autograd::differentiable(
      "matmul", {a, b}, [&] { return matmul_impl(a, b); }, [&] { return autograd::matmul_rule(a, b); });
}

Tensor dot(const Tensor& a, const Tensor& b) {
  detail::common_device("dot", {&a, &b});
  detail::require_real("dot", {&a, &b});
  if (a.ndim() == 0 || b.ndim() == 0) return multiply(a, b);
  if (a.ndim() <= 2 && b.ndim() <= 2) {
    if (a.dim(-1) != b.dim(b.ndim() == 1 ? 0 : -2)) {
      value_error("dot", "shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " not aligned");
    }
    return matmul(a, b);
  }
  // N-D: sum over the last axis of a and the second-to-last of b; result shape
  // a.shape[:-1] + b.shape[:-2] + b.shape[-1:].
  const int kb = b.ndim() == 1 ? 0 : b.ndim() - 2;
  const std::int64_t K = a.dim(-1);
  if (b.shape()[kb] != K) {
    value_error("dot", "shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()), " not aligned");
  }
  std::vector<int> perm;
  for (int d = 0; d < b.ndim(); ++d) {
    if (d != kb) perm.push_back(d);
  }
  perm.insert(perm.begin(), kb);
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  std::int64_t cols = 1;
  for (int d = 0; d < b.ndim(); ++d) {
    if (d != kb) {
      out_shape.push_back(b.shape()[d]);
      cols *= b.shape()[d];
    }
  }
  const Tensor b2 = reshape(transpose(b, std::vector<std::int64_t>(perm.begin(), perm.end())), {K, cols});
  const Tensor a2 = reshape(a, {shape_numel(Shape(a.shape().begin(), a.shape().end() - 1)), K});
  return reshape(matmul(a2, b2), out_shape);
}

}  // namespace ember
