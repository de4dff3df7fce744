"""OpInfo-style table of Ember ML ops and their NumPy references.

Every entry of :data:`OP_DB` names one op: the Ember callable, a NumPy reference that
encodes Ember's documented deviations from NumPy, the dtypes the op supports, a sample
generator and per-dtype tolerances. ``test_parity.py`` turns the table into tests, and
``test_bad_inputs.py`` / ``conftest.py`` reuse parts of it.

Adding an op means adding one ``OpInfo(...)`` to ``OP_DB``.

Samples are built from NumPy arrays: an :class:`Arg` holds a NumPy ``base`` array and a
``layout`` (a view applied to the base). The Ember input is
``layout(T.convert_to_tensor(base))`` -- the view is taken of the Ember tensor, so the
Ember operand really is strided / transposed / reversed -- and the NumPy input is
``layout(base)``.

Deliberate deviations from NumPy that the references encode:

* Python float scalars become float32, Python ints int32, bools bool; nested lists of
  floats float32, of ints int32 (``default_dtype_of``).
* Python scalars in binary ops are *weak*: ``int8 + 1`` stays int8, and a scalar of a
  higher kind promotes with the default dtype of its kind: ``int8 + 1.5`` is
  ``promote_types(int8, float32)`` (``result_type``).
* ``divide`` of integer/bool inputs gives float32.
* float-valued unary ops (exp log log10 log2 sqrt sin cos tan sinh cosh tanh erf sigmoid) on
  integer/bool input compute in float32.
* ``mean``/``var``/``std`` of integer/bool input give float32.
* ``floor``/``ceil`` keep integer (and bool) dtypes unchanged.
* integer ``x // 0`` and ``x % 0`` give 0.
* ``floor_divide``/``mod``/``power`` of bool, bool compute in int8.
* creation functions default to float32 (``arange`` of ints and ``full`` of an int: int32).
"""
from __future__ import annotations

import dataclasses
import zlib
from typing import Any, Callable, Sequence

import numpy as np
import scipy.special

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.ops import stats

# ---------------------------------------------------------------------------------------
# dtypes and tolerances
# ---------------------------------------------------------------------------------------
FLOAT_DTYPES = ("float16", "float32", "float64")
SIGNED_DTYPES = ("int8", "int16", "int32", "int64")
UNSIGNED_DTYPES = ("uint8", "uint16", "uint32", "uint64")
INT_DTYPES = SIGNED_DTYPES + UNSIGNED_DTYPES
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + ("bool",)
NO_BOOL_DTYPES = FLOAT_DTYPES + INT_DTYPES
INT_BOOL_DTYPES = INT_DTYPES + ("bool",)
# ALL_DTYPES are the twelve real dtypes; the ops that take complex input add these.
COMPLEX_DTYPES = ("complex64", "complex128")
EVERY_DTYPE = ALL_DTYPES + COMPLEX_DTYPES

# (rtol, atol) keyed by the dtype of the *result*; integer and bool results compare exactly.
DEFAULT_TOLS = {
    "float16": (2e-3, 2e-3),
    "float32": (3e-6, 1e-6),
    "float64": (1e-12, 1e-12),
}
REDUCTION_TOLS = {
    "float16": (1e-2, 1e-2),
    "float32": (2e-5, 2e-5),
    "float64": (1e-11, 1e-11),
}
MATMUL_TOLS = {
    "float16": (1e-2, 1e-2),
    "float32": (2e-5, 2e-5),
    "float64": (1e-11, 1e-11),
}

_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_DEFAULT_OF_RANK = {0: np.dtype(bool), 1: np.dtype(np.int32), 2: np.dtype(np.float32), 3: np.dtype(np.complex64)}
FLOAT32 = np.dtype(np.float32)


def is_weak(v: Any) -> bool:
    """Python scalars (not NumPy scalars) are weakly typed operands."""
    return isinstance(v, (bool, int, float, complex)) and not isinstance(v, np.generic)


def default_dtype_of(v: Any) -> np.dtype:
    """The dtype Ember gives a Python scalar: bool, int32 (int64 when it does not fit), float32, complex64."""
    if isinstance(v, bool):
        return np.dtype(bool)
    if isinstance(v, int):
        return np.dtype(np.int32) if -(2**31) <= v < 2**31 else np.dtype(np.int64)
    if isinstance(v, float):
        return FLOAT32
    if isinstance(v, complex):
        return np.dtype(np.complex64)
    return np.asarray(v).dtype


def as_array(v: Any, dtype: Any = None) -> np.ndarray:
    """A NumPy array of ``v``; Python scalars get Ember's default dtype unless ``dtype`` is given.

    A Python scalar is converted straight from its exact value to ``dtype`` (as NumPy does),
    so e.g. ``0.1`` in a float64 computation is the double 0.1.
    """
    if is_weak(v):
        return np.asarray(v, dtype=dtype if dtype is not None else default_dtype_of(v))
    a = np.asarray(v)
    return a if dtype is None else a.astype(dtype)


def result_type(a: Any, b: Any) -> np.dtype:
    """Ember's binary result dtype (NumPy promotion with weak Python scalars)."""
    wa, wb = is_weak(a), is_weak(b)
    da = default_dtype_of(a) if wa else np.asarray(a).dtype
    db = default_dtype_of(b) if wb else np.asarray(b).dtype
    if wa == wb:
        return np.promote_types(da, db)
    scalar, tensor = (da, db) if wa else (db, da)
    srank, trank = _KIND_RANK[scalar.kind], _KIND_RANK[tensor.kind]
    if srank <= trank:
        return tensor
    return np.promote_types(tensor, _DEFAULT_OF_RANK[srank])


# ---------------------------------------------------------------------------------------
# sample inputs
# ---------------------------------------------------------------------------------------
VIEWS: dict[str, Callable[[Any], Any]] = {
    "contig": lambda a: a,
    "T": lambda a: a.T,  # transposed view
    "step2": lambda a: a[::2],  # strided along axis 0
    "rev": lambda a: a[::-1],  # negative stride along axis 0
    "colstep": lambda a: a[..., ::2],  # strided along the last axis
    "revT": lambda a: a.T[::-1],  # transposed and reversed
}


def _base_shape(shape: tuple, layout: str) -> tuple:
    if layout in ("contig", "rev"):
        return shape
    if layout in ("T", "revT"):
        return tuple(reversed(shape))
    if layout == "step2":
        return (2 * shape[0],) + shape[1:]
    if layout == "colstep":
        return shape[:-1] + (2 * shape[-1],)
    raise ValueError(layout)


@dataclasses.dataclass(frozen=True)
class Arg:
    """An array operand: NumPy ``base`` plus a view ``layout`` taken on both sides."""

    base: np.ndarray
    layout: str = "contig"

    def numpy(self) -> np.ndarray:
        return VIEWS[self.layout](self.base)

    def ember(self) -> T.EmberTensor:
        return VIEWS[self.layout](T.convert_to_tensor(self.base))

    def __repr__(self) -> str:
        v = self.numpy()
        return f"Arg({v.dtype}{list(v.shape)}, {self.layout})"


@dataclasses.dataclass(frozen=True)
class DT:
    """A dtype argument: an EmberDType for Ember, a numpy.dtype for the reference."""

    name: str

    def ember(self):
        return getattr(T, "bool_" if self.name == "bool" else self.name)

    def numpy(self):
        return np.dtype(self.name)


def to_ember(obj: Any) -> Any:
    if isinstance(obj, (Arg, DT)):
        return obj.ember()
    if isinstance(obj, list):
        return [to_ember(o) for o in obj]
    return obj


def to_numpy(obj: Any) -> Any:
    if isinstance(obj, (Arg, DT)):
        return obj.numpy()
    if isinstance(obj, list):
        return [to_numpy(o) for o in obj]
    return obj


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    desc: str = ""
    tols: tuple | None = None  # (rtol, atol) override for this sample

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.desc or 'sample'}: ({', '.join(parts)})"


def rand(shape: Sequence[int], dtype: str, rng: np.random.Generator, low: float | None = None,
         high: float | None = None) -> np.ndarray:
    """Random values of ``dtype``: floats uniform in [low, high), ints in [low, high]."""
    shape = tuple(shape)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind == "c":  # real and imaginary parts as for the float dtype of the parts
        part = np.empty(0, dt).real.dtype.name
        return (rand(shape, part, rng, low, high) + 1j * rand(shape, part, rng, low, high)).astype(dt)
    if dt.kind == "f":
        lo = -3.0 if low is None else low
        hi = 3.0 if high is None else high
        return rng.uniform(lo, hi, shape).astype(dt)
    info = np.iinfo(dt)
    lo = max(-10 if low is None else int(low), info.min)
    hi = min(10 if high is None else int(high), info.max)
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)


def arr(shape: Sequence[int], dtype: str, rng: np.random.Generator, layout: str = "contig",
        low: float | None = None, high: float | None = None) -> Arg:
    shape = tuple(shape)
    return Arg(rand(_base_shape(shape, layout), dtype, rng, low, high), layout)


def values(vals: Sequence, dtype: str, layout: str = "contig") -> Arg:
    return Arg(np.asarray(vals).astype(dtype), layout)


def float_specials(dtype: str) -> np.ndarray:
    return np.array([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, np.inf, -np.inf, np.nan], dtype=dtype)


def complex_specials(dtype: str) -> np.ndarray:
    """Every pairing of signed zeros, finite values, infinities and NaN as (real, imag)."""
    parts = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan])
    re, im = np.meshgrid(parts, parts)
    z = np.empty(re.size, dtype)
    z.real, z.imag = re.ravel(), im.ravel()
    return z


# Absolute tolerance for samples whose results may be subnormal: two subnormal ulps.
TINY_ATOL = {"float16": 1.2e-7, "float32": 3e-45, "float64": 1e-323}


def float_extremes(dtype: str) -> np.ndarray:
    """Subnormal, tiny and huge magnitudes, repeated so they also land in SIMD lanes."""
    fi = np.finfo(np.dtype(dtype))
    big = 1e4 if dtype != "float16" else 1e3
    vals = np.array([fi.smallest_subnormal, fi.smallest_subnormal * 7, fi.tiny / 3, fi.tiny, -fi.tiny,
                     -fi.smallest_subnormal, fi.max, -fi.max, fi.max / 2, big, -big, -100.0, 100.0], dtype=dtype)
    return np.tile(vals, 16)


def int_extremes(dtype: str) -> np.ndarray:
    info = np.iinfo(np.dtype(dtype))
    vals = {info.min, info.min + 1, 0, 1, info.max - 1, info.max}
    if info.min < 0:
        vals |= {-1, -2}
    return np.array(sorted(vals), dtype=dtype)


def rng_for(name: str, dtype: str) -> np.random.Generator:
    """Deterministic per (op, dtype), so a subprocess can rebuild the same samples."""
    return np.random.default_rng(zlib.crc32(f"{name}|{dtype}".encode()))


# ---------------------------------------------------------------------------------------
# OpInfo
# ---------------------------------------------------------------------------------------
@dataclasses.dataclass
class OpInfo:
    name: str
    op: Callable
    ref: Callable
    dtypes: tuple
    sample_inputs: Callable[["OpInfo", str, np.random.Generator], list]
    category: str = "other"  # unary | binary | reduction | other
    tols: dict = dataclasses.field(default_factory=dict)  # result dtype -> (rtol, atol)
    domain: str = "any"  # value domain hint for the sample generator
    scalars: tuple = (True, 3, 1 / 3)  # Python scalars used as weak operands
    extremes: bool = False  # add integer min/max samples (wrapping ops)
    specials: bool = True  # add inf/nan samples for float dtypes
    promotion_pairs: bool = False  # part of the all-dtype-pairs promotion test
    partner_dtypes: tuple | None = None  # dtypes allowed as the other operand (default: dtypes)
    valid_pair: Callable[[str, str], bool] | None = None  # which mixed-dtype operand pairs are valid

    def pair_ok(self, a: str, b: str) -> bool:
        return self.valid_pair is None or self.valid_pair(a, b)

    def tol(self, result_dtype: np.dtype) -> tuple:
        name = np.dtype(result_dtype).name
        if name in self.tols:
            return self.tols[name]
        return DEFAULT_TOLS.get(name, (0.0, 0.0))

    def samples(self, dtype: str) -> list:
        return self.sample_inputs(self, dtype, rng_for(self.name, dtype))


# ---------------------------------------------------------------------------------------
# references
# ---------------------------------------------------------------------------------------
def _errstate(fn):
    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    wrapped.__name__ = getattr(fn, "__name__", "ref")
    return wrapped


