// CPU kernels of the fused CfC sequence (front end: cpp/src/ops/cfc_sequence.cpp; math and
// kernel arguments in ember/liquid.h; the inputs' layout and the per-step pieces in
// cfc_problem.h). The sequences of a batch are independent, so the batch is split into row
// blocks (one per thread of ember's pool, each at least kMinBlockRows rows so that the GEMMs
// stay efficient) that run the whole sequence each; backward sums their parameter gradients.
//
// Forward: each backbone layer and each layer's four stacked heads are one GEMM per step over
// the block's rows, followed by the gate arithmetic on the (rows, H) blocks. Training (a
// second output, liquid::CfcSpec) keeps every step's heads (their tanh and gate values) and
// the pre-activations of backbone layers after the first there (cfc::Slabs; the layout in
// cfc_problem.h). Backward rebuilds each step's layer inputs z from the states, repeats the
// first backbone layer's product from z (in the Walker2d configuration, 81 x 256 of the
// step's 81 x 256 + 256 x 256 multiply-adds per row: 8 % more FLOPs per training step), and
// gets the backbone outputs and slopes act'(pre) elementwise. So it keeps 256 of the 849
// values per row and step that a full trace of that configuration would hold.
//
// The heads' activation g is scale tanh(slope x): tanh (1, 1) or the paper's LeCun tanh.
//
// Backward runs the steps and the layers in reverse. The weight and bias gradients are GEMMs
// over chunks of consecutive steps (at least kChunkRows rows: the adjoints of the
// pre-activations and the layer inputs of those steps), dW = sum_(t,b) dP^T a, rather than
// one GEMM of a row block's few rows per step.
//   default: df1 = dh (1 - s), df2 = dh s, ds = dh (g f2 - g f1);  no_gate: df1 = dh,
//   df2 = dh s, ds = dh g f2;  dP = [df1 g'(f1), df2 g'(f2), dq ts, dq]
//   with dq = ds s (1 - s), g'(x) = scale slope (1 - tanh^2(slope x));
//   dW = sum_t dP^T z, db = sum_(t,b) dP, dz = dP W, d ts += sum dq fa.
// Pure mode, h' = A (1 - e f1) with e = exp(-ts (|w_tau| + |f1|)): dP = df1 =
//   -dh A e (1 - ts |f1|),  dA = dh (1 - e f1),  d w_tau = dh A f1 e ts sign(w_tau),
//   d ts = dh A f1 e (|w_tau| + |f1|) (sign(0) = 0, as torch's abs).
// then back through the backbone (d pre_k = da act'(pre_k), dW_k = sum_t d pre_k^T a_k,
// da = d pre_k W_k; a dropped output's factor is part of its saved act'). dz splits into the
// gradient of the layer input (the previous layer's new state, or the sequence input) and of
// the layer's previous state (carried to t - 1).
//
// With a step mask (ember/liquid.h), each step runs on the rows of its real steps only
// (gathered into the GEMMs' operands, results scattered back); a masked row copies the state
// before, and backward passes its adjoint unchanged to the state before (no parameter, input
// or time gradient), so masked steps cost a row copy.
//
// Backbone dropout multiplies a dropped backbone layer's output by keep / (1 - rate), its
// keep mask one more input (liquid::CfcSpec::dropout_layout).
//
// Mixed memory (liquid::MixedMemory): the input part x W_ih^T + b_ih of every step's
// gates is one GEMM over the block's whole sequence up front; per step, the recurrent part
// h W_hh^T and the LSTM update (MemoryStep) give h_lstm, which the layers read as their
// states, and the cells c' (the states' last columns). Backward recomputes the step from the
// saved (h, c), passes the layers' adjoint of h_lstm and the cells' adjoint through it, and
// gathers the gates' adjoints of all steps for one GEMM each of dW_ih and dx at the end.
#include <Eigen/Core>
#include <algorithm>
#include <mutex>
#include <vector>

#include "backend/cpu/cfc_problem.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/loops.h"
#include "ember/liquid.h"
#include "ember/parallel.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

using cfc::Arr;
using cfc::BatchVec;
using cfc::Cfc;
using cfc::Dense;
using cfc::Mat;
using cfc::MemoryStep;
using cfc::MutMap;
using cfc::RowArr;
using cfc::Slabs;

