// The problem of the fused CfC sequence kernels on cpu (cfc_sequence.cpp): the forward
// inputs as liquid::CfcSpec lays them out (Cfc), with the per-step pieces both directions
// share: a layer's backbone and heads at one step (LayerTrace) and the mixed memory's step
// (MemoryStep).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "backend/cpu/lstm_cell.h"
#include "ember/liquid.h"
#include "ember/parallel.h"
#include "ember/tensor.h"

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

// ncps's backbone activations (ember/liquid.h).
template <class T>
struct Activation {
  CfcActivation kind;
  Mat<T> apply(const Mat<T>& pre) const {
    switch (kind) {
      case CfcActivation::LecunTanh:
        return (T(liquid::kLecunScale) * (T(liquid::kLecunSlope) * pre.array()).tanh()).matrix();
      case CfcActivation::Tanh: return pre.array().tanh().matrix();
      case CfcActivation::Relu: return pre.array().max(T(0)).matrix();
      case CfcActivation::Silu: return (pre.array() * pre.array().logistic()).matrix();
      case CfcActivation::Gelu: return (pre.array() * normal_cdf(pre.array())).matrix();
    }
    return pre;
  }
  // d act / d pre, elementwise.
  Mat<T> derivative(const Mat<T>& pre) const {
    switch (kind) {
      case CfcActivation::LecunTanh: {
        const T slope(liquid::kLecunSlope);
        return (T(liquid::kLecunScale) * slope * (1 - (slope * pre.array()).tanh().square())).matrix();
      }
      case CfcActivation::Tanh: return (1 - pre.array().tanh().square()).matrix();
      case CfcActivation::Relu: return (pre.array() > T(0)).template cast<T>().matrix();
      case CfcActivation::Silu: {
        const auto s = pre.array().logistic();
        return (s * (1 + pre.array() * (1 - s))).matrix();
      }
      case CfcActivation::Gelu: {
        const T inv_sqrt_2pi = T(0.3989422804014327);
        return (normal_cdf(pre.array()) + pre.array() * (T(-0.5) * pre.array().square()).exp() * inv_sqrt_2pi)
            .matrix();
      }
    }
    return pre;
  }
  // The standard normal CDF, 0.5 (1 + erf(x / sqrt 2)).
  template <class Derived>
  static Arr<T> normal_cdf(const Eigen::ArrayBase<Derived>& x) {
    return x.unaryExpr([](T v) { return T(0.5) * (T(1) + std::erf(v * T(0.7071067811865476))); });
  }
};

template <class T>
using RowMap = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
// Column vector of the batch.
template <class T>
using BatchVec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// One backbone layer: pre = a W^T + b, then the activation.
template <class T>
struct Dense {
  Eigen::Map<const Mat<T>> weight;
  RowMap<T> bias;
};

// The fewest rows of a batch block that runs on its own thread.
constexpr std::int64_t kMinBlockRows = 64;

// The activations of one layer at one step: z = [input, state], the backbone's
// pre-activations and outputs (outputs[0] = z), the dropout factors keep / (1 - rate) of
// each backbone output (empty where none follows), and the heads P = a W^T + b.
template <class T>
struct LayerTrace {
  std::vector<Mat<T>> pre, outputs, dropout;
  Mat<T> heads;
};

// One step of the memory: from the gates' pre-activations z = [k, i, f, o] (rows, 4 H) and
// the states h and cells c before it,
//   c' = sigmoid(f + 1) c + sigmoid(i) tanh(k),   h_lstm = sigmoid(o) tanh(c').
template <class T>
struct MemoryStep {
  Mat<T> h, c;                         // before the step, set by the caller
  Arr<T> k, i, f, o, cell, tanh_cell;  // tanh(k), sigmoid(i), sigmoid(f + 1), sigmoid(o), c', tanh(c')
  Mat<T> h_lstm;

  void run(const Mat<T>& z) {
    const Eigen::Index n = c.cols();
    k = z.leftCols(n).array();
    i = z.middleCols(n, n).array();
    f = z.middleCols(2 * n, n).array();
    o = z.rightCols(n).array();
    lstm_cell(k, i, f, o, c.array(), cell, tanh_cell);
    h_lstm = (o * tanh_cell).matrix();
  }

