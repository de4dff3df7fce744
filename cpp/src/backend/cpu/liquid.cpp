// CPU kernels of the fused LTC sequence (front end: cpp/src/ops/liquid.cpp; math in
// ember/liquid.h). Rows of the (pre, post) synapse matrices are contiguous, so every
// inner loop runs over the N postsynaptic neurons as one Eigen array expression (SIMD
// sigmoid included), restricted to the span of columns between the first and the last
// synapse of the row: NCP wirings connect contiguous groups (inter -> command -> motor),
// so the spans skip most of the masked-out pairs (a masked pair adds nothing and gets a
// zero gradient). The batch is split across the thread pool; each chunk accumulates its
// own parameter gradients, summed at the end.
//
// The backward pass recomputes each step's ODE unfolds from the saved state before it,
// keeping that step's synapse activations and denominators (O(unfolds * synapses) scratch
// instead of O(T * unfolds * synapses) stored by the forward pass), then runs the adjoint
// of every unfold in reverse: for v' = num / den,
//   dnum = g / den, dden = -g v' / den,
//   a_ij = w_ij s_ij: d erev_ij += dnum_j a_ij, d w_ij += (dnum_j erev_ij + dden_j) s_ij,
//   s_ij = sigmoid(z_ij), z_ij = sigma_ij (v_i - mu_ij): dz = da w s (1 - s),
//   d sigma += dz (v_i - mu), d mu -= dz sigma, d v_i += sum_j dz sigma.
#include <Eigen/Core>
#include <algorithm>
#include <mutex>
#include <vector>

#include "backend/cpu/kernels.h"
#include "ember/errors.h"
#include "ember/parallel.h"
#include "ember/registry.h"

namespace ember::cpu {
namespace {

template <class T>
using Row = Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>>;
template <class T>
using MutRow = Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>>;
template <class T>
using Vec = Eigen::Array<T, 1, Eigen::Dynamic>;

// Columns [begin, begin + size) of a row hold all of its synapses (and maybe masked-out pairs).
struct Span {
  std::int64_t begin = 0, size = 0;
};

template <class T>
std::vector<Span> row_spans(const T* mask, std::int64_t rows, std::int64_t cols) {
  std::vector<Span> spans(rows);
  for (std::int64_t i = 0; i < rows; ++i) {
    std::int64_t first = cols, last = -1;
    for (std::int64_t j = 0; j < cols; ++j) {
      if (mask[i * cols + j] != T(0)) {
        first = std::min(first, j);
        last = j;
      }
    }
    if (last < 0) continue;
    // Whole SIMD packets: Eigen finishes a partial packet element by element (a scalar
    // sigmoid), which cost more than the padding's extra, masked-out pairs.
    constexpr std::int64_t kPacket = Eigen::internal::packet_traits<T>::size;
    const std::int64_t size = std::min(cols, (last - first + kPacket) / kPacket * kPacket);
    spans[i] = {std::max<std::int64_t>(0, std::min(first, cols - size)), size};
  }
  return spans;
}

// Read-only views of the kernel inputs (order of ops/liquid.cpp).
// Per-thread work arrays of length N: the row loops write into their heads instead of
// allocating a temporary per row (rows are a few dozen elements; allocation dominated).
template <class T>
struct Scratch {
  Vec<T> num, den, s, diff, da, dz;
  explicit Scratch(std::int64_t n) : num(n), den(n), s(n), diff(n), da(n), dz(n) {}
};

template <class T>
struct Ltc {
  const T *x, *h0, *elapsed;
  const T *sw, *smu, *ssigma, *serev, *smask;
  const T *w, *mu, *sigma, *erev, *mask;
  const T *cm, *gleak, *vleak;
  std::int64_t batch, steps, c, n, unfolds;
  T eps;
  std::vector<T> w_eff, sw_eff;  // weights times masks
  std::vector<Span> spans, sensory_spans;
  std::vector<std::int64_t> span_offsets;  // start of row i's span in a packed array of all spans
  std::int64_t synapses = 0;                // total span length

