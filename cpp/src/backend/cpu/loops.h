// Strided iteration helpers shared by the CPU kernels.
#pragma once

#include <array>
#include <cstdint>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ember/parallel.h"
#include "ember/tensor.h"

namespace ember::cpu {

// Elementwise work below this many items runs on the calling thread only.
inline constexpr std::int64_t kParallelGrain = 1 << 15;

// Runs fn(begin, end) over [0, n), split across the pool when n is large. Small calls
// avoid building a std::function so tiny ops stay cheap.
template <class Fn>
void parallel_range(std::int64_t n, std::int64_t grain, Fn&& fn) {
  if (n < 2 * grain || num_threads() == 1) {
    if (n > 0) fn(std::int64_t{0}, n);
    return;
  }
  parallel_for(n, grain, fn);
}

// Calls fn.template operator()<T>() with T = double for float64, float otherwise: the
// kernels of ops whose front end admits only float32 and float64.
template <class Fn>
void with_float_type(DType dtype, Fn&& fn) {
  if (dtype == DType::Float64) {
    fn.template operator()<double>();
  } else {
    fn.template operator()<float>();
  }
}

// The type arithmetic on T is carried out in: float for half, T otherwise.
template <class T>
using compute_t = std::conditional_t<std::is_same_v<T, half>, float, T>;

// Converts between element types with NumPy-like rules; NaN and out-of-range floats
// going to integers give 0 / the nearest bound instead of undefined behaviour.
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<compute_t<From>>(v) != compute_t<From>(0);
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<From>) {
    const double d = static_cast<double>(v);
    if (std::isnan(d)) return To(0);
    if (d <= static_cast<double>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (d >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(d);
  } else if constexpr (std::is_same_v<To, half> && std::is_integral_v<From>) {
    return static_cast<half>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

// Iterates over the elements of K same-shaped tensors (already broadcast) in C order,
// handing fn runs along the innermost axis: fn(ptrs, byte_strides, count).
template <int K>
class StridedIter {
 public:
  explicit StridedIter(const std::array<const Tensor*, K>& ts) {
    const Tensor& t0 = *ts[0];
    numel_ = t0.numel();
    for (int k = 0; k < K; ++k) base_[k] = static_cast<char*>(ts[k]->raw_data());
    // Drop size-1 axes, then merge axes that are contiguous with their neighbour in
    // every operand, so most tensors iterate as one long run.
    for (int d = 0; d < t0.ndim(); ++d) {
      if (t0.shape()[d] == 1) continue;
      std::array<std::int64_t, K> st;
      for (int k = 0; k < K; ++k) st[k] = ts[k]->strides()[d] * static_cast<std::int64_t>(ts[k]->itemsize());
      if (nd_ > 0) {
        bool mergeable = true;
        for (int k = 0; k < K; ++k) mergeable &= strides_[nd_ - 1][k] == st[k] * t0.shape()[d];
        if (mergeable) {
          shape_[nd_ - 1] *= t0.shape()[d];
          strides_[nd_ - 1] = st;
          continue;
        }
      }
      shape_[nd_] = t0.shape()[d];
      strides_[nd_] = st;
      ++nd_;
    }
  }

  std::int64_t numel() const { return numel_; }

  template <class Fn>
  void run(std::int64_t begin, std::int64_t end, Fn&& fn) const {
    if (begin >= end) return;
    const int nd = nd_;
    if (nd == 0) {
      fn(base_, std::array<std::int64_t, K>{}, std::int64_t{1});
      return;
    }
    const std::int64_t inner = shape_[nd - 1];
    const auto& inner_strides = strides_[nd - 1];
    std::int64_t idx[kMaxDims];
    std::int64_t rem = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rem % shape_[d];
      rem /= shape_[d];
    }
    std::int64_t pos = begin;
    while (pos < end) {
      std::array<char*, K> ptrs = base_;
      for (int d = 0; d < nd; ++d) {
        for (int k = 0; k < K; ++k) ptrs[k] += idx[d] * strides_[d][k];
      }
      const std::int64_t n = std::min(inner - idx[nd - 1], end - pos);
      fn(ptrs, inner_strides, n);
      pos += n;
      idx[nd - 1] += n;
      for (int d = nd - 1; d > 0 && idx[d] == shape_[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  // Runs over every element, split across threads when large.
  template <class Fn>
  void run_all(Fn&& fn) const {
    parallel_range(numel_, kParallelGrain, [&](std::int64_t b, std::int64_t e) { run(b, e, fn); });
  }

 private:
  // Fixed-size arrays: building an iterator allocates nothing, which matters for tiny ops.
  std::array<char*, K> base_{};
  std::array<std::int64_t, kMaxDims> shape_;
  std::array<std::array<std::int64_t, K>, kMaxDims> strides_;
  int nd_ = 0;
  std::int64_t numel_ = 0;
};

}  // namespace ember::cpu
