"""Axis argument checks shared by the Python-level ops."""
from __future__ import annotations

import operator
from typing import Any


def normalize_axis(name: str, axis: Any, ndim: int) -> int:
    """``axis`` as an int in ``[0, ndim)`` (negative counts from the end).

    Raises:
        TypeError: ``[name]`` when axis is not an int.
        IndexError: ``[name]`` when axis is outside ``[-ndim, ndim)``.
    """
    try:
        index = operator.index(axis)
    except TypeError:
        raise TypeError(f"[{name}] axis must be an int, got {axis!r}") from None
    if not -ndim <= index < ndim:
        raise IndexError(f"[{name}] axis {index} is out of range for {ndim} dimensions")
    return index % ndim
