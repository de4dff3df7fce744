"""``random_uniform`` / ``random_normal`` with the documented Ember ML arguments, over the C++ Philox ops.

Scalar ``minval`` / ``maxval`` / ``mean`` / ``stddev`` with a floating dtype go straight to
the C++ op. Array-valued ones broadcast against ``shape`` (NumPy rules: the parameter's
shape must broadcast to ``shape``) and transform standard draws: ``minval + u * (maxval -
minval)``, ``mean + z * stddev``. An integer dtype draws integers uniformly from
``[minval, maxval)``: ``floor(minval + u * (maxval - minval))`` with ``u`` a float64
uniform (as ``tf.random.uniform`` with an integer dtype).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml import _core
from ember_ml.nn.tensor._shape import shape_tuple

EmberTensor = _core.EmberTensor


def _is_scalar(value: Any) -> bool:
    return np.ndim(value) == 0 and not isinstance(value, EmberTensor)


def _parameter(owner: str, name: str, value: Any, shape: tuple[int, ...], dtype: Any, device: Any,
               nonnegative: bool = False) -> Any:
    """``value`` as a tensor of ``dtype`` on ``device`` after checking it is finite and broadcasts to ``shape``."""
    t = EmberTensor(value, dtype=dtype, device=device)
    values = t.numpy()
    if not np.all(np.isfinite(values)) or (nonnegative and np.any(values < 0)):
        kind = "finite and >= 0" if nonnegative else "finite"
        raise ValueError(f"[{owner}] {name} must be {kind}, got {values.ravel()[:6].tolist()}")
    try:
        broadcast = np.broadcast_shapes(tuple(t.shape), shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(f"[{owner}] {name} of shape {tuple(t.shape)} does not broadcast to shape {shape}")
    return t


def random_uniform(shape: Any, minval: Any = 0.0, maxval: Any = 1.0, dtype: Any = None, device: Any = None,
                   seed: Any = None) -> EmberTensor:
    """Uniform values in ``[minval, maxval)`` of ``shape``; see the module docstring for arrays and integers.

    The op; the initializer ``nn.initializers.random_uniform`` takes ``(shape, dtype, device, seed,
    minval=-0.05, maxval=0.05)`` (docs/names.md).

    Args:
        shape: int or tuple of ints.
        minval, maxval: scalars or arrays broadcasting to ``shape``.
        dtype: floating dtype (default float32) or an integer dtype.
        device: target device (default: the backend's).
        seed: int for a reproducible draw; None uses the global stream (``set_seed``).

    Raises:
        ValueError: ``[random_uniform]`` for a parameter that does not broadcast to ``shape``,
            a non-finite parameter, or an integer draw with ``maxval <= minval``.
        TypeError: an unsupported dtype (bool, complex).
    """
    from ember_ml.nn.tensor import get_dtype

    shape = shape_tuple("random_uniform", shape)
    target = None if dtype is None else get_dtype(dtype)
    if target is not None and target.name == "bool":
        raise TypeError("[random_uniform] dtype must be a floating or integer dtype, got bool")
    if target is not None and not target.is_floating_point and not target.is_complex:
        low = _parameter("random_uniform", "minval", minval, shape, "float64", device)
        high = _parameter("random_uniform", "maxval", maxval, shape, "float64", device)
        if not bool(_core.all(_core.greater(high, low), None, False).item()):
            raise ValueError(f"[random_uniform] an integer draw needs maxval > minval, got minval={minval!r}, "
                             f"maxval={maxval!r}")
        u = _core.random_uniform(shape, 0.0, 1.0, "float64", device, seed)
        values = _core.floor(_core.add(low, _core.multiply(u, _core.subtract(high, low))))
        # float64 rounding can reach maxval itself; the interval is half-open.
        return _core.cast(_core.minimum(values, _core.subtract(high, 1.0)), target)
    if _is_scalar(minval) and _is_scalar(maxval):
        return _core.random_uniform(shape, minval, maxval, dtype, device, seed)
    u = _core.random_uniform(shape, 0.0, 1.0, dtype, device, seed)
    low = _parameter("random_uniform", "minval", minval, shape, u.dtype, u.device)
    high = _parameter("random_uniform", "maxval", maxval, shape, u.dtype, u.device)
    return _core.add(low, _core.multiply(u, _core.subtract(high, low)))


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = None, device: Any = None,
                  seed: Any = None) -> EmberTensor:
    """Normal(mean, stddev**2) values of ``shape``; ``mean`` / ``stddev`` may be arrays broadcasting to ``shape``.

    The op; the initializer ``nn.initializers.random_normal`` takes ``(shape, dtype, device, seed,
    mean=0.0, stddev=0.05)`` (docs/names.md).

    Args:
        shape: int or tuple of ints.
        mean, stddev: scalars or arrays broadcasting to ``shape``.
        dtype: floating dtype (default float32).
        device: target device (default: the backend's).
        seed: int for a reproducible draw; None uses the global stream.

    Raises:
        ValueError: ``[random_normal]`` for a parameter that does not broadcast to ``shape``,
            a non-finite parameter or a negative ``stddev``.
        TypeError: a non-floating dtype.
    """
    shape = shape_tuple("random_normal", shape)
    if _is_scalar(mean) and _is_scalar(stddev):
        return _core.random_normal(shape, mean, stddev, dtype, device, seed)
    z = _core.random_normal(shape, 0.0, 1.0, dtype, device, seed)
    centre = _parameter("random_normal", "mean", mean, shape, z.dtype, z.device)
    scale = _parameter("random_normal", "stddev", stddev, shape, z.dtype, z.device, nonnegative=True)
    return _core.add(centre, _core.multiply(z, scale))
