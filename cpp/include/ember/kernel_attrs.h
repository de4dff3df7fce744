// Typed non-tensor arguments of the kernels: one struct per op family, filled by the front
// end and read by every backend, instead of positional reads of Attrs::ints / floats.
// A struct lists its members in fields(); encode() and decode() move them through Attrs in
// that order (integers, bools and enums as ints, doubles as floats, and a trailing
// std::vector<double> as the remaining floats), so the two sides cannot disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/registry.h"

namespace ember {

// fill (and complex_fill): the value for integer dtypes, for float / bool dtypes, and the
// imaginary part for complex ones.
struct FillAttrs {
  std::int64_t int_value = 0;
  double value = 0.0, imag = 0.0;
  auto fields() { return std::tie(int_value, value, imag); }
};

// arange: start + i * step, in integers for integer dtypes.
struct ArangeAttrs {
  std::int64_t int_start = 0, int_step = 1;
  double start = 0.0, step = 1.0;
  auto fields() { return std::tie(int_start, int_step, start, step); }
};

// linspace: start + i * step, the last element `stop` when endpoint.
struct LinspaceAttrs {
  double start = 0.0, step = 0.0, stop = 0.0;
  bool endpoint = true;
  auto fields() { return std::tie(start, step, stop, endpoint); }
};

// The random kernels: a Philox stream (key, first block, domain 0 for the global stream
// and 1 for an explicit seed), the op's parameters in its documented order, and the
// trial count of random_binomial.
struct RandomAttrs {
  std::uint64_t key = 0, offset = 0;
  std::uint32_t domain = 0;
  std::int64_t trials = 0;
  std::vector<double> params;
  auto fields() { return std::tie(key, offset, domain, trials, params); }
};

// The fused optimizer steps (torch.optim's update rules; ops/optim.cpp derives them).
struct SgdAttrs {
  double lr = 0.0, momentum = 0.0, dampening = 0.0, weight_decay = 0.0;
  bool nesterov = false, first_step = false;
  auto fields() { return std::tie(lr, momentum, dampening, weight_decay, nesterov, first_step); }
};
// step_size = lr / (1 - beta1^t); decay multiplies the parameter first (AdamW), 1 for Adam.
struct AdamAttrs {
  double step_size = 0.0, bias_correction2_sqrt = 1.0, beta1 = 0.0, beta2 = 0.0, eps = 0.0, weight_decay = 0.0,
         decay = 1.0;
  bool amsgrad = false;
  auto fields() { return std::tie(step_size, bias_correction2_sqrt, beta1, beta2, eps, weight_decay, decay, amsgrad); }
};
struct RmspropAttrs {
  double lr = 0.0, alpha = 0.0, eps = 0.0, weight_decay = 0.0, momentum = 0.0;
  bool centered = false;
  auto fields() { return std::tie(lr, alpha, eps, weight_decay, momentum, centered); }
};

// The linear-algebra kernels: a batch of `batch` row-major [rows, cols] matrices, and
// the option of the op (eig, svd, qr, lstsq); solve, inv, det, cholesky and eigh use
// only the matrix shape.
enum class SvdMode : std::int64_t { ValuesOnly, Reduced, Full };
enum class QrMode : std::int64_t { Reduced, Complete, ROnly };
struct LinalgAttrs {
  std::int64_t batch = 1, rows = 0, cols = 0;
  bool eigenvectors = false;         // eig
  SvdMode svd = SvdMode::ValuesOnly;  // svd
  QrMode qr = QrMode::Reduced;       // qr
  std::int64_t rhs = 0;              // lstsq: columns of b
  double rcond = 0.0;                // lstsq: singular values below rcond * max count as zero
  auto fields() { return std::tie(batch, rows, cols, eigenvectors, svd, qr, rhs, rcond); }
};

// A reduction or scan along one axis of a contiguous [outer, extent, inner] block:
// sum, prod, max, min, all, any, argmax, argmin, cumsum.
struct AxisLayout {
  std::int64_t outer = 1, extent = 1, inner = 1;
  auto fields() { return std::tie(outer, extent, inner); }
};

// sort / argsort of `rows` contiguous rows of `length` elements.
struct SortAttrs {
  std::int64_t rows = 0, length = 0;
  bool descending = false;
  auto fields() { return std::tie(rows, length, descending); }
};

// percentile of `rows` contiguous rows of `length` elements at the quantiles in [0, 1];
// `median` averages the two middle elements instead of interpolating (numpy.median).
struct PercentileAttrs {
  std::int64_t rows = 0, length = 0;
  bool median = false;
  std::vector<double> quantiles;
  auto fields() { return std::tie(rows, length, median, quantiles); }
};

// index / index_put: the number of leading axes before the indexed block.
struct IndexAttrs {
  std::int64_t npre = 0;
  auto fields() { return std::tie(npre); }
};

enum class ScatterAggr : std::int64_t { Add, Max, Min, Mean };

// scatter of data [outer, extent, inner] into [outer, size, inner].
struct ScatterAttrs {
  std::int64_t outer = 1, extent = 0, inner = 1, size = 0;
  ScatterAggr aggr = ScatterAggr::Add;
  auto fields() { return std::tie(outer, extent, inner, size, aggr); }
};

// A pass of the fft kernel: complex to complex, the half spectrum of real input, or
// real output from a half spectrum.
enum class FftKind : std::int64_t { C2C, R2C, C2R };

// One 1-D transform of length n along `axis`, its result multiplied by `scale`.
struct FftAttrs {
  std::int64_t axis = 0, n = 0;
  bool inverse = false;
  FftKind kind = FftKind::C2C;
  double scale = 1.0;
  auto fields() { return std::tie(axis, n, inverse, kind, scale); }
};

namespace detail {

template <class F>
void encode_field(Attrs& attrs, const F& f) {
  if constexpr (std::is_same_v<F, std::vector<double>>) {
    attrs.floats.insert(attrs.floats.end(), f.begin(), f.end());
  } else if constexpr (std::is_floating_point_v<F>) {
    attrs.floats.push_back(f);
  } else {
    attrs.ints.push_back(static_cast<std::int64_t>(f));
  }
}

template <class F>
void decode_field(const Attrs& attrs, std::size_t& i, std::size_t& f, F& out) {
  if constexpr (std::is_same_v<F, std::vector<double>>) {
    out.assign(attrs.floats.begin() + static_cast<std::ptrdiff_t>(f), attrs.floats.end());
    f = attrs.floats.size();
  } else if constexpr (std::is_floating_point_v<F>) {
    out = static_cast<F>(attrs.floats[f++]);
  } else {
    out = static_cast<F>(attrs.ints[i++]);
  }
}

}  // namespace detail

template <class A>
Attrs encode(A a) {
  Attrs attrs;
  std::apply([&](const auto&... f) { (detail::encode_field(attrs, f), ...); }, a.fields());
  return attrs;
}

template <class A>
A decode(const Attrs& attrs) {
  A a;
  std::size_t i = 0, f = 0;
  std::apply([&](auto&... out) { (detail::decode_field(attrs, i, f, out), ...); }, a.fields());
  return a;
}

}  // namespace ember