  // From the adjoints of h_lstm and of c' (dcell), the adjoint dz (rows, 4 H) of the gates'
  // pre-activations; dcell becomes the adjoint of c (the recurrent h's is dz W_hh).
  template <class Derived>
  void adjoint(const Eigen::ArrayBase<Derived>& dh_lstm, Arr<T>& dcell, Mat<T>& dz) const {
    const Eigen::Index n = c.cols();
    dz.resize(c.rows(), 4 * n);
    lstm_cell_adjoint(k, i, f, o, tanh_cell, c.array(), dh_lstm, dcell, dz.leftCols(n).array(),
                      dz.middleCols(n, n).array(), dz.middleCols(2 * n, n).array(), dz.rightCols(n).array());
    dcell *= f;
  }
};

template <class T>
struct Cfc {
  const T *x, *h0, *ts;
  std::int64_t batch, steps, c, total;
  std::int64_t width;  // the states' columns: total, then total memory cells with mixed memory
  bool no_gate, pure;
  Activation<T> activation;
  T head_scale = 1, head_slope = 1;  // the heads' g(x) = head_scale tanh(head_slope x)
  std::vector<std::int64_t> sizes, offsets, in_sizes;
  std::vector<std::vector<Dense<T>>> backbones;
  std::vector<Dense<T>> heads_of;
  std::vector<const T*> w_tau, amplitude;  // pure mode: per layer, (H,)
  const T* keep = nullptr;                 // the step mask (B, T), if any
  // Backbone dropout (liquid::CfcSpec::dropout_layout): per layer and backbone layer, the
  // keep mask of row 0 at step 0 (null where no dropout follows), the masks' step stride.
  std::vector<std::vector<const T*>> units_kept;
  std::int64_t kept_step = 0;
  T dropout_rate = 0;
  // Mixed memory: W_ih (4 total, c), b_ih, W_hh (4 total, total), c0 (B, total) and the first
  // one's input index (liquid::CfcSpec::memory_slot).
  bool mixed = false;
  const T *input_weight = nullptr, *input_bias = nullptr, *recurrent_weight = nullptr, *c0 = nullptr;
  std::size_t memory_slot = 0;

  // The forward inputs as liquid::CfcSpec describes.
  Cfc(std::span<const Tensor> in, const liquid::CfcSpec& spec)
      : x(in[0].data<T>()), h0(in[1].data<T>()), ts(in[2].data<T>()), batch(in[0].shape()[0]),
        steps(in[0].shape()[1]), c(in[0].shape()[2]), total(in[1].shape()[1]), width(spec.width()),
        no_gate(spec.mode == CfcMode::NoGate), pure(spec.mode == CfcMode::Pure), activation{spec.activation},
        mixed(spec.mixed_memory), memory_slot(spec.memory_slot()) {
    if (mixed) {
      using M = liquid::CfcSpec::MemoryInput;
      input_weight = in[memory_slot + M::kInputWeight].data<T>();
      input_bias = in[memory_slot + M::kInputBias].data<T>();
      recurrent_weight = in[memory_slot + M::kRecurrentWeight].data<T>();
      c0 = in[memory_slot + M::kC0].data<T>();
    }
    if (spec.head_activation == CfcActivation::LecunTanh) {
      head_scale = static_cast<T>(liquid::kLecunScale);
      head_slope = static_cast<T>(liquid::kLecunSlope);
    }
    auto dense = [&](std::size_t k) {
      const Tensor& w = in[k];
      return Dense<T>{Eigen::Map<const Mat<T>>(w.data<T>(), w.shape()[0], w.shape()[1]),
                      RowMap<T>(in[k + 1].data<T>(), w.shape()[0])};
    };
    std::size_t extra = in.size();  // the masks, after the parameters
    const T* units_kept_base = spec.dropout_rate > 0 ? in[--extra].data<T>() : nullptr;
    if (spec.has_step_mask) keep = in[--extra].data<T>();
    std::vector<std::vector<std::int64_t>> units;
    for (const liquid::CfcLayerSlots& slots : spec.slots(c)) {
      sizes.push_back(slots.size);
      offsets.push_back(slots.offset);
      in_sizes.push_back(slots.in_size);
      backbones.emplace_back();
      for (std::size_t k : slots.backbone) backbones.back().push_back(dense(k));
      heads_of.push_back(dense(slots.heads));
      if (pure) {
        w_tau.push_back(in[slots.w_tau].data<T>());
        amplitude.push_back(in[slots.w_tau + 1].data<T>());
      }
      units.emplace_back();
      for (const Dense<T>& d : backbones.back()) units.back().push_back(d.weight.rows());
    }
    const liquid::CfcSpec::DropoutLayout drop = spec.dropout_layout(batch, units);
    dropout_rate = static_cast<T>(spec.dropout_rate);
    kept_step = drop.step;
    for (std::size_t l = 0; l < units.size(); ++l) {
      units_kept.emplace_back();
      for (std::int64_t offset : drop.offsets[l]) {
        units_kept.back().push_back(offset < 0 ? nullptr : units_kept_base + offset);
      }
    }
  }
  std::size_t layers() const { return sizes.size(); }