  Ltc(std::span<const Tensor> in, const Attrs& attrs)
      : x(in[0].data<T>()), h0(in[1].data<T>()), elapsed(in[2].data<T>()), sw(in[3].data<T>()),
        smu(in[4].data<T>()), ssigma(in[5].data<T>()), serev(in[6].data<T>()), smask(in[7].data<T>()),
        w(in[8].data<T>()), mu(in[9].data<T>()), sigma(in[10].data<T>()), erev(in[11].data<T>()),
        mask(in[12].data<T>()), cm(in[13].data<T>()), gleak(in[14].data<T>()), vleak(in[15].data<T>()),
        batch(in[0].shape()[0]), steps(in[0].shape()[1]), c(in[0].shape()[2]), n(in[1].shape()[1]),
        unfolds(attrs.ints[0]), eps(static_cast<T>(attrs.floats[0])), w_eff(n * n), sw_eff(c * n),
        spans(row_spans(mask, n, n)), sensory_spans(row_spans(smask, c, n)) {
    for (std::int64_t k = 0; k < n * n; ++k) w_eff[k] = w[k] * mask[k];
    for (std::int64_t k = 0; k < c * n; ++k) sw_eff[k] = sw[k] * smask[k];
    for (const Span& sp : spans) {
      span_offsets.push_back(synapses);
      synapses += sp.size;
    }
  }

  // The synapse span of row i of an (rows, n) matrix.
  Row<T> seg(const T* m, std::int64_t i, const Span& s) const { return Row<T>(m + i * n + s.begin, s.size); }
  const T* x_at(std::int64_t b, std::int64_t t) const { return x + (b * steps + t) * c; }
  T cm_scale(std::int64_t b, std::int64_t t) const { return static_cast<T>(unfolds) / elapsed[b * steps + t]; }

  // Sensory numerator and denominator terms of one step.
  void sensory(const T* xt, Vec<T>& ns, Vec<T>& ds, Scratch<T>& w) const {
    ns.setZero();
    ds.setZero();
    for (std::int64_t i = 0; i < c; ++i) {
      const Span& sp = sensory_spans[i];
      auto s = w.s.head(sp.size);
      s = (seg(ssigma, i, sp) * (xt[i] - seg(smu, i, sp))).logistic();
      s *= seg(sw_eff.data(), i, sp);
      ns.segment(sp.begin, sp.size) += s * seg(serev, i, sp);
      ds.segment(sp.begin, sp.size) += s;
    }
  }

