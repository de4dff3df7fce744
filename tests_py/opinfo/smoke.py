"""Public module paths (as API.md names them) and the tiny inputs of the inventory's smoke calls."""
from __future__ import annotations

import numpy as np

OPS, STATS, LA, BW = "ember_ml.ops", "ember_ml.ops.stats", "ember_ml.ops.linearalg", "ember_ml.ops.bitwise"
ACT, MODS, TENSOR, FEAT = ("ember_ml.nn.modules.activations", "ember_ml.nn.modules", "ember_ml.nn.tensor",
                           "ember_ml.nn.features")


def V() -> np.ndarray:  # a small float vector
    return np.array([0.5, -1.0, 2.0], np.float32)


def M() -> np.ndarray:  # a small well-conditioned float matrix
    return np.array([[4.0, 1.0], [1.0, 3.0]], np.float32)


def I() -> np.ndarray:  # small non-negative integers  # noqa: E743
    return np.array([3, 1, 2], np.int32)


def on_v(f):
    """Smoke call ``f(V())``."""
    return f(V())


def on_i(f):
    """Smoke call ``f(I())``."""
    return f(I())