  // Batch row blocks for the thread pool, and the rows [first, first + count) of block k.
  std::int64_t row_blocks() const {
    return std::clamp<std::int64_t>(batch / kMinBlockRows, 1, std::max(num_threads(), 1));
  }
  std::pair<std::int64_t, std::int64_t> row_block(std::int64_t k) const {
    const std::int64_t n = row_blocks(), first = batch * k / n;
    return {first, batch * (k + 1) / n - first};
  }
  // The same problem restricted to rows [first, first + count) of the batch.
  Cfc rows_of(std::int64_t first, std::int64_t count) const {
    Cfc r = *this;
    r.x += first * steps * c;
    r.h0 += first * total;
    if (mixed) r.c0 += first * total;
    r.ts += first * steps;
    if (keep != nullptr) r.keep += first * steps;
    for (std::size_t l = 0; l < layers(); ++l) {
      for (std::size_t k = 0; k < backbones[l].size(); ++k) {
        if (r.units_kept[l][k] != nullptr) r.units_kept[l][k] += first * backbones[l][k].weight.rows();
      }
    }
    r.batch = count;
    return r;
  }

  // The sequences whose step t is real (every one without a mask), and their time spans.
  struct Rows {
    std::vector<Eigen::Index> real, masked;
    BatchVec<T> ts;
  };
  Rows rows(std::int64_t t) const {
    Rows r;
    for (std::int64_t b = 0; b < batch; ++b) {
      (keep == nullptr || keep[b * steps + t] != T(0) ? r.real : r.masked).push_back(b);
    }
    r.ts.resize(static_cast<Eigen::Index>(r.real.size()));
    for (std::size_t i = 0; i < r.real.size(); ++i) r.ts[i] = ts[r.real[i] * steps + t];
    return r;
  }

  // Rows b of the (B, cols) block of a (B, T, width) array at step t, columns [col, col + cols).
  ConstMap<T> block(const T* base, std::int64_t width, std::int64_t t, std::int64_t col, std::int64_t cols) const {
    return ConstMap<T>(base + t * width + col, batch, cols, Eigen::OuterStride<>(steps * width));
  }
  // Every layer's states (cells: the memory cells) before step t, (B, total): h0 (c0) at t = 0.
  ConstMap<T> before(const T* states, std::int64_t t, bool cells) const {
    if (t == 0) return ConstMap<T>(cells ? c0 : h0, batch, total, Eigen::OuterStride<>(total));
    return block(states, width, t - 1, cells ? total : 0, total);
  }
  // The layer input at step t: the sequence input or the previous layer's new state.
  ConstMap<T> layer_input(const T* states, std::size_t l, std::int64_t t) const {
    return l == 0 ? block(x, c, t, 0, c) : block(states, width, t, offsets[l - 1], sizes[l - 1]);
  }

