// The building blocks of the fused CfC kernels on cpu (cfc_problem.h, cfc_sequence.cpp):
// Eigen's row-major types, the vectorised activations, the step products, and the layout of
// the activations that training keeps for backward (Slabs).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "backend/cpu/vector_math.h"
#include "ember/liquid.h"

namespace ember::cpu::cfc {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Arr = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMap = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using MutMap = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using RowArr = Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>>;

using liquid::CfcActivation;
using liquid::CfcMode;

// y = tanh(x) and y = sigmoid(x) on n contiguous elements (y may be x): the vectorised
// float32 kernels of vector_math.h, Eigen's for float64.
template <class T>
void tanh_n(const T* x, T* y, std::int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    tanh_f32(x, y, n);
  } else {
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(y, n) =
        Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(x, n).tanh();
  }
}
template <class T>
void sigmoid_n(const T* x, T* y, std::int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    sigmoid_fast_f32(x, y, n);
  } else {
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(y, n) =
        Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(x, n).logistic();
  }
}

// ncps's backbone activations (ember/liquid.h).
template <class T>
struct Activation {
  CfcActivation kind;
  // out = act(pre) on n contiguous elements; with `derivative`, pre becomes d act / d pre
  // (what backward multiplies by, so the forward's transcendentals are not recomputed).
  void apply(T* pre, T* out, std::int64_t n, bool derivative) const {
    switch (kind) {
      case CfcActivation::LecunTanh: {
        const T scale(liquid::kLecunScale), slope(liquid::kLecunSlope);
        for (std::int64_t i = 0; i < n; ++i) out[i] = slope * pre[i];
        tanh_n(out, out, n);
        for (std::int64_t i = 0; i < n; ++i) {
          if (derivative) pre[i] = scale * slope * (1 - out[i] * out[i]);
          out[i] *= scale;
        }
        return;
      }
      case CfcActivation::Tanh:
        tanh_n(pre, out, n);
        if (derivative) {
          for (std::int64_t i = 0; i < n; ++i) pre[i] = 1 - out[i] * out[i];
        }
        return;
      case CfcActivation::Relu:
        for (std::int64_t i = 0; i < n; ++i) {
          const T x = pre[i];
          out[i] = x > T(0) ? x : T(0);
          if (derivative) pre[i] = x > T(0) ? T(1) : T(0);
        }
        return;
      case CfcActivation::Silu:
        sigmoid_n(pre, out, n);
        for (std::int64_t i = 0; i < n; ++i) {
          const T x = pre[i], s = out[i];
          out[i] = x * s;
          if (derivative) pre[i] = s * (1 + x * (1 - s));
        }
        return;
      case CfcActivation::Gelu: {
        const T inv_sqrt_2pi = T(0.3989422804014327);
        for (std::int64_t i = 0; i < n; ++i) {
          const T x = pre[i], cdf = T(0.5) * (T(1) + std::erf(x * T(0.7071067811865476)));
          out[i] = x * cdf;
          if (derivative) pre[i] = cdf + x * std::exp(T(-0.5) * x * x) * inv_sqrt_2pi;
        }
        return;
      }
    }
  }
};

template <class T>
using RowMap = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
// Column vector of the batch.
template <class T>
using BatchVec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// out = a b for contiguous row-major a (n, k), b (k, m) and out (n, m): Eigen's GEMM, which
// runs on the calling thread. (OpenBLAS's small-matrix kernels measured up to 1.7x faster on
// one thread at k <= 80, but two of the pool's threads calling OpenBLAS at once, each call
// asking for OpenBLAS's own threads, ran the Walker2d training step 1.5x slower than Eigen.)
template <class T>
void product(const T* a, std::int64_t n, std::int64_t k, const T* b, std::int64_t m, T* out) {
  Eigen::Map<Mat<T>>(out, n, m).noalias() = Eigen::Map<const Mat<T>>(a, n, k) * Eigen::Map<const Mat<T>>(b, k, m);
}

// Per-step activations in one buffer: quantity q is a (rows, widths[q]) row-major matrix
// (the quantities one after another). A row block of the batch owns the rows [first, first +
// count T) of each (block()), step t the count rows from first + t count; a step whose mask
// leaves n < count real rows fills its first n rows (the real rows in order) and zeroes the
// others (zero_tail), so that a GEMM over several steps' rows reads exact zeros there.
// With step_rows 0 (one step's workspace), every step shares its rows.
template <class T>
class Slabs {
 public:
  Slabs(T* base, const std::vector<std::int64_t>& widths, std::int64_t rows)
      : base_(base), step_rows_(rows), widths_(widths) {
    std::int64_t offset = 0;
    for (const std::int64_t w : widths) {
      offsets_.push_back(offset);
      offset += rows * w;
    }
  }
  static std::int64_t elements(const std::vector<std::int64_t>& widths, std::int64_t rows) {
    std::int64_t sum = 0;
    for (const std::int64_t w : widths) sum += w;
    return sum * rows;
  }
  // The row block starting at row `first` whose steps have step_rows rows.
  Slabs block(std::int64_t first, std::int64_t step_rows) const {
    Slabs s = *this;
    s.first_ = first;
    s.step_rows_ = step_rows;
    return s;
  }
  // The first n rows of quantity q at step t.
  Eigen::Map<Mat<T>> at(std::size_t q, std::int64_t t, std::int64_t n) const {
    return {base_ + offsets_[q] + (first_ + t * step_rows_) * widths_[q], n, widths_[q]};
  }
  // Zeroes the rows after the first n of every quantity at step t.
  void zero_tail(std::int64_t t, std::int64_t n) const {
    for (std::size_t q = 0; q < widths_.size(); ++q) {
      Eigen::Map<Mat<T>>(base_ + offsets_[q] + (first_ + t * step_rows_ + n) * widths_[q], step_rows_ - n,
                         widths_[q])
          .setZero();
    }
  }
 private:
  T* base_;
  std::int64_t first_ = 0, step_rows_;
  std::vector<std::int64_t> widths_, offsets_;
};

}  // namespace ember::cpu::cfc
