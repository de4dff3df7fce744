"""Activation functions, stateless (``ember_ml.ops.activations``, as ``torch.nn.functional``).

The Module forms (``ReLU``, ``LeCunTanh``, ...) are in :mod:`ember_ml.nn.modules.activations`
and call these functions. Each function is a composition of C++ front-end ops and keeps a
floating x's dtype; integer and bool inputs are computed in float32 (``relu`` excepted: it
keeps any dtype). Shapes are preserved. Formulas:

* ``relu(x) = maximum(x, 0)``
* ``sigmoid(x) = 1 / (1 + exp(-x))`` and ``tanh`` are the C++ elementwise ops.
* ``softmax(x, axis) = e / sum(e, axis)`` with ``e = exp(x - max(x, axis))``: subtracting
  the maximum keeps exp from overflowing (the standard stable form).
* ``softplus(x) = log(1 + exp(-|x|)) + maximum(x, 0)``, equal to ``log(1 + exp(x))``
  without overflow for large x.
* ``lecun_tanh(x, scale) = 1.7159 * tanh(scale * x)`` with LeCun's ``scale = 2/3``
  (LeCun et al., "Efficient BackProp", 1998); ncps rounds it to :data:`NCPS_LECUN_TANH_SCALE`
  ``= 0.666``, which the ncps-style CfC backbone passes explicitly.
* ``silu(x) = x * sigmoid(x)`` (Elfwing et al. 2018) and the exact
  ``gelu(x) = x * (1 + erf(x / sqrt 2)) / 2`` (Hendrycks & Gimpel 2016), the CfC backbone's.

:func:`get_activation` looks up the first six by name (``silu`` and ``gelu`` are backbone
activations of the CfC layers, chosen there by name).
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ember_ml import _core
from ember_ml._checks import as_floating

#: LeCun's ``1.7159 * tanh(2/3 x)``: the amplitude, chosen so that ``f(1) = 1``.
LECUN_TANH_AMPLITUDE = 1.7159
#: LeCun's slope 2/3 (LeCun et al., "Efficient BackProp", 1998), the default of :func:`lecun_tanh`.
LECUN_TANH_SCALE = 2.0 / 3.0
#: ncps's rounding of the slope (``ncps.torch``'s ``LeCun``: ``1.7159 * tanh(0.666 x)``); the
#: ncps-style CfC backbone uses it so that converted ncps models give ncps's outputs.
NCPS_LECUN_TANH_SCALE = 0.666


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
    x = as_floating(x)
    e = _core.exp(_core.subtract(x, _core.max(x, axis, True)))
    return _core.divide(e, _core.sum(e, axis, True))


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))`` evaluated as ``log(1 + exp(-|x|)) + maximum(x, 0)``.

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape, positive everywhere.
    """
    x = as_floating(x)
    return _core.add(_core.log(_core.add(_core.exp(_core.negative(_core.abs(x))), 1)), _core.maximum(x, 0))


def lecun_tanh(x: Any, scale: float = LECUN_TANH_SCALE) -> Any:
    """Scaled tanh ``1.7159 * tanh(scale * x)`` (LeCun et al., "Efficient BackProp", 1998).

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).
        scale: the slope; LeCun's 2/3 by default, :data:`NCPS_LECUN_TANH_SCALE` (0.666) for ncps's ``LeCun``
            (docs/names.md).

    Returns:
        Tensor of x's shape with values in [-1.7159, 1.7159].
    """
    x = as_floating(x)
    return _core.multiply(_core.tanh(_core.multiply(x, scale)), LECUN_TANH_AMPLITUDE)


def silu(x: Any) -> Any:
    """Sigmoid-weighted linear unit ``x * sigmoid(x)`` (Elfwing et al. 2018), as ``torch.nn.functional.silu``.

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape.
    """
    x = as_floating(x)
    return _core.multiply(x, _core.sigmoid(x))


def gelu(x: Any) -> Any:
    """Exact GELU ``x * (1 + erf(x / sqrt 2)) / 2`` (Hendrycks & Gimpel 2016), ``torch.nn.functional.gelu``.

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape.
    """
    x = as_floating(x)
    return x * 0.5 * (1.0 + _core.erf(x * (1.0 / math.sqrt(2.0))))


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
        TypeError: ``[get_activation]`` when ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise TypeError(f"[get_activation] name must be a string, got {type(name).__name__}")
    if name not in _ACTIVATIONS:
        raise ValueError(f"[get_activation] unknown activation {name!r}; valid names: {', '.join(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


__all__ = ["relu", "sigmoid", "tanh", "softmax", "softplus", "lecun_tanh", "silu", "gelu", "get_activation"]
