"""EmberTensor behaviour, dtype objects, conversions, devices and backend management."""
from __future__ import annotations

import operator
import pickle  # noqa: F401 - documents that pickling is not part of the API under test
import warnings

import numpy as np
import pytest

import ember_ml as em
from opinfo import core as op_core
from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.ops import stats

ALL = op_core.ALL_DTYPES


def tensor(a) -> T.EmberTensor:
    return T.convert_to_tensor(np.asarray(a))


def assert_same(result, expected, rtol=1e-6, atol=1e-6) -> None:
    """Ember result vs NumPy reference: type, shape, dtype, values."""
    exp = np.asarray(expected)
    assert isinstance(result, T.EmberTensor), type(result)
    assert result.shape == exp.shape
    assert str(result.dtype) == exp.dtype.name, (result.dtype, exp.dtype)
    if exp.dtype.kind == "f":
        np.testing.assert_allclose(np.asarray(result), exp, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(np.asarray(result), exp, strict=True)


# ---------------------------------------------------------------------------------------
# operators
# ---------------------------------------------------------------------------------------
BINARY_OPERATORS = [
    ("+", operator.add, np.add, "arith"),
    ("-", operator.sub, np.subtract, "arith"),
    ("*", operator.mul, np.multiply, "arith"),
    ("/", operator.truediv, np.divide, "truediv"),
    ("//", operator.floordiv, np.floor_divide, "intzero"),
    ("%", operator.mod, np.mod, "intzero"),
    ("**", operator.pow, np.power, "nobool"),
    ("<", operator.lt, np.less, "compare"),
    ("<=", operator.le, np.less_equal, "compare"),
    (">", operator.gt, np.greater, "compare"),
    (">=", operator.ge, np.greater_equal, "compare"),
    ("==", operator.eq, np.equal, "compare"),
    ("!=", operator.ne, np.not_equal, "compare"),
]
BITWISE_OPERATORS = [
    ("&", operator.and_, np.bitwise_and),
    ("|", operator.or_, np.bitwise_or),
    ("^", operator.xor, np.bitwise_xor),
]


@pytest.mark.parametrize("sym,pyop,npop,mode", BINARY_OPERATORS, ids=[o[0] for o in BINARY_OPERATORS])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int32", "uint16"])
def test_binary_operators(sym, pyop, npop, mode, dtype) -> None:
    rng = np.random.default_rng(7)
    a = op_core.rand((2, 3), dtype, rng, 1, 4)
    b = op_core.rand((3,), dtype, rng, 1, 3)
    ref = op_core.binary_ref(npop, mode)
    ta, tb = tensor(a), tensor(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # tensor op tensor, tensor op ndarray, ndarray op tensor (reflected), scalars both sides
        assert_same(pyop(ta, tb), ref(a, b))
        assert_same(pyop(ta, b), ref(a, b))
        assert_same(pyop(a, tb), ref(a, b))
        assert_same(pyop(ta, 2), ref(a, 2))
        assert_same(pyop(2, tb), ref(2, b))
        if sym != "**" or dtype.startswith("float"):
            assert_same(pyop(ta, 0.5), ref(a, 0.5))
            assert_same(pyop(1.5, tb), ref(1.5, b))


@pytest.mark.parametrize("sym,pyop,npop", BITWISE_OPERATORS, ids=[o[0] for o in BITWISE_OPERATORS])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "bool"])
def test_bitwise_operators(sym, pyop, npop, dtype) -> None:
    rng = np.random.default_rng(3)
    a = op_core.rand((2, 3), dtype, rng)
    b = op_core.rand((3,), dtype, rng)
    ref = op_core.binary_ref(npop)
    ta, tb = tensor(a), tensor(b)
    assert_same(pyop(ta, tb), ref(a, b))
    assert_same(pyop(a, tb), ref(a, b))
    assert_same(pyop(ta, b), ref(a, b))
    assert_same(pyop(ta, 1), ref(a, 1))
    assert_same(pyop(True, tb), ref(True, b))


