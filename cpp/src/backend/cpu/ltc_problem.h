// The problem of the fused LTC sequence kernels on cpu (ltc_sequence.cpp): the lane blocks
// of the batch, the synapse tables, and the forward inputs as liquid::LtcSpec lays them out
// (Ltc) with the per-step pieces both directions share (the ODE unfold, the mixed memory's
// step).
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "backend/cpu/exp_simd.h"
#include "backend/cpu/lstm_cell.h"
#include "ember/liquid.h"
#include "ember/tensor.h"

namespace ember::cpu::ltc {

template <class T>
constexpr int kLanes = Eigen::internal::packet_traits<T>::size;
template <class T>
using Lanes = Eigen::Array<T, kLanes<T>, 1>;
template <class T>
using LaneRows = std::vector<Lanes<T>>;  // one Lanes per neuron (or per synapse)

template <class T>
struct Synapse {
  T w, mu, sigma, erev;            // w times the mask
  std::int64_t pre, post, flat;  // flat = pre * n + post, in the (rows, n) parameter matrices
  // sigma / ln 2 and sigma mu / ln 2: the sigmoid's exponent -sigma (v - mu) in base 2 is
  // one fused multiply-add of v (synapse_sigmoids).
  T sigma_log2e, sigma_mu_log2e;
};

// The real synapses (mask != 0) of a (rows, n) wiring, in row order.
template <class T>
std::vector<Synapse<T>> synapse_table(std::span<const Tensor> params, std::int64_t rows, std::int64_t n) {
  const T *w = params[0].data<T>(), *mu = params[1].data<T>(), *sigma = params[2].data<T>();
  const T *erev = params[3].data<T>(), *mask = params[4].data<T>();
  std::vector<Synapse<T>> table;
  for (std::int64_t k = 0; k < rows * n; ++k) {
    if (mask[k] == T(0)) continue;
    const T sigma_log2e = sigma[k] * static_cast<T>(kLog2E);
    table.push_back({w[k] * mask[k], mu[k], sigma[k], erev[k], k / n, k % n, k, sigma_log2e, sigma_log2e * mu[k]});
  }
  return table;
}

// s[g] = sigmoid(sigma (v[pre] - mu)) per lane for the G synapses from sy. float on AVX-512
// takes reciprocal_one_plus_exp2 (exp_simd.h) of u = sigma (mu - v) / ln 2, one fused
// multiply-add from the table (min(126, u) keeps 2^u finite and passes NaN), G packets in
// lockstep: against reciprocal_one_plus_exp on sigma (mu - v), 3.2-3.3 against 3.5 ms (min)
// for LTC(16, AutoNCP(64, 8)) inference at batch 32 on one thread. Other types take Eigen's
// logistic, one synapse at a time.
template <class T, int G>
void synapse_sigmoids(const Synapse<T>* sy, const LaneRows<T>& v, Lanes<T> (&s)[G]) {
#ifdef __AVX512F__
  if constexpr (std::is_same_v<T, float> && kLanes<T> == 16) {
    __m512 u[G];
    for (int g = 0; g < G; ++g) {
      u[g] = _mm512_fnmadd_ps(_mm512_set1_ps(sy[g].sigma_log2e), _mm512_loadu_ps(v[sy[g].pre].data()),
                              _mm512_set1_ps(sy[g].sigma_mu_log2e));
      u[g] = _mm512_min_ps(_mm512_set1_ps(126.0f), u[g]);
    }
    reciprocal_one_plus_exp2<G>(u);
    for (int g = 0; g < G; ++g) _mm512_storeu_ps(s[g].data(), u[g]);
    return;
  }
#endif
  for (int g = 0; g < G; ++g) s[g] = (sy[g].sigma * (v[sy[g].pre] - sy[g].mu)).logistic();
}

// body(q, s) for every synapse q of the table, in order, with its activation s (the
// presynaptic values v): the sigmoids are taken in groups of 8 so that the lockstep
// evaluation has independent work to interleave.
template <class T, class Body>
void for_each_activation(const std::vector<Synapse<T>>& table, const LaneRows<T>& v, Body&& body) {
  constexpr int kGroup = 8;
  Lanes<T> s[kGroup];
  std::size_t q = 0;
  for (; q + kGroup <= table.size(); q += kGroup) {
    synapse_sigmoids<T, kGroup>(table.data() + q, v, s);
    for (int g = 0; g < kGroup; ++g) body(q + g, s[g]);
  }
  for (; q < table.size(); ++q) {
    Lanes<T> one[1];
    synapse_sigmoids<T, 1>(table.data() + q, v, one);
    body(q, one[0]);
  }
}

// Sequences [b0, b0 + lanes) of the batch; lanes <= kLanes.
struct Block {
  std::int64_t b0, lanes;
};

// Lane l of the result is a[(b0 + l) * stride]: one column of a (batch, ...) array.
// Padding lanes get `pad`.
template <class T>
Lanes<T> gather(const T* a, std::int64_t stride, const Block& blk, T pad = T(0)) {
  Lanes<T> out = Lanes<T>::Constant(pad);
  for (std::int64_t l = 0; l < blk.lanes; ++l) out[l] = a[(blk.b0 + l) * stride];
  return out;
}

template <class T>
void scatter(const Lanes<T>& v, T* a, std::int64_t stride, const Block& blk) {
  for (std::int64_t l = 0; l < blk.lanes; ++l) a[(blk.b0 + l) * stride] = v[l];
}

// Kernel inputs (liquid::LtcSpec) and the synapse tables.
using Spec = liquid::LtcSpec;

// The mixed memory's step on a block's lanes, per neuron: tanh(k), sigmoid(i), sigmoid(f + 1),
// sigmoid(o), the new cell c' and tanh(c').
template <class T>
struct LaneMemory {
  LaneRows<T> k, i, f, o, cell, tanh_cell;
  explicit LaneMemory(std::int64_t n) : k(n), i(n), f(n), o(n), cell(n), tanh_cell(n) {}
};

template <class T>
struct Ltc {
  const T *x, *h0, *elapsed, *cm, *gleak, *vleak;
  std::int64_t batch, steps, c, n, unfolds;
  T eps;
  const T* keep;  // the step mask (B, T), or null
  std::vector<Synapse<T>> sensory_syn, syn;
  // Mixed memory: the projection (B, T, 4 n), W_hh (4 n, n), c0 (B, n); the states' width.
  bool mixed;
  const T *projected = nullptr, *recurrent = nullptr, *c0 = nullptr;
  std::int64_t width;
  std::size_t first_backward_input;  // the states', after the forward inputs

