// Random float64 tensors and LTC parameters (ncps's init ranges) for the fused liquid
// sequence tests (test_liquid.cpp, test_liquid_mask.cpp).
#pragma once

#include <functional>
#include <random>

#include "ember/liquid.h"
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

}  // namespace ember::liquid_test
