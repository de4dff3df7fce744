// CPU reduction kernels. The front-end hands every reduction the same layout: a
// contiguous input seen as [M, R, N] (reduce over R) and a contiguous output [M, N].
#include <cmath>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// Accumulator type: wide and wrapping for integers (no signed-overflow UB), float for half.
template <class T>
struct AccType {
  using type = compute_t<T>;
};
template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
struct AccType<T> {
  using type = std::make_unsigned_t<T>;
};
template <class T>
using acc_t = typename AccType<T>::type;

template <class T>
struct SumR {
  using A = acc_t<T>;
  static A init() { return A(0); }
  static A step(A a, T x) { return static_cast<A>(a + static_cast<A>(x)); }
  static A combine(A a, A b) { return static_cast<A>(a + b); }
};
template <class T>
struct ProdR {
  using A = acc_t<T>;
  static A init() { return A(1); }
  static A step(A a, T x) { return static_cast<A>(a * static_cast<A>(x)); }
  static A combine(A a, A b) { return static_cast<A>(a * b); }
};
template <class T>
struct MaxR {
  using A = compute_t<T>;
  static A init() {
    if constexpr (std::is_floating_point_v<A>) return -std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::lowest();
  }
  static A step(A a, T xv) {
    const A x = static_cast<A>(xv);
    if constexpr (std::is_floating_point_v<A>) {
      if (std::isnan(a)) return a;
      if (std::isnan(x)) return x;
    }
    return x > a ? x : a;
  }
  static A combine(A a, A b) { return step(a, static_cast<T>(b)); }
};
template <class T>
struct MinR {
  using A = compute_t<T>;
  static A init() {
    if constexpr (std::is_floating_point_v<A>) return std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::max();
  }
  static A step(A a, T xv) {
    const A x = static_cast<A>(xv);
    if constexpr (std::is_floating_point_v<A>) {
      if (std::isnan(a)) return a;
      if (std::isnan(x)) return x;
    }
    return x < a ? x : a;
  }
  static A combine(A a, A b) { return step(a, static_cast<T>(b)); }
};
struct AllR {
  using A = bool;
  static A init() { return true; }
  static A step(A a, bool x) { return a && x; }
  static A combine(A a, A b) { return a && b; }
};
struct AnyR {
  using A = bool;
  static A init() { return false; }
  static A step(A a, bool x) { return a || x; }
  static A combine(A a, A b) { return a || b; }
};

// Pairwise over blocks (as NumPy's pairwise sum) with 16 independent lanes inside a
// block, so float sums vectorise and stay accurate over long rows.
template <class Rd, class T>
typename Rd::A reduce_row(const T* x, std::int64_t n) {
  using A = typename Rd::A;
  constexpr std::int64_t kBlock = 4096;
  if (n > kBlock) {
    const std::int64_t half_n = n / 2 / 16 * 16;
    return Rd::combine(reduce_row<Rd>(x, half_n), reduce_row<Rd>(x + half_n, n - half_n));
  }
  constexpr int kLanes = 16;
  A lanes[kLanes];
  for (auto& l : lanes) l = Rd::init();
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) lanes[j] = Rd::step(lanes[j], x[i + j]);
  }
  A acc = Rd::init();
  for (; i < n; ++i) acc = Rd::step(acc, x[i]);
  for (int j = 0; j < kLanes; ++j) acc = Rd::combine(acc, lanes[j]);
  return acc;
}

