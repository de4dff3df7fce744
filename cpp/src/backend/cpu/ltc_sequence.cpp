// CPU kernels of the fused LTC sequence (front end: cpp/src/ops/ltc_sequence.cpp; math and
// kernel arguments in ember/liquid.h; the inputs' layout in ltc_problem.h). Lane-major: a
// block of kLanes sequences of the batch advances together, each neuron's value held as one
// fixed-size array over the block's lanes (one SIMD packet). The loops then run over a table of the wiring's real synapses (mask != 0), each
// one a packet-wide sigmoid per lane group: no masked-out pairs (an NCP wiring's rows are
// mostly empty) and no partial packets (a short last block is padded with inert lanes that
// get a zero gradient). Blocks are spread over the thread pool; each chunk accumulates its
// own parameter gradients per lane, summed over the real lanes at the end of a block.
//
// The backward pass recomputes each step's ODE unfolds from the saved state before it,
// keeping that step's synapse activations (the sensory ones too) and denominators
// (O(unfolds * synapses) scratch instead of O(T * unfolds * synapses) stored by the forward
// pass), then runs the adjoint
// of every unfold in reverse: for v' = num / den,
//   dnum = g / den, dden = -g v' / den,
//   a_ij = w_ij s_ij: d erev_ij += dnum_j a_ij, d w_ij += (dnum_j erev_ij + dden_j) s_ij,
//   s_ij = sigmoid(z_ij), z_ij = sigma_ij (v_i - mu_ij): dz = da w s (1 - s),
//   d sigma += dz (v_i - mu), d mu -= dz sigma, d v_i += sum_j dz sigma.
// A masked-out pair has a = 0, so skipping it drops nothing: its gradients are zero.
//
// A step mask (ember/liquid.h) is one more lane array per step: a masked lane keeps its
// state (a select after the unfolds), reads input 0 and elapsed 1 (so padding of any value
// stays inert), and backward gets a zero adjoint for the step while its incoming adjoint
// passes unchanged to the state before; a step masked in every lane of a block is skipped.
//
// Mixed memory (liquid::MixedMemory): the front end projects every step's memory input in
// one GEMM; per step the kernel adds the recurrent part h W_hh^T lane-wise and runs the LSTM
// update (LaneMemory), and the unfolds start from h_lstm; the cells c' are the states' last n
// columns. Backward recomputes the step from the saved (h, c) and passes the adjoint of the
// unfolds' start and the cells' adjoint through it, into dW_hh, the projection's adjoint
// (B, T, 4 n) (autograd takes it to W_ih, b_ih and the inputs) and the state before.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <mutex>
#include <vector>

#include "backend/cpu/kernels.h"
#include "backend/cpu/ltc_problem.h"
#include "backend/cpu/loops.h"
#include "ember/errors.h"
#include "ember/liquid.h"
#include "ember/parallel.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

using ltc::Block;
using ltc::gather;
using ltc::LaneMemory;
using ltc::LaneRows;
using ltc::Lanes;
using ltc::Ltc;
using ltc::scatter;
using ltc::Spec;
using ltc::Synapse;

template <class T>
void forward_typed(std::span<const Tensor> in, Tensor& out, const Attrs& attrs) {
  const Ltc<T> p(in, Spec::from_attrs(attrs));
  T* states = out.data<T>();
  const std::int64_t n = p.n;
  parallel_for(p.blocks(), 1, [&](std::int64_t k0, std::int64_t k1) {
    LaneRows<T> v(n), next(n), num(n), den(n), ns(n), ds(n), xl(p.c), before(n), cells(n), cells_before(n);
    LaneMemory<T> memory(n);
    for (std::int64_t k = k0; k < k1; ++k) {
      const Block blk = p.block(k);
      for (std::int64_t j = 0; j < n; ++j) v[j] = gather(p.h0 + j, n, blk);
      if (p.mixed) {
        for (std::int64_t j = 0; j < n; ++j) cells[j] = gather(p.c0 + j, n, blk);
      }
      for (std::int64_t t = 0; t < p.steps; ++t) {
        const Lanes<T> on = p.real(blk, t);
        if (p.keep && (on != T(0)).any()) {
          before = v;
          if (p.mixed) cells_before = cells;
        }
        if (!p.keep || (on != T(0)).any()) {
          if (p.mixed) {
            p.memory_step(blk, t, v, cells, memory, next);
            v.swap(next);
            cells = memory.cell;
          }
          p.inputs(blk, t, on, xl);
          p.sensory(xl, ns, ds);
          const Lanes<T> scale = p.scale(blk, t, on);
          for (std::int64_t u = 0; u < p.unfolds; ++u) {
            p.unfold(v, scale, ns, ds, num, den, next);
            v.swap(next);
          }
          if (p.keep) {
            for (std::int64_t j = 0; j < n; ++j) v[j] = (on != T(0)).select(v[j], before[j]);
            if (p.mixed) {
              for (std::int64_t j = 0; j < n; ++j) cells[j] = (on != T(0)).select(cells[j], cells_before[j]);
            }
          }
        }
        T* row = states + t * p.width;
        for (std::int64_t j = 0; j < n; ++j) scatter(v[j], row + j, p.steps * p.width, blk);
        if (p.mixed) {
          for (std::int64_t j = 0; j < n; ++j) scatter(cells[j], row + n + j, p.steps * p.width, blk);
        }
      }
    }
  });
}

