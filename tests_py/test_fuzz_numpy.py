"""Differential fuzzing against NumPy 2 with hypothesis: random shapes (0-d and 0-size
included), every real dtype and special values (NaN, inf, -0.0, integer extremes) through
the elementwise, comparison, Python-scalar, reduction, shape, indexing and linalg ops.

For each example the op runs in NumPy (warnings silenced) and in Ember: when NumPy
raises, Ember must raise the same kind of exception; otherwise shapes, values and (where
Ember follows NumPy's dtype rules) dtypes must agree. The examples are derandomized (a
fixed seed) with a fixed budget per test, so the suite is reproducible and bounded in time.
"""
from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from ember_ml import ops  # noqa: E402
from ember_ml.nn import tensor as T  # noqa: E402
from ember_ml.ops import bitwise, linearalg, stats  # noqa: E402

# No shrinking: a failure reports the first failing example, so the time stays bounded.
FUZZ = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOATS = ["float16", "float32", "float64"]
REAL = ["bool"] + INTS + FLOATS
# The exception kinds compared; NumPy's LinAlgError and UFuncTypeError are subclasses.
KINDS = (OverflowError, TypeError, IndexError, ValueError)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def arrays(dtype_names, shape=shapes, elements=None):
    return st.sampled_from(dtype_names).flatmap(
        lambda d: hnp.arrays(np.dtype(d), shape, elements=elements(d) if elements else None))


def moderate(d: str):
    """Values that cannot overflow a short reduction: NaN and inf stay in, huge values out."""
    if np.dtype(d).kind == "f":
        bound = 100.0 if d == "float16" else 1e3
        return st.one_of(st.floats(-bound, bound, width=np.dtype(d).itemsize * 8),
                         st.sampled_from([np.nan, np.inf, -np.inf]))
    return None


def summation_atol(x: np.ndarray) -> float:
    """The rounding a sum may pick up from its order of additions (pairwise in NumPy)."""
    if x.dtype.kind != "f":
        return 0.0
    finite = np.abs(x[np.isfinite(x)].astype(np.float64))
    return 4 * float(np.finfo(x.dtype).eps) * float(finite.sum())


def ember_op(name: str):
    """The public Ember function of a NumPy name (ops, then ops.bitwise)."""
    return getattr(ops, name, None) or getattr(bitwise, name)


def run_numpy(fn, *args):
    with np.errstate(all="ignore"):
        try:
            return fn(*args), None
        except Exception as e:  # noqa: BLE001 -- the kind is compared below
            return None, e


def kind_of(e: BaseException) -> type:
    return next(k for k in KINDS if isinstance(e, k))


def check(ember_fn, numpy_fn, *args, check_dtype=True, rtol=0.0, atol=0.0, ember_args=None):
    """Runs both and compares results, or the kinds of the exceptions raised."""
    expected, error = run_numpy(numpy_fn, *args)
    if ember_args is None:
        ember_args = [T.convert_to_tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    if error is not None:
        with pytest.raises(kind_of(error)) as info:
            ember_fn(*ember_args)
        assert str(info.value).startswith("["), str(info.value)
        return
    got = ember_fn(*ember_args)
    compare(got, expected, check_dtype, rtol, atol)


def compare(got, expected, check_dtype=True, rtol=0.0, atol=0.0):
    got = np.asarray(got.numpy() if hasattr(got, "numpy") else got)
    expected = np.asarray(expected)
    assert got.shape == expected.shape
    if check_dtype:
        assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        np.testing.assert_allclose(got.astype(np.complex128 if expected.dtype.kind == "c" else np.float64),
                                   expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


# ---- elementwise ---------------------------------------------------------------------------

SAME_DTYPE_UNARY = ["abs", "negative", "square", "sign", "isnan", "isinf", "isfinite", "logical_not"]


@FUZZ
@given(x=arrays(REAL), name=st.sampled_from(SAME_DTYPE_UNARY))
def test_unary_same_dtype(x, name):
    check(ember_op(name), getattr(np, name), x)


@FUZZ
@given(x=arrays(FLOATS), name=st.sampled_from(["exp", "log", "sqrt", "sin", "cos", "tanh", "floor", "ceil"]))
def test_unary_float(x, name):
    # Transcendental results may differ from NumPy's in the last bits.
    rtol = {"float16": 1e-3, "float32": 1e-5, "float64": 1e-12}[x.dtype.name]
    check(ember_op(name), getattr(np, name), x, rtol=rtol)


@FUZZ
@given(x=arrays(INTS + ["bool"]), name=st.sampled_from(["bitwise_not", "floor", "ceil"]))
def test_unary_integer(x, name):
    check(ember_op(name), getattr(np, name), x, check_dtype=name == "bitwise_not")


BINARY = ["add", "subtract", "multiply", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
          "greater", "greater_equal", "logical_and", "logical_or", "logical_xor"]


@st.composite
def broadcastable_pair(draw, dtype_names, elements=None):
    shape_a, shape_b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)).input_shapes
    da, db = draw(st.sampled_from(dtype_names)), draw(st.sampled_from(dtype_names))
    a = draw(hnp.arrays(np.dtype(da), shape_a, elements=elements(da) if elements else None))
    b = draw(hnp.arrays(np.dtype(db), shape_b, elements=elements(db) if elements else None))
    return a, b