@pytest.mark.parametrize("dtype", ["float16", "float32", "int8", "int64", "uint8", "bool"])
def test_unary_operators(dtype) -> None:
    a = op_core.rand((2, 3), dtype, np.random.default_rng(5))
    t = tensor(a)
    assert_same(abs(t), np.abs(a))
    assert_same(+t, a)
    if dtype != "bool":
        assert_same(-t, np.negative(a))
    if dtype[0] in "ub":
        assert_same(~t, np.invert(a))
    if dtype.startswith("int"):
        assert_same(~t, np.invert(a))


def test_matmul_operator_and_reflection() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    assert_same(tensor(a) @ tensor(b), a @ b, rtol=1e-5)
    assert_same(a @ tensor(b), a @ b, rtol=1e-5)
    assert_same(tensor(a) @ b, a @ b, rtol=1e-5)
    assert_same(tensor(a) @ tensor(b).T.T, a @ b, rtol=1e-5)


def test_ndarray_on_the_left_defers_to_ember() -> None:
    a = np.arange(3, dtype=np.float64)
    t = tensor(np.ones(3, np.float32))
    for result in (a + t, a * t, a - t, a / t, a < t, a == t):
        assert isinstance(result, T.EmberTensor)
    assert (a + t).dtype == "float64"
    assert (a < t).dtype == "bool"
    np.testing.assert_array_equal((a - t).numpy(), a - 1)


SCALAR_PROMOTION_CASES = [
    # (tensor data, other operand); the expected dtype comes from op_core.result_type:
    # np.promote_types, with Python scalars weak (NumPy scalars and 0-d arrays are not).
    (np.array([1, 2], np.int8), 1),
    (np.array([1, 2], np.int8), 1.5),
    (np.array([1, 2], np.int64), 1.5),
    (np.array([1, 2], np.uint8), True),
    (np.array([True, False]), 1),
    (np.array([True, False]), 1.5),
    (np.array([1, 2], np.float16), 1.5),
    (np.array([1, 2], np.float16), 7),
    (np.array([1, 2], np.int16), np.int64(1)),
    (np.array([1, 2], np.float16), np.float32(1)),
    (np.array([1, 2], np.float16), np.float64(1)),
    (np.array([1, 2], np.int8), np.array(1, np.int16)),
    (np.array([1, 2], np.int8), "tensor:int16"),
]


@pytest.mark.parametrize("data,other", SCALAR_PROMOTION_CASES,
                         ids=[f"{d.dtype}-{o!r}" for d, o in SCALAR_PROMOTION_CASES])
def test_scalar_promotion_in_operators(data, other) -> None:
    """Python scalars are weak; NumPy scalars, 0-d arrays and 0-d tensors are not."""
    if isinstance(other, str):  # a 0-d Ember tensor
        ref_other = np.array(1, other.split(":")[1])
        other = tensor(ref_other)
    else:
        ref_other = other
    expected = op_core.result_type(data, ref_other).name
    t = tensor(data)
    assert (t + other).dtype == expected
    assert (other + t).dtype == expected
    assert (t * other).dtype == expected
    assert ops.maximum(t, other).dtype == expected


def test_python_float_scalar_keeps_double_precision() -> None:
    """0.1 is the double 0.1 in a float64 computation, as in NumPy."""
    x = tensor(np.zeros(2, np.float64))
    assert (x + 0.1).numpy()[0] == np.float64(0) + 0.1
    assert ops.multiply(x + 1, 1 / 3).numpy()[0] == 1 / 3
    assert T.convert_to_tensor(0.1, dtype="float64").item() == 0.1


def test_inplace_operators_rebind() -> None:
    t = tensor(np.arange(3, dtype=np.int32))
    t += 1
    t *= 2
    assert isinstance(t, T.EmberTensor)
    np.testing.assert_array_equal(t.numpy(), (np.arange(3) + 1) * 2)


# ---------------------------------------------------------------------------------------
# indexing, views, setitem
# ---------------------------------------------------------------------------------------
INDEXES = [
    (1, ...),
    (slice(None, None, -2),),
    (1, slice(None, None, -2), ..., None),
    (..., 1),
    (None, 0, slice(1, None)),
    (-1, slice(-3, None, 2), 2),
    (slice(5, 1, -1), slice(None), slice(None, None, 3)),
    (slice(10, 20),),
    (0, 0, 0),
    (...,),
    (),
]


