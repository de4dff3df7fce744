// Registration entry points of the OpenCL backend, one per kernel family.
#pragma once

namespace ember::opencl {
void register_allocator();
void register_copy_kernels();
void register_elementwise_kernels();
void register_reduce_kernels();
void register_matmul_kernels();
void register_random_kernels();
void register_host_path_kernels();
void register_gather_kernels();
void register_sort_kernels();
void register_cfc_kernels();
void register_ltc_kernels();
}  // namespace ember::opencl
