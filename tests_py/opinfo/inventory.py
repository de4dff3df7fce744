"""The public names of /work/shared/API.md that are not ops, one line each with a smoke call.

The ops' entries come from their OpInfo rows (``module`` and ``smoke``): :func:`sections`
joins both. ``test_inventory.py`` checks, on every backend, that each name exists, is not
None and that its smoke call neither raises ``NotImplementedError`` nor returns None
(unless the entry says the function returns None). A smoke call receives the object looked
up by name and calls it on tiny inputs; ``None`` as the call means "not callable, existence
only". To add a name that is not an op, add one ``E(...)`` line to its section.

Every name of API.md is listed (here or in a row).
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import Any, Callable

import numpy as np

import ember_ml as em

from .smoke import ACT, BW, FEAT, LA, MODS, OPS, STATS, TENSOR, I, M, V


@dataclasses.dataclass(frozen=True)
class E:
    module: str
    name: str
    smoke: Callable[[Any], Any] | None
    returns: bool = True  # False: the function returns None by design


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
    # autodiff
    E(OPS, "grad", lambda f: f(lambda x: em.ops.stats.sum(x * x))(V())),
    E(OPS, "value_and_grad", lambda f: f(lambda x: em.ops.stats.sum(x * x))(V())),
    E(OPS, "stop_gradient", lambda f: f(V())),
    # constant
    E(OPS, "pi", None),
]

OPS_BITWISE = [
    E(BW, "rotate_left", lambda f: f(I(), 3, bit_width=32)),
    E(BW, "rotate_right", lambda f: f(I(), 3, bit_width=8)),
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
    E(ACT, "sigmoid", lambda f: f(V())),
    E(ACT, "tanh", lambda f: f(V())),
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
    # construct
    E(TENSOR, "array", lambda f: f([1, 2])),
    E(TENSOR, "convert_to_tensor", lambda f: f(V(), dtype=None, device=None, requires_grad=False)),
    # utility
    E(TENSOR, "to_numpy", lambda f: f(V())),
    E(TENSOR, "item", lambda f: f(np.float32(2.0))),
    E(TENSOR, "shape", lambda f: f(M())),
    E(TENSOR, "dtype", lambda f: f(M())),
    E(TENSOR, "tolist", lambda f: f(V())),
    # random
    E(TENSOR, "set_seed", lambda f: f(1234), returns=False),
    E(TENSOR, "get_seed", lambda f: f()),
]

NN_FEATURES = [
    E(FEAT, "pca", lambda f: f().fit_transform(np.random.default_rng(0).normal(size=(6, 3)))),
    E(FEAT, "standardize", lambda f: f().fit_transform(M())),
    E(FEAT, "normalize", lambda f: f().fit_transform(M())),
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

# The section of the op rows each public module exports.
ROW_SECTIONS = {OPS: "ember_ml.ops", STATS: "ops.stats", LA: "ops.linearalg", BW: "ops.bitwise", ACT: "activations",
                TENSOR: "ember_ml.nn.tensor", FEAT: "ember_ml.nn.features"}

_NON_OPS = {
    "backend management": BACKEND_MANAGEMENT,
    "ember_ml.ops": OPS_MASTER,
    "ops.stats": [],
    "ops.linearalg": [],
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


def sections(rows: list) -> dict[str, list[E]]:
    """Every section: its names that are not ops, then an entry for each row whose module it holds."""
    out = {name: list(entries) for name, entries in _NON_OPS.items()}
    for op in rows:
        if op.module is not None:
            out[ROW_SECTIONS[op.module]].append(E(op.module, op.public_name, op.smoke))
    return out
