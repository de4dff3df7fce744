// CPU kernels for elementwise unary, binary and ternary (where) ops.
// Eigen's approximate fast-math sqrt/sin/cos are not accurate enough for NumPy parity.
#define EIGEN_FAST_MATH 0
#include <Eigen/Core>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/vector_math.h"
#include "ember/errors.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T> || std::is_same_v<T, half>;

// ---- binary functors: operate on compute_t<T>, return the output value --------------
// Integer arithmetic wraps like NumPy's; doing it in uint64 avoids signed-overflow UB
// (and the int promotion of small types), and converting back is modular in C++20.
template <class C>
constexpr bool wraps_v = std::is_integral_v<C> && !std::is_same_v<C, bool>;
template <class C>
std::uint64_t u64(C v) { return static_cast<std::uint64_t>(v); }

// bool + bool is OR and bool * bool is AND, as in NumPy.
struct AddOp {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a || b;
    else if constexpr (wraps_v<C>) return static_cast<C>(u64(a) + u64(b));
    else return a + b;
  }
};
struct SubOp {
  template <class C> C operator()(C a, C b) const {
    if constexpr (wraps_v<C>) return static_cast<C>(u64(a) - u64(b)); else return a - b;
  }
};
struct MulOp {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a && b;
    else if constexpr (wraps_v<C>) return static_cast<C>(u64(a) * u64(b));
    else return a * b;
  }
};
struct DivOp { template <class C> C operator()(C a, C b) const { return a / b; } };
struct Atan2Op { template <class C> C operator()(C y, C x) const { return std::atan2(y, x); } };

// Python floor semantics, as numpy.floor_divide / numpy.mod (npy_divmod).
struct FloorDivOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (b == 0) return a / b;
      const C m = std::fmod(a, b);
      C div = (a - m) / b;
      if (m != 0 && ((b < 0) != (m < 0))) div -= 1;
      if (div == 0) return std::copysign(C(0), a / b);
      const C fl = std::floor(div);
      return div - fl > C(0.5) ? fl + 1 : fl;
    } else if constexpr (std::is_signed_v<C>) {
      if (b == 0) return 0;
      if (b == -1) return static_cast<C>(0 - static_cast<std::make_unsigned_t<C>>(a));
      C q = a / b;
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      return q;
    } else {
      return b == 0 ? C(0) : C(a / b);
    }
  }
};
struct ModOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (b == 0) return std::fmod(a, b);
      C m = std::fmod(a, b);
      if (m != 0) {
        if ((b < 0) != (m < 0)) m += b;
      } else {
        m = std::copysign(C(0), b);
      }
      return m;
    } else if constexpr (std::is_signed_v<C>) {
      if (b == 0 || b == -1) return 0;
      C m = a % b;
      if (m != 0 && ((m < 0) != (b < 0))) m += b;
      return m;
    } else {
      return b == 0 ? C(0) : C(a % b);
    }
  }
};
struct PowOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      return std::pow(a, b);
    } else {
      if constexpr (std::is_signed_v<C>) {
        if (b < 0) value_error("power", "integers to negative integer powers are not allowed");
      }
      std::uint64_t result = 1, base = u64(a);  // wraps like NumPy, without UB
      for (auto e = u64(b); e; e >>= 1) {
        if (e & 1) result *= base;
        base *= base;
      }
      return static_cast<C>(result);
    }
  }
};
struct MaxOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return a < b ? b : a;
  }
};
struct MinOp {
  template <class C>
  C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return b < a ? b : a;
  }
};
struct EqOp { template <class C> bool operator()(C a, C b) const { return a == b; } };
struct NeOp { template <class C> bool operator()(C a, C b) const { return a != b; } };
struct LtOp { template <class C> bool operator()(C a, C b) const { return a < b; } };
struct LeOp { template <class C> bool operator()(C a, C b) const { return a <= b; } };
struct GtOp { template <class C> bool operator()(C a, C b) const { return a > b; } };
struct GeOp { template <class C> bool operator()(C a, C b) const { return a >= b; } };
struct LAndOp { template <class C> bool operator()(C a, C b) const { return (a != C(0)) && (b != C(0)); } };
struct LOrOp { template <class C> bool operator()(C a, C b) const { return (a != C(0)) || (b != C(0)); } };
struct LXorOp { template <class C> bool operator()(C a, C b) const { return (a != C(0)) != (b != C(0)); } };
struct BAndOp { template <class C> C operator()(C a, C b) const { return a & b; } };
struct BOrOp { template <class C> C operator()(C a, C b) const { return a | b; } };
struct BXorOp { template <class C> C operator()(C a, C b) const { return a ^ b; } };
// NumPy's npy_lshift / npy_rshift: the count is compared as unsigned, so counts that are
// negative or at least the bit width give 0 (or -1 for a negative value shifted right).
// Shifting in the unsigned type avoids UB for negative values; C++20 >> on signed is arithmetic.
template <class C>
constexpr bool shift_in_range(C b) { return u64(b) < sizeof(C) * 8; }
struct LShiftOp {
  template <class C> C operator()(C a, C b) const {
    using U = std::make_unsigned_t<C>;
    return shift_in_range(b) ? static_cast<C>(static_cast<U>(static_cast<U>(a) << b)) : C(0);
  }
};
struct RShiftOp {
  template <class C> C operator()(C a, C b) const {
    if (shift_in_range(b)) return static_cast<C>(a >> b);
    if constexpr (std::is_signed_v<C>) return a < 0 ? C(-1) : C(0); else return C(0);
  }
};