// Per-synapse gradients w, mu, sigma, erev (mu's accumulates dz; it is scaled by -sigma
// when stored).
template <class T>
using SynapseGrads = std::array<T, 4>;

// Adjoint of synapse sy (presynaptic value pre, activation s) given the gradients of its
// postsynaptic numerator and denominator sums: accumulates its parameter gradients per lane
// into g and returns its share of d loss / d pre. Always inlined: as a call (GCC's choice),
// every synapse paid a vzeroupper and a round trip of the result through memory.
template <class T>
[[gnu::always_inline]] inline Lanes<T> synapse_adjoint(const Synapse<T>& sy, const Lanes<T>& pre, const Lanes<T>& s,
                                                       const Lanes<T>& dnum, const Lanes<T>& dden,
                                                       std::array<Lanes<T>, 4>& g) {
  const Lanes<T> da = dnum * sy.erev + dden;
  g[3] += dnum * s * sy.w;
  g[0] += da * s;
  const Lanes<T> dz = da * sy.w * s * (T(1) - s);
  g[2] += dz * (pre - sy.mu);
  g[1] += dz;
  return dz * sy.sigma;
}

// Sums the presynaptic shares of a synapse table's adjoints into out[pre]. The table is in
// presynaptic (row) order, so the running row's sum stays in a register and reaches memory
// once per row: adding each synapse's share to out[pre] directly chained the row's synapses
// through store-to-load forwarding.
template <class T>
struct RowSums {
  LaneRows<T>& out;
  std::int64_t row = -1;
  Lanes<T> sum = Lanes<T>::Zero();
  void add(std::int64_t pre, const Lanes<T>& share) {
    if (pre != row) {
      flush();
      row = pre;
      sum = share;
    } else {
      sum += share;
    }
  }
  void flush() const {
    if (row >= 0) out[row] += sum;
  }
};

// Parameter gradients, summed over sequences (order of the kernel outputs 3..).
template <class T>
struct ParamGrads {
  std::vector<SynapseGrads<T>> sensory, synapse;
  std::vector<T> cm, gleak, vleak;
  std::vector<T> recurrent;  // the mixed memory's W_hh (4 n, n), or empty
  explicit ParamGrads(const Ltc<T>& p)
      : sensory(p.sensory_syn.size(), SynapseGrads<T>{}), synapse(p.syn.size(), SynapseGrads<T>{}), cm(p.n),
        gleak(p.n), vleak(p.n), recurrent(p.mixed ? 4 * p.n * p.n : 0) {}
  void add(const ParamGrads& o) {
    auto sum = [](auto& a, const auto& b) {
      for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
    };
    for (std::size_t q = 0; q < sensory.size(); ++q) sum(sensory[q], o.sensory[q]);
    for (std::size_t q = 0; q < synapse.size(); ++q) sum(synapse[q], o.synapse[q]);
    sum(cm, o.cm);
    sum(gleak, o.gleak);
    sum(vleak, o.vleak);
    sum(recurrent, o.recurrent);
  }
};

