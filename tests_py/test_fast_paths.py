"""The fast entry points for small ops against the general pybind11 paths they bypass.

``ops.add(a, b)``-style functions, EmberTensor's arithmetic operators and comparisons and
``x[key]`` with basic keys take tensors (and Python numbers) straight from the CPython
call (python/src/fast_paths.h). Keyword calls and the bound dunder methods called
explicitly (``EmberTensor.__add__(a, b)``) still go through pybind11: the general path
each fast path is compared with here, on values (float64 to 1e-10, float32 to 1e-5),
shapes, dtypes, gradients and errors.
"""
from __future__ import annotations

import inspect
import operator
import sys
import weakref

import numpy as np
import pytest

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import Parameter

TOL = {"float64": 1e-10, "float32": 1e-5}
RNG = np.random.default_rng(19)


def assert_same(fast, general) -> None:
    """Same type, shape, dtype and values (to TOL for floats, exactly otherwise)."""
    assert type(fast) is type(general) is T.EmberTensor
    assert fast.shape == general.shape
    assert fast.dtype == general.dtype
    f, g = fast.numpy(), general.numpy()
    if str(fast.dtype) in TOL:
        tol = TOL[str(fast.dtype)]
        np.testing.assert_allclose(f, g, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(f, g)


def raised(fn):
    """The (type, message) of the exception fn raises."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def check(fast, general) -> None:
    """fast() and general() give the same tensor, or raise the same error."""
    try:
        want = general()
    except Exception:  # noqa: BLE001 - then the fast path must raise the same error
        assert raised(fast) == raised(general)
        return
    assert_same(fast(), want)


def data(shape, dtype):
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if dtype.startswith("int"):
        return RNG.integers(-5, 6, shape).astype(dtype)
    return (RNG.standard_normal(shape) + 2.0).astype(dtype)


SHAPE_PAIRS = [((), ()), ((1,), (1,)), ((100,), (100,)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ())]
FUNCTIONS = ["add", "subtract", "multiply", "divide", "maximum", "less", "equal", "power", "arctan2"]


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("shapes", SHAPE_PAIRS)
def test_binary_function_matches_keyword_call(name, dtype, shapes):
    fn = getattr(ops, name)
    a, b = T.convert_to_tensor(data(shapes[0], dtype)), T.convert_to_tensor(data(shapes[1], dtype))
    check(lambda: fn(a, b), lambda: fn(x=a, y=b))


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "greater", "maximum"])
@pytest.mark.parametrize("number", [2, 2.5, True, -3, 2**40])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8"])
def test_binary_function_with_python_number_matches_keyword_call(name, number, dtype):
    fn = getattr(ops, name)
    t = T.convert_to_tensor(data((4,), dtype))
    for x, y in ((t, number), (number, t)):
        check(lambda: fn(x, y), lambda: fn(x=x, y=y))


def test_binary_function_other_operands_go_to_the_general_path():
    a = np.arange(3.0, dtype=np.float32)
    assert_same(ops.add(a, [1.0, 2.0, 3.0]), ops.add(x=a, y=[1.0, 2.0, 3.0]))
    assert_same(ops.add(T.convert_to_tensor(a), a), ops.add(x=T.convert_to_tensor(a), y=a))
    assert_same(ops.add(1.5, 2.5), ops.add(x=1.5, y=2.5))


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "negative", "abs", "sqrt", "sign"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_unary_function_matches_keyword_call(name, dtype):
    fn = getattr(_core, name)
    t = T.convert_to_tensor(np.abs(data((3, 5), dtype)) + 1)
    check(lambda: fn(t), lambda: fn(x=t))


def test_functions_keep_signature_doc_and_module():
    assert str(inspect.signature(ops.add)) == "(x, y)"
    assert str(inspect.signature(ops.exp)) == "(x)"
    assert "Returns:" in ops.add.__doc__ and "Raises:" in ops.add.__doc__
    assert ops.add.__name__ == "add" and ops.add.__module__ == "ember_ml._core"
    assert _core.add is ops.add


def _t(a, dtype=None):
    return T.convert_to_tensor(np.asarray(a, dtype=dtype))


ERROR_CASES = [
    ("add", lambda: (_t(np.zeros((2, 3)), "float32"), _t(np.zeros(4), "float32"))),  # shapes
    ("subtract", lambda: (_t([True]), _t([False]))),  # boolean subtract
    ("bitwise_and", lambda: (_t([1.5]), _t([2.5]))),  # float bitwise
    ("add", lambda: (_t([1], "uint8"), 2**70)),  # beyond int64
    ("add", lambda: (_t([1], "uint8"), 300)),  # beyond uint8 (NEP 50)
    ("bitwise_not", lambda: (_t([1.5]),)),  # unary: float bitwise
]


@pytest.mark.parametrize("name,make", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_the_general_path(name, make):
    fn, args = getattr(_core, name), make()
    fast = raised(lambda: fn(*args))
    assert fast == raised(lambda: fn(**dict(zip(("x", "y"), args))))
    assert fast[1].startswith(f"[{name}]")


def test_binary_function_gradients_match_keyword_call():
    for dtype in ("float32", "float64"):
        x = T.convert_to_tensor(data((3,), dtype), requires_grad=True)
        y = T.convert_to_tensor(data((3,), dtype), requires_grad=True)
        fast = ops.grad(lambda p, q: ops.stats.sum(ops.multiply(ops.exp(p), q)), argnums=(0, 1))(x, y)
        general = ops.grad(lambda p, q: ops.stats.sum(ops.multiply(x=ops.exp(x=p), y=q)), argnums=(0, 1))(x, y)
        for f, g in zip(fast, general):
            assert_same(f, g)


# ---------------------------------------------------------------------------------------
# operators: the number-protocol and comparison slots vs the bound dunder methods
# ---------------------------------------------------------------------------------------
OPERATORS = [
    (operator.add, "__add__", "__radd__"),
    (operator.sub, "__sub__", "__rsub__"),
    (operator.mul, "__mul__", "__rmul__"),
    (operator.truediv, "__truediv__", "__rtruediv__"),
    (operator.floordiv, "__floordiv__", "__rfloordiv__"),
    (operator.mod, "__mod__", "__rmod__"),
    (operator.matmul, "__matmul__", "__rmatmul__"),
    (operator.and_, "__and__", "__rand__"),
    (operator.or_, "__or__", "__ror__"),
    (operator.xor, "__xor__", "__rxor__"),
    (operator.lt, "__lt__", None),
    (operator.le, "__le__", None),
    (operator.eq, "__eq__", None),
    (operator.ne, "__ne__", None),
    (operator.gt, "__gt__", None),
    (operator.ge, "__ge__", None),
]


def general(method, a, b):
    """a <op> b through pybind11's bound method (the general path)."""
    return getattr(T.EmberTensor, method)(a, b)


@pytest.mark.parametrize("op,method,rmethod", OPERATORS, ids=[m for _, m, _ in OPERATORS])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_operator_on_tensors_matches_bound_method(op, method, rmethod, dtype):
    shapes = ((3, 3), (3, 3)) if method == "__matmul__" else ((2, 3), (3,))
    a, b = T.convert_to_tensor(data(shapes[0], dtype)), T.convert_to_tensor(data(shapes[1], dtype))
    check(lambda: op(a, b), lambda: general(method, a, b))


@pytest.mark.parametrize("op,method,rmethod", OPERATORS, ids=[m for _, m, _ in OPERATORS])
@pytest.mark.parametrize("number", [3, 0.5, True, 2**40])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_operator_with_python_number_matches_bound_method(op, method, rmethod, number, dtype):
    if method == "__matmul__":
        return  # a number is no matmul operand: covered by the error test below
    t = T.convert_to_tensor(data((4,), dtype) + 1)
    check(lambda: op(t, number), lambda: general(method, t, number))
    if rmethod:
        check(lambda: op(number, t), lambda: general(rmethod, t, number))


def test_operator_other_operands_go_to_the_bound_methods():
    t = T.convert_to_tensor(np.arange(4.0, dtype=np.float32))
    arr = np.arange(4.0, dtype=np.float32)
    assert_same(t + arr, general("__add__", t, arr))
    assert_same(arr + t, general("__radd__", t, arr))  # NumPy defers: __array_ufunc__ = None
    assert_same(t * [1.0, 2.0, 3.0, 4.0], general("__mul__", t, [1.0, 2.0, 3.0, 4.0]))
    assert_same(t < arr, general("__lt__", t, arr))
    assert_same(t == np.float32(2.0), general("__eq__", t, np.float32(2.0)))
    assert raised(lambda: t + "a") == raised(lambda: general("__add__", t, "a"))
    assert raised(lambda: t @ 2.0) == raised(lambda: general("__matmul__", t, 2.0))
    t += 1.0  # no __iadd__: a new tensor through the nb_add slot
    assert_same(t, T.convert_to_tensor(arr + 1.0))


def test_subclasses_keep_their_own_operators():
    class Doubling(T.EmberTensor):
        def __add__(self, other):
            return "own __add__"

        def __radd__(self, other):
            return "own __radd__"

        def __lt__(self, other):
            return "own __lt__"

    base = T.convert_to_tensor(np.ones(2, np.float32))
    sub = Doubling(np.ones(2, np.float32))
    assert sub + base == "own __add__"
    assert base + sub == "own __radd__"  # a subclass's reflected method goes first, as in Python
    assert 1.0 + sub == "own __radd__"
    assert (sub < base) == "own __lt__"
    # A subclass without its own operators (Parameter) takes the fast slots.
    p = Parameter(np.full(2, 3.0, np.float32))
    assert_same(p + base, general("__add__", p, base))
    assert_same(2.0 * p, general("__rmul__", p, 2.0))
    assert_same(p > base, general("__gt__", p, base))


def test_operator_gradients_match_bound_methods():
    for dtype in ("float32", "float64"):
        x = T.convert_to_tensor(data((3,), dtype), requires_grad=True)
        fast = ops.grad(lambda p: ops.stats.sum(p * p + 2.0 / p - p))(x)
        slow = ops.grad(lambda p: ops.stats.sum(general("__sub__", general("__add__", general("__mul__", p, p),
                                                                            general("__rtruediv__", p, 2.0)), p)))(x)
        assert_same(fast, slow)


# ---------------------------------------------------------------------------------------
# x[key] with basic keys vs __getitem__
# ---------------------------------------------------------------------------------------
BASIC_KEYS = [
    1, -1, slice(1, 3), slice(None, None, -1), slice(5, 1, -2), slice(-100, 100), slice(3, 1),
    (0, 1), (slice(None), 2), (Ellipsis, 0), (None, Ellipsis, None), (1, None, slice(0, 2)), (), np.int64(2),
    (Ellipsis,), (slice(1, None), Ellipsis, -1), (None, 1, None, slice(None, None, -1)),
    (slice(None), None, slice(0, 0)), (slice(None, None, 2), Ellipsis, None), (-1, slice(2, None, -1)),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_getitem_basic_key_matches_getitem_method(key, dtype):
    arr = data((4, 3), dtype)
    t = T.convert_to_tensor(arr)
    fast = t[key]
    assert_same(fast, T.EmberTensor.__getitem__(t, key))
    np.testing.assert_array_equal(fast.numpy(), arr[key])
    if fast.size:
        assert np.shares_memory(fast.numpy(), t.numpy())  # basic keys give views


@pytest.mark.parametrize("key", [[0, 2], np.array([True, False, True, False]), (slice(None), [1])], ids=repr)
def test_getitem_array_keys_go_to_the_general_path(key):
    arr = data((4, 3), "float64")
    t = T.convert_to_tensor(arr)
    assert_same(t[key], T.EmberTensor.__getitem__(t, key))
    np.testing.assert_array_equal(t[key].numpy(), arr[key])


@pytest.mark.parametrize("key", [7, (0, 5), (0, 0, 0), slice(0, 2, 0), (Ellipsis, Ellipsis), 1.5, "a"], ids=repr)
def test_getitem_errors_match_getitem_method(key):
    t = T.convert_to_tensor(np.zeros((4, 3), np.float32))
    assert raised(lambda: t[key]) == raised(lambda: T.EmberTensor.__getitem__(t, key))


def test_getitem_out_of_bounds_names_the_axis_as_numpy():
    t = T.convert_to_tensor(np.zeros((4, 3), np.float32))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 1 with size 3"):
        t[0, 5]
    with pytest.raises(IndexError, match="index -4 is out of bounds for axis 1 with size 3"):
        t[..., -4]


class IndexingIndex:
    """An integer key whose __index__ itself indexes a tensor (a call nested in x[key])."""

    def __init__(self, tensor, value):
        self.tensor, self.value = tensor, value

    def __index__(self):
        return int(self.tensor[self.value : self.value + 1][0].item())


def test_getitem_key_whose_index_indexes_a_tensor():
    arr = data((4, 3), "float64")
    t = T.convert_to_tensor(arr)
    positions = T.convert_to_tensor(np.array([2, 0, 1], np.int64))
    key = (IndexingIndex(positions, 0), slice(None), None)
    fast = t[key]
    assert_same(fast, T.EmberTensor.__getitem__(t, (2, slice(None), None)))
    np.testing.assert_array_equal(fast.numpy(), arr[2, :, None])


# ---------------------------------------------------------------------------------------
# The Python objects the fast paths create (fast_paths.cpp: wrap and its deallocator)
# ---------------------------------------------------------------------------------------
def test_fast_results_release_their_type_and_storage():
    t = T.convert_to_tensor(np.arange(6, dtype=np.float32))

    def make_and_drop(count):
        for _ in range(count):
            t[1:3]
            t + 1.0
            ops.exp(t)

    make_and_drop(1)  # first calls may cache things
    before = sys.getrefcount(T.EmberTensor)
    make_and_drop(1000)
    after = sys.getrefcount(T.EmberTensor)  # outside the assert, whose rewriting holds references
    assert after == before
    view = t[2:5]
    del t  # the view keeps the storage
    np.testing.assert_array_equal(view.numpy(), np.arange(2, 5, dtype=np.float32))


def test_fast_results_take_weak_references_and_attributes_of_tensors():
    t = T.convert_to_tensor(np.arange(6, dtype=np.float64))
    freed = []
    view = t[::2]
    ref = weakref.ref(view, lambda _: freed.append(True))
    assert ref() is view
    assert view.requires_grad_(True) is view and view.requires_grad
    del view
    assert freed == [True] and ref() is None


def test_fast_results_in_the_general_path_and_subclasses():
    t = T.convert_to_tensor(np.arange(6, dtype=np.float64))
    view = t[1:4]
    general = T.EmberTensor.__add__(view, view)  # pybind11 receives the fast result
    assert_same(view + view, general)
    p = Parameter(np.arange(3, dtype=np.float64))
    assert_same(p[1:], T.EmberTensor.__getitem__(p, slice(1, None)))


def test_getitem_gradient_matches_getitem_method():
    x = T.convert_to_tensor(data((5,), "float64"), requires_grad=True)
    fast = ops.grad(lambda p: ops.stats.sum(p[1:4] * p[::-2]))(x)
    slow = ops.grad(lambda p: ops.stats.sum(T.EmberTensor.__getitem__(p, slice(1, 4))
                                            * T.EmberTensor.__getitem__(p, slice(None, None, -2))))(x)
    assert_same(fast, slow)
