// Registration entry points of the CPU backend, one per kernel family.
#pragma once

namespace ember::cpu {
void register_elementwise_kernels();
void register_copy_kernels();
void register_reduce_kernels();
void register_matmul_kernels();
void register_gather_kernels();
void register_sort_kernels();
void register_random_kernels();
void register_linalg_kernels();
// Fused optimizer updates (SGD, Adam/AdamW, RMSprop).
void register_optim_kernels();
void register_complex_kernels();
void register_fft_kernels();
// Fused liquid-network sequences (LTC and CfC, forward and backward through time).
void register_ltc_kernels();
void register_cfc_kernels();
}  // namespace ember::cpu
