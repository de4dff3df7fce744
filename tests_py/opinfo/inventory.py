"""The public names of /work/shared/API.md, one line each with a smoke call.

``test_inventory.py`` checks, on every backend, that each name exists, is not None and
that its smoke call neither raises ``NotImplementedError`` nor returns None (unless the
entry says the function returns None). A smoke call receives the object looked up by
name and calls it on tiny inputs; ``None`` as the call means "not callable, existence
only". To add a name, add one ``E(...)`` line to its section.

Every name of API.md is listed.
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import Any, Callable

import numpy as np

import ember_ml as em


@dataclasses.dataclass(frozen=True)
class E:
    module: str
    name: str
    smoke: Callable[[Any], Any] | None
    returns: bool = True  # False: the function returns None by design


def V():  # a small float vector
    return np.array([0.5, -1.0, 2.0], np.float32)


def M():  # a small well-conditioned float matrix
    return np.array([[4.0, 1.0], [1.0, 3.0]], np.float32)


def I():  # small non-negative integers
    return np.array([3, 1, 2], np.int32)


OPS, STATS, LA, BW = "ember_ml.ops", "ember_ml.ops.stats", "ember_ml.ops.linearalg", "ember_ml.ops.bitwise"
ACT, MODS, TENSOR, FEAT = ("ember_ml.nn.modules.activations", "ember_ml.nn.modules", "ember_ml.nn.tensor",
                           "ember_ml.nn.features")

BACKEND_MANAGEMENT = [
    E("ember_ml", "set_backend", lambda f: f(em.get_backend()), returns=False),
    E("ember_ml", "get_backend", lambda f: f()),
    E("ember_ml", "auto_select_backend", lambda f: f()),
    E("ember_ml", "get_available_backends", lambda f: f()),
    E("ember_ml", "using_backend", lambda f: f(em.get_backend())),
    E("ember_ml", "__version__", None),
    E("ember_ml.backend", "set_backend", lambda f: f(em.get_backend()), returns=False),
    E("ember_ml.backend", "get_backend", lambda f: f()),
    E("ember_ml.backend", "auto_select_backend", lambda f: f()),
    E("ember_ml.backend", "get_available_backends", lambda f: f()),
    E("ember_ml.backend", "using_backend", lambda f: f(em.get_backend())),
    E(OPS, "set_backend", lambda f: f(em.get_backend()), returns=False),
    E(OPS, "get_backend", lambda f: f()),
    E(OPS, "auto_select_backend", lambda f: f()),
    E(OPS, "get_available_backends", lambda f: f()),
    E(OPS, "using_backend", lambda f: f(em.get_backend())),
]

OPS_MASTER = [
    # math
    E(OPS, "add", lambda f: f(V(), V())),
    E(OPS, "subtract", lambda f: f(V(), V())),
    E(OPS, "multiply", lambda f: f(V(), V())),
    E(OPS, "divide", lambda f: f(V(), 2.0)),
    E(OPS, "matmul", lambda f: f(M(), M())),
    E(OPS, "dot", lambda f: f(V(), V())),
    E(OPS, "exp", lambda f: f(V())),
    E(OPS, "log", lambda f: f(I())),
    E(OPS, "log10", lambda f: f(I())),
    E(OPS, "log2", lambda f: f(I())),
    E(OPS, "pow", lambda f: f(V(), 2)),
    E(OPS, "power", lambda f: f(V(), 2)),
    E(OPS, "sqrt", lambda f: f(I())),
    E(OPS, "square", lambda f: f(V())),
    E(OPS, "abs", lambda f: f(V())),
    E(OPS, "sign", lambda f: f(V())),
    E(OPS, "sin", lambda f: f(V())),
    E(OPS, "cos", lambda f: f(V())),
    E(OPS, "tan", lambda f: f(V())),
    E(OPS, "sinh", lambda f: f(V())),
    E(OPS, "cosh", lambda f: f(V())),
    E(OPS, "erf", lambda f: f(V())),
    E(OPS, "clip", lambda f: f(V(), 0.0, 1.0)),
    E(OPS, "negative", lambda f: f(V())),
    E(OPS, "mod", lambda f: f(I(), 2)),
    E(OPS, "floor_divide", lambda f: f(I(), 2)),
    E(OPS, "floor", lambda f: f(V())),
    E(OPS, "ceil", lambda f: f(V())),
    E(OPS, "gradient", lambda f: f(V())),
    # comparison / logic
    E(OPS, "equal", lambda f: f(V(), V())),
    E(OPS, "not_equal", lambda f: f(V(), V())),
    E(OPS, "less", lambda f: f(V(), 0.0)),
    E(OPS, "less_equal", lambda f: f(V(), 0.0)),
    E(OPS, "greater", lambda f: f(V(), 0.0)),
    E(OPS, "greater_equal", lambda f: f(V(), 0.0)),
    E(OPS, "logical_and", lambda f: f(V(), I())),
    E(OPS, "logical_or", lambda f: f(V(), I())),
    E(OPS, "logical_not", lambda f: f(V())),
    E(OPS, "logical_xor", lambda f: f(V(), I())),
    E(OPS, "allclose", lambda f: f(V(), V())),
    E(OPS, "isclose", lambda f: f(V(), V())),
    E(OPS, "all", lambda f: f(V(), axis=None, keepdims=False)),
    E(OPS, "any", lambda f: f(V(), axis=None, keepdims=False)),
    E(OPS, "where", lambda f: f(np.array([True, False, True]), V(), 0.0)),
    E(OPS, "isnan", lambda f: f(V())),
    # device
    E(OPS, "to_device", lambda f: f(V(), "cpu")),
    E(OPS, "get_device", lambda f: f()),
    E(OPS, "get_available_devices", lambda f: f()),
    E(OPS, "memory_usage", lambda f: f()),
    E(OPS, "memory_info", lambda f: f()),
    E(OPS, "synchronize", lambda f: f(), returns=False),
    E(OPS, "set_default_device", lambda f: f(em.ops.get_default_device()), returns=False),
    E(OPS, "get_default_device", lambda f: f()),
    E(OPS, "is_available", lambda f: f("cpu")),
    # losses
    E(OPS, "mse", lambda f: f(V(), V())),
    E(OPS, "mean_absolute_error", lambda f: f(V(), V())),
    E(OPS, "binary_crossentropy", lambda f: f([1.0, 0.0], [0.8, 0.3], from_logits=False)),
    E(OPS, "categorical_crossentropy", lambda f: f([[0.0, 1.0]], [[0.4, 0.6]])),
    E(OPS, "sparse_categorical_crossentropy", lambda f: f(np.array([1]), [[0.4, 0.6]])),
    E(OPS, "huber_loss", lambda f: f(V(), V(), delta=1.0)),
    E(OPS, "log_cosh_loss", lambda f: f(V(), V())),
    # vector / wave
    E(OPS, "normalize_vector", lambda f: f(V())),
    E(OPS, "euclidean_distance", lambda f: f(V(), I())),
    E(OPS, "cosine_similarity", lambda f: f(V(), I())),
    E(OPS, "exponential_decay", lambda f: f(V(), 0.1)),
    E(OPS, "compute_energy_stability", lambda f: f(np.sin(np.arange(40.0)), window_size=10)),
    E(OPS, "compute_interference_strength", lambda f: f(np.sin(np.arange(16.0)), np.cos(np.arange(16.0)))),
    E(OPS, "compute_phase_coherence", lambda f: f(np.sin(np.arange(16.0)), np.cos(np.arange(16.0)))),
    E(OPS, "partial_interference", lambda f: f(np.sin(np.arange(16.0)), np.cos(np.arange(16.0)), window_size=8)),
    *[E(OPS, name, lambda f: f(V())) for name in ("fft", "ifft", "rfft", "irfft")],
    *[E(OPS, name, lambda f: f(M())) for name in ("fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn",
                                                   "irfftn")],
    # autodiff
    E(OPS, "grad", lambda f: f(lambda x: em.ops.stats.sum(x * x))(V())),
    E(OPS, "value_and_grad", lambda f: f(lambda x: em.ops.stats.sum(x * x))(V())),
    E(OPS, "stop_gradient", lambda f: f(V())),
    # manipulation, constant
    E(OPS, "vstack", lambda f: f([V(), V()])),
    E(OPS, "hstack", lambda f: f([V(), V()])),
    E(OPS, "pi", None),
]

OPS_STATS = [
    E(STATS, "mean", lambda f: f(V(), axis=None, keepdims=False)),
    E(STATS, "var", lambda f: f(V(), axis=0, keepdims=False, ddof=0)),
    E(STATS, "std", lambda f: f(V(), axis=(0,), keepdims=True, ddof=1)),
    E(STATS, "median", lambda f: f(V())),
    E(STATS, "percentile", lambda f: f(V(), 50.0, axis=None, keepdims=False)),
    E(STATS, "max", lambda f: f(V())),
    E(STATS, "min", lambda f: f(V())),
    E(STATS, "sum", lambda f: f(V())),
    E(STATS, "cumsum", lambda f: f(V(), axis=None)),
    E(STATS, "argmax", lambda f: f(V(), axis=None, keepdims=False)),
    E(STATS, "sort", lambda f: f(V(), axis=-1, descending=False)),
    E(STATS, "argsort", lambda f: f(V(), axis=-1, descending=True)),
    E(STATS, "gaussian", lambda f: f(V(), mu=0.0, sigma=1.0)),
]

OPS_LINEARALG = [
    E(LA, "solve", lambda f: f(M(), V()[:2])),
    E(LA, "inv", lambda f: f(M())),
    E(LA, "det", lambda f: f(M())),
    E(LA, "cholesky", lambda f: f(M())),
    E(LA, "eig", lambda f: f(M())),
    E(LA, "eigvals", lambda f: f(M())),
    E(LA, "eigh", lambda f: f(M())),
    E(LA, "svd", lambda f: f(M(), full_matrices=True, compute_uv=True)),
    E(LA, "qr", lambda f: f(M(), mode="reduced")),
    E(LA, "lstsq", lambda f: f(M(), V()[:2], rcond=None)),
    E(LA, "norm", lambda f: f(V(), ord=None, axis=None, keepdims=False)),
    E(LA, "diag", lambda f: f(V(), k=0)),
    E(LA, "diagonal", lambda f: f(M(), offset=0, axis1=0, axis2=1)),
    E(LA, "orthogonal", lambda f: f((3, 3), gain=1.0, dtype=None, device=None)),
]

OPS_BITWISE = [
    E(BW, "bitwise_and", lambda f: f(I(), 6)),
    E(BW, "bitwise_or", lambda f: f(I(), 6)),
    E(BW, "bitwise_xor", lambda f: f(I(), 6)),
    E(BW, "bitwise_not", lambda f: f(I())),
    E(BW, "left_shift", lambda f: f(I(), 2)),
    E(BW, "right_shift", lambda f: f(I(), 1)),
    E(BW, "rotate_left", lambda f: f(I(), 3, bit_width=32)),
    E(BW, "rotate_right", lambda f: f(I(), 3, bit_width=8)),
    E(BW, "count_ones", lambda f: f(I())),
    E(BW, "count_zeros", lambda f: f(I())),
    E(BW, "get_bit", lambda f: f(I(), 1)),
    E(BW, "set_bit", lambda f: f(I(), 4, 1)),
    E(BW, "toggle_bit", lambda f: f(I(), 0)),
    E(BW, "binary_wave_interference", lambda f: f([I(), I() * 2], mode="xor")),
    E(BW, "binary_wave_propagate", lambda f: f(I(), -1)),
    E(BW, "create_duty_cycle", lambda f: f(8, 0.25)),
    E(BW, "generate_blocky_sin", lambda f: f(8, 2)),
]

ACTIVATIONS = [
    E(ACT, "relu", lambda f: f(V())),
    E(ACT, "sigmoid", lambda f: f(V())),
    E(ACT, "tanh", lambda f: f(V())),
    E(ACT, "softmax", lambda f: f(V(), axis=-1)),
    E(ACT, "softplus", lambda f: f(V())),
    E(ACT, "lecun_tanh", lambda f: f(V())),
    E(ACT, "get_activation", lambda f: f("relu")),
] + [E(module, cls, smoke) for module in (ACT, MODS) for cls, smoke in (
    ("ReLU", lambda c: c()(V())),
    ("Tanh", lambda c: c()(V())),
    ("Sigmoid", lambda c: c()(V())),
    ("Softmax", lambda c: c(axis=-1)(V())),
    ("Softplus", lambda c: c()(V())),
    ("LeCunTanh", lambda c: c()(V())),
    ("Dropout", lambda c: c(0.5, seed=1)(V())),
)]

_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "bool_")
NN_TENSOR = [
    E(TENSOR, "EmberTensor", lambda c: c([1.0, 2.0])),
    E(TENSOR, "EmberDType", None),
    E(TENSOR, "DType", None),
    *[E(TENSOR, d, None) for d in _DTYPES],
    E(TENSOR, "get_dtype", lambda f: f("float32")),
    E(TENSOR, "to_dtype_str", lambda f: f("int8")),
    E(TENSOR, "from_dtype_str", lambda f: f("uint16")),
    # construct / create
    E(TENSOR, "array", lambda f: f([1, 2])),
    E(TENSOR, "convert_to_tensor", lambda f: f(V(), dtype=None, device=None, requires_grad=False)),
    E(TENSOR, "zeros", lambda f: f((2, 3), dtype=None, device=None)),
    E(TENSOR, "ones", lambda f: f((2,))),
    E(TENSOR, "eye", lambda f: f(3, m=None)),
    E(TENSOR, "arange", lambda f: f(0, 5, step=2)),
    E(TENSOR, "linspace", lambda f: f(0.0, 1.0, 5)),
    E(TENSOR, "zeros_like", lambda f: f(V())),
    E(TENSOR, "ones_like", lambda f: f(V())),
    E(TENSOR, "full", lambda f: f((2,), 7)),
    E(TENSOR, "full_like", lambda f: f(V(), 3.0)),
    E(TENSOR, "meshgrid", lambda f: f(V(), I(), indexing="xy")),
    # manipulate
    E(TENSOR, "reshape", lambda f: f(V(), (3, 1))),
    E(TENSOR, "transpose", lambda f: f(M(), axes=None)),
    E(TENSOR, "concatenate", lambda f: f([V(), V()], axis=0)),
    E(TENSOR, "stack", lambda f: f([V(), V()])),
    E(TENSOR, "split", lambda f: f(V(), 3, axis=0)),
    E(TENSOR, "split_tensor", lambda f: f(V(), [1, 2])),
    E(TENSOR, "expand_dims", lambda f: f(V(), 0)),
    E(TENSOR, "squeeze", lambda f: f(np.ones((1, 3)), axis=None)),
    E(TENSOR, "tile", lambda f: f(V(), (2,))),
    E(TENSOR, "pad", lambda f: f(V(), [(1, 1)], mode="constant", constant_values=0)),
    E(TENSOR, "vstack", lambda f: f([V(), V()])),
    E(TENSOR, "hstack", lambda f: f([V(), V()])),
    # index
    E(TENSOR, "gather", lambda f: f(V(), I() - 1, axis=0)),
    E(TENSOR, "scatter", lambda f: f(V(), I() - 1, dim_size=None, aggr="add", axis=0)),
    E(TENSOR, "tensor_scatter_nd_update", lambda f: f(V(), np.array([[0]]), np.array([9.0], np.float32))),
    E(TENSOR, "slice_tensor", lambda f: f(M(), [0, 1], [2, -1])),
    E(TENSOR, "slice_update", lambda f: f(M(), (0, slice(None)), updates=None)),
    E(TENSOR, "index_update", lambda f: f(M(), 0, 1, value=5.0)),
    E(TENSOR, "index", lambda f: f(M(), 1)),
    E(TENSOR, "nonzero", lambda f: f(V())),
    # utility
    E(TENSOR, "cast", lambda f: f(V(), "int32")),
    E(TENSOR, "copy", lambda f: f(V())),
    E(TENSOR, "to_numpy", lambda f: f(V())),
    E(TENSOR, "item", lambda f: f(np.float32(2.0))),
    E(TENSOR, "shape", lambda f: f(M())),
    E(TENSOR, "dtype", lambda f: f(M())),
    E(TENSOR, "maximum", lambda f: f(V(), 0.0)),
    E(TENSOR, "tolist", lambda f: f(V())),
    # random
    E(TENSOR, "random_uniform", lambda f: f((3,), minval=0.0, maxval=1.0, dtype=None, device=None, seed=1)),
    E(TENSOR, "random_normal", lambda f: f((3,), mean=0.0, stddev=1.0, seed=1)),
    E(TENSOR, "random_bernoulli", lambda f: f((3,), p=0.5, seed=1)),
    E(TENSOR, "random_binomial", lambda f: f((3,), seed=1)),
    E(TENSOR, "random_gamma", lambda f: f((3,), alpha=1.0, beta=1.0, seed=1)),
    E(TENSOR, "random_exponential", lambda f: f((3,), scale=1.0, seed=1)),
    E(TENSOR, "random_poisson", lambda f: f((3,), lam=1.0, seed=1)),
    E(TENSOR, "random_categorical", lambda f: f(np.zeros((2, 3), np.float32), 4, seed=1)),
    E(TENSOR, "random_permutation", lambda f: f(5, seed=1)),
    E(TENSOR, "shuffle", lambda f: f(V(), seed=1)),
    E(TENSOR, "random_shuffle", lambda f: f(V(), seed=1)),
    E(TENSOR, "set_seed", lambda f: f(1234), returns=False),
    E(TENSOR, "get_seed", lambda f: f()),
]

NN_FEATURES = [
    E(FEAT, "pca", lambda f: f().fit_transform(np.random.default_rng(0).normal(size=(6, 3)))),
    E(FEAT, "standardize", lambda f: f().fit_transform(M())),
    E(FEAT, "normalize", lambda f: f().fit_transform(M())),
    E(FEAT, "one_hot", lambda f: f(I(), 4, axis=-1, dtype=None)),
    E(FEAT, "PCA", lambda c: c(n_components=1, whiten=False).fit(M()).inverse_transform(np.ones((2, 1)))),
    E(FEAT, "Standardize", lambda c: c(with_mean=True, with_std=True).fit(M()).inverse_transform(M())),
    E(FEAT, "Normalize", lambda c: c(norm="l1").fit(M()).inverse_transform(M())),
]

TRAIN = "ember_ml.training"


def _one_step(optimizer_class: Any) -> Any:
    w = em.nn.modules.Parameter(V())
    opt = optimizer_class([w], lr=0.1)
    em.ops.stats.sum(w * w).backward()
    opt.step()
    return w


def _taped_gradient(tape_class: Any) -> Any:
    w = em.nn.modules.Parameter(V())
    with tape_class() as tape:
        loss = em.ops.stats.sum(w * w)
    return tape.gradient(loss, [w])


TRAINING = [
    E(TRAIN, "Optimizer", None),
    *[E(TRAIN, name, _one_step) for name in ("SGD", "Adam", "AdamW", "RMSprop")],
    E(TRAIN, "Loss", None),
    *[E(TRAIN, name, lambda c: c(reduction="mean")(V(), V())) for name in ("MSELoss", "MAELoss", "HuberLoss")],
    E(TRAIN, "BCELoss", lambda c: c()(np.array([0.8, 0.3], np.float32), np.array([1.0, 0.0], np.float32))),
    E(TRAIN, "CrossEntropyLoss", lambda c: c()(np.array([[0.4, 0.6]], np.float32), np.array([1]))),
    E(TRAIN, "GradientTape", _taped_gradient),
    E(TRAIN, "classification_metrics", lambda f: f(I(), I())),
    E(TRAIN, "regression_metrics", lambda f: f(V(), V())),
    E(TRAIN, "confusion_matrix", lambda f: f(I(), I())),
    E(MODS, "Parameter", lambda c: c(V())),
]


def _save_smoke(save):
    with tempfile.TemporaryDirectory() as tmp:
        return save(os.path.join(tmp, "x.npz"), {"a": V()})


def _load_smoke(load):
    with tempfile.TemporaryDirectory() as tmp:
        em.ops.save(os.path.join(tmp, "x.npz"), {"a": em.nn.tensor.convert_to_tensor(V())})
        return load(os.path.join(tmp, "x.npz"))


OPS_IO = [
    E(OPS, "save", _save_smoke, returns=False),
    E(OPS, "load", _load_smoke),
]

INIT = "ember_ml.nn.initializers"
NN_INITIALIZERS = [
    *[E(INIT, name, lambda f: f((3, 2), dtype=None, device=None, seed=1))
      for name in ("glorot_uniform", "glorot_normal", "zeros", "ones", "random_uniform", "random_normal")],
    E(INIT, "orthogonal", lambda f: f((3, 2), gain=1.0)),
    E(INIT, "get_initializer", lambda f: f("glorot_uniform")),
    E(INIT, "BinomialInitializer", lambda c: c(probability=0.5, seed=1)((3, 2))),
    E(INIT, "binomial", lambda f: f((3, 2), probability=0.5, seed=1)),
]

NN_MODULES = [
    E(MODS, "Module", lambda c: c().eval()),
    E(MODS, "BaseModule", lambda c: c().train()),
    E(MODS, "Dense", lambda c: c(3, 2, activation="relu", use_bias=True)(V())),
    E(MODS, "Linear", lambda c: c(3, 2)(V())),
    E(MODS, "Sequential", lambda c: c(em.nn.modules.Linear(3, 2), em.nn.modules.ReLU())(V())),
    E(MODS, "BatchNormalization", lambda c: c()(M())),
    E(MODS, "ModuleList", lambda c: c([em.nn.modules.ReLU()])[0](V())),
    E(MODS, "NeuronMap", lambda c: c(units=4, output_dim=2, input_dim=3)),
    E(MODS, "NCPMap", lambda c: _built(c(inter_neurons=4, command_neurons=3, motor_neurons=2, seed=1))),
    E(MODS, "FullyConnectedMap", lambda c: _built(c(units=4, output_dim=2, input_dim=3))),
    E(MODS, "RandomMap", lambda c: _built(c(units=4, output_dim=2, input_dim=3, sparsity_level=0.5))),
]

def _built(wiring: Any) -> Any:
    wiring.build(3)
    return wiring.adjacency_matrix


WIR = "ember_ml.wirings"
WIRINGS = [
    E(WIR, "Wiring", lambda c: c(4)),
    E(WIR, "FullyConnected", lambda c: _built(c(4, output_dim=2))),
    E(WIR, "Random", lambda c: _built(c(4, output_dim=2, sparsity_level=0.5))),
    E(WIR, "NCP", lambda c: _built(c(4, 3, 2, 2, 2, 2, 2))),
    E(WIR, "AutoNCP", lambda c: _built(c(8, 2, sparsity_level=0.5))),
]


def _seq():  # a batch of 2 sequences of 4 steps with 3 features
    return np.ones((2, 4, 3), np.float32)


def _ncps_cfc():  # skips the entry where ncps is not installed
    import pytest

    return pytest.importorskip("ncps.torch").CfC(3, 4)


NCPS = "ember_ml.ncps"
RNN_LAYERS = [
    E(NCPS, "CfC", lambda c: c(3, 4, backbone_units=8)(_seq())),
    E(NCPS, "LTC", lambda c: c(3, 4)(_seq())),
    *[E(NCPS, name, lambda c: c(3, 4)(_seq())) for name in ("LSTM", "GRU", "RNN", "CTRNN", "CTGRU")],
    E(NCPS, "from_ncps", lambda f: f(_ncps_cfc())),
    E(MODS, "CfC", lambda c: c(em.nn.modules.NCPMap(4, 3, 2, seed=0))(_seq())),
    E(MODS, "LTC", lambda c: c(em.nn.modules.NCPMap(4, 3, 2, seed=0))(_seq())),
    E(MODS, "NCP", lambda c: c(em.nn.modules.NCPMap(4, 3, 2, seed=0))(_seq()[:, 0])),
    E(MODS, "AutoNCP", lambda c: c(8, 2, seed=0)(_seq()[:, 0])),
    *[E(MODS, name, lambda c: c(3, 4, num_layers=2)(_seq())) for name in ("LSTM", "GRU", "RNN")],
    *[E(MODS, name, lambda c: c(4, return_state=True)(_seq())) for name in ("CTRNN", "CTGRU")],
    E(MODS, "from_ncps", lambda f: f(_ncps_cfc())),
]

SECTIONS = {
    "backend management": BACKEND_MANAGEMENT,
    "ember_ml.ops": OPS_MASTER,
    "ops.stats": OPS_STATS,
    "ops.linearalg": OPS_LINEARALG,
    "ops.bitwise": OPS_BITWISE,
    "activations": ACTIVATIONS,
    "ember_ml.nn.tensor": NN_TENSOR,
    "ember_ml.nn.features": NN_FEATURES,
    "ember_ml.training": TRAINING,
    "ops IO": OPS_IO,
    "ember_ml.nn.initializers": NN_INITIALIZERS,
    "ember_ml.nn.modules": NN_MODULES,
    "nn.modules recurrent layers": RNN_LAYERS,
    "ember_ml.wirings": WIRINGS,
}
