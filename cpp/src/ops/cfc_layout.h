// Where the tensors of each CfC layer sit among the kernel inputs of "cfc_sequence" (built
// by ops/cfc_sequence.cpp), read back by the backends' kernels: inputs x, h0, ts, then per
// layer its backbone (W, b) pairs, the heads (W, b) and, in pure mode, w_tau and A;
// attrs.ints: mode, activation, L, H_0 .. H_{L-1}, then each layer's backbone depth, then
// has_step_mask (1: the step mask is the last forward input; ember/liquid.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ember/liquid.h"
#include "ember/registry.h"

namespace ember::liquid::internal {

struct CfcLayerSlots {
  std::vector<std::size_t> backbone;  // input index of each backbone weight; its bias follows
  std::size_t heads = 0;              // input index of the heads weight; its bias follows
  std::size_t w_tau = 0;              // pure mode: input index of w_tau; A follows
  std::int64_t size = 0;              // H_l
  std::int64_t offset = 0;            // first column of the layer's state in h0 / states
  std::int64_t in_size = 0;           // width of the layer input (C, or H_{l-1})
};

struct CfcLayout {
  CfcMode mode;
  CfcActivation activation;
  std::vector<CfcLayerSlots> layers;
  std::int64_t total = 0;  // sum of H_l
  bool has_step_mask = false;
};

inline CfcLayout cfc_layout(const Attrs& attrs, std::int64_t in_features) {
  CfcLayout out{static_cast<CfcMode>(attrs.ints[0]), static_cast<CfcActivation>(attrs.ints[1]), {}};
  const auto layers = static_cast<std::size_t>(attrs.ints[2]);
  std::size_t next = 3;
  for (std::size_t l = 0; l < layers; ++l) {
    CfcLayerSlots slots;
    slots.size = attrs.ints[3 + l];
    slots.offset = out.total;
    slots.in_size = l == 0 ? in_features : out.layers.back().size;
    for (std::int64_t k = 0; k < attrs.ints[3 + layers + l]; ++k, next += 2) slots.backbone.push_back(next);
    slots.heads = next;
    next += 2;
    if (out.mode == CfcMode::Pure) {
      slots.w_tau = next;
      next += 2;
    }
    out.total += slots.size;
    out.layers.push_back(slots);
  }
  out.has_step_mask = attrs.ints[3 + 2 * layers] != 0;
  return out;
}

}  // namespace ember::liquid::internal