  // One unfold from v into next. With `saved` (the backward pass), also keeps the synapse
  // activations s (row i's span at saved->s[span_offsets[i]]) and the denominator.
  struct Saved {
    Vec<T> s, den;
  };
  void unfold(const Vec<T>& v, const Vec<T>& cm_t, const Vec<T>& ns, const Vec<T>& ds, Vec<T>& next,
              Scratch<T>& w, Saved* saved = nullptr) const {
    w.num = cm_t * v + Row<T>(gleak, n) * Row<T>(vleak, n) + ns;
    w.den = cm_t + Row<T>(gleak, n) + eps + ds;
    for (std::int64_t i = 0; i < n; ++i) {
      const Span& sp = spans[i];
      auto s = w.s.head(sp.size);
      s = (seg(sigma, i, sp) * (v[i] - seg(mu, i, sp))).logistic();
      if (saved) saved->s.segment(span_offsets[i], sp.size) = s;
      s *= seg(w_eff.data(), i, sp);
      w.num.segment(sp.begin, sp.size) += s * seg(erev, i, sp);
      w.den.segment(sp.begin, sp.size) += s;
    }
    next = w.num / w.den;
    if (saved) saved->den = w.den;
  }
};

template <class T>
void forward_typed(std::span<const Tensor> in, Tensor& out, const Attrs& attrs) {
  const Ltc<T> p(in, attrs);
  T* states = out.data<T>();
  parallel_for(p.batch, 1, [&](std::int64_t b0, std::int64_t b1) {
    Vec<T> v(p.n), next(p.n), ns(p.n), ds(p.n), cm_t(p.n);
    Scratch<T> work(p.n);
    for (std::int64_t b = b0; b < b1; ++b) {
      v = Row<T>(p.h0 + b * p.n, p.n);
      for (std::int64_t t = 0; t < p.steps; ++t) {
        p.sensory(p.x_at(b, t), ns, ds, work);
        cm_t = Row<T>(p.cm, p.n) * p.cm_scale(b, t);
        for (std::int64_t k = 0; k < p.unfolds; ++k) {
          p.unfold(v, cm_t, ns, ds, next, work);
          v.swap(next);
        }
        MutRow<T>(states + (b * p.steps + t) * p.n, p.n) = v;
      }
    }
  });
}

// Parameter gradients of one chunk of the batch (order of the kernel outputs 3..).
template <class T>
struct ParamGrads {
  std::vector<Vec<T>> sensory;  // sw, smu, ssigma, serev: C rows of N each, flattened per param
  std::vector<Vec<T>> synapse;  // w, mu, sigma, erev: N rows
  Vec<T> cm, gleak, vleak;
  ParamGrads(std::int64_t c, std::int64_t n)
      : sensory(4, Vec<T>::Zero(c * n)), synapse(4, Vec<T>::Zero(n * n)), cm(Vec<T>::Zero(n)),
        gleak(Vec<T>::Zero(n)), vleak(Vec<T>::Zero(n)) {}
};

// Adjoint of the synapses leaving presynaptic row i (value `pre`, activations s over the
// row's span): adds the row's gradients of w_eff, mu, sigma and erev (grads[0..3], rows of
// n) and returns d loss / d pre. dnum and dden are the gradients of the postsynaptic
// numerator and denominator sums.
template <class T, class S>
T synapse_adjoint(const Ltc<T>& p, const T* mu, const T* sigma, const T* w_eff_m, const T* erev, std::int64_t i,
                  const Span& sp, T pre, const S& s, const Vec<T>& dnum, const Vec<T>& dden,
                  std::vector<Vec<T>>& grads, Scratch<T>& work) {
  auto grad = [&](int k) { return MutRow<T>(grads[k].data() + i * p.n + sp.begin, sp.size); };
  auto diff = work.diff.head(sp.size);
  auto da = work.da.head(sp.size);
  auto dz = work.dz.head(sp.size);
  const Row<T> w_eff = p.seg(w_eff_m, i, sp);
  const auto dnum_s = dnum.segment(sp.begin, sp.size);
  diff = pre - p.seg(mu, i, sp);
  da = dnum_s * p.seg(erev, i, sp) + dden.segment(sp.begin, sp.size);
  grad(3) += dnum_s * w_eff * s;
  grad(0) += da * s;
  dz = da * w_eff * s * (1 - s);
  grad(2) += dz * diff;
  grad(1) -= dz * p.seg(sigma, i, sp);
  return (dz * p.seg(sigma, i, sp)).sum();
}

template <class T>
void backward_chunk(const Ltc<T>& p, const T* states, const T* grad_states, std::int64_t b0, std::int64_t b1,
                    T* dx, T* dh0, T* delapsed, ParamGrads<T>& pg) {
  const std::int64_t n = p.n, c = p.c, u = p.unfolds;
  std::vector<Vec<T>> vs(u + 1, Vec<T>(n));
  std::vector<typename Ltc<T>::Saved> saved(u, {Vec<T>(p.synapses), Vec<T>(n)});
  Vec<T> ns(n), ds(n), carry(n), dcm_t(n), dns(n), dds(n), gv(n), g(n), dnum(n), dden(n), cm_t(n);
  Scratch<T> work(n);
  const Row<T> gleak(p.gleak, n), vleak(p.vleak, n);
  for (std::int64_t b = b0; b < b1; ++b) {
    carry.setZero();
    for (std::int64_t t = p.steps - 1; t >= 0; --t) {
      const T* xt = p.x_at(b, t);
      vs[0] = Row<T>(t > 0 ? states + (b * p.steps + t - 1) * n : p.h0 + b * n, n);
      p.sensory(xt, ns, ds, work);
      const T scale = p.cm_scale(b, t);
      cm_t = Row<T>(p.cm, n) * scale;
      for (std::int64_t k = 0; k < u; ++k) p.unfold(vs[k], cm_t, ns, ds, vs[k + 1], work, &saved[k]);
      g = carry + Row<T>(grad_states + (b * p.steps + t) * n, n);
      dcm_t.setZero();
      dns.setZero();
      dds.setZero();
      for (std::int64_t k = u - 1; k >= 0; --k) {
        const Vec<T>& v = vs[k];
        const Vec<T>& den = saved[k].den;
        dnum = g / den;
        dden = -g * vs[k + 1] / den;
        gv = dnum * cm_t;
        dcm_t += dnum * v + dden;
        pg.gleak += dnum * vleak + dden;
        pg.vleak += dnum * gleak;
        dns += dnum;
        dds += dden;
        for (std::int64_t i = 0; i < n; ++i) {
          const Span& sp = p.spans[i];
          if (sp.size == 0) continue;
          gv[i] += synapse_adjoint(p, p.mu, p.sigma, p.w_eff.data(), p.erev, i, sp, v[i],
                                   saved[k].s.segment(p.span_offsets[i], sp.size), dnum, dden, pg.synapse, work);
        }
        g.swap(gv);
      }
      carry = g;
      for (std::int64_t i = 0; i < c; ++i) {
        const Span& sp = p.sensory_spans[i];
        auto s = work.s.head(sp.size);
        s = (p.seg(p.ssigma, i, sp) * (xt[i] - p.seg(p.smu, i, sp))).logistic();
        dx[(b * p.steps + t) * c + i] = synapse_adjoint(p, p.smu, p.ssigma, p.sw_eff.data(), p.serev, i, sp, xt[i],
                                                        s, dns, dds, pg.sensory, work);
      }
      pg.cm += dcm_t * scale;
      delapsed[b * p.steps + t] = -(dcm_t * Row<T>(p.cm, n)).sum() * scale / p.elapsed[b * p.steps + t];
    }
    MutRow<T>(dh0 + b * n, n) = carry;
  }
}

template <class T>
void backward_typed(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  const Ltc<T> p(in, attrs);
  const T* states = in[16].data<T>();
  const T* grad_states = in[17].data<T>();
  ParamGrads<T> total(p.c, p.n);
  std::mutex merge;
  parallel_for(p.batch, 1, [&](std::int64_t b0, std::int64_t b1) {
    ParamGrads<T> pg(p.c, p.n);
    backward_chunk(p, states, grad_states, b0, b1, out[0].data<T>(), out[1].data<T>(), out[2].data<T>(), pg);
    const std::lock_guard<std::mutex> lock(merge);
    for (int k = 0; k < 4; ++k) {
      total.sensory[k] += pg.sensory[k];
      total.synapse[k] += pg.synapse[k];
    }
    total.cm += pg.cm;
    total.gleak += pg.gleak;
    total.vleak += pg.vleak;
  });
  // Outputs 3..: sw smu ssigma serev, w mu sigma erev, cm gleak vleak. The masked
  // weights' gradients are those of w_eff times the mask.
  const std::int64_t cn = p.c * p.n, nn = p.n * p.n;
  auto store = [](const Vec<T>& g, Tensor& dst) { MutRow<T>(dst.data<T>(), g.size()) = g; };
  for (int k = 0; k < 4; ++k) {
    store(total.sensory[k], out[3 + k]);
    store(total.synapse[k], out[7 + k]);
  }
  MutRow<T>(out[3].data<T>(), cn) *= Row<T>(p.smask, cn);
  MutRow<T>(out[7].data<T>(), nn) *= Row<T>(p.mask, nn);
  store(total.cm, out[11]);
  store(total.gleak, out[12]);
  store(total.vleak, out[13]);
}

void ltc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (in[0].dtype() == DType::Float64) {
    forward_typed<double>(in, out[0], attrs);
  } else {
    forward_typed<float>(in, out[0], attrs);
  }
}

void ltc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (in[0].dtype() == DType::Float64) {
    backward_typed<double>(in, out, attrs);
  } else {
    backward_typed<float>(in, out, attrs);
  }
}

}  // namespace

void register_liquid_kernels() {
  op_entry("ltc_sequence").set_kernel(DeviceType::CPU, ltc_forward_kernel);
  op_entry("ltc_sequence_backward").set_kernel(DeviceType::CPU, ltc_backward_kernel);
}

}  // namespace ember::cpu
