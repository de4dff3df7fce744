// CPU kernels of complex64 / complex128 tensors, registered as "complex_<op>" entries
// (plus "conj" and "angle"). The front-end routes complex operands here, so the
// real-dtype kernels, which visit only the twelve real dtypes, never see one (where,
// which only moves elements, takes both).
//
// Arithmetic follows NumPy's complex loops (numpy/_core/src/umath/loops*.c.src) rather
// than C99 Annex G: multiply and square use the textbook formula, divide uses Smith's
// algorithm with NumPy's division-by-zero branch. exp, log, sqrt and abs call the C
// library (cexp, clog, csqrt, cabs through std::complex), as NumPy's npy_c* do.
#include <cmath>
#include <complex>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// out = f(a) elementwise over tensors of one shape, A and R being the element types.
template <class A, class R, class F>
void map1(const Tensor& a, const Tensor& out, F f) {
  StridedIter<2> it({&a, &out});
  it.run_all([&](const std::array<char*, 2>& p, const std::array<std::int64_t, 2>& s, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<R*>(p[1] + i * s[1]) = f(*reinterpret_cast<const A*>(p[0] + i * s[0]));
    }
  });
}

// out = f(a, b) elementwise; a and b have element type A.
template <class A, class R, class F>
void map2(const Tensor& a, const Tensor& b, const Tensor& out, F f) {
  StridedIter<3> it({&a, &b, &out});
  it.run_all([&](const std::array<char*, 3>& p, const std::array<std::int64_t, 3>& s, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<R*>(p[2] + i * s[2]) =
          f(*reinterpret_cast<const A*>(p[0] + i * s[0]), *reinterpret_cast<const A*>(p[1] + i * s[1]));
    }
  });
}

template <class T>
constexpr bool is_complex_v = false;
template <class V>
constexpr bool is_complex_v<std::complex<V>> = true;

// ---- binary functors ------------------------------------------------------------------------
struct AddOp { template <class C> C operator()(C a, C b) const { return a + b; } };
struct SubOp { template <class C> C operator()(C a, C b) const { return a - b; } };
struct MulOp {
  template <class C> C operator()(C a, C b) const {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
  }
};
struct DivOp {
  template <class C> C operator()(C a, C b) const {
    using V = typename C::value_type;
    const V br = b.real(), bi = b.imag();
    if (std::fabs(br) >= std::fabs(bi)) {
      if (br == V(0) && bi == V(0)) return {a.real() / std::fabs(br), a.imag() / std::fabs(br)};
      const V rat = bi / br, scl = V(1) / (br + bi * rat);
      return {(a.real() + a.imag() * rat) * scl, (a.imag() - a.real() * rat) * scl};
    }
    const V rat = br / bi, scl = V(1) / (bi + br * rat);
    return {(a.real() * rat + a.imag()) * scl, (a.imag() * rat - a.real()) * scl};
  }
};
struct EqOp { template <class C> bool operator()(C a, C b) const { return a == b; } };
struct NeOp { template <class C> bool operator()(C a, C b) const { return a != b; } };

// inputs: a, b of one complex dtype, broadcast to the output shape.
template <class Op>
void binary_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  visit_complex_dtype(in[0].dtype(), [&](auto tag) {
    using C = decltype(tag);
    map2<C, decltype(Op{}(C{}, C{}))>(in[0], in[1], out[0], Op{});
  });
}

// ---- unary functors (result: complex, real or bool) -------------------------------------
struct ExpOp { template <class C> C operator()(C z) const { return std::exp(z); } };
struct LogOp { template <class C> C operator()(C z) const { return std::log(z); } };
struct SqrtOp { template <class C> C operator()(C z) const { return std::sqrt(z); } };
struct NegOp { template <class C> C operator()(C z) const { return -z; } };
struct SquareOp { template <class C> C operator()(C z) const { return MulOp{}(z, z); } };
struct ConjOp { template <class C> C operator()(C z) const { return std::conj(z); } };
struct AbsOp { template <class C> auto operator()(C z) const { return std::abs(z); } };
struct AngleOp { template <class C> auto operator()(C z) const { return std::atan2(z.imag(), z.real()); } };
struct IsNanOp {
  template <class C> bool operator()(C z) const { return std::isnan(z.real()) || std::isnan(z.imag()); }
};
struct IsInfOp {
  template <class C> bool operator()(C z) const { return std::isinf(z.real()) || std::isinf(z.imag()); }
};
struct IsFiniteOp {
  template <class C> bool operator()(C z) const { return std::isfinite(z.real()) && std::isfinite(z.imag()); }
};

