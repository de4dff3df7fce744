// Bindings of the random ops (ember/random.h) and of the raw Philox generator.
#include <pybind11/stl.h>

#include <algorithm>
#include <string>

#include "args.h"
#include "bindings.h"
#include "ember/errors.h"
#include "ember/philox.h"
#include "ember/random.h"

namespace ember::py_bind {

namespace {

// A non-negative int below 2**64; bools and floats are refused so that 1.5 is no seed.
std::uint64_t parse_u64(py::handle value, const char* op, const char* name) {
  if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) {
    type_error(op, name, " must be an int, got ", py::repr(value).cast<std::string>());
  }
  const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  const unsigned long long v = PyLong_AsUnsignedLongLong(index.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    value_error(op, name, " must be in [0, 2**64), got ", py::repr(value).cast<std::string>());
  }
  return v;
}

Seed parse_seed(py::handle seed, const char* op) {
  if (seed.is_none()) return std::nullopt;
  return parse_u64(seed, op, "seed");
}

double parse_param(py::handle value, const char* op) { return parse_scalar(value, op).f; }

Device parse_device(py::handle device) {
  if (device.is_none()) return default_device();
  return Device::parse(py::str(device).cast<std::string>());
}

DType parse_dtype_or(py::handle dtype, DType fallback, const char* op) {
  return parse_dtype(dtype, op).value_or(fallback);
}

using TwoParamFn = Tensor (*)(const Shape&, double, double, DType, Device, Seed);
using OneParamFn = Tensor (*)(const Shape&, double, DType, Device, Seed);

template <TwoParamFn fn>
void def_two(py::module_& m, const char* name, const char* a, double a_default, const char* b, double b_default,
             DType dtype_default, const char* doc) {
  m.def(
      name,
      [name, dtype_default](py::handle shape, py::handle x, py::handle y, py::handle dtype, py::handle device,
                            py::handle seed) {
        const Shape s = parse_new_shape(shape, name);
        const double px = parse_param(x, name), py_ = parse_param(y, name);
        const DType d = parse_dtype_or(dtype, dtype_default, name);
        const Device dev = parse_device(device);
        const Seed sd = parse_seed(seed, name);
        return release_gil_if(shape_numel(s), [&] { return fn(s, px, py_, d, dev, sd); });
      },
      py::arg("shape"), py::arg(a) = a_default, py::arg(b) = b_default, py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("seed") = py::none(), doc);
}

template <OneParamFn fn>
void def_one(py::module_& m, const char* name, const char* a, double a_default, DType dtype_default,
             const char* doc) {
  m.def(
      name,
      [name, dtype_default](py::handle shape, py::handle x, py::handle dtype, py::handle device, py::handle seed) {
        const Shape s = parse_new_shape(shape, name);
        const double px = parse_param(x, name);
        const DType d = parse_dtype_or(dtype, dtype_default, name);
        const Device dev = parse_device(device);
        const Seed sd = parse_seed(seed, name);
        return release_gil_if(shape_numel(s), [&] { return fn(s, px, d, dev, sd); });
      },
      py::arg("shape"), py::arg(a) = a_default, py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("seed") = py::none(), doc);
}

// x on `device` (when given), rows shuffled, cast to `dtype` (when given).
Tensor shuffled(py::handle x, py::handle dtype, py::handle device, py::handle seed, const char* op) {
  const Tensor t = to_tensor(x, device.is_none() ? device_of({x}) : parse_device(device), std::nullopt, op);
  const std::optional<DType> d = parse_dtype(dtype, op);
  const Seed sd = parse_seed(seed, op);
  return release_gil_if(t.numel(), [&] {
    Tensor out = random_shuffle(t, sd);
    return d && *d != out.dtype() ? cast(out, *d) : out;
  });
}


// Google-style docstrings of the Python functions (shapes, dtypes, errors, algorithms).
constexpr const char* kCommonArgs = R"(
        dtype: output dtype (see Returns for the default and the dtypes allowed).
        device: device of the output; default: the current backend's device.
        seed: None draws from the global stream (see set_seed); an int in [0, 2**64)
            gives a stream of its own: the same values on every call and in every
            process, independent of the global stream.)";