// Which element types an op's kernel is instantiated for; the front-end never sends others.
template <class Op, class T>
constexpr bool binary_supports() {
  if constexpr (std::is_same_v<Op, BAndOp> || std::is_same_v<Op, BOrOp> || std::is_same_v<Op, BXorOp>) {
    return std::is_integral_v<T>;
  } else if constexpr (std::is_same_v<Op, LShiftOp> || std::is_same_v<Op, RShiftOp>) {
    return std::is_integral_v<T> && !std::is_same_v<T, bool>;
  } else if constexpr (std::is_same_v<Op, FloorDivOp> || std::is_same_v<Op, ModOp> ||
                       std::is_same_v<Op, PowOp> || std::is_same_v<Op, SubOp>) {
    return !std::is_same_v<T, bool>;
  } else if constexpr (std::is_same_v<Op, DivOp> || std::is_same_v<Op, Atan2Op>) {
    return is_float_v<T>;
  } else {
    return true;
  }
}

template <class Op>
void binary_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (binary_supports<Op, T>()) {
      using C = compute_t<T>;
      using Raw = decltype(Op{}(C{}, C{}));
      using R = std::conditional_t<std::is_same_v<Raw, bool>, bool, T>;
      const Op op;
      StridedIter<3> it({&in[0], &in[1], &out[0]});
      it.run_all([&](const std::array<char*, 3>& p, const std::array<std::int64_t, 3>& s, std::int64_t n) {
        const T* a = reinterpret_cast<const T*>(p[0]);
        const T* b = reinterpret_cast<const T*>(p[1]);
        R* o = reinterpret_cast<R*>(p[2]);
        constexpr auto ts = static_cast<std::int64_t>(sizeof(T));
        constexpr auto rs = static_cast<std::int64_t>(sizeof(R));
        if (s[0] == ts && s[1] == ts && s[2] == rs) {
          for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(op(C(a[i]), C(b[i])));
        } else if (s[0] == ts && s[1] == 0 && s[2] == rs) {
          const C bv = C(b[0]);
          for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(op(C(a[i]), bv));
        } else if (s[0] == 0 && s[1] == ts && s[2] == rs) {
          const C av = C(a[0]);
          for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(op(av, C(b[i])));
        } else {
          for (std::int64_t i = 0; i < n; ++i) {
            const T x = *reinterpret_cast<const T*>(p[0] + i * s[0]);
            const T y = *reinterpret_cast<const T*>(p[1] + i * s[1]);
            *reinterpret_cast<R*>(p[2] + i * s[2]) = static_cast<R>(op(C(x), C(y)));
          }
        }
      });
    } else {
      type_error("kernel", "binary kernel called with unsupported dtype ", dtype_name(in[0].dtype()));
    }
  });
}

// ---- unary functors --------------------------------------------------------------------
// Some floating ops also have an Eigen array form, vectorised with SIMD for contiguous
// runs. Eigen's fast paths clamp or flush at the edges of the range (denormal inputs or
// results, huge arguments), so elements where `exact(x)` holds are recomputed with the
// scalar libm function afterwards; results then match NumPy everywhere.
#define EMBER_FLOAT_UNARY(Name, expr)                                     \
  struct Name {                                                           \
    template <class C> C operator()(C x) const { return expr; }           \
  };
#define EMBER_SIMD_UNARY(Name, expr, eigen_expr, exact_expr)              \
  struct Name {                                                           \
    template <class C> C operator()(C x) const { return expr; }           \
    template <class A> auto array(const A& x) const { return eigen_expr; } \
    template <class C> static bool exact(C x) { return exact_expr; }      \
  };
