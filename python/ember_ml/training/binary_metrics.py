"""Binary-classification metrics: ``binary_classification_metrics``, ``roc_auc``,
``precision_recall_curve``, ``average_precision_score``.

Definitions are scikit-learn's (``sklearn.metrics``: ``roc_auc_score``,
``precision_recall_curve``, ``average_precision_score``; precision / recall / F1 with
``zero_division=0``). Curves need a sort of the scores, so these evaluate on the host
with NumPy, outside any gradient graph; they return Python floats and EmberTensors.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, to_numpy

__all__ = ["binary_classification_metrics", "roc_auc", "precision_recall_curve", "average_precision_score"]


def _binary_inputs(y_true: Any, y_score: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``y_true`` as a 0/1 int vector and ``y_score`` as a float64 vector of the same length."""
    true, score = np.asarray(to_numpy(convert_to_tensor(y_true))), np.asarray(to_numpy(convert_to_tensor(y_score)))
    if true.ndim != 1 or score.shape != true.shape:
        raise ValueError(f"[{name}] y_true and y_score must be vectors of one length, got shapes "
                         f"{true.shape} and {score.shape}")
    if true.size == 0:
        raise ValueError(f"[{name}] got no samples")
    if not np.isin(true, (0, 1)).all():
        raise ValueError(f"[{name}] y_true must hold binary labels 0 / 1, got values {np.unique(true)[:5].tolist()}")
    return true.astype(np.int64), score.astype(np.float64)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def binary_classification_metrics(y_true: Any, y_score: Any, threshold: float = 0.5) -> dict[str, Any]:
    """Accuracy, precision, recall, specificity and F1 of ``y_score >= threshold`` against ``y_true``.

    Args:
        y_true: ``(n,)`` labels 0 / 1.
        y_score: ``(n,)`` probabilities or scores of class 1 (or 0 / 1 predictions).
        threshold: scores at or above it are predicted 1.

    Returns:
        dict of Python floats ``accuracy precision recall specificity f1`` and
        ``confusion_matrix``, an int64 ``(2, 2)`` EmberTensor ``[[TN, FP], [FN, TP]]``.

    Raises:
        ValueError: ``[binary_classification_metrics]`` for shapes that differ, no samples, or
            labels other than 0 / 1.
    """
    true, score = _binary_inputs(y_true, y_score, "binary_classification_metrics")
    pred = (score >= threshold).astype(np.int64)
    tp, fp = int(np.sum(pred & true)), int(np.sum(pred & (1 - true)))
    fn, tn = int(np.sum((1 - pred) & true)), int(np.sum((1 - pred) & (1 - true)))
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"accuracy": (tp + tn) / true.size, "precision": precision, "recall": recall,
            "specificity": _ratio(tn, tn + fp), "f1": _ratio(2 * precision * recall, precision + recall),
            "confusion_matrix": convert_to_tensor(np.array([[tn, fp], [fn, tp]], dtype=np.int64))}


def _counts_by_threshold(true: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True / false positives predicted at each distinct score taken as threshold, highest score first."""
    order = np.argsort(score, kind="mergesort")[::-1]
    score, true = score[order], true[order]
    last_of_each = np.r_[np.flatnonzero(np.diff(score)), true.size - 1]
    tps = np.cumsum(true)[last_of_each]
    return tps, 1 + last_of_each - tps, score[last_of_each]


def roc_auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve (trapezoidal over the distinct thresholds; ``sklearn.metrics.roc_auc_score``).

    Raises:
        ValueError: ``[roc_auc]`` for bad shapes or labels, or when y_true holds one class only.
    """
    true, score = _binary_inputs(y_true, y_score, "roc_auc")
    tps, fps, _ = _counts_by_threshold(true, score)
    if tps[-1] == 0 or fps[-1] == 0:
        raise ValueError(f"[roc_auc] y_true needs both classes, got {int(tps[-1])} positives and "
                         f"{int(fps[-1])} negatives")
    tpr, fpr = np.r_[0, tps] / tps[-1], np.r_[0, fps] / fps[-1]
    return float(np.trapezoid(tpr, fpr))


def precision_recall_curve(y_true: Any, y_score: Any) -> tuple[EmberTensor, EmberTensor, EmberTensor]:
    """Precision and recall at every distinct score threshold (``sklearn.metrics.precision_recall_curve``).

    Returns:
        ``(precision, recall, thresholds)``: float64 EmberTensors; thresholds ascending
        ``(k,)``, precision and recall ``(k + 1,)`` ending with the point ``(1, 0)``.

    Raises:
        ValueError: ``[precision_recall_curve]`` for bad shapes or labels, or no positive sample.
    """
    true, score = _binary_inputs(y_true, y_score, "precision_recall_curve")
    tps, fps, thresholds = _counts_by_threshold(true, score)
    if tps[-1] == 0:
        raise ValueError("[precision_recall_curve] y_true has no positive sample")
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    as_tensor = convert_to_tensor
    return (as_tensor(np.r_[precision[::-1], 1.0]), as_tensor(np.r_[recall[::-1], 0.0]),
            as_tensor(thresholds[::-1].copy()))


def average_precision_score(y_true: Any, y_score: Any) -> float:
    """``sum_n (R_n - R_{n-1}) P_n`` over the precision-recall curve (``sklearn.metrics.average_precision_score``).

    Raises:
        ValueError: as :func:`precision_recall_curve`.
    """
    precision, recall, _ = precision_recall_curve(y_true, y_score)
    return float(-np.sum(np.diff(recall.numpy()) * precision.numpy()[:-1]))
