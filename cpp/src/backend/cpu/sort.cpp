// CPU kernels of sort, argsort, cumsum and percentile / median.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// Strict weak order with NaNs after every number, ascending or descending.
template <class T>
struct Less {
  bool descending;
  bool operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, half>) {
      const auto fa = static_cast<compute_t<T>>(a), fb = static_cast<compute_t<T>>(b);
      if (std::isnan(fb)) return !std::isnan(fa);
      if (std::isnan(fa)) return false;
      return descending ? fb < fa : fa < fb;
    } else {
      return descending ? b < a : a < b;
    }
  }
};

// inputs: contiguous rows [M, R]; outputs: the rows sorted (Arg: the int64 permutation).
// attrs: SortAttrs {M, R, descending}.
template <bool Arg>
void sort_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, descending] = decode<SortAttrs>(attrs);
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = in[0].data<T>();
    const Less<T> less{descending};
    parallel_range(M, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(R, 1)),
                   [&](std::int64_t b, std::int64_t e) {
                     std::vector<std::int64_t> perm(static_cast<std::size_t>(R));
                     for (std::int64_t m = b; m < e; ++m) {
                       const T* row = x + m * R;
                       if constexpr (Arg) {
                         std::int64_t* o = out[0].data<std::int64_t>() + m * R;
                         std::iota(o, o + R, std::int64_t{0});
                         std::stable_sort(o, o + R, [&](std::int64_t i, std::int64_t j) { return less(row[i], row[j]); });
                       } else {
                         T* o = out[0].data<T>() + m * R;
                         std::copy(row, row + R, o);
                         std::stable_sort(o, o + R, less);
                       }
                     }
                   });
  });
}

// inputs: contiguous [M, R, N] (already in the accumulator dtype); outputs: same shape;
// attrs: AxisLayout {M, R, N}. Each step rounds to the dtype, as numpy.add.accumulate does.
void cumsum_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = in[0].data<T>();
    T* o = out[0].data<T>();
    for (std::int64_t m = 0; m < M; ++m) {
      const T* xs = x + m * R * N;
      T* os = o + m * R * N;
      std::copy(xs, xs + N, os);
      for (std::int64_t r = 1; r < R; ++r) {
        for (std::int64_t n = 0; n < N; ++n) {
          const T a = os[(r - 1) * N + n], b = xs[r * N + n];
          if constexpr (std::is_same_v<T, bool>) {  // bool never reaches here (front-end widens it)
            os[r * N + n] = a || b;
          } else if constexpr (std::is_integral_v<T>) {
            using U = std::make_unsigned_t<T>;  // wrap without signed-overflow UB
            os[r * N + n] = static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
          } else {
            os[r * N + n] = static_cast<T>(static_cast<compute_t<T>>(a) + static_cast<compute_t<T>>(b));
          }
        }
      }
    }
  });
}

// inputs: float64 rows [M, R]; outputs: float64 [Q, M]; attrs: PercentileAttrs. NumPy's
// 'linear' method; a row with a NaN gives NaN, an empty row NaN. median averages the two
// middle values as numpy.median does.
void percentile_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, median, quantiles] = decode<PercentileAttrs>(attrs);
  const auto Q = static_cast<std::int64_t>(quantiles.size());
  const double* x = in[0].data<double>();
  double* o = out[0].data<double>();
  std::vector<double> row(static_cast<std::size_t>(R));
  for (std::int64_t m = 0; m < M; ++m) {
    std::copy(x + m * R, x + (m + 1) * R, row.begin());
    const bool has_nan = std::any_of(row.begin(), row.end(), [](double v) { return std::isnan(v); });
    for (std::int64_t qi = 0; qi < Q; ++qi) {
      if (has_nan || R == 0) {
        o[qi * M + m] = std::nan("");
        continue;
      }
      const double v = quantiles[static_cast<std::size_t>(qi)] * static_cast<double>(R - 1);
      const auto lo = static_cast<std::int64_t>(std::floor(v));
      const std::int64_t hi = std::min(lo + 1, R - 1);
      const double t = v - static_cast<double>(lo);
      std::nth_element(row.begin(), row.begin() + lo, row.end());
      const double a = row[static_cast<std::size_t>(lo)];
      // After nth_element everything past lo is >= a, so the next order statistic is their minimum.
      const double b = hi == lo ? a : *std::min_element(row.begin() + lo + 1, row.end());
      double r;
      if (median) r = hi == lo || t == 0.0 ? a : (a + b) / 2.0;
      else if (t >= 0.5) r = b - (b - a) * (1.0 - t);
      else r = a + (b - a) * t;
      o[qi * M + m] = r;
    }
  }
}

}  // namespace

void register_sort_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("sort").set_kernel(cpu, sort_kernel<false>);
  op_entry("argsort").set_kernel(cpu, sort_kernel<true>);
  op_entry("cumsum").set_kernel(cpu, cumsum_kernel);
  op_entry("percentile").set_kernel(cpu, percentile_kernel);
}

}  // namespace ember::cpu
