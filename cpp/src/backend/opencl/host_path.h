// The host path of the OpenCL backend (host_path.cpp), for kernels that fall back to it.
#pragma once

#include <span>

#include "ember/registry.h"
#include "ember/tensor.h"

namespace ember::opencl {
// Runs op `name`'s cpu kernel on host copies of the opencl tensors' whole buffers, then
// writes the outputs back (the copies show in transfer_stats()).
void run_on_host(const char* name, std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs);
}  // namespace ember::opencl
