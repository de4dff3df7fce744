// Fused sequence ops of the liquid networks (ember_ml.nn.modules.rnn): the whole time
// loop of a layer, forward and backward, in one op, instead of a graph of small ops per
// step (and ODE unfold).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ember/device.h"
#include "ember/random.h"
#include "ember/registry.h"
#include "ember/tensor.h"

namespace ember::liquid {

// The step mask of the fused sequence ops (Keras's masking): step_mask[b, t] == 0 makes
// step t of sequence b a no-op, its state (B, T, N) row a copy of the step before (h0 at
// t = 0), and routes the adjoint of that state unchanged to the state before; the step's
// inputs and elapsed time are not read and get zero gradients. Given to the kernels as the
// last forward input, cast to the inputs' dtype, with has_step_mask in the spec (LtcSpec, CfcSpec).
// Checks a defined step_mask against (batch, steps) and inputs' device and returns it in
// inputs' dtype. ValueError [op] for another shape, TypeError for a complex dtype.
Tensor check_step_mask(const char* op, const Tensor& step_mask, const Tensor& inputs);

// ncps's mixed memory (ncps.torch's LSTMCell, Lechner & Hasani 2020, mixed-memory RNNs) in
// front of a CfC or LTC cell: per step t, with h and c the (B, H) states before it (h the
// cell's whole state: a CfC's layers side by side, H = sum H_l; an LTC's N neurons),
//   [k, i, f, o] = x_t W_ih^T + b_ih + h W_hh^T,
//   c' = sigmoid(f + 1) c + sigmoid(i) tanh(k),   h_lstm = sigmoid(o) tanh(c'),
// and the cell starts its step from h_lstm (a CfC layer reads z = [in_l, h_lstm_l]; the LTC
// ODE's unfolds start at v = h_lstm). x_t is the sequence input of the step (LTC: before its
// input mapping). The +1 is ncps's constant forget bias. Undefined input_weight: none.
struct MixedMemory {
  Tensor input_weight;      // W_ih (4 H, C), gate rows k, i, f, o (ncps's input_map.weight)
  Tensor input_bias;        // b_ih (4 H,) (input_map.bias)
  Tensor recurrent_weight;  // W_hh (4 H, H) (recurrent_map.weight, which has no bias)
  Tensor c0;                // (B, H) the initial memory cell
  bool defined() const { return input_weight.defined(); }
};

// The tensors of an LTC cell (ncps.torch.LTCCell names), after the positivity transform
// of w, sensory_w, cm and gleak (softplus or clamping is applied by the caller, as plain
// ops, so that its gradient is the caller's). N neurons, C sensory inputs.
struct LtcParams {
  Tensor sensory_w, sensory_mu, sensory_sigma, sensory_erev, sensory_mask;  // (C, N)
  Tensor w, mu, sigma, erev, mask;                                          // (N, N)
  Tensor cm, gleak, vleak;                                                  // (N,)
};

// The LTC ODE (Hasani et al. 2021, AAAI, eq. 3) over a sequence, with ncps's fused
// semi-implicit Euler solver: per time step t, ode_unfolds steps of
//   v <- (cm_t v + gleak vleak + sum_i a_ij erev_ij + sum_c b_cj erev_cj)
//        / (cm_t + gleak + epsilon + sum_i a_ij + sum_c b_cj),
//   a_ij = w_ij mask_ij sigmoid(sigma_ij (v_i - mu_ij)),
//   b_cj = sensory_w_cj sensory_mask_cj sigmoid(sensory_sigma_cj (x_c - sensory_mu_cj)),
//   cm_t = cm * ode_unfolds / elapsed[b, t].
// inputs (B, T, C) (already input-mapped), h0 (B, N), elapsed (B, T); all one float dtype
// and device; masks are 0/1 and get no gradient. Returns the states after every step,
// (B, T, N). Differentiable (a fused backward-through-time op; no second order).
// step_mask: undefined, or (B, T), bool or 0/1 of a real dtype (see check_step_mask).
// memory: mixed memory (MixedMemory, H = N) reading memory_inputs (B, T, C') (the layer's
// inputs before the input mapping), or undefined; with it the result is (B, T, 2 N): the
// states, then the memory cells c'; a masked step carries both. ValueError for a shape other
// than MixedMemory's (input weight (4 N, C')).
Tensor ltc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& elapsed, const LtcParams& params,
                    std::int64_t ode_unfolds, double epsilon, const Tensor& step_mask = Tensor(),
                    const MixedMemory& memory = {}, const Tensor& memory_inputs = Tensor());

