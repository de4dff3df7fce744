"""Shape arguments given in Python: one conversion with one error, shared by the Python-level functions."""
from __future__ import annotations

import operator
from typing import Any


def shape_tuple(owner: str, shape: Any) -> tuple[int, ...]:
    """``shape`` (an int, a sequence of ints, or an integer array / tensor) as a tuple of Python ints.

    Values are not range-checked here: the C++ op that receives the shape names negative
    and impossible sizes.

    Args:
        owner: the function named in the error message.
        shape: an int, or a list / tuple / 1-d array / tensor of ints.

    Raises:
        TypeError: ``[owner]`` when ``shape`` or one of its entries is not an integer.
    """
    dims = shape.tolist() if hasattr(shape, "tolist") else shape
    try:
        return tuple(operator.index(d) for d in (dims if isinstance(dims, (list, tuple)) else [dims]))
    except TypeError:
        raise TypeError(f"[{owner}] shape must be an int or a sequence of ints, got {shape!r:.80}") from None