def binary_ref(np_fn: Callable, mode: str = "arith") -> Callable:
    """Reference of an elementwise binary op.

    mode: arith (result dtype = result_type), nobool (bool, bool computes in int8),
    truediv (non-float computes in float32), compare (bool result, computed in result_type),
    intzero (integer x op 0 gives 0; bool computes in int8).
    """

    @_errstate
    def ref(x, y):
        compute = result_type(x, y)
        if mode in ("nobool", "intzero") and compute == np.dtype(bool):
            compute = np.dtype(np.int8)
        if mode == "truediv" and compute.kind not in "fc":
            compute = FLOAT32
        xa, ya = as_array(x, compute), as_array(y, compute)
        out = np.asarray(np_fn(xa, ya))
        if mode == "intzero" and compute.kind in "iu":
            out = np.where(np.broadcast_to(ya, out.shape) == 0, np.zeros((), compute), out).astype(compute)
        if mode == "compare":
            assert out.dtype == bool
        else:
            out = out.astype(compute, copy=False)
        return out

    return ref


def float_unary_ref(np_fn: Callable) -> Callable:
    """Integer and bool inputs are computed in float32; float16 via float32 then rounded."""

    @_errstate
    def ref(x):
        x = as_array(x)
        if x.dtype.kind not in "fc":
            return np.asarray(np_fn(x.astype(np.float32))).astype(np.float32)
        if x.dtype == np.float16:
            return np.asarray(np_fn(x.astype(np.float32))).astype(np.float16)
        return np.asarray(np_fn(x))

    return ref


def _sigmoid(x):
    # Evaluated in float64 and rounded to x's dtype: the correctly rounded logistic, which
    # for x < -88 in float32 is a subnormal, not the 0 that 1/(1+exp(-x)) overflows to.
    x = np.asarray(x)
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(x.dtype)


def same_dtype_unary_ref(np_fn: Callable) -> Callable:
    @_errstate
    def ref(x):
        x = as_array(x)
        return np.asarray(np_fn(x))

    return ref


def floor_ceil_ref(np_fn: Callable) -> Callable:
    """Integer and bool dtypes are returned unchanged (same dtype)."""

    def ref(x):
        x = as_array(x)
        if x.dtype.kind != "f":
            return x.copy()
        return np_fn(x)

    return ref


def _float_reduce(np_fn: Callable) -> Callable:
    """mean / var / std: integer and bool inputs give float32 (computed in float64 here)."""

    @_errstate
    def ref(x, axis=None, keepdims=False, dtype=None, **kw):
        x = as_array(x)
        if dtype is not None:
            return np.asarray(np_fn(x, axis=axis, keepdims=keepdims, dtype=dtype, **kw))
        if x.dtype.kind not in "fc":
            return np.asarray(np_fn(x.astype(np.float64), axis=axis, keepdims=keepdims, **kw)).astype(np.float32)
        if x.dtype == np.float16:
            return _exact_half(np_fn, x, axis=axis, keepdims=keepdims, **kw)
        return np.asarray(np_fn(x, axis=axis, keepdims=keepdims, **kw))

    return ref


def _exact_half(np_fn: Callable, x: np.ndarray, **kw) -> np.ndarray:
    """float16 reductions: the exact (float64) result rounded to float16.

    NumPy accumulates some float16 reductions in float16 (error growing with the length);
    Ember accumulates in float32, so the reference is the correctly rounded value.
    """
    return np.asarray(np_fn(x.astype(np.float64), **kw)).astype(np.float16)


@_errstate
def _sum_ref(x, axis=None, keepdims=False, dtype=None):
    x = as_array(x)
    if x.dtype == np.float16 and dtype is None:
        return _exact_half(np.sum, x, axis=axis, keepdims=keepdims)
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype))


@_errstate
def _prod_ref(x, axis=None, keepdims=False):
    x = as_array(x)
    if x.dtype == np.float16:
        return _exact_half(np.prod, x, axis=axis, keepdims=keepdims)
    return np.asarray(np.prod(x, axis=axis, keepdims=keepdims))


def _plain_reduce(np_fn):
    @_errstate
    def ref(x, axis=None, keepdims=False):
        return np.asarray(np_fn(as_array(x), axis=axis, keepdims=keepdims))

    return ref


def _where_ref(c, x, y):
    rt = result_type(x, y)
    return np.where(as_array(c).astype(bool), as_array(x, rt), as_array(y, rt))


_max_ref = binary_ref(np.maximum)
_min_ref = binary_ref(np.minimum)


def _clip_ref(x, min_val=None, max_val=None):
    out = x
    if min_val is not None:
        out = _max_ref(out, min_val)
    if max_val is not None:
        out = _min_ref(out, max_val)
    return out


@_errstate
def _isclose_ref(x, y, rtol=1e-5, atol=1e-8, equal_nan=False):
    rt = result_type(x, y)
    if rt.kind not in "fc":
        rt = FLOAT32
    return np.isclose(as_array(x, rt), as_array(y, rt), rtol=rtol, atol=atol, equal_nan=equal_nan)