@pytest.mark.parametrize("key", INDEXES, ids=[str(k) for k in INDEXES])
def test_basic_indexing_matches_numpy_and_is_a_view(key) -> None:
    base = np.arange(4 * 5 * 6, dtype=np.int32).reshape(4, 5, 6)
    t = tensor(base)
    v = t[key]
    assert isinstance(v, T.EmberTensor)
    assert v.shape == base[key].shape
    np.testing.assert_array_equal(v.numpy(), base[key])
    if v.size:
        assert np.shares_memory(v.numpy(), t.numpy())
        # writing through the base shows in the view
        t[...] = -t
        np.testing.assert_array_equal(v.numpy(), -base[key])


def test_view_strides_are_numpy_like() -> None:
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = tensor(base)
    assert t.strides == (4, 1)
    assert t.T.strides == (1, 4)
    assert t[::-1, ::2].strides == (-4, 2)
    assert t[::-1, ::2].numpy().strides == base[::-1, ::2].strides
    assert not t.T.is_contiguous() and t.is_contiguous()


def test_setitem_writes_through_views() -> None:
    base = np.zeros((3, 4), np.float32)
    t = tensor(base)
    v = t[1:, ::2]
    v[...] = 5.0
    ref = base.copy()
    ref[1:, ::2] = 5.0
    np.testing.assert_array_equal(t.numpy(), ref)
    t[0] = tensor(np.array([1, 2, 3, 4], np.int64))  # cast on write
    ref[0] = [1, 2, 3, 4]
    np.testing.assert_array_equal(t.numpy(), ref)
    t[:, -1] = np.array([7, 8, 9])  # NumPy array value
    ref[:, -1] = [7, 8, 9]
    t[2, :2] = [0.5, 0.25]  # list value
    ref[2, :2] = [0.5, 0.25]
    t[..., 1] = tensor(np.array([[3.0], [4.0], [6.0]], np.float32))[:, 0]
    ref[..., 1] = [3.0, 4.0, 6.0]
    np.testing.assert_array_equal(t.numpy(), ref)
    np.testing.assert_array_equal(v.numpy(), ref[1:, ::2])


def test_setitem_broadcasts_and_casts() -> None:
    t = tensor(np.zeros((2, 3), np.int16))
    t[:] = tensor(np.array([1, 2, 3], np.int16))
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [1, 2, 3]])
    t[1] = 2.9  # float into int16 truncates as NumPy's casting does
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [2, 2, 2]])
    b = tensor(np.zeros(3, bool))
    b[1] = 5
    np.testing.assert_array_equal(b.numpy(), [False, True, False])


def test_setitem_on_overlapping_reversed_view() -> None:
    t = tensor(np.arange(6, dtype=np.int32))
    t[:] = t[::-1].copy()
    np.testing.assert_array_equal(t.numpy(), np.arange(6)[::-1])


def test_views_from_shape_functions_share_memory() -> None:
    t = tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    for v in (T.reshape(t, (6, 4)), T.transpose(t), T.expand_dims(t, 1), T.squeeze(T.expand_dims(t, 0)),
              t.T, t[1], *T.split(t, 2, axis=2), T.broadcast_to(t[:, :, :1], (2, 3, 4))):
        assert np.shares_memory(v.numpy(), t.numpy())
    c = T.copy(t)
    assert not np.shares_memory(c.numpy(), t.numpy()) and c.is_contiguous()
    parts = T.split(t, [1, 3], axis=2)
    parts[1][...] = 0
    assert float(stats.sum(t[:, :, 1:])) == 0.0


def test_numpy_view_shares_memory_both_ways() -> None:
    t = tensor(np.arange(4, dtype=np.float64))
    a = t.numpy()
    a[0] = 42
    assert t[0].item() == 42
    t[1] = -1
    assert a[1] == -1
    assert T.to_numpy(t) is not None and np.shares_memory(T.to_numpy(t), a)


