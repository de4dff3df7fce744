// CPU kernels of the fused LTC sequence (front end: cpp/src/ops/liquid.cpp; math in
// ember/liquid.h). Rows of the (pre, post) synapse matrices are contiguous, so every
// inner loop runs over the N postsynaptic neurons as one Eigen array expression (SIMD
// sigmoid included). The batch is split across the thread pool; each chunk accumulates
// its own parameter gradients, summed at the end.
//
// The backward pass recomputes each step's ODE unfolds from the saved state before it
// (the unfolds are not stored: O(unfolds * N) scratch instead of O(T * unfolds * N)), then
// runs the adjoint of every unfold in reverse: for v' = num / den,
//   dnum = g / den, dden = -g v' / den,
//   a_ij = w_ij s_ij: d erev_ij += dnum_j a_ij, d w_ij += (dnum_j erev_ij + dden_j) s_ij,
//   s_ij = sigmoid(z_ij), z_ij = sigma_ij (v_i - mu_ij): dz = da w s (1 - s),
//   d sigma += dz (v_i - mu), d mu -= dz sigma, d v_i += sum_j dz sigma.
#include <Eigen/Core>
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

// Read-only views of the kernel inputs (order of ops/liquid.cpp).
template <class T>
struct Ltc {
  const T *x, *h0, *elapsed;
  const T *sw, *smu, *ssigma, *serev, *smask;
  const T *w, *mu, *sigma, *erev, *mask;
  const T *cm, *gleak, *vleak;
  std::int64_t batch, steps, c, n, unfolds;
  T eps;
  std::vector<T> w_eff, sw_eff;  // weights times masks

  Ltc(std::span<const Tensor> in, const Attrs& attrs)
      : x(in[0].data<T>()), h0(in[1].data<T>()), elapsed(in[2].data<T>()), sw(in[3].data<T>()),
        smu(in[4].data<T>()), ssigma(in[5].data<T>()), serev(in[6].data<T>()), smask(in[7].data<T>()),
        w(in[8].data<T>()), mu(in[9].data<T>()), sigma(in[10].data<T>()), erev(in[11].data<T>()),
        mask(in[12].data<T>()), cm(in[13].data<T>()), gleak(in[14].data<T>()), vleak(in[15].data<T>()),
        batch(in[0].shape()[0]), steps(in[0].shape()[1]), c(in[0].shape()[2]), n(in[1].shape()[1]),
        unfolds(attrs.ints[0]), eps(static_cast<T>(attrs.floats[0])), w_eff(n * n), sw_eff(c * n) {
    for (std::int64_t k = 0; k < n * n; ++k) w_eff[k] = w[k] * mask[k];
    for (std::int64_t k = 0; k < c * n; ++k) sw_eff[k] = sw[k] * smask[k];
  }

  Row<T> row(const T* m, std::int64_t i) const { return Row<T>(m + i * n, n); }
  const T* x_at(std::int64_t b, std::int64_t t) const { return x + (b * steps + t) * c; }
  T cm_scale(std::int64_t b, std::int64_t t) const { return static_cast<T>(unfolds) / elapsed[b * steps + t]; }

  // Sensory numerator and denominator terms of one step.
  void sensory(const T* xt, Vec<T>& ns, Vec<T>& ds) const {
    ns.setZero();
    ds.setZero();
    for (std::int64_t i = 0; i < c; ++i) {
      const Vec<T> s = (row(ssigma, i) * (xt[i] - row(smu, i))).logistic();
      const Vec<T> a = row(sw_eff.data(), i) * s;
      ns += a * row(serev, i);
      ds += a;
    }
  }

  // One unfold from v; writes v' and returns nothing else (den is recomputed when needed).
  void unfold(const Vec<T>& v, const Vec<T>& cm_t, const Vec<T>& ns, const Vec<T>& ds, Vec<T>& next) const {
    Vec<T> num = cm_t * v + Row<T>(gleak, n) * Row<T>(vleak, n) + ns;
    Vec<T> den = cm_t + Row<T>(gleak, n) + eps + ds;
    for (std::int64_t i = 0; i < n; ++i) {
      const Vec<T> a = row(w_eff.data(), i) * (row(sigma, i) * (v[i] - row(mu, i))).logistic();
      num += a * row(erev, i);
      den += a;
    }
    next = num / den;
  }
};

