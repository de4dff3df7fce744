"""ember_ml.ops losses against NumPy formulas and, when PyTorch is installed, torch.nn.functional.

The per-sample NumPy references live in the op table (``opinfo.LOSS_REFS``) and are shared with the
parity table; here each loss is checked for every reduction, axis and keepdims, on
float32 and float64, plus the numerically hard regions (large logits, probabilities at
0 and 1, large errors for log-cosh).
"""
from __future__ import annotations

import numpy as np
import pytest

import opinfo
from ember_ml import ops
from ember_ml.nn import tensor as T

try:  # the NumPy comparisons always run; only the PyTorch ones need torch
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

ELEMENTWISE = ("mse", "mean_absolute_error", "binary_crossentropy", "huber_loss", "log_cosh_loss")
ALL_LOSSES = ELEMENTWISE + ("categorical_crossentropy", "sparse_categorical_crossentropy")
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


def _inputs(name: str, dtype: str, shape=(4, 5), seed=0, from_logits=False):
    rng = np.random.default_rng(seed)
    if name == "sparse_categorical_crossentropy":
        y_true = rng.integers(0, shape[-1], shape[:-1]).astype(np.int64)
    elif name in ("binary_crossentropy", "categorical_crossentropy"):
        y_true = rng.uniform(0, 1, shape).astype(dtype)
    else:
        y_true = rng.normal(size=shape).astype(dtype)
    if from_logits:
        y_pred = rng.normal(scale=3.0, size=shape).astype(dtype)
    elif "crossentropy" in name:
        y_pred = rng.uniform(0.02, 0.98, shape).astype(dtype)
    else:
        y_pred = rng.normal(size=shape).astype(dtype)
    return y_true, y_pred


def _np_reduce(values: np.ndarray, axis, keepdims, reduction):
    if reduction == "none":
        return values
    fn = np.mean if reduction == "mean" else np.sum
    return fn(values, axis=axis, keepdims=keepdims)


# from_logits exists for the crossentropies only
CASES = [(name, False) for name in ALL_LOSSES] + [(name, True) for name in ALL_LOSSES if "crossentropy" in name]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,from_logits", CASES)
def test_reductions_match_numpy(name: str, dtype: str, from_logits: bool) -> None:
    fn = getattr(ops, name)
    kw = {"from_logits": from_logits} if "crossentropy" in name else {}
    y_true, y_pred = _inputs(name, dtype, (3, 4, 5), from_logits=from_logits)
    per = opinfo.LOSS_REFS[name](y_true, y_pred, **kw)
    axes = [None, 0, -1, (0, 1)] if name in ELEMENTWISE else [None, 0, -1]
    for reduction in ("mean", "sum", "none"):
        for axis in axes if reduction != "none" else [None]:
            for keepdims in (False, True):
                got = fn(T.convert_to_tensor(y_true), T.convert_to_tensor(y_pred), axis=axis, keepdims=keepdims,
                         reduction=reduction, **kw)
                want = _np_reduce(per, axis, keepdims, reduction)
                assert got.shape == np.shape(want), (reduction, axis, keepdims)
                assert str(got.dtype) == dtype
                np.testing.assert_allclose(got.numpy(), want, **TOL[dtype], err_msg=f"{reduction} {axis}")


def test_default_reduction_is_a_scalar_mean() -> None:
    y_true, y_pred = _inputs("mse", "float32")
    got = ops.mse(y_true, y_pred)
    assert got.shape == ()
    np.testing.assert_allclose(got.item(), np.mean((y_pred - y_true) ** 2), rtol=1e-6)


def test_integer_inputs_compute_in_the_prediction_float_dtype() -> None:
    got = ops.mean_absolute_error(np.array([1, 2, 3], np.int32), np.array([2, 2, 5], np.int32))
    assert str(got.dtype) == "float32"
    assert got.item() == pytest.approx(1.0)
    labels = ops.binary_crossentropy(np.array([1, 0], np.int64), np.array([0.9, 0.2], np.float32))
    assert str(labels.dtype) == "float32"
    assert labels.item() == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2, rel=1e-6)


