"""Functional losses ``(y_true, y_pred, axis=None, keepdims=False, reduction='mean')``.

Each loss first computes an unreduced loss (per element; per sample for the
cross-entropies, whose classes lie on the last axis), then reduces it: ``'mean'`` or
``'sum'`` over ``axis`` (None: every axis) keeping reduced axes when ``keepdims``, or
``'none'`` for the unreduced tensor. All are compositions of differentiable C++ ops, so
gradients flow to ``y_pred``. Formulas follow ``torch.nn.functional`` (cited per loss).
"""
from __future__ import annotations

from typing import Any, Callable

from ember_ml import _core
from ember_ml.nn.tensor import EmberTensor, bool_, convert_to_tensor

__all__ = ["mse", "mean_absolute_error", "huber_loss", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy"]

_REDUCTIONS = ("mean", "sum", "none")
# torch.nn.functional.binary_cross_entropy clamps log terms at -100 so that p = 0 or 1
# gives a finite loss; the probability-input cross-entropy does the same.
_LOG_FLOOR = -100.0


def check_reduction(reduction: Any, owner: str) -> None:
    """ValueError naming ``owner`` unless reduction is 'mean', 'sum' or 'none'."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"[{owner}] reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _prediction(y_pred: Any) -> EmberTensor:
    t = convert_to_tensor(y_pred)
    return t if t.dtype.is_floating_point else _core.cast(t, "float32")


def _pair(y_true: Any, y_pred: Any, name: str) -> tuple[EmberTensor, EmberTensor]:
    """y_true cast to y_pred's floating dtype; ValueError unless the shapes are equal."""
    pred = _prediction(y_pred)
    true = convert_to_tensor(y_true, device=pred.device)
    if tuple(true.shape) != tuple(pred.shape):
        raise ValueError(f"[{name}] y_true and y_pred must have the same shape, got {tuple(true.shape)} and "
                         f"{tuple(pred.shape)}")
    return (true if true.dtype == pred.dtype else _core.cast(true, pred.dtype)), pred


def _reduced(name: str, reduction: str, axis: Any, keepdims: bool, unreduced: Callable[[], EmberTensor]) -> EmberTensor:
    """Checks reduction, then computes and reduces the unreduced loss."""
    check_reduction(reduction, name)
    loss = unreduced()
    if reduction == "none":
        return loss
    return (_core.mean if reduction == "mean" else _core.sum)(loss, axis, keepdims)


def _squared_error(y_true: Any, y_pred: Any) -> EmberTensor:
    true, pred = _pair(y_true, y_pred, "mse")
    return _core.square(pred - true)


def _absolute_error(y_true: Any, y_pred: Any) -> EmberTensor:
    true, pred = _pair(y_true, y_pred, "mean_absolute_error")
    return _core.abs(pred - true)


def _huber(y_true: Any, y_pred: Any, delta: float) -> EmberTensor:
    if not delta > 0:
        raise ValueError(f"[huber_loss] delta must be > 0, got {delta}")
    true, pred = _pair(y_true, y_pred, "huber_loss")
    d = pred - true
    a = _core.abs(d)
    return _core.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _binary_ce(y_true: Any, y_pred: Any, from_logits: bool) -> EmberTensor:
    true, pred = _pair(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        # max(x, 0) - x*y + log(1 + exp(-|x|)): the overflow-free form torch's
        # binary_cross_entropy_with_logits uses.
        return _core.maximum(pred, 0.0) - pred * true + _core.log(1.0 + _core.exp(-_core.abs(pred)))
    log_p = _core.maximum(_core.log(pred), _LOG_FLOOR)
    log_q = _core.maximum(_core.log(1.0 - pred), _LOG_FLOOR)
    return -(true * log_p + (1.0 - true) * log_q)


def _log_probabilities(pred: EmberTensor, from_logits: bool) -> EmberTensor:
    """log softmax over the last axis (logits), or the clamped log of probabilities."""
    if not from_logits:
        return _core.maximum(_core.log(pred), _LOG_FLOOR)
    shifted = pred - _core.max(pred, -1, True)
    return shifted - _core.log(_core.sum(_core.exp(shifted), -1, True))


def _categorical_ce(y_true: Any, y_pred: Any, from_logits: bool) -> EmberTensor:
    true, pred = _pair(y_true, y_pred, "categorical_crossentropy")
    if pred.ndim < 1:
        raise ValueError("[categorical_crossentropy] y_pred needs a class axis (last), got a 0-d tensor")
    return -_core.sum(true * _log_probabilities(pred, from_logits), -1, False)


def _sparse_categorical_ce(y_true: Any, y_pred: Any, from_logits: bool) -> EmberTensor:
    pred = _prediction(y_pred)
    labels = convert_to_tensor(y_true, device=pred.device)
    if labels.dtype.is_floating_point or labels.dtype == bool_:
        raise TypeError(f"[sparse_categorical_crossentropy] y_true must hold integer class indices, got {labels.dtype}")
    if pred.ndim < 1 or tuple(labels.shape) != tuple(pred.shape[:-1]):
        raise ValueError(f"[sparse_categorical_crossentropy] y_true must have y_pred's shape without the class axis, "
                         f"got {tuple(labels.shape)} for y_pred {tuple(pred.shape)}")
    classes = pred.shape[-1]
    if labels.size and not bool(_core.all(_core.logical_and(labels >= 0, labels < classes), None, False)):
        raise IndexError(f"[sparse_categorical_crossentropy] class indices must lie in [0, {classes})")
    one_hot = _core.cast(_core.equal(_core.expand_dims(labels, -1), _core.arange(0, classes, 1, dtype=labels.dtype)),
                         pred.dtype)
    return -_core.sum(one_hot * _log_probabilities(pred, from_logits), -1, False)


def mse(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False, reduction: str = "mean") -> EmberTensor:
    """Mean squared error: reduction of ``(y_pred - y_true)^2`` (``torch.nn.functional.mse_loss``).

    Args:
        y_true: targets of y_pred's shape (cast to y_pred's dtype).
        y_pred: predictions, any shape, floating (integers computed in float32).
        axis, keepdims, reduction: see the module docstring.

    Returns:
        The loss in y_pred's floating dtype; y_pred's shape for reduction='none'.

    Raises:
        ValueError: different shapes or an unknown reduction.
    """
    return _reduced("mse", reduction, axis, keepdims, lambda: _squared_error(y_true, y_pred))


def mean_absolute_error(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False,
                        reduction: str = "mean") -> EmberTensor:
    """Mean absolute error: reduction of ``|y_pred - y_true|`` (``torch.nn.functional.l1_loss``).

    Arguments, result and errors as :func:`mse`.
    """
    return _reduced("mean_absolute_error", reduction, axis, keepdims, lambda: _absolute_error(y_true, y_pred))


def huber_loss(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False, reduction: str = "mean",
               delta: float = 1.0) -> EmberTensor:
    """Huber loss (Huber 1964; ``torch.nn.functional.huber_loss``): ``0.5 d^2`` where
    ``|d| < delta``, else ``delta (|d| - delta / 2)``, with ``d = y_pred - y_true``.

    Arguments, result and errors as :func:`mse`, plus ``delta`` (> 0; ValueError otherwise).
    """
    return _reduced("huber_loss", reduction, axis, keepdims, lambda: _huber(y_true, y_pred, delta))


def binary_crossentropy(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False, reduction: str = "mean",
                        from_logits: bool = False) -> EmberTensor:
    """Binary cross-entropy ``-(y log p + (1 - y) log(1 - p))``.

    Probabilities follow ``torch.nn.functional.binary_cross_entropy`` (log terms clamped
    at -100); with ``from_logits=True`` y_pred holds logits and the loss follows
    ``binary_cross_entropy_with_logits`` (``max(x, 0) - x y + log(1 + e^-|x|)``).
    Arguments, result and errors as :func:`mse`; targets in [0, 1].
    """
    return _reduced("binary_crossentropy", reduction, axis, keepdims, lambda: _binary_ce(y_true, y_pred, from_logits))


def categorical_crossentropy(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False,
                             reduction: str = "mean", from_logits: bool = False) -> EmberTensor:
    """Cross-entropy ``-sum_c y_c log p_c`` over the last (class) axis.

    As ``torch.nn.functional.cross_entropy`` with class-probability targets. With
    ``from_logits=True`` p is the softmax of y_pred (computed as a stable log-softmax);
    otherwise y_pred holds probabilities, whose log is clamped at -100.

    Args:
        y_true: one-hot or probability targets of y_pred's shape.
        y_pred: (..., C) logits or probabilities.
        axis, keepdims, reduction: as :func:`mse`, applied to the per-sample loss of shape (...,).

    Returns:
        The loss in y_pred's floating dtype.

    Raises:
        ValueError: different shapes, a 0-d y_pred, or an unknown reduction.
    """
    return _reduced("categorical_crossentropy", reduction, axis, keepdims,
                    lambda: _categorical_ce(y_true, y_pred, from_logits))


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, axis: Any = None, keepdims: bool = False,
                                    reduction: str = "mean", from_logits: bool = False) -> EmberTensor:
    """Cross-entropy with integer class labels (``torch.nn.functional.cross_entropy``).

    Args:
        y_true: (...,) integer class indices in [0, C).
        y_pred: (..., C) logits (``from_logits=True``) or probabilities (default; log
            clamped at -100).
        axis, keepdims, reduction: as :func:`mse`, applied to the per-sample loss of shape (...,).

    Returns:
        The loss in y_pred's floating dtype.

    Raises:
        TypeError: non-integer labels.
        ValueError: label shape not y_pred's without its last axis, or an unknown reduction.
        IndexError: a label outside [0, C).
    """
    return _reduced("sparse_categorical_crossentropy", reduction, axis, keepdims,
                    lambda: _sparse_categorical_ce(y_true, y_pred, from_logits))
