// Float GEMM for CPU-like OpenCL devices (PoCL): C = A @ B on contiguous
// [B, M, K] @ [B, K, N] -> [B, M, N]. The operands are first packed into panels so that
// the product streams both contiguously:
//   A -> [B][MB][K][MR] (MR rows of A, interleaved per k; rows past M are zero),
//   B -> [B][NB][K][NR] (NR columns of B per k; columns past N are zero).
// A work-item then computes one MR x NR block of C in registers: per k, two vector loads
// of B and MR broadcasts of A into 2 * MR fused multiply-adds. The defines REAL, REALV
// (a vector of NR / 2 REALs), VLOAD, VSTORE, MR and NR come from the host (matmul.cpp).

// One work-item per k of a panel (`total` = B * MB * K): MR (NR) values at a time keep
// the index arithmetic (64-bit divisions) off the per-element path.
__kernel void gemm_pack_a(__global REAL* ap, __global const REAL* a, long off, long M, long K, long MB, long total) {
  const long g = get_global_id(0);
  if (g >= total) return;
  const long k = g % K, mb = (g / K) % MB, b = g / K / MB;
  const long m0 = mb * MR;
  __global const REAL* src = a + off + (b * M + m0) * K + k;
  __global REAL* dst = ap + g * MR;
  _Pragma("unroll") for (int r = 0; r < MR; ++r) dst[r] = m0 + r < M ? src[r * K] : (REAL)0;
}

__kernel void gemm_pack_b(__global REAL* bp, __global const REAL* bm, long off, long K, long N, long NB, long total) {
  const long g = get_global_id(0);
  if (g >= total) return;
  const long k = g % K, nb = (g / K) % NB, b = g / K / NB;
  const long n0 = nb * NR;
  __global const REAL* src = bm + off + (b * K + k) * N + n0;
  __global REAL* dst = bp + g * NR;
  if (n0 + NR <= N) {
    VSTORE(VLOAD(0, src), 0, dst);
    VSTORE(VLOAD(1, src), 1, dst);
  } else {
    for (int j = 0; j < NR; ++j) dst[j] = n0 + j < N ? src[j] : (REAL)0;
  }
}

// One work-item per MR x NR block, the NR-column blocks of one row panel consecutive
// (they share the A panel, which stays in cache).
__kernel void gemm_packed(__global REAL* c, long off_c, __global const REAL* ap, __global const REAL* bp, long M,
                          long N, long K, long MB, long NB, long total) {
  const long g = get_global_id(0);
  if (g >= total) return;
  const long nb = g % NB, mb = (g / NB) % MB, b = g / NB / MB;
  __global const REAL* pa = ap + (b * MB + mb) * K * MR;
  __global const REAL* pb = bp + (b * NB + nb) * K * NR;
  REALV lo[MR], hi[MR];
  // Unrolled so that the accumulators live in registers (PoCL keeps a looped array in memory).
  _Pragma("unroll") for (int r = 0; r < MR; ++r) {
    lo[r] = (REALV)(0);
    hi[r] = (REALV)(0);
  }
  for (long k = 0; k < K; ++k) {
    const REALV b0 = VLOAD(0, pb), b1 = VLOAD(1, pb);
    _Pragma("unroll") for (int r = 0; r < MR; ++r) {
      const REALV av = (REALV)(pa[r]);
      lo[r] = fma(av, b0, lo[r]);
      hi[r] = fma(av, b1, hi[r]);
    }
    pa += MR;
    pb += NR;
  }
  const long m0 = mb * MR, n0 = nb * NR;
  __global REAL* pc = c + off_c + b * M * N + m0 * N + n0;
  if (m0 + MR <= M && n0 + NR <= N) {
    _Pragma("unroll") for (int r = 0; r < MR; ++r) {
      VSTORE(lo[r], 0, pc + r * N);
      VSTORE(hi[r], 1, pc + r * N);
    }
  } else {
    REAL row[NR];
    for (int r = 0; r < MR && m0 + r < M; ++r) {
      VSTORE(lo[r], 0, row);
      VSTORE(hi[r], 1, row);
      for (int j = 0; j < NR && n0 + j < N; ++j) pc[r * N + j] = row[j];
    }
  }
}