std::string doc(const char* summary, const char* args, const char* returns, const char* raises) {
  return std::string(summary) + "\n\n    Args:\n" + args + kCommonArgs + "\n\n    Returns:\n        " + returns +
         "\n\n    Raises:\n        " + raises +
         "\n        NotImplementedError: the device has no random kernel (only cpu has).\n";
}

const std::string kUniformDoc = doc(
    "Uniform floats in [minval, maxval).\n\n"
    "    Philox-4x32-10 words become floats by the standard mantissa conversion (NumPy's):\n"
    "    float32 / float16 use (w >> 8) * 2**-24, float64 ((w0 >> 5) * 2**26 + (w1 >> 6)) * 2**-53.\n"
    "    float16 results are rounded from float32 and may equal maxval.",
    "        shape: int or sequence of ints (non-negative).\n"
    "        minval: lower bound (finite).\n        maxval: upper bound (finite).",
    "EmberTensor of `shape`; float16, float32 (default) or float64.",
    "ValueError: negative shape, non-finite bound or bad seed.\n"
    "        TypeError: a non-float dtype.");
const std::string kNormalDoc = doc(
    "Normal(mean, stddev**2) floats by Box-Muller (Box and Muller 1958).\n\n"
    "    Lanes 2k and 2k+1 of a Philox block share one (u1, u2) pair and take r cos(theta) and\n"
    "    r sin(theta). float32/float16 use 24-bit uniforms, so |z| <= 5.77 (probability lost\n"
    "    < 1e-8); float64 uses 53-bit uniforms. NumPy uses the ziggurat method instead.",
    "        shape: int or sequence of ints.\n        mean: mean (finite).\n"
    "        stddev: standard deviation (finite, >= 0).",
    "EmberTensor of `shape`; float16, float32 (default) or float64.",
    "ValueError: negative shape, bad mean / stddev or bad seed.\n"
    "        TypeError: a non-float dtype.");
const std::string kGammaDoc = doc(
    "Gamma(shape alpha, scale beta) floats: mean alpha * beta, as numpy.random.gamma(alpha, beta).\n\n"
    "    Marsaglia and Tsang, \"A simple method for generating gamma variables\" (ACM TOMS 26,\n"
    "    2000), with their boost Gamma(a) = Gamma(a + 1) * U**(1/a) for alpha < 1; computed in\n"
    "    float64. beta is a scale (not a rate), as NumPy and the original Ember.",
    "        shape: int or sequence of ints.\n        alpha: shape parameter (finite, > 0).\n"
    "        beta: scale parameter (finite, > 0).",
    "EmberTensor of `shape`; float16, float32 (default) or float64.",
    "ValueError: negative shape, alpha <= 0 or beta <= 0 (NumPy also allows 0), or bad seed.\n"
    "        TypeError: a non-float dtype.");
const std::string kBernoulliDoc = doc(
    "1 with probability p, else 0: a word below round(p * 2**32) is a success.",
    "        shape: int or sequence of ints.\n        p: success probability in [0, 1].",
    "EmberTensor of `shape`; any dtype, default float32.",
    "ValueError: negative shape, p outside [0, 1] or bad seed.");
const std::string kExponentialDoc = doc(
    "Exponential floats with mean `scale`, by inversion: -scale * log(1 - U), U from 53 bits.",
    "        shape: int or sequence of ints.\n        scale: mean (finite, >= 0).",
    "EmberTensor of `shape`; float16, float32 (default) or float64.",
    "ValueError: negative shape, bad scale or bad seed.\n        TypeError: a non-float dtype.");
const std::string kPoissonDoc = doc(
    "Poisson(lam) counts.\n\n"
    "    lam < 10: Knuth's multiplication method (TAOCP vol. 2, 3.4.1); lam >= 10: PTRS,\n"
    "    Hormann, \"The transformed rejection method for generating Poisson random variables\"\n"
    "    (1993) -- the algorithms and threshold of NumPy.",
    "        shape: int or sequence of ints.\n        lam: mean, in [0, 1e18].",
    "EmberTensor of `shape`; integer or float dtypes, default int64 (as NumPy); counts\n"
    "        beyond an integer dtype's range saturate.",
    "ValueError: negative shape, lam outside [0, 1e18] or bad seed.\n        TypeError: bool dtype.");
