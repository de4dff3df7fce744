"""Loss functions (``ember_ml.ops`` losses).

Every loss has the signature ``(y_true, y_pred, ..., axis=None, keepdims=False,
reduction='mean')``. It first forms the per-element loss (for the categorical
crossentropies: the per-sample loss, summed over the class axis, which is always the
last axis of ``y_pred``) and then reduces it:

* ``reduction='mean'``: mean over ``axis`` (None: every axis), keeping reduced axes of
  size 1 when ``keepdims``;
* ``reduction='sum'``: sum over ``axis`` likewise;
* ``reduction='none'``: the per-element / per-sample values themselves (``axis`` must be
  None; ``keepdims`` has nothing to keep).

For the categorical crossentropies ``axis`` indexes the per-sample loss, whose shape is
``y_pred.shape[:-1]``.

Each loss is a composition of differentiable front-end ops (no host round trips on the
values being differentiated), so reverse-mode autodiff can differentiate it as written.
Floating inputs keep their dtype (mixed float dtypes promote as NumPy does); integer and
bool ``y_pred`` compute in float32, and integer / bool ``y_true`` in ``y_pred``'s dtype.
``y_true`` and ``y_pred`` must have equal shapes (no silent broadcasting of ``(n,)``
against ``(n, 1)``).

Formulas follow Keras 3 (``keras.losses``) and PyTorch (``torch.nn.functional``); each
docstring names its source. The argument order is Keras's; the loss objects of
:mod:`ember_ml.training.losses` take PyTorch's ``(y_pred, y_true)`` (docs/names.md).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from ember_ml import _core
from ember_ml._checks import as_floating
from ember_ml.ops.activations import softplus
from ember_ml.nn.tensor import EmberTensor, bool_, convert_to_tensor

#: Clip bound for probabilities, Keras's ``backend.epsilon()``.
EPSILON = 1e-7

_REDUCTIONS = ("mean", "sum", "none")
Axis = int | Sequence[int] | None


def _on_device_of(x: Any, like: EmberTensor) -> EmberTensor:
    """x as a tensor; non-tensor data goes to ``like``'s device (tensors stay where they are)."""
    return x if isinstance(x, EmberTensor) else convert_to_tensor(x, device=like.device)


def _pair(name: str, y_true: Any, y_pred: Any) -> tuple[EmberTensor, EmberTensor]:
    """Both operands as tensors of equal shape; y_pred floating."""
    pred = as_floating(y_pred)
    true = _on_device_of(y_true, pred)
    if not true.dtype.is_floating_point:
        true = _core.cast(true, pred.dtype)  # integer / bool targets take the prediction's dtype
    if true.shape != pred.shape:
        raise ValueError(f"[{name}] y_true and y_pred must have the same shape, got {true.shape} and {pred.shape}")
    return true, pred


def _reduce(name: str, values: Any, axis: Axis, keepdims: bool, reduction: str) -> Any:
    if reduction == "mean":
        return _core.mean(values, axis, keepdims)
    if reduction == "sum":
        return _core.sum(values, axis, keepdims)
    if axis is not None:
        raise ValueError(f"[{name}] axis={axis!r} has no meaning with reduction='none'")
    return values


