"""Argument validators shared by ``ember_ml.ops``, ``ember_ml.nn`` and ``ember_ml.training``.

Every check raises with a message that starts with ``[owner]`` (the op or class the user
called), names the argument and shows the received value. This module imports only the
extension and NumPy, so the ops (the lowest layer above the engine) can use it.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ember_ml import _core

#: numpy.random.RandomState accepts seeds up to 2**32 - 1 only.
MAX_LEGACY_SEED = 2**32 - 1


def as_floating(x: Any) -> _core.EmberTensor:
    """x as a tensor, cast to float32 unless it already has a floating dtype.

    Args:
        x: a tensor, Python scalar, nested sequence or NumPy array.

    Returns:
        EmberTensor of x's shape; x itself when it is a floating tensor.

    Raises:
        TypeError: data that cannot be converted to a tensor.
    """
    t = _core.EmberTensor(x)
    return t if t.dtype.is_floating_point else _core.cast(t, "float32")


def check_min_int(owner: str, name: str, value: Any, minimum: int = 1, allow_none: bool = False) -> int | None:
    """``value`` as a Python int ``>= minimum`` (or None when ``allow_none``); bools are rejected.

    Sizes, counts and steps of layers, ops and schedulers use this check.

    Raises:
        ValueError: ``[owner] name must be an integer >= minimum, got value`` for a non-integer
            or a value below ``minimum``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"[{owner}] {name} must be an integer >= {minimum}{' or None' if allow_none else ''}, "
                         f"got {value!r}")
    return int(value)


def check_int(owner: str, name: str, value: Any, low: int, high: int | None = None,
              high_label: str | None = None) -> int:
    """``value`` as a Python int after checking ``low <= value <= high`` (ncps's wiring convention).

    Unlike :func:`check_min_int`, a value of the wrong type raises TypeError, as the ncps
    wirings do.

    Args:
        owner: class name used as the message prefix.
        name: argument name.
        value: the received value.
        low: smallest allowed value.
        high: largest allowed value, or None for no upper bound.
        high_label: what ``high`` stands for (e.g. ``"inter_neurons"``), shown in the message.

    Returns:
        int: the value.

    Raises:
        TypeError: ``value`` is not an integer (bools are rejected).
        ValueError: ``value`` is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"[{owner}] {name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        expected = f">= {low}" if high is None else f"in [{low}, {high}]"
        if high_label is not None:
            expected += f" (at most {high_label})"
        raise ValueError(f"[{owner}] {name} must be {expected}, got {value}")
    return int(value)


def check_real(owner: str, name: str, value: Any, low: float, high: float | None = None,
               high_open: bool = False) -> float:
    """``value`` as a Python float after checking it lies in ``[low, high]`` (``[low, high)`` if ``high_open``).

    Args:
        owner: class or function name used as the message prefix.
        name: argument name.
        value: the received value.
        low: smallest allowed value.
        high: upper bound, or None for none.
        high_open: exclude ``high`` itself.

    Raises:
        TypeError: ``value`` is not a real number (bools are rejected).
        ValueError: ``value`` is out of range (or NaN).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"[{owner}] {name} must be a real number, got {type(value).__name__} {value!r}")
    above = high is not None and (value >= high if high_open else value > high)
    if not value >= low or above:
        expected = f">= {low}" if high is None else f"in [{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"[{owner}] {name} must be {expected}, got {value}")
    return float(value)


def check_seed(owner: str, name: str, seed: Any, high: int | None = None) -> int:
    """A concrete non-negative seed; ``None`` draws one from OS entropy.

    A concrete seed is stored so that ``get_config()`` reproduces the same wiring even
    when the caller asked for a random one.

    Raises:
        TypeError: ``seed`` is neither None nor an integer.
        ValueError: ``seed`` is negative or above ``high``.
    """
    if seed is None:
        return int(np.random.SeedSequence().entropy % MAX_LEGACY_SEED)
    return check_int(owner, name, seed, 0, high)


def check_features(owner: str, x: Any, features: int, axis: int = -1) -> _core.EmberTensor:
    """x as a floating tensor after checking its size along the feature ``axis`` (which must exist).

    Integer and bool inputs are cast to float32.

    Raises:
        ValueError: ``[owner]`` naming the expected and the received shape.
    """
    t = _core.EmberTensor(x)
    shape = tuple(t.shape)
    if len(shape) == 0 or shape[axis] != features:
        raise ValueError(f"[{owner}] expected an input with {features} features on axis {axis}, got shape {shape}")
    return t if t.dtype.is_floating_point else _core.cast(t, "float32")


def as_matrix(owner: str, x: Any, n_features: int | None = None) -> _core.EmberTensor:
    """x as a floating ``(n_samples, n_features)`` tensor (the feature transformers' input).

    Raises:
        ValueError: ``[owner]`` for input that is not 2-D, or whose feature count differs from
            ``n_features`` (the count seen by ``fit``).
    """
    t = as_floating(x)
    if t.ndim != 2:
        raise ValueError(f"[{owner}] expected a 2-D (n_samples, n_features) tensor, got shape {t.shape}")
    if n_features is not None and t.shape[1] != n_features:
        raise ValueError(f"[{owner}] X has {t.shape[1]} features, but the transformer was fitted with {n_features}")
    return t


def require_fitted(owner: str, fitted: bool) -> None:
    """Raises ``ValueError`` naming ``owner`` unless the transformer has been fitted."""
    if not fitted:
        raise ValueError(f"[{owner}] this transformer is not fitted yet; call fit first")