def _allclose_ref(x, y, rtol=1e-5, atol=1e-8, equal_nan=False):
    return bool(np.all(_isclose_ref(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def _split_ref(x, num_or_size_splits, axis=0):
    if isinstance(num_or_size_splits, int):
        return list(np.split(x, num_or_size_splits, axis=axis))
    cuts = np.cumsum(num_or_size_splits)[:-1]
    return list(np.split(x, cuts, axis=axis))


def _pad_ref(x, paddings, mode="constant", constant_values=0):
    if mode == "constant":
        return np.pad(x, paddings, mode=mode, constant_values=constant_values)
    return np.pad(x, paddings, mode=mode)


def _creation_dtype(dtype, default):
    return np.dtype(default) if dtype is None else np.dtype(dtype)


def _zeros_ref(shape, dtype=None, device=None):
    return np.zeros(shape, _creation_dtype(dtype, np.float32))


def _ones_ref(shape, dtype=None, device=None):
    return np.ones(shape, _creation_dtype(dtype, np.float32))


def _full_ref(shape, fill_value, dtype=None, device=None):
    return np.full(shape, fill_value, _creation_dtype(dtype, default_dtype_of(fill_value)))


def _eye_ref(n, m=None, k=0, dtype=None, device=None):
    return np.eye(n, m, k, dtype=_creation_dtype(dtype, np.float32))


def _arange_ref(start, stop=None, step=1, dtype=None, device=None):
    all_int = all(isinstance(v, int) for v in (start, stop, step) if v is not None)
    dt = _creation_dtype(dtype, np.int32 if all_int else np.float32)
    if stop is None:
        start, stop = 0, start
    # Computed in float64 (exact for these samples) and converted, as numpy.arange's values.
    return np.arange(start, stop, step, dtype=np.float64).astype(dt)


def _linspace_ref(start, stop, num=50, dtype=None, device=None):
    return np.linspace(start, stop, num, dtype=_creation_dtype(dtype, np.float32))


def _like_ref(np_fn):
    def ref(x, *args, dtype=None, device=None):
        return np_fn(as_array(x), *args, dtype=dtype)

    return ref


def _meshgrid_ref(*xs, indexing="xy"):
    return list(np.meshgrid(*[as_array(x) for x in xs], indexing=indexing))


# ---------------------------------------------------------------------------------------
# sample generators
# ---------------------------------------------------------------------------------------
def _domain_range(domain: str, dtype: str) -> tuple:
    kind = np.dtype(dtype).kind
    if domain == "positive":
        return (0.1, 5.0) if kind in "fc" else (1, 12)
    if domain == "small":  # exp / sinh / cosh: keep float16 finite
        return (-3.0, 3.0) if kind in "fc" else (-6, 6)
    if domain == "trig":
        return (-1.4, 1.4) if kind in "fc" else (-1, 1)
    return (None, None)


def unary_samples(op: OpInfo, dtype: str, rng) -> list:
    lo, hi = _domain_range(op.domain, dtype)
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("2-D", arr((3, 4), dtype, rng, low=lo, high=hi))
    add("1-D", arr((7,), dtype, rng, low=lo, high=hi))
    add("0-d", arr((), dtype, rng, low=lo, high=hi))
    add("empty (0,)", arr((0,), dtype, rng))
    add("empty (2,0)", arr((2, 0), dtype, rng))
    add("transposed", arr((3, 5), dtype, rng, "T", low=lo, high=hi))
    add("strided", arr((4, 3), dtype, rng, "step2", low=lo, high=hi))
    add("reversed", arr((6,), dtype, rng, "rev", low=lo, high=hi))
    add("last-axis strided 3-D", arr((2, 3, 4), dtype, rng, "colstep", low=lo, high=hi))
    add("transposed+reversed 3-D", arr((2, 3, 4), dtype, rng, "revT", low=lo, high=hi))
    add("large contiguous", arr((70_001,), dtype, rng, low=lo, high=hi))
    add("large strided", arr((300, 250), dtype, rng, "T", low=lo, high=hi))
    kind = np.dtype(dtype).kind
    if kind == "f" and op.specials:
        add("inf/nan/-0", Arg(float_specials(dtype)))
        s.append(Sample((Arg(float_extremes(dtype)),), {}, "subnormal / huge magnitudes",
                        tols=(DEFAULT_TOLS[dtype][0], TINY_ATOL[dtype])))
    if kind == "c" and op.specials:
        add("complex inf/nan/-0", Arg(complex_specials(dtype)))
    if kind in "iu" and op.extremes:
        add("integer extremes", Arg(int_extremes(dtype)))
    if dtype == "float32":
        add("Python float", 0.75)
    if dtype == "int32":
        add("Python int", 2)
    if dtype == "bool":
        add("Python bool", True)
    return s


def _binary_operand_range(op: OpInfo, dtype: str, which: int) -> tuple:
    kind = np.dtype(dtype).kind
    if op.domain == "power":
        if kind == "f":
            return (0.1, 3.0) if which == 0 else (-2.0, 2.0)
        return (-3, 3) if which == 0 else (0, 3)
    return (None, None)


def _partner(op: OpInfo, dtype: str) -> str:
    pool = op.partner_dtypes or op.dtypes
    pool = [d for d in pool if d != dtype and op.pair_ok(dtype, d)] or [dtype]
    return pool[EVERY_DTYPE.index(dtype) % len(pool)]


def _scalar_ok(op: OpInfo, dtype: str, s: Any, left: bool) -> bool:
    kind = np.dtype(dtype).kind
    if op.name in ("subtract",) and isinstance(s, bool) and kind == "b":
        return False
    if op.domain == "power" and not left:
        # tensor ** scalar: keep integer exponents non-negative (negative ones raise)
        return not (isinstance(s, (int, float)) and s < 0)
    return True


def binary_samples(op: OpInfo, dtype: str, rng) -> list:
    a_lo, a_hi = _binary_operand_range(op, dtype, 0)
    b_lo, b_hi = _binary_operand_range(op, dtype, 1)
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout, a_lo, a_hi)
    B = lambda shape, layout="contig": arr(shape, dtype, rng, layout, b_lo, b_hi)
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("same shape", A((3, 4)), B((3, 4)))
    add("broadcast (3,1)x(1,4)", A((3, 1)), B((1, 4)))
    add("broadcast (2,3,4)x(4,)", A((2, 3, 4)), B((4,)))
    add("broadcast (4,)x(2,3,4)", A((4,)), B((2, 3, 4)))
    add("broadcast 0-d x (3,)", A(()), B((3,)))
    add("0-d x 0-d", A(()), B(()))
    add("empty (0,)", A((0,)), B((0,)))
    add("empty (2,0)x(0,)", A((2, 0)), B((0,)))
    add("empty (2,0)x(1,)", A((2, 0)), B((1,)))
    add("transposed x reversed", A((4, 3), "T"), B((3,), "rev"))
    add("strided x last-axis strided", A((3, 4), "step2"), B((3, 4), "colstep"))
    add("transposed+reversed 3-D x transposed", A((2, 3, 4), "revT"), B((2, 3, 4), "T"))
    add("large contiguous", A((70_001,)), B((70_001,)))
    add("large tensor x broadcast row", A((400, 200)), B((200,)))
    add("large transposed x strided", A((300, 250), "T"), B((300, 250), "step2"))
    partner = _partner(op, dtype)
    p_lo, p_hi = _binary_operand_range(op, partner, 1)
    add(f"mixed dtypes with {partner}", A((3, 4)), arr((3, 4), partner, rng, "contig", p_lo, p_hi))
    q_lo, q_hi = _binary_operand_range(op, partner, 0)
    add(f"mixed dtypes with {partner} (swapped)", arr((4,), partner, rng, "contig", q_lo, q_hi), B((3, 4)))
    for sc in op.scalars:
        if _scalar_ok(op, dtype, sc, left=False):
            add(f"tensor op {sc!r}", A((2, 3)), sc)
        if _scalar_ok(op, dtype, sc, left=True) and op.domain != "power":
            add(f"{sc!r} op tensor", sc, B((2, 3)))
        elif op.domain == "power" and not isinstance(sc, bool):
            # scalar ** tensor: exponents are the tensor's non-negative values
            add(f"{sc!r} op tensor", abs(sc), B((2, 3)))
    if op.scalars and dtype == "int32":
        add("two Python ints", 2, 3)
        if op.domain != "bitwise":
            add("Python int and float", 2, 0.5)
    kind = np.dtype(dtype).kind
    if kind == "f" and op.specials:
        sp = float_specials(dtype)
        add("inf/nan grid", Arg(np.repeat(sp, sp.size)), Arg(np.tile(sp, sp.size)))
    if kind == "c" and op.specials:
        sp = complex_specials(dtype)
        add("complex inf/nan grid", Arg(np.repeat(sp, sp.size)), Arg(np.tile(sp, sp.size)))
    if "complex64" in op.dtypes and kind in "fc":
        add("tensor op complex scalar", A((2, 3)), 0.5 - 1.5j)
        add("complex scalar op tensor", 2j, B((2, 3)))
    if kind in "iu" and op.extremes:
        ex = int_extremes(dtype)
        add("integer extremes grid", Arg(np.repeat(ex, ex.size)), Arg(np.tile(ex, ex.size)))
    if op.domain == "intzero" and kind in "iu":
        add("integer division by zero", A((2, 5)), values([0, 1, 0, 2, 0], dtype))
    return s


def promotion_samples(op: OpInfo, dtype: str, partner: str, rng) -> list:
    a_lo, a_hi = _binary_operand_range(op, dtype, 0)
    b_lo, b_hi = _binary_operand_range(op, partner, 1)
    x = arr((2, 3), dtype, rng, low=a_lo, high=a_hi)
    y = arr((3,), partner, rng, low=b_lo, high=b_hi)
    return [Sample((x, y), {}, f"{dtype} op {partner}")]


def reduction_samples(op: OpInfo, dtype: str, rng) -> list:
    lo, hi = (0.5, 1.5) if op.domain == "prod" and np.dtype(dtype).kind == "f" else (None, None)
    if op.domain == "prod" and np.dtype(dtype).kind in "iu":
        lo, hi = -2, 2
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout, lo, hi)
    single_axis = op.domain == "argreduce"
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    x3 = A((3, 4, 5))
    add("3-D all axes", x3)
    add("3-D axis=0", x3, axis=0)
    add("3-D axis=-1", x3, axis=-1)
    add("3-D axis=1 keepdims", x3, axis=1, keepdims=True)
    add("3-D axis=-2", x3, axis=-2)
    add("all axes keepdims", x3, keepdims=True)
    if not single_axis:
        add("3-D axis=(0,2)", x3, axis=(0, 2))
        add("3-D axis=(-1,-3) keepdims", x3, axis=(-1, -3), keepdims=True)
        add("3-D axis=(0,1)", x3, axis=(0, 1))
        add("3-D axis=() (no reduction)", x3, axis=())
    add("transposed axis=0", A((4, 5), "T"), axis=0)
    add("transposed axis=-1", A((4, 5), "T"), axis=-1)
    add("strided axis=1", A((3, 6), "step2"), axis=1)
    add("reversed all", A((9,), "rev"))
    add("reversed 3-D axis=0", A((3, 2, 4), "rev"), axis=0)
    add("transposed+reversed 3-D axis=1", A((2, 3, 4), "revT"), axis=1)
    add("0-d", A(()))
    add("0-d keepdims", A(()), keepdims=True)
    add("single element", A((1,)), axis=0)
    add("large 1-D", A((100_003,)))
    add("large 1-D, values in [1, 2]", arr((100_003,), dtype, rng, "contig", 1, 2))
    add("large middle axis", A((3, 40, 1500)), axis=1)
    add("large rows", A((2000, 70)), axis=-1)
    if op.domain in ("argreduce", "extreme"):
        # reducing over an empty axis raises (test_bad_inputs); an empty non-reduced axis is fine
        add("empty non-reduced axis (2,0) axis=0", A((2, 0)), axis=0)
        add("empty (0,3) axis=1", A((0, 3)), axis=1)
    else:
        add("empty (0,)", A((0,)))
        add("empty (2,0) axis=0", A((2, 0)), axis=0)
        add("empty (2,0) axis=1", A((2, 0)), axis=1)
        add("empty (2,0) all", A((2, 0)))
    kind = np.dtype(dtype).kind
    if kind == "f" and op.specials:
        sp = float_specials(dtype)
        add("with nan", Arg(sp))
        add("with inf (no nan)", Arg(sp[:-1]))
        add("nan rows", Arg(np.stack([sp, sp[::-1], np.ones_like(sp)])), axis=1)
    if kind in "iub":
        # ties: the first extreme index wins for argmax / argmin
        add("ties", values([[1, 3, 3, 0], [2, 2, 0, 0]], dtype), axis=1)
    return s


def sum_samples(op: OpInfo, dtype: str, rng) -> list:
    s = reduction_samples(op, dtype, rng)
    x = arr((3, 4), dtype, rng)
    complex_input = np.dtype(dtype).kind == "c"  # accumulates only in a complex dtype
    for target in COMPLEX_DTYPES if complex_input else ("float64", "float32", "int64"):
        s.append(Sample((x,), {"axis": 0, "dtype": target}, f"dtype={target}"))
    wide = "complex128" if complex_input else "float64"
    s.append(Sample((x,), {"dtype": DT(wide)}, f"dtype=EmberDType {wide}"))
    if np.dtype(dtype).kind in "iu":
        s.append(Sample((x,), {"dtype": dtype}, "dtype=input dtype"))
    return s


def mean_samples(op: OpInfo, dtype: str, rng) -> list:
    s = reduction_samples(op, dtype, rng)
    x = arr((3, 4), dtype, rng)
    wide, narrow = COMPLEX_DTYPES[::-1] if np.dtype(dtype).kind == "c" else ("float64", "float32")
    s.append(Sample((x,), {"axis": 1, "dtype": wide}, f"dtype={wide}"))
    s.append(Sample((x,), {"dtype": narrow}, f"dtype={narrow}"))
    return s


def var_samples(op: OpInfo, dtype: str, rng) -> list:
    s = reduction_samples(op, dtype, rng)
    x = arr((3, 5), dtype, rng)
    s.append(Sample((x,), {"axis": 1, "ddof": 1}, "ddof=1"))
    s.append(Sample((x,), {"ddof": 1, "keepdims": True}, "ddof=1 all keepdims"))
    s.append(Sample((x,), {"axis": 0, "ddof": 2}, "ddof=2 axis=0"))
    s.append(Sample((x,), {"axis": 0, "ddof": 4}, "ddof > N (ddof=4, N=3)"))
    return s


def matmul_samples(op: OpInfo, dtype: str, rng) -> list:
    kind = np.dtype(dtype).kind
    lo, hi = ((-1.0, 1.0) if kind == "f" else (-3, 3))
    A = lambda shape, layout="contig", d=dtype: arr(shape, d, rng, layout, lo, hi)
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("2-D @ 2-D", A((3, 4)), A((4, 5)))
    add("1-D @ 2-D", A((4,)), A((4, 3)))
    add("2-D @ 1-D", A((3, 4)), A((4,)))
    add("1-D @ 1-D", A((5,)), A((5,)))
    add("K=0", A((2, 0)), A((0, 3)))
    add("M=0", A((0, 4)), A((4, 3)))
    add("transposed @ transposed", A((3, 4), "T"), A((4, 5), "T"))
    add("strided @ last-axis strided", A((3, 4), "step2"), A((4, 5), "colstep"))
    add("reversed @ reversed", A((3, 4), "rev"), A((4, 2), "rev"))
    add("1-D reversed @ 2-D transposed", A((4,), "rev"), A((4, 3), "T"))
    add("larger (64x48 @ 48x40)", A((64, 48)), A((48, 40)))
    if op.name == "matmul":
        add("batched 3-D", A((2, 3, 4)), A((2, 4, 5)))
        add("broadcast batch", A((2, 1, 3, 4)), A((5, 4, 2)))
        add("2-D @ batched", A((3, 4)), A((2, 4, 2)))
        add("batched @ 1-D", A((2, 3, 4)), A((4,)))
        add("batched transposed", A((2, 3, 4), "T"), A((2, 4, 5), "colstep"))
    else:
        add("0-d times 2-D", A(()), A((2, 3)))
        add("2-D times 0-d", A((2, 3)), A(()))
        add("N-D . 2-D", A((2, 3, 4)), A((4, 5)))
        add("N-D . N-D", A((2, 3, 4)), A((3, 4, 2)))
        add("N-D . 1-D", A((2, 3, 4)), A((4,)))
        add("1-D . N-D", A((4,)), A((2, 4, 3)))
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", A((3, 4)), A((4, 2), d=partner))
    if kind == "f" and op.specials:
        add("inf/nan", values([[1.0, np.nan], [np.inf, 2.0]], dtype), values([[1.0, 0.5], [2.0, 1.0]], dtype))
    return s


def where_samples(op: OpInfo, dtype: str, rng) -> list:
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    C = lambda shape, layout="contig": arr(shape, "bool", rng, layout)
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    add("same shape", C((3, 4)), A((3, 4)), A((3, 4)))
    add("broadcast cond (3,1), x (1,4), y (4,)", C((3, 1)), A((1, 4)), A((4,)))
    add("0-d cond", C(()), A((2, 3)), A((2, 3)))
    add("non-bool cond", arr((3, 4), dtype, rng), A((3, 4)), A((3, 4)))
    add("non-contiguous", C((3, 4), "T"), A((3, 4), "step2"), A((3, 4), "rev"))
    add("empty", C((0,)), A((0,)), A((2, 0)))
    add("scalar y", C((2, 3)), A((2, 3)), 1)
    add("scalar x float", C((2, 3)), 1 / 3, A((2, 3)))
    add("scalar x bool", C((2, 3)), True, A((2, 3)))
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", C((2, 3)), A((2, 3)), arr((2, 3), partner, rng))
    return s


def clip_samples(op: OpInfo, dtype: str, rng) -> list:
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    kind = np.dtype(dtype).kind
    lo, hi = (False, True) if kind == "b" else (2, 6) if kind == "u" else (-2, 3)
    add("int scalars", A((3, 4)), lo, hi)
    add("min only", A((3, 4)), min_val=lo)
    add("max only", A((3, 4)), max_val=hi)
    add("float scalars", A((3, 4)), 0.25, 2.5)
    add("precise float scalars", A((3, 4)), 0.1, 1 / 3)
    add("tensor bounds broadcast", A((3, 4)), arr((4,), dtype, rng), arr((3, 1), dtype, rng))
    add("non-contiguous", A((4, 3), "T"), lo, hi)
    add("reversed", A((8,), "rev"), lo, hi)
    add("0-d", A(()), lo, hi)
    add("empty", A((2, 0)), lo, hi)
    add("min > max", A((5,)), hi, lo)
    if kind == "f":
        add("nan/inf", Arg(float_specials(dtype)), -1.0, 1.0)
    return s


def isclose_samples(op: OpInfo, dtype: str, rng) -> list:
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    kind = np.dtype(dtype).kind
    x = rand((4, 5), dtype, rng, 1, 5)
    y = x.copy()
    if kind == "b":
        y = ~y
        y[::2] = x[::2]
    elif kind == "f":
        y = y.astype(np.float64)
        y[::2] += 0.5  # clearly not close
        if dtype != "float16":
            y[1::2] *= 1 + 1e-7  # close within rtol
        y = y.astype(dtype)
    else:
        y[::2] += 1
    add("mixed close / far", Arg(x), Arg(y))
    add("equal", Arg(x), Arg(x.copy()))
    add("broadcast", Arg(x), Arg(x[1]))
    add("non-contiguous", Arg(x.T.copy(), "T"), Arg(y[::-1].copy(), "rev"))
    add("loose tolerances", Arg(x), Arg(y), rtol=0.5, atol=1.0)
    add("zero tolerances", Arg(x), Arg(y), rtol=0.0, atol=0.0)
    add("scalar", Arg(x), 2)
    add("scalar float", Arg(x), 2.0)
    add("0-d", Arg(x[0, 0].reshape(())), Arg(y[0, 0].reshape(())))
    add("empty", Arg(x[:0]), Arg(y[:0]))
    if kind == "f":
        sp = float_specials(dtype)
        add("inf/nan", Arg(sp), Arg(sp))
        add("inf/nan equal_nan", Arg(sp), Arg(sp), equal_nan=True)
        add("inf vs large", values([np.inf, -np.inf, np.inf, 1.0], dtype), values([1e4, -np.inf, -np.inf, np.inf], dtype))
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", Arg(x), Arg(rand((4, 5), partner, rng, 1, 5)))
    return s


# ---- shape manipulation -------------------------------------------------------------
def reshape_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("3-D to 2-D", arr((2, 3, 4), dtype, rng), (6, 4))
    add("infer -1", arr((2, 3, 4), dtype, rng), (4, -1, 3))
    add("flatten", arr((2, 3, 4), dtype, rng), (-1,))
    add("int shape", arr((2, 3), dtype, rng), 6)
    add("0-d to (1,1)", arr((), dtype, rng), (1, 1))
    add("(1,) to 0-d", arr((1,), dtype, rng), ())
    add("transposed (copy)", arr((3, 4), dtype, rng, "T"), (-1,))
    add("transposed to 3-D", arr((3, 4), dtype, rng, "T"), (2, 2, 3))
    add("strided", arr((3, 4), dtype, rng, "step2"), (4, 3))
    add("reversed", arr((6,), dtype, rng, "rev"), (2, 3))
    add("last-axis strided view-able", arr((4, 3), dtype, rng, "colstep"), (2, 2, 3))
    add("empty (0,) to (0,3)", arr((0,), dtype, rng), (0, 3))
    add("empty (2,0) to (0,)", arr((2, 0), dtype, rng), (0,))
    add("empty (2,0) to (0,5)", arr((2, 0), dtype, rng), (0, 5))
    add("empty (2,0) flatten with -1", arr((2, 0), dtype, rng), (-1,))
    return s


def transpose_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    x = arr((2, 3, 4), dtype, rng)
    add("default", x)
    add("axes", x, (1, 0, 2))
    add("negative axes", x, (-1, 0, -2))
    add("non-contiguous input", arr((3, 4), dtype, rng, "step2"), (1, 0))
    add("0-d", arr((), dtype, rng))
    add("empty", arr((2, 0), dtype, rng))
    return s


def concatenate_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    A = lambda shape, layout="contig", d=dtype: arr(shape, d, rng, layout)
    add("axis 0", [A((2, 3)), A((4, 3))])
    add("axis 1", [A((2, 3)), A((2, 1)), A((2, 2))], axis=1)
    add("axis -1 3-D", [A((2, 3, 1)), A((2, 3, 2))], axis=-1)
    add("single", [A((3,))])
    add("non-contiguous", [A((3, 2), "T"), A((2, 2), "rev"), A((4, 2), "step2")], axis=0)
    add("empty parts", [A((0, 3)), A((2, 3)), A((0, 3))])
    add("all empty (2,0)", [A((2, 0)), A((2, 0))], axis=1)
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", [A((2, 3)), A((1, 3), d=partner)])
    return s


def stack_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    A = lambda shape, layout="contig", d=dtype: arr(shape, d, rng, layout)
    add("axis 0", [A((2, 3)), A((2, 3)), A((2, 3))])
    add("axis -1", [A((2, 3)), A((2, 3))], axis=-1)
    add("axis 1", [A((2, 3)), A((2, 3))], axis=1)
    add("0-d", [A(()), A(()), A(())])
    add("non-contiguous", [A((2, 3), "T"), A((2, 3), "rev")], axis=1)
    add("empty", [A((2, 0)), A((2, 0))])
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", [A((2,)), A((2,), d=partner)])
    return s


def split_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("equal parts", arr((6, 4), dtype, rng), 3)
    add("equal parts axis 1", arr((6, 4), dtype, rng), 2, axis=1)
    add("sizes", arr((6, 4), dtype, rng), [1, 2, 3])
    add("sizes with zero, axis -1", arr((3, 5), dtype, rng), [2, 0, 3], axis=-1)
    add("one part", arr((3,), dtype, rng), 1)
    add("non-contiguous", arr((4, 6), dtype, rng, "T"), 2, axis=0)
    add("reversed", arr((6,), dtype, rng, "rev"), [4, 2])
    add("empty", arr((0, 3), dtype, rng), 3, axis=1)
    return s


def expand_dims_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    x = arr((2, 3), dtype, rng)
    add("axis 0", x, 0)
    add("axis 2", x, 2)
    add("axis -1", x, -1)
    add("axis -3", x, -3)
    add("0-d", arr((), dtype, rng), 0)
    add("non-contiguous", arr((2, 3), dtype, rng, "T"), 1)
    add("empty", arr((2, 0), dtype, rng), 1)
    return s


def squeeze_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    x = arr((1, 3, 1, 2), dtype, rng)
    add("all", x)
    add("axis 0", x, 0)
    add("axis -2", x, -2)
    add("axes tuple", x, (0, 2))
    add("nothing to squeeze", arr((2, 3), dtype, rng))
    add("0-d", arr((), dtype, rng))
    add("(1,1) to 0-d", arr((1, 1), dtype, rng))
    add("non-contiguous", arr((1, 4), dtype, rng, "colstep"))
    add("empty", arr((1, 0), dtype, rng), 0)
    return s


def tile_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("1-D", arr((3,), dtype, rng), 2)
    add("2-D", arr((2, 3), dtype, rng), (2, 3))
    add("more reps than dims", arr((3,), dtype, rng), (2, 1, 2))
    add("fewer reps than dims", arr((2, 3), dtype, rng), (2,))
    add("0-d", arr((), dtype, rng), (3,))
    add("zero reps", arr((2, 3), dtype, rng), (0, 2))
    add("non-contiguous", arr((2, 3), dtype, rng, "T"), (2, 1))
    add("reversed", arr((4,), dtype, rng, "rev"), 3)
    add("empty (0,3)", arr((0, 3), dtype, rng), (2, 2))
    add("empty (2,0)", arr((2, 0), dtype, rng), (2, 1))
    return s


def pad_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    x = arr((3, 4), dtype, rng)
    cv = True if dtype == "bool" else 7
    for mode in ("constant", "reflect", "symmetric", "edge"):
        add(f"{mode}", x, [(1, 2), (2, 1)], mode=mode)
        add(f"{mode} 1-D large pad", arr((4,), dtype, rng), [(6, 9)], mode=mode)
        add(f"{mode} non-contiguous", arr((3, 4), dtype, rng, "T"), [(2, 0), (0, 3)], mode=mode)
        add(f"{mode} reversed 3-D", arr((2, 3, 2), dtype, rng, "rev"), [(1, 1), (0, 2), (1, 0)], mode=mode)
        add(f"{mode} size-1 axis", arr((1, 3), dtype, rng), [(2, 2), (1, 1)], mode=mode)
        add(f"{mode} zero padding", x, [(0, 0), (0, 0)], mode=mode)
    add("constant value", x, [(1, 1), (1, 1)], mode="constant", constant_values=cv)
    add("default mode", x, [(1, 0), (0, 1)])
    add("empty constant", arr((2, 0), dtype, rng), [(1, 1), (1, 1)])
    add("empty axis not padded (edge)", arr((2, 0), dtype, rng), [(1, 1), (0, 0)], mode="edge")
    return s


def stack2_samples(op, dtype, rng):  # vstack / hstack
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    A = lambda shape, layout="contig", d=dtype: arr(shape, d, rng, layout)
    add("1-D", [A((3,)), A((3,))])
    vertical = "vstack" in op.name
    add("2-D", [A((2, 3)), A((1, 3))] if vertical else [A((2, 3)), A((2, 1))])
    add("0-d", [A(()), A(())])
    add("3-D", [A((2, 3, 2)), A((2, 3, 2))])
    add("non-contiguous", [A((3, 2), "T"), A((2, 2), "rev")] if vertical
        else [A((2, 3), "T"), A((2, 2), "rev")])
    add("with empty", [A((0, 3)), A((2, 3))] if vertical else [A((2, 0)), A((2, 3))])
    partner = _partner(op, dtype)
    add(f"mixed dtypes with {partner}", [A((3,)), A((3,), d=partner)])
    return s


def broadcast_to_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("(3,) to (2,3)", arr((3,), dtype, rng), (2, 3))
    add("(3,1) to (2,3,4)", arr((3, 1), dtype, rng), (2, 3, 4))
    add("0-d to (2,2)", arr((), dtype, rng), (2, 2))
    add("same shape", arr((2, 3), dtype, rng), (2, 3))
    add("non-contiguous", arr((3, 1), dtype, rng, "rev"), (2, 3, 5))
    add("to empty", arr((1,), dtype, rng), (0,))
    add("empty", arr((1, 0), dtype, rng), (3, 0))
    return s


def cast_samples(op, dtype, rng):
    s = []
    kind = np.dtype(dtype).kind
    # Values every dtype can represent (conversions of out-of-range floats are UB in NumPy).
    if kind == "f":
        base = np.array([[0.0, 1.75, 2.25, 100.9], [0.5, 3.0, 64.5, 127.0]], dtype=dtype)
    elif kind == "b":
        base = np.array([[True, False, True, True], [False, False, True, False]])
    else:
        base = np.array([[0, 1, 2, 100], [5, 3, 64, 127]], dtype=dtype)
    if kind == "c":  # complex casts only to complex (real targets raise: see test_complex.py)
        base = base + 1j * base[::-1]
    for target in COMPLEX_DTYPES if kind == "c" else EVERY_DTYPE:
        s.append(Sample((Arg(base), target), {}, f"to {target}"))
    wide, narrow = COMPLEX_DTYPES[::-1] if kind == "c" else ("float64", "int32")
    s.append(Sample((Arg(base.T.copy(), "T"), DT(wide)), {}, f"transposed to EmberDType {wide}"))
    s.append(Sample((Arg(base[::-1].copy(), "rev"), narrow), {}, f"reversed to {narrow}"))
    s.append(Sample((Arg(base[:0]), "complex64" if kind == "c" else "float32"), {}, "empty"))
    s.append(Sample((Arg(base[0, 0].reshape(())), wide if kind == "c" else "int64"), {}, "0-d"))
    if kind in "iu":
        for target in INT_DTYPES:
            s.append(Sample((Arg(int_extremes(dtype)), target), {}, f"extremes to {target} (wrap)"))
    if kind == "f":
        s.append(Sample((values([-1.75, -0.5, 2.5, -100.9], dtype), "int16"), {}, "negative floats truncate"))
    return s


def copy_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    add("2-D", arr((3, 4), dtype, rng))
    add("transposed", arr((3, 4), dtype, rng, "T"))
    add("reversed", arr((5,), dtype, rng, "rev"))
    add("0-d", arr((), dtype, rng))
    add("empty", arr((2, 0), dtype, rng))
    return s


def meshgrid_samples(op, dtype, rng):
    s = []
    add = lambda desc, *args, **kw: s.append(Sample(args, kw, desc))
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    add("xy", A((3,)), A((4,)))
    add("ij", A((3,)), A((4,)), indexing="ij")
    add("three inputs xy", A((2,)), A((3,)), A((4,)))
    add("three inputs ij", A((2,)), A((3,)), A((4,)), indexing="ij")
    add("single", A((3,)))
    add("non-contiguous", A((3,), "rev"), A((4,), "step2"))
    add("empty", A((0,)), A((3,)))
    return s


# ---- creation -------------------------------------------------------------------------
def _fill_for(dtype: str):
    kind = np.dtype(dtype).kind
    return True if kind == "b" else 7 if kind in "iu" else 0.1


def zeros_ones_samples(op, dtype, rng):
    s = [
        Sample(((2, 3),), {"dtype": dtype}, "(2,3)"),
        Sample(((),), {"dtype": dtype}, "0-d"),
        Sample(((0,),), {"dtype": dtype}, "empty"),
        Sample(((2, 0, 3),), {"dtype": dtype}, "empty 3-D"),
        Sample((4,), {"dtype": DT(dtype)}, "int shape, EmberDType"),
        Sample(([2, 2],), {"dtype": dtype}, "list shape"),
        Sample(((3, 1),), {"dtype": dtype, "device": "cpu"}, "device='cpu'"),
    ]
    if dtype == "float32":
        s.append(Sample(((2, 3),), {}, "default dtype"))
    return s


def full_samples(op, dtype, rng):
    v = _fill_for(dtype)
    s = [
        Sample(((2, 3), v), {"dtype": dtype}, f"fill {v!r}"),
        Sample(((), v), {"dtype": DT(dtype)}, "0-d"),
        Sample(((0, 2), v), {"dtype": dtype}, "empty"),
        Sample(((3,), 1), {"dtype": dtype}, "int fill 1"),
        Sample(((3,), True), {"dtype": dtype}, "bool fill"),
    ]
    if np.dtype(dtype).kind != "b":
        s.append(Sample(((3,), 2.0), {"dtype": dtype}, "float fill"))
    if np.dtype(dtype).kind == "c":
        s.append(Sample(((2, 2), 1.5 - 2j), {"dtype": dtype}, "complex fill"))
        s.append(Sample(((3,), np.complex128(0.1 + 1e-9j)), {"dtype": DT(dtype)}, "NumPy complex fill"))
    if dtype == "complex64":
        s.append(Sample(((2, 2), 1j), {}, "default dtype from complex"))
    if dtype == "float32":
        s.append(Sample(((2, 2), 1.5), {}, "default dtype from float"))
    if dtype == "int32":
        s.append(Sample(((2, 2), 7), {}, "default dtype from int"))
    if dtype == "bool":
        s.append(Sample(((2, 2), True), {}, "default dtype from bool"))
    if dtype == "float64":
        s.append(Sample(((2,), 1 / 3), {"dtype": dtype}, "float64 precision"))
    return s


def eye_samples(op, dtype, rng):
    s = [
        Sample((3,), {"dtype": dtype}, "n"),
        Sample((3, 4), {"dtype": dtype}, "n, m"),
        Sample((4, 3), {"k": 1, "dtype": dtype}, "k=1"),
        Sample((4, 3), {"k": -2, "dtype": dtype}, "k=-2"),
        Sample((3, 3), {"k": 5, "dtype": dtype}, "k beyond"),
        Sample((0,), {"dtype": dtype}, "n=0"),
        Sample((2, 0), {"dtype": DT(dtype)}, "m=0"),
    ]
    if dtype == "float32":
        s.append(Sample((3,), {}, "default dtype"))
    return s


def arange_samples(op, dtype, rng):
    s = [
        Sample((5,), {"dtype": dtype}, "stop"),
        Sample((2, 11, 3), {"dtype": dtype}, "start, stop, step"),
        Sample((1, 1), {"dtype": dtype}, "empty"),
        Sample((5, 1), {"dtype": dtype}, "stop < start"),
        Sample((0, 7, 2), {"dtype": DT(dtype)}, "EmberDType"),
    ]
    if np.dtype(dtype).kind == "i":
        s.append(Sample((5, 0, -1), {"dtype": dtype}, "negative step"))
        s.append(Sample((-4, 4, 3), {"dtype": dtype}, "negative start"))
    if np.dtype(dtype).kind == "f":
        s.append(Sample((0.0, 1.0, 0.25), {"dtype": dtype}, "float step"))
        s.append(Sample((2.5, -1.0, -0.5), {"dtype": dtype}, "negative float step"))
    if dtype == "int32":
        s.append(Sample((6,), {}, "default dtype int"))
        s.append(Sample((-3, 9, 2), {}, "default dtype int start/stop/step"))
    if dtype == "float32":
        s.append(Sample((0.5, 4.0), {}, "default dtype float"))
        s.append(Sample((0, 2, 0.5), {}, "default dtype float step"))
        s.append(Sample((0, 1, 0.1), {}, "float step 0.1", tols=(1e-6, 1e-7)))
    return s


def linspace_samples(op, dtype, rng):
    kind = np.dtype(dtype).kind
    s = [
        Sample((0, 10, 6), {"dtype": dtype}, "0..10"),
        Sample((2, 5, 1), {"dtype": dtype}, "num=1"),
        Sample((0, 1, 0), {"dtype": dtype}, "num=0"),
        Sample((3, 0, 4), {"dtype": DT(dtype)}, "descending"),
    ]
    if kind in "if":
        s.append(Sample((-3, 2, 7), {"dtype": dtype}, "negative start (NumPy floors for integers)"))
    if kind == "f":
        s.append(Sample((0.0, 1.0, 5), {"dtype": dtype}, "unit interval"))
    if dtype == "float32":
        s.append(Sample((0, 1, 11), {}, "default dtype"))
        s.append(Sample((-1.5, 2.5), {}, "default num"))
    return s


def like_samples(op, dtype, rng):
    args = () if op.name != "full_like" else (_fill_for(dtype),)
    s = [
        Sample((arr((2, 3), dtype, rng),) + args, {}, "keeps dtype"),
        Sample((arr((3, 2), dtype, rng, "T"),) + args, {}, "non-contiguous input"),
        Sample((arr((), dtype, rng),) + args, {}, "0-d"),
        Sample((arr((2, 0), dtype, rng),) + args, {}, "empty"),
        Sample((arr((2, 3), dtype, rng),) + args, {"dtype": "float64"}, "dtype override"),
        Sample((arr((4,), "float32", rng),) + args, {"dtype": DT(dtype)}, "dtype override EmberDType"),
    ]
    return s


# ---------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------
def _unary(name, fn, ref, dtypes=ALL_DTYPES, **kw):
    return OpInfo(name, fn, ref, dtypes, unary_samples, category="unary", **kw)


def _binary(name, fn, ref, dtypes=ALL_DTYPES, **kw):
    return OpInfo(name, fn, ref, dtypes, binary_samples, category="binary", **kw)


def _reduction(name, fn, ref, samples=reduction_samples, **kw):
    kw.setdefault("tols", REDUCTION_TOLS)
    return OpInfo(name, fn, ref, ALL_DTYPES, samples, category="reduction", **kw)


_FLOAT_UNARY = [
    ("exp", ops.exp, np.exp, "small"),
    ("log", ops.log, np.log, "positive"),
    ("log10", ops.log10, np.log10, "positive"),
    ("log2", ops.log2, np.log2, "positive"),
    ("sqrt", ops.sqrt, np.sqrt, "positive"),
    ("sin", ops.sin, np.sin, "any"),
    ("cos", ops.cos, np.cos, "any"),
    ("tan", ops.tan, np.tan, "trig"),
    ("sinh", ops.sinh, np.sinh, "small"),
    ("cosh", ops.cosh, np.cosh, "small"),
    ("erf", ops.erf, scipy.special.erf, "any"),
    ("tanh", ops.tanh, np.tanh, "any"),
    ("sigmoid", _core.sigmoid, _sigmoid, "any"),
]


def _count_ones(x):
    """Set bits of the two's-complement pattern in x's dtype (numpy.bitwise_count counts |x|)."""
    x = as_array(x)
    if x.dtype == np.dtype(bool):
        return x.copy()
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    return np.bitwise_count(x.view(unsigned)).astype(x.dtype)


def _int_pair(a: str, b: str) -> bool:
    """Bitwise ops need an integer/bool promoted dtype (int64 with uint64 promotes to float64)."""
    return np.promote_types(a, b).kind != "f"


OP_DB: list[OpInfo] = []

for _name, _fn, _np_fn, _domain in _FLOAT_UNARY:
    OP_DB.append(_unary(_name, _fn, float_unary_ref(_np_fn), domain=_domain))

OP_DB += [
    _unary("abs", ops.abs, same_dtype_unary_ref(np.abs), extremes=True),
    _unary("negative", ops.negative, same_dtype_unary_ref(np.negative), dtypes=NO_BOOL_DTYPES, extremes=True),
    _unary("sign", ops.sign, same_dtype_unary_ref(np.sign), dtypes=NO_BOOL_DTYPES, extremes=True),
    _unary("square", ops.square, same_dtype_unary_ref(np.square), extremes=True),
    _unary("floor", ops.floor, floor_ceil_ref(np.floor), extremes=True),
    _unary("ceil", ops.ceil, floor_ceil_ref(np.ceil), extremes=True),
    _unary("isnan", ops.isnan, same_dtype_unary_ref(np.isnan)),
    _unary("isinf", ops.isinf, same_dtype_unary_ref(np.isinf)),
    _unary("isfinite", ops.isfinite, same_dtype_unary_ref(np.isfinite)),
    _unary("logical_not", ops.logical_not, same_dtype_unary_ref(np.logical_not)),
    _unary("bitwise_not", _core.bitwise_not, same_dtype_unary_ref(np.invert), dtypes=INT_BOOL_DTYPES,
           extremes=True),
    _unary("count_ones", _core.count_ones, _count_ones, dtypes=INT_BOOL_DTYPES, extremes=True),
]

OP_DB += [
    _binary("add", ops.add, binary_ref(np.add), extremes=True, promotion_pairs=True),
    _binary("subtract", ops.subtract, binary_ref(np.subtract), dtypes=NO_BOOL_DTYPES, extremes=True,
            promotion_pairs=True),
    _binary("multiply", ops.multiply, binary_ref(np.multiply), extremes=True, promotion_pairs=True),
    _binary("divide", ops.divide, binary_ref(np.divide, "truediv"), promotion_pairs=True),
    _binary("floor_divide", ops.floor_divide, binary_ref(np.floor_divide, "intzero"), domain="intzero",
            extremes=True, promotion_pairs=True),
    _binary("mod", ops.mod, binary_ref(np.mod, "intzero"), domain="intzero", extremes=True),
    _binary("power", ops.power, binary_ref(np.power, "nobool"), domain="power", scalars=(2, 0.5),
            promotion_pairs=True),
    _binary("pow", ops.pow, binary_ref(np.power, "nobool"), domain="power", scalars=(2, 0.5)),
    _binary("maximum", ops.maximum, binary_ref(np.maximum), extremes=True, promotion_pairs=True),
    _binary("minimum", ops.minimum, binary_ref(np.minimum), extremes=True),
    _binary("tensor.maximum", T.maximum, binary_ref(np.maximum)),
    _binary("equal", ops.equal, binary_ref(np.equal, "compare"), extremes=True, promotion_pairs=True),
    _binary("not_equal", ops.not_equal, binary_ref(np.not_equal, "compare")),
    _binary("less", ops.less, binary_ref(np.less, "compare"), extremes=True, promotion_pairs=True),
    _binary("less_equal", ops.less_equal, binary_ref(np.less_equal, "compare")),
    _binary("greater", ops.greater, binary_ref(np.greater, "compare")),
    _binary("greater_equal", ops.greater_equal, binary_ref(np.greater_equal, "compare")),
    _binary("logical_and", ops.logical_and, binary_ref(np.logical_and, "compare")),
    _binary("logical_or", ops.logical_or, binary_ref(np.logical_or, "compare")),
    _binary("logical_xor", ops.logical_xor, binary_ref(np.logical_xor, "compare")),
    _binary("bitwise_and", _core.bitwise_and, binary_ref(np.bitwise_and), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, promotion_pairs=True),
    _binary("bitwise_or", _core.bitwise_or, binary_ref(np.bitwise_or), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair),
    _binary("bitwise_xor", _core.bitwise_xor, binary_ref(np.bitwise_xor), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair),
    _binary("left_shift", _core.left_shift, binary_ref(np.left_shift, "nobool"), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair),
    _binary("right_shift", _core.right_shift, binary_ref(np.right_shift, "nobool"), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair),
]

OP_DB += [
    OpInfo("matmul", ops.matmul, _errstate(np.matmul), ALL_DTYPES, matmul_samples, tols=MATMUL_TOLS),
    OpInfo("dot", ops.dot, _errstate(np.dot), ALL_DTYPES, matmul_samples, tols=MATMUL_TOLS),
    OpInfo("where", ops.where, _where_ref, ALL_DTYPES, where_samples),
    OpInfo("clip", ops.clip, _clip_ref, ALL_DTYPES, clip_samples),
    OpInfo("isclose", ops.isclose, _isclose_ref, ALL_DTYPES, isclose_samples),
    OpInfo("allclose", ops.allclose, _allclose_ref, ALL_DTYPES, isclose_samples),
]

OP_DB += [
    _reduction("sum", stats.sum, _sum_ref, sum_samples),
    _reduction("mean", stats.mean, _float_reduce(np.mean), mean_samples),
    _reduction("var", stats.var, _float_reduce(np.var), var_samples),
    _reduction("std", stats.std, _float_reduce(np.std), var_samples),
    _reduction("prod", stats.prod, _prod_ref, domain="prod"),
    _reduction("max", stats.max, _plain_reduce(np.max), domain="extreme"),
    _reduction("min", stats.min, _plain_reduce(np.min), domain="extreme"),
    _reduction("argmax", stats.argmax, _plain_reduce(np.argmax), domain="argreduce"),
    _reduction("argmin", stats.argmin, _plain_reduce(np.argmin), domain="argreduce"),
    _reduction("all", ops.all, _plain_reduce(np.all)),
    _reduction("any", ops.any, _plain_reduce(np.any)),
]

OP_DB += [
    OpInfo("reshape", T.reshape, np.reshape, ALL_DTYPES, reshape_samples),
    OpInfo("transpose", T.transpose, np.transpose, ALL_DTYPES, transpose_samples),
    OpInfo("concatenate", T.concatenate, np.concatenate, ALL_DTYPES, concatenate_samples),
    OpInfo("stack", T.stack, np.stack, ALL_DTYPES, stack_samples),
    OpInfo("split", T.split, _split_ref, ALL_DTYPES, split_samples),
    OpInfo("split_tensor", T.split_tensor, _split_ref, ALL_DTYPES, split_samples),
    OpInfo("expand_dims", T.expand_dims, np.expand_dims, ALL_DTYPES, expand_dims_samples),
    OpInfo("squeeze", T.squeeze, np.squeeze, ALL_DTYPES, squeeze_samples),
    OpInfo("tile", T.tile, np.tile, ALL_DTYPES, tile_samples),
    OpInfo("pad", T.pad, _pad_ref, ALL_DTYPES, pad_samples),
    OpInfo("vstack", T.vstack, np.vstack, ALL_DTYPES, stack2_samples),
    OpInfo("hstack", T.hstack, np.hstack, ALL_DTYPES, stack2_samples),
    OpInfo("ops.vstack", ops.vstack, np.vstack, ("float32", "int8"), stack2_samples),
    OpInfo("ops.hstack", ops.hstack, np.hstack, ("float32", "int8"), stack2_samples),
    OpInfo("broadcast_to", T.broadcast_to, np.broadcast_to, ALL_DTYPES, broadcast_to_samples),
    OpInfo("cast", T.cast, lambda x, d: x.astype(d), ALL_DTYPES, cast_samples),
    OpInfo("copy", T.copy, np.copy, ALL_DTYPES, copy_samples),
    OpInfo("meshgrid", T.meshgrid, _meshgrid_ref, ALL_DTYPES, meshgrid_samples),
]

OP_DB += [
    OpInfo("zeros", T.zeros, _zeros_ref, ALL_DTYPES, zeros_ones_samples),
    OpInfo("ones", T.ones, _ones_ref, ALL_DTYPES, zeros_ones_samples),
    OpInfo("full", T.full, _full_ref, ALL_DTYPES, full_samples),
    OpInfo("eye", T.eye, _eye_ref, ALL_DTYPES, eye_samples),
    OpInfo("arange", T.arange, _arange_ref, NO_BOOL_DTYPES, arange_samples),
    OpInfo("linspace", T.linspace, _linspace_ref, NO_BOOL_DTYPES, linspace_samples),
    OpInfo("zeros_like", T.zeros_like, _like_ref(np.zeros_like), ALL_DTYPES, like_samples),
    OpInfo("ones_like", T.ones_like, _like_ref(np.ones_like), ALL_DTYPES, like_samples),
    OpInfo("full_like", T.full_like, _like_ref(np.full_like), ALL_DTYPES, like_samples),
]

# ---- linear algebra (ops.linearalg): entries go below this line -----------------------------

LINALG_TOLS = {"float32": (2e-4, 2e-4), "float64": (1e-9, 1e-9)}
LINALG_DTYPES = ("float32", "float64", "int32")


def _la_dtype(*arrays) -> np.dtype:
    """Ember's linalg result dtype: the promoted float dtype, float32 for integer/bool input."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else FLOAT32


def _la_cast(out, dt):
    if isinstance(out, (tuple, list)):
        return [_la_cast(o, dt) for o in out]
    out = np.asarray(out)
    return out.astype(dt) if out.dtype.kind == "f" else out


def _la_ref(np_fn: Callable) -> Callable:
    """NumPy computed in float64, rounded to Ember's result dtype (NumPy returns float64 for ints)."""
    def ref(*args, **kwargs):
        dt = _la_dtype(*[a for a in args if isinstance(a, np.ndarray)])
        args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in args]
        return _la_cast(np_fn(*args, **kwargs), dt)
    return ref