@FUZZ
@given(ab=broadcastable_pair(REAL), name=st.sampled_from(BINARY))
def test_binary_tensor_tensor(ab, name):
    a, b = ab
    rtol = 1e-3 if "float16" in (a.dtype.name, b.dtype.name) else 1e-7
    check(ember_op(name), getattr(np, name), a, b, rtol=rtol)


@FUZZ
@given(ab=broadcastable_pair(INTS + ["bool"]),
       name=st.sampled_from(["bitwise_and", "bitwise_or", "bitwise_xor", "floor_divide", "mod"]))
def test_binary_integer(ab, name):
    check(ember_op(name), getattr(np, name), *ab)


# ---- Python scalars: NumPy 2's weak scalars, out-of-range ints included ---------------------

SCALAR_OPS = ["add", "subtract", "multiply", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
              "greater", "greater_equal"]
py_scalars = st.one_of(st.integers(-2**40, 2**40), st.sampled_from([-1, 0, 127, 128, 255, 256, -129, 2**31, -2**31 - 1]),
                       st.floats(allow_nan=True, allow_infinity=True))


def exact_extreme(name, x, s):
    """maximum / minimum / clip of x with an int s outside x's dtype, computed exactly (NumPy
    2 raises OverflowError for maximum / minimum; Ember answers where the answer fits)."""
    with np.errstate(all="ignore"):
        exact = getattr(np, name)(x.astype(object), s)
    info = np.iinfo(x.dtype)
    flat = np.asarray(exact).ravel()
    if all(info.min <= v <= info.max for v in flat):
        return np.asarray(exact).astype(x.dtype), None
    return None, OverflowError()


@FUZZ
@given(x=arrays(REAL), s=py_scalars, name=st.sampled_from(SCALAR_OPS), scalar_first=st.booleans())
def test_python_scalar_operands(x, s, name, scalar_first):
    args = (s, x) if scalar_first else (x, s)
    expected, error = run_numpy(getattr(np, name), *args)
    out_of_range = (x.dtype.kind in "iu" and isinstance(s, int)
                    and not np.iinfo(x.dtype).min <= s <= np.iinfo(x.dtype).max)
    if name in ("maximum", "minimum") and out_of_range:
        expected, error = exact_extreme(name, x, s)
    tx = T.convert_to_tensor(x)
    ember_args = (s, tx) if scalar_first else (tx, s)
    if error is not None:
        with pytest.raises(kind_of(error)) as info:
            ember_op(name)(*ember_args)
        assert str(info.value).startswith(f"[{name}]"), str(info.value)
        return
    got = ember_op(name)(*ember_args)
    # Ember's default dtypes for a Python scalar meeting a tensor of a lower kind are float32
    # and int32 (int64 when the int needs it), where NumPy's are float64 and int64.
    if x.dtype.kind in "bui" and isinstance(s, float):
        ft = np.promote_types(x.dtype, np.float32)
        with np.errstate(all="ignore"):
            expected = getattr(np, name)(*[ft.type(a) if isinstance(a, float) else a.astype(ft) for a in args])
    int_on_bool = x.dtype.kind == "b" and isinstance(s, int) and np.asarray(expected).dtype.kind != "b"
    compare(got, expected, check_dtype=not int_on_bool, rtol=1e-3 if x.dtype == np.float16 else 1e-6)