# ---------------------------------------------------------------------------------------
# __array__, buffer protocol, DLPack
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL)
def test_array_protocol(dtype) -> None:
    a = op_core.rand((3, 4), dtype, np.random.default_rng(1))
    t = tensor(a)
    out = np.asarray(t)
    assert out.dtype == a.dtype and out.shape == a.shape
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), a.astype(np.float64))
    c = np.array(t, copy=True)
    c[...] = 0
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_array_equal(np.asarray(t.T), a.T)


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("view", ["contig", "T", "colstep", "rev"])
def test_buffer_protocol(dtype, view) -> None:
    a = op_core.rand((4, 6), dtype, np.random.default_rng(2))
    t = op_core.VIEWS[view](tensor(a))
    ref = op_core.VIEWS[view](a)
    m = memoryview(t)
    assert np.dtype(m.format) == ref.dtype, m.format
    assert m.itemsize == ref.itemsize
    assert m.shape == ref.shape
    assert m.strides == ref.strides
    assert m.ndim == 2 and not m.readonly
    np.testing.assert_array_equal(np.asarray(m), ref)
    np.asarray(m)[0, 0] = ref.dtype.type(1)
    assert np.asarray(t)[0, 0] == ref.dtype.type(1)


def test_buffer_protocol_0d_and_empty() -> None:
    m = memoryview(tensor(np.float64(2.5)))
    assert m.shape == () and m.format == "d"
    assert np.asarray(m) == 2.5
    e = memoryview(tensor(np.zeros((2, 0), np.int16)))
    assert e.shape == (2, 0) and np.asarray(e).size == 0


@pytest.mark.parametrize("dtype", ALL)
def test_dlpack_round_trip(dtype) -> None:
    a = op_core.rand((3, 5), dtype, np.random.default_rng(4))
    t = tensor(a)
    assert t.__dlpack_device__() == (1, 0)
    for view, ref in ((t, a), (t.T, a.T), (t[::2, ::-1], a[::2, ::-1])):
        out = np.from_dlpack(view)
        assert out.dtype == ref.dtype and out.shape == ref.shape
        np.testing.assert_array_equal(out, ref)
        assert np.shares_memory(out, t.numpy())
    back = T.from_dlpack(np.from_dlpack(t))
    assert isinstance(back, T.EmberTensor) and back.dtype == dtype
    np.testing.assert_array_equal(back.numpy(), a)
    assert T.from_dlpack(t).shape == (3, 5)


# ---------------------------------------------------------------------------------------
# scalar access, metadata, iteration, repr
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL)
def test_item_and_tolist(dtype) -> None:
    a = op_core.rand((2, 3), dtype, np.random.default_rng(6))
    t = tensor(a)
    assert t.tolist() == a.tolist()
    one = t[1, 2]
    item = one.item()
    assert type(item) is type(a[1, 2].item())
    assert item == a[1, 2].item()
    assert T.item(t[0:1, 0:1]) == a[0, 0].item()
    assert T.tolist(t.T) == a.T.tolist()
    assert tensor(np.zeros((0, 2), dtype)).tolist() == []


def test_metadata() -> None:
    t = tensor(np.zeros((2, 3, 4), np.int16))
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple)
    assert t.dtype == "int16" and t.dtype == T.int16
    assert t.device == "cpu"
    assert t.ndim == 3 and t.size == 24 and t.itemsize == 2
    assert len(t) == 2
    assert T.shape(t) == (2, 3, 4) and T.dtype(t) == T.int16
    assert tensor(np.float32(1)).shape == ()
    assert ops.get_device(t) == "cpu"


def test_iteration_and_len() -> None:
    a = np.arange(6, dtype=np.float32).reshape(3, 2)
    t = tensor(a)
    rows = list(t)
    assert len(rows) == 3 == len(t)
    for r, ra in zip(rows, a):
        assert isinstance(r, T.EmberTensor)
        np.testing.assert_array_equal(r.numpy(), ra)
    assert list(tensor(np.zeros((0, 2)))) == []
    assert [x.item() for x in tensor(np.array([1, 2, 3], np.int8))] == [1, 2, 3]


