// The fused CfC sequence on OpenCL: the recurrence of backend/cpu/cfc_sequence.cpp (math
// and adjoint in its header comment) driven from C++ with device ops per step, so every
// GEMM (kernels/gemm.cl or CLBlast) and elementwise kernel is queued on the device and the
// sequence never leaves it. The per-step work is a few GEMMs over the whole batch, which
// the existing device kernels already do well; a single hand-written kernel would have to
// re-implement GEMM. Inputs and attrs as ops/cfc_layout.h describes.
//
// That is some 150 small launches per step, which on a CPU device (PoCL) cost far more
// than the math: a CfC(16, AutoNCP(64, 8)) layer, batch 32, 64 steps, forward + backward
// took 180-235 ms this way against 26-44 ms with the host path, whose "transfers" are
// memcpys there (one-off runs on 2 shared cores; cpu backend 12 ms). So CPU devices take
// the host path (sequences_on_host, host_path.h).
#include <optional>
#include <vector>

#include "backend/opencl/host_path.h"
#include "backend/opencl/kernels.h"
#include "ember/autograd.h"
#include "ember/ops.h"
#include "ember/registry.h"
#include "ops/cfc_layout.h"

namespace ember::opencl {
namespace {

using liquid::CfcActivation;
using liquid::CfcMode;
using liquid::internal::CfcLayerSlots;
using liquid::internal::CfcLayout;

constexpr const char* kOp = "cfc_sequence";

IndexItem all() {
  IndexItem item;
  item.kind = IndexItem::Kind::Slice;
  return item;
}
IndexItem range(std::int64_t begin, std::int64_t end) {
  IndexItem item = all();
  item.start = begin;
  item.stop = end;
  return item;
}
IndexItem at(std::int64_t k) {
  IndexItem item;
  item.index = k;
  return item;
}

// Columns [begin, begin + n) of a (B, F) matrix (a view).
Tensor cols(const Tensor& m, std::int64_t begin, std::int64_t n) { return basic_index(m, {all(), range(begin, begin + n)}); }
// Step t of a (B, T, F) sequence: (B, F) (a view).
Tensor step(const Tensor& seq, std::int64_t t) { return basic_index(seq, {all(), at(t)}); }
// Step t of the (B, T) time spans as a column (B, 1) (a view).
Tensor ts_column(const Tensor& ts, std::int64_t t) { return basic_index(ts, {all(), range(t, t + 1)}); }

Axes axis(std::int64_t a) { return std::vector<std::int64_t>{a}; }

Tensor constant(double value, const Tensor& like) {
  return scalar_tensor(Scalar::from_double(value), like.dtype(), like.device());
}
Tensor one_minus(const Tensor& x) { return subtract(constant(1.0, x), x); }
Tensor linear(const Tensor& a, const Tensor& weight, const Tensor& bias) {
  return add(matmul(a, transpose(weight, std::nullopt)), bias);
}

Tensor normal_cdf(const Tensor& x) {
  return multiply(add(erf(multiply(x, constant(0.7071067811865476, x))), constant(1.0, x)), constant(0.5, x));
}

Tensor activate(CfcActivation kind, const Tensor& pre) {
  switch (kind) {
    case CfcActivation::LecunTanh: return multiply(tanh(multiply(pre, constant(0.666, pre))), constant(1.7159, pre));
    case CfcActivation::Tanh: return tanh(pre);
    case CfcActivation::Relu: return maximum(pre, constant(0.0, pre));
    case CfcActivation::Silu: return multiply(pre, sigmoid(pre));
    case CfcActivation::Gelu: return multiply(pre, normal_cdf(pre));
  }
  return pre;
}

// d act / d pre, elementwise.
Tensor activation_derivative(CfcActivation kind, const Tensor& pre) {
  switch (kind) {
    case CfcActivation::LecunTanh:
      return multiply(one_minus(square(tanh(multiply(pre, constant(0.666, pre))))), constant(1.7159 * 0.666, pre));
    case CfcActivation::Tanh: return one_minus(square(tanh(pre)));
    case CfcActivation::Relu: return cast(greater(pre, constant(0.0, pre)), pre.dtype());
    case CfcActivation::Silu: {
      const Tensor s = sigmoid(pre);
      return multiply(s, add(constant(1.0, pre), multiply(pre, one_minus(s))));
    }
    case CfcActivation::Gelu: {
      const Tensor density = multiply(exp(multiply(square(pre), constant(-0.5, pre))), constant(0.3989422804014327, pre));
      return add(normal_cdf(pre), multiply(pre, density));
    }
  }
  return pre;
}

// One layer at one step: z = [input, state], the backbone's pre-activations and outputs
// (outputs[0] = z), and the heads P.
struct Trace {
  std::vector<Tensor> pre, outputs;
  Tensor heads;
};

struct Cfc {
  std::span<const Tensor> in;
  CfcLayout layout;
  std::int64_t steps;