@FUZZ
@given(x=arrays(INTS), lo=st.integers(-2**33, 2**33), width=st.integers(0, 2**33))
def test_clip_python_ints(x, lo, width):
    hi = lo + width
    expected, error = run_numpy(np.clip, x, lo, hi)
    if error is not None:
        with pytest.raises(kind_of(error)):
            ops.clip(T.convert_to_tensor(x), lo, hi)
        return
    compare(ops.clip(T.convert_to_tensor(x), lo, hi), expected)


# ---- reductions ----------------------------------------------------------------------------

@st.composite
def array_and_axis(draw, dtype_names, elements=None):
    x = draw(arrays(dtype_names, elements=elements))
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    return x, axis


@FUZZ
@given(xa=array_and_axis(REAL, moderate), name=st.sampled_from(["sum", "prod", "max", "min", "any", "all"]),
       keepdims=st.booleans())
def test_reductions(xa, name, keepdims):
    x, axis = xa
    fn = getattr(stats, name, None) or ember_op(name)
    rtol = {"float16": 1e-2, "float32": 1e-5}.get(x.dtype.name, 1e-12)
    if name == "prod":
        # Where a float product overflows, the order of multiplication decides inf vs NaN.
        assume(x.size <= 3 and x.dtype != np.float16)
    check(lambda t: fn(t, axis=axis, keepdims=keepdims),
          lambda a: getattr(np, name)(a, axis=axis, keepdims=keepdims), x, rtol=rtol,
          atol=summation_atol(x) if name == "sum" else 0.0)


@FUZZ
@given(xa=array_and_axis(REAL), name=st.sampled_from(["argmax", "argmin"]))
def test_arg_reductions(xa, name):
    x, axis = xa
    assume(x.dtype != np.float16)
    check(lambda t: getattr(stats, name)(t, axis=axis), lambda a: getattr(np, name)(a, axis=axis), x,
          check_dtype=False)


@FUZZ
@given(xa=array_and_axis(FLOATS, moderate))
def test_mean(xa):
    x, axis = xa
    check(lambda t: stats.mean(t, axis=axis), lambda a: np.mean(a, axis=axis), x,
          rtol={"float16": 1e-2, "float32": 1e-5}.get(x.dtype.name, 1e-12), atol=summation_atol(x))


# ---- shapes and indexing -------------------------------------------------------------------

@FUZZ
@given(x=arrays(REAL), data=st.data())
def test_shape_ops(x, data):
    # np.pad of a 0-d array with its (empty) list of widths raises only because NumPy infers a
    # float dtype for the empty list; Ember returns the tensor unchanged, so 0-d arrays do not pad.
    ops_ = ["reshape", "transpose", "expand_dims", "squeeze", "flatten", "tile"] + (["pad"] if x.ndim else [])
    op = data.draw(st.sampled_from(ops_))
    if op == "reshape":
        check(lambda t: T.reshape(t, x.shape[::-1]), lambda a: a.reshape(a.shape[::-1]), x)
    elif op == "flatten":
        check(lambda t: T.reshape(t, (-1,)), lambda a: a.reshape(-1), x)
    elif op == "transpose":
        perm = data.draw(st.permutations(range(x.ndim)))
        check(lambda t: T.transpose(t, perm), lambda a: np.transpose(a, perm), x)
    elif op == "expand_dims":
        axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
        check(lambda t: T.expand_dims(t, axis), lambda a: np.expand_dims(a, axis), x)
    elif op == "squeeze":
        check(lambda t: T.squeeze(t), np.squeeze, x)
    elif op == "tile":
        reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=3)))
        check(lambda t: T.tile(t, reps), lambda a: np.tile(a, reps), x)
    else:
        widths = [tuple(data.draw(st.lists(st.integers(0, 2), min_size=2, max_size=2))) for _ in range(x.ndim)]
        check(lambda t: T.pad(t, widths), lambda a: np.pad(a, widths), x)


