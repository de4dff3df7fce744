// CPU kernel of the 1-D discrete Fourier transforms behind the numpy.fft family, on
// Eigen's FFT module (unsupported/Eigen/FFT: a port of Mark Borgerding's kissfft, a
// mixed-radix Cooley-Tukey FFT with radix 2, 3, 4 and 5 butterflies and a generic
// O(p^2) butterfly for larger prime factors, so every length works; twiddles are
// computed in double). The front-end composes multi-dimensional transforms from
// passes of this kernel, one axis at a time.
#include <algorithm>
#include <complex>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// Copies `have` elements of a strided line into buf and zero-pads the rest of buf.
template <class T>
void read_line(const T* src, std::int64_t stride, std::int64_t have, std::vector<T>& buf) {
  for (std::int64_t i = 0; i < have; ++i) buf[static_cast<std::size_t>(i)] = src[i * stride];
  std::fill(buf.begin() + have, buf.end(), T(0));
}

template <class T, class V>
void write_line(const std::vector<T>& buf, std::int64_t len, V scale, T* dst, std::int64_t stride) {
  for (std::int64_t i = 0; i < len; ++i) dst[i * stride] = buf[static_cast<std::size_t>(i)] * scale;
}

// inputs: x (any strides; complex, or real for r2c) in the transform's precision;
// outputs: y, contiguous, with x's shape except along the axis (n for c2c and c2r,
// n / 2 + 1 for r2c). attrs: FftAttrs.
// Each line along the axis is read with its stride, cropped or zero-padded to the
// length the transform reads (n, or n / 2 + 1 for c2r), transformed, scaled, written.
void fft_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Tensor& x = in[0];
  const Tensor& y = out[0];
  const FftAttrs a = decode<FftAttrs>(attrs);
  const int axis = static_cast<int>(a.axis);
  const std::int64_t n = a.n;
  const bool inverse = a.inverse;
  const FftKind kind = a.kind;
  const std::int64_t in_len = kind == FftKind::C2R ? n / 2 + 1 : n;
  const std::int64_t have = std::min(x.shape()[axis], in_len);
  const std::int64_t out_len = y.shape()[axis];
  const std::int64_t lines = y.numel() / out_len;
  const std::int64_t xs = x.strides()[axis], ys = y.strides()[axis];
  // Line l's index over the other axes (C order) locates its first element in x and y.
  auto line_start = [&](std::int64_t l) {
    std::int64_t xo = 0, yo = 0;
    for (int d = y.ndim() - 1; d >= 0; --d) {
      if (d == axis) continue;
      const std::int64_t i = l % y.shape()[d];
      l /= y.shape()[d];
      xo += i * x.strides()[d];
      yo += i * y.strides()[d];
    }
    return std::pair{xo, yo};
  };
  visit_complex_dtype(kind == FftKind::C2R ? x.dtype() : y.dtype(), [&](auto tag) {
    using C = decltype(tag);
    using V = typename C::value_type;
    const auto scale = static_cast<V>(a.scale);
    const auto* xr = static_cast<const V*>(x.raw_data());
    const auto* xc = static_cast<const C*>(x.raw_data());
    auto* yr = static_cast<V*>(y.raw_data());
    auto* yc = static_cast<C*>(y.raw_data());
    const std::int64_t grain = std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(n, 1));
    parallel_range(lines, grain, [&](std::int64_t begin, std::int64_t end) {
      // Eigen::FFT caches plans and scratch buffers, so each chunk owns one.
      Eigen::FFT<V> engine;
      engine.SetFlag(Eigen::FFT<V>::Unscaled);
      engine.SetFlag(Eigen::FFT<V>::HalfSpectrum);
      std::vector<C> cin(static_cast<std::size_t>(in_len)), cout(static_cast<std::size_t>(n));
      std::vector<V> real(static_cast<std::size_t>(n));
      for (std::int64_t l = begin; l < end; ++l) {
        const auto [xo, yo] = line_start(l);
        // kissfft has no length-1 plan (its generic butterfly would need scratch space);
        // the DFT of one point is the point itself.
        if (kind == FftKind::R2C) {
          read_line(xr + xo, xs, have, real);
          if (n == 1) cout[0] = C(real[0], 0);
          else engine.fwd(cout.data(), real.data(), n);
          write_line(cout, out_len, scale, yc + yo, ys);
        } else if (kind == FftKind::C2R) {
          read_line(xc + xo, xs, have, cin);
          if (n == 1) real[0] = cin[0].real();
          else engine.inv(real.data(), cin.data(), n);
          write_line(real, out_len, scale, yr + yo, ys);
        } else {
          read_line(xc + xo, xs, have, cin);
          if (n == 1) cout[0] = cin[0];
          else if (inverse) engine.inv(cout.data(), cin.data(), n);
          else engine.fwd(cout.data(), cin.data(), n);
          write_line(cout, out_len, scale, yc + yo, ys);
        }
      }
    });
  });
}

}  // namespace

void register_fft_kernels() { op_entry("fft").set_kernel(DeviceType::CPU, fft_kernel); }

}  // namespace ember::cpu