// A kernel's work buffer, left uninitialised: every row is written before it is read (a
// masked step's unused rows by Slabs::zero_tail). Eigen allocates it with its SIMD alignment,
// so that Eigen's small products, whose vectorised loops peel to that alignment, sum in the
// same order wherever the allocator puts it: the same inputs give bit-identical gradients.
template <class T>
using Buffer = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// The forward recurrence of p's rows into states (B, T, width): the kept activations into s
// (training: at each step; inference: a one-step workspace), the step's work into w.
template <class T>
void forward_rows(const Cfc<T>& p, T* states, const Slabs<T>& s, const Slabs<T>& w, bool saving) {
  MemoryStep<T> memory;
  const Mat<T> projected = p.mixed ? p.project(p.memory_inputs()) : Mat<T>();
  Arr<T> next;
  for (std::int64_t t = 0; t < p.steps; ++t) {
    const typename Cfc<T>::Rows rows = p.rows(t);
    const auto n = static_cast<std::int64_t>(rows.real.size());
    if (saving && n < p.batch) s.zero_tail(t, n);
    MutMap<T> now(states + t * p.width, p.batch, p.width, Eigen::OuterStride<>(p.steps * p.width));
    now.leftCols(p.total)(rows.masked, Eigen::all) = p.before(states, t, false)(rows.masked, Eigen::all);
    if (p.mixed) now.rightCols(p.total)(rows.masked, Eigen::all) = p.before(states, t, true)(rows.masked, Eigen::all);
    if (n == 0) continue;
    const Mat<T>* read = nullptr;
    if (p.mixed) {
      p.memory(states, projected, t, rows, memory);
      Cfc<T>::scatter(rows, memory.cell.matrix(), now.rightCols(p.total));
      read = &memory.h_lstm;
    }
    for (std::size_t l = 0; l < p.layers(); ++l) {
      p.layer_step(states, l, t, rows, read, s, w, 0);
      const Eigen::Map<Mat<T>> pre = s.at(p.kept_heads(l), t, n);
      const std::int64_t h = p.sizes[l];
      if (p.pure) {
        next = (1 - p.decay(pre, l, rows.ts) * pre.array()).rowwise() * RowArr<T>(p.amplitude[l], h);
      } else {
        const auto tanh1 = pre.leftCols(h).array(), tanh2 = pre.middleCols(h, h).array();
        const auto gate = pre.rightCols(h).array();
        if (p.no_gate) {
          next = p.head_scale * (tanh1 + gate * tanh2);
        } else {
          next = p.head_scale * (tanh1 * (1 - gate) + gate * tanh2);
        }
      }
      Cfc<T>::scatter(rows, next.matrix(), now.middleCols(p.offsets[l], h));
    }
  }
}

template <class T>
void forward_typed(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Cfc<T> p(in, liquid::CfcSpec::from_attrs(attrs));
  const bool saving = out.size() > 1;
  if (saving && out[1].numel() != Slabs<T>::elements(p.kept_widths, p.batch * p.steps)) {
    raise(ErrorKind::Runtime, "cfc_sequence", "internal error: the saved activations' buffer has ", out[1].numel(),
          " elements");
  }
  parallel_for(p.row_blocks(), 1, [&](std::int64_t k0, std::int64_t k1) {
    for (std::int64_t k = k0; k < k1; ++k) {
      const auto [first, count] = p.row_block(k);
      // One step's work, and in inference one step's kept activations, which nothing reads later.
      const std::int64_t work_size = Slabs<T>::elements(p.work_widths, count);
      Buffer<T> buffer(work_size + (saving ? 0 : Slabs<T>::elements(p.kept_widths, count)));
      const Slabs<T> w = Slabs<T>(buffer.data(), p.work_widths, count).block(0, 0);
      const Slabs<T> s = saving ? Slabs<T>(out[1].data<T>(), p.kept_widths, p.batch * p.steps).block(first * p.steps, count)
                                : Slabs<T>(buffer.data() + work_size, p.kept_widths, count).block(0, 0);
      forward_rows(p.rows_of(first, count), out[0].data<T>() + first * p.steps * p.width, s, w, saving);
    }
  });
}

