#include "backend/cpu/kernels.h"
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
    cpu::register_liquid_kernels();
  });
}

}  // namespace ember