  Cfc(std::span<const Tensor> inputs, const Attrs& attrs)
      : in(inputs), layout(liquid::internal::cfc_layout(attrs, inputs[0].shape()[2])), steps(inputs[0].shape()[1]) {}

  Trace trace(const CfcLayerSlots& layer, const Tensor& input, const Tensor& state) const {
    Trace tr;
    tr.outputs.push_back(concatenate({input, state}, 1));
    for (std::size_t w : layer.backbone) {
      tr.pre.push_back(linear(tr.outputs.back(), in[w], in[w + 1]));
      tr.outputs.push_back(activate(layout.activation, tr.pre.back()));
    }
    tr.heads = linear(tr.outputs.back(), in[layer.heads], in[layer.heads + 1]);
    return tr;
  }

  // Pure mode's e = exp(-ts (|w_tau| + |f1|)).
  Tensor decay(const CfcLayerSlots& layer, const Tensor& f1, const Tensor& ts) const {
    return exp(negative(multiply(add(abs(f1), abs(in[layer.w_tau])), ts)));
  }

  Tensor new_state(const CfcLayerSlots& layer, const Tensor& p, const Tensor& ts) const {
    const std::int64_t h = layer.size;
    if (layout.mode == CfcMode::Pure) {
      return multiply(in[layer.w_tau + 1], one_minus(multiply(decay(layer, p, ts), p)));
    }
    const Tensor f1 = tanh(cols(p, 0, h)), f2 = tanh(cols(p, h, h));
    const Tensor gate = sigmoid(add(multiply(cols(p, 2 * h, h), ts), cols(p, 3 * h, h)));
    if (layout.mode == CfcMode::NoGate) return add(f1, multiply(gate, f2));
    return add(multiply(f1, one_minus(gate)), multiply(gate, f2));
  }