// d loss / d heads P = [f1, f2, fa, fb] of a default / no_gate layer at step t into dpre, given
// the activated heads (Cfc::activate_heads) and dh = d loss / d h'; adds the d ts part to dts_t.
template <class T>
void gated_adjoint(const Cfc<T>& p, const BatchVec<T>& ts_t, const Eigen::Map<Mat<T>>& heads, const Arr<T>& dh,
                   Eigen::Map<Mat<T>> dpre, BatchVec<T>& dts_t) {
  const std::int64_t h = dh.cols();
  const T gain = p.head_scale * p.head_slope;
  // One pass per row over its H units (vectorised; H can be a handful, where Eigen's
  // expressions would spend more on their temporaries than on the arithmetic).
  for (Eigen::Index r = 0; r < heads.rows(); ++r) {
    const T* tanh1 = heads.row(r).data();  // [tanh(slope f1), tanh(slope f2), fa, gate]
    const T *tanh2 = tanh1 + h, *gate = tanh1 + 3 * h, *d = dh.row(r).data();
    T* out = dpre.row(r).data();  // [d f1, d f2, d fa, d fb]
    const T span = ts_t[r];
    for (std::int64_t i = 0; i < h; ++i) {
      const T g = gate[i], dg = d[i] * g * (1 - g);
      // dq = d loss / d (fa ts + fb): dh g (1 - g) times d h' / d g = f2 (no_gate), f2 - f1.
      const T dq = dg * p.head_scale * (p.no_gate ? tanh2[i] : tanh2[i] - tanh1[i]);
      out[i] = d[i] * (p.no_gate ? T(1) : 1 - g) * gain * (1 - tanh1[i] * tanh1[i]);
      out[h + i] = d[i] * g * gain * (1 - tanh2[i] * tanh2[i]);
      out[2 * h + i] = dq * span;
      out[3 * h + i] = dq;
    }
    T dts = 0;
    for (std::int64_t i = 0; i < h; ++i) dts += out[3 * h + i] * tanh1[2 * h + i];
    dts_t[r] += dts;
  }
}

// Gradients of a pure layer's w_tau and A.
template <class T>
struct PureGrad {
  Eigen::Array<T, 1, Eigen::Dynamic> w_tau, a;
  explicit PureGrad(std::int64_t h) : w_tau(Eigen::Array<T, 1, Eigen::Dynamic>::Zero(h)), a(w_tau) {}
};

// The same for pure mode (f1 = P): dpre = d loss / d f1; w_tau and A's gradients into g.
template <class T>
void pure_adjoint(const Cfc<T>& p, std::size_t l, const BatchVec<T>& ts_rows, const Eigen::Map<Mat<T>>& f1,
                  const Arr<T>& dh, Eigen::Map<Mat<T>> dpre, BatchVec<T>& dts_t, PureGrad<T>& g) {
  const std::int64_t h = f1.cols();
  const auto ts_t = ts_rows.array();
  const RowArr<T> amplitude(p.amplitude[l], h), w_tau(p.w_tau[l], h);
  const Arr<T> e = p.decay(f1, l, ts_rows);
  const Arr<T> ef = e * f1.array();
  g.a += (dh * (1 - ef)).colwise().sum();
  Arr<T> dha = dh;
  dha.rowwise() *= amplitude;
  const Arr<T> u = dha * ef;  // dh A f1 e
  g.w_tau += (u.colwise() * ts_t).colwise().sum() * w_tau.sign();
  Arr<T> rate = f1.array().abs();
  rate.rowwise() += w_tau.abs();
  dts_t += (u * rate).rowwise().sum().matrix();
  Arr<T> ts_abs_f1 = f1.array().abs();
  ts_abs_f1.colwise() *= ts_t;
  dpre = (-dha * e * (1 - ts_abs_f1)).matrix();
}

