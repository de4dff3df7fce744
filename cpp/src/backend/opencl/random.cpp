// OpenCL random kernels: uniform, normal and Bernoulli on the Philox stream shared with
// the cpu backend (kernels/random.cl), so a seed gives the same values on both.
#include <cmath>

#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

enum class Draw { Uniform, Normal, Bernoulli };

// attrs.ints = {seed, first block, domain}; attrs.floats = the draw's parameters.
template <Draw D>
void random_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  constexpr const char* names[] = {"random_uniform", "random_normal", "random_bernoulli"};
  const char* name = names[static_cast<int>(D)];
  const Tensor& dst = out[0];
  DeviceContext& ctx = context_of(dst, name);
  require_dtype(ctx, dst.dtype(), name);
  Launch l(ctx, std::string(name) + "|" + dtype_name(dst.dtype()), [&] {
    std::string defs = std::string("#define W ") + wide_float_type(ctx) + "\n";
    defs += D == Draw::Uniform ? "#define UNIFORM 1\n" : D == Draw::Normal ? "#define NORMAL 1\n" : "#define BERNOULLI 1\n";
    if (dst.dtype() == DType::Float64) defs += "#define DOUBLE_OUT 1\n";
    defs += "#define CONVERT(x) " + convert_expr(DType::Int32, dst.dtype(), "x") + "\n";
    return kernel_source("common") + dtype_macros("OUT", dst.dtype()) + defs + kernel_source("random");
  }, name);
  const RandomAttrs a = decode<RandomAttrs>(attrs);
  const std::uint64_t seed = a.key;
  double p0 = 0, p1 = 0;
  cl_ulong threshold = 0;
  if (D == Draw::Uniform) {
    p0 = a.params[0];
    p1 = a.params[1] - a.params[0];
  } else if (D == Draw::Normal) {
    p0 = a.params[0];
    p1 = a.params[1];
  } else {
    // Word 0 below round(p * 2**32) gives 1, as the cpu backend.
    threshold = static_cast<cl_ulong>(std::llround(a.params[0] * 0x1p32));
  }
  l.tensor(dst).scalar<cl_long>(dst.numel()).scalar<cl_ulong>(a.offset);
  l.scalar<cl_uint>(a.domain);
  l.scalar<cl_uint>(static_cast<cl_uint>(seed)).scalar<cl_uint>(static_cast<cl_uint>(seed >> 32));
  l.wide_float(p0).wide_float(p1).scalar<cl_ulong>(threshold).run(static_cast<std::size_t>((dst.numel() + 3) / 4));
}

}  // namespace

void register_random_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry("random_uniform").set_kernel(ocl, random_kernel<Draw::Uniform>);
  op_entry("random_normal").set_kernel(ocl, random_kernel<Draw::Normal>);
  op_entry("random_bernoulli").set_kernel(ocl, random_kernel<Draw::Bernoulli>);
}

}  // namespace ember::opencl
