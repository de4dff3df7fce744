// The fused CfC sequence on OpenCL: the cpu kernels on the host path, for CPU devices only
// (PoCL), where a device buffer is host memory and the copies are memcpys. Elsewhere (GPUs,
// or EMBER_OPENCL_SEQUENCES=device) cfc_sequence composes the op from device ops
// (ops/cfc_composite.cpp): that is some 150 small launches per step, which on PoCL cost
// several times the host path, but keeps the sequence on a GPU.
#include "backend/opencl/host_path.h"
#include "backend/opencl/kernels.h"
#include "ember/liquid.h"
#include "ember/registry.h"

namespace ember::opencl {
namespace {

void cfc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  run_on_host("cfc_sequence", in, out, attrs);
}

void cfc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  run_on_host("cfc_sequence_backward", in, out, attrs);
}

bool use_fallback(const Tensor& inputs) { return !sequences_on_host(inputs, "cfc_sequence"); }

}  // namespace

void register_cfc_kernels() {
  op_entry("cfc_sequence").set_kernel(DeviceType::OpenCL, cfc_forward_kernel);
  op_entry("cfc_sequence_backward").set_kernel(DeviceType::OpenCL, cfc_backward_kernel);
  liquid::set_cfc_use_fallback(DeviceType::OpenCL, use_fallback);
}

}  // namespace ember::opencl
