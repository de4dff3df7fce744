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

import numpy as np

from ember_ml import _core
from ember_ml._checks import check_min_int

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
    if not isinstance(x, _core.EmberTensor):
        x = _core.EmberTensor(x)  # raises a TypeError naming EmberTensor for non-tensor data
    if isinstance(bit_width, bool) or not isinstance(bit_width, (int, np.integer)):
        raise TypeError(f"[{name}] bit_width must be an integer, got {bit_width!r}")
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


_INTERFERENCE = {"xor": _core.bitwise_xor, "and": _core.bitwise_and, "or": _core.bitwise_or}


def binary_wave_interference(waves: Any, mode: str = "xor") -> Any:
    """Elementwise interference of binary waves: ``w0 ^ w1 ^ ...`` (or ``&``, ``|``).

    Semantics of the original Ember ML: the waves are combined left to right with the
    bitwise op of ``mode``; shapes broadcast and integer dtypes promote as NumPy's.

    Args:
        waves: A non-empty list/tuple of integer tensors, or one integer tensor whose
            axis 0 enumerates the waves (a stack).
        mode: ``'xor'``, ``'and'`` or ``'or'``.

    Returns:
        Tensor of the broadcast shape of the waves, in their promoted integer dtype.

    Raises:
        ValueError: ``[binary_wave_interference]`` for an unknown mode, no waves or a 0-d
            stack; ``[bitwise_xor]`` etc. when the shapes do not broadcast.
        TypeError: ``[binary_wave_interference]`` for a floating or bool wave.
    """
    name = "binary_wave_interference"
    if mode not in _INTERFERENCE:
        raise ValueError(f"[{name}] mode must be 'xor', 'and' or 'or', got {mode!r}")
    if isinstance(waves, (list, tuple)):
        items = [w if isinstance(w, _core.EmberTensor) else _core.EmberTensor(w) for w in waves]
    else:
        stack = waves if isinstance(waves, _core.EmberTensor) else _core.EmberTensor(waves)
        if stack.ndim == 0:
            raise ValueError(f"[{name}] a stacked tensor of waves needs an axis 0, got a 0-d tensor")
        items = list(stack)
    if not items:
        raise ValueError(f"[{name}] waves must not be empty")
    for w in items:
        if w.dtype.is_floating_point or w.dtype == _core.bool_:
            raise TypeError(f"[{name}] waves must have integer dtypes, got {w.dtype}")
    combine = _INTERFERENCE[mode]
    result = items[0]
    for w in items[1:]:
        result = combine(result, w)
    return result


def binary_wave_propagate(wave: Any, shift: Any) -> Any:
    """Shifts the bits of each element: left by ``shift`` where it is >= 0, right by ``-shift`` where negative.

    Semantics of the original Ember ML (``left_shift`` / arithmetic ``right_shift`` with
    NumPy's rules, so counts of the bit width or more give 0, or -1 for a negative value
    shifted right). The original cast a floating ``shift`` to int32; here it is a
    ``TypeError``, as for every bitwise op.

    Args:
        wave: Integer tensor.
        shift: Python int or integer tensor broadcastable with wave (per-element shifts).

    Returns:
        Tensor in the promoted dtype of wave and shift.

    Raises:
        TypeError: ``[binary_wave_propagate]`` for a floating or bool wave or shift.
        ValueError: ``[left_shift]`` when the shapes do not broadcast.
    """
    name = "binary_wave_propagate"
    w = wave if isinstance(wave, _core.EmberTensor) else _core.EmberTensor(wave)
    s = shift if isinstance(shift, int) and not isinstance(shift, bool) else _core.EmberTensor(shift)
    for label, t in (("wave", w), ("shift", s)):
        if isinstance(t, _core.EmberTensor) and (t.dtype.is_floating_point or t.dtype == _core.bool_):
            raise TypeError(f"[{name}] {label} must have an integer dtype, got {t.dtype}")
    if isinstance(s, int):
        return _core.left_shift(w, s) if s >= 0 else _core.right_shift(w, -s)
    left = _core.left_shift(w, _core.maximum(s, 0))
    right = _core.right_shift(w, _core.maximum(_core.negative(s), 0))
    return _core.where(_core.less(s, 0), right, left)


def create_duty_cycle(length: int, duty_cycle: float) -> Any:
    """A binary pattern of ``length`` with its first ``round(length * duty_cycle)`` elements 1, the rest 0.

    Semantics of the original Ember ML (Python's ``round``, so halves go to the even
    neighbour).

    Args:
        length: Positive int.
        duty_cycle: Fraction of ones, in [0, 1].

    Returns:
        int32 tensor of shape ``(length,)`` on the default device.

    Raises:
        ValueError: ``[create_duty_cycle]`` for a non-positive length or a duty_cycle
            outside [0, 1].
    """
    name = "create_duty_cycle"
    check_min_int(name, "length", length)
    if isinstance(duty_cycle, bool) or not isinstance(duty_cycle, (int, float)) or not 0 <= duty_cycle <= 1:
        raise ValueError(f"[{name}] duty_cycle must be a number in [0, 1], got {duty_cycle!r}")
    ones = round(length * duty_cycle)
    return _core.cast(_core.less(_core.arange(length), ones), "int32")


def generate_blocky_sin(length: int, half_period: int) -> Any:
    """A square wave: 1 for the first ``half_period`` samples of each period ``2 * half_period``, then 0.

    ``out[i] = 1 if i mod (2 * half_period) < half_period else 0`` (the original Ember ML).

    Args:
        length: Positive int.
        half_period: Positive int.

    Returns:
        int32 tensor of shape ``(length,)`` on the default device.

    Raises:
        ValueError: ``[generate_blocky_sin]`` for a non-positive length or half_period.
    """
    name = "generate_blocky_sin"
    check_min_int(name, "length", length)
    check_min_int(name, "half_period", half_period)
    phase = _core.mod(_core.arange(length), 2 * half_period)
    return _core.cast(_core.less(phase, half_period), "int32")


__all__ = list(_BITWISE_OPS_LIST) + ["count_zeros", "get_bit", "set_bit", "toggle_bit", "rotate_left",
                                     "rotate_right", "binary_wave_interference", "binary_wave_propagate",
                                     "create_duty_cycle", "generate_blocky_sin"]