// Gradients of one Dense layer (weight rows x columns, bias).
template <class T>
struct DenseGrad {
  Mat<T> weight;
  Eigen::Matrix<T, 1, Eigen::Dynamic> bias;
  DenseGrad(std::int64_t rows, std::int64_t cols)
      : weight(Mat<T>::Zero(rows, cols)), bias(Eigen::Matrix<T, 1, Eigen::Dynamic>::Zero(rows)) {}
  explicit DenseGrad(const Dense<T>& d) : DenseGrad(d.weight.rows(), d.weight.cols()) {}
  // Adds dp^T a and the column sums of dp over the rows of dp (d loss / d output).
  template <class D, class A>
  void add(const Eigen::MatrixBase<D>& dp, const Eigen::MatrixBase<A>& a) {
    weight.noalias() += dp.transpose() * a;
    // A row of ones times dp: a GEMV, where colwise().sum() walks a row-major dp by columns.
    bias.noalias() += Eigen::Matrix<T, 1, Eigen::Dynamic>::Ones(dp.rows()) * dp;
  }
  void add(const DenseGrad& o) {
    weight += o.weight;
    bias += o.bias;
  }
  void store(Tensor& w, Tensor& b) const {
    Eigen::Map<Mat<T>>(w.data<T>(), weight.rows(), weight.cols()) = weight;
    Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(b.data<T>(), bias.size()) = bias;
  }
};

// The parameter gradients: per layer its backbone's and heads' Dense gradients (heads last)
// and pure mode's w_tau and A; the mixed memory's W_ih and b_ih, and W_hh (empty without).
template <class T>
struct CfcGrads {
  std::vector<std::vector<DenseGrad<T>>> dense;
  std::vector<PureGrad<T>> pure;
  DenseGrad<T> input_map;
  Mat<T> recurrent_map;
  explicit CfcGrads(const Cfc<T>& p)
      : dense(p.layers()), input_map(p.mixed ? 4 * p.total : 0, p.mixed ? p.c : 0),
        recurrent_map(Mat<T>::Zero(p.mixed ? 4 * p.total : 0, p.mixed ? p.total : 0)) {
    for (std::size_t l = 0; l < p.layers(); ++l) {
      for (const Dense<T>& d : p.backbones[l]) dense[l].emplace_back(d);
      dense[l].emplace_back(p.heads_of[l]);
      pure.emplace_back(p.pure ? p.sizes[l] : 0);
    }
  }
  void add(const CfcGrads& o) {
    for (std::size_t l = 0; l < dense.size(); ++l) {
      for (std::size_t k = 0; k < dense[l].size(); ++k) dense[l][k].add(o.dense[l][k]);
      pure[l].w_tau += o.pure[l].w_tau;
      pure[l].a += o.pure[l].a;
    }
    input_map.add(o.input_map);
    recurrent_map += o.recurrent_map;
  }
};

// Backward gathers the steps into chunks of at least kChunkRows rows (whole steps), so that
// the weight gradients are GEMMs over that many rows rather than a row block's.
constexpr std::int64_t kChunkRows = 256;