  Ltc(std::span<const Tensor> in, const liquid::LtcSpec& spec)
      : x(in[Spec::kInputs].data<T>()), h0(in[Spec::kH0].data<T>()), elapsed(in[Spec::kElapsed].data<T>()),
        cm(in[Spec::kCm].data<T>()), gleak(in[Spec::kGleak].data<T>()), vleak(in[Spec::kVleak].data<T>()),
        batch(in[0].shape()[0]), steps(in[0].shape()[1]), c(in[0].shape()[2]), n(in[Spec::kH0].shape()[1]),
        unfolds(spec.ode_unfolds), eps(static_cast<T>(spec.epsilon)),
        keep(spec.has_step_mask ? in[spec.step_mask_slot()].data<T>() : nullptr),
        sensory_syn(synapse_table<T>(in.subspan(Spec::kSensoryW, 5), c, n)),
        syn(synapse_table<T>(in.subspan(Spec::kW, 5), n, n)), mixed(spec.mixed_memory), width(mixed ? 2 * n : n),
        first_backward_input(spec.step_mask_slot() + (spec.has_step_mask ? 1 : 0)) {
    if (mixed) {
      projected = in[Spec::kProjected].data<T>();
      recurrent = in[Spec::kRecurrentWeight].data<T>();
      c0 = in[Spec::kC0].data<T>();
    }
  }

  std::int64_t blocks() const { return (batch + kLanes<T> - 1) / kLanes<T>; }
  Block block(std::int64_t k) const { return {k * kLanes<T>, std::min<std::int64_t>(kLanes<T>, batch - k * kLanes<T>)}; }