template <class C> constexpr C kMinNormal = std::numeric_limits<C>::min();
template <class C> constexpr C kInf = std::numeric_limits<C>::infinity();
// exp underflows to denormals below log(min normal) and overflows above log(max).
template <class C> constexpr C kExpLo = sizeof(C) == 4 ? C(-87.3) : C(-708.3);
template <class C> constexpr C kExpHi = sizeof(C) == 4 ? C(88.7) : C(709.7);

EMBER_SIMD_UNARY(ExpOp, std::exp(x), x.exp(), !(x > kExpLo<C> && x < kExpHi<C>))
EMBER_SIMD_UNARY(LogOp, std::log(x), x.log(), !(x >= kMinNormal<C> && x < kInf<C>))
EMBER_SIMD_UNARY(Log10Op, std::log10(x), x.log10(), !(x >= kMinNormal<C> && x < kInf<C>))
EMBER_SIMD_UNARY(Log2Op, std::log2(x), x.log2(), !(x >= kMinNormal<C> && x < kInf<C>))
EMBER_SIMD_UNARY(SinOp, std::sin(x), x.sin(), !(std::fabs(x) < C(1e3)))
EMBER_SIMD_UNARY(CosOp, std::cos(x), x.cos(), !(std::fabs(x) < C(1e3)))
// Eigen 3.4 vectorises tanh for float only (for double, x.tanh() is std::tanh per
// element, 7-12x NumPy's time); tanh(|x|) = 1 - 2 / (exp(2|x|) + 1) is vectorised through
// Eigen's exp. Its rounding errors grow as 2 / (exp(2|x|) + 1) approaches tanh(|x|), so
// below |x| = 0.625, where the ratio passes 0.8, glibc's tanh takes over (at most 1.27 ULP
// above it, 2.04 below, over tests_py/test_transcendental_accuracy.py's sweep). Float32
// never uses this form (vector_math.h).
struct TanhOp {
  template <class C> C operator()(C x) const { return std::tanh(x); }
  template <class A> auto array(const A& x) const {
    using C = typename A::Scalar;
    return (C(1) - C(2) / ((C(2) * x.abs()).exp() + C(1))) * x.sign();
  }
  template <class C> static bool exact(C x) { return !(std::fabs(x) >= C(0.625)); }
};
EMBER_SIMD_UNARY(SigmoidOp, x >= 0 ? C(1) / (C(1) + std::exp(-x)) : std::exp(x) / (C(1) + std::exp(x)),
                 x.logistic(), !(x > C(0.9) * kExpLo<C> && x < kExpHi<C>))
EMBER_FLOAT_UNARY(SqrtOp, std::sqrt(x))
EMBER_FLOAT_UNARY(TanOp, std::tan(x))
EMBER_FLOAT_UNARY(SinhOp, std::sinh(x))
EMBER_FLOAT_UNARY(CoshOp, std::cosh(x))
EMBER_FLOAT_UNARY(ErfOp, std::erf(x))
#undef EMBER_FLOAT_UNARY
#undef EMBER_SIMD_UNARY

struct AbsOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C> || std::is_same_v<C, bool>) return x;
    else if constexpr (std::is_floating_point_v<C>) return std::fabs(x);
    else return x < 0 ? static_cast<C>(0 - static_cast<std::make_unsigned_t<C>>(x)) : x;
  }
};
struct NegOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_integral_v<C>) return static_cast<C>(0 - static_cast<std::make_unsigned_t<C>>(x));
    else return -x;
  }
};
struct SignOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(x)) return x;
    }
    return static_cast<C>((C(0) < x) - (x < C(0)));
  }
};
struct SquareOp {
  template <class C> C operator()(C x) const { return MulOp{}(x, x); }
};
struct FloorOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::floor(x); else return x;
  }
};
struct CeilOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::ceil(x); else return x;
  }
};
struct IsNanOp {
  template <class C> bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::isnan(x); else return false;
  }
};
struct IsInfOp {
  template <class C> bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::isinf(x); else return false;
  }
};
struct IsFiniteOp {
  template <class C> bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::isfinite(x); else return true;
  }
};
struct LNotOp { template <class C> bool operator()(C x) const { return x == C(0); } };
struct BNotOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_same_v<C, bool>) return !x; else return static_cast<C>(~x);
  }
};
// Set bits of the two's-complement pattern (a bool's single bit is itself).
struct PopcountOp {
  template <class C> C operator()(C x) const {
    if constexpr (std::is_same_v<C, bool>) return x;
    else return static_cast<C>(std::popcount(static_cast<std::make_unsigned_t<C>>(x)));
  }
};

