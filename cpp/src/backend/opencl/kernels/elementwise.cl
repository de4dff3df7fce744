// Helpers of the elementwise kernels, on the compute type C (float for float16, uchar
// for bool) with U the unsigned type of the same width; see op_dtype_defines. Integer
// semantics follow backend/cpu/elementwise.cpp (NumPy's): Python floor division and
// modulo, x // 0 == x % 0 == 0, wrapping arithmetic done in ulong to avoid signed
// overflow.
#if IS_FLOAT
inline C ember_floor_divide(C a, C b) {
  if (b == 0) return a / b;
  const C m = fmod(a, b);
  C div = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) div -= 1;
  if (div == 0) return copysign((C)0, a / b);
  const C fl = floor(div);
  return div - fl > (C)0.5 ? fl + 1 : fl;
}
inline C ember_mod(C a, C b) {
  if (b == 0) return fmod(a, b);
  C m = fmod(a, b);
  if (m != 0) {
    if ((b < 0) != (m < 0)) m += b;
  } else {
    m = copysign((C)0, b);
  }
  return m;
}
inline C ember_max(C a, C b) { return isnan(a) ? a : isnan(b) ? b : (a < b ? b : a); }
inline C ember_min(C a, C b) { return isnan(a) ? a : isnan(b) ? b : (b < a ? b : a); }
inline C ember_sigmoid(C x) { return x >= 0 ? (C)1 / ((C)1 + exp(-x)) : exp(x) / ((C)1 + exp(x)); }
inline C ember_sign(C x) { return isnan(x) ? x : (C)((0 < x) - (x < 0)); }
#else
#if IS_SIGNED
inline C ember_floor_divide(C a, C b) {
  if (b == 0) return 0;
  if (b == -1) return (C)(0 - (ulong)a);
  C q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline C ember_mod(C a, C b) {
  if (b == 0 || b == -1) return 0;
  C m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}
#else
inline C ember_floor_divide(C a, C b) { return b == 0 ? (C)0 : (C)(a / b); }
inline C ember_mod(C a, C b) { return b == 0 ? (C)0 : (C)(a % b); }
#endif
inline C ember_max(C a, C b) { return a < b ? b : a; }
inline C ember_min(C a, C b) { return b < a ? b : a; }
inline C ember_sign(C x) { return (C)((0 < x) - (x < 0)); }
// Square-and-multiply in ulong wraps like NumPy. A negative exponent flags `code`
// (raised at the next synchronisation, as the CPU backend raises at once).
inline C ember_ipow(C a, C b, __global int* err, int code) {
#if IS_SIGNED
  if (b < 0) {
    *err = code;
    return 0;
  }
#endif
  ulong result = 1, base = (ulong)a;
  for (ulong e = (ulong)b; e; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return (C)result;
}
// Shift counts that are negative or at least the bit width give 0 (-1 for a negative
// value shifted right), as numpy.left_shift / right_shift.
inline C ember_lshift(C a, C b) { return (ulong)b < NBITS ? (C)((U)a << b) : (C)0; }
inline C ember_rshift(C a, C b) {
  if ((ulong)b < NBITS) return (C)(a >> b);
  return (IS_SIGNED && a < 0) ? (C)-1 : (C)0;
}
#endif
