// OpenCL reduction kernels on the front-end's [M, R, N] layout (reduce over R), with the
// accumulators of backend/cpu/reduce.cpp: wrapping unsigned for integers, float for
// float16, NaN-propagating max / min. Few outputs over long rows run in two passes
// (chunk partials, then their combination) so that every compute unit gets work.
#include <limits>

#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

enum class Kind { Sum, Prod, Max, Min, All, Any };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Sum: return "sum";
    case Kind::Prod: return "prod";
    case Kind::Max: return "max";
    case Kind::Min: return "min";
    case Kind::All: return "all";
    case Kind::Any: return "any";
  }
  return "";
}

// The extreme value of an integer or bool dtype as an OpenCL literal.
std::string limit_literal(DType dtype, bool lowest) {
  return visit_dtype(dtype, [&](auto tag) -> std::string {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) {
      const T v = lowest ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
      if constexpr (std::is_signed_v<T>) {
        // The most negative value has no literal of its own.
        if (v == std::numeric_limits<T>::lowest()) return "((long)" + std::to_string(v + 1) + "L - 1)";
        return std::to_string(v) + "L";
      } else {
        return std::to_string(v) + "UL";
      }
    } else {
      return lowest ? "-INFINITY" : "INFINITY";
    }
  });
}

// The dtype partial results are kept in between passes.
DType acc_dtype(DType dtype) { return dtype == DType::Float16 ? DType::Float32 : dtype; }

std::string reduce_defines(Kind kind, DType dtype) {
  // Integer sums and products wrap in the unsigned type of the same width (no UB).
  const bool wraps = is_integral(dtype) && (kind == Kind::Sum || kind == Kind::Prod);
  const std::string a = op_dtype_defines(dtype) + (wraps ? "#define A U\n" : "#define A C\n");
  const bool fl = is_floating(dtype);
  switch (kind) {
    case Kind::Sum: return a + "#define INIT 0\n#define STEP(a, x) ((A)((a) + (A)(x)))\n";
    case Kind::Prod: return a + "#define INIT 1\n#define STEP(a, x) ((A)((a) * (A)(x)))\n";
    case Kind::All: return a + "#define INIT 1\n#define STEP(a, x) ((a) && (x))\n";
    case Kind::Any: return a + "#define INIT 0\n#define STEP(a, x) ((a) || (x))\n";
    case Kind::Max:
    case Kind::Min: {
      const bool mx = kind == Kind::Max;
      const std::string cmp = mx ? "(x) > (a)" : "(x) < (a)";
      const std::string pick = "(" + cmp + " ? (x) : (a))";
      return a + "#define INIT " + limit_literal(dtype, mx) + "\n#define STEP(a, x) " +
             (fl ? "(isnan(a) ? (a) : isnan(x) ? (x) : " + pick + ")" : pick) + "\n";
    }
  }
  return a;
}

void launch_reduce(Kind kind, const Tensor& in, const Tensor& out, std::int64_t M, std::int64_t R, std::int64_t N,
                   std::int64_t P) {
  const char* name = kind_name(kind);
  DeviceContext& ctx = context_of(out, name);
  require_dtype(ctx, in.dtype(), name);
  const std::string key = std::string("reduce|") + name + "|" + dtype_name(in.dtype()) + "|" + dtype_name(out.dtype());
  Launch l(ctx, key, [&] {
    return kernel_source("common") + dtype_macros("0", in.dtype()) + dtype_macros("OUT", out.dtype()) +
           reduce_defines(kind, in.dtype()) + kernel_source("reduce");
  }, name);
  l.tensor(out).tensor(in).scalar<cl_long>(in.offset()).scalar<cl_long>(M).scalar<cl_long>(R).scalar<cl_long>(N);
  l.scalar<cl_long>(P).run(static_cast<std::size_t>(M * P * N));
}

// Work-items a launch should have at least, when the rows are long enough to split.
constexpr std::int64_t kMinItems = 4096;
constexpr std::int64_t kMinChunk = 64;

// inputs: x (contiguous [M, R, N]); outputs: [M, N]; attrs: AxisLayout {M, R, N}.
template <Kind K>
void reduce_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  const std::int64_t outputs = M * N;
  const std::int64_t P = outputs >= kMinItems ? 1 : std::max<std::int64_t>(1, std::min(
      (kMinItems + outputs - 1) / outputs, R / kMinChunk));
  if (P == 1) {
    launch_reduce(K, in[0], out[0], M, R, N, 1);
    return;
  }
  const Tensor partial = Tensor::empty({M, P, N}, acc_dtype(out[0].dtype()), out[0].device());
  launch_reduce(K, in[0], partial, M, R, N, P);
  launch_reduce(K, partial, out[0], M, P, N, 1);
}

// inputs: x (contiguous [M, R, N], R >= 1); outputs: int64 [M, N]; attrs: AxisLayout {M, R, N}.
template <bool kMax>
void arg_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const char* name = kMax ? "argmax" : "argmin";
  const Tensor& x = in[0];
  DeviceContext& ctx = context_of(x, name);
  require_dtype(ctx, x.dtype(), name);
  const std::string key = std::string(name) + "|" + dtype_name(x.dtype());
  Launch l(ctx, key, [&] {
    std::string defs = "#define ARG 1\n#define BETTER(x, b) ((x) " + std::string(kMax ? ">" : "<") + " (b))\n";
    defs += is_floating(x.dtype()) ? "#define IS_NAN(v) isnan(v)\n" : "#define IS_NAN(v) 0\n";
    return kernel_source("common") + dtype_macros("0", x.dtype()) + defs + kernel_source("reduce");
  }, name);
  l.tensor(out[0]).tensor(x).scalar<cl_long>(x.offset());
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  l.scalar<cl_long>(M).scalar<cl_long>(R).scalar<cl_long>(N);
  l.run(static_cast<std::size_t>(M * N));
}

}  // namespace

void register_reduce_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry("sum").set_kernel(ocl, reduce_kernel<Kind::Sum>);
  op_entry("prod").set_kernel(ocl, reduce_kernel<Kind::Prod>);
  op_entry("max").set_kernel(ocl, reduce_kernel<Kind::Max>);
  op_entry("min").set_kernel(ocl, reduce_kernel<Kind::Min>);
  op_entry("all").set_kernel(ocl, reduce_kernel<Kind::All>);
  op_entry("any").set_kernel(ocl, reduce_kernel<Kind::Any>);
  op_entry("argmax").set_kernel(ocl, arg_kernel<true>);
  op_entry("argmin").set_kernel(ocl, arg_kernel<false>);
}

}  // namespace ember::opencl
