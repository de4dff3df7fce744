// The CfC sequence (ember/liquid.h) composed of ember's ops, step by step: the fallback of
// cfc_sequence on devices without fused kernels, and on OpenCL GPUs, where every GEMM and
// elementwise op is queued on the device and the sequence never leaves it. Its gradient is
// autograd's. The per-step work is a few GEMMs over the whole batch, which the devices'
// GEMM kernels already do well.
#include <optional>
#include <utility>
#include <vector>

#include "ember/indexing.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "ops/fused_sequence.h"

namespace ember::liquid::internal {
namespace {

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
// Step t of a (B, T) array as a column (B, 1) (a view).
Tensor column(const Tensor& bt, std::int64_t t) { return basic_index(bt, {all(), range(t, t + 1)}); }

Tensor constant(double value, const Tensor& like) {
  return scalar_tensor(Scalar::from_double(value), like.dtype(), like.device());
}
Tensor one_minus(const Tensor& x) { return subtract(constant(1.0, x), x); }
Tensor linear(const Tensor& a, const Tensor& weight, const Tensor& bias) {
  return add(matmul(a, transpose(weight, std::nullopt)), bias);
}

// The standard normal CDF, 0.5 (1 + erf(x / sqrt 2)).
Tensor normal_cdf(const Tensor& x) {
  return multiply(add(erf(multiply(x, constant(0.7071067811865476, x))), constant(1.0, x)), constant(0.5, x));
}

Tensor activate(CfcActivation kind, const Tensor& pre) {
  switch (kind) {
    case CfcActivation::LecunTanh:
      return multiply(tanh(multiply(pre, constant(kLecunSlope, pre))), constant(kLecunScale, pre));
    case CfcActivation::Tanh: return tanh(pre);
    case CfcActivation::Relu: {  // torch.relu's gradient: 0 at 0
      const Tensor zero = constant(0.0, pre);
      return where(greater(pre, zero), pre, zero);
    }
    case CfcActivation::Silu: return multiply(pre, sigmoid(pre));
    case CfcActivation::Gelu: return multiply(pre, normal_cdf(pre));
  }
  return pre;
}

// The new state of one layer from its heads P at one step, ts the step's (B, 1) time spans.
Tensor new_state(const CfcSpec& spec, const CfcLayer& layer, std::int64_t h, const Tensor& p, const Tensor& ts) {
  if (spec.mode == CfcMode::Pure) {
    const Tensor decay = exp(negative(multiply(add(abs(p), abs(layer.w_tau)), ts)));
    return multiply(layer.a, one_minus(multiply(decay, p)));
  }
  const Tensor f1 = activate(spec.head_activation, cols(p, 0, h));
  const Tensor f2 = activate(spec.head_activation, cols(p, h, h));
  const Tensor gate = sigmoid(add(multiply(cols(p, 2 * h, h), ts), cols(p, 3 * h, h)));
  if (spec.mode == CfcMode::NoGate) return add(f1, multiply(gate, f2));
  return add(multiply(f1, one_minus(gate)), multiply(gate, f2));
}

// The mixed memory's step (MixedMemory): from the gates' pre-activations z (B, 4 H) and
// the cell c, returns (h_lstm, c').
std::pair<Tensor, Tensor> memory_step(const Tensor& z, const Tensor& c, std::int64_t h) {
  const Tensor forget = sigmoid(add(cols(z, 2 * h, h), constant(1.0, z)));
  const Tensor cell = add(multiply(forget, c), multiply(sigmoid(cols(z, h, h)), tanh(cols(z, 0, h))));
  return {multiply(sigmoid(cols(z, 3 * h, h)), tanh(cell)), cell};
}

}  // namespace

Tensor cfc_composite(const Tensor& given_inputs, const Tensor& h0, const Tensor& given_ts,
                     const std::vector<CfcLayer>& layers, const CfcSpec& spec, const Tensor& keep,
                     const Tensor& units_kept, const MixedMemory& memory) {
  // A masked step's input and time span are not read: they become 0 and 1 whatever the
  // padding holds, so that NaN there cannot reach a gradient (0 * NaN) through where().
  Tensor inputs = given_inputs, ts = given_ts;
  if (keep.defined()) {
    const std::int64_t batch = inputs.shape()[0], steps = inputs.shape()[1];
    const Tensor real = not_equal(keep, constant(0.0, keep));
    inputs = where(reshape(real, {batch, steps, 1}), inputs, constant(0.0, inputs));
    ts = where(real, ts, constant(1.0, ts));
  }
  const std::vector<CfcLayerSlots> slots = spec.slots(inputs.shape()[2]);
  const std::int64_t batch = inputs.shape()[0], steps = inputs.shape()[1], total = h0.shape()[1];
  const std::vector<std::vector<std::int64_t>> units = backbone_units(layers);
  const CfcSpec::DropoutLayout drop = spec.dropout_layout(batch, units);
  // As the step loop's Dropout: x * keep / (1 - rate), keep the (B, U) block of step t.
  auto dropout = [&](const Tensor& a, std::int64_t t, std::size_t l, std::size_t k) {
    const std::int64_t first = t * drop.step + drop.offsets[l][k], n = batch * units[l][k];
    const Tensor kept = reshape(basic_index(units_kept, {range(first, first + n)}), {batch, units[l][k]});
    return divide(multiply(a, kept), constant(1.0 - spec.dropout_rate, a));
  };
  std::vector<Tensor> state, states;
  for (const CfcLayerSlots& s : slots) state.push_back(cols(h0, s.offset, s.size));
  // Mixed memory: the input part of every step's gates in one GEMM, and the cell.
  Tensor projected, cell = memory.c0;
  if (memory.defined()) {
    const Tensor flat = reshape(inputs, {batch * steps, inputs.shape()[2]});
    projected = reshape(linear(flat, memory.input_weight, memory.input_bias), {batch, steps, 4 * total});
  }
  for (std::int64_t t = 0; t < steps; ++t) {
    const Tensor ts_t = column(ts, t);
    // A masked row keeps every layer's state (and the cell): where() routes its adjoint to
    // the state before and gives its input and time span none.
    const Tensor real = keep.defined() ? not_equal(column(keep, t), constant(0.0, keep)) : Tensor();
    Tensor input = step(inputs, t);
    // The states the layers read: the memory's h_lstm, or their own.
    std::vector<Tensor> read = state;
    if (memory.defined()) {
      const Tensor z = add(step(projected, t), matmul(concatenate(state, 1), transpose(memory.recurrent_weight,
                                                                                       std::nullopt)));
      const auto [h_lstm, next_cell] = memory_step(z, cell, total);
      for (std::size_t l = 0; l < slots.size(); ++l) read[l] = cols(h_lstm, slots[l].offset, slots[l].size);
      cell = real.defined() ? where(real, next_cell, cell) : next_cell;
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const CfcLayer& layer = layers[l];
      Tensor a = concatenate({input, read[l]}, 1);
      for (std::size_t k = 0; k < layer.backbone_weights.size(); ++k) {
        a = activate(spec.activation, linear(a, layer.backbone_weights[k], layer.backbone_biases[k]));
        if (drop.offsets[l][k] >= 0) a = dropout(a, t, l, k);
      }
      const Tensor next = new_state(spec, layer, slots[l].size, linear(a, layer.weight, layer.bias), ts_t);
      state[l] = real.defined() ? where(real, next, state[l]) : next;
      input = state[l];
    }
    std::vector<Tensor> row = state;
    if (memory.defined()) row.push_back(cell);
    states.push_back(concatenate(row, 1));
  }
  if (states.empty()) return zeros({batch, 0, spec.width()}, inputs.dtype(), inputs.device());
  return stack(states, 1);
}

}  // namespace ember::liquid::internal