def _project_svd(out, full_matrices=True, compute_uv=True):
    """Sign/rotation-invariant parts of an SVD: s, |leading singular vectors|, orthogonality."""
    if not compute_uv:
        return [out]
    u, s, vh = out
    k = s.shape[-1]
    return [s, np.abs(u[..., :k]), np.abs(vh[..., :k, :]), np.swapaxes(u, -1, -2) @ u, vh @ np.swapaxes(vh, -1, -2)]


def _project_qr(out, mode="reduced"):
    """|Q| on the leading K columns, |R| and Q^T Q (Householder QR fixes Q and R up to signs)."""
    if mode == "r":
        return [np.abs(out)]
    q, r = out
    k = min(q.shape[-2], r.shape[-1])
    return [np.abs(q[..., :k]), np.abs(r), np.swapaxes(q, -1, -2) @ q]


def _project_eigh(out):
    w, v = out
    return [w, np.abs(v)]


def _projected_op(fn: Callable, project: Callable) -> Callable:
    """Ember op followed by the same projection as the reference, results as EmberTensors."""
    def op(*args, **kwargs):
        out = fn(*args, **kwargs)
        np_out = [np.asarray(o) for o in out] if isinstance(out, tuple) else np.asarray(out)
        return [T.convert_to_tensor(np.ascontiguousarray(p)) for p in project(np_out, **kwargs)]
    return op


