"""Activation functions and modules (``ember_ml.nn.modules.activations``).

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

The modules ``ReLU Tanh Sigmoid Softmax Softplus LeCunTanh`` apply these functions in
``forward``; ``Dropout`` is inverted dropout that honours ``module.training``.
"""
from __future__ import annotations

from typing import Any, Callable

from ember_ml import _core
from ember_ml.nn.modules.module import Module
from ember_ml.nn.tensor import convert_to_tensor, random_bernoulli


def as_floating(x: Any) -> Any:
    """x as a tensor, cast to float32 unless it already has a floating dtype (shared by the losses)."""
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


def lecun_tanh(x: Any) -> Any:
    """Scaled tanh ``1.7159 * tanh(2/3 * x)`` (LeCun et al., "Efficient BackProp", 1998).

    Args:
        x: Tensor of any dtype and shape (integer/bool computed in float32).

    Returns:
        Tensor of x's shape with values in [-1.7159, 1.7159].
    """
    x = as_floating(x)
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
        TypeError: ``[get_activation]`` when ``name`` is not a string.
    """
    if not isinstance(name, str):
        raise TypeError(f"[get_activation] name must be a string, got {type(name).__name__}")
    if name not in _ACTIVATIONS:
        raise ValueError(f"[get_activation] unknown activation {name!r}; valid names: {', '.join(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


class ReLU(Module):
    """Module form of :func:`relu`: ``forward(x) = maximum(x, 0)``, same shape and dtype."""

    def forward(self, x: Any) -> Any:
        return relu(x)


class Tanh(Module):
    """Module form of :func:`tanh`; same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return tanh(x)


class Sigmoid(Module):
    """Module form of :func:`sigmoid`; same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return sigmoid(x)


class Softmax(Module):
    """Module form of :func:`softmax` along ``axis`` (default -1); same shape, floating dtype.

    Raises (in forward):
        ValueError: ``[max]`` for an axis out of range or an empty axis.
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Any:
        return softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Softplus(Module):
    """Module form of :func:`softplus`; same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return softplus(x)


class LeCunTanh(Module):
    """Module form of :func:`lecun_tanh` (``1.7159 * tanh(2/3 x)``); same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return lecun_tanh(x)


# Step between the seeds of successive calls of a seeded Dropout: the golden-ratio Weyl
# increment of SplitMix64 (Steele, Lea & Flood, OOPSLA 2014), so the calls get distinct keys.
_SEED_STEP = 0x9E3779B97F4A7C15


class Dropout(Module):
    """Inverted dropout (Srivastava et al., JMLR 2014): in training mode ``x * mask / (1 - rate)``.

    ``mask = random_bernoulli(x.shape, p=1 - rate)`` zeroes each element with probability
    ``rate`` and the division keeps the expectation equal to ``x``; in eval mode
    (``module.eval()``) the input is returned unchanged. Without ``seed`` masks come from the
    global stream (``nn.tensor.set_seed``); with ``seed`` call ``j`` (from 0) of this module
    uses the seed ``(seed + j * 0x9E3779B97F4A7C15) mod 2**64``, so a run is reproducible and
    successive calls still draw different masks. (The original reused ``seed`` on every
    call, dropping the same units each step.) ``forward(x, training=None)`` also takes the
    mode as a call argument, as the documented Ember ML / Keras layer.

    Args:
        rate: Drop probability, in [0, 1).
        seed: Optional non-negative int.

    Raises:
        ValueError: ``[Dropout]`` for a rate outside [0, 1).
    """

    def __init__(self, rate: float, seed: int | None = None) -> None:
        super().__init__()
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"[Dropout] rate must be a number in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self._calls = 0

    def forward(self, x: Any, training: bool | None = None) -> Any:
        """Applies dropout to ``x`` (any shape; integer input computes in float32) in training mode.

        Args:
            x: input tensor.
            training: True / False overrides the module's mode for this call (Keras's
                ``training`` argument); None follows ``module.training``.
        """
        t = as_floating(x)
        if not (self.training if training is None else training) or self.rate == 0.0:
            return t
        seed = None if self.seed is None else (self.seed + self._calls * _SEED_STEP) % 2**64
        self._calls += 1
        mask = random_bernoulli(t.shape, p=1.0 - self.rate, dtype=t.dtype, device=t.device, seed=seed)
        return _core.divide(_core.multiply(t, mask), 1.0 - self.rate)

    def extra_repr(self) -> str:
        return f"rate={self.rate}" + ("" if self.seed is None else f", seed={self.seed}")


__all__ = ["relu", "sigmoid", "tanh", "softmax", "softplus", "lecun_tanh", "get_activation", "ReLU", "Tanh",
           "Sigmoid", "Softmax", "Softplus", "LeCunTanh", "Dropout"]