// The backward recurrence of p's rows: states and grad_states (B, T, width) and the kept
// activations s, into dx (B, T, C), dh0 (B, total), dts (B, T), dc0 (B, total; mixed memory
// only) and g.
template <class T>
void backward_rows(const Cfc<T>& p, const T* states, const T* grad_states, const Slabs<T>& s, T* dx, T* dh0,
                   T* dts, T* dc0, CfcGrads<T>& g) {
  if (p.batch == 0) return;
  // A chunk's rebuilt work and adjoints: its step j (of `chunk`) holds rows j B to j B + B.
  const std::int64_t chunk = std::clamp<std::int64_t>((kChunkRows + p.batch - 1) / p.batch, 1, p.steps);
  const std::int64_t work_size = Slabs<T>::elements(p.work_widths, chunk * p.batch);
  Buffer<T> buffer(work_size + Slabs<T>::elements(p.adjoint_widths, chunk * p.batch));
  const Slabs<T> w = Slabs<T>(buffer.data(), p.work_widths, chunk * p.batch).block(0, p.batch);
  const Slabs<T> d = Slabs<T>(buffer.data() + work_size, p.adjoint_widths, chunk * p.batch).block(0, p.batch);
  MemoryStep<T> memory;
  // carry and dh_all span the batch; dh, carried and da the real rows of the step.
  Mat<T> carry = Mat<T>::Zero(p.batch, p.width), dh_all(p.batch, p.width), dh, carried(0, p.width), da;
  // Mixed memory: the inputs' part of the gates, and the gates' adjoints (rows b * T + t).
  const Mat<T> xs = p.mixed ? p.memory_inputs() : Mat<T>(), projected = p.mixed ? p.project(xs) : Mat<T>();
  Mat<T> dgates = Mat<T>::Zero(p.mixed ? p.batch * p.steps : 0, 4 * p.total), dz;
  Arr<T> dcell;
  for (std::int64_t t = p.steps - 1; t >= 0; --t) {
    const std::int64_t j = t % chunk;
    const typename Cfc<T>::Rows rows = p.rows(t);
    const auto n = static_cast<std::int64_t>(rows.real.size());
    if (n < p.batch) {
      w.zero_tail(j, n);
      d.zero_tail(j, n);
    }
    dh_all = p.block(grad_states, p.width, t, 0, p.width);
    dh_all += carry;
    MutMap<T> dx_t(dx + t * p.c, p.batch, p.c, Eigen::OuterStride<>(p.steps * p.c));
    // A masked row passes its adjoint to the state before; its input and time span get 0.
    carry(rows.masked, Eigen::all) = dh_all(rows.masked, Eigen::all);
    dx_t(rows.masked, Eigen::all).setZero();
    for (Eigen::Index b : rows.masked) dts[b * p.steps + t] = T(0);
    if (n > 0) {
      dh.resize(n, p.width);
      Cfc<T>::gather(rows, dh_all, dh);
      carried.resize(n, p.width);
      BatchVec<T> dts_t = BatchVec<T>::Zero(n);
      const Mat<T>* read = nullptr;
      if (p.mixed) {
        p.memory(states, projected, t, rows, memory);
        read = &memory.h_lstm;
      }
      for (std::size_t l = 0; l < p.layers(); ++l) p.rebuild(states, l, t, rows, read, s, w, j);
      for (std::size_t l = p.layers(); l-- > 0;) {
        const std::int64_t h = p.sizes[l], n_in = p.in_sizes[l];
        const Arr<T> dh_l = dh.middleCols(p.offsets[l], h).array();
        const Eigen::Map<Mat<T>> heads = s.at(p.kept_heads(l), t, n), dheads = d.at(p.adjoint_heads(l), j, n);
        if (p.pure) {
          pure_adjoint(p, l, rows.ts, heads, dh_l, dheads, dts_t, g.pure[l]);
        } else {
          gated_adjoint(p, rows.ts, heads, dh_l, dheads, dts_t);
        }
        da.resize(n, p.heads_of[l].weight.cols());
        cfc::product(dheads.data(), n, dheads.cols(), p.heads_of[l].weight.data(), da.cols(), da.data());
        for (std::size_t k = p.backbones[l].size(); k-- > 0;) {
          Eigen::Map<Mat<T>> dpre = d.at(p.adjoint_pre(l, k), j, n);
          dpre.array() = da.array() * w.at(p.work_slope(l, k), j, n).array();
          da.resize(n, p.backbones[l][k].weight.cols());
          cfc::product(dpre.data(), n, dpre.cols(), p.backbones[l][k].weight.data(), da.cols(), da.data());
        }
        // da is now d loss / dz: the layer input's part, then the read state's.
        if (l > 0) {
          dh.middleCols(p.offsets[l - 1], p.sizes[l - 1]) += da.leftCols(n_in);
        } else {
          Cfc<T>::scatter(rows, da.leftCols(n_in), dx_t);
        }
        carried.middleCols(p.offsets[l], h) = da.rightCols(h);
      }
      if (p.mixed) {
        // carried's state columns hold the adjoint of h_lstm; the cells' is dh's last columns.
        dcell = dh.rightCols(p.total).array();
        memory.adjoint(carried.leftCols(p.total).array(), dcell, dz);
        carried.leftCols(p.total).noalias() = dz * p.recurrent_map();
        carried.rightCols(p.total) = dcell.matrix();
        g.recurrent_map.noalias() += dz.transpose() * memory.h;
        for (std::int64_t i = 0; i < n; ++i) dgates.row(rows.real[i] * p.steps + t) = dz.row(i);
      }
      Cfc<T>::scatter(rows, carried, carry);
      for (std::int64_t i = 0; i < n; ++i) dts[rows.real[i] * p.steps + t] = dts_t[i];
    }
    if (j == 0) {
      // The chunk's first step: its weight gradients over all its steps' rows.
      const std::int64_t chunk_rows = std::min(chunk, p.steps - t) * p.batch;
      for (std::size_t l = 0; l < p.layers(); ++l) {
        for (std::size_t k = 0; k < p.backbones[l].size(); ++k) {
          g.dense[l][k].add(d.at(p.adjoint_pre(l, k), 0, chunk_rows),
                            w.at(k == 0 ? p.work_z(l) : p.work_out(l, k - 1), 0, chunk_rows));
        }
        g.dense[l].back().add(d.at(p.adjoint_heads(l), 0, chunk_rows), w.at(p.head_input(l), 0, chunk_rows));
      }
    }
  }
  Eigen::Map<Mat<T>>(dh0, p.batch, p.total) = carry.leftCols(p.total);
  if (p.mixed) {
    Eigen::Map<Mat<T>>(dc0, p.batch, p.total) = carry.rightCols(p.total);
    g.input_map.add(dgates, xs);
    Eigen::Map<Mat<T>>(dx, p.batch * p.steps, p.c).noalias() += dgates * p.input_map();
  }
}

