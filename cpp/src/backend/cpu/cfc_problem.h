// The problem of the fused CfC sequence kernels on cpu (cfc_sequence.cpp): the forward
// inputs as liquid::CfcSpec lays them out (Cfc), with the pieces both directions share: a
// layer's backbone and heads at one step (Cfc::layer_step) written into the saved
// activations' layout (Slabs, cfc_blocks.h), and the mixed memory's step (MemoryStep).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "backend/cpu/cfc_blocks.h"
#include "backend/cpu/lstm_cell.h"
#include "ember/errors.h"
#include "ember/liquid.h"
#include "ember/parallel.h"
#include "ember/tensor.h"

namespace ember::cpu::cfc {

// One backbone layer: pre = a W^T + b, then the activation.
template <class T>
struct Dense {
  Eigen::Map<const Mat<T>> weight;
  RowMap<T> bias;
  std::shared_ptr<const Mat<T>> weight_t;  // W^T, (in, out): the forward product's right operand
};

// The fewest rows of a batch block that runs on its own thread. 16 (one AVX-512 float packet
// of rows) rather than 64: CfC(16, AutoNCP(64, 8)) at batch 32 on two idle cores took 0.89-0.96
// ms per inference and 2.8-3.3 ms per training step as two blocks of 16, against 1.39-1.43 and
// 4.0-4.1 ms as one block of 32 (medians of 100 calls, 2026-12-07); the per-step GEMMs lose
// about a fifth of their rate at 16 rows, less than the second core gives back.
constexpr std::int64_t kMinBlockRows = 16;

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
  // The Slabs of the kept activations (training: every step's, for backward), of a step's
  // work (the layer inputs and backbone outputs; backward: a chunk of steps') and of
  // backward's adjoints: their widths and each layer's first quantity.
  std::vector<std::int64_t> kept_widths, work_widths, adjoint_widths;
  std::vector<std::size_t> kept_first, work_first, adjoint_first;

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
      const Eigen::Map<const Mat<T>> weight(w.data<T>(), w.shape()[0], w.shape()[1]);
      return Dense<T>{weight, RowMap<T>(in[k + 1].data<T>(), w.shape()[0]),
                      std::make_shared<const Mat<T>>(weight.transpose())};
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
      kept_first.push_back(kept_widths.size());
      work_first.push_back(work_widths.size());
      adjoint_first.push_back(adjoint_widths.size());
      work_widths.push_back(slots.in_size + slots.size);
      for (const Dense<T>& d : backbones.back()) {
        units.back().push_back(d.weight.rows());
        if (units.back().size() > 1) kept_widths.push_back(d.weight.rows());
        work_widths.insert(work_widths.end(), 2, d.weight.rows());
        adjoint_widths.push_back(d.weight.rows());
      }
      kept_widths.push_back(heads_of.back().weight.rows());
      adjoint_widths.push_back(heads_of.back().weight.rows());
    }
    if (Slabs<T>::elements(kept_widths, 1) != spec.saved_width(units)) {
      raise(ErrorKind::Runtime, "cfc_sequence", "internal error: the kernel's saved activations do not match CfcSpec");
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

  // The kept quantities (Slabs): per layer the pre-activation of each backbone layer but the
  // first (whose product, from the narrow z, backward repeats rather than keeping its
  // output), then the heads: the heads' GEMM writes P = [f1, f2, fa, fb], which
  // activate_heads turns into [tanh(slope f1), tanh(slope f2), fa, sigmoid(fa ts + fb)]
  // (pure mode keeps P = f1). Their widths sum to CfcSpec::saved_width.
  std::size_t kept_pre(std::size_t l, std::size_t k) const { return kept_first[l] + k - 1; }
  std::size_t kept_heads(std::size_t l) const {
    return kept_first[l] + std::max<std::size_t>(backbones[l].size(), 1) - 1;
  }
  // The work quantities: per layer z, then each backbone layer's output and slope
  // (d output / d pre-activation: act'(pre) times the dropout factor; in the forward, the
  // first backbone layer's pre-activation).
  std::size_t work_z(std::size_t l) const { return work_first[l]; }
  std::size_t work_out(std::size_t l, std::size_t k) const { return work_first[l] + 1 + 2 * k; }
  std::size_t work_slope(std::size_t l, std::size_t k) const { return work_first[l] + 2 + 2 * k; }
  // What the last backbone layer outputs (z without a backbone): the heads' operand.
  std::size_t head_input(std::size_t l) const {
    return backbones[l].empty() ? work_z(l) : work_out(l, backbones[l].size() - 1);
  }
  // Backward's adjoints of the pre-activations: per layer each backbone layer's, then the heads'.
  std::size_t adjoint_pre(std::size_t l, std::size_t k) const { return adjoint_first[l] + k; }
  std::size_t adjoint_heads(std::size_t l) const { return adjoint_first[l] + backbones[l].size(); }

  // dst = src's real rows (src, dst of the batch's and the real rows' counts).
  template <class Src, class Dst>
  static void gather(const Rows& rows, const Src& src, Dst&& dst) {
    if (rows.masked.empty()) {
      dst = src;
    } else {
      dst = src(rows.real, Eigen::all);
    }
  }
  // dst's real rows = src.
  template <class Src, class Dst>
  static void scatter(const Rows& rows, const Src& src, Dst&& dst) {
    if (rows.masked.empty()) {
      dst = src;
    } else {
      dst(rows.real, Eigen::all) = src;
    }
  }

  // z = [layer input, state] of layer l at step t for the real rows, into w at its step j.
  // The layer reads its state from `read` (the real rows' (rows, total) h_lstm with mixed
  // memory) or else from the states before the step.
  void gather_z(const T* states, std::size_t l, std::int64_t t, const Rows& rows, const Mat<T>* read,
                const Slabs<T>& w, std::int64_t j) const {
    Eigen::Map<Mat<T>> z = w.at(work_z(l), j, static_cast<std::int64_t>(rows.real.size()));
    gather(rows, layer_input(states, l, t), z.leftCols(in_sizes[l]));
    if (read != nullptr) {
      z.rightCols(sizes[l]) = read->middleCols(offsets[l], sizes[l]);
    } else {
      gather(rows, before(states, t, false).middleCols(offsets[l], sizes[l]), z.rightCols(sizes[l]));
    }
  }
  // out = act(pre) times the dropout factors of backbone layer k of layer l at step t; with
  // `slope` (backward), pre becomes the slope d out / d pre.
  void activate(std::size_t l, std::size_t k, std::int64_t t, const Rows& rows, Eigen::Map<Mat<T>> pre,
                Eigen::Map<Mat<T>> out, bool slope) const {
    activation.apply(pre.data(), out.data(), pre.size(), slope);
    if (units_kept[l][k] == nullptr) return;
    const Mat<T> factors = dropout_factors(l, k, t, rows);
    out.array() *= factors.array();
    if (slope) pre.array() *= factors.array();
  }
  // Layer l at step t on the real rows: z and the backbone outputs into w (at its step j), the
  // backbone's pre-activations and the activated heads into s (at t).
  void layer_step(const T* states, std::size_t l, std::int64_t t, const Rows& rows, const Mat<T>* read,
                  const Slabs<T>& s, const Slabs<T>& w, std::int64_t j) const {
    const auto n = static_cast<std::int64_t>(rows.real.size());
    gather_z(states, l, t, rows, read, w, j);
    for (std::size_t k = 0; k < backbones[l].size(); ++k) {
      const Eigen::Map<Mat<T>> pre = k == 0 ? w.at(work_slope(l, 0), j, n) : s.at(kept_pre(l, k), t, n);
      backbone_product(l, k, w.at(k == 0 ? work_z(l) : work_out(l, k - 1), j, n), pre);
      activate(l, k, t, rows, pre, w.at(work_out(l, k), j, n), false);
    }
    Eigen::Map<Mat<T>> heads = s.at(kept_heads(l), t, n);
    const Eigen::Map<Mat<T>> input = w.at(head_input(l), j, n);
    product(input.data(), n, input.cols(), heads_of[l].weight_t->data(), heads.cols(), heads.data());
    heads.rowwise() += heads_of[l].bias;
    if (!pure) activate_heads(heads, rows.ts);
  }
  // What backward reads of layer l at step t, rebuilt into w at its step j from the states and
  // the kept pre-activations s: z, the backbone outputs and their slopes.
  void rebuild(const T* states, std::size_t l, std::int64_t t, const Rows& rows, const Mat<T>* read,
               const Slabs<T>& s, const Slabs<T>& w, std::int64_t j) const {
    const auto n = static_cast<std::int64_t>(rows.real.size());
    gather_z(states, l, t, rows, read, w, j);
    for (std::size_t k = 0; k < backbones[l].size(); ++k) {
      Eigen::Map<Mat<T>> slope = w.at(work_slope(l, k), j, n);
      if (k == 0) {
        backbone_product(l, 0, w.at(work_z(l), j, n), slope);
      } else {
        slope = s.at(kept_pre(l, k), t, n);
      }
      activate(l, k, t, rows, slope, w.at(work_out(l, k), j, n), true);
    }
  }
  // pre = input W_k^T + b_k of backbone layer k of layer l.
  void backbone_product(std::size_t l, std::size_t k, const Eigen::Map<Mat<T>>& input, Eigen::Map<Mat<T>> pre) const {
    product(input.data(), input.rows(), input.cols(), backbones[l][k].weight_t->data(), pre.cols(), pre.data());
    pre.rowwise() += backbones[l][k].bias;
  }
  // keep / (1 - rate) of the real rows for backbone layer k of layer l at step t.
  Mat<T> dropout_factors(std::size_t l, std::size_t k, std::int64_t t, const Rows& rows) const {
    const Eigen::Map<const Mat<T>> all(units_kept[l][k] + t * kept_step, batch, backbones[l][k].weight.rows());
    Mat<T> out(static_cast<Eigen::Index>(rows.real.size()), all.cols());
    gather(rows, all, out);
    return out / (1 - dropout_rate);
  }
  // The heads P = [f1, f2, fa, fb] of rows with time spans ts, in place, into [tanh(slope f1),
  // tanh(slope f2), fa, sigmoid(fa ts + fb)]: the arguments gathered into contiguous arrays,
  // so that each function is one vectorised call for all rows (H may be a handful of units).
  void activate_heads(Eigen::Map<Mat<T>> heads, const BatchVec<T>& ts_rows) const {
    const std::int64_t h = heads.cols() / 4;
    Arr<T> tanh_of = head_slope * heads.leftCols(2 * h).array();
    Arr<T> gate = heads.middleCols(2 * h, h).array().colwise() * ts_rows.array() + heads.rightCols(h).array();
    tanh_n(tanh_of.data(), tanh_of.data(), tanh_of.size());
    sigmoid_n(gate.data(), gate.data(), gate.size());
    heads.leftCols(2 * h) = tanh_of.matrix();
    heads.rightCols(h) = gate.matrix();
  }
  // Pure mode's decay e = exp(-ts (|w_tau| + |f1|)) of layer l, ts the rows' time spans.
  template <class Derived>
  Arr<T> decay(const Eigen::MatrixBase<Derived>& f1, std::size_t l, const BatchVec<T>& ts_rows) const {
    Arr<T> r = f1.array().abs();
    r.rowwise() += RowArr<T>(w_tau[l], f1.cols()).abs();
    r.colwise() *= ts_rows.array();
    return (-r).exp();
  }
};

}  // namespace ember::cpu::cfc
