// The op-composed CfC sequence (liquid::cfc_sequence_composite, the fallback of devices
// without fused kernels) against the cpu's fused kernels, float64: the same states and,
// through autograd, the same gradients as the fused backward pass, in every mode and
// backbone activation and both head activations (ncps's tanh, the paper's LeCun tanh), with
// two stacked layers and a step mask.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ember/autograd.h"
#include "ember/errors.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "liquid_test_util.h"

namespace ember {
namespace {

using liquid::CfcActivation;
using liquid::CfcMode;
using liquid_test::uniform;

constexpr std::int64_t kBatch = 3, kSteps = 4, kFeatures = 2;

void expect_all_close(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_TRUE(got.defined()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  for (std::int64_t k = 0; k < got.numel(); ++k) {
    EXPECT_NEAR(got.data<double>()[k], want.data<double>()[k], 1e-12) << what << "[" << k << "]";
  }
}

void check(CfcMode mode, CfcActivation activation, CfcActivation head) {
  std::mt19937 rng(static_cast<unsigned>(mode) * 100 + static_cast<unsigned>(activation) * 10 +
                   static_cast<unsigned>(head));
  std::vector<liquid::CfcLayer> layers = liquid_test::random_cfc_layers(mode, true, kFeatures, {3, 2}, rng);
  Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng);
  Tensor h0 = uniform({kBatch, 5}, -0.3, 0.3, rng);
  Tensor ts = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  const Tensor weights = uniform({kBatch, kSteps, 5}, -1, 1, rng);
  Tensor keep = ones({kBatch, kSteps}, DType::Float64, Device{});
  keep.data<double>()[1 * kSteps + 2] = 0;  // one masked step in the middle of sequence 1
  std::vector<Tensor*> leaves = {&x, &h0, &ts};
  for (liquid::CfcLayer& layer : layers) {
    for (Tensor* t : {&layer.backbone_weights[0], &layer.backbone_biases[0], &layer.weight, &layer.bias}) {
      leaves.push_back(t);
    }
    if (mode == CfcMode::Pure) leaves.insert(leaves.end(), {&layer.w_tau, &layer.a});
  }
  std::vector<Tensor> inputs;
  for (Tensor* t : leaves) {
    autograd::set_requires_grad(*t, true);
    inputs.push_back(*t);
  }
  std::vector<Tensor> states, grads[2];
  for (int composite = 0; composite < 2; ++composite) {
    const Tensor s = composite ? liquid::cfc_sequence_composite(x, h0, ts, layers, mode, activation, keep, {}, head)
                               : liquid::cfc_sequence(x, h0, ts, layers, mode, activation, keep, {}, head);
    grads[composite] = autograd::grad({sum(multiply(s, weights), std::nullopt, false)}, {Tensor()}, inputs, false,
                                      false, false);
    states.push_back(s);
  }
  expect_all_close(states[1], states[0], "states");
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    expect_all_close(grads[1][k], grads[0][k], "gradient of leaf " + std::to_string(k));
  }
}

class CfcComposite : public ::testing::TestWithParam<std::tuple<CfcMode, CfcActivation, CfcActivation>> {};

TEST_P(CfcComposite, MatchesTheFusedKernels) {
  check(std::get<0>(GetParam()), std::get<1>(GetParam()), std::get<2>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(ModesAndActivations, CfcComposite,
                         ::testing::Combine(::testing::Values(CfcMode::Default, CfcMode::NoGate, CfcMode::Pure),
                                            ::testing::Values(CfcActivation::LecunTanh, CfcActivation::Tanh,
                                                              CfcActivation::Relu, CfcActivation::Silu,
                                                              CfcActivation::Gelu),
                                            ::testing::Values(CfcActivation::Tanh, CfcActivation::LecunTanh)));

TEST(CfcSequence, RejectsHeadActivationsOtherThanTanhAndLecunTanh) {
  std::mt19937 rng(3);
  const std::vector<liquid::CfcLayer> layers =
      liquid_test::random_cfc_layers(CfcMode::Default, false, kFeatures, {3}, rng);
  const Tensor x = uniform({kBatch, kSteps, kFeatures}, -1, 1, rng), h0 = uniform({kBatch, 3}, -1, 1, rng);
  const Tensor ts = uniform({kBatch, kSteps}, 0.5, 1.5, rng);
  try {
    liquid::cfc_sequence(x, h0, ts, layers, CfcMode::Default, CfcActivation::Silu, Tensor(), {}, CfcActivation::Silu);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Value);
    EXPECT_EQ(std::string(e.what()).rfind("[cfc_sequence] head activation must be tanh or lecun_tanh", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace ember