template <class Rd, class T>
void reduce_layout(const T* x, T* out, std::int64_t M, std::int64_t R, std::int64_t N) {
  using A = typename Rd::A;
  if (N == 1) {
    if (M == 1 && R >= 2 * kParallelGrain) {
      // One long row: per-thread partials, combined in order.
      const int parts = num_threads();
      std::vector<A> partial(parts, Rd::init());
      const std::int64_t per = (R + parts - 1) / parts;
      parallel_for(parts, 1, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t p = b; p < e; ++p) {
          const std::int64_t lo = p * per, hi = std::min(R, lo + per);
          if (lo < hi) partial[p] = reduce_row<Rd>(x + lo, hi - lo);
        }
      });
      A acc = Rd::init();
      for (const A& p : partial) acc = Rd::combine(acc, p);
      out[0] = static_cast<T>(acc);
      return;
    }
    parallel_range(M, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(R, 1)),
                   [&](std::int64_t b, std::int64_t e) {
                     for (std::int64_t m = b; m < e; ++m) out[m] = static_cast<T>(reduce_row<Rd>(x + m * R, R));
                   });
    return;
  }
  // Reduce over a middle axis: accumulate whole rows of N, vectorised over n.
  constexpr std::int64_t kChunk = 1024;
  const std::int64_t chunks_per_m = (N + kChunk - 1) / kChunk;
  const std::int64_t grain = std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(R * kChunk, 1));
  parallel_range(M * chunks_per_m, grain, [&](std::int64_t b, std::int64_t e) {
    std::vector<A> acc(kChunk);
    for (std::int64_t w = b; w < e; ++w) {
      const std::int64_t m = w / chunks_per_m;
      const std::int64_t n0 = (w % chunks_per_m) * kChunk;
      const std::int64_t nn = std::min(kChunk, N - n0);
      std::fill(acc.begin(), acc.begin() + nn, Rd::init());
      for (std::int64_t r = 0; r < R; ++r) {
        const T* row = x + (m * R + r) * N + n0;
        for (std::int64_t j = 0; j < nn; ++j) acc[j] = Rd::step(acc[j], row[j]);
      }
      for (std::int64_t j = 0; j < nn; ++j) out[m * N + n0 + j] = static_cast<T>(acc[j]);
    }
  });
}

template <template <class> class Rd>
void reduce_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    const auto [M, R, N] = decode<AxisLayout>(attrs);
    reduce_layout<Rd<T>>(in[0].data<T>(), out[0].data<T>(), M, R, N);
  });
}

// complex64 / complex128 sums: the same pairwise layout, accumulating in the complex type.
void complex_sum_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  visit_complex_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    const auto [M, R, N] = decode<AxisLayout>(attrs);
    reduce_layout<SumR<T>>(in[0].data<T>(), out[0].data<T>(), M, R, N);
  });
}

template <class Rd>
void bool_reduce_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  reduce_layout<Rd>(in[0].data<bool>(), out[0].data<bool>(), M, R, N);
}

// NumPy's argmax/argmin: first extreme value; a NaN counts as the extreme (first one wins).
template <bool kMax>
void arg_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, R, N] = decode<AxisLayout>(attrs);
  visit_dtype(in[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    const T* x = in[0].data<T>();
    std::int64_t* o = out[0].data<std::int64_t>();
    parallel_range(M * N, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(R, 1)),
                   [&](std::int64_t b, std::int64_t e) {
                     for (std::int64_t w = b; w < e; ++w) {
                       const std::int64_t m = w / N, n = w % N;
                       const T* p = x + m * R * N + n;
                       std::int64_t best = 0;
                       C bv = static_cast<C>(p[0]);
                       for (std::int64_t r = 1; r < R; ++r) {
                         if constexpr (std::is_floating_point_v<C>) {
                           if (std::isnan(bv)) break;
                         }
                         const C v = static_cast<C>(p[r * N]);
                         bool better = kMax ? v > bv : v < bv;
                         if constexpr (std::is_floating_point_v<C>) better = better || std::isnan(v);
                         if (better) {
                           bv = v;
                           best = r;
                         }
                       }
                       o[w] = best;
                     }
                   });
  });
}

}  // namespace

void register_reduce_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("sum").set_kernel(cpu, reduce_kernel<SumR>);
  op_entry("complex_sum").set_kernel(cpu, complex_sum_kernel);
  op_entry("prod").set_kernel(cpu, reduce_kernel<ProdR>);
  op_entry("max").set_kernel(cpu, reduce_kernel<MaxR>);
  op_entry("min").set_kernel(cpu, reduce_kernel<MinR>);
  op_entry("all").set_kernel(cpu, bool_reduce_kernel<AllR>);
  op_entry("any").set_kernel(cpu, bool_reduce_kernel<AnyR>);
  op_entry("argmax").set_kernel(cpu, arg_kernel<true>);
  op_entry("argmin").set_kernel(cpu, arg_kernel<false>);
}

}  // namespace ember::cpu
