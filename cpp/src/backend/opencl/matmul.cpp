// OpenCL matmul. float32 / float64: on CPU devices our own packed GEMM
// (kernels/gemm.cl), on GPUs and other devices CLBlast (GemmStridedBatched);
// EMBER_OPENCL_GEMM=clblast / ember picks one. The design prefers CLBlast unless ours
// measures faster, and on PoCL (the CPU device here) ours is 5-25x faster: n = 1024
// float32 at 40-140 GFLOP/s against CLBlast's 6-14 (its untuned defaults for a CPU
// device), float64 35-74 against 2.5, n = 64 / 256 float32 11-22 / 70 against 4-6
// (bench/ops_opencl.py and one-off runs; 2 shared cores, hence the ranges). Our kernel
// is built for CPUs (registers, caches, no local memory); GPUs keep CLBlast, unmeasured
// here. Integers: a plain kernel (kernels/matmul.cl). Inputs are made contiguous on the
// device first (O(n^2) against the O(n^3) product).
#include <cstdlib>
#include <string>
#include <string_view>

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

// Rows of A per work-item block; columns are two vectors of 8 floats / 4 doubles. With
// AVX2 (PoCL here) 6 rows keep 12 accumulators, 2 rows of B and a broadcast in the 16
// vector registers; 4 rows measured up to 2x slower.
constexpr std::int64_t kGemmRows = 6;

std::string gemm_source(DType dtype) {
  const bool f32 = dtype == DType::Float32;
  std::string s = kernel_source("common");
  s += std::string("#define REAL ") + (f32 ? "float" : "double") + "\n#define REALV " + (f32 ? "float8" : "double4");
  s += std::string("\n#define VLOAD ") + (f32 ? "vload8" : "vload4");
  s += std::string("\n#define VSTORE ") + (f32 ? "vstore8" : "vstore4");
  s += "\n#define MR " + std::to_string(kGemmRows) + "\n#define NR " + (f32 ? "16" : "8") + "\n";
  return s + kernel_source("gemm");
}

// Packs both operands into panels (kernels/gemm.cl), then one work-item per block of C.
void ember_gemm(DeviceContext& ctx, const Tensor& a, const Tensor& b, const Tensor& out, std::int64_t B,
                std::int64_t M, std::int64_t K, std::int64_t N) {
  const DType dtype = out.dtype();
  const std::int64_t MR = kGemmRows, NR = dtype == DType::Float32 ? 16 : 8;
  const std::int64_t MB = (M + MR - 1) / MR, NB = (N + NR - 1) / NR;
  const Tensor ap = Tensor::empty({B * MB * K * MR}, dtype, out.device());
  const Tensor bp = Tensor::empty({B * NB * K * NR}, dtype, out.device());
  // Kernels are cached per key; the three share one program (cached by its source).
  const std::string key = std::string("gemm|") + dtype_name(dtype) + "|";
  const auto source = [dtype] { return gemm_source(dtype); };
  {
    Launch l(ctx, key + "pack_a", source, "matmul", "gemm_pack_a");
    l.tensor(ap).tensor(a).scalar<cl_long>(a.offset()).scalar<cl_long>(M).scalar<cl_long>(K).scalar<cl_long>(MB);
    l.scalar<cl_long>(B * MB * K).run(static_cast<std::size_t>(B * MB * K));
  }
  {
    Launch l(ctx, key + "pack_b", source, "matmul", "gemm_pack_b");
    l.tensor(bp).tensor(b).scalar<cl_long>(b.offset()).scalar<cl_long>(K).scalar<cl_long>(N).scalar<cl_long>(NB);
    l.scalar<cl_long>(B * NB * K).run(static_cast<std::size_t>(B * NB * K));
  }
  Launch l(ctx, key + "packed", source, "matmul", "gemm_packed");
  l.tensor(out).scalar<cl_long>(out.offset()).tensor(ap).tensor(bp);
  l.scalar<cl_long>(M).scalar<cl_long>(N).scalar<cl_long>(K).scalar<cl_long>(MB).scalar<cl_long>(NB);
  l.scalar<cl_long>(B * MB * NB).run(static_cast<std::size_t>(B * MB * NB));
}

// Our kernel on CPU devices, CLBlast on the others; EMBER_OPENCL_GEMM=clblast / ember
// overrides (read per call, so that bench/ops_opencl.py and the tests compare both in
// one process).
bool use_clblast(const DeviceContext& ctx) {
  const char* v = std::getenv("EMBER_OPENCL_GEMM");
  if (v != nullptr && std::string_view(v) == "clblast") return true;
  if (v != nullptr && std::string_view(v) == "ember") return false;
  return ctx.info.type != "cpu";
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
    case DType::Float32:
      return use_clblast(ctx) ? clblast_gemm<float>(ctx, a, b, c, B, M, K, N) : ember_gemm(ctx, a, b, c, B, M, K, N);
    case DType::Float64:
      return use_clblast(ctx) ? clblast_gemm<double>(ctx, a, b, c, B, M, K, N) : ember_gemm(ctx, a, b, c, B, M, K, N);
    default: return int_gemm(ctx, a, b, c, B, M, K, N);
  }
}

}  // namespace

void register_matmul_kernels() { op_entry("matmul").set_kernel(DeviceType::OpenCL, matmul_kernel); }

}  // namespace ember::opencl
