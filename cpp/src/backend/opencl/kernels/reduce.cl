// Reductions of a contiguous input seen as [M, R, N] over R. The generator defines the
// operand macros (S_0, C_0, LOAD_0 for the input; S_OUT, STORE_OUT for the output), the
// accumulator type A, its INIT value and STEP(acc, x).
//
// ember_kernel: work-item g = (m, p, n) of [M, P, N] reduces chunk p of R (P chunks),
// writing out[g]; a second launch with R = P combines the chunk partials.
// ember_arg: one work-item per (m, n); the index of the first extreme value, where a
// NaN counts as the extreme (numpy.argmax / argmin). BETTER(x, best) decides.
#ifdef ARG
__kernel void ember_kernel(__global long* out, __global const S_0* in, long off, long M, long R, long N) {
  const long g = get_global_id(0);
  if (g >= M * N) return;
  const long n = g % N, m = g / N;
  const long base = off + m * R * N + n;
  C_0 best = LOAD_0(in, base);
  long bi = 0;
  for (long r = 1; r < R; ++r) {
    if (IS_NAN(best)) break;
    const C_0 x = LOAD_0(in, base + r * N);
    if (BETTER(x, best) || IS_NAN(x)) {
      best = x;
      bi = r;
    }
  }
  out[g] = bi;
}
#else
__kernel void ember_kernel(__global S_OUT* out, __global const S_0* in, long off, long M, long R, long N, long P) {
  const long g = get_global_id(0);
  if (g >= M * P * N) return;
  const long n = g % N, mp = g / N;
  const long p = mp % P, m = mp / P;
  const long chunk = (R + P - 1) / P;
  const long r1 = min(R, (p + 1) * chunk);
  const long base = off + m * R * N + n;
  A acc = INIT;
  for (long r = p * chunk; r < r1; ++r) {
    const C_0 x = LOAD_0(in, base + r * N);
    acc = STEP(acc, x);
  }
  STORE_OUT(out, g, acc);
}
#endif