def test_truthiness_and_conversions() -> None:
    assert bool(tensor(np.array([3])))
    assert not bool(tensor(np.float32(0)))
    assert float(tensor(np.array([2.5]))) == 2.5
    assert int(tensor(np.array([[7]], np.int64))) == 7
    assert operator.index(tensor(np.int32(2))) == 2
    assert [10, 20, 30][tensor(np.int8(1))] == 20
    assert ops.allclose(tensor([1.0, 2.0]), [1.0, 2.0]) is True


def test_repr_and_str() -> None:
    t = tensor(np.array([[1.5, 2.0], [3.0, 4.0]], np.float32))
    r = repr(t)
    assert r.startswith("EmberTensor(") and "dtype=float32" in r and "device='cpu'" in r
    assert "1.5" in r
    assert str(t) == str(t.numpy())
    assert "dtype=bool" in repr(tensor(np.array([True])))
    assert "dtype=int64" in repr(tensor(np.array(3, np.int64)))


def test_tensor_methods() -> None:
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    t = tensor(a)
    assert_same(t.astype("float64"), a.astype(np.float64))
    assert_same(t.astype(T.bool_), a.astype(bool))
    assert_same(t.T.flatten(), a.T.flatten())
    assert_same(t.reshape(3, 2), a.reshape(3, 2))
    assert_same(t.reshape((3, 2)), a.reshape((3, 2)))
    assert_same(t.reshape(6), a.reshape(6))
    assert_same(t.reshape(-1), a.reshape(-1))
    c = t.copy()
    c[0, 0] = 99
    assert t[0, 0].item() == 0
    assert t.to("cpu").shape == (2, 3)


def test_tensor_is_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(tensor(np.zeros(2)))


# ---------------------------------------------------------------------------------------
# conversion rules
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("data,expected", [
    (1.5, "float32"), (3, "int32"), (True, "bool"), (2**40, "int64"), (-(2**31), "int32"),
    ([1.5, 2.0], "float32"), ([[1, 2], [3, 4]], "int32"), ([True, False], "bool"), ([2**40, 1], "int64"),
    ([1, 2.5], "float32"), ((1, 2), "int32"), ([], "float32"),
])
def test_python_data_conversion(data, expected) -> None:
    t = T.convert_to_tensor(data)
    assert t.dtype == expected
    ref = np.asarray(data, dtype=expected) if data != [] else np.asarray(data, dtype=np.float32)
    assert t.shape == ref.shape
    np.testing.assert_array_equal(t.numpy(), ref)


@pytest.mark.parametrize("dtype", ALL)
def test_numpy_conversion_keeps_dtype(dtype) -> None:
    a = op_core.rand((3, 4), dtype, np.random.default_rng(8))
    for src in (a, a.T, a[::2, ::-1], np.asfortranarray(a)):
        t = T.convert_to_tensor(src)
        assert t.dtype == dtype
        np.testing.assert_array_equal(t.numpy(), src)
        assert t.is_contiguous()
    scalar = a.reshape(-1)[0]  # a NumPy scalar of this dtype
    ts = T.convert_to_tensor(scalar)
    assert ts.dtype == dtype and ts.shape == ()
    assert ts.item() == scalar.item()


def test_numpy_float64_scalar_keeps_dtype() -> None:
    """np.float64 subclasses Python float, but it is a NumPy scalar: it keeps float64."""
    t = T.convert_to_tensor(np.float64(0.1))
    assert t.dtype == "float64"
    assert t.item() == 0.1


def test_non_native_byte_order() -> None:
    a = np.arange(5, dtype=">i4")
    t = T.convert_to_tensor(a)
    assert t.dtype == "int32"
    np.testing.assert_array_equal(t.numpy(), np.arange(5))


