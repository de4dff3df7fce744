"""ember_ml.ops.bitwise compositions and nn.modules.activations against NumPy.

The C++ kernels (left_shift, right_shift, count_ones, ...) are covered by the op table
(opinfo); here the Python-level compositions are compared with NumPy formulas, over every integer dtype.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.nn.modules import activations as act
from ember_ml.ops import bitwise

INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def _ints(dtype: str, n: int = 64, seed: int = 0) -> np.ndarray:
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    x = rng.integers(info.min, info.max, size=n, dtype=dtype, endpoint=True)
    x[:4] = [info.min, info.max, 0, 1]
    return x


def _bits(dtype: str) -> int:
    return 8 * np.dtype(dtype).itemsize


def test_module_exports_every_name() -> None:
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "left_shift", "right_shift",
                 "count_ones", "count_zeros", "get_bit", "set_bit", "toggle_bit", "rotate_left", "rotate_right"):
        assert callable(getattr(bitwise, name)), name
        assert name in bitwise.__all__


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_shifts_and_logic_match_numpy(dtype: str) -> None:
    x = _ints(dtype)
    counts = np.arange(-2, _bits(dtype) + 2) if dtype[0] == "i" else np.arange(0, _bits(dtype) + 2)
    xs = np.repeat(x, counts.size)
    cs = np.tile(counts, x.size).astype(dtype)
    ex, ec = T.convert_to_tensor(xs), T.convert_to_tensor(cs)
    np.testing.assert_array_equal(bitwise.left_shift(ex, ec).numpy(), np.left_shift(xs, cs))
    np.testing.assert_array_equal(bitwise.right_shift(ex, ec).numpy(), np.right_shift(xs, cs))
    y = x[::-1].copy()
    ey = T.convert_to_tensor(y)
    e = T.convert_to_tensor(x)
    np.testing.assert_array_equal(bitwise.bitwise_and(e, ey).numpy(), x & y)
    np.testing.assert_array_equal(bitwise.bitwise_or(e, ey).numpy(), x | y)
    np.testing.assert_array_equal(bitwise.bitwise_xor(e, ey).numpy(), x ^ y)
    np.testing.assert_array_equal(bitwise.bitwise_not(e).numpy(), ~x)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_count_ones_and_zeros(dtype: str) -> None:
    x = _ints(dtype)
    ones = np.bitwise_count(x.view(f"u{x.itemsize}")).astype(dtype)
    got = bitwise.count_ones(T.convert_to_tensor(x)).numpy()
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, ones)
    zeros = bitwise.count_zeros(T.convert_to_tensor(x)).numpy()
    assert zeros.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(zeros, (_bits(dtype) - ones.astype(np.int64)).astype(dtype))


def test_count_ones_and_zeros_bool() -> None:
    b = np.array([True, False, True])
    np.testing.assert_array_equal(bitwise.count_ones(T.convert_to_tensor(b)).numpy(), b)
    np.testing.assert_array_equal(bitwise.count_zeros(T.convert_to_tensor(b)).numpy(), ~b)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_single_bit_ops(dtype: str) -> None:
    x = _ints(dtype)
    e = T.convert_to_tensor(x)
    one = np.ones((), dtype)
    for p in (0, 3, _bits(dtype) - 1):
        mask = np.left_shift(one, np.array(p, dtype))
        get = bitwise.get_bit(e, p).numpy()
        assert get.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(get, np.right_shift(x, np.array(p, dtype)) & one)
        np.testing.assert_array_equal(bitwise.set_bit(e, p, 1).numpy(), x | mask)
        np.testing.assert_array_equal(bitwise.set_bit(e, p, 0).numpy(), x & ~mask)
        np.testing.assert_array_equal(bitwise.toggle_bit(e, p).numpy(), x ^ mask)
    # positions and values as tensors, broadcast against x
    pos = (np.arange(x.size) % _bits(dtype)).astype(dtype)
    val = (np.arange(x.size) % 2).astype(dtype)
    masks = np.left_shift(one, pos)
    got = bitwise.set_bit(e, T.convert_to_tensor(pos), T.convert_to_tensor(val)).numpy()
    np.testing.assert_array_equal(got, np.where(val == 1, x | masks, x & ~masks))
    np.testing.assert_array_equal(bitwise.toggle_bit(e, T.convert_to_tensor(pos)).numpy(), x ^ masks)


def _rotl_ref(x: np.ndarray, s: np.ndarray, w: int) -> np.ndarray:
    """((v << s) | (v >> (w - s))) & (2**w - 1) on the unsigned pattern v of x's low w bits."""
    u = x.astype(np.uint64) & np.uint64((1 << w) - 1)
    s = (np.asarray(s).astype(np.int64) % w).astype(np.uint64)
    r = ((u << s) | (u >> (np.uint64(w) - s))) & np.uint64((1 << w) - 1)
    return r.astype(x.dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_rotations(dtype: str) -> None:
    x = _ints(dtype)
    e = T.convert_to_tensor(x)
    bits = _bits(dtype)
    for w in sorted({1, 5, bits // 2, bits}):
        for s in (0, 1, 3, w, w + 2, -1, -w - 3):
            np.testing.assert_array_equal(bitwise.rotate_left(e, s, w).numpy(), _rotl_ref(x, s, w),
                                          err_msg=f"rotate_left w={w} s={s}")
            np.testing.assert_array_equal(bitwise.rotate_right(e, s, w).numpy(), _rotl_ref(x, -s, w),
                                          err_msg=f"rotate_right w={w} s={s}")
    shifts = (np.arange(x.size) % (bits + 3)).astype(dtype)
    es = T.convert_to_tensor(shifts)
    np.testing.assert_array_equal(bitwise.rotate_left(e, es, bits).numpy(), _rotl_ref(x, shifts, bits))
    np.testing.assert_array_equal(bitwise.rotate_right(e, es, bits).numpy(),
                                  _rotl_ref(x, -(shifts.astype(np.int64) % bits), bits))


def test_rotate_default_width_is_32() -> None:
    x = np.array([1, 0x80000000, 0x12345678, 0xFFFFFFFF], np.uint32)
    e = T.convert_to_tensor(x)
    np.testing.assert_array_equal(bitwise.rotate_left(e, 4).numpy(), _rotl_ref(x, 4, 32))
    np.testing.assert_array_equal(bitwise.rotate_right(e, 4).numpy(), _rotl_ref(x, -4, 32))


@pytest.mark.parametrize("name", ["rotate_left", "rotate_right"])
@pytest.mark.parametrize("width", [0, 9, -1])
def test_rotate_bad_width(name: str, width: int) -> None:
    with pytest.raises(ValueError, match=rf"^\[{name}\] bit_width"):
        getattr(bitwise, name)(T.convert_to_tensor(np.ones(3, np.int8)), 1, width)


def test_float_operands_raise() -> None:
    f = T.convert_to_tensor(np.ones(3, np.float32))
    with pytest.raises(TypeError, match=r"^\[left_shift\]"):
        bitwise.left_shift(f, 1)
    with pytest.raises(TypeError, match=r"^\[right_shift\]"):
        bitwise.right_shift(1, f)
    with pytest.raises(TypeError, match=r"^\[count_ones\]"):
        bitwise.count_ones(f)


# ---- activations ---------------------------------------------------------------------------
FLOAT_TOLS = {"float32": 2e-6, "float64": 1e-13}


def _x(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((4, 7)) * 30).astype(dtype)
    x[0, :4] = [0, -1000, 1000, 1e-3]
    return x


def _softmax64(x: np.ndarray, axis: int) -> np.ndarray:
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _softplus64(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x.astype(np.float64))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_match_numpy(dtype: str) -> None:
    x = _x(dtype)
    e = T.convert_to_tensor(x)
    tol = FLOAT_TOLS[dtype]
    x64 = x.astype(np.float64)
    with np.errstate(over="ignore"):  # exp(1000) is inf and 1 / (1 + inf) the correct 0
        logistic = 1.0 / (1.0 + np.exp(-x64))
    refs = {
        "relu": np.maximum(x, 0),
        "sigmoid": logistic,
        "tanh": np.tanh(x64),
        "softmax": _softmax64(x, -1),
        "softplus": _softplus64(x),
        "lecun_tanh": 1.7159 * np.tanh(2.0 / 3.0 * x64),
    }
    for name, ref in refs.items():
        for fn in (getattr(act, name), act.get_activation(name)):
            got = fn(e).numpy()
            assert got.dtype == np.dtype(dtype), name
            assert got.shape == x.shape, name
            np.testing.assert_allclose(got, ref, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("axis", [0, 1, -2])
def test_softmax_axis(axis: int) -> None:
    x = _x("float64")
    got = act.softmax(T.convert_to_tensor(x), axis=axis).numpy()
    np.testing.assert_allclose(got, _softmax64(x, axis), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(got.sum(axis=axis), 1.0, rtol=1e-13)


def test_integer_input_computes_in_float32() -> None:
    x = np.array([[-3, 0, 2, 100]], np.int32)
    e = T.convert_to_tensor(x)
    np.testing.assert_array_equal(act.relu(e).numpy(), np.maximum(x, 0))
    assert act.relu(e).numpy().dtype == np.int32
    for name, ref in (("softmax", _softmax64(x, -1)), ("softplus", _softplus64(x)),
                      ("lecun_tanh", 1.7159 * np.tanh(2.0 / 3.0 * x))):
        got = getattr(act, name)(e).numpy()
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-6, err_msg=name)


def test_softmax_and_softplus_do_not_overflow() -> None:
    x = np.array([1e4, -1e4, 0.0], np.float32)
    e = T.convert_to_tensor(x)
    np.testing.assert_allclose(act.softmax(e).numpy(), _softmax64(x, -1), atol=1e-7)
    np.testing.assert_allclose(act.softplus(e).numpy(), _softplus64(x), rtol=1e-6)


def test_get_activation_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"^\[get_activation\]") as info:
        act.get_activation("gelu")
    for name in ("relu", "sigmoid", "tanh", "softmax", "softplus", "lecun_tanh", "gelu"):
        assert name in str(info.value)