def _projected_ref(np_fn: Callable, project: Callable) -> Callable:
    base = _la_ref(np_fn)
    return lambda *args, **kwargs: project(base(*args, **kwargs), **kwargs)


def _lstsq_ref(a, b, rcond=None):
    """numpy.linalg.lstsq with Ember's default rcond: eps of the result dtype (NumPy: float64 eps)."""
    dt = _la_dtype(a, b)
    if rcond is None:
        rcond = np.finfo(dt).eps * max(a.shape)
    x, res, rank, s = np.linalg.lstsq(a.astype(np.float64), b.astype(np.float64), rcond=rcond)
    return [x.astype(dt), res.astype(dt), np.asarray(rank, np.int32), s.astype(dt)]


def _as_arg(a: np.ndarray, layout: str) -> Arg:
    """An Arg whose view is exactly ``a`` (so structure such as symmetry survives the layout)."""
    if layout == "T":
        return Arg(np.ascontiguousarray(a.T), "T")
    if layout == "rev":
        return Arg(np.ascontiguousarray(a[::-1]), "rev")
    return Arg(np.ascontiguousarray(a))


def _la_rand(shape, dtype: str, rng) -> np.ndarray:
    if np.dtype(dtype).kind == "f":
        return rng.uniform(-1.0, 1.0, shape).astype(dtype)
    return rng.integers(-2, 2, size=shape, endpoint=True).astype(dtype)