def test_convert_with_dtype_and_identity() -> None:
    t = T.convert_to_tensor(np.arange(4, dtype=np.float32))
    same = T.convert_to_tensor(t)
    assert np.shares_memory(same.numpy(), t.numpy())
    assert T.array is T.convert_to_tensor
    assert_same(T.convert_to_tensor(t, dtype="int8"), np.arange(4, dtype=np.int8))
    assert_same(T.convert_to_tensor([1, 2], dtype=T.float64), np.array([1.0, 2.0]))
    assert_same(T.EmberTensor([[1, 2]], dtype="uint8"), np.array([[1, 2]], np.uint8))
    assert_same(T.EmberTensor(np.arange(3), device="cpu"), np.arange(3))
    assert_same(T.convert_to_tensor([1.5, 2.5], dtype=np.float16), np.array([1.5, 2.5], np.float16))


def test_ops_accept_python_data() -> None:
    assert_same(ops.add([1, 2], [3, 4]), np.array([4, 6], np.int32))
    assert_same(ops.multiply([1.5, 2.0], 2), np.array([3.0, 4.0], np.float32))
    assert_same(ops.exp(0.0), np.float32(1.0))
    assert_same(stats.sum([[1, 2], [3, 4]], axis=0), np.array([4, 6], np.int64))
    assert_same(ops.add(np.arange(3, dtype=np.int16), 1), np.arange(1, 4, dtype=np.int16))


# ---------------------------------------------------------------------------------------
# dtype objects
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_dtype_objects(name) -> None:
    attr = "bool_" if name == "bool" else name
    d = getattr(T, attr)
    assert d is getattr(_core, attr) or d == getattr(_core, attr)
    assert isinstance(d, T.EmberDType)
    assert d == name and not (d != name)
    assert d.name == name and str(d) == name
    assert d == np.dtype(name) and d.numpy_dtype == np.dtype(name)
    assert d.itemsize == np.dtype(name).itemsize
    assert d.is_floating_point == (np.dtype(name).kind == "f")
    assert hash(d) == hash(name)
    assert {d: 1}[name] == 1 and {name: 2}[d] == 2
    assert T.get_dtype(name) == d and T.get_dtype(d) is d
    assert T.get_dtype(np.dtype(name)) == d
    assert T.to_dtype_str(d) == name and T.to_dtype_str(name) == name
    assert T.from_dtype_str(name) == d
    assert repr(d) == f"ember_ml.{name}"
    others = [o for o in ALL if o != name]
    assert all(d != o for o in others)
    assert T.zeros((1,), dtype=d).dtype == d


def test_dtype_aliases_and_python_types() -> None:
    assert T.bool_ == "bool_" and T.get_dtype("bool_") == T.bool_
    assert T.get_dtype(bool) == T.bool_
    assert T.get_dtype(float) == T.float32 and T.get_dtype(int) == T.int32
    assert T.float32 == float and T.int32 == int and T.bool_ == bool
    assert T.get_dtype(np.float16) == T.float16
    assert T.to_dtype_str(np.dtype("uint16")) == "uint16"
    assert T.float32 != "foo" and not (T.float32 == 3) and T.float32 != None  # noqa: E711
    assert T.DType is T.EmberDType


# ---------------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------------
def test_device_functions() -> None:
    t = tensor(np.arange(3))
    assert "cpu" in ops.get_available_devices()
    assert ops.is_available("cpu")
    assert ops.get_default_device() == "cpu" or ops.get_default_device().startswith("opencl")
    moved = ops.to_device(t, "cpu")
    assert moved.device == "cpu" and np.shares_memory(moved.numpy(), t.numpy())
    ops.synchronize()
    ops.synchronize("cpu")
    assert ops.to_device([1, 2], "cpu").dtype == "int32"


# ---------------------------------------------------------------------------------------
# backend management
# ---------------------------------------------------------------------------------------
def test_set_backend_numpy_alias() -> None:
    em.set_backend("numpy")  # the name that was set, running on the cpu engine (documented Ember ML)
    assert em.get_backend() == "numpy"
    assert ops.get_backend() == "numpy"
    assert T.zeros((2,)).device == "cpu"
    em.set_backend(" NumPy ")
    assert em.get_backend() == "numpy"
    em.set_backend("cpu")
    assert em.get_backend() == "cpu"
    assert "cpu" in em.get_available_backends()
    backend, device = em.auto_select_backend()
    assert backend in em.get_available_backends() and isinstance(device, str)


