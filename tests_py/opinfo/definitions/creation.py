"""Creation: zeros, ones, full, eye, arange, linspace and the *_like functions."""
from __future__ import annotations

import numpy as np

from ember_ml.nn import tensor as T

from ..core import ALL_DTYPES, DT, NO_BOOL_DTYPES, OpInfo, Sample, arr, as_array, default_dtype_of
from ..smoke import TENSOR, V

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

OP_DB = [
    OpInfo("zeros", T.zeros, _zeros_ref, ALL_DTYPES, zeros_ones_samples, complex=True, module=TENSOR,
           smoke=lambda f: f((2, 3), dtype=None, device=None)),
    OpInfo("ones", T.ones, _ones_ref, ALL_DTYPES, zeros_ones_samples, complex=True, module=TENSOR,
           smoke=lambda f: f((2,))),
    OpInfo("full", T.full, _full_ref, ALL_DTYPES, full_samples, complex=True, module=TENSOR,
           smoke=lambda f: f((2,), 7), kernels=("fill", "complex_fill")),
    OpInfo("eye", T.eye, _eye_ref, ALL_DTYPES, eye_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(3, m=None)),
    OpInfo("arange", T.arange, _arange_ref, NO_BOOL_DTYPES, arange_samples, module=TENSOR,
           smoke=lambda f: f(0, 5, step=2)),
    OpInfo("linspace", T.linspace, _linspace_ref, NO_BOOL_DTYPES, linspace_samples, module=TENSOR,
           smoke=lambda f: f(0.0, 1.0, 5)),
    OpInfo("zeros_like", T.zeros_like, _like_ref(np.zeros_like), ALL_DTYPES, like_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(V())),
    OpInfo("ones_like", T.ones_like, _like_ref(np.ones_like), ALL_DTYPES, like_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(V())),
    OpInfo("full_like", T.full_like, _like_ref(np.full_like), ALL_DTYPES, like_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(V(), 3.0)),
]
