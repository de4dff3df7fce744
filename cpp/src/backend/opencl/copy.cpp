// OpenCL kernels that write whole tensors: host transfers, strided copy with cast,
// fill, arange, linspace. Same attrs as the CPU kernels in backend/cpu/copy.cpp.
#include <vector>

#include "backend/opencl/kernels.h"
#include "backend/opencl/strided.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

std::size_t byte_offset(const Tensor& t) { return static_cast<std::size_t>(t.offset()) * t.itemsize(); }
std::size_t byte_size(const Tensor& t) { return static_cast<std::size_t>(t.numel()) * t.itemsize(); }

// The dtype of double attributes on the device: float64 with cl_khr_fp64, else float32.
DType wide_dtype(const DeviceContext& ctx) { return ctx.info.fp64 ? DType::Float64 : DType::Float32; }

// inputs: src (contiguous); outputs: dst (contiguous, same shape and dtype); one of the
// two, or both, on an OpenCL device.
void transfer_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& src = in[0];
  const Tensor& dst = out[0];
  const bool from_host = src.device().type == DeviceType::CPU;
  const bool to_host = dst.device().type == DeviceType::CPU;
  if (!to_host) require_dtype(context_of(dst, "to_device"), dst.dtype(), "to_device");
  if (from_host) {
    write_buffer(context_of(dst, "to_device"), buffer_of(dst), byte_offset(dst), byte_size(dst), src.raw_data(),
                 "to_device");
  } else if (to_host) {
    read_buffer(context_of(src, "to_device"), buffer_of(src), byte_offset(src), byte_size(src), dst.raw_data(),
                "to_device");
  } else {  // between two OpenCL devices: through the host
    std::vector<char> staging(byte_size(src));
    read_buffer(context_of(src, "to_device"), buffer_of(src), byte_offset(src), staging.size(), staging.data(),
                "to_device");
    write_buffer(context_of(dst, "to_device"), buffer_of(dst), byte_offset(dst), staging.size(), staging.data(),
                 "to_device");
  }
}

// Runs kernel `name` of the copy family of dtype `family` (see copy_family_source).
void run_copy_family(const char* op, DType family, const std::string& name, const Tensor& out,
                     std::span<const Tensor> ins, const std::function<void(Launch&)>& args = {}) {
  const DeviceContext& ctx = context_of(out, op);
  run_strided(op, copy_family_key(family), [&](int nd) { return copy_family_source(ctx, family, nd); }, name, out, ins,
              args);
}

// inputs: src (broadcast to dst's shape, any dtype); outputs: dst (any strides, any dtype).
void copy_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& src = in[0];
  const Tensor& dst = out[0];
  if (src.dtype() == dst.dtype() && src.is_contiguous() && dst.is_contiguous() && src.strides() == dst.strides()) {
    DeviceContext& ctx = context_of(dst, "copy");
    require_dtype(ctx, dst.dtype(), "copy");
    std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
    check(clEnqueueCopyBuffer(ctx.queue, buffer_of(src), buffer_of(dst), byte_offset(src), byte_offset(dst),
                              byte_size(dst), 0, nullptr, nullptr),
          "clEnqueueCopyBuffer", "copy");
    return;
  }
  run_copy_family("copy", src.dtype(), std::string("copy_") + dtype_name(dst.dtype()), dst, in);
}

// attrs: FillAttrs.
void fill_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const FillAttrs a = decode<FillAttrs>(attrs);
  run_copy_family("fill", out[0].dtype(), "fill", out[0], {},
                  [&](Launch& l) { l.scalar<cl_long>(a.int_value).wide_float(a.value); });
}

// attrs: ArangeAttrs.
void arange_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const ArangeAttrs a = decode<ArangeAttrs>(attrs);
  run_copy_family("arange", out[0].dtype(), "arange", out[0], {}, [&](Launch& l) {
    l.scalar<cl_long>(a.int_start).wide_float(a.start).scalar<cl_long>(a.int_step).wide_float(a.step);
  });
}

// attrs: LinspaceAttrs.
void linspace_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const LinspaceAttrs a = decode<LinspaceAttrs>(attrs);
  run_copy_family("linspace", out[0].dtype(), "linspace", out[0], {}, [&](Launch& l) {
    l.wide_float(a.start).wide_float(a.step).wide_float(a.stop).scalar<cl_int>(a.endpoint ? 1 : 0);
  });
}

}  // namespace

std::string copy_family_key(DType src) { return std::string("copy|") + dtype_name(src); }

// Casts from `src` to every dtype; fill, arange and linspace of dtype `src`. Double
// parameters are the device's widest float (float without cl_khr_fp64).
std::string copy_family_source(const DeviceContext& ctx, DType src, int ndim) {
  const DType wide = wide_dtype(ctx);
  const std::string w = compute_type(wide);
  std::vector<StridedKernel> ks;
  for (int d = 0; d < kNumDTypes; ++d) {
    const auto dst = static_cast<DType>(d);
    if (dst == DType::Float64 && !ctx.info.fp64) continue;
    // Complex values only move on the device (complex casts run on the host path).
    if ((is_complex(src) || is_complex(dst)) && dst != src) continue;
    ks.push_back({std::string("copy_") + dtype_name(dst), dst, {src}, convert_expr(src, dst, "a0")});
  }
  if (is_complex(src)) return family_source("", ks, ndim);
  const bool integer = is_integral(src);
  ks.push_back({"fill", src, {},
                integer ? convert_expr(DType::Int64, src, "vi") : convert_expr(wide, src, "vf"),
                ", long vi, " + w + " vf"});
  ks.push_back({"arange", src, {},
                integer ? convert_expr(DType::Int64, src, "vi + i * si") : convert_expr(wide, src, "vf + (" + w + ")i * sf"),
                ", long vi, " + w + " vf, long si, " + w + " sf"});
  // Integer outputs floor, as numpy.linspace does.
  std::string value = "(endpoint && n > 1 && i == n - 1 ? stop : start + (" + w + ")i * step)";
  if (!is_floating(src)) value = "floor" + value;
  ks.push_back({"linspace", src, {}, convert_expr(wide, src, value),
                ", " + w + " start, " + w + " step, " + w + " stop, int endpoint"});
  return family_source("", ks, ndim);
}

void register_copy_kernels() {
  constexpr auto ocl = DeviceType::OpenCL;
  op_entry("transfer").set_kernel(ocl, transfer_kernel);
  op_entry("copy").set_kernel(ocl, copy_kernel);
  op_entry("fill").set_kernel(ocl, fill_kernel);
  op_entry("arange").set_kernel(ocl, arange_kernel);
  op_entry("linspace").set_kernel(ocl, linspace_kernel);
}

}  // namespace ember::opencl
