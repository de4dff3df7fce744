// CPU kernels of the random ops. Every value is a pure function of its element index and
// the call's stream (layout in ember/random.h), so the chunking of parallel_range never
// changes results.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/philox.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

struct Stream {
  philox::Key key;
  std::uint64_t offset;
  std::uint32_t domain;

  explicit Stream(const RandomAttrs& a)
      : key{static_cast<std::uint32_t>(a.key), static_cast<std::uint32_t>(a.key >> 32)},
        offset(a.offset),
        domain(a.domain) {}
  // Words j of the four elements 4*b .. 4*b+3.
  philox::Counter block(std::uint64_t b, std::uint32_t j) const {
    const std::uint64_t c = offset + b;
    return philox::philox4x32_10({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), j, domain}, key);
  }
};

// [0, 1) from the top 24 bits (float) or from 53 bits of two words, as NumPy's
// next_float / next_double.
inline float unit_float(std::uint32_t w) { return static_cast<float>(w >> 8) * 0x1p-24f; }
inline double unit_double(std::uint32_t hi, std::uint32_t lo) {
  return (static_cast<double>(hi >> 5) * 67108864.0 + static_cast<double>(lo >> 6)) * 0x1p-53;
}

// The words of one element, drawn in order: for samplers that use a varying number of them.
class ElementDraws {
 public:
  ElementDraws(const Stream& stream, std::int64_t i)
      : stream_(stream), block_(static_cast<std::uint64_t>(i) / 4), lane_(static_cast<int>(i % 4)) {}
  std::uint32_t next_u32() { return stream_.block(block_, next_++)[lane_]; }
  double next_double() {
    const std::uint32_t hi = next_u32();
    return unit_double(hi, next_u32());
  }
  // Box–Muller, cosine branch; 1 - u keeps the logarithm's argument in (0, 1].
  double next_normal() {
    const double u1 = 1.0 - next_double(), u2 = next_double();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  // Uniform in [0, range) without bias: Lemire, "Fast random integer generation in an
  // interval" (ACM TOMACS 2019), on 64-bit words.
  std::uint64_t next_below(std::uint64_t range) {
    auto draw = [&] {
      const std::uint64_t hi = next_u32();
      return static_cast<unsigned __int128>((hi << 32) | next_u32()) * range;
    };
    unsigned __int128 m = draw();
    if (static_cast<std::uint64_t>(m) < range) {
      const std::uint64_t threshold = (0 - range) % range;
      while (static_cast<std::uint64_t>(m) < threshold) m = draw();
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

 private:
  const Stream& stream_;
  std::uint64_t block_;
  int lane_;
  std::uint32_t next_ = 0;
};

constexpr std::int64_t kBlockGrain = kParallelGrain / 4;

// Calls fn(b, first, count) for every block b of 4 elements of [0, n), in parallel.
template <class Fn>
void for_blocks(std::int64_t n, Fn&& fn) {
  parallel_range((n + 3) / 4, kBlockGrain, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) fn(static_cast<std::uint64_t>(b), 4 * b, std::min<std::int64_t>(4, n - 4 * b));
  });
}

// Fills `out` (contiguous) with convert<T>(gen(draws of element i)).
template <class Gen>
void fill_elements(const Tensor& out, const Stream& stream, Gen&& gen) {
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    parallel_range(out.numel(), kBlockGrain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        ElementDraws draws(stream, i);
        o[i] = convert<T>(gen(draws));
      }
    });
  });
}

// params: {minval, maxval}. Word 0 gives float32/float16 values, words 0 and 1 float64.
// An explicit fma rounds once whatever the compiler contracts, so the OpenCL kernel
// (which calls fma too) gives the same bits.
void uniform_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const Tensor& dst = out[0];
  const double lo = spec.params[0], span = spec.params[1] - spec.params[0];
  if (dst.dtype() == DType::Float64) {
    double* o = dst.data<double>();
    for_blocks(dst.numel(), [&](std::uint64_t b, std::int64_t first, std::int64_t count) {
      const auto w0 = s.block(b, 0), w1 = s.block(b, 1);
      for (int l = 0; l < count; ++l) o[first + l] = std::fma(span, unit_double(w0[l], w1[l]), lo);
    });
    return;
  }
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, half>) {
      T* o = dst.data<T>();
      const float lo_f = static_cast<float>(lo), span_f = static_cast<float>(span);
      for_blocks(dst.numel(), [&](std::uint64_t b, std::int64_t first, std::int64_t count) {
        const auto w = s.block(b, 0);
        for (int l = 0; l < count; ++l) o[first + l] = static_cast<T>(std::fma(span_f, unit_float(w[l]), lo_f));
      });
    }
  });
}