// The contract between ltc_sequence() and the "ltc_sequence" / "ltc_sequence_backward"
// kernels: the forward kernel's inputs sit in LtcInput order (then, in the backward kernel,
// the states and their gradients), the rest travels in the registry's Attrs (to_attrs /
// from_attrs). The backward kernel writes one gradient per input up to kVleak but the two
// masks, then with mixed memory one per MemoryInput.
struct LtcSpec {
  enum LtcInput : std::size_t {
    kInputs, kH0, kElapsed,
    kSensoryW, kSensoryMu, kSensorySigma, kSensoryErev, kSensoryMask,  // (C, N), LtcParams order
    kW, kMu, kSigma, kErev, kMask,                                     // (N, N)
    kCm, kGleak, kVleak,                                               // (N,)
    kStepMask,  // only when has_step_mask; with mixed memory at step_mask_slot()
  };
  // With mixed_memory, after kVleak: memory_inputs W_ih^T + b_ih of every step (B, T, 4 N)
  // (one GEMM in the front end, whose operands get autograd's gradients), W_hh (4 N, N), c0.
  enum MemoryInput : std::size_t { kProjected = kVleak + 1, kRecurrentWeight, kC0 };
  std::int64_t ode_unfolds = 1;
  double epsilon = 1e-8;
  bool has_step_mask = false;
  bool mixed_memory = false;

  std::size_t step_mask_slot() const { return mixed_memory ? kC0 + 1 : kStepMask; }

  Attrs to_attrs() const;
  static LtcSpec from_attrs(const Attrs& attrs);
};

enum class CfcMode : std::int64_t { Default = 0, NoGate = 1, Pure = 2 };

// Backbone dropout of cfc_sequence while training, as the step loop's torch-style Dropout
// modules (inverted dropout: a kept unit is x * 1 / (1 - rate)): after every backbone layer
// but the first (ncps), and after the first too with `first` (the CfC paper's tf_cfc.py).
// The keep masks are the draws those modules make, in their order: per step t, per layer,
// per dropped backbone layer of U units, random_bernoulli((B, U), 1 - rate, seed)
// (ember/random.h), so from the global stream (seed nullopt) the fused op and the step loop
// drop the same units, on every backend.
struct CfcDropout {
  double rate = 0.0;  // 0: no dropout
  bool first = false;
  Seed seed;
};
// ncps's backbone activations (LeCun: 1.7159 tanh(0.666 x), ncps's constant; GELU: the
// exact, erf form of torch.nn.GELU).
enum class CfcActivation : std::int64_t { LecunTanh = 1, Tanh = 2, Relu = 3, Silu = 4, Gelu = 5 };
// The LeCun tanh's constants, as ncps writes them: 1.7159 tanh(0.666 x).
inline constexpr double kLecunScale = 1.7159, kLecunSlope = 0.666;

// One CfC layer: an optional backbone of Linear + activation layers (W_k: (U_k, in_k)), then
// the heads, with the wiring masks already applied by the caller (width = U_last, or I + H
// without backbone): default / no_gate: the four heads stacked, weight (4 H, width) with rows
// ff1, ff2, time_a, time_b; pure: ff1 alone, weight (H, width), and w_tau, a (H,).
struct CfcLayer {
  std::vector<Tensor> backbone_weights, backbone_biases;
  Tensor weight, bias;
  Tensor w_tau, a;  // pure mode only
};

// A stack of CfC layers (ncps.torch.WiredCfCCell; one layer is a plain CfCCell) over a
// sequence, Hasani et al. 2022 (Nature MI). Per step t, layer l reads z = [in_l, h_l]
// (in_0 = inputs[:, t], in_l = the new state of layer l - 1), a = backbone(z) and
//   [f1, f2, fa, fb] = a W_l^T + b_l,   s = sigmoid(fa * ts[b, t] + fb),
//   default: h_l' = g(f1) (1 - s) + s g(f2);   no_gate: h_l' = g(f1) + s g(f2)
//   (eq. 10);   pure: h_l' = a - a exp(-ts[b, t] (|w_tau| + |f1|)) f1 (eq. 5),
// g the head activation: tanh (ncps) or LecunTanh (the paper's code, raminmh/CfC tf_cfc.py).
// inputs (B, T, C), h0 (B, sum H_l) (layer states side by side), ts (B, T); one float dtype
// and device. Returns the states after every step, (B, T, sum H_l). Differentiable (a
// fused backward-through-time op; no second order).
// step_mask: as ltc_sequence's; a masked step carries every layer's state.
// dropout: backbone dropout while training (CfcDropout). ValueError for a rate outside [0, 1).
// head_activation: Tanh or LecunTanh (ValueError for another; pure mode has no g).
// memory: mixed memory (MixedMemory), or undefined; with it the result is (B, T, 2 sum H_l):
// every step's states, then its memory cells c' (its last H columns); a masked step carries
// both. ValueError for a shape other than MixedMemory's or a part of it undefined.
//
// Runs the device's fused kernels where the registry has them (cpu; opencl on CPU devices,
// through its host path) and otherwise cfc_sequence_composite, MLX's custom op with a
// fallback: a backend whose kernels suit only some of its devices says which with
// set_cfc_use_fallback.
Tensor cfc_sequence(const Tensor& inputs, const Tensor& h0, const Tensor& ts, const std::vector<CfcLayer>& layers,
                    CfcMode mode, CfcActivation activation, const Tensor& step_mask = Tensor(),
                    const CfcDropout& dropout = {}, CfcActivation head_activation = CfcActivation::Tanh,
                    const MixedMemory& memory = {});

