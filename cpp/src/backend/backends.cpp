#include "backend/cpu/kernels.h"
#include "backend/opencl/kernels.h"
#include "ember/registry.h"

#include <mutex>

namespace ember {

void init_backends() {
  static std::once_flag once;
  std::call_once(once, [] {
    cpu::register_elementwise_kernels();
    cpu::register_copy_kernels();
    cpu::register_reduce_kernels();
    cpu::register_matmul_kernels();
    cpu::register_gather_kernels();
    cpu::register_sort_kernels();
    cpu::register_random_kernels();
    cpu::register_linalg_kernels();
    cpu::register_optim_kernels();
    cpu::register_complex_kernels();
    cpu::register_fft_kernels();
    cpu::register_ltc_kernels();
    cpu::register_cfc_kernels();
  });
  // OpenCL kernels register even without a platform: they raise, naming the reason.
  static std::once_flag opencl_once;
  std::call_once(opencl_once, [] {
    opencl::register_allocator();
    opencl::register_copy_kernels();
    opencl::register_elementwise_kernels();
    opencl::register_reduce_kernels();
    opencl::register_matmul_kernels();
    opencl::register_random_kernels();
    opencl::register_host_path_kernels();
    opencl::register_cfc_kernels();
    opencl::register_gather_kernels();
    opencl::register_sort_kernels();
    opencl::register_ltc_kernels();
  });
}

}  // namespace ember
