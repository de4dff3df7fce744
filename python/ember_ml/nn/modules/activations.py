"""Activation modules (``ember_ml.nn.modules.activations``), as ``torch.nn``'s activation layers.

``ReLU Tanh Sigmoid Softmax Softplus LeCunTanh SiLU GELU`` call the stateless functions of
:mod:`ember_ml.ops.activations` (formulas and sources there) in ``forward``; those functions
and :func:`get_activation` are re-exported here. ``Dropout`` is inverted dropout that honours
``module.training``.
"""
from __future__ import annotations

from typing import Any

from ember_ml import _core
from ember_ml._checks import as_floating
from ember_ml.nn.modules.module import Module
from ember_ml.nn.tensor import random_bernoulli
from ember_ml.ops.activations import (
    LECUN_TANH_SCALE,
    NCPS_LECUN_TANH_SCALE,
    gelu,
    get_activation,
    lecun_tanh,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)


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
    """Module form of :func:`lecun_tanh`: ``1.7159 * tanh(scale * x)``; same shape, floating dtype.

    Args:
        scale: the slope; LeCun's 2/3 by default. ``NCPS_LECUN_TANH_SCALE`` (0.666) gives ncps's
            ``LeCun`` module, which the ncps-style CfC backbone uses (see ``docs/names.md``).
    """

    def __init__(self, scale: float = LECUN_TANH_SCALE) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, x: Any) -> Any:
        return lecun_tanh(x, self.scale)

    def extra_repr(self) -> str:
        return "" if self.scale == LECUN_TANH_SCALE else f"scale={self.scale}"


class SiLU(Module):
    """Module form of :func:`silu` (``x * sigmoid(x)``); same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return silu(x)


class GELU(Module):
    """Module form of the exact :func:`gelu` (``x * (1 + erf(x / sqrt 2)) / 2``); same shape, floating dtype."""

    def forward(self, x: Any) -> Any:
        return gelu(x)


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


__all__ = ["relu", "sigmoid", "tanh", "softmax", "softplus", "lecun_tanh", "silu", "gelu", "get_activation", "ReLU",
           "Tanh", "Sigmoid", "Softmax", "Softplus", "LeCunTanh", "SiLU", "GELU", "Dropout"]
