// Mixed memory inside the fused CfC and LTC sequences (liquid::MixedMemory), float64: the
// fused backward passes against five-point finite differences of their forward passes (1e-10)
// for every input, the memory's weights, its inputs and c0 included, with a step mask; for
// CfC also the fused kernels against the op composed of ember's ops (states, cells and
// autograd gradients, 1e-12), every mode, with two stacked layers and backbone dropout.
// Against the step loop (ncps's LSTMCell in front of the cell): tests_py/test_rnn_fused_memory.py.
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

constexpr std::int64_t kBatch = 4, kSteps = 4, kFeatures = 2, kTotal = 5;

struct Problem {
  std::vector<liquid::CfcLayer> layers;
  liquid::MixedMemory memory;
  Tensor x, h0, ts, keep, weights;
  std::vector<std::pair<std::string, Tensor*>> leaves;
};

// Fills p in place (leaves points into it): layers of 3 and 2 units with a backbone of 4.
void make_problem(CfcMode mode, Problem& p) {
  std::mt19937 rng(57 + static_cast<unsigned>(mode));
  p.layers = liquid_test::random_cfc_layers(mode, true, kFeatures, {3, 2}, rng);
  p.memory = {uniform({4 * kTotal, kFeatures}, -0.7, 0.7, rng), uniform({4 * kTotal}, -0.3, 0.3, rng),
              uniform({4 * kTotal, kTotal}, -0.7, 0.7, rng), uniform({kBatch, kTotal}, -0.5, 0.5, rng)};
  p.x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  p.h0 = uniform({kBatch, kTotal}, -0.3, 0.3, rng);
  p.ts = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  p.keep = ones({kBatch, kSteps}, DType::Float64, Device{});
  p.keep.data<double>()[1 * kSteps + 2] = 0;  // a gap in sequence 1
  p.keep.data<double>()[3 * kSteps + 3] = 0;  // sequence 3 ends early
  p.weights = uniform({kBatch, kSteps, 2 * kTotal}, -1, 1, rng);
  p.leaves = {{"inputs", &p.x},
              {"h0", &p.h0},
              {"elapsed", &p.ts},
              {"input weight", &p.memory.input_weight},
              {"input bias", &p.memory.input_bias},
              {"recurrent weight", &p.memory.recurrent_weight},
              {"c0", &p.memory.c0}};
  liquid_test::add_cfc_leaves(p.layers, mode == CfcMode::Pure, p.leaves);
}

const liquid::CfcDropout kDropout{0.3, true, 11};

Tensor run(const Problem& p, CfcMode mode, bool composite) {
  const auto op = composite ? liquid::cfc_sequence_composite : liquid::cfc_sequence;
  return op(p.x, p.h0, p.ts, p.layers, mode, CfcActivation::Silu, p.keep, kDropout, CfcActivation::LecunTanh,
            p.memory);
}

TEST(MixedMemory, BackwardMatchesFiniteDifferences) {
  // Not pure mode: its |f1| has a kink within the stencil's reach (test_cfc_dropout.cpp).
  for (CfcMode mode : {CfcMode::Default, CfcMode::NoGate}) {
    SCOPED_TRACE(static_cast<int>(mode));
    Problem p;
    make_problem(mode, p);
    auto loss = [&] { return sum(multiply(run(p, mode, false), p.weights), std::nullopt, false); };
    liquid_test::expect_gradients_match(loss, p.leaves, 1e-10);
  }
}

TEST(MixedMemory, FusedKernelsMatchTheComposite) {
  for (CfcMode mode : {CfcMode::Default, CfcMode::NoGate, CfcMode::Pure}) {
    SCOPED_TRACE(static_cast<int>(mode));
    Problem p;
    make_problem(mode, p);
    const Tensor s = liquid_test::expect_composite_matches([&](bool composite) { return run(p, mode, composite); },
                                                           p.weights, p.leaves);
    EXPECT_EQ(s.shape(), (Shape{kBatch, kSteps, 2 * kTotal}));
  }
}