  Eigen::Map<const Mat<T>> input_map() const { return {input_weight, 4 * total, c}; }
  Eigen::Map<const Mat<T>> recurrent_map() const { return {recurrent_weight, 4 * total, total}; }
  // The rows' inputs as the memory reads them, (B * T, C), row b * T + t: a masked step's row
  // is zero, so that its input is not read (padding of any value, NaN included, stays out of
  // the GEMMs of every step at once).
  Mat<T> memory_inputs() const {
    Mat<T> out = Eigen::Map<const Mat<T>>(x, batch * steps, c);
    if (keep != nullptr) {
      for (std::int64_t r = 0; r < batch * steps; ++r) {
        if (keep[r] == T(0)) out.row(r).setZero();
      }
    }
    return out;
  }
  // xs W_ih^T + b_ih, xs memory_inputs()'s result.
  Mat<T> project(const Mat<T>& xs) const {
    Mat<T> out(batch * steps, 4 * total);
    out.noalias() = xs * input_map().transpose();
    out.rowwise() += RowMap<T>(input_bias, 4 * total);
    return out;
  }
  // The mixed memory's step t on the real rows, from project()'s result.
  void memory(const T* states, const Mat<T>& projected, std::int64_t t, const Rows& rows, MemoryStep<T>& m) const {
    m.h = before(states, t, false)(rows.real, Eigen::all);
    m.c = before(states, t, true)(rows.real, Eigen::all);
    Mat<T> z = block(projected.data(), 4 * total, t, 0, 4 * total)(rows.real, Eigen::all);
    z.noalias() += m.h * recurrent_map().transpose();
    m.run(z);
  }

  // z, the backbone and the heads of layer l at step t, for the real rows; the layer reads
  // its state from `read` (the real rows' (rows, total) h_lstm with mixed memory) or else
  // from the states before the step.
  void trace(const T* states, std::size_t l, std::int64_t t, const Rows& rows, const Mat<T>* read,
             LayerTrace<T>& tr) const {
    const std::vector<Dense<T>>& bb = backbones[l];
    tr.outputs.resize(bb.size() + 1);
    tr.pre.resize(bb.size());
    tr.dropout.resize(bb.size());
    Mat<T>& z = tr.outputs[0];
    z.resize(static_cast<Eigen::Index>(rows.real.size()), in_sizes[l] + sizes[l]);
    z.leftCols(in_sizes[l]) = layer_input(states, l, t)(rows.real, Eigen::all);
    if (read != nullptr) {
      z.rightCols(sizes[l]) = read->middleCols(offsets[l], sizes[l]);
    } else {
      z.rightCols(sizes[l]) = before(states, t, false).middleCols(offsets[l], sizes[l])(rows.real, Eigen::all);
    }
    for (std::size_t k = 0; k < bb.size(); ++k) {
      tr.pre[k].noalias() = tr.outputs[k] * bb[k].weight.transpose();
      tr.pre[k].rowwise() += bb[k].bias;
      tr.outputs[k + 1] = activation.apply(tr.pre[k]);
      if (units_kept[l][k] != nullptr) {
        dropout_factors(units_kept[l][k] + t * kept_step, bb[k].weight.rows(), rows, tr.dropout[k]);
        tr.outputs[k + 1].array() *= tr.dropout[k].array();
      } else {
        tr.dropout[k].resize(0, 0);
      }
    }
    tr.heads.noalias() = tr.outputs.back() * heads_of[l].weight.transpose();
    tr.heads.rowwise() += heads_of[l].bias;
  }
  // keep / (1 - rate) of the real rows, from a (B, units) keep mask.
  void dropout_factors(const T* kept, std::int64_t units, const Rows& rows, Mat<T>& out) const {
    const Eigen::Map<const Mat<T>> all(kept, batch, units);
    out = all(rows.real, Eigen::all) / (1 - dropout_rate);
  }
  // tanh(head_slope x) of a block of heads; g = head_scale times it.
  template <class Derived>
  Arr<T> head_tanh(const Eigen::MatrixBase<Derived>& heads) const {
    return (head_slope * heads.array()).tanh();
  }
  // Pure mode's decay e = exp(-ts (|w_tau| + |f1|)) of layer l, ts the rows' time spans.
  Arr<T> decay(const Mat<T>& f1, std::size_t l, const BatchVec<T>& ts_rows) const {
    Arr<T> r = f1.array().abs();
    r.rowwise() += RowArr<T>(w_tau[l], f1.cols()).abs();
    r.colwise() *= ts_rows.array();
    return (-r).exp();
  }
};

}  // namespace ember::cpu::cfc
