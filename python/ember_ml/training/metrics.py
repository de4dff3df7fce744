"""Evaluation metrics: ``confusion_matrix``, ``classification_metrics``, ``regression_metrics``.

Definitions are scikit-learn's (``sklearn.metrics``: ``confusion_matrix``,
``accuracy_score``, ``precision_recall_fscore_support`` with ``zero_division=0``,
``mean_squared_error``, ``mean_absolute_error``, ``r2_score``), computed with Ember ops
outside any gradient graph.
"""
from __future__ import annotations

from typing import Any

from ember_ml import _core
from ember_ml.nn.tensor import EmberTensor, bool_, convert_to_tensor
from ember_ml.ops.autodiff import no_grad

__all__ = ["confusion_matrix", "classification_metrics", "regression_metrics"]


def _labels(y_true: Any, y_pred: Any, name: str) -> tuple[EmberTensor, EmberTensor]:
    """Integer label vectors; y_pred with one more axis than y_true is reduced by argmax."""
    true = convert_to_tensor(y_true)
    pred = convert_to_tensor(y_pred, device=true.device)
    if pred.ndim == true.ndim + 1:
        pred = _core.argmax(pred, -1, False)
    for t, what in ((true, "y_true"), (pred, "y_pred")):
        if t.dtype.is_floating_point or t.dtype == bool_:
            raise TypeError(f"[{name}] {what} must hold integer class labels (or y_pred scores with a class axis), "
                            f"got {t.dtype}")
    if tuple(true.shape) != tuple(pred.shape) or true.ndim != 1:
        raise ValueError(f"[{name}] y_true and y_pred must be label vectors of one length, got shapes "
                         f"{tuple(true.shape)} and {tuple(pred.shape)}")
    if true.size == 0:
        raise ValueError(f"[{name}] got no samples")
    return _core.cast(true, "int64"), _core.cast(pred, "int64")


def _confusion(true: EmberTensor, pred: EmberTensor, num_classes: int | None, name: str) -> EmberTensor:
    low = min(_core.min(true, None, False).item(), _core.min(pred, None, False).item())
    high = max(_core.max(true, None, False).item(), _core.max(pred, None, False).item())
    n = high + 1 if num_classes is None else num_classes
    if low < 0 or high >= n:
        raise IndexError(f"[{name}] labels must lie in [0, {n}), got values from {low} to {high}")
    flat = _core.add(_core.multiply(true, n), pred)
    counts = _core.scatter(_core.ones((true.size,), dtype="int64"), flat, n * n, "add", 0)
    return _core.reshape(counts, (n, n))


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> EmberTensor:
    """Counts of samples by (true class, predicted class), as ``sklearn.metrics.confusion_matrix``.

    Args:
        y_true: (n,) integer class labels.
        y_pred: (n,) integer predicted labels, or (n, C) scores whose argmax is the label.
        num_classes: C; default ``max label + 1``.

    Returns:
        (C, C) int64 tensor: entry [i, j] counts samples of class i predicted as j.

    Raises:
        TypeError: non-integer labels.
        ValueError: shapes that are not two vectors of one length, or no samples.
        IndexError: a label outside [0, C).
    """
    with no_grad():
        true, pred = _labels(y_true, y_pred, "confusion_matrix")
        return _confusion(true, pred, num_classes, "confusion_matrix")


def classification_metrics(y_true: Any, y_pred: Any, num_classes: int | None = None) -> dict[str, Any]:
    """Accuracy and per-class / macro precision, recall and F1, as scikit-learn defines them.

    Precision of class c is TP / (TP + FP), recall TP / (TP + FN), F1 their harmonic
    mean; a zero denominator gives 0 (``zero_division=0``). Macro averages are unweighted
    means over the classes that occur in y_true or y_pred (scikit-learn's labels).

    Args:
        y_true: (n,) integer class labels.
        y_pred: (n,) integer labels or (n, C) scores (argmax taken).
        num_classes: C; default ``max label + 1``.

    Returns:
        dict with ``accuracy`` and the macro averages ``precision``, ``recall``, ``f1``
        (Python floats; ``macro_precision`` / ``macro_recall`` / ``macro_f1`` are the same
        numbers), the per-class ``per_class_precision``, ``per_class_recall``,
        ``per_class_f1`` ((C,) float64 tensors) and ``confusion_matrix`` ((C, C) int64 tensor).

    Raises:
        As :func:`confusion_matrix`.
    """
    with no_grad():
        true, pred = _labels(y_true, y_pred, "classification_metrics")
        cm = _confusion(true, pred, num_classes, "classification_metrics")
        counts = _core.cast(cm, "float64")
        tp = _core.linalg.diagonal(counts, 0, 0, 1)
        predicted = _core.sum(counts, 0, False)
        actual = _core.sum(counts, 1, False)

        def ratio(num: EmberTensor, den: EmberTensor) -> EmberTensor:
            return _core.where(den > 0, num / _core.maximum(den, 1.0), 0.0)

        precision, recall = ratio(tp, predicted), ratio(tp, actual)
        f1 = ratio(2.0 * precision * recall, precision + recall)
        present = _core.cast((predicted + actual) > 0, "float64")
        n_present = _core.sum(present, None, False)

        def macro(v: EmberTensor) -> float:
            return (_core.sum(v * present, None, False) / n_present).item()

        averages = {"precision": macro(precision), "recall": macro(recall), "f1": macro(f1)}
        return {
            "accuracy": (_core.sum(tp, None, False) / true.size).item(), **averages,
            **{f"macro_{key}": value for key, value in averages.items()},
            "per_class_precision": precision, "per_class_recall": recall, "per_class_f1": f1,
            "confusion_matrix": cm,
        }


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """Mean squared error, its root, mean absolute error and R^2, as scikit-learn defines them.

    For 2-D targets each metric is computed per output column and averaged uniformly
    (scikit-learn's ``multioutput='uniform_average'``). R^2 is ``1 - SS_res / SS_tot``;
    a constant column gives 1 when predicted exactly, else 0 (scikit-learn's
    ``force_finite=True``).

    Args:
        y_true: (n,) or (n, k) targets.
        y_pred: predictions of y_true's shape.

    Returns:
        dict with ``mse``, ``rmse`` (per-column sqrt of the MSE, then averaged), ``mae`` and
        ``r2`` as Python floats.

    Raises:
        ValueError: different shapes, more than two dimensions, or no samples.
    """
    with no_grad():
        true = _core.cast(convert_to_tensor(y_true), "float64")
        pred = _core.cast(convert_to_tensor(y_pred, device=true.device), "float64")
        if tuple(true.shape) != tuple(pred.shape) or true.ndim not in (1, 2) or true.shape[0] == 0:
            raise ValueError(f"[regression_metrics] y_true and y_pred must have one (n,) or (n, k) shape with n > 0, "
                             f"got {tuple(true.shape)} and {tuple(pred.shape)}")
        err = pred - true
        column_mse = _core.mean(_core.square(err), 0, False)
        ss_res = _core.sum(_core.square(err), 0, False)
        ss_tot = _core.sum(_core.square(true - _core.mean(true, 0, True)), 0, False)
        r2 = _core.where(ss_tot > 0, 1.0 - ss_res / _core.maximum(ss_tot, 1e-300),
                         _core.where(ss_res == 0, 1.0, 0.0))
        return {"mse": _core.mean(column_mse, None, False).item(),
                "rmse": _core.mean(_core.sqrt(column_mse), None, False).item(),
                "mae": _core.mean(_core.abs(err), None, False).item(),
                "r2": _core.mean(r2, None, False).item()}