def _well_conditioned(shape, dtype: str, rng) -> np.ndarray:
    """Diagonally dominant matrices: non-singular with a small condition number."""
    n = shape[-1]
    return (_la_rand(shape, dtype, rng) + (2 * n) * np.eye(n, dtype=np.int64)).astype(dtype)


def _spd(shape, dtype: str, rng) -> np.ndarray:
    b = _la_rand(shape, "float64" if np.dtype(dtype).kind == "f" else dtype, rng)
    n = shape[-1]
    return (b @ np.swapaxes(b, -1, -2) + n * np.eye(n, dtype=np.int64)).astype(dtype)


def _symmetric(shape, dtype: str, rng) -> np.ndarray:
    b = _la_rand(shape, "float64" if np.dtype(dtype).kind == "f" else dtype, rng)
    return (b + np.swapaxes(b, -1, -2)).astype(dtype)


def solve_samples(op, dtype, rng):
    W = lambda shape, layout="contig": _as_arg(_well_conditioned(shape, dtype, rng), layout)
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    return [
        Sample((W((3, 3)), R((3,))), desc="vector b"),
        Sample((W((4, 4)), R((4, 2))), desc="matrix b"),
        Sample((W((2, 3, 3)), R((2, 3, 2))), desc="batched"),
        Sample((W((2, 3, 3)), R((3,))), desc="batched a, vector b"),
        Sample((W((2, 1, 3, 3)), R((4, 3, 1))), desc="broadcast batch"),
        Sample((W((3, 3), "T"), R((3, 2), "T")), desc="transposed views"),
        Sample((W((2, 3, 3), "rev"), R((2, 3, 2), "rev")), desc="reversed batch"),
        Sample((W((0, 3, 3)), R((0, 3, 2))), desc="empty batch"),
        Sample((W((8, 8)), R((8, 3), "T")), desc="8x8"),
    ]


def _square_samples(make):
    def samples(op, dtype, rng):
        M = lambda shape, layout="contig": _as_arg(make(shape, dtype, rng), layout)
        return [
            Sample((M((4, 4)),), desc="4x4"),
            Sample((M((1, 1)),), desc="1x1"),
            Sample((M((2, 3, 3)),), desc="batched"),
            Sample((M((2, 2, 3, 3)),), desc="2 batch axes"),
            Sample((M((3, 3), "T"),), desc="transposed"),
            Sample((M((2, 3, 3), "T"),), desc="batched transposed"),
            Sample((M((0, 3, 3)),), desc="empty batch"),
            Sample((M((9, 9)),), desc="9x9"),
        ]
    return samples


def det_samples(op, dtype, rng):
    s = _square_samples(_well_conditioned)(op, dtype, rng)
    s.append(Sample((_as_arg(_la_rand((2, 4, 4), dtype, rng), "contig"),), desc="general random"))
    s.append(Sample((values([[1, 2], [2, 4]], dtype),), desc="singular: det 0"))
    s.append(Sample((_as_arg(np.zeros((2, 0, 0), dtype), "contig"),), desc="0x0 matrices: det 1"))
    return s


def eigh_samples(op, dtype, rng):
    s = _square_samples(_symmetric)(op, dtype, rng)
    s.append(Sample((_as_arg(_la_rand((4, 4), dtype, rng), "contig"),), desc="non-symmetric: lower triangle used"))
    return s


def _rect_samples(extra_kwargs):
    def samples(op, dtype, rng):
        R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
        s = []
        for kw in extra_kwargs:
            s += [
                Sample((R((4, 3)),), dict(kw), desc="tall"),
                Sample((R((3, 5)),), dict(kw), desc="wide"),
                Sample((R((2, 4, 3)),), dict(kw), desc="batched"),
                Sample((R((3, 4), "T"),), dict(kw), desc="transposed"),
                Sample((R((0, 3, 2)),), dict(kw), desc="empty batch"),
            ]
        s.append(Sample((R((12, 10)),), desc="12x10"))
        return s
    return samples


def lstsq_samples(op, dtype, rng):
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    deficient = _la_rand((5, 3), dtype, rng)
    deficient[:, 2] = deficient[:, 0]
    return [
        Sample((R((5, 3)), R((5,))), desc="overdetermined, vector b"),
        Sample((R((6, 3)), R((6, 2))), desc="overdetermined, matrix b"),
        Sample((R((3, 5)), R((3,))), desc="underdetermined (minimum norm)"),
        Sample((R((4, 4), "T"), R((4, 2), "T")), desc="transposed views"),
        Sample((_as_arg(deficient, "contig"), R((5, 2))), desc="rank deficient"),
        Sample((R((5, 3)), R((5,))), {"rcond": 0.5}, desc="large rcond truncates"),
    ]


def norm_samples(op, dtype, rng):
    R = lambda shape, layout="contig": _as_arg(_la_rand(shape, dtype, rng), layout)
    v, m, t = R((7,)), R((3, 4)), R((2, 3, 4))
    s = [Sample((v,), desc="vector default"), Sample((t,), desc="3-D default (flattened)"),
         Sample((t,), {"keepdims": True}, desc="3-D default keepdims")]
    for o in (1, 2, np.inf, -np.inf, 0, 3, -1, 0.5):
        s.append(Sample((v,), {"ord": o}, desc=f"vector ord={o}"))
    for o in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        s.append(Sample((m,), {"ord": o}, desc=f"matrix ord={o}"))
    s += [
        Sample((m,), {"axis": 1}, desc="rows axis=1"),
        Sample((m,), {"axis": 0, "ord": 1, "keepdims": True}, desc="axis=0 ord=1 keepdims"),
        Sample((t,), {"axis": (0, 2)}, desc="matrix norm over axes (0, 2)"),
        Sample((t,), {"axis": (2, 0), "ord": 1, "keepdims": True}, desc="axes (2, 0) ord=1 keepdims"),
        Sample((t,), {"axis": (-1, -2), "ord": np.inf}, desc="negative axes ord=inf"),
        Sample((t,), {"axis": (1, 2), "ord": "nuc"}, desc="batched nuclear"),
        Sample((t,), {"axis": (1, 2), "ord": -2}, desc="batched ord=-2"),
        Sample((R((3, 4), "T"),), {"ord": 2}, desc="transposed ord=2"),
        Sample((R((6, 5), "T"),), {"axis": 0}, desc="transposed axis=0"),
        Sample((R((0, 3)),), desc="empty"),
    ]
    return s


def diag_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    s = []
    for k in (0, 2, -1):
        s.append(Sample((A((4,)),), {"k": k}, desc=f"1-D k={k}"))
    for k in (0, 1, -2, 5, -7):
        s.append(Sample((A((3, 4)),), {"k": k}, desc=f"2-D k={k}"))
    s += [Sample((A((4, 3), "T"),), {"k": 1}, desc="transposed"), Sample((A((5,), "rev"),), desc="reversed 1-D"),
          Sample((A((0,)),), desc="empty 1-D"), Sample((A((6, 4), "step2"),), {"k": -1}, desc="strided 2-D")]
    return s