// params: {mean, stddev}. Box–Muller (Box and Muller 1958) on the lane pairs
// (0, 1) and (2, 3): the even lane takes r cos(theta), the odd lane r sin(theta).
void normal_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const Tensor& dst = out[0];
  const double mean = spec.params[0], stddev = spec.params[1];
  if (dst.dtype() == DType::Float64) {
    double* o = dst.data<double>();
    for_blocks(dst.numel(), [&](std::uint64_t b, std::int64_t first, std::int64_t count) {
      const auto w0 = s.block(b, 0), w1 = s.block(b, 1);
      for (int pair = 0; pair < 2 && 2 * pair < count; ++pair) {
        const double u1 = 1.0 - unit_double(w0[2 * pair], w1[2 * pair]);
        const double theta = 2.0 * std::numbers::pi * unit_double(w0[2 * pair + 1], w1[2 * pair + 1]);
        const double r = std::sqrt(-2.0 * std::log(u1));
        o[first + 2 * pair] = mean + stddev * r * std::cos(theta);
        if (2 * pair + 1 < count) o[first + 2 * pair + 1] = mean + stddev * r * std::sin(theta);
      }
    });
    return;
  }
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, half>) {
      T* o = dst.data<T>();
      const float mean_f = static_cast<float>(mean), stddev_f = static_cast<float>(stddev);
      for_blocks(dst.numel(), [&](std::uint64_t b, std::int64_t first, std::int64_t count) {
        const auto w = s.block(b, 0);
        float z[4];
        for (int pair = 0; pair < 2; ++pair) {
          // u1 in (0, 1]: the 24-bit grid shifted up by one step, so the tails reach 5.77 sigma.
          const float u1 = static_cast<float>((w[2 * pair] >> 8) + 1) * 0x1p-24f;
          const float theta = 2.0f * std::numbers::pi_v<float> * unit_float(w[2 * pair + 1]);
          const float r = std::sqrt(-2.0f * std::log(u1));
          z[2 * pair] = r * std::cos(theta);
          z[2 * pair + 1] = r * std::sin(theta);
        }
        for (int l = 0; l < count; ++l) o[first + l] = static_cast<T>(mean_f + stddev_f * z[l]);
      });
    }
  });
}

// params: {p}. Word 0 below round(p * 2**32) gives 1, so p is honoured to 2**-33.
void bernoulli_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const auto threshold = static_cast<std::uint64_t>(std::llround(spec.params[0] * 0x1p32));
  // Element i's word is word 0 of block i / 4 (ElementDraws' first), so one Philox block
  // serves four elements (fill_elements would compute it once per element: the dropout masks
  // of the Walker2d configuration's fused training step spent a fifth of the step here).
  visit_dtype(out[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = out[0].data<T>();
    for_blocks(out[0].numel(), [&](std::uint64_t b, std::int64_t first, std::int64_t count) {
      const auto w = s.block(b, 0);
      for (int l = 0; l < count; ++l) o[first + l] = convert<T>(w[l] < threshold ? 1 : 0);
    });
  });
}

// log(k!) - Stirling's approximation of it: the correction term of Hörmann's BTRS.
double stirling_tail(double k) {
  if (k < 10) return std::lgamma(k + 1) - (k + 0.5) * std::log(k + 1) + (k + 1) - 0.5 * std::log(2 * std::numbers::pi);
  const double k2 = k * k;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k2) / k2) / k;
}

