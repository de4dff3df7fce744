"""Sampling ops (nn.tensor.random_*). No NumPy parity rows: their streams are checked against their
distributions and for reproducibility in test_random.py (and cpu against opencl bit for bit in
test_opencl.py); the rows carry the inventory's smoke calls and the registry kernels."""
from __future__ import annotations

import numpy as np

from ember_ml.nn import tensor as T

from ..core import OpInfo
from ..smoke import TENSOR, V


def _row(name, smoke, **kw):
    return OpInfo(name, getattr(T, name), module=TENSOR, smoke=smoke, **kw)


OP_DB = [
    _row("random_uniform", lambda f: f((3,), minval=0.0, maxval=1.0, dtype=None, device=None, seed=1)),
    _row("random_normal", lambda f: f((3,), mean=0.0, stddev=1.0, seed=1)),
    _row("random_bernoulli", lambda f: f((3,), p=0.5, seed=1)),
    _row("random_binomial", lambda f: f((3,), seed=1)),
    _row("random_gamma", lambda f: f((3,), alpha=1.0, beta=1.0, seed=1)),
    _row("random_exponential", lambda f: f((3,), scale=1.0, seed=1)),
    _row("random_poisson", lambda f: f((3,), lam=1.0, seed=1)),
    _row("random_categorical", lambda f: f(np.zeros((2, 3), np.float32), 4, seed=1)),
    _row("random_permutation", lambda f: f(5, seed=1)),
    _row("shuffle", lambda f: f(V(), seed=1), kernels=("random_shuffle",)),
    _row("random_shuffle", lambda f: f(V(), seed=1)),
]