def diagonal_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)
    return [
        Sample((A((3, 4)),), desc="2-D"),
        Sample((A((3, 4)),), {"offset": 1}, desc="offset 1"),
        Sample((A((3, 4)),), {"offset": -2}, desc="offset -2"),
        Sample((A((3, 4)),), {"offset": 9}, desc="offset past the end"),
        Sample((A((2, 3, 4)),), {"axis1": 1, "axis2": 2}, desc="batched last two axes"),
        Sample((A((2, 3, 4)),), {"axis1": 2, "axis2": 0, "offset": 1}, desc="axis1 > axis2"),
        Sample((A((2, 3, 4)),), {"axis1": -1, "axis2": -3}, desc="negative axes"),
        Sample((A((2, 3, 4), "T"),), {"offset": -1}, desc="transposed"),
        Sample((A((0, 3, 3)),), {"axis1": 1, "axis2": 2}, desc="empty batch"),
    ]


OP_DB += [
    OpInfo("linalg.solve", ops.linearalg.solve, _la_ref(np.linalg.solve), LINALG_DTYPES, solve_samples,
           tols=LINALG_TOLS),
    OpInfo("linalg.inv", ops.linearalg.inv, _la_ref(np.linalg.inv), LINALG_DTYPES,
           _square_samples(_well_conditioned), tols=LINALG_TOLS),
    OpInfo("linalg.det", ops.linearalg.det, _la_ref(np.linalg.det), LINALG_DTYPES, det_samples, tols=LINALG_TOLS),
    OpInfo("linalg.cholesky", ops.linearalg.cholesky, _la_ref(np.linalg.cholesky), LINALG_DTYPES,
           _square_samples(_spd), tols=LINALG_TOLS),
    OpInfo("linalg.eigh", _projected_op(ops.linearalg.eigh, _project_eigh),
           _projected_ref(np.linalg.eigh, _project_eigh), LINALG_DTYPES, eigh_samples, tols=LINALG_TOLS),
    OpInfo("linalg.svd", _projected_op(ops.linearalg.svd, _project_svd), _projected_ref(np.linalg.svd, _project_svd),
           LINALG_DTYPES, _rect_samples([{}, {"full_matrices": False}, {"compute_uv": False}]), tols=LINALG_TOLS),
    OpInfo("linalg.qr", _projected_op(ops.linearalg.qr, _project_qr), _projected_ref(np.linalg.qr, _project_qr),
           LINALG_DTYPES, _rect_samples([{}, {"mode": "complete"}, {"mode": "r"}]), tols=LINALG_TOLS),
    OpInfo("linalg.lstsq", ops.linearalg.lstsq, _lstsq_ref, LINALG_DTYPES, lstsq_samples, tols=LINALG_TOLS),
    OpInfo("linalg.norm", ops.linearalg.norm, _la_ref(np.linalg.norm), LINALG_DTYPES, norm_samples,
           tols=LINALG_TOLS),
    OpInfo("linalg.diag", ops.linearalg.diag, np.diag, ALL_DTYPES, diag_samples),
    OpInfo("linalg.diagonal", ops.linearalg.diagonal, np.diagonal, ALL_DTYPES, diagonal_samples),
]


# ---- end of linear algebra entries ---------------------------------------------------------

# ---- random (nn.tensor random_*): entries go below this line --------------------------------


# ---- end of random entries -----------------------------------------------------------------

# ---- indexing, sorting and scans: entries go below this line -------------------------------
# Deviations the references encode: median / percentile of integer and bool input give
# float32 (as mean does) and are computed in float64; sort / argsort take `descending`
# (stable: ties keep their order, NaNs last in both directions); scatter is a segment
# reduction (empty segments 0, integer mean truncates, bool add / mean are logical or);
# percentile of an empty slice is NaN (as numpy.median; numpy.percentile raises there).
def _take_ref(x, indices, axis=0):
    return np.take(x, np.asarray(indices), axis=axis)


def _scatter_ref(data, indices, dim_size=None, aggr="add", axis=0):
    idx = np.asarray(indices).astype(np.int64)
    size = dim_size if dim_size is not None else (int(idx.max()) + 1 if idx.size else 0)
    moved = np.moveaxis(data, axis, 0)
    out = np.zeros((size,) + moved.shape[1:], data.dtype)
    for j in range(size):
        sel = moved[idx == j]
        if not len(sel):
            continue
        if data.dtype == bool and aggr in ("add", "mean"):
            out[j] = np.logical_or.reduce(sel, axis=0)
        elif aggr in ("add", "mean"):
            acc = sel[0].copy()
            for row in sel[1:]:  # sequential, wrapping, in the data dtype (numpy.add.at)
                acc = np.add(acc, row, dtype=data.dtype)
            if aggr == "mean" and len(sel) > 1:
                acc = acc / len(sel)
                acc = np.trunc(acc) if data.dtype.kind in "iu" else acc
            out[j] = acc.astype(data.dtype)
        else:
            out[j] = (np.maximum if aggr == "max" else np.minimum).reduce(sel, axis=0)
    return np.moveaxis(out, 0, axis)


def _tensor_scatter_nd_update_ref(x, indices, updates):
    out = x.copy()
    out[tuple(np.moveaxis(np.asarray(indices), -1, 0))] = updates
    return out


def _slice_tensor_ref(x, starts, sizes):
    return x[tuple(slice(s, None if n == -1 else s + n) for s, n in zip(starts, sizes))].copy()


def _slice_update_ref(x, slices, updates=None):
    if updates is None:
        return x[slices].copy()
    out = x.copy()
    out[slices] = updates
    return out


def _index_update_ref(x, *idx, value):
    out = x.copy()
    out[idx if len(idx) != 1 else idx[0]] = value
    return out


def _index_ref(x, *idx):
    return x[idx if len(idx) != 1 else idx[0]]


def _argsort_ref(x, axis=-1, descending=False):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    _, inv = np.unique(x, return_inverse=True)  # ranks of the values, NaN ranked last
    key = -inv.reshape(x.shape).astype(np.int64)
    if x.dtype.kind == "f":
        key = np.where(np.isnan(x), np.iinfo(np.int64).max, key)
    return np.argsort(key, axis=axis, kind="stable")


def _sort_ref(x, axis=-1, descending=False):
    return np.take_along_axis(x, _argsort_ref(x, axis, descending), axis=axis)


def _order_stat_ref(np_fn):
    def ref(x, *args, **kwargs):
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        with np.errstate(all="ignore"):
            return np.asarray(np_fn(x.astype(np.float64), *args, **kwargs)).astype(out_dtype)
    return ref


def _sample_adder(s):
    return lambda desc, *args, **kw: s.append(Sample(args, kw, desc))


def gather_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    add("1-D negative indices", A((5,)), np.array([0, 4, -1, 2]))
    add("2-D axis=0 repeats", A((4, 3)), np.array([3, 0, 0]), axis=0)
    add("2-D axis=-1, 2-D indices", A((4, 3)), np.array([[0, 2], [-3, 1]]), axis=-1)
    add("transposed axis=1", A((3, 4), "T"), np.array([1, 1, 0], np.int8), axis=1)
    add("strided axis=0", A((3, 4), "step2"), np.array([2, 0], np.uint16), axis=0)
    add("reversed 3-D axis=1", A((3, 2, 4), "rev"), np.array([1, 0, 1]), axis=1)
    add("column step axis=-1", A((3, 4), "colstep"), [3, 0], axis=-1)
    add("0-d index", A((4, 3)), np.array(2), axis=1)
    add("empty indices", A((4, 3)), np.array([], np.int64), axis=0)
    add("empty x", A((0, 3)), np.array([0, 2]), axis=1)
    add("large", A((300, 200)), rng.integers(-300, 300, 500), axis=0)
    return s


def scatter_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    for aggr in ("add", "max", "min", "mean"):
        add(f"1-D {aggr}", A((6,)), np.array([0, 2, 0, 1, 2, 2]), aggr=aggr)
        add(f"2-D axis=0 {aggr} dim_size with empty rows", A((5, 3)), np.array([4, 0, 4, 1, 4]), dim_size=6,
            aggr=aggr)
        add(f"transposed axis=-1 {aggr}", A((3, 4), "T"), np.array([1, 1, 0, 1]), aggr=aggr, axis=-1)
        add(f"reversed 3-D axis=1 {aggr}", A((2, 3, 4), "rev"), np.array([0, 1, 0]), aggr=aggr, axis=1)
    add("strided", A((4, 3), "step2"), np.array([1, 0, 1, 1], np.int32))
    add("empty data", A((0, 3)), np.array([], np.int64), dim_size=2)
    add("empty rows", A((3, 0)), np.array([2, 0, 2]))
    if np.dtype(dtype).kind == "f":
        add("nan max", Arg(float_specials(dtype)), np.array([0, 0, 1, 1, 2, 2, 3, 3, 3]), aggr="max")
    return s


def tensor_scatter_nd_update_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    add("rows of a matrix", A((4, 3)), np.array([[2], [0]]), A((2, 3)))
    add("elements", A((4, 3)), np.array([[3, 2], [0, -1], [1, 1]]), A((3,)))
    add("transposed x", A((3, 4), "T"), np.array([[1, 0]]), A((1,)))
    add("reversed 3-D, K=2", A((3, 2, 4), "rev"), np.array([[[0, 1]], [[2, 0]]]), A((2, 1, 4)))
    add("no updates", A((4, 3)), np.zeros((0, 1), np.int64), A((0, 3)))
    return s


def slice_tensor_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    return [Sample((A((4, 5)), [1, 2], [2, -1]), {}, "2-D"),
            Sample((A((3, 4, 5), "rev"), [0, 1], [3, 2]), {}, "reversed, leading axes only"),
            Sample((A((4, 5), "T"), [2, 0, ], [0, 5]), {}, "transposed, empty result"),
            Sample((A((6,), "step2"), [5], [-1]), {}, "strided 1-D")]


def slice_update_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    return [Sample((A((4, 5)), (slice(1, 3), 2)), {}, "read"),
            Sample((A((4, 5)), (slice(1, 3), slice(None, None, 2)), A((2, 3))), {}, "write"),
            Sample((A((4, 5), "T"), (Ellipsis, [0, 2]), A((1,))), {}, "write, transposed, array key"),
            Sample((A((4, 5), "rev"), np.array([True, False, True, False])), {}, "read a boolean mask")]


def index_update_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    return [Sample((A((4, 5)), 1, 2), {"value": A(())}, "one element"),
            Sample((A((4, 5), "T"), slice(None), [0, 3]), {"value": A((4, 2))}, "columns of a transposed x"),
            Sample((A((4, 5), "rev"), [1, 1, 2]), {"value": A((5,))}, "repeated rows")]


def index_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    return [Sample((A((4, 5)), [2, 0], slice(1, None)), {}, "array then slice"),
            Sample((A((3, 4, 5), "rev"), slice(None), [0, 1], [4, -1]), {}, "two arrays"),
            Sample((A((4, 5), "T"), A((4, 5)).numpy() > 0), {}, "boolean mask of a transposed x"),
            Sample((A((4, 5)), 1, slice(None, None, 2)), {}, "basic")]


def nonzero_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout, -1, 1)  # noqa: E731
    return [Sample((A((7,)),), {}, "1-D"), Sample((A((3, 4), "T"),), {}, "transposed"),
            Sample((A((2, 3, 4), "rev"),), {}, "reversed 3-D"), Sample((A((3, 0)),), {}, "empty"),
            Sample((Arg(np.zeros((2, 2), dtype)),), {}, "no nonzero")]


def sort_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    for desc in (False, True):
        add(f"1-D descending={desc}", A((9,)), descending=desc)
        add(f"2-D axis=0 descending={desc}", A((5, 4)), axis=0, descending=desc)
        add(f"3-D axis=1 descending={desc}", A((3, 6, 2)), axis=1, descending=desc)
        add(f"ties descending={desc}", values([[1, 0, 1, 1, 0], [0, 1, 0, 1, 1]], dtype), descending=desc)
        if np.dtype(dtype).kind == "f":
            add(f"nan and inf descending={desc}", Arg(float_specials(dtype)), descending=desc)
    add("transposed axis=-1", A((4, 5), "T"))
    add("strided axis=0", A((4, 5), "step2"), axis=0)
    add("reversed axis=-2", A((4, 3, 2), "rev"), axis=-2)
    add("column step", A((3, 4), "colstep"))
    add("empty (0,)", A((0,)))
    add("empty (2,0) axis=0", A((2, 0)), axis=0)
    add("many rows", A((2000, 40)), axis=-1)
    add("long row", A((20_001,)))
    return s