// The same, per lane, for one block; reduced over its real lanes into ParamGrads.
template <class T>
struct LaneGrads {
  std::vector<std::array<Lanes<T>, 4>> sensory, synapse;
  LaneRows<T> cm, gleak, vleak, recurrent;
  explicit LaneGrads(const Ltc<T>& p)
      : sensory(p.sensory_syn.size()), synapse(p.syn.size()), cm(p.n), gleak(p.n), vleak(p.n),
        recurrent(p.mixed ? 4 * p.n * p.n : 0) {}
  void zero() {
    for (auto* rows : {&sensory, &synapse}) {
      for (auto& g : *rows) {
        for (Lanes<T>& l : g) l.setZero();
      }
    }
    for (auto* rows : {&cm, &gleak, &vleak, &recurrent}) {
      for (Lanes<T>& l : *rows) l.setZero();
    }
  }
  void reduce_into(ParamGrads<T>& out, std::int64_t lanes) const {
    auto sum = [lanes](const Lanes<T>& l) { return l.head(lanes).sum(); };
    for (std::size_t q = 0; q < sensory.size(); ++q) {
      for (int k = 0; k < 4; ++k) out.sensory[q][k] += sum(sensory[q][k]);
    }
    for (std::size_t q = 0; q < synapse.size(); ++q) {
      for (int k = 0; k < 4; ++k) out.synapse[q][k] += sum(synapse[q][k]);
    }
    for (std::size_t j = 0; j < cm.size(); ++j) {
      out.cm[j] += sum(cm[j]);
      out.gleak[j] += sum(gleak[j]);
      out.vleak[j] += sum(vleak[j]);
    }
    for (std::size_t q = 0; q < recurrent.size(); ++q) out.recurrent[q] += sum(recurrent[q]);
  }
};

// Gradients of one block's sequences: dx, dh0 and delapsed written (with mixed memory also
// dprojected and dc0), parameter gradients accumulated into lg.
template <class T>
struct BlockBackward {
  const Ltc<T>& p;
  const T *states, *grad_states;
  T *dx, *dh0, *delapsed, *dprojected, *dc0;
  // Work arrays, reused across blocks.
  std::vector<LaneRows<T>> vs, dens;  // per unfold: state before it, and its denominators
  LaneRows<T> saved_s, saved_sensory, num, ns, ds, xl, dxl, carry, g, gv, dnum, dden, dcm, dns, dds, passed;
  // Mixed memory: the states and cells before the step, the cells' carried and passed
  // adjoints, the gates' adjoints (4 n) and the step's LaneMemory.
  LaneRows<T> h_prev, c_prev, carry_c, passed_c, dcell, dz;
  LaneMemory<T> memory;

  BlockBackward(const Ltc<T>& p, const T* states, const T* grad_states, T* dx, T* dh0, T* delapsed, T* dprojected,
                T* dc0)
      : p(p), states(states), grad_states(grad_states), dx(dx), dh0(dh0), delapsed(delapsed), dprojected(dprojected),
        dc0(dc0), vs(p.unfolds + 1, LaneRows<T>(p.n)), dens(p.unfolds, LaneRows<T>(p.n)),
        saved_s(p.unfolds * p.syn.size()), saved_sensory(p.sensory_syn.size()), num(p.n), ns(p.n), ds(p.n),
        xl(p.c), dxl(p.c), carry(p.n), g(p.n), gv(p.n), dnum(p.n), dden(p.n), dcm(p.n), dns(p.n), dds(p.n), passed(p.n), h_prev(p.n), c_prev(p.n),
        carry_c(p.n), passed_c(p.n), dcell(p.n), dz(4 * p.n), memory(p.n) {}

  // Lane block of column `col` of the (B, T, width) states (or their gradients) at step t.
  Lanes<T> at(const T* a, std::int64_t t, std::int64_t col, const Block& blk) const {
    return gather(a + t * p.width + col, p.steps * p.width, blk);
  }