def test_unknown_backend() -> None:
    before = em.get_backend()
    with pytest.raises(ValueError, match=r"^\[set_backend\].*cpu"):
        em.set_backend("jax")
    assert em.get_backend() == before
    if "opencl" not in em.get_available_backends():
        with pytest.raises(ValueError, match=r"not available.*cpu"):
            em.set_backend("opencl")


def test_using_backend_restores() -> None:
    em.set_backend("cpu")
    with em.using_backend("numpy") as name:
        assert name == "numpy"
        assert em.get_backend() == "numpy" and T.zeros((1,)).device == "cpu"
        with em.using_backend("cpu"):
            assert em.get_backend() == "cpu"
        assert em.get_backend() == "numpy"
    assert em.get_backend() == "cpu"
    with pytest.raises(RuntimeError):
        with em.using_backend("numpy"):
            raise RuntimeError("boom")
    assert em.get_backend() == "cpu"
    with pytest.raises(ValueError):
        with em.using_backend("nope"):
            pass
    assert em.get_backend() == "cpu"


def test_function_imported_before_backend_switch() -> None:
    from ember_ml.ops import add  # noqa: PLC0415 - the point of the test
    from ember_ml.ops.stats import sum as em_sum  # noqa: PLC0415

    x = T.convert_to_tensor(np.arange(4, dtype=np.float32))
    em.set_backend("numpy")
    assert_same(add(x, 1), np.arange(4, dtype=np.float32) + 1)
    em.set_backend("cpu")
    assert_same(add(x, x), np.arange(4, dtype=np.float32) * 2)
    with em.using_backend("numpy"):
        assert_same(em_sum(x), np.float32(6))
    assert ops.add is add


def test_backend_env_var_in_subprocess(run_python, tmp_path, monkeypatch) -> None:
    from conftest import python_env  # noqa: PLC0415

    monkeypatch.setenv("HOME", str(tmp_path))
    code = """
        import warnings
        warnings.simplefilter("error")
        import ember_ml as em
        print(em.get_backend(), em.ops.get_default_device())
    """
    proc = run_python(code, env=python_env(EMBER_ML_BACKEND="numpy"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["numpy", "cpu"]

    code_warn = """
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import ember_ml as em
        print(em.get_backend())
        print([str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)])
    """
    proc = run_python(code_warn, env=python_env(EMBER_ML_BACKEND="no-such-backend"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "cpu"
    assert "EMBER_ML_BACKEND" in lines[1] and "no-such-backend" in lines[1]


def test_persisted_backend(run_python, tmp_path, monkeypatch) -> None:
    from conftest import python_env  # noqa: PLC0415

    monkeypatch.setenv("HOME", str(tmp_path))
    proc = run_python("""
        import ember_ml as em
        em.set_backend("numpy", persist=True)
        print(em.get_backend())
    """, env=python_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "numpy"
    config = tmp_path / ".ember" / "backend"
    assert config.read_text().strip() == "numpy"
    assert not (tmp_path / ".ember" / "backend.tmp").exists()

    # a later process picks the persisted choice up without warnings
    proc = run_python("""
        import warnings
        warnings.simplefilter("error")
        import ember_ml as em
        print(em.get_backend())
    """, env=python_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "numpy"

    # an invalid persisted value is ignored with a RuntimeWarning naming the file ...
    config.write_text("bogus\n")
    proc = run_python("""
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import ember_ml as em
        print(em.get_backend())
        print([str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)])
    """, env=python_env())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "cpu" and "bogus" in lines[1] and "backend" in lines[1]

    # ... and EMBER_ML_BACKEND wins over the file
    proc = run_python("""
        import warnings
        warnings.simplefilter("error")
        import ember_ml as em
        print(em.get_backend())
    """, env=python_env(EMBER_ML_BACKEND="cpu"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "cpu"


def test_persist_false_writes_nothing(run_python, tmp_path, monkeypatch) -> None:
    from conftest import python_env  # noqa: PLC0415

    monkeypatch.setenv("HOME", str(tmp_path))
    proc = run_python("import ember_ml as em; em.set_backend('numpy'); print(em.get_backend())", env=python_env())
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / ".ember").exists()