const std::string kBinomialDoc = doc(
    "Binomial(n, p) counts: successes in n independent trials of probability p.\n\n"
    "    The signature keeps the original Ember's random_binomial(shape, p=0.5) (a Bernoulli\n"
    "    draw) and adds n after it; NumPy's order is binomial(n, p, size). n * min(p, 1-p) < 10:\n"
    "    inversion by geometric waiting times (Devroye 1986, X.4.3); otherwise BTRS, Hormann,\n"
    "    \"The generation of binomial random variates\" (1993), as TensorFlow and PyTorch.",
    "        shape: int or sequence of ints.\n        p: success probability in [0, 1].\n"
    "        n: number of trials (int >= 0).",
    "EmberTensor of `shape`; integer or float dtypes, default int64 (as NumPy).",
    "ValueError: negative shape, n < 0, p outside [0, 1] or bad seed.\n"
    "        TypeError: n not an int, or bool dtype.");
const std::string kCategoricalDoc = doc(
    "Class indices drawn from softmax(logits[b]) for every row b (as tf.random.categorical).\n\n"
    "    Inversion: U * sum(exp(logits - max)) is located in the running sums by binary search;\n"
    "    classes with logit -inf are never drawn. A row of only -inf gives the last class.",
    "        logits: 2-D float tensor-like [batch, classes], unnormalised log-probabilities.\n"
    "        num_samples: samples per row (int >= 0).",
    "EmberTensor [batch, num_samples]; int32 or int64 (default).",
    "ValueError: logits not 2-D, no classes, num_samples < 0 or bad seed.\n"
    "        TypeError: non-float logits, num_samples not an int, or dtype not int32/int64.");
const std::string kPermutationDoc = doc(
    "A random permutation (numpy.random.Generator.permutation).\n\n"
    "    Fisher-Yates (Durstenfeld 1964) with unbiased bounded integers (Lemire 2019).",
    "        x_or_n: an int n (permutes 0 .. n-1) or a tensor-like (a copy with its rows,\n"
    "            axis 0, shuffled).",
    "EmberTensor: for n, shape (n,) in int64 (default) or another integer / float dtype that\n"
    "        holds n - 1; for a tensor, its shape and dtype (cast to dtype when given).",
    "ValueError: n < 0, n - 1 not representable in dtype, a 0-d tensor or bad seed.\n"
    "        TypeError: bool dtype for n.");
const std::string kShuffleDoc = doc(
    "A copy of x with its rows (axis 0) in random order, by Fisher-Yates (Durstenfeld 1964).\n\n"
    "    Unlike numpy.random.shuffle, x is not modified: the shuffled copy is returned.",
    "        x: tensor-like with at least one axis.",
    "EmberTensor with x's shape and dtype (cast to dtype when given).",
    "ValueError: a 0-d x or bad seed.");

}  // namespace