@FUZZ
@given(ab=broadcastable_pair(REAL), axis=st.integers(-1, 0), stack=st.booleans())
def test_concatenate_and_stack(ab, axis, stack):
    a, b = ab
    if stack:
        check(lambda u, v: T.stack([u, v], axis=axis), lambda u, v: np.stack([u, v], axis=axis), a, a)
    else:
        check(lambda u, v: T.concatenate([u, v], axis=axis), lambda u, v: np.concatenate([u, v], axis=axis), a, b)


@st.composite
def index_keys(draw, shape):
    key = []
    for n in shape[: draw(st.integers(0, len(shape)))]:
        kind = draw(st.sampled_from(["slice", "int", "array"]))
        if kind == "slice":
            key.append(slice(draw(st.none() | st.integers(-6, 6)), draw(st.none() | st.integers(-6, 6)),
                             draw(st.none() | st.integers(-3, 3).filter(bool))))
        elif kind == "int":
            key.append(draw(st.integers(-n - 1, n)))
        else:
            key.append(np.array(draw(st.lists(st.integers(-n - 1, n), max_size=3)), dtype=np.int64))
    return tuple(key)


@FUZZ
@given(x=arrays(REAL), data=st.data())
def test_indexing(x, data):
    key = data.draw(index_keys(x.shape))
    ember_key = tuple(T.convert_to_tensor(k) if isinstance(k, np.ndarray) else k for k in key)
    check(lambda t: t[ember_key], lambda a: a[key], x)


# ---- linear algebra ------------------------------------------------------------------------

finite_values = st.sampled_from([0.0, 1.0, -1.0, 2.0, -3.0, 0.5])
special_values = st.sampled_from([0.0, 1.0, -1.0, 2.0, np.nan, np.inf])
square = st.integers(0, 4).flatmap(lambda n: hnp.arrays(np.float64, (n, n), elements=finite_values))
square_special = st.integers(1, 4).flatmap(lambda n: hnp.arrays(np.float64, (n, n), elements=special_values))


@FUZZ
@given(a=square, name=st.sampled_from(["inv", "det", "solve", "svdvals", "eig", "lstsq"]))
def test_linalg(a, name):
    scale = 1e-9 * (1.0 + float(np.abs(a).sum()))  # rounding of values that should be 0
    if name == "svdvals":
        check(lambda t: linearalg.svd(t, compute_uv=False), lambda m: np.linalg.svd(m, compute_uv=False), a,
              rtol=1e-9, atol=scale)
    elif name == "solve":
        b = np.arange(a.shape[0], dtype=np.float64)
        check(linearalg.solve, np.linalg.solve, a, b, rtol=1e-9, atol=scale)
    elif name == "eig":
        expected, error = run_numpy(np.linalg.eigvals, a)
        if error is not None:
            with pytest.raises(linearalg.LinAlgError):
                linearalg.eigvals(T.convert_to_tensor(a))
        else:
            got = np.asarray(linearalg.eigvals(T.convert_to_tensor(a)).numpy())
            np.testing.assert_allclose(np.sort_complex(got.astype(complex)),
                                       np.sort_complex(expected.astype(complex)), rtol=1e-7, atol=1e-9)
    elif name == "lstsq":
        assume(a.size)
        b = np.ones(a.shape[0])
        expected, error = run_numpy(np.linalg.lstsq, a, b)
        if error is not None:
            with pytest.raises(linearalg.LinAlgError):
                linearalg.lstsq(T.convert_to_tensor(a), T.convert_to_tensor(b))
        else:
            got = linearalg.lstsq(T.convert_to_tensor(a), T.convert_to_tensor(b))
            compare(got[0], expected[0], check_dtype=False, rtol=1e-7)
    else:
        check(getattr(linearalg, name), getattr(np.linalg, name), a, rtol=1e-9, atol=scale)


@FUZZ
@given(a=square_special)
def test_linalg_errors_are_linalgerror(a):
    """Non-finite input to svd / eig / lstsq raises LinAlgError (a ValueError) naming the op."""
    assume(not np.isfinite(a).all())
    for name, call in [("svd", lambda t: linearalg.svd(t)), ("eig", linearalg.eig),
                       ("lstsq", lambda t: linearalg.lstsq(t, T.ones((t.shape[0],), dtype="float64")))]:
        with pytest.raises(linearalg.LinAlgError, match=rf"^\[{name}\]"):
            call(T.convert_to_tensor(a))
