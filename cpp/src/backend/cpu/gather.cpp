// CPU kernels of advanced indexing, segment scatter and nonzero.
#include <algorithm>
#include <cstring>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/kernel_attrs.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

// Element offsets, in C order, of every position of axes [begin, end) of `t`.
std::vector<std::int64_t> axis_offsets(const Tensor& t, int begin, int end) {
  std::vector<std::int64_t> offs{0};
  for (int d = begin; d < end; ++d) {
    std::vector<std::int64_t> next;
    next.reserve(offs.size() * static_cast<std::size_t>(t.shape()[d]));
    for (std::int64_t o : offs) {
      for (std::int64_t i = 0; i < t.shape()[d]; ++i) next.push_back(o + i * t.strides()[d]);
    }
    offs.swap(next);
  }
  return offs;
}

// Moves elements between the strided view `view` ([pre..., post...], with an element
// offset per index tuple spliced in after the first npre axes) and the contiguous
// [M, K, N] buffer `flat`. Elements are copied as raw bits of their size.
template <bool Put>
void move_elements(const Tensor& view, const Tensor& offsets, const Tensor& flat, int npre) {
  const auto pre = axis_offsets(view, 0, npre);
  const auto post = axis_offsets(view, npre, view.ndim());
  const std::int64_t K = offsets.numel(), N = static_cast<std::int64_t>(post.size());
  const std::int64_t* off = offsets.data<std::int64_t>();
  const std::size_t size = view.itemsize();
  char* base = static_cast<char*>(view.raw_data());
  char* buf = static_cast<char*>(flat.raw_data());
  auto body = [&](std::int64_t b, std::int64_t e) {  // over rows (m, k) of the buffer
    for (std::int64_t r = b; r < e; ++r) {
      const std::int64_t start = pre[static_cast<std::size_t>(r / K)] + off[r % K];
      char* row = buf + static_cast<std::size_t>(r * N) * size;
      for (std::int64_t n = 0; n < N; ++n) {
        char* elem = base + (start + post[static_cast<std::size_t>(n)]) * static_cast<std::int64_t>(size);
        if constexpr (Put) std::memcpy(elem, row + n * size, size);
        else std::memcpy(row + n * size, elem, size);
      }
    }
  };
  const auto rows = static_cast<std::int64_t>(pre.size()) * K;
  // Writes with repeated indices must keep their order (the last one wins), so put runs serially.
  if constexpr (Put) body(0, rows);
  else parallel_range(rows, std::max<std::int64_t>(1, kParallelGrain / std::max<std::int64_t>(N, 1)), body);
}

// inputs: view [pre..., post...], offsets int64 [K]; outputs: contiguous [pre..., K..., post...].
void index_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  move_elements<false>(in[0], in[1], out[0], static_cast<int>(decode<IndexAttrs>(attrs).npre));
}

// inputs: values contiguous (x's dtype), offsets int64 [K]; outputs: the view to write.
void index_put_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  move_elements<true>(out[0], in[1], in[0], static_cast<int>(decode<IndexAttrs>(attrs).npre));
}

// Addition that wraps for integers (no signed-overflow UB) and ORs for bool.
template <class T>
T wrap_add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return static_cast<T>(static_cast<compute_t<T>>(a) + static_cast<compute_t<T>>(b));
  }
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_integral_v<T>) return false;
  else return std::isnan(static_cast<float>(v)) || std::isnan(static_cast<double>(v));
}

// inputs: data contiguous [M, K, N], indices int64 [K] in [0, S); outputs: [M, S, N].
// attrs: ScatterAttrs {M, K, N, S, aggr}.
void scatter_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const auto [M, K, N, S, aggr] = decode<ScatterAttrs>(attrs);
  const std::int64_t* idx = in[1].data<std::int64_t>();
  std::vector<std::int64_t> count(static_cast<std::size_t>(S), 0);
  std::vector<char> touched(static_cast<std::size_t>(S));
  for (std::int64_t k = 0; k < K; ++k) ++count[static_cast<std::size_t>(idx[k])];
  visit_dtype(out[0].dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = in[0].data<T>();
    T* o = out[0].data<T>();
    std::fill(o, o + M * S * N, T(0));
    for (std::int64_t m = 0; m < M; ++m) {
      std::fill(touched.begin(), touched.end(), 0);
      for (std::int64_t k = 0; k < K; ++k) {
        const std::int64_t s = idx[k];
        const bool first = !touched[static_cast<std::size_t>(s)];
        touched[static_cast<std::size_t>(s)] = 1;
        const T* src = x + (m * K + k) * N;
        T* dst = o + (m * S + s) * N;
        for (std::int64_t n = 0; n < N; ++n) {
          if (first && aggr != ScatterAggr::Add && aggr != ScatterAggr::Mean) {
            dst[n] = src[n];
          } else if (aggr == ScatterAggr::Max) {  // NaN-propagating like numpy.maximum.at
            if (is_nan(src[n]) || src[n] > dst[n]) dst[n] = src[n];
          } else if (aggr == ScatterAggr::Min) {
            if (is_nan(src[n]) || src[n] < dst[n]) dst[n] = src[n];
          } else {
            dst[n] = wrap_add(dst[n], src[n]);
          }
        }
      }
    }
    if (aggr == ScatterAggr::Mean) {  // mean: integer dtypes divide with truncation toward zero
      for (std::int64_t m = 0; m < M; ++m) {
        for (std::int64_t s = 0; s < S; ++s) {
          const std::int64_t c = count[static_cast<std::size_t>(s)];
          if (c <= 1) continue;
          T* dst = o + (m * S + s) * N;
          for (std::int64_t n = 0; n < N; ++n) {
            if constexpr (std::is_same_v<T, bool>) {
              continue;
            } else {
              dst[n] = static_cast<T>(static_cast<compute_t<T>>(dst[n]) / static_cast<compute_t<T>>(c));
            }
          }
        }
      }
    }
  });
}

// inputs: bool mask, contiguous; outputs: int64 [count, ndim] coordinates in C order.
void nonzero_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs&) {
  const Tensor& mask = in[0];
  const bool* m = mask.data<bool>();
  std::int64_t* o = out[0].data<std::int64_t>();
  const int nd = mask.ndim();
  std::vector<std::int64_t> coord(static_cast<std::size_t>(nd), 0);
  for (std::int64_t i = 0; i < mask.numel(); ++i) {
    if (m[i]) o = std::copy(coord.begin(), coord.end(), o);
    for (int d = nd - 1; d >= 0; --d) {
      if (++coord[static_cast<std::size_t>(d)] < mask.shape()[d]) break;
      coord[static_cast<std::size_t>(d)] = 0;
    }
  }
}

}  // namespace

void register_gather_kernels() {
  constexpr auto cpu = DeviceType::CPU;
  op_entry("index").set_kernel(cpu, index_kernel);
  op_entry("index_put").set_kernel(cpu, index_put_kernel);
  op_entry("scatter").set_kernel(cpu, scatter_kernel);
  op_entry("nonzero").set_kernel(cpu, nonzero_kernel);
}

}  // namespace ember::cpu