def check_reduction(reduction: Any, name: str) -> None:
    """Raises ValueError ``[name] reduction must be one of ...`` unless reduction is mean / sum / none."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"[{name}] reduction must be one of {', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}")


def mse(y_true: Any, y_pred: Any, axis: Axis = None, keepdims: bool = False, reduction: str = "mean") -> Any:
    """Mean squared error: reduction of ``(y_pred - y_true)**2``.

    Source: ``keras.losses.mean_squared_error``; ``torch.nn.functional.mse_loss``.

    Args:
        y_true: Targets, same shape as y_pred.
        y_pred: Predictions, any shape; integer/bool compute in float32.
        axis: Axes to reduce (int, sequence or None for all).
        keepdims: Keep reduced axes with size 1.
        reduction: ``'mean'``, ``'sum'`` or ``'none'`` (see the module docstring).

    Returns:
        Tensor in the floating dtype of the inputs: 0-d for the default reduction.

    Raises:
        ValueError: ``[mse]`` for different shapes, an unknown reduction or an axis with
            ``reduction='none'``.
        IndexError: ``[mean]``/``[sum]`` for an axis out of range.
    """
    check_reduction(reduction, "mse")
    true, pred = _pair("mse", y_true, y_pred)
    return _reduce("mse", _core.square(_core.subtract(pred, true)), axis, keepdims, reduction)


def mean_absolute_error(y_true: Any, y_pred: Any, axis: Axis = None, keepdims: bool = False,
                        reduction: str = "mean") -> Any:
    """Mean absolute error: reduction of ``|y_pred - y_true|``.

    Source: ``keras.losses.mean_absolute_error``; ``torch.nn.functional.l1_loss``.

    Args, returns and errors as :func:`mse` (messages start with ``[mean_absolute_error]``).
    """
    name = "mean_absolute_error"
    check_reduction(reduction, name)
    true, pred = _pair(name, y_true, y_pred)
    return _reduce(name, _core.abs(_core.subtract(pred, true)), axis, keepdims, reduction)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: Axis = None,
                        keepdims: bool = False, reduction: str = "mean") -> Any:
    """Elementwise binary crossentropy, then the reduction.

    Probabilities (``from_logits=False``, Keras 3 ``keras.ops.binary_crossentropy``):
    ``p = clip(y_pred, 1e-7, 1 - 1e-7)``, loss ``-(y log p + (1 - y) log(1 - p))``.
    Logits ``x`` (``from_logits=True``, TensorFlow's ``sigmoid_cross_entropy_with_logits``,
    PyTorch's ``binary_cross_entropy_with_logits``): ``softplus(x) - x y`` with the
    overflow-free ``softplus(x) = max(x, 0) + log(1 + exp(-|x|))``. Unlike the categorical
    losses there is no class axis: the per-element values are the ``reduction='none'``
    result (as PyTorch's ``BCELoss``).

    Args:
        y_true: Targets in [0, 1] (soft labels allowed), same shape as y_pred.
        y_pred: Probabilities, or logits when ``from_logits``.
        from_logits: Whether y_pred holds logits.
        axis, keepdims, reduction: As :func:`mse`.

    Returns:
        Tensor in the floating dtype of the inputs.

    Raises:
        ValueError: ``[binary_crossentropy]`` for different shapes or a bad reduction.
    """
    name = "binary_crossentropy"
    check_reduction(reduction, name)
    true, pred = _pair(name, y_true, y_pred)
    if from_logits:
        loss = _core.subtract(softplus(pred), _core.multiply(pred, true))
    else:
        p = _core.clip(pred, EPSILON, 1.0 - EPSILON)
        loss = _core.add(_core.multiply(true, _core.log(p)),
                         _core.multiply(_core.subtract(1, true), _core.log(_core.subtract(1, p))))
        loss = _core.negative(loss)
    return _reduce(name, loss, axis, keepdims, reduction)


def _log_probs(name: str, pred: Any, from_logits: bool) -> Any:
    """log of the class probabilities along the last axis.

    Logits: ``x - max - log(sum(exp(x - max)))`` (log-sum-exp). Probabilities (Keras 3
    ``keras.ops.categorical_crossentropy``): rescaled to sum to 1, clipped to
    ``[1e-7, 1 - 1e-7]``, then the log.
    """
    if pred.ndim == 0:
        raise ValueError(f"[{name}] y_pred needs a class axis (its last axis), got a 0-d tensor")
    if from_logits:
        shifted = _core.subtract(pred, _core.max(pred, -1, True))
        return _core.subtract(shifted, _core.log(_core.sum(_core.exp(shifted), -1, True)))
    p = _core.divide(pred, _core.sum(pred, -1, True))
    return _core.log(_core.clip(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: Axis = None,
                             keepdims: bool = False, reduction: str = "mean") -> Any:
    """Categorical crossentropy ``-sum(y_true * log q, axis=-1)`` over the class axis, then the reduction.

    ``log q`` is the log-softmax of logits, or (Keras 3) the log of the probabilities
    rescaled to sum to 1 and clipped to ``[1e-7, 1 - 1e-7]``. Source: Keras 3
    ``keras.losses.categorical_crossentropy``; ``torch.nn.functional.cross_entropy`` with
    class-probability targets equals the logits form.

    Args:
        y_true: One-hot or soft targets of y_pred's shape ``(..., classes)``.
        y_pred: Probabilities, or logits when ``from_logits``; at least 1-D.
        from_logits: Whether y_pred holds logits.
        axis: Axes of the per-sample loss (shape ``y_pred.shape[:-1]``) to reduce.
        keepdims, reduction: As :func:`mse`.

    Returns:
        Tensor in the floating dtype of the inputs; ``reduction='none'`` gives shape
        ``y_pred.shape[:-1]``.

    Raises:
        ValueError: ``[categorical_crossentropy]`` for different shapes, 0-d y_pred or a bad
            reduction.
    """
    name = "categorical_crossentropy"
    check_reduction(reduction, name)
    true, pred = _pair(name, y_true, y_pred)
    per_sample = _core.negative(_core.sum(_core.multiply(true, _log_probs(name, pred, from_logits)), -1))
    return _reduce(name, per_sample, axis, keepdims, reduction)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: Axis = None,
                                    keepdims: bool = False, reduction: str = "mean") -> Any:
    """Categorical crossentropy with integer class labels: ``-log q[..., y_true]``, then the reduction.

    Equal to :func:`categorical_crossentropy` with ``one_hot(y_true)`` targets. Source:
    Keras 3 ``keras.losses.sparse_categorical_crossentropy``;
    ``torch.nn.functional.cross_entropy`` (logits) / ``nll_loss`` (log-probabilities).

    Args:
        y_true: Integer labels in ``[0, classes)``, shape ``y_pred.shape[:-1]``.
        y_pred: Probabilities or logits of shape ``(..., classes)``.
        from_logits: Whether y_pred holds logits.
        axis, keepdims, reduction: As :func:`categorical_crossentropy`.

    Returns:
        Tensor in y_pred's floating dtype; ``reduction='none'`` gives y_true's shape.

    Raises:
        TypeError: ``[sparse_categorical_crossentropy]`` for non-integer labels.
        ValueError: ``[sparse_categorical_crossentropy]`` when y_true's shape is not
            ``y_pred.shape[:-1]``, or for a bad reduction.
        IndexError: ``[sparse_categorical_crossentropy]`` for a label outside [0, classes).
    """
    name = "sparse_categorical_crossentropy"
    check_reduction(reduction, name)
    pred = as_floating(y_pred)
    labels = _on_device_of(y_true, pred)
    if labels.dtype.is_floating_point or labels.dtype == bool_:
        raise TypeError(f"[{name}] y_true must hold integer class labels, got {labels.dtype}")
    if pred.ndim == 0 or labels.shape != pred.shape[:-1]:
        raise ValueError(f"[{name}] y_true must have shape y_pred.shape[:-1]; got y_true {labels.shape} "
                         f"and y_pred {pred.shape}")
    classes = pred.shape[-1]
    # Validation reads only the integer labels, never the differentiated predictions.
    outside = _core.logical_or(_core.less(labels, 0), _core.greater_equal(labels, classes))
    if labels.size and bool(_core.any(outside)):
        raise IndexError(f"[{name}] labels must lie in [0, {classes}), got values outside it")
    picked = _core.equal(_core.expand_dims(labels, -1), _core.arange(classes, device=pred.device))
    per_sample = _core.negative(_core.sum(_core.where(picked, _log_probs(name, pred, from_logits), 0), -1))
    return _reduce(name, per_sample, axis, keepdims, reduction)


def huber_loss(y_true: Any, y_pred: Any, delta: float = 1.0, axis: Axis = None, keepdims: bool = False,
               reduction: str = "mean") -> Any:
    """Huber loss: ``0.5 e**2`` for ``|e| <= delta``, else ``delta (|e| - 0.5 delta)``, with ``e = y_pred - y_true``.

    Computed branch-free as ``0.5 q**2 + delta (|e| - q)`` with ``q = min(|e|, delta)``.
    Source: Huber (1964); ``keras.losses.huber``; ``torch.nn.functional.huber_loss``.

    Args:
        y_true, y_pred: As :func:`mse`.
        delta: Positive threshold between the quadratic and linear parts.
        axis, keepdims, reduction: As :func:`mse`.

    Returns:
        Tensor in the floating dtype of the inputs.

    Raises:
        ValueError: ``[huber_loss]`` for ``delta <= 0``, different shapes or a bad reduction.
    """
    name = "huber_loss"
    check_reduction(reduction, name)
    if not delta > 0:
        raise ValueError(f"[{name}] delta must be positive, got {delta!r}")
    true, pred = _pair(name, y_true, y_pred)
    err = _core.abs(_core.subtract(pred, true))
    q = _core.minimum(err, delta)
    loss = _core.add(_core.multiply(_core.square(q), 0.5), _core.multiply(_core.subtract(err, q), delta))
    return _reduce(name, loss, axis, keepdims, reduction)


def log_cosh_loss(y_true: Any, y_pred: Any, axis: Axis = None, keepdims: bool = False,
                  reduction: str = "mean") -> Any:
    """Log-cosh loss ``log(cosh(e))``, ``e = y_pred - y_true``, evaluated as ``e + softplus(-2 e) - log 2``.

    The rewritten form cannot overflow for large ``|e|`` (``cosh`` would). Source:
    ``keras.losses.log_cosh``.

    Args, returns and errors as :func:`mse` (messages start with ``[log_cosh_loss]``).
    """
    name = "log_cosh_loss"
    check_reduction(reduction, name)
    true, pred = _pair(name, y_true, y_pred)
    err = _core.subtract(pred, true)
    loss = _core.subtract(_core.add(err, softplus(_core.multiply(err, -2.0))), math.log(2.0))
    return _reduce(name, loss, axis, keepdims, reduction)


__all__ = ["mse", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "huber_loss", "log_cosh_loss"]
