// Random kernels on the Philox-4x32-10 stream layout of ember/random.h, so that every
// value equals the cpu backend's (backend/cpu/random.cpp): the same words, the same
// unit-interval maps and, with contraction off and explicit fma where the cpu backend
// has one, the same float arithmetic. One
// work-item per block of four elements. The generator defines DRAW (UNIFORM, NORMAL or
// BERNOULLI), the output macros, W (the float type of the parameters p0, p1: minval
// and maxval - minval, or mean and stddev) and, for BERNOULLI, CONVERT(int).
#pragma OPENCL FP_CONTRACT OFF

// Random123's philox4x32_10, as ember/philox.h.
inline uint4 philox(uint4 ctr, uint2 key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key.x += 0x9E3779B9u;
      key.y += 0xBB67AE85u;
    }
    const ulong p0 = (ulong)0xD2511F53u * ctr.x;
    const ulong p1 = (ulong)0xCD9E8D57u * ctr.z;
    ctr = (uint4)((uint)(p1 >> 32) ^ ctr.y ^ key.x, (uint)p1, (uint)(p0 >> 32) ^ ctr.w ^ key.y, (uint)p0);
  }
  return ctr;
}

// Words j of the four elements of block b.
inline uint4 block(ulong offset, ulong b, uint j, uint domain, uint2 key) {
  const ulong c = offset + b;
  return philox((uint4)((uint)c, (uint)(c >> 32), j, domain), key);
}

inline float unit_float(uint w) { return (float)(w >> 8) * 0x1p-24f; }
#ifdef EMBER_FP64
inline double unit_double(uint hi, uint lo) { return ((double)(hi >> 5) * 67108864.0 + (double)(lo >> 6)) * 0x1p-53; }
#endif

__kernel void ember_kernel(__global S_OUT* out, long n, ulong offset, uint domain, uint key_lo, uint key_hi,
                           W p0, W p1, ulong threshold) {
  const long b = get_global_id(0);
  if (4 * b >= n) return;
  const uint2 key = (uint2)(key_lo, key_hi);
  const uint4 w = block(offset, (ulong)b, 0, domain, key);
  const uint wv[4] = {w.x, w.y, w.z, w.w};
#if defined(UNIFORM) && defined(DOUBLE_OUT)
  const uint4 w1 = block(offset, (ulong)b, 1, domain, key);
  const uint wv1[4] = {w1.x, w1.y, w1.z, w1.w};
  for (int l = 0; l < 4 && 4 * b + l < n; ++l) STORE_OUT(out, 4 * b + l, fma(p1, unit_double(wv[l], wv1[l]), p0));
#elif defined(UNIFORM)
  const float lo = (float)p0, span = (float)p1;
  for (int l = 0; l < 4 && 4 * b + l < n; ++l) STORE_OUT(out, 4 * b + l, fma(span, unit_float(wv[l]), lo));
#elif defined(NORMAL) && defined(DOUBLE_OUT)
  const uint4 w1 = block(offset, (ulong)b, 1, domain, key);
  const uint wv1[4] = {w1.x, w1.y, w1.z, w1.w};
  for (int pair = 0; pair < 2 && 4 * b + 2 * pair < n; ++pair) {
    const double u1 = 1.0 - unit_double(wv[2 * pair], wv1[2 * pair]);
    const double theta = 2.0 * M_PI * unit_double(wv[2 * pair + 1], wv1[2 * pair + 1]);
    const double r = sqrt(-2.0 * log(u1));
    STORE_OUT(out, 4 * b + 2 * pair, p0 + p1 * r * cos(theta));
    if (4 * b + 2 * pair + 1 < n) STORE_OUT(out, 4 * b + 2 * pair + 1, p0 + p1 * r * sin(theta));
  }
#elif defined(NORMAL)
  const float mean = (float)p0, stddev = (float)p1;
  float z[4];
  for (int pair = 0; pair < 2; ++pair) {
    // u1 in (0, 1]: the 24-bit grid shifted up by one step, as the cpu backend.
    const float u1 = (float)((wv[2 * pair] >> 8) + 1) * 0x1p-24f;
    const float theta = 2.0f * M_PI_F * unit_float(wv[2 * pair + 1]);
    const float r = sqrt(-2.0f * log(u1));
    z[2 * pair] = r * cos(theta);
    z[2 * pair + 1] = r * sin(theta);
  }
  for (int l = 0; l < 4 && 4 * b + l < n; ++l) STORE_OUT(out, 4 * b + l, mean + stddev * z[l]);
#else  // BERNOULLI
  for (int l = 0; l < 4 && 4 * b + l < n; ++l) STORE_OUT(out, 4 * b + l, CONVERT((ulong)wv[l] < threshold ? 1 : 0));
#endif
}
