"""No crash and no silent wrong answer: impossible sizes, tensors where ints are
expected, Python ints outside a tensor's dtype (NumPy 2), decompositions of non-finite
input, and the errors that name their op."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.ops import linearalg, stats

BIG = 2**31

# ---- sizes ---------------------------------------------------------------------------------

CREATORS = {
    "zeros": lambda s: T.zeros(s),
    "ones": lambda s: T.ones(s),
    "full": lambda s: T.full(s, 1.0),
    "random_uniform": lambda s: T.random_uniform(s),
    "random_normal": lambda s: T.random_normal(s),
    "random_bernoulli": lambda s: T.random_bernoulli(s, 0.5),
    "random_exponential": lambda s: T.random_exponential(s),
    "orthogonal": lambda s: linearalg.orthogonal(s),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
@pytest.mark.parametrize("shape", [(BIG, BIG), (2**32, 2**32), (2**62, 4)])
def test_impossible_sizes_raise_value_error_naming_op_and_shape(name, shape):
    with pytest.raises(ValueError, match=rf"^\[{name}\] .*{shape[0]}, {shape[1]}.*too big"):
        CREATORS[name](shape)


def test_sizes_beyond_the_machine_raise_memory_error_naming_op_and_bytes():
    # 2**45 float32 = 128 TiB: more than any x86-64 address space, so overcommit cannot hide it.
    with pytest.raises(MemoryError, match=r"^\[zeros\] unable to allocate 128\.00 TiB \(140737488355328 bytes\)"
                                          r" for a tensor of shape \(35184372088832,\)"):
        T.zeros((2**45,))


def test_negative_sizes_raise_value_error():
    with pytest.raises(ValueError, match=r"^\[ones\] negative dimensions"):
        T.ones((2, -1))


def test_views_of_huge_zero_size_tensors_read_nothing():
    x = T.zeros((0, 2**20))
    assert x[:, :3].shape == (0, 3)
    with pytest.raises(IndexError):
        x[0, :3]


# ---- ints, shapes and sequences of ints ------------------------------------------------------

def test_pad_accepts_tensor_and_array_paddings():
    x = np.ones((2, 3), np.float32)
    widths = np.array([[1, 1], [0, 2]])
    expected = np.pad(x, widths)
    for paddings in (T.convert_to_tensor(widths), widths, widths.tolist()):
        np.testing.assert_array_equal(T.pad(T.convert_to_tensor(x), paddings).numpy(), expected)


@pytest.mark.parametrize("paddings, exc, pattern", [
    (None, TypeError, r"^\[pad\] paddings must be a sequence"),
    ({}, TypeError, r"^\[pad\] paddings must be a sequence"),
    ("ab", TypeError, r"^\[pad\] paddings must be a sequence"),
    ([[1, 2, 3], [0, 0]], ValueError, r"^\[pad\] each of paddings must be a \(before, after\) pair"),
    ([[1.5, 1], [0, 0]], TypeError, r"^\[pad\] paddings must be an integer"),
])
def test_pad_bad_paddings(paddings, exc, pattern):
    with pytest.raises(exc, match=pattern):
        T.pad(T.ones((2, 3)), paddings)


def test_integer_tensors_and_arrays_are_accepted_where_ints_are_expected():
    x = T.convert_to_tensor(np.arange(8, dtype=np.float32))
    n = T.convert_to_tensor(np.int64(4))
    np.testing.assert_allclose(ops.fft(x, n=n).numpy(), np.fft.fft(np.arange(8), n=4), rtol=1e-5, atol=1e-5)
    assert [p.shape for p in T.split(x, n)] == [(2,)] * 4
    assert [p.shape for p in T.split(x, T.convert_to_tensor(np.array([3, 5])))] == [(3,), (5,)]
    assert T.zeros(np.array([2, 3])).shape == (2, 3)
    assert T.zeros(T.convert_to_tensor(np.array([2, 3]))).shape == (2, 3)
    assert stats.sort(x, axis=np.int64(0)).shape == (8,)
    assert T.expand_dims(x, T.convert_to_tensor(np.int32(0))).shape == (1, 8)
    out = T.scatter(T.ones((3,)), T.convert_to_tensor(np.array([0, 2, 2])), dim_size=np.int64(4))
    np.testing.assert_array_equal(out.numpy(), [1, 0, 2, 0])


@pytest.mark.parametrize("call, pattern", [
    (lambda x: ops.fft(x, n=T.ones((2,))), r"^\[fft\] n must be an integer"),
    (lambda x: ops.fft(x, n=2.5), r"^\[fft\] n must be an integer"),
    (lambda x: T.split(x, T.ones((2,))), r"^\[split\] shape must be an integer"),
    (lambda x: T.scatter(x, T.convert_to_tensor(np.array([0, 1, 1, 0])), dim_size=(3,)),
     r"^\[scatter\] dim_size must be an integer"),
    (lambda x: stats.sort(x, axis="0"), r"^\[sort\] axis must be an integer"),
    (lambda x: stats.sum(x, keepdims="yes"), r"^\[sum\] keepdims must be a bool"),
    (lambda x: ops.isclose(x, x, rtol=None), r"^\[isclose\] rtol must be a real number"),
    (lambda x: T.zeros(None), r"^\[zeros\] shape must be an integer or a sequence"),
    (lambda x: ops.add(x, None), r"^\[add\] expected a tensor, array, number or nested sequence"),
    (lambda x: ops.add(x, {}), r"^\[add\] expected a tensor, array, number or nested sequence"),
    (lambda x: linearalg.qr(T.ones((2, 2)), mode=None), r"^\[qr\] mode must be a string"),
])
def test_wrong_argument_types_raise_type_error_naming_op_and_argument(call, pattern):
    with pytest.raises(TypeError, match=pattern) as info:
        call(T.ones((4,)))
    assert "Unable to cast" not in str(info.value) and "incompatible function arguments" not in str(info.value)


def test_ints_beyond_int64():
    with pytest.raises(ValueError, match=r"^\[zeros\] shape .* does not fit in a 64-bit integer"):
        T.zeros((2**70,))
    # As NumPy 2: out of bounds for an integer operand, a float for a float operand.
    with pytest.raises(OverflowError, match=r"^\[add\] Python integer beyond the int64 range out of bounds for int64"):
        ops.add(T.convert_to_tensor(np.ones(2, np.int64)), 2**70)
    np.testing.assert_allclose(ops.add(T.ones((2,)), 2**70).numpy(), np.ones(2, np.float32) + 2**70)
    np.testing.assert_array_equal(ops.less(T.convert_to_tensor(np.ones(2, np.int64)), -2**70).numpy(), [False] * 2)


def test_get_device_of_non_tensors():
    assert ops.get_device(T.ones((2,))) == "cpu"
    assert ops.get_device(np.ones(2)) == ops.get_default_device()
    for bad in ("abc", {}, object()):
        with pytest.raises(TypeError, match=r"^\[get_device\]"):
            ops.get_device(bad)


@pytest.mark.parametrize("shape, axis", [((0, 0), 1), ((0, 0), 0), ((2, 0, 0), (1, 2)), ((0, 3), None)])
def test_max_over_an_empty_axis_raises_like_numpy(shape, axis):
    with pytest.raises(ValueError):
        np.max(np.zeros(shape), axis=axis)
    with pytest.raises(ValueError, match=r"^\[max\] zero-size reduction"):
        stats.max(T.zeros(shape), axis=axis)


def test_max_over_a_non_empty_axis_of_an_empty_tensor_is_empty_like_numpy():
    assert stats.max(T.zeros((0, 3)), axis=1).shape == np.max(np.zeros((0, 3)), axis=1).shape == (0,)


# ---- NumPy 2 semantics of Python ints outside the dtype ----------------------------------------

DEVICES = ["cpu"] + (["opencl"] if "opencl:0" in ops.get_available_devices() else [])


def on(device, data, dtype):
    return ops.to_device(T.convert_to_tensor(np.array(data, dtype=dtype)), device)


@pytest.mark.parametrize("device", DEVICES)
def test_comparisons_with_out_of_range_ints_are_exact(device):
    u = on(device, [0, 1, 100, 200], np.uint8)
    i8 = on(device, [-100, 0, 100], np.int8)
    un, i8n = np.array([0, 1, 100, 200], np.uint8), np.array([-100, 0, 100], np.int8)
    cases = [(u > -1, un > -1), (u >= -1, un >= -1), (u == 256, un == 256), (u != 256, un != 256),
             (i8 < 200, i8n < 200), (i8 <= -129, i8n <= -129), (ops.less(300, u), np.less(300, un)),
             (ops.greater(-1, u), np.greater(-1, un)), (ops.logical_and(u, 256), np.logical_and(un, True))]
    for got, expected in cases:
        assert got.device.startswith(device)
        np.testing.assert_array_equal(got.numpy(), expected)


@pytest.mark.parametrize("device", DEVICES)
def test_clip_maximum_minimum_with_out_of_range_ints_are_exact(device):
    u = on(device, [0, 1, 100, 200], np.uint8)
    un = np.array([0, 1, 100, 200], np.uint8)
    for got, expected in [(ops.clip(u, -2, 3), np.clip(un, -2, 3)), (ops.clip(u, 3, 300), np.clip(un, 3, 300)),
                          (ops.maximum(u, -5), un), (ops.minimum(u, 300), un)]:
        assert got.dtype == "uint8"
        np.testing.assert_array_equal(got.numpy(), expected)
    # The exact answer does not fit uint8: NumPy's OverflowError, naming the op.
    for call, name in [(lambda: ops.maximum(u, 256), "maximum"), (lambda: ops.minimum(u, -1), "minimum"),
                       (lambda: ops.clip(u, 300, 400), "maximum")]:
        with pytest.raises(OverflowError, match=rf"^\[{name}\] Python integer -?\d+ out of bounds for uint8"):
            call()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name, value", [("add", 300), ("subtract", 256), ("multiply", -1), ("floor_divide", 300),
                                         ("mod", -1), ("power", 300), ("bitwise_and", 256)])
def test_arithmetic_with_out_of_range_ints_raises_overflow_error(device, name, value):
    u = on(device, [0, 1, 100, 200], np.uint8)
    with pytest.raises(OverflowError):
        getattr(np, name)(np.array([0, 1], np.uint8), value)
    with pytest.raises(OverflowError, match=rf"^\[{name}\] Python integer {value} out of bounds for uint8"):
        getattr(_core, name)(u, value)
    with pytest.raises(OverflowError, match=rf"^\[{name}\]"):
        getattr(_core, name)(value, u)


def test_operators_and_in_range_ints_are_unchanged():
    u = T.convert_to_tensor(np.array([0, 1, 100, 200], np.uint8))
    with pytest.raises(OverflowError, match=r"^\[add\]"):
        u + 300
    np.testing.assert_array_equal((u + 55).numpy(), np.array([0, 1, 100, 200], np.uint8) + 55)
    np.testing.assert_allclose((u / 300).numpy(), np.array([0, 1, 100, 200]) / 300, rtol=1e-6)


# ---- decompositions of non-finite input ------------------------------------------------------------

NAN_MATRIX = np.array([[1.0, np.nan], [2.0, 3.0]])


def test_linalgerror_is_a_value_error_exported_by_linearalg():
    assert issubclass(linearalg.LinAlgError, ValueError)
    assert "LinAlgError" in linearalg.__all__


@pytest.mark.parametrize("name, call, pattern", [
    ("svd", lambda a: linearalg.svd(a), "SVD did not converge"),
    ("svd", lambda a: linearalg.svd(a, compute_uv=False), "SVD did not converge"),
    ("eig", linearalg.eig, "array must not contain infs or NaNs"),
    ("eigvals", linearalg.eigvals, "array must not contain infs or NaNs"),
    ("lstsq", lambda a: linearalg.lstsq(a, T.ones((2,), dtype="float64")), "SVD did not converge in Linear Least Squares"),
])
def test_decompositions_of_nan_raise_linalgerror_as_numpy(name, call, pattern):
    with pytest.raises(np.linalg.LinAlgError):
        getattr(np.linalg, name if name != "eigvals" else "eigvals")(
            *([NAN_MATRIX, np.ones(2)] if name == "lstsq" else [NAN_MATRIX]))
    for _ in range(3):  # never values that change from run to run
        with pytest.raises(linearalg.LinAlgError, match=rf"^\[{name}\] {pattern} \(float64 tensor of shape \(2, 2\)"):
            call(T.convert_to_tensor(NAN_MATRIX))


def test_cholesky_of_a_non_finite_lower_triangle_raises_linalgerror():
    with pytest.raises(linearalg.LinAlgError, match=r"^\[cholesky\] matrix is not positive definite"):
        linearalg.cholesky(T.convert_to_tensor(np.array([[4.0, 0.0], [np.nan, 3.0]])))
    # The upper triangle is not read (numpy's UPLO='L').
    got = linearalg.cholesky(T.convert_to_tensor(np.array([[4.0, np.nan], [2.0, 3.0]])))
    np.testing.assert_allclose(got.numpy(), np.linalg.cholesky(np.array([[4.0, np.nan], [2.0, 3.0]])))


def test_singular_and_not_positive_definite_raise_linalgerror():
    singular = T.convert_to_tensor(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(linearalg.LinAlgError, match=r"^\[inv\] singular matrix"):
        linearalg.inv(singular)
    with pytest.raises(linearalg.LinAlgError, match=r"^\[solve\] singular matrix"):
        linearalg.solve(singular, T.ones((2,), dtype="float64"))
    with pytest.raises(linearalg.LinAlgError, match=r"^\[cholesky\]"):
        linearalg.cholesky(singular)


def test_solve_inv_det_eigh_of_nan_answer_nan_as_numpy():
    a = T.convert_to_tensor(NAN_MATRIX)
    assert np.isnan(linearalg.inv(a).numpy()).all() == np.isnan(np.linalg.inv(NAN_MATRIX)).all()
    assert np.isnan(linearalg.det(a).numpy()) and np.isnan(np.linalg.det(NAN_MATRIX))
    lower_nan = np.array([[1.0, 2.0], [np.nan, 3.0]])
    w, v = linearalg.eigh(T.convert_to_tensor(lower_nan))
    w_np, v_np = np.linalg.eigh(lower_nan)
    assert np.isnan(w.numpy()).all() and np.isnan(w_np).all() and np.isnan(v.numpy()).all()
