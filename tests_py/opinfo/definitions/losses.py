"""Losses (ops.mse, ...): NumPy per-element / per-sample values in float64, rounded to the result dtype."""
from __future__ import annotations

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T

from ..core import REDUCTION_TOLS, Arg, OpInfo, Sample, arr, f64, float_result_dtype
from ..grads import GradCase as G
from ..smoke import OPS, V

FLOATS = ("float32", "float64")
EPS = 1e-7


def _log_probs(p, from_logits):
    p = f64(p)
    if from_logits:
        shifted = p - p.max(-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))


def _bce(t, p, from_logits=False):
    t, p = f64(t), f64(p)
    if from_logits:
        return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    q = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(q) + (1 - t) * np.log(1 - q))


def _huber(t, p, delta=1.0):
    e = np.abs(f64(p) - f64(t))
    return np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))


LOSS_REFS = {
    "mse": lambda t, p: (f64(p) - f64(t)) ** 2,
    "mean_absolute_error": lambda t, p: np.abs(f64(p) - f64(t)),
    "binary_crossentropy": _bce,
    "categorical_crossentropy": lambda t, p, from_logits=False: -(f64(t) * _log_probs(p, from_logits)).sum(-1),
    "sparse_categorical_crossentropy": lambda t, p, from_logits=False: -np.take_along_axis(
        _log_probs(p, from_logits), np.asarray(t)[..., None], -1)[..., 0],
    "huber_loss": _huber,
    "log_cosh_loss": lambda t, p: np.logaddexp(f64(p) - f64(t), f64(t) - f64(p)) - np.log(2.0),
}


def _loss_ref(name):
    def ref(y_true, y_pred, *args, axis=None, keepdims=False, reduction="mean", **kw):
        values_ = LOSS_REFS[name](y_true, y_pred, *args, **kw)
        if reduction != "none":
            values_ = (np.mean if reduction == "mean" else np.sum)(values_, axis=axis, keepdims=keepdims)
        dts = [y_pred] if name == "sparse_categorical_crossentropy" else [y_true, y_pred]
        return np.asarray(values_).astype(float_result_dtype(*dts))
    return ref


def _loss_samples(name):
    def samples(op, dtype, rng):
        sparse = name == "sparse_categorical_crossentropy"
        probs = "crossentropy" in name

        def true(shape, layout="contig"):
            if sparse:
                return Arg(rng.integers(0, 4, shape[:-1]).astype(np.int64))
            lo, hi = (0.0, 1.0) if probs else (-2.0, 2.0)
            return arr(shape, dtype, rng, layout, lo, hi)

        def pred(shape, layout="contig"):
            lo, hi = (0.05, 0.95) if probs else (-2.0, 2.0)
            return arr(shape, dtype, rng, layout, lo, hi)

        s = [Sample((true((3, 4)), pred((3, 4))), {}, "default mean"),
             Sample((true((3, 4)), pred((3, 4))), {"reduction": "sum"}, "sum"),
             Sample((true((2, 3, 4)), pred((2, 3, 4))), {"reduction": "none"}, "none"),
             Sample((true((2, 3, 4)), pred((2, 3, 4))), {"axis": 0, "keepdims": True}, "axis 0 keepdims"),
             Sample((true((2, 3, 4)), pred((2, 3, 4), "rev")), {"axis": -1, "reduction": "sum"}, "reversed y_pred"),
             Sample((true((4, 4)), pred((4, 4), "T")), {}, "transposed y_pred")]
        if not sparse:
            s.append(Sample((true((3, 4), "T"), pred((3, 4), "step2")), {}, "strided operands"))
        if probs:
            s.append(Sample((true((3, 4)), arr((3, 4), dtype, rng, "contig", -4.0, 4.0)), {"from_logits": True},
                            "from logits"))
        if name == "huber_loss":
            s.append(Sample((true((3, 4)), pred((3, 4))), {"delta": 0.3, "reduction": "none"}, "delta 0.3"))
        return s
    return samples


def _on_vv(f):
    return f(V(), V())


def _target(values):
    return T.convert_to_tensor(np.array(values))


# name -> (inventory smoke call, gradient cases)
_ROWS = {
    "mse": (_on_vv, [G("mse", lambda t, p: ops.mse(t, p), lambda g: [g.rand(4, 3), g.rand(4, 3)])]),
    "mean_absolute_error": (_on_vv, [G("mean_absolute_error",
                                       lambda t, p: ops.mean_absolute_error(t, p, reduction="sum"),
                                       lambda g: [g.distinct(3, 2), g.distinct(3, 2) + 0.025])]),
    "binary_crossentropy": (
        lambda f: f([1.0, 0.0], [0.8, 0.3], from_logits=False),
        [G("binary_crossentropy", lambda p: ops.binary_crossentropy(_target([[1.0, 0.0, 1.0]]), p),
           lambda g: [g.rand(1, 3, low=0.2, high=0.8)]),
         G("binary_crossentropy_logits",
           lambda p: ops.binary_crossentropy(_target([0.0, 1.0, 1.0]), p, from_logits=True),
           lambda g: [g.rand(3) * 3])]),
    "categorical_crossentropy": (
        lambda f: f([[0.0, 1.0]], [[0.4, 0.6]]),
        [G("categorical_crossentropy_logits",
           lambda p: ops.categorical_crossentropy(_target(np.eye(3)[[0, 2]]), p, from_logits=True),
           lambda g: [g.rand(2, 3) * 2])]),
    "sparse_categorical_crossentropy": (
        lambda f: f(np.array([1]), [[0.4, 0.6]]),
        [G("sparse_categorical_crossentropy",
           lambda p: ops.sparse_categorical_crossentropy(_target([2, 0]), p, from_logits=True, reduction="none"),
           lambda g: [g.rand(2, 3) * 2])]),
    "huber_loss": (lambda f: f(V(), V(), delta=1.0),
                   [G("huber_loss", lambda t, p: ops.huber_loss(t, p, delta=0.5),
                      lambda g: [g.rand(5) * 2, g.rand(5) * 2])]),
    "log_cosh_loss": (_on_vv, [G("log_cosh_loss", lambda t, p: ops.log_cosh_loss(t, p),
                                 lambda g: [g.rand(2, 3), g.rand(2, 3)])]),
}

OP_DB = [OpInfo(f"losses.{name}", getattr(ops, name), _loss_ref(name), FLOATS, _loss_samples(name),
                tols=REDUCTION_TOLS, module=OPS, smoke=_ROWS[name][0], grads=_ROWS[name][1]) for name in LOSS_REFS]
