"""Activation functions (``ember_ml.nn.modules.activations``).

Each function is a composition of C++ front-end ops and keeps a floating x's dtype;
integer and bool inputs are computed in float32 (``relu`` excepted: it keeps any dtype).
Shapes are preserved. Formulas:

* ``relu(x) = maximum(x, 0)``
* ``sigmoid(x) = 1 / (1 + exp(-x))`` and ``tanh`` are the C++ elementwise ops.
* ``softmax(x, axis) = e / sum(e, axis)`` with ``e = exp(x - max(x, axis))``: subtracting
  the maximum keeps exp from overflowing (the standard stable form).
* ``softplus(x) = log(1 + exp(-|x|)) + maximum(x, 0)``, equal to ``log(1 + exp(x))``
  without overflow for large x.
* ``lecun_tanh(x) = 1.7159 * tanh(2/3 * x)`` (LeCun et al., "Efficient BackProp", 1998).
"""
from __future__ import annotations

from typing import Any, Callable

from ember_ml import _core
from ember_ml.nn.tensor import convert_to_tensor


def _floating(x: Any) -> Any:
    """x as a tensor, cast to float32 unless it already has a floating dtype."""
    t = convert_to_tensor(x)
    return t if t.dtype.is_floating_point else _core.cast(t, "float32")


def relu(x: Any) -> Any:
    """Rectified linear unit ``maximum(x, 0)``; same shape and dtype as x.

    Args:
        x: Tensor of any dtype (bool gives ``x`` itself as bool).

    Returns:
        Tensor with negative elements replaced by 0 (NaN propagates).
    """
    return _core.maximum(x, 0)


def sigmoid(x: Any) -> Any:
    """Logistic function ``1 / (1 + exp(-x))``; integer/bool input gives float32.

    Args:
        x: Tensor of any dtype and shape.

    Returns:
        Tensor of x's shape with values in [0, 1].
    """
    return _core.sigmoid(x)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent; integer/bool input gives float32.

    Args:
        x: Tensor of any dtype and shape.

    Returns:
        Tensor of x's shape with values in [-1, 1].
    """
    return _core.tanh(x)


def softmax(x: Any, axis: int = -1) -> Any:
    """Normalized exponential along ``axis``: ``exp(x - max) / sum(exp(x - max))``.

    Args:
        x: Tensor of any dtype (integer/bool computed in float32), at least one dimension.
        axis: Axis to normalize over (negative counts from the end).

    Returns:
        Tensor of x's shape whose slices along axis sum to 1.

    Raises:
        ValueError: ``[max]`` when axis is out of range or the axis is empty.
    """
    x = _floating(x)
    e = _core.exp(_core.subtract(x, _core.max(x, axis, True)))
    return _core.divide(e, _core.sum(e, axis, True))


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))`` evaluated as ``log(1 + exp(-|x|)) + maximum(x, 0)``.

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape, positive everywhere.
    """
    x = _floating(x)
    return _core.add(_core.log(_core.add(_core.exp(_core.negative(_core.abs(x))), 1)), _core.maximum(x, 0))


def lecun_tanh(x: Any) -> Any:
    """Scaled tanh ``1.7159 * tanh(2/3 * x)`` (LeCun et al., "Efficient BackProp", 1998).

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape with values in [-1.7159, 1.7159].
    """
    x = _floating(x)
    return _core.multiply(_core.tanh(_core.multiply(x, 2.0 / 3.0)), 1.7159)


_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "softplus": softplus,
    "lecun_tanh": lecun_tanh,
}


def get_activation(name: str) -> Callable[[Any], Any]:
    """The activation function called ``name``.

    Args:
        name: One of ``relu sigmoid tanh softmax softplus lecun_tanh``.

    Returns:
        The function itself (``softmax`` with its default ``axis=-1``).

    Raises:
        ValueError: ``[get_activation]`` for an unknown name; the message lists the valid names.
    """
    if name not in _ACTIVATIONS:
        raise ValueError(f"[get_activation] unknown activation {name!r}; valid names: {', '.join(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


__all__ = ["relu", "sigmoid", "tanh", "softmax", "softplus", "lecun_tanh", "get_activation"]