def cumsum_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    add("flattened", A((3, 4)))
    add("axis=0", A((3, 4)), axis=0)
    add("axis=-1", A((3, 4, 2)), axis=-1)
    add("axis=1 3-D", A((3, 4, 2)), axis=1)
    add("transposed", A((3, 4), "T"), axis=1)
    add("strided", A((3, 4), "step2"), axis=0)
    add("reversed", A((5,), "rev"))
    add("0-d", A(()))
    add("empty", A((0, 3)), axis=0)
    add("large", A((100_003,)))
    if np.dtype(dtype).kind in "iu":
        add("wraps", Arg(int_extremes(dtype)))
    return s


def percentile_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    qs = (50.0,) if op.name == "median" else (50, [0, 25, 100], 33.3, np.array([10.0, 90.0]))
    s = []
    for q in qs:
        args = () if op.name == "median" else (q,)
        add = lambda desc, x, **kw: s.append(Sample((x, *args), kw, f"{desc} q={q}"))  # noqa: E731
        add("all", A((5, 4)))
        add("axis=0", A((5, 4)), axis=0)
        add("axis=-1 keepdims", A((3, 4, 5)), axis=-1, keepdims=True)
        add("axis=(0, 2)", A((3, 4, 5)), axis=(0, 2))
        add("transposed", A((4, 5), "T"), axis=1)
        add("strided", A((4, 5), "step2"), axis=0)
        add("reversed odd count", A((7,), "rev"))
        add("empty non-reduced axis", A((0, 3)), axis=1)
        if op.name == "median":  # numpy.median gives NaN; numpy.percentile raises IndexError here
            add("empty reduced axis", A((0, 3)), axis=0)
        if np.dtype(dtype).kind == "f":
            add("nan row", Arg(np.stack([float_specials(dtype), np.ones(9, dtype)])), axis=1)
            add("inf", Arg(float_specials(dtype)[:-1]))
    return s


OP_DB += [
    OpInfo("gather", T.gather, _take_ref, ALL_DTYPES, gather_samples),
    OpInfo("scatter", T.scatter, _scatter_ref, ALL_DTYPES, scatter_samples, tols=REDUCTION_TOLS),
    OpInfo("tensor_scatter_nd_update", T.tensor_scatter_nd_update, _tensor_scatter_nd_update_ref, ALL_DTYPES,
           tensor_scatter_nd_update_samples),
    OpInfo("slice_tensor", T.slice_tensor, _slice_tensor_ref, ALL_DTYPES, slice_tensor_samples),
    OpInfo("slice_update", T.slice_update, _slice_update_ref, ALL_DTYPES, slice_update_samples),
    OpInfo("index_update", T.index_update, _index_update_ref, ALL_DTYPES, index_update_samples),
    OpInfo("index", T.index, _index_ref, ALL_DTYPES, index_samples),
    OpInfo("nonzero", T.nonzero, np.nonzero, ALL_DTYPES, nonzero_samples),
    OpInfo("sort", stats.sort, _sort_ref, ALL_DTYPES, sort_samples),
    OpInfo("argsort", stats.argsort, _argsort_ref, ALL_DTYPES, sort_samples),
    OpInfo("cumsum", stats.cumsum, np.cumsum, ALL_DTYPES, cumsum_samples, tols=REDUCTION_TOLS),
    OpInfo("median", stats.median, _order_stat_ref(np.median), ALL_DTYPES, percentile_samples,
           tols=REDUCTION_TOLS),
    OpInfo("percentile", stats.percentile, _order_stat_ref(np.percentile), ALL_DTYPES, percentile_samples,
           tols=REDUCTION_TOLS),
]

# ---- end of indexing, sorting and scan entries ---------------------------------------------

# ---- losses, vector / wave helpers, gradient, one_hot, arctan2 (op_db_py_helpers.py) --------
import op_db_py_helpers  # noqa: E402  (imports the helpers defined above)

OP_DB += op_db_py_helpers.ENTRIES
LOSS_REFS = op_db_py_helpers.LOSS_REFS
# ---- end of the op_db_py_helpers block ------------------------------------------------------
# ---- complex dtypes and the FFT family: entries go below this line -------------------------
# Deviations the references encode: Python complex scalars become complex64 and are weak,
# like Python floats; angle of integer and bool input is float32 (NumPy: float16 / float64);
# the FFT family computes integer and bool input in single precision (complex64 / float32
# results; NumPy: complex128 / float64). Ops without complex kernels refuse complex input
# with TypeError (test_bad_inputs.py) where NumPy computes (max, sort, power, ...).
for _tols in (DEFAULT_TOLS, REDUCTION_TOLS):
    _tols.update(complex64=_tols["float32"], complex128=_tols["float64"])

_COMPLEX_OPS = (
    "exp", "log", "sqrt", "abs", "negative", "square", "isnan", "isinf", "isfinite",
    "add", "subtract", "multiply", "divide", "equal", "not_equal", "where", "isclose", "allclose", "sum", "mean",
    "reshape", "transpose", "concatenate", "stack", "split", "split_tensor", "expand_dims", "squeeze", "tile", "pad",
    "vstack", "hstack", "broadcast_to", "cast", "copy", "meshgrid", "zeros", "ones", "full", "eye", "zeros_like",
    "ones_like", "full_like", "gather", "tensor_scatter_nd_update", "slice_tensor", "slice_update", "index_update",
    "index", "nonzero", "linalg.diag", "linalg.diagonal",
)
for _op in OP_DB:
    if _op.name in _COMPLEX_OPS:
        _op.dtypes = _op.dtypes + COMPLEX_DTYPES


def _angle_ref(x):
    x = as_array(x)
    return np.angle(x if x.dtype.kind in "fc" else x.astype(np.float32))


OP_DB += [
    _unary("real", ops.real, same_dtype_unary_ref(np.real), EVERY_DTYPE),
    _unary("imag", ops.imag, same_dtype_unary_ref(np.imag), EVERY_DTYPE),
    _unary("conj", ops.conj, same_dtype_unary_ref(np.conj), EVERY_DTYPE),
    _unary("angle", ops.angle, _errstate(_angle_ref), EVERY_DTYPE),
]

FFT_TOLS = {
    "float16": (5e-3, 5e-3),
    "float32": (2e-5, 2e-4), "complex64": (2e-5, 2e-4),
    "float64": (1e-12, 1e-10), "complex128": (1e-12, 1e-10),
}
FFT_REAL_DTYPES = FLOAT_DTYPES + ("int32", "uint8", "bool")
FFT_DTYPES = FFT_REAL_DTYPES + COMPLEX_DTYPES


def _fft_ref(np_fn: Callable) -> Callable:
    """numpy.fft with integer and bool input computed in float32, as Ember does."""
    def ref(x, *args, **kwargs):
        x = np.asarray(x)
        return np.asarray(np_fn(x.astype(np.float32) if x.dtype.kind in "biu" else x, *args, **kwargs))
    return ref


def _add_strided_lines(add, A) -> None:
    """Inputs whose transformed lines are strided: transposed, every other row, reversed."""
    add("transposed", A((6, 5), "T"))
    add("strided axis=0", A((10, 3), "step2"), axis=0)
    add("reversed", A((11,), "rev"))
    add("last-axis strided", A((3, 8), "colstep"))
    add("empty batch", A((0, 8)))


def fft_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    for n in (1, 2, 3, 7, 8, 12, 13, 16, 30, 97, 128):
        add(f"length {n}", A((n,)))
    add("n crops", A((10,)), n=6)
    add("n zero-pads", A((10,)), n=16)
    add("n zero-pads to a prime", A((5,)), n=11)
    add("n=1 of a longer input", A((5,)), n=1)
    add("axis=0", A((9, 4)), axis=0)
    add("axis=-2", A((4, 6)), axis=-2)
    add("batched 3-D axis=1", A((2, 7, 3)), axis=1)
    _add_strided_lines(add, A)
    add("transposed+reversed 3-D axis=0", A((2, 3, 5), "revT"), axis=0)
    add("empty axis zero-padded", A((3, 0)), n=4)
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((3, 10)), norm=norm)
        add(f"norm={norm}, n zero-pads, axis=0", A((7, 2)), n=9, axis=0, norm=norm)
    add("many lines", A((300, 64)))
    return s


def irfft_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    for m in (2, 3, 5, 8, 9, 17, 65):
        add(f"{m} terms, default n", A((m,)))
    for n in (1, 2, 7, 13, 16):
        add(f"n={n} from 5 terms", A((5,)), n=n)
    add("n crops the terms", A((10,)), n=6)
    add("n zero-pads the terms", A((3,)), n=12)
    add("axis=0", A((5, 3)), axis=0)
    add("batched 3-D axis=1", A((2, 6, 3)), axis=1)
    _add_strided_lines(add, A)
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((3, 6)), norm=norm)
        add(f"norm={norm}, odd n", A((4, 6)), n=11, norm=norm)
    add("many lines", A((300, 33)))
    return s


def fftn_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = _sample_adder(s)
    two_d = op.name.endswith("2")
    add("2-D", A((6, 5)))
    add("3-D", A((3, 4, 5)))
    add("prime sizes", A((7, 13)))
    add("s crops and zero-pads", A((6, 5)), s=(4, 9), axes=(0, 1))
    add("s with -1", A((6, 5)), s=(-1, 3), axes=(-2, -1))
    add("axes (0, 2)", A((3, 4, 5)), axes=(0, 2))
    add("axes (-1, 0)", A((3, 4, 5)), axes=(-1, 0))
    add("s and axes", A((3, 4, 5)), s=(5, 3), axes=(1, 2))
    add("transposed", A((5, 7), "T"))
    add("reversed 3-D", A((3, 4, 5), "rev"))
    add("last-axis strided", A((4, 6), "colstep"))
    add("empty batch", A((0, 4, 6)), **({} if two_d else {"axes": (1, 2)}))
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((4, 6)), norm=norm)
    if not two_d:
        add("1-D", A((7,)))
        add("one axis", A((3, 4)), axes=(0,))
    if "rfft" not in op.name:
        add("repeated axis", A((4, 6)), axes=(1, 1))
    if op.name in ("fftn", "ifftn") and np.dtype(dtype).kind in "fc":
        add("no axes: the input unchanged", A((3, 4)), axes=())
    return s


for _name, _np_fn, _dtypes, _samples in (
    ("fft", np.fft.fft, FFT_DTYPES, fft_samples),
    ("ifft", np.fft.ifft, FFT_DTYPES, fft_samples),
    ("rfft", np.fft.rfft, FFT_REAL_DTYPES, fft_samples),
    ("irfft", np.fft.irfft, FFT_DTYPES, irfft_samples),
    ("fft2", np.fft.fft2, FFT_DTYPES, fftn_samples),
    ("ifft2", np.fft.ifft2, FFT_DTYPES, fftn_samples),
    ("fftn", np.fft.fftn, FFT_DTYPES, fftn_samples),
    ("ifftn", np.fft.ifftn, FFT_DTYPES, fftn_samples),
    ("rfft2", np.fft.rfft2, FFT_REAL_DTYPES, fftn_samples),
    ("rfftn", np.fft.rfftn, FFT_REAL_DTYPES, fftn_samples),
    ("irfft2", np.fft.irfft2, FFT_DTYPES, fftn_samples),
    ("irfftn", np.fft.irfftn, FFT_DTYPES, fftn_samples),
):
    OP_DB.append(OpInfo(_name, getattr(ops, _name), _fft_ref(_np_fn), _dtypes, _samples, tols=FFT_TOLS))

# ---- end of complex and FFT entries -----------------------------------------------------------

OPS_BY_NAME = {op.name: op for op in OP_DB}
assert len(OPS_BY_NAME) == len(OP_DB), "duplicate op names in OP_DB"


def parity_cases() -> list[tuple[str, str]]:
    """(op name, dtype) for every parity test."""
    return [(op.name, d) for op in OP_DB for d in op.dtypes]


def promotion_cases() -> list[tuple[str, str]]:
    return [(op.name, d) for op in OP_DB if op.promotion_pairs for d in op.dtypes]


def run_ember(op: OpInfo, sample: Sample) -> Any:
    args = [to_ember(a) for a in sample.args]
    kwargs = {k: to_ember(v) for k, v in sample.kwargs.items()}
    return op.op(*args, **kwargs)


def run_reference(op: OpInfo, sample: Sample) -> Any:
    args = [to_numpy(a) for a in sample.args]
    kwargs = {k: to_numpy(v) for k, v in sample.kwargs.items()}
    return op.ref(*args, **kwargs)


def promotion_samples_for(op: OpInfo, dtype: str) -> list[tuple[str, Sample]]:
    """One sample per partner dtype: ``dtype`` tensor op ``partner`` tensor."""
    return [(p, promotion_samples(op, dtype, p, rng_for(op.name, f"{dtype}|{p}"))[0])
            for p in op.dtypes if op.pair_ok(dtype, p)]
