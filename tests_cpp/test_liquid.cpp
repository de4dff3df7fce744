// The fused LTC sequence's backward pass against five-point central finite differences of
// its own forward pass (float64), over a batch that fills several lane blocks and leaves a
// partial one, with a sparse random wiring (masked-out pairs must get a zero gradient).
#include <gtest/gtest.h>

#include <cmath>
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

using liquid_test::uniform;

Tensor mask(const Shape& shape, std::mt19937& rng) {
  Tensor t = Tensor::empty(shape, DType::Float64, kCpu);
  std::bernoulli_distribution keep(0.5);
  for (std::int64_t k = 0; k < t.numel(); ++k) t.data<double>()[k] = keep(rng) ? 1.0 : 0.0;
  return t;
}

TEST(LtcSequence, BackwardMatchesFiniteDifferences) {
  constexpr std::int64_t kBatch = 19, kSteps = 4, kFeatures = 3, kNeurons = 6, kUnfolds = 3;
  std::mt19937 rng(7);
  liquid::LtcParams p = liquid_test::random_ltc_params(kFeatures, kNeurons, rng,
                                                       [&](const Shape& s) { return mask(s, rng); });
  Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  Tensor h0 = uniform({kBatch, kNeurons}, -0.3, 0.3, rng);
  Tensor elapsed = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  const Tensor weights = uniform({kBatch, kSteps, kNeurons}, -1, 1, rng);
  auto loss = [&] {
    return sum(multiply(liquid::ltc_sequence(x, h0, elapsed, p, kUnfolds, 1e-8), weights), std::nullopt, false);
  };

  const std::vector<std::pair<std::string, Tensor*>> leaves = {
      {"inputs", &x},
      {"h0", &h0},
      {"elapsed", &elapsed},
      {"sensory_w", &p.sensory_w},
      {"sensory_mu", &p.sensory_mu},
      {"sensory_sigma", &p.sensory_sigma},
      {"sensory_erev", &p.sensory_erev},
      {"w", &p.w},
      {"mu", &p.mu},
      {"sigma", &p.sigma},
      {"erev", &p.erev},
      {"cm", &p.cm},
      {"gleak", &p.gleak},
      {"vleak", &p.vleak}};
  liquid_test::expect_gradients_match(loss, leaves, 1e-6);
}

}  // namespace
}  // namespace ember