template <class Op>
constexpr bool has_array_form() {
  return requires(const Op& op, const Eigen::ArrayXf& a) { op.array(a); };
}

// Contiguous float32 runs of these ops go to the kernels of vector_math.h, which are
// more accurate than Eigen's float packets and NumPy's loops, and need no scalar fix-up.
// The others get nullptr_t, so that the test is on a type: comparing a function's address
// with null is not a constant expression under the sanitizers.
template <class Op>
constexpr auto f32_kernel() {
  if constexpr (std::is_same_v<Op, ExpOp>) return exp_f32;
  else if constexpr (std::is_same_v<Op, LogOp>) return log_f32;
  else if constexpr (std::is_same_v<Op, TanhOp>) return tanh_f32;
  else if constexpr (std::is_same_v<Op, SigmoidOp>) return sigmoid_f32;
  else return nullptr;
}

template <class Op>
constexpr bool floating_only() {
  return std::is_same_v<Op, SqrtOp> || std::is_same_v<Op, TanOp> || std::is_same_v<Op, SinhOp> ||
         std::is_same_v<Op, CoshOp>;
}

template <class Op, class T>
constexpr bool unary_supports() {
  if constexpr (has_array_form<Op>() || floating_only<Op>()) return is_float_v<T>;
  else if constexpr (std::is_same_v<Op, BNotOp> || std::is_same_v<Op, PopcountOp>) return std::is_integral_v<T>;
  else if constexpr (std::is_same_v<Op, NegOp> || std::is_same_v<Op, SignOp> || std::is_same_v<Op, SquareOp>)
    return !std::is_same_v<T, bool>;
  else return true;
}

template <class Op>
void unary_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (unary_supports<Op, T>()) {
      using C = compute_t<T>;
      using Raw = decltype(Op{}(C{}));
      using R = std::conditional_t<std::is_same_v<Raw, bool>, bool, T>;
      const Op op;
      StridedIter<2> it({&in[0], &out[0]});
      it.run_all([&](const std::array<char*, 2>& p, const std::array<std::int64_t, 2>& s, std::int64_t n) {
        const T* a = reinterpret_cast<const T*>(p[0]);
        R* o = reinterpret_cast<R*>(p[1]);
        const bool contiguous = s[0] == sizeof(T) && s[1] == sizeof(R);
        if constexpr (std::is_same_v<T, float> && !std::is_same_v<decltype(f32_kernel<Op>()), std::nullptr_t>) {
          if (contiguous) {
            f32_kernel<Op>()(a, o, n);
            return;
          }
        }
        if constexpr (has_array_form<Op>() && std::is_floating_point_v<T>) {
          if (contiguous) {
            using Arr = Eigen::Array<T, Eigen::Dynamic, 1>;
            Eigen::Map<Arr>(o, n) = op.array(Eigen::Map<const Arr>(a, n));
            for (std::int64_t i = 0; i < n; ++i) {
              if (Op::exact(a[i])) o[i] = op(a[i]);
            }
            return;
          }
        }
        if (contiguous) {
          for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<R>(op(C(a[i])));
        } else {
          for (std::int64_t i = 0; i < n; ++i) {
            const T x = *reinterpret_cast<const T*>(p[0] + i * s[0]);
            *reinterpret_cast<R*>(p[1] + i * s[1]) = static_cast<R>(op(C(x)));
          }
        }
      });
    } else {
      type_error("kernel", "unary kernel called with unsupported dtype ", dtype_name(in[0].dtype()));
    }
  });
}

// inputs: condition (bool), x, y (same dtype, complex included: elements are only
// moved); all broadcast to the output shape.
void where_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  auto run = [&](auto tag) {
    using T = decltype(tag);
    StridedIter<4> it({&in[0], &in[1], &in[2], &out[0]});
    it.run_all([&](const std::array<char*, 4>& p, const std::array<std::int64_t, 4>& s, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) {
        const bool c = *reinterpret_cast<const bool*>(p[0] + i * s[0]);
        const char* src = c ? p[1] + i * s[1] : p[2] + i * s[2];
        *reinterpret_cast<T*>(p[3] + i * s[3]) = *reinterpret_cast<const T*>(src);
      }
    });
  };
  if (is_complex(in[1].dtype())) visit_complex_dtype(in[1].dtype(), run);
  else visit_dtype(in[1].dtype(), run);
}

}  // namespace

