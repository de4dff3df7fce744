"""OpInfo core: dtypes, tolerances, Ember's promotion rules, sample inputs and the row types.

Every op has one :class:`OpInfo` row in a family module of ``opinfo.definitions``: the
Ember callable, a NumPy reference that encodes Ember's documented deviations from NumPy,
the dtypes (``complex=True`` adds complex64 / complex128), a sample generator and
per-dtype tolerances, the public module that exports it (with the inventory's smoke call),
its gradient cases and the registry kernels it exercises.

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
* Python complex scalars become complex64 and are weak, like Python floats.
"""
from __future__ import annotations

import dataclasses
import zlib
from typing import Any, Callable, Sequence

import numpy as np

from ember_ml.nn import tensor as T

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
    "float32": (3e-6, 1e-6), "complex64": (3e-6, 1e-6),
    "float64": (1e-12, 1e-12), "complex128": (1e-12, 1e-12),
}
REDUCTION_TOLS = {
    "float16": (1e-2, 1e-2),
    "float32": (2e-5, 2e-5), "complex64": (2e-5, 2e-5),
    "float64": (1e-11, 1e-11), "complex128": (1e-11, 1e-11),
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


def sample_adder(s: list) -> Callable[..., None]:
    """``add(desc, *args, **kwargs)`` appending a :class:`Sample` to ``s``."""
    return lambda desc, *args, **kw: s.append(Sample(args, kw, desc))


# ---------------------------------------------------------------------------------------
# OpInfo
# ---------------------------------------------------------------------------------------
@dataclasses.dataclass
class OpInfo:
    """One op: its NumPy parity spec, public name, gradient cases and registry kernels.

    A row without ``ref`` (and so without dtypes) has no NumPy parity test: its op is
    checked by the inventory smoke call, its gradient cases and a dedicated test file.
    """

    name: str
    op: Callable
    ref: Callable | None = None
    dtypes: tuple = ()
    sample_inputs: Callable[["OpInfo", str, np.random.Generator], list] | None = None
    category: str = "other"  # unary | binary | reduction | other
    tols: dict = dataclasses.field(default_factory=dict)  # result dtype -> (rtol, atol)
    domain: str = "any"  # value domain hint for the sample generator
    scalars: tuple = (True, 3, 1 / 3)  # Python scalars used as weak operands
    extremes: bool = False  # add integer min/max samples (wrapping ops)
    specials: bool = True  # add inf/nan samples for float dtypes
    promotion_pairs: bool = False  # part of the all-dtype-pairs promotion test
    partner_dtypes: tuple | None = None  # dtypes allowed as the other operand (default: dtypes)
    valid_pair: Callable[[str, str], bool] | None = None  # which mixed-dtype operand pairs are valid
    complex: bool = False  # also takes complex64 / complex128 input (appended to dtypes)
    # The module that exports the op as `public_name` in API.md (None: not part of API.md), and the
    # inventory's smoke call on that public object (None: existence only); see test_inventory.py.
    module: str | None = None
    smoke: Callable[[Any], Any] | None = None
    grads: tuple = ()  # opinfo.grads.GradCase rows (test_autograd.py)
    kernels: tuple | None = None  # registry ops it runs; None: its public name (and complex_<name>)

    def __post_init__(self) -> None:
        self.dtypes = tuple(self.dtypes) + (COMPLEX_DTYPES if self.complex else ())
        self.grads = tuple(self.grads)

    @property
    def public_name(self) -> str:
        """The exported name: the row name after its qualifier ("linalg.solve" -> "solve")."""
        return self.name.rsplit(".", 1)[-1]

    def kernel_names(self) -> tuple:
        """The registry ops this row's samples run (test_registry.py)."""
        if self.kernels is not None:
            return self.kernels
        return (self.public_name,) + ((f"complex_{self.public_name}",) if self.complex else ())

    def pair_ok(self, a: str, b: str) -> bool:
        return self.valid_pair is None or self.valid_pair(a, b)

    def tol(self, result_dtype: np.dtype) -> tuple:
        name = np.dtype(result_dtype).name
        if name in self.tols:
            return self.tols[name]
        return DEFAULT_TOLS.get(name, (0.0, 0.0))

    def samples(self, dtype: str) -> list:
        return self.sample_inputs(self, dtype, rng_for(self.name, dtype))


def partner_dtype(op: OpInfo, dtype: str) -> str:
    """The other operand's dtype in a mixed-dtype sample of ``op`` for ``dtype``."""
    pool = op.partner_dtypes or op.dtypes
    pool = [d for d in pool if d != dtype and op.pair_ok(dtype, d)] or [dtype]
    return pool[EVERY_DTYPE.index(dtype) % len(pool)]


def run_ember(op: OpInfo, sample: Sample) -> Any:
    args = [to_ember(a) for a in sample.args]
    kwargs = {k: to_ember(v) for k, v in sample.kwargs.items()}
    return op.op(*args, **kwargs)


def run_reference(op: OpInfo, sample: Sample) -> Any:
    args = [to_numpy(a) for a in sample.args]
    kwargs = {k: to_numpy(v) for k, v in sample.kwargs.items()}
    return op.ref(*args, **kwargs)


# ---------------------------------------------------------------------------------------
# references shared by the families
# ---------------------------------------------------------------------------------------
def errstate(fn):
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

    @errstate
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


def f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def float_result_dtype(*xs) -> np.dtype:
    """Floating result dtype: promotion of the inputs, integer/bool computing in float32."""
    dts = [np.asarray(x).dtype for x in xs]
    dts = [d if d.kind == "f" else np.dtype(np.float32) for d in dts]
    return np.result_type(*dts)