template <class T>
void backward_typed(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Cfc<T> p(in.first(in.size() - 3), liquid::CfcSpec::from_attrs(attrs));
  const T* states = in[in.size() - 3].data<T>();
  const T* grad_states = in[in.size() - 2].data<T>();
  const Slabs<T> saved(const_cast<T*>(in[in.size() - 1].data<T>()), p.kept_widths, p.batch * p.steps);
  const std::size_t c0_slot = p.memory_slot + liquid::CfcSpec::kC0;
  CfcGrads<T> sum(p);
  std::mutex merge;
  parallel_for(p.row_blocks(), 1, [&](std::int64_t k0, std::int64_t k1) {
    CfcGrads<T> g(p);
    for (std::int64_t k = k0; k < k1; ++k) {
      const auto [first, count] = p.row_block(k);
      const std::int64_t seq = first * p.steps;
      backward_rows(p.rows_of(first, count), states + seq * p.width, grad_states + seq * p.width,
                    saved.block(seq, count), out[0].data<T>() + seq * p.c, out[1].data<T>() + first * p.total,
                    out[2].data<T>() + seq, p.mixed ? out[c0_slot].data<T>() + first * p.total : nullptr, g);
    }
    const std::lock_guard<std::mutex> lock(merge);
    sum.add(g);
  });
  std::size_t next = 3;
  for (std::size_t l = 0; l < p.layers(); ++l) {
    for (const DenseGrad<T>& d : sum.dense[l]) {
      d.store(out[next], out[next + 1]);
      next += 2;
    }
    if (p.pure) {
      Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>>(out[next].data<T>(), p.sizes[l]) = sum.pure[l].w_tau;
      Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>>(out[next + 1].data<T>(), p.sizes[l]) = sum.pure[l].a;
      next += 2;
    }
  }
  if (p.mixed) {
    sum.input_map.store(out[next + liquid::CfcSpec::kInputWeight], out[next + liquid::CfcSpec::kInputBias]);
    Eigen::Map<Mat<T>>(out[next + liquid::CfcSpec::kRecurrentWeight].data<T>(), 4 * p.total, p.total) =
        sum.recurrent_map;
  }
}

void cfc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  with_float_type(in[0].dtype(), [&]<class T>() { forward_typed<T>(in, out, attrs); });
}

void cfc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  with_float_type(in[0].dtype(), [&]<class T>() { backward_typed<T>(in, out, attrs); });
}

}  // namespace

void register_cfc_kernels() {
  op_entry("cfc_sequence").set_kernel(DeviceType::CPU, cfc_forward_kernel);
  op_entry("cfc_sequence_backward").set_kernel(DeviceType::CPU, cfc_backward_kernel);
}

}  // namespace ember::cpu