void bind_random(py::module_& m) {
  m.def("set_seed", [](py::handle seed) { set_seed(parse_u64(seed, "set_seed", "seed")); }, py::arg("seed"),
        "Restarts the global random stream at block 0 of `seed`.\n\n"
        "    Every later call without seed= takes the next ceil(size / 4) Philox blocks of it, so a\n"
        "    program's sequence of random calls is reproducible after set_seed.\n\n"
        "    Args:\n        seed: an int in [0, 2**64); it is the 64-bit Philox key.\n\n"
        "    Raises:\n        ValueError: seed outside [0, 2**64).\n        TypeError: seed not an int.\n");
  m.def("get_seed", &get_seed,
        "The seed of the global random stream.\n\n    Returns:\n        int: the last set_seed value; before any "
        "set_seed, a seed drawn from the OS\n        at start-up (as numpy.random.default_rng()).\n");
  m.def(
      "philox4x32_10",
      [](const std::array<std::uint32_t, 4>& counter, const std::array<std::uint32_t, 2>& key) {
        return philox::philox4x32_10(counter, key);
      },
      py::arg("counter"), py::arg("key"),
      "Raw Philox-4x32-10 block (Salmon et al., SC'11; Random123's philox4x32_10).\n\n"
      "    Args:\n        counter: four ints in [0, 2**32).\n        key: two ints in [0, 2**32).\n\n"
      "    Returns:\n        tuple of four ints in [0, 2**32): the random words.\n");

  def_two<random_uniform>(m, "random_uniform", "minval", 0.0, "maxval", 1.0, DType::Float32,
                          kUniformDoc.c_str());
  def_two<random_normal>(m, "random_normal", "mean", 0.0, "stddev", 1.0, DType::Float32,
                         kNormalDoc.c_str());
  def_two<random_gamma>(m, "random_gamma", "alpha", 1.0, "beta", 1.0, DType::Float32,
                        kGammaDoc.c_str());
  def_one<random_bernoulli>(m, "random_bernoulli", "p", 0.5, DType::Float32,
                            kBernoulliDoc.c_str());
  def_one<random_exponential>(m, "random_exponential", "scale", 1.0, DType::Float32,
                              kExponentialDoc.c_str());
  def_one<random_poisson>(m, "random_poisson", "lam", 1.0, DType::Int64,
                          kPoissonDoc.c_str());
  m.def(
      "random_binomial",
      [](py::handle shape, py::handle p, py::handle n, py::handle dtype, py::handle device, py::handle seed) {
        const char* op = "random_binomial";
        const Shape s = parse_new_shape(shape, op);
        const double pp = parse_param(p, op);
        const Scalar ns = parse_scalar(n, op);
        if (ns.kind != DTypeKind::Int) type_error(op, "n must be an int, got ", py::repr(n).cast<std::string>());
        const DType d = parse_dtype_or(dtype, DType::Int64, op);
        const Device dev = parse_device(device);
        const Seed sd = parse_seed(seed, op);
        return release_gil_if(shape_numel(s), [&] { return random_binomial(s, ns.i, pp, d, dev, sd); });
      },
      py::arg("shape"), py::arg("p") = 0.5, py::arg("n") = 1, py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("seed") = py::none(),
      kBinomialDoc.c_str());
  m.def(
      "random_categorical",
      [](py::handle logits, py::handle num_samples, py::handle dtype, py::handle device, py::handle seed) {
        const char* op = "random_categorical";
        const Tensor t = to_tensor(logits, device.is_none() ? device_of({logits}) : parse_device(device),
                                   std::nullopt, op);
        const Scalar ns = parse_scalar(num_samples, op);
        if (ns.kind != DTypeKind::Int) {
          type_error(op, "num_samples must be an int, got ", py::repr(num_samples).cast<std::string>());
        }
        const DType d = parse_dtype_or(dtype, DType::Int64, op);
        const Seed sd = parse_seed(seed, op);
        return release_gil_if(std::max(t.numel(), ns.i), [&] { return random_categorical(t, ns.i, d, sd); });
      },
      py::arg("logits"), py::arg("num_samples"), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("seed") = py::none(), kCategoricalDoc.c_str());
  m.def(
      "random_permutation",
      [](py::handle x_or_n, py::handle dtype, py::handle device, py::handle seed) {
        const char* op = "random_permutation";
        // NumPy arrays also implement __index__, so only ints and integer scalars mean n.
        if (as_tensor(x_or_n) != nullptr || py::isinstance<py::array>(x_or_n) || !PyIndex_Check(x_or_n.ptr()) ||
            PyBool_Check(x_or_n.ptr())) {
          return shuffled(x_or_n, dtype, device, seed, op);
        }
        const std::int64_t n = parse_scalar(x_or_n, op).i;
        const DType d = parse_dtype_or(dtype, DType::Int64, op);
        const Device dev = parse_device(device);
        const Seed sd = parse_seed(seed, op);
        return release_gil_if(n, [&] { return random_permutation(n, d, dev, sd); });
      },
      py::arg("x_or_n"), py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("seed") = py::none(),
      kPermutationDoc.c_str());
  for (const char* name : {"shuffle", "random_shuffle"}) {
    m.def(
        name,
        [name](py::handle x, py::handle dtype, py::handle device, py::handle seed) {
          return shuffled(x, dtype, device, seed, name);
        },
        py::arg("x"), py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("seed") = py::none(),
        kShuffleDoc.c_str());
  }
}

}  // namespace ember::py_bind