// Binomial(n, p) for p <= 0.5. n * p < 10: inversion by counting geometric waiting
// times (Devroye, "Non-Uniform Random Variate Generation", 1986, X.4.3); otherwise BTRS,
// Hörmann, "The generation of binomial random variates" (J. Stat. Comput. Simul. 46, 1993),
// as TensorFlow and PyTorch implement it.
std::int64_t binomial_low_p(ElementDraws& d, std::int64_t n, double p) {
  if (p == 0) return 0;
  const auto nd = static_cast<double>(n);
  if (nd * p < 10) {
    const double log_q = std::log1p(-p);
    double waited = 0;
    for (std::int64_t successes = 0;; ++successes) {
      waited += std::ceil(std::log(d.next_double()) / log_q);
      if (waited > nd) return successes;
    }
  }
  const double spq = std::sqrt(nd * p * (1 - p));
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = nd * p + 0.5;
  const double vr = 0.92 - 4.2 / b, r = p / (1 - p), alpha = (2.83 + 5.1 / b) * spq;
  const double m = std::floor((nd + 1) * p);
  for (;;) {
    const double u = d.next_double() - 0.5, v = d.next_double();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > nd) continue;
    if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
    const double log_v = std::log(v * alpha / (a / (us * us) + b));
    const double bound = (m + 0.5) * std::log((m + 1) / (r * (nd - m + 1))) +
                         (nd + 1) * std::log((nd - m + 1) / (nd - k + 1)) +
                         (k + 0.5) * std::log(r * (nd - k + 1) / (k + 1)) + stirling_tail(m) +
                         stirling_tail(nd - m) - stirling_tail(k) - stirling_tail(nd - k);
    if (log_v <= bound) return static_cast<std::int64_t>(k);
  }
}

// attrs: trials n, params {p}. p > 0.5 samples the failures of 1 - p.
void binomial_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const std::int64_t n = spec.trials;
  const double p = spec.params[0];
  fill_elements(out[0], s, [&](ElementDraws& d) {
    return p > 0.5 ? n - binomial_low_p(d, n, 1 - p) : binomial_low_p(d, n, p);
  });
}

// Marsaglia and Tsang, "A simple method for generating gamma variables" (ACM TOMS 26,
// 2000); alpha < 1 uses their boost Gamma(alpha) = Gamma(alpha + 1) * U**(1/alpha).
double standard_gamma(ElementDraws& d, double alpha) {
  if (alpha < 1) {
    const double g = standard_gamma(d, alpha + 1);
    return g * std::pow(1.0 - d.next_double(), 1.0 / alpha);
  }
  const double dd = alpha - 1.0 / 3, c = 1.0 / std::sqrt(9 * dd);
  for (;;) {
    double x, v;
    do {
      x = d.next_normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = d.next_double(), x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return dd * v;
    if (std::log(u) < 0.5 * x2 + dd * (1 - v + std::log(v))) return dd * v;
  }
}

// params: {alpha, beta (scale)}.
void gamma_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const double alpha = spec.params[0], beta = spec.params[1];
  fill_elements(out[0], Stream(spec), [&](ElementDraws& d) { return beta * standard_gamma(d, alpha); });
}

// params: {scale}. Inversion: -log(1 - U) with U in [0, 1) from 53 bits.
void exponential_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const double scale = spec.params[0];
  fill_elements(out[0], Stream(spec), [&](ElementDraws& d) { return -scale * std::log1p(-d.next_double()); });
}

// params: {lam}. lam < 10: Knuth's multiplication method (TAOCP vol. 2, 3.4.1);
// otherwise PTRS, Hörmann, "The transformed rejection method for generating Poisson
// random variables" (Insurance: Math. and Econ. 12, 1993), as NumPy.
void poisson_kernel(std::span<const Tensor>, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const double lam = spec.params[0];
  const Stream s(spec);
  if (lam < 10) {
    const double limit = std::exp(-lam);
    fill_elements(out[0], s, [&](ElementDraws& d) {
      std::int64_t k = 0;
      for (double prod = d.next_double(); prod > limit; prod *= d.next_double()) ++k;
      return k;
    });
    return;
  }
  const double slam = std::sqrt(lam), loglam = std::log(lam);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  fill_elements(out[0], s, [&](ElementDraws& d) {
    for (;;) {
      const double u = d.next_double() - 0.5, v = d.next_double();
      const double us = 0.5 - std::fabs(u);
      const double k = std::floor((2 * a / us + b) * u + lam + 0.43);
      if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -lam + k * loglam - std::lgamma(k + 1)) {
        return static_cast<std::int64_t>(k);
      }
    }
  });
}

