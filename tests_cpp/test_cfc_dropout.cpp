// Backbone dropout inside the fused CfC sequence (liquid::CfcDropout), float64, with an
// explicit seed so that every evaluation draws the same masks: the fused backward pass
// against five-point finite differences of its forward pass (1e-10), and the fused kernels
// against the op composed of ember's ops (states and autograd gradients, 1e-12, every mode). The masks
// against the step loop's Dropout modules: tests_py/test_rnn_dropout.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "liquid_test_util.h"

namespace ember {
namespace {

using liquid::CfcActivation;
using liquid::CfcMode;
using liquid_test::uniform;

constexpr std::int64_t kBatch = 5, kSteps = 4, kFeatures = 2;

struct Problem {
  std::vector<liquid::CfcLayer> layers;
  Tensor x, h0, ts, weights;
  std::vector<std::pair<std::string, Tensor*>> leaves;
};

// Fills p in place (leaves points into it).
void make_problem(CfcMode mode, Problem& p) {
  std::mt19937 rng(31 + static_cast<unsigned>(mode));
  p.layers = liquid_test::random_cfc_layers(mode, true, kFeatures, {3, 2}, rng);
  p.x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  p.h0 = uniform({kBatch, 5}, -0.3, 0.3, rng);
  p.ts = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  p.weights = uniform({kBatch, kSteps, 5}, -1, 1, rng);
  p.leaves = {{"inputs", &p.x}, {"h0", &p.h0}, {"elapsed", &p.ts}};
  liquid_test::add_cfc_leaves(p.layers, mode == CfcMode::Pure, p.leaves);
}

const liquid::CfcDropout kDropout{0.4, true, 7};

TEST(CfcDropout, BackwardMatchesFiniteDifferences) {
  // Not pure mode: its |f1| has a kink within the stencil's reach of some of the 100 heads
  // here; the composite test below covers it. Both head activations (the paper's LeCun tanh).
  for (CfcMode mode : {CfcMode::Default, CfcMode::NoGate}) {
    for (CfcActivation head : {CfcActivation::Tanh, CfcActivation::LecunTanh}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(mode)) + " " + std::to_string(static_cast<int>(head)));
      Problem p;
      make_problem(mode, p);
      auto loss = [&] {
        const Tensor s =
            liquid::cfc_sequence(p.x, p.h0, p.ts, p.layers, mode, CfcActivation::Silu, Tensor(), kDropout, head);
        return sum(multiply(s, p.weights), std::nullopt, false);
      };
      liquid_test::expect_gradients_match(loss, p.leaves, 1e-10);
    }
  }
}

void check_composite(CfcMode mode) {
  Problem p;
  make_problem(mode, p);
  Tensor keep = ones({kBatch, kSteps}, DType::Float64, Device{});
  keep.data<double>()[2 * kSteps + 1] = 0;
  const Tensor dropped = liquid_test::expect_composite_matches(
      [&](bool composite) {
        const auto op = composite ? liquid::cfc_sequence_composite : liquid::cfc_sequence;
        return op(p.x, p.h0, p.ts, p.layers, mode, CfcActivation::Gelu, keep, kDropout, CfcActivation::Tanh, {});
      },
      p.weights, p.leaves);
  const Tensor undropped =
      liquid::cfc_sequence(p.x, p.h0, p.ts, p.layers, mode, CfcActivation::Gelu, keep);
  double moved = 0;
  for (std::int64_t k = 0; k < dropped.numel(); ++k) {
    moved = std::max(moved, std::abs(dropped.data<double>()[k] - undropped.data<double>()[k]));
  }
  EXPECT_GT(moved, 1e-3) << "dropout changed nothing";
}

TEST(CfcDropout, FusedKernelsMatchTheComposite) {
  for (CfcMode mode : {CfcMode::Default, CfcMode::NoGate, CfcMode::Pure}) {
    SCOPED_TRACE(static_cast<int>(mode));
    check_composite(mode);
  }
}

}  // namespace
}  // namespace ember
