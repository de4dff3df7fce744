// OpenCL matmul: float32 / float64 GEMM through CLBlast (a tuned, well-kept BLAS for
// OpenCL; our own kernels would be slower), batched with GemmStridedBatched; integers
// through a plain kernel (kernels/matmul.cl). Inputs are made contiguous on the device
// first (O(n^2) against the O(n^3) product).
#include <clblast.h>

#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

[[noreturn]] void raise_clblast(clblast::StatusCode status) {
  const int code = static_cast<int>(status);
  // CLBlast returns OpenCL error codes where an OpenCL call failed, its own below -1000.
  if (code > -1000) raise_cl(code, "clblast::Gemm", "matmul");
  raise(ErrorKind::Runtime, "matmul", "clblast::Gemm failed: CLBlast status ", code);
}

template <class T>
void clblast_gemm(DeviceContext& ctx, const Tensor& a, const Tensor& b, const Tensor& out, std::size_t B,
                  std::size_t M, std::size_t K, std::size_t N) {
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  const auto layout = clblast::Layout::kRowMajor;
  const auto no = clblast::Transpose::kNo;
  const auto oa = static_cast<std::size_t>(a.offset()), ob = static_cast<std::size_t>(b.offset());
  const auto oc = static_cast<std::size_t>(out.offset());
  const clblast::StatusCode status =
      B == 1 ? clblast::Gemm<T>(layout, no, no, M, N, K, T(1), buffer_of(a), oa, K, buffer_of(b), ob, N, T(0),
                                buffer_of(out), oc, N, &ctx.queue, nullptr)
             : clblast::GemmStridedBatched<T>(layout, no, no, M, N, K, T(1), buffer_of(a), oa, K, M * K, buffer_of(b),
                                              ob, N, K * N, T(0), buffer_of(out), oc, N, M * N, B, &ctx.queue,
                                              nullptr);
  if (status != clblast::StatusCode::kSuccess) raise_clblast(status);
}

void int_gemm(DeviceContext& ctx, const Tensor& a, const Tensor& b, const Tensor& out, std::int64_t B,
              std::int64_t M, std::int64_t K, std::int64_t N) {
  const DType dtype = out.dtype();
  Launch l(ctx, std::string("matmul|") + dtype_name(dtype), [&] {
    return kernel_source("common") + op_dtype_defines(dtype) + dtype_macros("OUT", dtype) + dtype_macros("0", dtype) +
           dtype_macros("1", dtype) + kernel_source("matmul");
  }, "matmul");
  l.tensor(out).tensor(a).scalar<cl_long>(a.offset()).tensor(b).scalar<cl_long>(b.offset());
  l.scalar<cl_long>(B).scalar<cl_long>(M).scalar<cl_long>(K).scalar<cl_long>(N);
  l.run(static_cast<std::size_t>(B * M * N));
}

// inputs: a [batch..., M, K], b [batch..., K, N] (same dtype, broadcast batch, any
// strides, K >= 1); outputs: contiguous [batch..., M, N].
void matmul_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& c = out[0];
  DeviceContext& ctx = context_of(c, "matmul");
  require_dtype(ctx, c.dtype(), "matmul");
  const Tensor a = contiguous_on_device(in[0]);
  const Tensor b = contiguous_on_device(in[1]);
  const std::int64_t M = c.dim(-2), N = c.dim(-1), K = a.dim(-1);
  const std::int64_t B = c.numel() / (M * N);
  switch (c.dtype()) {
    case DType::Float32: return clblast_gemm<float>(ctx, a, b, c, B, M, K, N);
    case DType::Float64: return clblast_gemm<double>(ctx, a, b, c, B, M, K, N);
    default: return int_gemm(ctx, a, b, c, B, M, K, N);
  }
}

}  // namespace

void register_matmul_kernels() { op_entry("matmul").set_kernel(DeviceType::OpenCL, matmul_kernel); }

}  // namespace ember::opencl
