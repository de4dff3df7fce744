"""Argument checks shared by the wiring classes; errors name the class, the expected and the received value."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

# numpy.random.RandomState accepts seeds up to 2**32 - 1 only.
MAX_LEGACY_SEED = 2**32 - 1


def check_int(owner: str, name: str, value: Any, low: int, high: int | None = None,
              high_label: str | None = None) -> int:
    """``value`` as a Python int after checking ``low <= value <= high``.

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


def check_real(owner: str, name: str, value: Any, low: float, high: float, high_open: bool = False) -> float:
    """``value`` as a Python float after checking it lies in ``[low, high]`` (``[low, high)`` if ``high_open``).

    Raises:
        TypeError: ``value`` is not a real number.
        ValueError: ``value`` is out of range (or NaN).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"[{owner}] {name} must be a real number, got {value!r}")
    above = value >= high if high_open else value > high
    if not value >= low or above:
        closing = ")" if high_open else "]"
        raise ValueError(f"[{owner}] {name} must be in [{low}, {high}{closing}, got {value}")
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


def synapse_matrix(owner: str, rows: int, cols: int) -> np.ndarray:
    """A zero ``(rows, cols)`` int32 synapse (adjacency) matrix.

    Raises:
        ValueError: ``[owner]`` when NumPy cannot represent the size (too many elements).
        MemoryError: ``[owner]`` when the machine cannot hold it; both name the shape and the bytes.
    """
    try:
        return np.zeros((rows, cols), dtype=np.int32)
    except (ValueError, MemoryError) as err:
        kind = MemoryError if isinstance(err, MemoryError) else ValueError
        raise kind(f"[{owner}] cannot allocate a ({rows}, {cols}) int32 synapse matrix ({rows * cols * 4} bytes): "
                   f"{err}") from None
