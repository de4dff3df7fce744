// The host path of the OpenCL backend (host_path.cpp), for kernels that fall back to it.
#pragma once

#include <span>

#include "ember/registry.h"
#include "ember/tensor.h"

namespace ember::opencl {
// Runs op `name`'s cpu kernel on host copies of the opencl tensors' whole buffers, then
// writes the outputs back (the copies show in transfer_stats()).
void run_on_host(const char* name, std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs);

// Whether the fused CfC / LTC sequences on t's device take the host path rather than
// the device (CfC: the op composed of device ops, ops/cfc_composite.cpp; LTC: its
// kernels): on CPU devices (PoCL), where a device buffer is host memory, the host path's
// copies are memcpys and the cpu kernels measured several times faster (cfc_sequence.cpp,
// ltc_sequence.cpp); GPUs stay on the device (unmeasured here), as matmul.cpp chooses its
// GEMM. EMBER_OPENCL_SEQUENCES=device / host overrides; read per call, so that the tests
// run both paths in one process.
bool sequences_on_host(const Tensor& t, const char* op);
}  // namespace ember::opencl