// The same op composed of ember's ops step by step (ember/ops.h), on any device: its
// gradient comes from autograd (so it also has second order). Arguments, checks and
// result as cfc_sequence's.
Tensor cfc_sequence_composite(const Tensor& inputs, const Tensor& h0, const Tensor& ts,
                              const std::vector<CfcLayer>& layers, CfcMode mode, CfcActivation activation,
                              const Tensor& step_mask = Tensor(), const CfcDropout& dropout = {},
                              CfcActivation head_activation = CfcActivation::Tanh,
                              const MixedMemory& memory = {});

// rule(inputs) true: cfc_sequence composes the op on inputs' device although device type
// `type` has fused kernels (MLX's use_fallback). A backend sets it when it registers them.
using CfcUseFallback = bool (*)(const Tensor& inputs);
void set_cfc_use_fallback(DeviceType type, CfcUseFallback rule);

// Where one CfC layer's tensors sit among the kernel inputs, and its sizes.
struct CfcLayerSlots {
  std::vector<std::size_t> backbone;  // input index of each backbone weight; its bias follows
  std::size_t heads = 0;              // input index of the heads weight; its bias follows
  std::size_t w_tau = 0;              // pure mode: input index of w_tau; A follows
  std::int64_t size = 0;              // H_l
  std::int64_t offset = 0;            // first column of the layer's state in h0 / states
  std::int64_t in_size = 0;           // width of the layer input (C, or H_{l-1})
};

// The contract between cfc_sequence() and the "cfc_sequence" / "cfc_sequence_backward"
// kernels. Forward inputs: x, h0, ts, then per layer its backbone (W, b) pairs, the heads
// (W, b) and, in pure mode, w_tau and A (slots()), then with mixed_memory MixedMemory's
// four tensors in MemoryInput order from memory_slot(), then the step mask when
// has_step_mask, then the dropout keep masks (0 / 1, inputs' dtype) when dropout_rate > 0;
// the forward kernel writes the states (B, T, width()) and, given a second output (as
// cfc_sequence does when autograd records), the activations that backward reads
// (saved_width()); the backward kernel gets the states, their gradients and those saved
// activations after the forward inputs and writes one gradient per forward input but the
// masks. The rest travels in the registry's Attrs (to_attrs / from_attrs).
struct CfcSpec {
  CfcMode mode = CfcMode::Default;
  CfcActivation activation = CfcActivation::LecunTanh;  // the backbone's
  CfcActivation head_activation = CfcActivation::Tanh;  // g of ff1 / ff2: Tanh or LecunTanh
  std::vector<std::int64_t> sizes;            // H_l of each layer
  std::vector<std::int64_t> backbone_depths;  // Linear layers in each layer's backbone
  bool has_step_mask = false;
  double dropout_rate = 0.0;  // CfcDropout's; the keep masks are the last forward input
  bool dropout_first = false;
  bool mixed_memory = false;

  enum MemoryInput : std::size_t { kInputWeight, kInputBias, kRecurrentWeight, kC0 };
  // The input index of the mixed memory's input weight (after every layer's tensors).
  std::size_t memory_slot() const;
  // Columns of the states: sum H_l, twice that with mixed memory (the cells c' after the states).
  std::int64_t width() const;

  // Whether backbone layer k (of every layer) is followed by dropout.
  bool drops(std::int64_t k) const { return dropout_rate > 0 && (k > 0 || dropout_first); }
  // The keep-mask input's layout (CfcDropout): the element of unit u of row b of backbone
  // layer k of layer l at step t is t * step + offsets[l][k] + b * U + u, from the layers'
  // backbone widths units[l][k] (each block padded to whole Philox blocks of 4, as successive
  // draws lay them out). offsets[l][k] = -1 where no dropout follows.
  struct DropoutLayout {
    std::vector<std::vector<std::int64_t>> offsets;
    std::int64_t step = 0;
  };
  DropoutLayout dropout_layout(std::int64_t batch, const std::vector<std::vector<std::int64_t>>& units) const;

  // Per layer, given the sequence's feature count C.
  std::vector<CfcLayerSlots> slots(std::int64_t in_features) const;
  // The saved activations' elements per sequence step (the forward kernel's second output
  // is (B, T, saved_width)): per layer the pre-activation of each backbone layer but the
  // first (units[l][k], k >= 1) and the heads (4 H_l, H_l in pure mode).
  std::int64_t saved_width(const std::vector<std::vector<std::int64_t>>& units) const;
  Attrs to_attrs() const;
  static CfcSpec from_attrs(const Attrs& attrs);
};

}  // namespace ember::liquid
