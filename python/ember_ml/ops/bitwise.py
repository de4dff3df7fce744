"""Bitwise operations (``ember_ml.ops.bitwise``).

``bitwise_and bitwise_or bitwise_xor bitwise_not left_shift right_shift count_ones`` are
C++ front-end ops: integer and bool dtypes only (floats raise ``TypeError``), broadcasting
and promoting like their NumPy namesakes. ``left_shift``/``right_shift`` follow
``numpy.left_shift``/``numpy.right_shift``: bool operands compute in int8, and a count that
is negative or at least the bit width gives 0 (``right_shift`` of a negative value gives
-1). ``count_ones`` counts the set bits of each element's two's-complement pattern and
keeps the dtype (``numpy.bitwise_count`` instead counts the bits of ``|x|`` and returns
uint8).

The remaining functions are short compositions of those ops; each docstring gives its
formula. A Python int ``position``/``shifts`` keeps ``x``'s dtype (weak scalar); an
integer tensor promotes with ``x`` as NumPy does.
"""
from __future__ import annotations

from typing import Any

from ember_ml import _core

_BITWISE_OPS_LIST = ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "left_shift",
                     "right_shift", "count_ones")

_globals = globals()
for _name in _BITWISE_OPS_LIST:
    _globals[_name] = getattr(_core, _name)
del _globals, _name


def count_zeros(x: Any) -> Any:
    """Clear bits of each element: ``count_ones(bitwise_not(x))`` = bit width - ``count_ones(x)``.

    Args:
        x: Integer or bool tensor, any shape.

    Returns:
        Tensor of x's shape and dtype (for bool, ``not x``).

    Raises:
        TypeError: ``[bitwise_not]`` for floating x.
    """
    return _core.count_ones(_core.bitwise_not(x))


def get_bit(x: Any, position: Any) -> Any:
    """Bit ``position`` (0 = least significant) of each element: ``(x >> position) & 1``.

    Args:
        x: Integer or bool tensor.
        position: Python int or integer tensor broadcastable with x.

    Returns:
        Tensor of 0/1 in the promoted dtype of x and position (bool x computes in int8).

    Raises:
        TypeError: ``[right_shift]`` for floating operands.
        ValueError: ``[right_shift]`` when the shapes do not broadcast.
    """
    return _core.bitwise_and(_core.right_shift(x, position), 1)


def set_bit(x: Any, position: Any, value: Any) -> Any:
    """Bit ``position`` of each element set to ``value & 1``.

    Formula: ``x ^ (((x >> position) ^ value) & 1) << position``: the bit is flipped
    exactly where it differs from ``value``.

    Args:
        x: Integer tensor.
        position: Python int or integer tensor broadcastable with x.
        value: 0/1 as a Python int or integer tensor broadcastable with x.

    Returns:
        Tensor in the promoted dtype of x, position and value.

    Raises:
        TypeError: ``[right_shift]``/``[bitwise_xor]`` for floating operands.
    """
    differs = _core.bitwise_and(_core.bitwise_xor(_core.right_shift(x, position), value), 1)
    return _core.bitwise_xor(x, _core.left_shift(differs, position))


def toggle_bit(x: Any, position: Any) -> Any:
    """Bit ``position`` of each element flipped: ``x ^ (((x >> position) | 1) & 1) << position``.

    ``((x >> position) | 1) & 1`` is a 1 in the dtype of ``x >> position``, so a Python int
    position keeps x's dtype.

    Args:
        x: Integer tensor.
        position: Python int or integer tensor broadcastable with x.

    Returns:
        Tensor in the promoted dtype of x and position.

    Raises:
        TypeError: ``[right_shift]`` for floating operands.
    """
    one = _core.bitwise_and(_core.bitwise_or(_core.right_shift(x, position), 1), 1)
    return _core.bitwise_xor(x, _core.left_shift(one, position))


def _check_width(name: str, x: Any, bit_width: int) -> None:
    bits = 8 * x.itemsize
    if not 1 <= bit_width <= bits:
        raise ValueError(f"[{name}] bit_width must be in [1, {bits}] for {x.dtype}, got {bit_width}")


def _rotate_left(x: Any, shifts: Any, bit_width: int) -> Any:
    w = bit_width
    s = shifts % w if isinstance(shifts, int) else _core.mod(shifts, w)
    one = _core.bitwise_and(_core.bitwise_or(x, 1), 1)
    mask = _core.subtract(_core.left_shift(one, w), one)  # w low bits (all bits when w is the width)
    v = _core.bitwise_and(x, mask)
    back = w - s if isinstance(s, int) else _core.subtract(w, s)
    low = _core.bitwise_and(_core.right_shift(v, back), _core.subtract(_core.left_shift(one, s), one))
    return _core.bitwise_and(_core.bitwise_or(_core.left_shift(v, s), low), mask)


def rotate_left(x: Any, shifts: Any, bit_width: int = 32) -> Any:
    """Rotate the low ``bit_width`` bits of each element left by ``shifts``.

    With ``w = bit_width``, ``s = shifts mod w``, ``m = 2**w - 1`` and ``v = x & m``:
    ``((v << s) | ((v >> (w - s)) & (2**s - 1))) & m``. Bits above ``w`` are cleared; the
    result's bit pattern is then read in x's dtype (so a full-width rotation of a signed
    dtype can be negative).

    Args:
        x: Integer tensor.
        shifts: Python int or integer tensor broadcastable with x; any sign.
        bit_width: Width of the rotated field, 1 to x's bit width.

    Returns:
        Tensor in the promoted dtype of x and shifts.

    Raises:
        ValueError: ``[rotate_left]`` when bit_width is outside [1, bit width of x].
        TypeError: ``[bitwise_or]`` etc. for floating operands.
    """
    _check_width("rotate_left", x, bit_width)
    return _rotate_left(x, shifts, bit_width)


def rotate_right(x: Any, shifts: Any, bit_width: int = 32) -> Any:
    """Rotate the low ``bit_width`` bits of each element right by ``shifts``.

    ``rotate_right(x, s, w) = rotate_left(x, w - (s mod w), w)``.

    Args:
        x: Integer tensor.
        shifts: Python int or integer tensor broadcastable with x; any sign.
        bit_width: Width of the rotated field, 1 to x's bit width.

    Returns:
        Tensor in the promoted dtype of x and shifts.

    Raises:
        ValueError: ``[rotate_right]`` when bit_width is outside [1, bit width of x].
        TypeError: ``[bitwise_or]`` etc. for floating operands.
    """
    _check_width("rotate_right", x, bit_width)
    w = bit_width
    left = w - shifts % w if isinstance(shifts, int) else _core.subtract(w, _core.mod(shifts, w))
    return _rotate_left(x, left, w)


__all__ = list(_BITWISE_OPS_LIST) + ["count_zeros", "get_bit", "set_bit", "toggle_bit", "rotate_left",
                                     "rotate_right"]