  void run(const Block& blk, LaneGrads<T>& lg) {
    const std::int64_t n = p.n, syn = static_cast<std::int64_t>(p.syn.size());
    for (Lanes<T>& l : carry) l.setZero();
    for (Lanes<T>& l : carry_c) l.setZero();
    for (std::int64_t t = p.steps - 1; t >= 0; --t) {
      const Lanes<T> on = p.real(blk, t);
      if (p.keep && !(on != T(0)).any()) {
        const Lanes<T> zero = Lanes<T>::Zero();
        for (std::int64_t j = 0; j < n; ++j) carry[j] += at(grad_states, t, j, blk);
        for (std::int64_t i = 0; i < p.c; ++i) scatter(zero, dx + t * p.c + i, p.steps * p.c, blk);
        scatter(zero, delapsed + t, p.steps, blk);
        if (p.mixed) {
          for (std::int64_t j = 0; j < n; ++j) carry_c[j] += at(grad_states, t, n + j, blk);
          for (std::int64_t q = 0; q < 4 * n; ++q) scatter(zero, dprojected + t * 4 * n + q, p.steps * 4 * n, blk);
        }
        continue;
      }
      LaneRows<T>& before = p.mixed ? h_prev : vs[0];
      for (std::int64_t j = 0; j < n; ++j) before[j] = t > 0 ? at(states, t - 1, j, blk) : gather(p.h0 + j, n, blk);
      if (p.mixed) {
        for (std::int64_t j = 0; j < n; ++j) c_prev[j] = t > 0 ? at(states, t - 1, n + j, blk) : gather(p.c0 + j, n, blk);
        p.memory_step(blk, t, h_prev, c_prev, memory, vs[0]);
      }
      p.inputs(blk, t, on, xl);
      p.sensory(xl, ns, ds, saved_sensory.data());
      const Lanes<T> scale = p.scale(blk, t, on);
      for (std::int64_t u = 0; u < p.unfolds; ++u) {
        p.unfold(vs[u], scale, ns, ds, num, dens[u], vs[u + 1], saved_s.data() + u * syn);
      }
      for (std::int64_t j = 0; j < n; ++j) {
        passed[j] = carry[j] + at(grad_states, t, j, blk);
        g[j] = (on != T(0)).select(passed[j], T(0));
        dcm[j].setZero();
        dns[j].setZero();
        dds[j].setZero();
      }
      for (std::int64_t u = p.unfolds - 1; u >= 0; --u) unfold_adjoint(u, scale, lg);
      if (p.mixed) memory_adjoint(blk, t, on, lg);
      carry.swap(g);
      if (p.keep) {
        for (std::int64_t j = 0; j < n; ++j) carry[j] = (on != T(0)).select(carry[j], passed[j]);
      }
      for (Lanes<T>& l : dxl) l.setZero();
      RowSums<T> dx_rows{dxl};
      for (std::size_t q = 0; q < p.sensory_syn.size(); ++q) {
        const Synapse<T>& sy = p.sensory_syn[q];
        dx_rows.add(sy.pre,
                    synapse_adjoint(sy, xl[sy.pre], saved_sensory[q], dns[sy.post], dds[sy.post], lg.sensory[q]));
      }
      dx_rows.flush();
      // A masked lane's adjoint was zero, so its dx and d elapsed are 0 (its input was replaced).
      for (std::int64_t i = 0; i < p.c; ++i) {
        scatter(Lanes<T>((on != T(0)).select(dxl[i], T(0))), dx + t * p.c + i, p.steps * p.c, blk);
      }
      Lanes<T> dscale = Lanes<T>::Zero();
      for (std::int64_t j = 0; j < n; ++j) {
        lg.cm[j] += dcm[j] * scale;
        dscale += dcm[j] * p.cm[j];
      }
      // scale = unfolds / elapsed: d elapsed = -d scale * scale / elapsed.
      scatter(Lanes<T>((on != T(0)).select(-dscale * scale.square() / T(p.unfolds), T(0))), delapsed + t, p.steps,
              blk);
    }
    for (std::int64_t j = 0; j < n; ++j) scatter(carry[j], dh0 + j, n, blk);
    if (p.mixed) {
      for (std::int64_t j = 0; j < n; ++j) scatter(carry_c[j], dc0 + j, n, blk);
    }
  }

  // Adjoint of the mixed memory's step t: g (the adjoint of h_lstm, where the unfolds
  // started) and the cells' adjoint become those of the state and the cells before the step;
  // the gates' adjoints go to dprojected and, times h, to dW_hh.
  void memory_adjoint(const Block& blk, std::int64_t t, const Lanes<T>& on, LaneGrads<T>& lg) {
    const std::int64_t n = p.n;
    const LaneMemory<T>& m = memory;
    for (std::int64_t j = 0; j < n; ++j) {
      passed_c[j] = carry_c[j] + at(grad_states, t, n + j, blk);
      dcell[j] = (on != T(0)).select(passed_c[j], T(0));
      lstm_cell_adjoint(m.k[j], m.i[j], m.f[j], m.o[j], m.tanh_cell[j], c_prev[j], g[j], dcell[j], dz[j], dz[n + j],
                        dz[2 * n + j], dz[3 * n + j]);
      carry_c[j] = (on != T(0)).select(dcell[j] * m.f[j], passed_c[j]);
      gv[j].setZero();
    }
    for (std::int64_t q = 0; q < 4 * n; ++q) {
      const T* w = p.recurrent + q * n;
      Lanes<T>* dw = lg.recurrent.data() + q * n;
      for (std::int64_t i = 0; i < n; ++i) {
        gv[i] += dz[q] * w[i];
        dw[i] += dz[q] * h_prev[i];
      }
      scatter(dz[q], dprojected + t * 4 * n + q, p.steps * 4 * n, blk);
    }
    g.swap(gv);
  }

