// Random tensors from counter-based Philox-4x32-10 streams (see ember/philox.h).
//
// Stream layout, shared by every backend so all of them draw the same numbers: a call
// has a 64-bit key (the seed), a 64-bit first block `offset` and a domain word (0 for
// the global stream, 1 for calls given `seed`). The j-th 32-bit word of element i is
// lane i % 4 of philox4x32_10({lo(offset + i/4), hi(offset + i/4), j, domain},
// {lo(seed), hi(seed)}). A call reserves ceil(n / 4) blocks of the global stream, so its
// values do not depend on threading and the next call continues where it ended.
#pragma once

#include <cstdint>
#include <optional>

#include "ember/tensor.h"

namespace ember {

using Seed = std::optional<std::uint64_t>;  // nullopt: draw from the global stream

void set_seed(std::uint64_t seed);  // restarts the global stream at block 0 of `seed`
std::uint64_t get_seed();           // the global stream's seed

// Floats in [minval, maxval). Float dtypes only.
Tensor random_uniform(const Shape& shape, double minval, double maxval, DType dtype, Device device, Seed seed);
// Normal(mean, stddev**2) by Box–Muller. Float dtypes only.
Tensor random_normal(const Shape& shape, double mean, double stddev, DType dtype, Device device, Seed seed);
// 1 with probability p, else 0. Any dtype.
Tensor random_bernoulli(const Shape& shape, double p, DType dtype, Device device, Seed seed);
// Successes in n trials of probability p. Integer and float dtypes.
Tensor random_binomial(const Shape& shape, std::int64_t n, double p, DType dtype, Device device, Seed seed);
// Gamma with shape alpha and scale beta (mean alpha * beta). Float dtypes only.
Tensor random_gamma(const Shape& shape, double alpha, double beta, DType dtype, Device device, Seed seed);
// Exponential with the given scale (mean). Float dtypes only.
Tensor random_exponential(const Shape& shape, double scale, DType dtype, Device device, Seed seed);
// Poisson with mean lam. Integer and float dtypes.
Tensor random_poisson(const Shape& shape, double lam, DType dtype, Device device, Seed seed);
// Class indices of shape [batch, num_samples] drawn from softmax(logits[b]) for 2-D logits.
Tensor random_categorical(const Tensor& logits, std::int64_t num_samples, DType dtype, Seed seed);
// A copy of x with its rows (axis 0) in uniformly random order (Fisher–Yates).
Tensor random_shuffle(const Tensor& x, Seed seed);
// A uniformly random permutation of 0 .. n-1. Integer and float dtypes.
Tensor random_permutation(std::int64_t n, DType dtype, Device device, Seed seed);

}  // namespace ember
