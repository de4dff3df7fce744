// Random float64 tensors and LTC parameters (ncps's init ranges), and the finite-difference
// gradient check, of the fused liquid sequence tests (test_liquid.cpp, test_liquid_mask.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/liquid.h"
#include "ember/ops.h"
#include "ember/tensor.h"

namespace ember::liquid_test {

inline Tensor uniform(const Shape& shape, double lo, double hi, std::mt19937& rng) {
  Tensor t = Tensor::empty(shape, DType::Float64, Device{});
  std::uniform_real_distribution<double> dist(lo, hi);
  for (std::int64_t k = 0; k < t.numel(); ++k) t.data<double>()[k] = dist(rng);
  return t;
}

// LTC parameters for c inputs and n neurons; `wiring_mask(shape)` gives the two 0/1 masks.
inline liquid::LtcParams random_ltc_params(std::int64_t c, std::int64_t n, std::mt19937& rng,
                                           const std::function<Tensor(const Shape&)>& wiring_mask) {
  const Shape cn{c, n}, nn{n, n}, neurons{n};
  liquid::LtcParams p;
  p.sensory_w = uniform(cn, 0.01, 1, rng);
  p.sensory_mu = uniform(cn, 0.3, 0.8, rng);
  p.sensory_sigma = uniform(cn, 3, 8, rng);
  p.sensory_erev = uniform(cn, -1, 1, rng);
  p.sensory_mask = wiring_mask(cn);
  p.w = uniform(nn, 0.01, 1, rng);
  p.mu = uniform(nn, 0.3, 0.8, rng);
  p.sigma = uniform(nn, 3, 8, rng);
  p.erev = uniform(nn, -1, 1, rng);
  p.mask = wiring_mask(nn);
  p.cm = uniform(neurons, 0.4, 0.6, rng);
  p.gleak = uniform(neurons, 0.001, 1, rng);
  p.vleak = uniform(neurons, -0.2, 0.2, rng);
  return p;
}

// A stack of CfC layers (ember/liquid.h) of the given sizes on `in` features, with one
// backbone layer of 4 units each when `backbone`.
inline std::vector<liquid::CfcLayer> random_cfc_layers(liquid::CfcMode mode, bool backbone, std::int64_t in,
                                                       const std::vector<std::int64_t>& sizes, std::mt19937& rng) {
  const bool pure = mode == liquid::CfcMode::Pure;
  const std::int64_t heads = pure ? 1 : 4;
  std::vector<liquid::CfcLayer> layers(sizes.size());
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    liquid::CfcLayer& layer = layers[l];
    std::int64_t width = in + sizes[l];
    if (backbone) {
      layer.backbone_weights.push_back(uniform({4, width}, -0.6, 0.6, rng));
      layer.backbone_biases.push_back(uniform({4}, -0.3, 0.3, rng));
      width = 4;
    }
    layer.weight = uniform({heads * sizes[l], width}, -0.6, 0.6, rng);
    layer.bias = uniform({heads * sizes[l]}, -0.3, 0.3, rng);
    if (pure) {
      layer.w_tau = uniform({sizes[l]}, -1, 1, rng);
      layer.a = uniform({sizes[l]}, -1, 1, rng);
    }
    in = sizes[l];
  }
  return layers;
}

// Appends each layer's tensors (backbone, heads, and with `pure` w_tau and A) to leaves, named
// for the failure messages of expect_gradients_match.
inline void add_cfc_leaves(std::vector<liquid::CfcLayer>& layers, bool pure,
                           std::vector<std::pair<std::string, Tensor*>>& leaves) {
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string of = " of layer " + std::to_string(l);
    liquid::CfcLayer& layer = layers[l];
    for (std::size_t k = 0; k < layer.backbone_weights.size(); ++k) {
      const std::string which = "backbone " + std::to_string(k);
      leaves.insert(leaves.end(), {{which + " weight" + of, &layer.backbone_weights[k]},
                                   {which + " bias" + of, &layer.backbone_biases[k]}});
    }
    leaves.insert(leaves.end(), {{"weight" + of, &layer.weight}, {"bias" + of, &layer.bias}});
    if (pure) leaves.insert(leaves.end(), {{"w_tau" + of, &layer.w_tau}, {"A" + of, &layer.a}});
  }
}

// run(false) (the fused op) and run(true) (its composite) give the same states and, through
// autograd, the same gradients of sum(states * weights) for every leaf, to 1e-12. Returns
// the fused op's states.
inline Tensor expect_composite_matches(const std::function<Tensor(bool composite)>& run, const Tensor& weights,
                                       const std::vector<std::pair<std::string, Tensor*>>& leaves) {
  std::vector<Tensor> inputs;
  for (const auto& [name, t] : leaves) {
    autograd::set_requires_grad(*t, true);
    inputs.push_back(*t);
  }
  std::vector<Tensor> states, grads[2];
  for (int composite = 0; composite < 2; ++composite) {
    const Tensor s = run(composite != 0);
    grads[composite] =
        autograd::grad({sum(multiply(s, weights), std::nullopt, false)}, {Tensor()}, inputs, false, false, false);
    states.push_back(s);
  }
  EXPECT_EQ(states[1].shape(), states[0].shape());
  for (std::int64_t k = 0; k < states[0].numel(); ++k) {
    EXPECT_NEAR(states[1].data<double>()[k], states[0].data<double>()[k], 1e-12) << "states[" << k << "]";
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    // Autograd's gradient of a transposed weight may be a strided view.
    const Tensor got = contiguous(grads[1][i]), want = contiguous(grads[0][i]);
    for (std::int64_t k = 0; k < want.numel(); ++k) {
      EXPECT_NEAR(got.data<double>()[k], want.data<double>()[k], 1e-12) << leaves[i].first << "[" << k << "]";
    }
  }
  return states[0];
}

// The gradients of the scalar loss() with respect to every leaf against five-point central
// differences, element by element: |analytic - numeric| <= tol * max(1, |numeric|).
inline void expect_gradients_match(const std::function<Tensor()>& loss,
                                   const std::vector<std::pair<std::string, Tensor*>>& leaves, double tol) {
  for (const auto& [name, t] : leaves) autograd::set_requires_grad(*t, true);
  autograd::backward({loss()}, {Tensor()}, false, false);
  const autograd::GradModeGuard no_grad(false);
  constexpr double h = 1e-3;
  auto at = [&](double* v, double value) {
    *v = value;
    return loss().data<double>()[0];
  };
  for (const auto& [name, t] : leaves) {
    const Tensor grad = autograd::grad(*t);
    ASSERT_TRUE(grad.defined()) << name;
    const Tensor g = contiguous(grad);  // autograd's gradient of a transposed weight may be a strided view
    double* values = t->data<double>();
    for (std::int64_t k = 0; k < t->numel(); ++k) {
      const double saved = values[k];
      const double numeric = (8 * (at(values + k, saved + h) - at(values + k, saved - h)) -
                              (at(values + k, saved + 2 * h) - at(values + k, saved - 2 * h))) / (12 * h);
      values[k] = saved;
      EXPECT_NEAR(g.data<double>()[k], numeric, tol * std::max(1.0, std::abs(numeric))) << name << "[" << k << "]";
    }
  }
}

}  // namespace ember::liquid_test
