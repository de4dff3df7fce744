// OpenCL kernels of advanced indexing, segment scatter and nonzero (kernels/gather.cl),
// with the inputs and attrs of backend/cpu/gather.cpp.
#include <vector>

#include "backend/opencl/kernels.h"
#include "backend/opencl/sources.h"
#include "backend/opencl/strided.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

// Layout ranks the kernels are compiled for: 8 covers nearly every view.
int layout_rank(int ndim) { return ndim <= 8 ? 8 : kMaxDims; }

// Shape and strides of axes [begin, end) of `t`, padded in front to `rank` with size 1.
void put_axes(std::vector<cl_long>& blob, int slot, int rank, const Tensor& t, int begin, int end) {
  for (int d = 0; d < rank; ++d) {
    const int src = end - rank + d;
    const bool real = src >= begin;
    blob[static_cast<std::size_t>(slot * rank + d)] = real ? t.shape()[src] : 1;
    blob[static_cast<std::size_t>((slot + 1) * rank + d)] = real ? t.strides()[src] : 0;
  }
}

std::string source(const char* variant, int rank, const std::string& defines) {
  return std::string(kernel_source("common")) + "#define " + variant + " 1\n#define MAXD " + std::to_string(rank) + "\n" + defines +
         kernel_source("gather");
}

// The element type moved as raw bits of the element's size.
std::string element_define(DType dtype) {
  switch (itemsize(dtype)) {
    case 1: return "#define E uchar\n";
    case 2: return "#define E ushort\n";
    case 4: return "#define E uint\n";
    case 8: return "#define E ulong\n";
    default: return "#define E ulong2\n";  // complex128
  }
}

// index: inputs view [pre..., post...], offsets int64 [K]; outputs contiguous [M, K, N].
// index_put: inputs values contiguous [M, K, N], offsets; outputs the view. attrs: IndexAttrs.
template <bool Put>
void move_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const char* name = Put ? "index_put" : "index";
  const Tensor& view = Put ? out[0] : in[0];
  const Tensor& flat = Put ? in[0] : out[0];
  const Tensor offsets = contiguous_on_device(in[1]);
  const int npre = static_cast<int>(decode<IndexAttrs>(attrs).npre);
  const int rank = layout_rank(std::max(npre, view.ndim() - npre));
  std::int64_t M = 1, N = 1;
  for (int d = 0; d < view.ndim(); ++d) (d < npre ? M : N) *= view.shape()[d];
  const std::int64_t K = offsets.numel();
  std::vector<cl_long> blob(static_cast<std::size_t>(4 * rank));
  put_axes(blob, 0, rank, view, 0, npre);
  put_axes(blob, 2, rank, view, npre, view.ndim());
  DeviceContext& ctx = context_of(view, name);
  Launch l(ctx, std::string(name) + "|" + std::to_string(itemsize(view.dtype())) + "|" + std::to_string(rank),
           [&] { return source(Put ? "INDEX_PUT" : "INDEX", rank, element_define(view.dtype())); }, name);
  if (Put) {
    l.tensor(view).scalar<cl_long>(view.offset()).tensor(flat).scalar<cl_long>(flat.offset());
  } else {
    l.tensor(flat).tensor(view).scalar<cl_long>(view.offset());
  }
  l.tensor(offsets).scalar<cl_long>(offsets.offset()).scalar<cl_long>(M).scalar<cl_long>(K).scalar<cl_long>(N);
  l.raw(blob.data(), blob.size() * sizeof(cl_long));
  l.run(static_cast<std::size_t>(Put ? M * N : M * K * N));
}

// inputs: data contiguous [M, K, N], indices int64 [K] in [0, S); outputs: [M, S, N].
// attrs: ScatterAttrs {M, K, N, S, aggr}; the program reads aggr as ScatterAggr's value.
void scatter_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, K, N, S, aggr] = decode<ScatterAttrs>(attrs);
  const Tensor& data = in[0];
  const Tensor idx = contiguous_on_device(in[1]);
  const DType dtype = out[0].dtype();
  DeviceContext& ctx = context_of(data, "scatter");
  require_dtype(ctx, dtype, "scatter");
  const Tensor stats = Tensor::empty({2, std::max<std::int64_t>(S, 1)}, DType::Int64, data.device());
  {
    Launch l(ctx, "scatter_first", [&] { return source("SCATTER_FIRST", 1, ""); }, "scatter");
    l.tensor(stats).tensor(idx).scalar<cl_long>(idx.offset()).scalar<cl_long>(K).scalar<cl_long>(S);
    l.run(static_cast<std::size_t>(S));
  }
  Launch l(ctx, std::string("scatter|") + dtype_name(dtype), [&] {
    return source("SCATTER", 1, op_dtype_defines(dtype) + dtype_macros("OUT", dtype) + dtype_macros("0", dtype));
  }, "scatter");
  l.tensor(out[0]).tensor(data).scalar<cl_long>(data.offset()).tensor(idx).scalar<cl_long>(idx.offset());
  l.tensor(stats).scalar<cl_long>(M).scalar<cl_long>(K).scalar<cl_long>(N).scalar<cl_long>(S);
  l.scalar<cl_int>(static_cast<cl_int>(aggr)).run(static_cast<std::size_t>(M * N));
}

// inputs: bool mask, contiguous; outputs: int64 [count, ndim] coordinates in C order.
void nonzero_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& mask = in[0];
  const int rank = layout_rank(mask.ndim());
  std::vector<cl_long> blob(static_cast<std::size_t>(4 * rank), 1);
  for (int d = 0; d < mask.ndim(); ++d) blob[static_cast<std::size_t>(d)] = mask.shape()[d];
  DeviceContext& ctx = context_of(mask, "nonzero");
  Launch l(ctx, "nonzero|" + std::to_string(rank), [&] { return source("NONZERO", rank, ""); }, "nonzero");
  l.tensor(out[0]).tensor(mask).scalar<cl_long>(mask.offset()).scalar<cl_long>(mask.numel());
  l.scalar<cl_int>(mask.ndim()).raw(blob.data(), blob.size() * sizeof(cl_long)).run(1);
}

}  // namespace

void register_gather_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry("index").set_kernel(ocl, move_kernel<false>);
  op_entry("index_put").set_kernel(ocl, move_kernel<true>);
  op_entry("scatter").set_kernel(ocl, scatter_kernel);
  op_entry("nonzero").set_kernel(ocl, nonzero_kernel);
}

}  // namespace ember::opencl