// inputs: logits [batch, classes] (contiguous, float); outputs: [batch, samples] (int32/int64).
// Inversion: U * sum(exp(logits - max)) located in the running sums by binary search.
void categorical_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const Tensor& logits = in[0];
  const Tensor& dst = out[0];
  const std::int64_t batch = logits.dim(0), classes = logits.dim(1), samples = dst.dim(1);
  visit_dtype(logits.dtype(), [&](auto ltag) {
    using L = decltype(ltag);
    if constexpr (std::is_floating_point_v<L> || std::is_same_v<L, half>) {
      visit_dtype(dst.dtype(), [&](auto otag) {
        using O = decltype(otag);
        const L* x = logits.data<L>();
        O* o = dst.data<O>();
        const std::int64_t grain = std::max<std::int64_t>(1, kParallelGrain / (classes + samples));
        parallel_range(batch, grain, [&](std::int64_t r0, std::int64_t r1) {
          std::vector<double> cdf(static_cast<std::size_t>(classes));
          for (std::int64_t r = r0; r < r1; ++r) {
            const L* row = x + r * classes;
            double top = -INFINITY, total = 0;
            for (std::int64_t c = 0; c < classes; ++c) top = std::max(top, static_cast<double>(row[c]));
            for (std::int64_t c = 0; c < classes; ++c) cdf[c] = total += std::exp(static_cast<double>(row[c]) - top);
            for (std::int64_t j = 0; j < samples; ++j) {
              ElementDraws d(s, r * samples + j);
              const double target = d.next_double() * total;
              const auto it = std::upper_bound(cdf.begin(), cdf.end(), target);
              o[r * samples + j] = static_cast<O>(std::min<std::int64_t>(it - cdf.begin(), classes - 1));
            }
          }
        });
      });
    }
  });
}

// inputs: x (contiguous); outputs: a contiguous copy with rows permuted. Fisher–Yates
// (Durstenfeld 1964): step i swaps row i with a row below i + 1 drawn by element i.
void shuffle_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const RandomAttrs spec = decode<RandomAttrs>(attrs);
  const Stream s(spec);
  const std::int64_t rows = in[0].dim(0);
  std::vector<std::int64_t> perm(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) perm[i] = i;
  for (std::int64_t i = rows - 1; i > 0; --i) {
    ElementDraws d(s, i);
    std::swap(perm[i], perm[d.next_below(static_cast<std::uint64_t>(i) + 1)]);
  }
  const auto row_bytes = static_cast<std::size_t>(in[0].numel() / rows) * in[0].itemsize();
  const char* src = static_cast<const char*>(in[0].raw_data());
  char* dst = static_cast<char*>(out[0].raw_data());
  parallel_range(rows, std::max<std::int64_t>(1, (1 << 20) / std::max<std::size_t>(row_bytes, 1)),
                 [&](std::int64_t r0, std::int64_t r1) {
                   for (std::int64_t r = r0; r < r1; ++r) std::memcpy(dst + r * row_bytes, src + perm[r] * row_bytes, row_bytes);
                 });
}

}  // namespace

void register_random_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("random_uniform").set_kernel(cpu, uniform_kernel);
  op_entry("random_normal").set_kernel(cpu, normal_kernel);
  op_entry("random_bernoulli").set_kernel(cpu, bernoulli_kernel);
  op_entry("random_binomial").set_kernel(cpu, binomial_kernel);
  op_entry("random_gamma").set_kernel(cpu, gamma_kernel);
  op_entry("random_exponential").set_kernel(cpu, exponential_kernel);
  op_entry("random_poisson").set_kernel(cpu, poisson_kernel);
  op_entry("random_categorical").set_kernel(cpu, categorical_kernel);
  op_entry("random_shuffle").set_kernel(cpu, shuffle_kernel);
}

}  // namespace ember::cpu