template <class T>
void forward_typed(std::span<const Tensor> in, Tensor& out, const Attrs& attrs) {
  const Ltc<T> p(in, attrs);
  T* states = out.data<T>();
  parallel_for(p.batch, 1, [&](std::int64_t b0, std::int64_t b1) {
    Vec<T> v(p.n), next(p.n), ns(p.n), ds(p.n);
    for (std::int64_t b = b0; b < b1; ++b) {
      v = Row<T>(p.h0 + b * p.n, p.n);
      for (std::int64_t t = 0; t < p.steps; ++t) {
        p.sensory(p.x_at(b, t), ns, ds);
        const Vec<T> cm_t = Row<T>(p.cm, p.n) * p.cm_scale(b, t);
        for (std::int64_t k = 0; k < p.unfolds; ++k) {
          p.unfold(v, cm_t, ns, ds, next);
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

template <class T>
void backward_chunk(const Ltc<T>& p, const T* states, const T* grad_states, std::int64_t b0, std::int64_t b1,
                    T* dx, T* dh0, T* delapsed, ParamGrads<T>& pg) {
  const std::int64_t n = p.n, c = p.c, u = p.unfolds;
  std::vector<Vec<T>> vs(u + 1, Vec<T>(n));
  Vec<T> ns(n), ds(n), carry(n), dcm_t(n), dns(n), dds(n), gv(n);
  const Row<T> gleak(p.gleak, n), vleak(p.vleak, n);
  auto slice = [n](Vec<T>& flat, std::int64_t i) { return MutRow<T>(flat.data() + i * n, n); };
  for (std::int64_t b = b0; b < b1; ++b) {
    carry.setZero();
    for (std::int64_t t = p.steps - 1; t >= 0; --t) {
      const T* xt = p.x_at(b, t);
      vs[0] = Row<T>(t > 0 ? states + (b * p.steps + t - 1) * n : p.h0 + b * n, n);
      p.sensory(xt, ns, ds);
      const T scale = p.cm_scale(b, t);
      const Vec<T> cm_t = Row<T>(p.cm, n) * scale;
      for (std::int64_t k = 0; k < u; ++k) p.unfold(vs[k], cm_t, ns, ds, vs[k + 1]);
      Vec<T> g = carry + Row<T>(grad_states + (b * p.steps + t) * n, n);
      dcm_t.setZero();
      dns.setZero();
      dds.setZero();
      for (std::int64_t k = u - 1; k >= 0; --k) {
        const Vec<T>& v = vs[k];
        // den again (cheaper to rebuild alongside the synapse loop than to store per unfold).
        Vec<T> den = cm_t + gleak + p.eps + ds;
        for (std::int64_t i = 0; i < n; ++i) {
          den += p.row(p.w_eff.data(), i) * (p.row(p.sigma, i) * (v[i] - p.row(p.mu, i))).logistic();
        }
        const Vec<T> dnum = g / den;
        const Vec<T> dden = -g * vs[k + 1] / den;
        gv = dnum * cm_t;
        dcm_t += dnum * v + dden;
        pg.gleak += dnum * vleak + dden;
        pg.vleak += dnum * gleak;
        dns += dnum;
        dds += dden;
        for (std::int64_t i = 0; i < n; ++i) {
          const Vec<T> diff = v[i] - p.row(p.mu, i);
          const Vec<T> s = (p.row(p.sigma, i) * diff).logistic();
          const Row<T> w_eff = p.row(p.w_eff.data(), i);
          const Vec<T> da = dnum * p.row(p.erev, i) + dden;
          slice(pg.synapse[3], i) += dnum * w_eff * s;
          slice(pg.synapse[0], i) += da * s;
          const Vec<T> dz = da * w_eff * s * (1 - s);
          slice(pg.synapse[2], i) += dz * diff;
          slice(pg.synapse[1], i) -= dz * p.row(p.sigma, i);
          gv[i] += (dz * p.row(p.sigma, i)).sum();
        }
        g = gv;
      }
      carry = g;
      for (std::int64_t i = 0; i < c; ++i) {
        const Vec<T> diff = xt[i] - p.row(p.smu, i);
        const Vec<T> s = (p.row(p.ssigma, i) * diff).logistic();
        const Row<T> sw_eff = p.row(p.sw_eff.data(), i);
        const Vec<T> da = dns * p.row(p.serev, i) + dds;
        slice(pg.sensory[3], i) += dns * sw_eff * s;
        slice(pg.sensory[0], i) += da * s;
        const Vec<T> dz = da * sw_eff * s * (1 - s);
        slice(pg.sensory[2], i) += dz * diff;
        slice(pg.sensory[1], i) -= dz * p.row(p.ssigma, i);
        dx[(b * p.steps + t) * c + i] = (dz * p.row(p.ssigma, i)).sum();
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

template <template <class> class Fn, class... Args>
void for_float(const char* op, DType dtype, Args&&... args) {
  switch (dtype) {
    case DType::Float32: Fn<float>::run(args...); break;
    case DType::Float64: Fn<double>::run(args...); break;
    default: type_error(op, "kernel needs float32 or float64, got ", dtype_name(dtype));
  }
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