  // Adjoint of unfold u: g (the gradient of its result) becomes that of its input.
  void unfold_adjoint(std::int64_t u, const Lanes<T>& scale, LaneGrads<T>& lg) {
    const LaneRows<T>& v = vs[u];
    for (std::int64_t j = 0; j < p.n; ++j) {
      dnum[j] = g[j] / dens[u][j];
      dden[j] = -dnum[j] * vs[u + 1][j];
      gv[j] = dnum[j] * scale * p.cm[j];
      dcm[j] += dnum[j] * v[j] + dden[j];
      lg.gleak[j] += dnum[j] * p.vleak[j] + dden[j];
      lg.vleak[j] += dnum[j] * p.gleak[j];
      dns[j] += dnum[j];
      dds[j] += dden[j];
    }
    const Lanes<T>* s = saved_s.data() + u * static_cast<std::int64_t>(p.syn.size());
    RowSums<T> dv_rows{gv};
    for (std::size_t q = 0; q < p.syn.size(); ++q) {
      const Synapse<T>& sy = p.syn[q];
      dv_rows.add(sy.pre, synapse_adjoint(sy, v[sy.pre], s[q], dnum[sy.post], dden[sy.post], lg.synapse[q]));
    }
    dv_rows.flush();
    g.swap(gv);
  }
};

// Writes per-synapse gradients into (rows, n) outputs 0..3 (w, mu, sigma, erev); the
// masked weight's gradient is that of w * mask times the mask.
template <class T>
void store_synapse_grads(const std::vector<Synapse<T>>& table, const std::vector<SynapseGrads<T>>& grads,
                         const T* mask, std::span<Tensor> out) {
  for (Tensor& o : out.first(4)) std::fill_n(o.data<T>(), o.numel(), T(0));
  for (std::size_t q = 0; q < table.size(); ++q) {
    const Synapse<T>& sy = table[q];
    out[0].data<T>()[sy.flat] = grads[q][0] * mask[sy.flat];
    out[1].data<T>()[sy.flat] = -grads[q][1] * sy.sigma;
    out[2].data<T>()[sy.flat] = grads[q][2];
    out[3].data<T>()[sy.flat] = grads[q][3];
  }
}

template <class T>
void backward_typed(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Ltc<T> p(in, Spec::from_attrs(attrs));
  ParamGrads<T> total(p);
  std::mutex merge;
  const Tensor& states = in[p.first_backward_input];
  const Tensor& grad_states = in[p.first_backward_input + 1];
  // The memory's gradients follow the 14 of the parameters: projection, W_hh, c0.
  constexpr std::size_t kMemoryGrads = 14;
  parallel_for(p.blocks(), 1, [&](std::int64_t k0, std::int64_t k1) {
    BlockBackward<T> bb(p, states.data<T>(), grad_states.data<T>(), out[0].data<T>(), out[1].data<T>(),
                        out[2].data<T>(), p.mixed ? out[kMemoryGrads].data<T>() : nullptr,
                        p.mixed ? out[kMemoryGrads + 2].data<T>() : nullptr);
    LaneGrads<T> lg(p);
    ParamGrads<T> pg(p);
    for (std::int64_t k = k0; k < k1; ++k) {
      const Block blk = p.block(k);
      lg.zero();
      bb.run(blk, lg);
      lg.reduce_into(pg, blk.lanes);
    }
    const std::lock_guard<std::mutex> lock(merge);
    total.add(pg);
  });
  // Outputs 3..: sw smu ssigma serev, w mu sigma erev, cm gleak vleak.
  store_synapse_grads(p.sensory_syn, total.sensory, in[Spec::kSensoryMask].data<T>(), out.subspan(3, 4));
  store_synapse_grads(p.syn, total.synapse, in[Spec::kMask].data<T>(), out.subspan(7, 4));
  std::copy(total.cm.begin(), total.cm.end(), out[11].data<T>());
  std::copy(total.gleak.begin(), total.gleak.end(), out[12].data<T>());
  std::copy(total.vleak.begin(), total.vleak.end(), out[13].data<T>());
  if (p.mixed) std::copy(total.recurrent.begin(), total.recurrent.end(), out[kMemoryGrads + 1].data<T>());
}

void ltc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  with_float_type(in[0].dtype(), [&]<class T>() { forward_typed<T>(in, out[0], attrs); });
}

void ltc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  with_float_type(in[0].dtype(), [&]<class T>() { backward_typed<T>(in, out, attrs); });
}

}  // namespace

void register_ltc_kernels() {
  op_entry("ltc_sequence").set_kernel(DeviceType::CPU, ltc_forward_kernel);
  op_entry("ltc_sequence_backward").set_kernel(DeviceType::CPU, ltc_backward_kernel);
}

}  // namespace ember::cpu