// A masked step carries the state and the cell: sequence 1's step 2 repeats step 1, both parts.
TEST(MixedMemory, MaskedStepsCarryStatesAndCells) {
  Problem p;
  make_problem(CfcMode::Default, p);
  const Tensor s = run(p, CfcMode::Default, false);
  const double* row = s.data<double>() + (1 * kSteps + 1) * 2 * kTotal;
  double moved = 0;
  for (std::int64_t k = 0; k < 2 * kTotal; ++k) {
    EXPECT_EQ(row[2 * kTotal + k], row[k]) << "column " << k;
    moved = std::max(moved, std::abs(row[k] - row[k - 2 * kTotal]));  // step 1 against step 0
  }
  EXPECT_GT(moved, 1e-3) << "the real steps changed nothing";
}

// A masked step's input and time span are not read: NaN there changes no state and no
// gradient, in the fused kernels and in the composite.
TEST(MixedMemory, MaskedInputsAreNotRead) {
  for (const bool composite : {false, true}) {
    SCOPED_TRACE(composite ? "composite" : "fused");
    Problem p;
    make_problem(CfcMode::Default, p);
    std::vector<Tensor> clean[2];
    for (int padded = 0; padded < 2; ++padded) {
      if (padded == 1) {
        for (const std::int64_t bt : {1 * kSteps + 2, 3 * kSteps + 3}) {
          for (std::int64_t c = 0; c < kFeatures; ++c) p.x.data<double>()[bt * kFeatures + c] = std::nan("");
          p.ts.data<double>()[bt] = std::nan("");
        }
      }
      std::vector<Tensor> inputs;
      for (auto& [name, t] : p.leaves) {
        autograd::set_requires_grad(*t, true);
        inputs.push_back(*t);
      }
      const Tensor s = run(p, CfcMode::Default, composite);
      clean[padded] = autograd::grad({sum(multiply(s, p.weights), std::nullopt, false)}, {Tensor()}, inputs, false,
                                     false, false);
      clean[padded].push_back(s);
    }
    for (std::size_t i = 0; i < clean[0].size(); ++i) {
      const Tensor want = contiguous(clean[0][i]), got = contiguous(clean[1][i]);
      const std::string what = i < p.leaves.size() ? p.leaves[i].first : "states";
      for (std::int64_t k = 0; k < want.numel(); ++k) {
        EXPECT_EQ(got.data<double>()[k], want.data<double>()[k]) << what << "[" << k << "]";
      }
    }
  }
}

TEST(LtcMixedMemory, BackwardMatchesFiniteDifferences) {
  constexpr std::int64_t kNeurons = 4, kRaw = 3;
  std::mt19937 rng(8);
  liquid::LtcParams params = liquid_test::random_ltc_params(kFeatures, kNeurons, rng, [&](const Shape& s) {
    Tensor mask = uniform(s, 0, 1, rng);
    for (std::int64_t k = 0; k < mask.numel(); ++k) mask.data<double>()[k] = mask.data<double>()[k] < 0.7 ? 1 : 0;
    return mask;
  });
  liquid::MixedMemory memory{uniform({4 * kNeurons, kRaw}, -0.7, 0.7, rng), uniform({4 * kNeurons}, -0.3, 0.3, rng),
                             uniform({4 * kNeurons, kNeurons}, -0.7, 0.7, rng),
                             uniform({kBatch, kNeurons}, -0.5, 0.5, rng)};
  Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng), raw = uniform({kBatch, kSteps, kRaw}, -1, 1, rng);
  Tensor h0 = uniform({kBatch, kNeurons}, -0.3, 0.3, rng), elapsed = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  Tensor keep = ones({kBatch, kSteps}, DType::Float64, Device{});
  keep.data<double>()[1 * kSteps + 2] = 0;
  keep.data<double>()[3 * kSteps + 3] = 0;
  const Tensor weights = uniform({kBatch, kSteps, 2 * kNeurons}, -1, 1, rng);
  auto loss = [&] {
    const Tensor s = liquid::ltc_sequence(x, h0, elapsed, params, 2, 1e-8, keep, memory, raw);
    return sum(multiply(s, weights), std::nullopt, false);
  };
  liquid_test::expect_gradients_match(loss,
                                      {{"inputs", &x},
                                       {"h0", &h0},
                                       {"elapsed", &elapsed},
                                       {"w", &params.w},
                                       {"sensory_mu", &params.sensory_mu},
                                       {"cm", &params.cm},
                                       {"memory inputs", &raw},
                                       {"input weight", &memory.input_weight},
                                       {"input bias", &memory.input_bias},
                                       {"recurrent weight", &memory.recurrent_weight},
                                       {"c0", &memory.c0}},
                                      1e-10);
}

}  // namespace
}  // namespace ember