template <class Op>
void unary_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  visit_complex_dtype(in[0].dtype(), [&](auto tag) {
    using C = decltype(tag);
    map1<C, decltype(Op{}(C{}))>(in[0], out[0], Op{});
  });
}

// ---- whole-tensor kernels -------------------------------------------------------------------
// inputs: src (any dtype, broadcast to dst's shape); outputs: dst (complex, any strides).
// Real values become (value, 0); complex values are rounded part by part.
void copy_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& src = in[0];
  visit_complex_dtype(out[0].dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    using V = typename D::value_type;
    auto run = [&](auto stag) {
      using S = decltype(stag);
      map1<S, D>(src, out[0], [](S v) {
        if constexpr (is_complex_v<S>) return D(static_cast<V>(v.real()), static_cast<V>(v.imag()));
        else return D(static_cast<V>(static_cast<compute_t<S>>(v)), V(0));
      });
    };
    if (is_complex(src.dtype())) visit_complex_dtype(src.dtype(), run);
    else visit_dtype(src.dtype(), run);
  });
}

// outputs: dst (complex, any strides); attrs: FillAttrs (value and imag).
void fill_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const FillAttrs a = decode<FillAttrs>(attrs);
  visit_complex_dtype(out[0].dtype(), [&](auto tag) {
    using C = decltype(tag);
    using V = typename C::value_type;
    const C value(static_cast<V>(a.value), static_cast<V>(a.imag));
    StridedIter<1> it({&out[0]});
    it.run_all([&](const std::array<char*, 1>& p, const std::array<std::int64_t, 1>& s, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) *reinterpret_cast<C*>(p[0] + i * s[0]) = value;
    });
  });
}

}  // namespace

void register_complex_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("complex_add").set_kernel(cpu, binary_kernel<AddOp>);
  op_entry("complex_subtract").set_kernel(cpu, binary_kernel<SubOp>);
  op_entry("complex_multiply").set_kernel(cpu, binary_kernel<MulOp>);
  op_entry("complex_divide").set_kernel(cpu, binary_kernel<DivOp>);
  op_entry("complex_equal").set_kernel(cpu, binary_kernel<EqOp>);
  op_entry("complex_not_equal").set_kernel(cpu, binary_kernel<NeOp>);
  op_entry("complex_exp").set_kernel(cpu, unary_kernel<ExpOp>);
  op_entry("complex_log").set_kernel(cpu, unary_kernel<LogOp>);
  op_entry("complex_sqrt").set_kernel(cpu, unary_kernel<SqrtOp>);
  op_entry("complex_negative").set_kernel(cpu, unary_kernel<NegOp>);
  op_entry("complex_square").set_kernel(cpu, unary_kernel<SquareOp>);
  op_entry("complex_abs").set_kernel(cpu, unary_kernel<AbsOp>);
  op_entry("complex_isnan").set_kernel(cpu, unary_kernel<IsNanOp>);
  op_entry("complex_isinf").set_kernel(cpu, unary_kernel<IsInfOp>);
  op_entry("complex_isfinite").set_kernel(cpu, unary_kernel<IsFiniteOp>);
  op_entry("conj").set_kernel(cpu, unary_kernel<ConjOp>);
  op_entry("angle").set_kernel(cpu, unary_kernel<AngleOp>);
  op_entry("complex_copy").set_kernel(cpu, copy_kernel);
  op_entry("complex_fill").set_kernel(cpu, fill_kernel);
}

}  // namespace ember::cpu
