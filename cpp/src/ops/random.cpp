// Front-end random ops: validate arguments, reserve counter blocks of the stream, dispatch.
#include "ember/random.h"

#include <cmath>
#include <limits>
#include <tuple>

#include "ember/philox.h"
#include "ops/common.h"

namespace ember {

using detail::registered_op;
using detail::run_to_new;

namespace {

// The stream of a call drawing `numel` elements: the explicit seed's, or the next blocks
// of the global stream.
RandomAttrs stream_attrs(std::int64_t numel, Seed seed) {
  const auto blocks = static_cast<std::uint64_t>((numel + 3) / 4);
  RandomAttrs attrs;
  if (seed) {
    attrs.key = *seed;
    attrs.domain = 1;
  } else {
    std::tie(attrs.key, attrs.offset) = philox::reserve_global_blocks(blocks);
  }
  return attrs;
}

void require_float(const char* op, DType dtype) {
  if (!is_floating(dtype)) type_error(op, "dtype must be a float dtype, got ", dtype_name(dtype));
}

void require_numeric(const char* op, DType dtype) {
  if (dtype == DType::Bool || is_complex(dtype)) {
    type_error(op, "dtype must be an integer or float dtype, got ", dtype_name(dtype));
  }
}

void require_finite(const char* op, const char* name, double v) {
  if (!std::isfinite(v)) value_error(op, name, " must be finite, got ", v);
}

Tensor sample(const char* name, const Shape& shape, DType dtype, Device device, Seed seed,
              std::initializer_list<double> params, std::int64_t trials = 0) {
  const OpEntry& op = registered_op(name);
  if (is_complex(dtype)) type_error(name, "complex dtypes are not supported, got ", dtype_name(dtype));
  RandomAttrs attrs = stream_attrs(shape_numel(shape, name), seed);
  attrs.params = params;
  attrs.trials = trials;
  return run_to_new(op, device, shape, dtype, {}, encode(attrs));
}

}  // namespace

void set_seed(std::uint64_t seed) { philox::set_global_seed(seed); }
std::uint64_t get_seed() { return philox::global_seed(); }

Tensor random_uniform(const Shape& shape, double minval, double maxval, DType dtype, Device device, Seed seed) {
  require_float("random_uniform", dtype);
  require_finite("random_uniform", "minval", minval);
  require_finite("random_uniform", "maxval", maxval);
  return sample("random_uniform", shape, dtype, device, seed, {minval, maxval});
}

Tensor random_normal(const Shape& shape, double mean, double stddev, DType dtype, Device device, Seed seed) {
  require_float("random_normal", dtype);
  require_finite("random_normal", "mean", mean);
  if (!(stddev >= 0) || std::isinf(stddev)) value_error("random_normal", "stddev must be finite and >= 0, got ", stddev);
  return sample("random_normal", shape, dtype, device, seed, {mean, stddev});
}

Tensor random_bernoulli(const Shape& shape, double p, DType dtype, Device device, Seed seed) {
  if (!(p >= 0 && p <= 1)) value_error("random_bernoulli", "p must be in [0, 1], got ", p);
  return sample("random_bernoulli", shape, dtype, device, seed, {p});
}

Tensor random_binomial(const Shape& shape, std::int64_t n, double p, DType dtype, Device device, Seed seed) {
  require_numeric("random_binomial", dtype);
  if (n < 0) value_error("random_binomial", "n must be >= 0, got ", n);
  if (!(p >= 0 && p <= 1)) value_error("random_binomial", "p must be in [0, 1], got ", p);
  return sample("random_binomial", shape, dtype, device, seed, {p}, n);
}

Tensor random_gamma(const Shape& shape, double alpha, double beta, DType dtype, Device device, Seed seed) {
  require_float("random_gamma", dtype);
  if (!(alpha > 0) || std::isinf(alpha)) value_error("random_gamma", "alpha must be finite and > 0, got ", alpha);
  if (!(beta > 0) || std::isinf(beta)) value_error("random_gamma", "beta must be finite and > 0, got ", beta);
  return sample("random_gamma", shape, dtype, device, seed, {alpha, beta});
}

Tensor random_exponential(const Shape& shape, double scale, DType dtype, Device device, Seed seed) {
  require_float("random_exponential", dtype);
  if (!(scale >= 0) || std::isinf(scale)) value_error("random_exponential", "scale must be finite and >= 0, got ", scale);
  return sample("random_exponential", shape, dtype, device, seed, {scale});
}

Tensor random_poisson(const Shape& shape, double lam, DType dtype, Device device, Seed seed) {
  require_numeric("random_poisson", dtype);
  // Above 1e18 the counts no longer fit int64 with room for the tail (NumPy stops near 9.2e18).
  if (!(lam >= 0 && lam <= 1e18)) value_error("random_poisson", "lam must be in [0, 1e18], got ", lam);
  return sample("random_poisson", shape, dtype, device, seed, {lam});
}

Tensor random_categorical(const Tensor& logits, std::int64_t num_samples, DType dtype, Seed seed) {
  static const OpEntry& op = registered_op("random_categorical");
  if (logits.ndim() != 2) {
    value_error("random_categorical", "logits must be 2-D [batch, classes], got ", detail::describe(logits));
  }
  require_float("random_categorical", logits.dtype());
  if (dtype != DType::Int32 && dtype != DType::Int64) {
    type_error("random_categorical", "dtype must be int32 or int64, got ", dtype_name(dtype));
  }
  if (num_samples < 0) value_error("random_categorical", "num_samples must be >= 0, got ", num_samples);
  const Shape shape{logits.dim(0), num_samples};
  if (logits.dim(1) == 0 && shape_numel(shape) > 0) {
    value_error("random_categorical", "logits must have at least one class, got ", detail::describe(logits));
  }
  const Attrs attrs = encode(stream_attrs(shape_numel(shape, "random_categorical"), seed));
  return run_to_new(op, logits.device(), shape, dtype, {contiguous(logits)}, attrs);
}

Tensor random_shuffle(const Tensor& x, Seed seed) {
  static const OpEntry& op = registered_op("random_shuffle");
  if (x.ndim() == 0) value_error("random_shuffle", "x must have at least one axis, got a 0-d tensor");
  const Attrs attrs = encode(stream_attrs(x.dim(0), seed));
  return run_to_new(op, x.device(), x.shape(), x.dtype(), {contiguous(x)}, attrs);
}

Tensor random_permutation(std::int64_t n, DType dtype, Device device, Seed seed) {
  require_numeric("random_permutation", dtype);
  if (n < 0) value_error("random_permutation", "n must be >= 0, got ", n);
  const double largest = visit_dtype(dtype, [](auto tag) -> double {
    using T = decltype(tag);
    // Floats count exactly up to 2**(mantissa bits + 1).
    if constexpr (std::is_same_v<T, half>) return 2048.0;
    else if constexpr (std::is_floating_point_v<T>) return std::ldexp(1.0, std::numeric_limits<T>::digits);
    else return static_cast<double>(std::numeric_limits<T>::max());
  });
  if (n > 0 && static_cast<double>(n - 1) > largest) {
    value_error("random_permutation", "n=", n, " does not fit dtype ", dtype_name(dtype));
  }
  return random_shuffle(arange(0, static_cast<double>(n), 1, dtype, device), seed);
}

}  // namespace ember