def test_huber_delta_switches_between_quadratic_and_linear() -> None:
    err = np.array([-3.0, -0.5, 0.0, 0.25, 2.0, 10.0])
    for delta in (0.5, 1.0, 2.5):
        want = np.where(np.abs(err) <= delta, 0.5 * err**2, delta * (np.abs(err) - 0.5 * delta))
        got = ops.huber_loss(np.zeros(6), err, delta=delta, reduction="none").numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_log_cosh_is_finite_for_large_errors() -> None:
    err = np.array([-1e4, -80.0, -1e-4, 0.0, 3.0, 100.0, 5e4], np.float32)
    got = ops.log_cosh_loss(np.zeros_like(err), err, reduction="none").numpy()
    want = np.logaddexp(err.astype(np.float64), -err.astype(np.float64)) - np.log(2.0)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_crossentropies_from_logits_are_stable_for_large_logits() -> None:
    logits = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], np.float32)
    labels = np.array([0, 2])
    got = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True, reduction="none").numpy()
    np.testing.assert_allclose(got, [0.0, 1.0 + np.log1p(np.exp(-1.0))], rtol=1e-6, atol=1e-6)
    bce = ops.binary_crossentropy(np.array([1.0, 0.0, 1.0]), np.array([200.0, 200.0, -200.0], np.float32),
                                  from_logits=True, reduction="none").numpy()
    np.testing.assert_allclose(bce, [0.0, 200.0, 200.0], rtol=1e-6)


def test_probabilities_are_clipped_at_epsilon() -> None:
    eps = 1e-7
    y_pred = np.array([0.0, 1.0, 0.0, 1.0])
    y_true = np.array([1.0, 0.0, 0.0, 1.0])
    got = ops.binary_crossentropy(y_true, y_pred, reduction="none").numpy()
    want = -(y_true * np.log(np.clip(y_pred, eps, 1 - eps)) + (1 - y_true) * np.log(1 - np.clip(y_pred, eps, 1 - eps)))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got[0] == pytest.approx(-np.log(eps))


def test_categorical_rescales_probabilities_like_keras() -> None:
    y_pred = np.array([[2.0, 1.0, 1.0]])  # not normalised: Keras divides by the row sum
    y_true = np.array([[1.0, 0.0, 0.0]])
    assert ops.categorical_crossentropy(y_true, y_pred).item() == pytest.approx(-np.log(0.5))


def test_sparse_equals_categorical_with_one_hot_targets() -> None:
    _, logits = _inputs("sparse_categorical_crossentropy", "float64", (6, 4), from_logits=True)
    labels = np.array([0, 3, 1, 1, 2, 0])
    sparse = ops.sparse_categorical_crossentropy(labels, logits, from_logits=True, reduction="none").numpy()
    dense = ops.categorical_crossentropy(np.eye(4)[labels], logits, from_logits=True, reduction="none").numpy()
    np.testing.assert_allclose(sparse, dense, rtol=1e-13)


@needs_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_against_torch_functional(reduction: str) -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)

    def check(got, want):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)

    check(ops.mse(a, b, reduction=reduction), F.mse_loss(tb, ta, reduction=reduction))
    check(ops.mean_absolute_error(a, b, reduction=reduction), F.l1_loss(tb, ta, reduction=reduction))
    check(ops.huber_loss(a, b, delta=0.7, reduction=reduction), F.huber_loss(tb, ta, delta=0.7, reduction=reduction))
    targets = rng.uniform(0, 1, (5, 3))
    probs = rng.uniform(0.05, 0.95, (5, 3))
    check(ops.binary_crossentropy(targets, probs, reduction=reduction),
          F.binary_cross_entropy(torch.from_numpy(probs), torch.from_numpy(targets), reduction=reduction))
    check(ops.binary_crossentropy(targets, a, from_logits=True, reduction=reduction),
          F.binary_cross_entropy_with_logits(ta, torch.from_numpy(targets), reduction=reduction))
    soft = rng.dirichlet(np.ones(3), 5)
    check(ops.categorical_crossentropy(soft, a, from_logits=True, reduction=reduction),
          F.cross_entropy(ta, torch.from_numpy(soft), reduction=reduction))
    labels = rng.integers(0, 3, 5)
    check(ops.sparse_categorical_crossentropy(labels, a, from_logits=True, reduction=reduction),
          F.cross_entropy(ta, torch.from_numpy(labels), reduction=reduction))
    check(ops.sparse_categorical_crossentropy(labels, probs / probs.sum(1, keepdims=True), reduction=reduction),
          F.nll_loss(torch.log(torch.from_numpy(probs / probs.sum(1, keepdims=True))), torch.from_numpy(labels),
                     reduction=reduction))
