// The typed kernel arguments of the fused liquid ops (ember/liquid.h) and their one
// encoding in the registry's Attrs, shared by the front end that writes them and the
// backends' kernels that read them.
#include "ember/errors.h"
#include "ember/liquid.h"

namespace ember::liquid {

// Attrs of "ltc_sequence": ints = {ode_unfolds, has_step_mask, mixed_memory}, floats = {epsilon}.
Attrs LtcSpec::to_attrs() const {
  Attrs attrs;
  attrs.ints = {ode_unfolds, has_step_mask ? 1 : 0, mixed_memory ? 1 : 0};
  attrs.floats = {epsilon};
  return attrs;
}

LtcSpec LtcSpec::from_attrs(const Attrs& attrs) {
  if (attrs.ints.size() != 3 || attrs.floats.size() != 1) value_error("ltc_sequence", "malformed kernel attributes");
  return {attrs.ints[0], attrs.floats[0], attrs.ints[1] != 0, attrs.ints[2] != 0};
}

// Attrs of "cfc_sequence": ints = {mode, activation, head_activation, has_step_mask,
// dropout_first, mixed_memory, L, H_0 .. H_{L-1}, each layer's backbone depth},
// floats = {dropout_rate}.
namespace {
constexpr std::size_t kCfcHeader = 7;  // the ints before the layer sizes
}  // namespace

Attrs CfcSpec::to_attrs() const {
  Attrs attrs;
  attrs.ints = {static_cast<std::int64_t>(mode), static_cast<std::int64_t>(activation),
                static_cast<std::int64_t>(head_activation), has_step_mask ? 1 : 0, dropout_first ? 1 : 0,
                mixed_memory ? 1 : 0, static_cast<std::int64_t>(sizes.size())};
  attrs.ints.insert(attrs.ints.end(), sizes.begin(), sizes.end());
  attrs.ints.insert(attrs.ints.end(), backbone_depths.begin(), backbone_depths.end());
  attrs.floats = {dropout_rate};
  return attrs;
}

CfcSpec CfcSpec::from_attrs(const Attrs& attrs) {
  const std::vector<std::int64_t>& ints = attrs.ints;
  if (ints.size() < kCfcHeader || ints[kCfcHeader - 1] < 0 ||
      ints.size() != kCfcHeader + 2 * static_cast<std::size_t>(ints[kCfcHeader - 1]) || attrs.floats.size() != 1) {
    value_error("cfc_sequence", "malformed kernel attributes");
  }
  const auto layers = static_cast<std::ptrdiff_t>(ints[kCfcHeader - 1]);
  const auto first = ints.begin() + kCfcHeader;
  CfcSpec spec;
  spec.mode = static_cast<CfcMode>(ints[0]);
  spec.activation = static_cast<CfcActivation>(ints[1]);
  spec.head_activation = static_cast<CfcActivation>(ints[2]);
  spec.has_step_mask = ints[3] != 0;
  spec.dropout_first = ints[4] != 0;
  spec.mixed_memory = ints[5] != 0;
  spec.sizes.assign(first, first + layers);
  spec.backbone_depths.assign(first + layers, first + 2 * layers);
  spec.dropout_rate = attrs.floats[0];
  return spec;
}

CfcSpec::DropoutLayout CfcSpec::dropout_layout(std::int64_t batch,
                                               const std::vector<std::vector<std::int64_t>>& units) const {
  DropoutLayout out;
  for (std::size_t l = 0; l < units.size(); ++l) {
    out.offsets.emplace_back();
    for (std::size_t k = 0; k < units[l].size(); ++k) {
      if (!drops(static_cast<std::int64_t>(k))) {
        out.offsets[l].push_back(-1);
        continue;
      }
      out.offsets[l].push_back(out.step);
      out.step += (batch * units[l][k] + 3) / 4 * 4;
    }
  }
  return out;
}

std::size_t CfcSpec::memory_slot() const {
  std::size_t next = 3;  // after x, h0, ts
  for (const std::int64_t depth : backbone_depths) {
    next += 2 * static_cast<std::size_t>(depth) + (mode == CfcMode::Pure ? 4 : 2);
  }
  return next;
}

std::int64_t CfcSpec::width() const {
  std::int64_t total = 0;
  for (const std::int64_t h : sizes) total += h;
  return mixed_memory ? 2 * total : total;
}

std::int64_t CfcSpec::saved_width(const std::vector<std::vector<std::int64_t>>& units) const {
  std::int64_t width = 0;
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    width += (mode == CfcMode::Pure ? 1 : 4) * sizes[l];
    for (std::size_t k = 1; k < units[l].size(); ++k) width += units[l][k];
  }
  return width;
}

std::vector<CfcLayerSlots> CfcSpec::slots(std::int64_t in_features) const {
  std::vector<CfcLayerSlots> out;
  std::size_t next = 3;  // after x, h0, ts
  std::int64_t offset = 0;
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    CfcLayerSlots s;
    s.size = sizes[l];
    s.offset = offset;
    s.in_size = l == 0 ? in_features : sizes[l - 1];
    for (std::int64_t k = 0; k < backbone_depths[l]; ++k, next += 2) s.backbone.push_back(next);
    s.heads = next;
    next += 2;
    if (mode == CfcMode::Pure) {
      s.w_tau = next;
      next += 2;
    }
    offset += s.size;
    out.push_back(s);
  }
  return out;
}

}  // namespace ember::liquid
