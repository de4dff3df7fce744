// The step mask of the fused LTC and CfC sequences (ember/liquid.h): a masked step carries
// the state exactly (whatever its input and elapsed time hold), and the backward pass
// matches five-point finite differences of the forward pass (float64, 1e-10), with the
// adjoint of a masked step passed to the state before it and zero gradients for its input
// and time span.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ember/autograd.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "liquid_test_util.h"

namespace ember {
namespace {

const Device kCpu{};
constexpr std::int64_t kBatch = 4, kSteps = 5, kFeatures = 2;
// Sequence 0 is all real, 1 has gaps, 2 starts late, 3 is all masked.
constexpr double kKeep[kBatch][kSteps] = {{1, 1, 1, 1, 1}, {1, 0, 1, 0, 0}, {0, 0, 1, 1, 0}, {0, 0, 0, 0, 0}};

using liquid_test::uniform;

Tensor step_mask() {
  Tensor t = Tensor::empty({kBatch, kSteps}, DType::Float64, kCpu);
  for (std::int64_t k = 0; k < t.numel(); ++k) t.data<double>()[k] = kKeep[k / kSteps][k % kSteps];
  return t;
}

// Garbage in the masked steps' inputs and a zero time span: neither may be read.
void pad_with_garbage(Tensor& x, Tensor& elapsed) {
  for (std::int64_t b = 0; b < kBatch; ++b) {
    for (std::int64_t t = 0; t < kSteps; ++t) {
      if (kKeep[b][t] != 0) continue;
      elapsed.data<double>()[b * kSteps + t] = 0.0;
      for (std::int64_t c = 0; c < kFeatures; ++c) x.data<double>()[(b * kSteps + t) * kFeatures + c] = 1e3;
    }
  }
}

// states (B, T, N) carry the state before at every masked step (h0 before the first).
void expect_carried(const Tensor& states, const Tensor& h0) {
  const std::int64_t n = h0.shape()[1];
  for (std::int64_t b = 0; b < kBatch; ++b) {
    for (std::int64_t t = 0; t < kSteps; ++t) {
      if (kKeep[b][t] != 0) continue;
      for (std::int64_t j = 0; j < n; ++j) {
        const double before =
            t == 0 ? h0.data<double>()[b * n + j] : states.data<double>()[(b * kSteps + t - 1) * n + j];
        EXPECT_EQ(states.data<double>()[(b * kSteps + t) * n + j], before) << "b=" << b << " t=" << t;
      }
    }
  }
}

// The gradient check of liquid_test_util.h at 1e-10, then: a masked step's input and time
// span get exactly zero.
void expect_masked_gradients(const std::function<Tensor()>& loss,
                             const std::vector<std::pair<std::string, Tensor*>>& leaves) {
  liquid_test::expect_gradients_match(loss, leaves, 1e-10);
  // A masked step's input and time span get exactly zero.
  for (const auto& [name, t] : leaves) {
    if (name != "inputs" && name != "elapsed") continue;
    const Tensor g = autograd::grad(*t);
    const std::int64_t per_step = t->numel() / (kBatch * kSteps);
    for (std::int64_t k = 0; k < t->numel(); ++k) {
      const std::int64_t bt = k / per_step;
      if (kKeep[bt / kSteps][bt % kSteps] == 0) {
        EXPECT_EQ(g.data<double>()[k], 0.0) << name << "[" << k << "]";
      }
    }
  }
}

TEST(LtcSequenceMask, CarriesStateAndMatchesFiniteDifferences) {
  constexpr std::int64_t kNeurons = 5, kUnfolds = 2;
  std::mt19937 rng(3);
  liquid::LtcParams p = liquid_test::random_ltc_params(kFeatures, kNeurons, rng,
                                                       [](const Shape& s) { return ones(s, DType::Float64, kCpu); });
  Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  Tensor h0 = uniform({kBatch, kNeurons}, -0.3, 0.3, rng);
  Tensor elapsed = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  pad_with_garbage(x, elapsed);
  const Tensor keep = step_mask();
  const Tensor weights = uniform({kBatch, kSteps, kNeurons}, -1, 1, rng);
  expect_carried(liquid::ltc_sequence(x, h0, elapsed, p, kUnfolds, 1e-8, keep), h0);
  auto loss = [&] {
    return sum(multiply(liquid::ltc_sequence(x, h0, elapsed, p, kUnfolds, 1e-8, keep), weights), std::nullopt, false);
  };
  expect_masked_gradients(loss, {{"inputs", &x}, {"h0", &h0}, {"elapsed", &elapsed}, {"sensory_w", &p.sensory_w},
                                {"sensory_mu", &p.sensory_mu}, {"w", &p.w}, {"sigma", &p.sigma}, {"erev", &p.erev},
                                {"cm", &p.cm}, {"gleak", &p.gleak}, {"vleak", &p.vleak}});
}

// Two stacked layers (a wired CfC): the second reads the first's new state.
void check_cfc(liquid::CfcMode mode, bool backbone) {
  std::mt19937 rng(static_cast<unsigned>(mode) + (backbone ? 10 : 0));
  const bool pure = mode == liquid::CfcMode::Pure;
  std::vector<liquid::CfcLayer> layers = liquid_test::random_cfc_layers(mode, backbone, kFeatures, {3, 2}, rng);
  Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  Tensor h0 = uniform({kBatch, 5}, -0.3, 0.3, rng);
  Tensor ts = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  pad_with_garbage(x, ts);
  const Tensor keep = step_mask();
  const Tensor weights = uniform({kBatch, kSteps, 5}, -1, 1, rng);
  const auto act = liquid::CfcActivation::Silu;
  expect_carried(liquid::cfc_sequence(x, h0, ts, layers, mode, act, keep), h0);
  auto loss = [&] {
    return sum(multiply(liquid::cfc_sequence(x, h0, ts, layers, mode, act, keep), weights), std::nullopt, false);
  };
  std::vector<std::pair<std::string, Tensor*>> leaves = {{"inputs", &x}, {"h0", &h0}, {"elapsed", &ts}};
  for (int l = 0; l < 2; ++l) {
    const std::string layer = " of layer " + std::to_string(l);
    leaves.emplace_back("weight" + layer, &layers[l].weight);
    leaves.emplace_back("bias" + layer, &layers[l].bias);
    if (backbone) leaves.emplace_back("backbone weight" + layer, &layers[l].backbone_weights[0]);
    if (pure) {
      leaves.emplace_back("w_tau" + layer, &layers[l].w_tau);
      leaves.emplace_back("A" + layer, &layers[l].a);
    }
  }
  expect_masked_gradients(loss, leaves);
}

TEST(CfcSequenceMask, DefaultWithBackbone) { check_cfc(liquid::CfcMode::Default, true); }
TEST(CfcSequenceMask, NoGate) { check_cfc(liquid::CfcMode::NoGate, false); }
TEST(CfcSequenceMask, Pure) { check_cfc(liquid::CfcMode::Pure, true); }

}  // namespace
}  // namespace ember
