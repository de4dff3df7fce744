// Sort, argsort, cumsum and quantiles, as backend/cpu/sort.cpp.
//
// SORT: work-item m stable-sorts row m of a contiguous [M, R] input by a bottom-up
// merge sort of indices (perm / tmp: int64 scratch rows), then writes the sorted
// values (or, with ARG, the permutation). A stable sort has one result, so it equals
// std::stable_sort's. LESS orders NaNs after every number, ascending or descending.
#ifdef SORT
inline bool less(C a, C b, int descending) {
#if IS_FLOAT
  if (isnan(b)) return !isnan(a);
  if (isnan(a)) return false;
#endif
  return descending ? b < a : a < b;
}

__kernel void ember_kernel(__global S_OUT* out, __global const S_0* x, long x_off, __global long* perm,
                           __global long* tmp, long M, long R, int descending) {
  const long m = get_global_id(0);
  if (m >= M) return;
  __global const S_0* row = x + x_off + m * R;
  __global long* a = perm + m * R;
  __global long* b = tmp + m * R;
  for (long i = 0; i < R; ++i) a[i] = i;
  for (long width = 1; width < R; width *= 2) {
    for (long lo = 0; lo < R; lo += 2 * width) {
      const long mid = min(lo + width, R), hi = min(lo + 2 * width, R);
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        // Take from the right run only when strictly smaller: stability.
        if (less(LOAD_0(row, a[j]), LOAD_0(row, a[i]), descending)) {
          b[k++] = a[j++];
        } else {
          b[k++] = a[i++];
        }
      }
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    __global long* t = a;
    a = b;
    b = t;
  }
  for (long i = 0; i < R; ++i) {
#ifdef ARG
    out[m * R + i] = a[i];
#else
    STORE_OUT(out, m * R + i, LOAD_0(row, a[i]));
#endif
  }
}
#endif

#ifdef CUMSUM
// Work-item (m, n) scans [M, R, N] along R; each step rounds to the dtype (the output
// is re-read), as numpy.add.accumulate. Integers wrap through ulong.
__kernel void ember_kernel(__global S_OUT* out, __global const S_0* x, long x_off, long M, long R, long N) {
  const long g = get_global_id(0);
  if (g >= M * N) return;
  const long n = g % N, m = g / N;
  const long base = m * R * N + n;
  for (long r = 0; r < R; ++r) {
    const C v = LOAD_0(x, x_off + base + r * N);
#if IS_FLOAT
    const C acc = r == 0 ? v : LOAD_OUT(out, base + (r - 1) * N) + v;
#else
    const C acc = r == 0 ? v : (C)((ulong)LOAD_OUT(out, base + (r - 1) * N) + (ulong)v);
#endif
    STORE_OUT(out, base + r * N, acc);
  }
}
#endif

#ifdef QUANTILE
#pragma OPENCL FP_CONTRACT OFF
// Work-item m reads the ascending-sorted float64 row m (NaNs last) and writes quantile
// q (in [0, 1]) to out[qi * M + m] with NumPy's 'linear' method; MEDIAN averages the two
// middle values as numpy.median. A row with a NaN, or an empty row, gives NaN.
__kernel void ember_kernel(__global double* out, __global const double* sorted, long M, long R, double q, long qi,
                           int median) {
  const long m = get_global_id(0);
  if (m >= M) return;
  __global const double* row = sorted + m * R;
  if (R == 0 || isnan(row[R - 1])) {
    out[qi * M + m] = NAN;
    return;
  }
  const double v = q * (double)(R - 1);
  const long lo = (long)floor(v);
  const long hi = min(lo + 1, R - 1);
  const double t = v - (double)lo;
  const double a = row[lo], b = row[hi];
  double r;
  if (median) {
    r = hi == lo || t == 0.0 ? a : (a + b) / 2.0;
  } else if (t >= 0.5) {
    r = b - (b - a) * (1.0 - t);
  } else {
    r = a + (b - a) * t;
  }
  out[qi * M + m] = r;
}
#endif
