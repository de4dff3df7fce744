// Advanced indexing, segment scatter and nonzero, as backend/cpu/gather.cpp.
//
// INDEX / INDEX_PUT move elements (raw bits: E is the unsigned type of the element
// size) between a strided view [pre..., post...] with an element offset per index tuple
// spliced in after the pre axes, and a contiguous [M, K, N] buffer. The Layout holds
// pre shape, pre strides, post shape, post strides (MAXD each, padded with size 1);
// NONZERO uses its first MAXD entries for the mask's shape.
typedef struct { long v[4 * MAXD]; } Layout;

#if defined(INDEX) || defined(INDEX_PUT)
// The element offset of position i of the axes described from L->v[first * MAXD] on.
inline long axes_offset(long i, const Layout* L, int first) {
  long off = 0;
  for (int d = MAXD - 1; d >= 0; --d) {
    const long size = L->v[first * MAXD + d];
    off += (i % size) * L->v[(first + 1) * MAXD + d];
    i /= size;
  }
  return off;
}
#endif

#ifdef INDEX
// Work-item g = (m, k, n) of the output.
__kernel void ember_kernel(__global E* out, __global const E* view, long view_off, __global const long* offsets,
                           long offsets_off, long M, long K, long N, Layout L) {
  const long g = get_global_id(0);
  if (g >= M * K * N) return;
  const long n = g % N, mk = g / N;
  const long k = mk % K, m = mk / K;
  out[g] = view[view_off + axes_offset(m, &L, 0) + offsets[offsets_off + k] + axes_offset(n, &L, 2)];
}
#endif

#ifdef INDEX_PUT
// Work-item (m, n) writes every k in order, so with repeated indices the last one wins.
__kernel void ember_kernel(__global E* view, long view_off, __global const E* values, long values_off,
                           __global const long* offsets, long offsets_off, long M, long K, long N, Layout L) {
  const long g = get_global_id(0);
  if (g >= M * N) return;
  const long n = g % N, m = g / N;
  const long base = view_off + axes_offset(m, &L, 0) + axes_offset(n, &L, 2);
  for (long k = 0; k < K; ++k) view[base + offsets[offsets_off + k]] = values[values_off + (m * K + k) * N + n];
}
#endif

#ifdef SCATTER_FIRST
// stats[s] = the first k with idx[k] == s (K when none), stats[S + s] = how many.
__kernel void ember_kernel(__global long* stats, __global const long* idx, long idx_off, long K, long S) {
  const long s = get_global_id(0);
  if (s >= S) return;
  long first = K, count = 0;
  for (long k = 0; k < K; ++k) {
    if (idx[idx_off + k] == s) {
      if (first == K) first = k;
      ++count;
    }
  }
  stats[s] = first;
  stats[S + s] = count;
}
#endif

#ifdef SCATTER
// Work-item (m, n) aggregates data[m, k, n] into out[m, idx[k], n] for k in order;
// AGGR: 0 add, 1 max, 2 min, 3 mean (integers truncate toward zero). C is the compute
// type, IS_FLOAT / IS_BOOL as op_dtype_defines.
__kernel void ember_kernel(__global S_OUT* out, __global const S_0* data, long data_off, __global const long* idx,
                           long idx_off, __global const long* stats, long M, long K, long N, long S, int aggr) {
  const long g = get_global_id(0);
  if (g >= M * N) return;
  const long n = g % N, m = g / N;
  for (long s = 0; s < S; ++s) STORE_OUT(out, (m * S + s) * N + n, (C)0);
  for (long k = 0; k < K; ++k) {
    const long s = idx[idx_off + k];
    const long o = (m * S + s) * N + n;
    const C x = LOAD_0(data, data_off + (m * K + k) * N + n);
    const C cur = LOAD_OUT(out, o);
    C r;
    if (k == stats[s] && (aggr == 1 || aggr == 2)) {
      r = x;
#if IS_FLOAT
    } else if (aggr == 1) {
      r = (isnan(x) || x > cur) ? x : cur;
    } else if (aggr == 2) {
      r = (isnan(x) || x < cur) ? x : cur;
#else
    } else if (aggr == 1) {
      r = x > cur ? x : cur;
    } else if (aggr == 2) {
      r = x < cur ? x : cur;
#endif
    } else {
#if IS_BOOL
      r = cur || x;
#elif IS_FLOAT
      r = cur + x;
#else
      r = (C)((ulong)cur + (ulong)x);
#endif
    }
    STORE_OUT(out, o, r);
  }
#if !IS_BOOL
  if (aggr == 3) {
    for (long s = 0; s < S; ++s) {
      const long c = stats[S + s];
      if (c > 1) STORE_OUT(out, (m * S + s) * N + n, LOAD_OUT(out, (m * S + s) * N + n) / (C)c);
    }
  }
#endif
}
#endif

#ifdef NONZERO
// One work-item walks the contiguous mask in C order, writing int64 coordinates.
__kernel void ember_kernel(__global long* out, __global const uchar* mask, long mask_off, long numel, int ndim,
                           Layout L) {
  if (get_global_id(0) != 0) return;
  long w = 0;
  for (long i = 0; i < numel; ++i) {
    if (!mask[mask_off + i]) continue;
    long rem = i;
    for (int d = ndim - 1; d >= 0; --d) {
      out[w * ndim + d] = rem % L.v[d];
      rem /= L.v[d];
    }
    ++w;
  }
}
#endif
