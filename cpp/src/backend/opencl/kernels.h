// Registration entry points of the OpenCL backend, one per kernel family.
#pragma once

#include <span>

#include "ember/registry.h"

namespace ember::opencl {
void register_allocator();
void register_copy_kernels();
void register_elementwise_kernels();
void register_reduce_kernels();
void register_matmul_kernels();
void register_random_kernels();
void register_host_path_kernels();
// Runs op `name`'s cpu kernel on host mirrors of the device buffers, then writes the
// outputs back (host_path.cpp): for ops without a device kernel, or where the host is faster.
void run_on_host(const char* name, std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs);
void register_gather_kernels();
void register_sort_kernels();
void register_cfc_kernels();
}  // namespace ember::opencl