void register_elementwise_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("add").set_kernel(cpu, binary_kernel<AddOp>);
  op_entry("subtract").set_kernel(cpu, binary_kernel<SubOp>);
  op_entry("multiply").set_kernel(cpu, binary_kernel<MulOp>);
  op_entry("divide").set_kernel(cpu, binary_kernel<DivOp>);
  op_entry("floor_divide").set_kernel(cpu, binary_kernel<FloorDivOp>);
  op_entry("mod").set_kernel(cpu, binary_kernel<ModOp>);
  op_entry("power").set_kernel(cpu, binary_kernel<PowOp>);
  op_entry("maximum").set_kernel(cpu, binary_kernel<MaxOp>);
  op_entry("minimum").set_kernel(cpu, binary_kernel<MinOp>);
  op_entry("equal").set_kernel(cpu, binary_kernel<EqOp>);
  op_entry("not_equal").set_kernel(cpu, binary_kernel<NeOp>);
  op_entry("less").set_kernel(cpu, binary_kernel<LtOp>);
  op_entry("less_equal").set_kernel(cpu, binary_kernel<LeOp>);
  op_entry("greater").set_kernel(cpu, binary_kernel<GtOp>);
  op_entry("greater_equal").set_kernel(cpu, binary_kernel<GeOp>);
  op_entry("logical_and").set_kernel(cpu, binary_kernel<LAndOp>);
  op_entry("logical_or").set_kernel(cpu, binary_kernel<LOrOp>);
  op_entry("logical_xor").set_kernel(cpu, binary_kernel<LXorOp>);
  op_entry("bitwise_and").set_kernel(cpu, binary_kernel<BAndOp>);
  op_entry("bitwise_or").set_kernel(cpu, binary_kernel<BOrOp>);
  op_entry("bitwise_xor").set_kernel(cpu, binary_kernel<BXorOp>);
  op_entry("left_shift").set_kernel(cpu, binary_kernel<LShiftOp>);
  op_entry("right_shift").set_kernel(cpu, binary_kernel<RShiftOp>);

  op_entry("exp").set_kernel(cpu, unary_kernel<ExpOp>);
  op_entry("log").set_kernel(cpu, unary_kernel<LogOp>);
  op_entry("log10").set_kernel(cpu, unary_kernel<Log10Op>);
  op_entry("log2").set_kernel(cpu, unary_kernel<Log2Op>);
  op_entry("sqrt").set_kernel(cpu, unary_kernel<SqrtOp>);
  op_entry("sin").set_kernel(cpu, unary_kernel<SinOp>);
  op_entry("cos").set_kernel(cpu, unary_kernel<CosOp>);
  op_entry("tan").set_kernel(cpu, unary_kernel<TanOp>);
  op_entry("sinh").set_kernel(cpu, unary_kernel<SinhOp>);
  op_entry("cosh").set_kernel(cpu, unary_kernel<CoshOp>);
  op_entry("erf").set_kernel(cpu, unary_kernel<ErfOp>);
  op_entry("tanh").set_kernel(cpu, unary_kernel<TanhOp>);
  op_entry("sigmoid").set_kernel(cpu, unary_kernel<SigmoidOp>);
  op_entry("abs").set_kernel(cpu, unary_kernel<AbsOp>);
  op_entry("negative").set_kernel(cpu, unary_kernel<NegOp>);
  op_entry("sign").set_kernel(cpu, unary_kernel<SignOp>);
  op_entry("square").set_kernel(cpu, unary_kernel<SquareOp>);
  op_entry("floor").set_kernel(cpu, unary_kernel<FloorOp>);
  op_entry("ceil").set_kernel(cpu, unary_kernel<CeilOp>);
  op_entry("isnan").set_kernel(cpu, unary_kernel<IsNanOp>);
  op_entry("isinf").set_kernel(cpu, unary_kernel<IsInfOp>);
  op_entry("isfinite").set_kernel(cpu, unary_kernel<IsFiniteOp>);
  op_entry("logical_not").set_kernel(cpu, unary_kernel<LNotOp>);
  op_entry("bitwise_not").set_kernel(cpu, unary_kernel<BNotOp>);
  op_entry("count_ones").set_kernel(cpu, unary_kernel<PopcountOp>);
  op_entry("where").set_kernel(cpu, where_kernel);
  op_entry("arctan2").set_kernel(cpu, binary_kernel<Atan2Op>);
}

}  // namespace ember::cpu