  // The state of layer `layer` before step t (from h0 at t = 0), and its input at step t.
  Tensor previous(const Tensor& states, const CfcLayerSlots& layer, std::int64_t t) const {
    return cols(t == 0 ? in[1] : step(states, t - 1), layer.offset, layer.size);
  }
  Tensor layer_input(const Tensor& states, std::size_t l, std::int64_t t) const {
    if (l == 0) return step(in[0], t);
    return cols(step(states, t), layout.layers[l - 1].offset, layout.layers[l - 1].size);
  }
};

// Step t's column (B, 1) of the step mask as a condition (nonzero = a real step), or an
// undefined tensor without a mask.
Tensor real_rows(const Cfc& p, std::span<const Tensor> forward_inputs, std::int64_t t) {
  if (!p.layout.has_step_mask) return Tensor();
  const Tensor& keep = forward_inputs.back();
  return not_equal(ts_column(keep, t), constant(0.0, keep));
}

// Where `real`: `now`, elsewhere `before` (`now` without a mask).
Tensor select_rows(const Tensor& real, const Tensor& now, const Tensor& before) {
  return real.defined() ? where(real, now, before) : now;
}

void cfc_forward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (sequences_on_host(in[0], kOp)) return run_on_host(kOp, in, out, attrs);
  const autograd::GradModeGuard no_grad(false);
  const Cfc p(in, attrs);
  std::vector<Tensor> state;
  for (const CfcLayerSlots& layer : p.layout.layers) state.push_back(cols(in[1], layer.offset, layer.size));
  for (std::int64_t t = 0; t < p.steps; ++t) {
    const Tensor ts = ts_column(in[2], t);
    const Tensor real = real_rows(p, in, t);
    Tensor input = step(in[0], t);
    for (std::size_t l = 0; l < state.size(); ++l) {
      const CfcLayerSlots& layer = p.layout.layers[l];
      state[l] = select_rows(real, p.new_state(layer, p.trace(layer, input, state[l]).heads, ts), state[l]);
      input = state[l];
    }
    copy_into(step(out[0], t), concatenate(state, 1), kOp);
  }
}

// Gradient accumulators, one per kernel input (only the parameters' are used).
struct Accumulators {
  std::vector<Tensor> sums;
  explicit Accumulators(std::size_t n) : sums(n) {}
  void add_to(std::size_t k, const Tensor& g) { sums[k] = sums[k].defined() ? add(sums[k], g) : g; }
};

// d loss / d P of one layer at one step, given dh = d loss / d h'; adds the d ts part to
// dts (B, 1) and, in pure mode, the gradients of w_tau and A.
Tensor heads_adjoint(const Cfc& p, const CfcLayerSlots& layer, const Tensor& pre, const Tensor& dh, const Tensor& ts,
                     Tensor& dts, Accumulators& acc) {
  const std::int64_t h = layer.size;
  if (p.layout.mode == CfcMode::Pure) {
    const Tensor& amplitude = p.in[layer.w_tau + 1];
    const Tensor e = p.decay(layer, pre, ts);
    const Tensor ef = multiply(e, pre);
    acc.add_to(layer.w_tau + 1, sum(multiply(dh, one_minus(ef)), axis(0), false));
    const Tensor dha = multiply(dh, amplitude);
    const Tensor u = multiply(dha, ef);  // dh A f1 e
    acc.add_to(layer.w_tau, multiply(sum(multiply(u, ts), axis(0), false), sign(p.in[layer.w_tau])));
    dts = add(dts, sum(multiply(u, add(abs(pre), abs(p.in[layer.w_tau]))), axis(1), true));
    return negative(multiply(multiply(dha, e), one_minus(multiply(abs(pre), ts))));
  }
  const Tensor f1 = tanh(cols(pre, 0, h)), f2 = tanh(cols(pre, h, h)), fa = cols(pre, 2 * h, h);
  const Tensor g = sigmoid(add(multiply(fa, ts), cols(pre, 3 * h, h)));
  const bool no_gate = p.layout.mode == CfcMode::NoGate;
  const Tensor df1 = multiply(no_gate ? dh : multiply(dh, one_minus(g)), one_minus(square(f1)));
  const Tensor df2 = multiply(multiply(dh, g), one_minus(square(f2)));
  const Tensor dgate = multiply(dh, no_gate ? f2 : subtract(f2, f1));
  const Tensor dq = multiply(multiply(dgate, g), one_minus(g));
  dts = add(dts, sum(multiply(dq, fa), axis(1), true));
  return concatenate({df1, df2, multiply(dq, ts), dq}, 1);
}

// d W += dP^T a, d b += sum_b dP; returns d a = dP W.
Tensor dense_adjoint(const Tensor& dpre, const Tensor& a, std::size_t w, const Cfc& p, Accumulators& acc) {
  acc.add_to(w, matmul(transpose(dpre, std::nullopt), a));
  acc.add_to(w + 1, sum(dpre, axis(0), false));
  return matmul(dpre, p.in[w]);
}

void cfc_backward_kernel(std::span<const Tensor> in, std::span<Tensor> out, const Attrs& attrs) {
  if (sequences_on_host(in[0], kOp)) return run_on_host("cfc_sequence_backward", in, out, attrs);
  const autograd::GradModeGuard no_grad(false);
  const std::span<const Tensor> forward_inputs = in.first(in.size() - 2);
  const Cfc p(forward_inputs, attrs);
  const Tensor& states = in[in.size() - 2];
  const Tensor& grad_states = in[in.size() - 1];
  const std::size_t layers = p.layout.layers.size();
  Accumulators acc(out.size());  // the step mask, the last forward input, has no gradient
  Tensor carry = zeros(in[1].shape(), in[1].dtype(), in[1].device());
  for (std::int64_t t = p.steps - 1; t >= 0; --t) {
    const Tensor ts = ts_column(in[2], t);
    const Tensor real = real_rows(p, forward_inputs, t);
    const Tensor passed = add(step(grad_states, t), carry);
    // A masked row's step gets no adjoint; the adjoint passes to the state before it.
    const Tensor dh_all = select_rows(real, passed, constant(0.0, passed));
    std::vector<Tensor> dh, carried(layers);
    for (const CfcLayerSlots& layer : p.layout.layers) dh.push_back(cols(dh_all, layer.offset, layer.size));
    Tensor dts = zeros({in[0].shape()[0], 1}, in[0].dtype(), in[0].device());
    for (std::size_t l = layers; l-- > 0;) {
      const CfcLayerSlots& layer = p.layout.layers[l];
      const Trace tr = p.trace(layer, p.layer_input(states, l, t), p.previous(states, layer, t));
      const Tensor dpre = heads_adjoint(p, layer, tr.heads, dh[l], ts, dts, acc);
      Tensor da = dense_adjoint(dpre, tr.outputs.back(), layer.heads, p, acc);
      for (std::size_t k = layer.backbone.size(); k-- > 0;) {
        const Tensor d = multiply(da, activation_derivative(p.layout.activation, tr.pre[k]));
        da = dense_adjoint(d, tr.outputs[k], layer.backbone[k], p, acc);
      }
      // da is d loss / dz: the layer input's part, then the previous state's.
      if (l > 0) {
        dh[l - 1] = add(dh[l - 1], cols(da, 0, layer.in_size));
      } else {
        copy_into(step(out[0], t), cols(da, 0, layer.in_size), kOp);
      }
      carried[l] = cols(da, layer.in_size, layer.size);
    }
    carry = select_rows(real, concatenate(carried, 1), passed);
    copy_into(ts_column(out[2], t), dts, kOp);
  }
  copy_into(out[1], carry, kOp);
  for (std::size_t k = 3; k < acc.sums.size(); ++k) {
    if (acc.sums[k].defined()) {
      copy_into(out[k], acc.sums[k], kOp);
    } else {
      fill_(out[k], Scalar::from_double(0));  // an empty sequence
    }
  }
}

}  // namespace

void register_cfc_kernels() {
  op_entry("cfc_sequence").set_kernel(DeviceType::OpenCL, cfc_forward_kernel);
  op_entry("cfc_sequence_backward").set_kernel(DeviceType::OpenCL, cfc_backward_kernel);
}

}  // namespace ember::opencl
