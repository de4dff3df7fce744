"""ops.bitwise binary-wave helpers against NumPy computations of the same thing."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.ops import bitwise

NP_MODES = {"xor": np.bitwise_xor, "and": np.bitwise_and, "or": np.bitwise_or}


@pytest.mark.parametrize("mode", list(NP_MODES))
@pytest.mark.parametrize("dtype", ["int8", "uint16", "int32", "int64"])
def test_interference_of_a_list_and_of_a_stack(mode: str, dtype: str) -> None:
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype)
    waves = [rng.integers(info.min, info.max, size=(3, 5), dtype=dtype, endpoint=True) for _ in range(4)]
    want = functools.reduce(NP_MODES[mode], waves)
    got = bitwise.binary_wave_interference([T.convert_to_tensor(w) for w in waves], mode=mode)
    np.testing.assert_array_equal(got.numpy(), want, strict=True)
    stacked = bitwise.binary_wave_interference(T.convert_to_tensor(np.stack(waves)), mode=mode)
    np.testing.assert_array_equal(stacked.numpy(), want, strict=True)


def test_interference_broadcasts_and_promotes_like_numpy() -> None:
    a = np.array([[1, 2, 3]], np.int8)
    b = np.array([[7], [9]], np.int32)
    got = bitwise.binary_wave_interference([a, b], mode="or")
    np.testing.assert_array_equal(got.numpy(), a | b, strict=True)
    single = bitwise.binary_wave_interference([a])
    np.testing.assert_array_equal(single.numpy(), a, strict=True)


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint8", "int64"])
def test_propagate_scalar_and_per_element_shifts(dtype: str) -> None:
    rng = np.random.default_rng(1)
    info = np.iinfo(dtype)
    bits = 8 * np.dtype(dtype).itemsize
    x = rng.integers(info.min, info.max, size=12, dtype=dtype, endpoint=True)
    for s in (0, 3, -2, bits, -bits - 1):
        want = np.left_shift(x, s) if s >= 0 else np.right_shift(x, -s)
        np.testing.assert_array_equal(bitwise.binary_wave_propagate(x, s).numpy(), want, strict=True)
    shifts = np.array([0, 1, -1, 5, -5, 2, -3, 7, -7, 0, 1, -1], np.int8 if dtype[0] == "i" else np.int16)
    want = np.where(shifts >= 0, np.left_shift(x, np.maximum(shifts, 0)), np.right_shift(x, np.maximum(-shifts, 0)))
    got = bitwise.binary_wave_propagate(T.convert_to_tensor(x), T.convert_to_tensor(shifts))
    np.testing.assert_array_equal(got.numpy(), want.astype(got.numpy().dtype))
    assert got.numpy().dtype == np.result_type(x, shifts)


@pytest.mark.parametrize("length,duty", [(10, 0.3), (8, 0.5), (5, 0.5), (7, 0.0), (7, 1.0), (3, 0.5), (1, 0.49)])
def test_duty_cycle(length: int, duty: float) -> None:
    ones = round(length * duty)  # Python's round-half-even, as the original
    want = np.concatenate([np.ones(ones, np.int32), np.zeros(length - ones, np.int32)])
    np.testing.assert_array_equal(bitwise.create_duty_cycle(length, duty).numpy(), want, strict=True)


@pytest.mark.parametrize("length,half", [(10, 2), (7, 3), (5, 5), (4, 9), (1, 1)])
def test_blocky_sin(length: int, half: int) -> None:
    want = (np.arange(length) % (2 * half) < half).astype(np.int32)
    np.testing.assert_array_equal(bitwise.generate_blocky_sin(length, half).numpy(), want, strict=True)
