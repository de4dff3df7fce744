// Integer matmul (gemm.cl and CLBlast cover float32 / float64): one work-item per
// output element of contiguous [B, M, K] @ [B, K, N] -> [B, M, N]. Products and sums
// wrap in ulong (no signed-overflow UB; the low bits are those of C), as the CPU
// backend's loop.
__kernel void ember_kernel(__global S_OUT* out, __global const S_0* a, long off_a, __global const S_1* b, long off_b,
                           long B, long M, long K, long N) {
  const long g = get_global_id(0);
  if (g >= B * M * N) return;
  const long n = g % N, bm = g / N;
  const long m = bm % M, batch = bm / M;
  const long pa = off_a + (batch * M + m) * K, pb = off_b + batch * K * N + n;
  ulong acc = 0;
  for (long k = 0; k < K; ++k) acc += (ulong)LOAD_0(a, pa + k) * (ulong)LOAD_1(b, pb + k * N);
  STORE_OUT(out, g, (C)acc);
}
