"""Statistical reductions (``ember_ml.ops.stats``).

Reductions take ``axis`` as an int, a sequence of ints or None (every axis) and
``keepdims``; ``sort``/``argsort`` (stable, NaNs last) and ``cumsum`` take one axis.
"""
from __future__ import annotations

import math
from typing import Any

from ember_ml import _core
from ember_ml._checks import as_floating

_STATS_OPS_LIST = ("sum", "mean", "var", "std", "max", "min", "prod", "argmax", "argmin",
                   "sort", "argsort", "cumsum", "median", "percentile")

_globals = globals()
for _name in _STATS_OPS_LIST:
    _globals[_name] = getattr(_core, _name)
del _globals, _name

_SQRT_2PI = math.sqrt(2.0 * math.pi)


def gaussian(x: Any, mu: Any = 0.0, sigma: Any = 1.0) -> Any:
    """The normal density ``exp(-((x - mu) / sigma)**2 / 2) / (sigma * sqrt(2 pi))`` elementwise.

    Same meaning as the original Ember ML's ``stats.gaussian``; no check on ``sigma``: a
    zero or negative sigma gives what the formula gives (inf/NaN, negative values).

    Args:
        x: Tensor of any shape; integer/bool input computes in float32.
        mu: Mean, Python number or tensor broadcastable with x (integer tensors as float32).
        sigma: Standard deviation, Python number or tensor broadcastable with x.

    Returns:
        Tensor of the broadcast shape in the promoted floating dtype.

    Raises:
        ValueError: ``[subtract]``/``[divide]`` when the shapes do not broadcast.
    """
    # Python numbers stay weak scalars (x's float dtype is kept); tensors compute as floats.
    mu, sigma = (v if isinstance(v, (int, float)) else as_floating(v) for v in (mu, sigma))
    z = _core.divide(_core.subtract(as_floating(x), mu), sigma)
    density = _core.exp(_core.multiply(_core.square(z), -0.5))
    scale = sigma * _SQRT_2PI if isinstance(sigma, (int, float)) else _core.multiply(sigma, _SQRT_2PI)
    return _core.divide(density, scale)


__all__ = [*_STATS_OPS_LIST, "gaussian"]