  // Which lanes run step t (nonzero): every lane without a mask; a padding lane is masked.
  Lanes<T> real(const Block& blk, std::int64_t t) const {
    return keep ? gather(keep + t, steps, blk) : Lanes<T>::Ones();
  }
  // The inputs of step t, one row per feature; 0 in masked lanes.
  void inputs(const Block& blk, std::int64_t t, const Lanes<T>& on, LaneRows<T>& xl) const {
    for (std::int64_t i = 0; i < c; ++i) xl[i] = (on != T(0)).select(gather(x + t * c + i, steps * c, blk), T(0));
  }
  // ode_unfolds / elapsed of step t per lane (cm_t = cm * scale); padding and masked lanes 1.
  Lanes<T> scale(const Block& blk, std::int64_t t, const Lanes<T>& on) const {
    return T(unfolds) / (on != T(0)).select(gather(elapsed + t, steps, blk, T(1)), T(1));
  }

  // num[post] += w s erev and den[post] += w s for every synapse of the table, s its activation
  // from the presynaptic values v; with `saved` (the backward pass), also keeps each s.
  static void add_synapses(const std::vector<Synapse<T>>& table, const LaneRows<T>& v, LaneRows<T>& num,
                           LaneRows<T>& den, Lanes<T>* saved) {
    for_each_activation(table, v, [&](std::size_t q, const Lanes<T>& s) {
      const Synapse<T>& sy = table[q];
      if (saved) saved[q] = s;
      const Lanes<T> a = sy.w * s;
      num[sy.post] += a * sy.erev;
      den[sy.post] += a;
    });
  }

  // Sensory numerator and denominator terms of one step; with `saved_s` (the backward pass),
  // also keeps each sensory synapse's activation.
  void sensory(const LaneRows<T>& xl, LaneRows<T>& ns, LaneRows<T>& ds, Lanes<T>* saved_s = nullptr) const {
    for (std::int64_t j = 0; j < n; ++j) {
      ns[j].setZero();
      ds[j].setZero();
    }
    add_synapses(sensory_syn, xl, ns, ds, saved_s);
  }

  // The mixed memory's step t of a block from the states h and cells c before it: fills m
  // and writes h_lstm, where the unfolds start, into out.
  void memory_step(const Block& blk, std::int64_t t, const LaneRows<T>& h, const LaneRows<T>& cells,
                   LaneMemory<T>& m, LaneRows<T>& out) const {
    LaneRows<T>* gates[4] = {&m.k, &m.i, &m.f, &m.o};
    for (std::int64_t g = 0; g < 4 * n; ++g) {
      Lanes<T> z = gather(projected + t * 4 * n + g, steps * 4 * n, blk);
      const T* w = recurrent + g * n;
      for (std::int64_t i = 0; i < n; ++i) z += w[i] * h[i];
      (*gates[g / n])[g % n] = z;
    }
    for (std::int64_t j = 0; j < n; ++j) {
      lstm_cell(m.k[j], m.i[j], m.f[j], m.o[j], cells[j], m.cell[j], m.tanh_cell[j]);
      out[j] = m.o[j] * m.tanh_cell[j];
    }
  }

  // One unfold from v into next; den receives the denominators. With `saved_s` (the
  // backward pass), also keeps each synapse's activation.
  void unfold(const LaneRows<T>& v, const Lanes<T>& scale, const LaneRows<T>& ns, const LaneRows<T>& ds,
              LaneRows<T>& num, LaneRows<T>& den, LaneRows<T>& next, Lanes<T>* saved_s = nullptr) const {
    for (std::int64_t j = 0; j < n; ++j) {
      num[j] = cm[j] * scale * v[j] + gleak[j] * vleak[j] + ns[j];
      den[j] = cm[j] * scale + (gleak[j] + eps) + ds[j];
    }
    add_synapses(syn, v, num, den, saved_s);
    for (std::int64_t j = 0; j < n; ++j) next[j] = num[j] / den[j];
  }
};

}  // namespace ember::cpu::ltc
