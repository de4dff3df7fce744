"""Loss classes against torch.nn.functional (values and gradients), metrics against scikit-learn."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.ops import losses as F
from ember_ml.ops import stats
from ember_ml.training import (
    BCELoss,
    CrossEntropyLoss,
    HuberLoss,
    MAELoss,
    MSELoss,
    classification_metrics,
    confusion_matrix,
    regression_metrics,
)

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RNG = np.random.default_rng(7)
PRED = RNG.standard_normal((6, 5))
TARGET = RNG.standard_normal((6, 5))
PROBS = RNG.uniform(0.05, 0.95, (6, 5))
BITS = RNG.integers(0, 2, (6, 5)).astype(np.float64)
LOGITS3 = RNG.standard_normal((4, 3, 5))
LABELS3 = RNG.integers(0, 5, (4, 3))
SOFT = RNG.dirichlet(np.ones(5), size=6)
LABELS = RNG.integers(0, 5, 6)

# name, ember loss factory, torch function of (pred, target, reduction), pred, target
CASES: list[tuple[str, Callable[[str], Any], Callable[..., Any], np.ndarray, np.ndarray]] = [
    ("mse", lambda r: MSELoss(reduction=r), lambda p, t, r: TF.mse_loss(p, t, reduction=r), PRED, TARGET),
    ("mae", lambda r: MAELoss(reduction=r), lambda p, t, r: TF.l1_loss(p, t, reduction=r), PRED, TARGET),
    ("huber", lambda r: HuberLoss(delta=0.7, reduction=r),
     lambda p, t, r: TF.huber_loss(p, t, reduction=r, delta=0.7), PRED, TARGET),
    ("bce", lambda r: BCELoss(reduction=r), lambda p, t, r: TF.binary_cross_entropy(p, t, reduction=r), PROBS, BITS),
    ("bce_logits", lambda r: BCELoss(from_logits=True, reduction=r),
     lambda p, t, r: TF.binary_cross_entropy_with_logits(p, t, reduction=r), 5 * PRED, BITS),
    ("ce_sparse", lambda r: CrossEntropyLoss(reduction=r), lambda p, t, r: TF.cross_entropy(p, t, reduction=r),
     PRED, LABELS),
    ("ce_sparse_3d", lambda r: CrossEntropyLoss(reduction=r),
     lambda p, t, r: TF.cross_entropy(p.permute(0, 2, 1), t, reduction=r), LOGITS3, LABELS3),
    ("ce_probabilities", lambda r: CrossEntropyLoss(reduction=r),
     lambda p, t, r: TF.cross_entropy(p, t, reduction=r), PRED, SOFT),
    ("ce_from_probs", lambda r: CrossEntropyLoss(from_logits=False, reduction=r),
     # Probabilities are renormalised over the classes first (Keras 3), which changes the gradient.
     lambda p, t, r: TF.nll_loss(torch.log(p / p.sum(-1, keepdim=True)), t, reduction=r), SOFT, LABELS),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,make,reference,pred,target", CASES, ids=[c[0] for c in CASES])
def test_loss_value_and_gradient_match_torch(name: str, make: Callable[[str], Any], reference: Callable[..., Any],
                                             pred: np.ndarray, target: np.ndarray, reduction: str) -> None:
    p = T.convert_to_tensor(pred, requires_grad=True)
    loss = make(reduction)(p, T.convert_to_tensor(target))
    tp = torch.from_numpy(pred.copy()).requires_grad_(True)
    t_loss = reference(tp, torch.from_numpy(target.copy()), reduction)
    assert tuple(loss.shape) == tuple(t_loss.shape) and loss.dtype == "float64"
    np.testing.assert_allclose(loss.numpy(), t_loss.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = np.random.default_rng(0).uniform(0.5, 1.5, tuple(t_loss.shape))  # exposes every output's gradient
    stats.sum(loss * T.convert_to_tensor(weights)).backward()
    (t_loss * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bce_clips_probabilities_like_keras() -> None:
    pred, target = np.array([0.0, 1.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0, 0.0])
    got = BCELoss(reduction="none")(pred, target)
    clipped = np.clip(pred, 1e-7, 1 - 1e-7)  # ops.binary_crossentropy's documented epsilon
    want = -(target * np.log(clipped) + (1 - target) * np.log(1 - clipped))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_float32_predictions_keep_their_dtype() -> None:
    loss = MSELoss()(PRED.astype(np.float32), TARGET.astype(np.float32))
    assert loss.dtype == "float32"
    assert loss.item() == pytest.approx(float(np.mean((PRED - TARGET) ** 2)), rel=1e-6)


def test_functional_axis_and_keepdims() -> None:
    got = F.mse(TARGET, PRED, axis=1, keepdims=True)
    np.testing.assert_allclose(got.numpy(), np.mean((PRED - TARGET) ** 2, axis=1, keepdims=True), rtol=1e-12)
    got = F.sparse_categorical_crossentropy(LABELS, PRED, from_logits=True, reduction="sum")
    want = TF.cross_entropy(torch.from_numpy(PRED), torch.from_numpy(LABELS), reduction="sum")
    assert got.item() == pytest.approx(want.item(), rel=1e-12)


def test_bad_loss_inputs_raise() -> None:
    with pytest.raises(ValueError, match=r"\[MSELoss\] reduction must be one of .*'avg'"):
        MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"\[HuberLoss\] delta must be > 0, got 0"):
        HuberLoss(delta=0)
    with pytest.raises(ValueError, match=r"\[mse\] .*same shape, got \(2,\) and \(3,\)"):
        MSELoss()([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(IndexError, match=r"\[sparse_categorical_crossentropy\] labels must lie in \[0, 5\)"):
        CrossEntropyLoss()(PRED, np.full(6, 5))
    with pytest.raises(TypeError,
                       match=r"\[sparse_categorical_crossentropy\] y_true must hold integer class labels, got float64"):
        F.sparse_categorical_crossentropy(LABELS.astype(np.float64), PRED)
    with pytest.raises(ValueError, match=r"\[categorical_crossentropy\] .*same shape"):
        CrossEntropyLoss()(PRED, SOFT[:, :3])
    with pytest.raises(ValueError, match=r"\[binary_crossentropy\] reduction"):
        F.binary_crossentropy(BITS, PROBS, reduction="mean ")


# ---- metrics against scikit-learn ---------------------------------------------------------

def test_classification_metrics_match_sklearn() -> None:
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(8)
    y_true = rng.choice([0, 1, 2, 4, 5], 60)  # class 3 never occurs
    y_pred = np.where(rng.uniform(size=60) < 0.6, y_true, rng.choice([0, 1, 2, 5], 60))  # 4 never predicted
    got = classification_metrics(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred).numpy()[np.ix_(present, present)],
                                  skm.confusion_matrix(y_true, y_pred))
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred), rel=1e-12)
    p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    for key, want in (("precision", p), ("recall", r), ("f1", f)):
        np.testing.assert_allclose(got[f"per_class_{key}"].numpy()[present], want, rtol=1e-12)
        assert got[key] == got[f"macro_{key}"] == pytest.approx(float(np.mean(want)), rel=1e-12)
    scores = np.eye(6)[y_pred] + 0.1 * rng.uniform(size=(60, 6))  # argmax is y_pred
    assert classification_metrics(y_true, scores)["macro_f1"] == pytest.approx(got["macro_f1"], rel=1e-12)
    assert confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)


@pytest.mark.parametrize("shape", [(50,), (50, 3)])
def test_regression_metrics_match_sklearn(shape: tuple[int, ...]) -> None:
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(9)
    y_true = rng.standard_normal(shape)
    y_pred = y_true + 0.3 * rng.standard_normal(shape)
    got = regression_metrics(y_true, y_pred)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y_true, y_pred), rel=1e-12)
    assert got["rmse"] == pytest.approx(skm.root_mean_squared_error(y_true, y_pred), rel=1e-12)
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y_true, y_pred), rel=1e-12)
    assert got["r2"] == pytest.approx(skm.r2_score(y_true, y_pred), rel=1e-12)


def test_r2_of_constant_targets_follows_sklearn() -> None:
    skm = pytest.importorskip("sklearn.metrics")
    y = np.ones((5, 2))
    pred = np.stack([np.ones(5), np.arange(5.0)], axis=1)
    assert regression_metrics(y, pred)["r2"] == pytest.approx(skm.r2_score(y, pred))


def test_bad_metric_inputs_raise() -> None:
    with pytest.raises(TypeError, match=r"\[confusion_matrix\] y_true must hold integer class labels.*float32"):
        confusion_matrix([0.0, 1.0], [0, 1])
    with pytest.raises(ValueError, match=r"\[classification_metrics\] .*shapes \(2,\) and \(3,\)"):
        classification_metrics([0, 1], [0, 1, 1])
    with pytest.raises(IndexError, match=r"\[confusion_matrix\] labels must lie in \[0, 2\), got values from 0 to 3"):
        confusion_matrix([0, 3], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=r"\[regression_metrics\] .*\(3,\) and \(2,\)"):
        regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0])
