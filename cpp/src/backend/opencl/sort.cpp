// OpenCL kernels of sort, argsort, cumsum and percentile / median (kernels/sort.cl),
// with the inputs and attrs of backend/cpu/sort.cpp.
#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

std::string source(const char* variant, DType in, DType out, const std::string& extra = "") {
  return std::string(kernel_source("common")) + "#define " + variant + " 1\n" + extra + op_dtype_defines(in) +
         dtype_macros("0", in) + dtype_macros("OUT", out) + kernel_source("sort");
}

// Sorts the rows of contiguous [M, R] `x` into `out` (values, or the int64 permutation).
void sort_rows(const Tensor& x, const Tensor& out, std::int64_t M, std::int64_t R, bool descending, bool arg,
               const char* name) {
  DeviceContext& ctx = context_of(x, name);
  require_dtype(ctx, x.dtype(), name);
  const Tensor perm = Tensor::empty({M, R}, DType::Int64, x.device());
  const Tensor tmp = Tensor::empty({M, R}, DType::Int64, x.device());
  Launch l(ctx, std::string(name) + "|" + dtype_name(x.dtype()), [&] {
    return source("SORT", x.dtype(), out.dtype(), arg ? "#define ARG 1\n" : "");
  }, name);
  l.tensor(out).tensor(x).scalar<cl_long>(x.offset()).tensor(perm).tensor(tmp);
  l.scalar<cl_long>(M).scalar<cl_long>(R).scalar<cl_int>(descending ? 1 : 0).run(static_cast<std::size_t>(M));
}

// inputs: contiguous rows [M, R]; outputs: the rows sorted (Arg: the int64 permutation).
// attrs: SortAttrs {M, R, descending}.
template <bool Arg>
void sort_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, descending] = decode<SortAttrs>(attrs);
  sort_rows(in[0], out[0], M, R, descending, Arg, Arg ? "argsort" : "sort");
}

// inputs: contiguous [M, R, N] (already in the accumulator dtype); outputs: same shape;
// attrs: AxisLayout {M, R, N}.
void cumsum_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor& x = in[0];
  DeviceContext& ctx = context_of(x, "cumsum");
  require_dtype(ctx, x.dtype(), "cumsum");
  Launch l(ctx, std::string("cumsum|") + dtype_name(x.dtype()),
           [&] { return source("CUMSUM", x.dtype(), out[0].dtype()); }, "cumsum");
  l.tensor(out[0]).tensor(x).scalar<cl_long>(x.offset());
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  l.scalar<cl_long>(M).scalar<cl_long>(R).scalar<cl_long>(N);
  l.run(static_cast<std::size_t>(M * N));
}

// inputs: float64 rows [M, R]; outputs: float64 [Q, M]; attrs: PercentileAttrs. Sorts the
// rows, then reads the order statistics.
void percentile_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, median, quantiles] = decode<PercentileAttrs>(attrs);
  const Tensor sorted = Tensor::empty({M, R}, DType::Float64, in[0].device());
  if (R > 0) sort_rows(in[0], sorted, M, R, false, false, "percentile");
  DeviceContext& ctx = context_of(in[0], "percentile");
  for (std::size_t qi = 0; qi < quantiles.size(); ++qi) {
    Launch l(ctx, "quantile", [&] { return source("QUANTILE", DType::Float64, DType::Float64); }, "percentile");
    l.tensor(out[0]).tensor(sorted).scalar<cl_long>(M).scalar<cl_long>(R).scalar<cl_double>(quantiles[qi]);
    l.scalar<cl_long>(static_cast<cl_long>(qi)).scalar<cl_int>(median ? 1 : 0);
    l.run(static_cast<std::size_t>(M));
  }
}

}  // namespace

void register_sort_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry("sort").set_kernel(ocl, sort_kernel<false>);
  op_entry("argsort").set_kernel(ocl, sort_kernel<true>);
  op_entry("cumsum").set_kernel(ocl, cumsum_kernel);
  op_entry("percentile").set_kernel(ocl, percentile_kernel);
}

}  // namespace ember::opencl
