"""Reductions: sum, mean, var, std, prod, max, min, argmax, argmin, all, any."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ember_ml import _core, ops
from ember_ml.ops import stats

from ..core import (ALL_DTYPES, COMPLEX_DTYPES, DT, REDUCTION_TOLS, Arg, OpInfo, Sample, arr,
                    as_array, errstate, float_specials, values)
from ..grads import GradCase as G
from ..smoke import OPS, STATS, V

def _float_reduce(np_fn: Callable) -> Callable:
    """mean / var / std: integer and bool inputs give float32 (computed in float64 here)."""

    @errstate
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


@errstate
def _sum_ref(x, axis=None, keepdims=False, dtype=None):
    x = as_array(x)
    if x.dtype == np.float16 and dtype is None:
        return _exact_half(np.sum, x, axis=axis, keepdims=keepdims)
    return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype))


@errstate
def _prod_ref(x, axis=None, keepdims=False):
    x = as_array(x)
    if x.dtype == np.float16:
        return _exact_half(np.prod, x, axis=axis, keepdims=keepdims)
    return np.asarray(np.prod(x, axis=axis, keepdims=keepdims))


def _plain_reduce(np_fn):
    @errstate
    def ref(x, axis=None, keepdims=False):
        return np.asarray(np_fn(as_array(x), axis=axis, keepdims=keepdims))

    return ref


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


def _reduction(name, fn, ref, samples=reduction_samples, **kw):
    kw.setdefault("tols", REDUCTION_TOLS)
    return OpInfo(name, fn, ref, ALL_DTYPES, samples, category="reduction", **kw)


def _on_v_flat(f):
    return f(V(), axis=None, keepdims=False)


OP_DB = [
    _reduction("sum", stats.sum, _sum_ref, sum_samples, complex=True, module=STATS, smoke=lambda f: f(V()),
               grads=[G("sum", lambda x: stats.sum(x), lambda g: [g.rand(3, 4)]),
                      G("sum_axis", lambda x: stats.sum(x, axis=(0, 2)), lambda g: [g.rand(2, 3, 4)]),
                      G("sum_keepdims", lambda x: stats.sum(x, axis=-1, keepdims=True), lambda g: [g.rand(2, 3)])]),
    _reduction("mean", stats.mean, _float_reduce(np.mean), mean_samples, complex=True, module=STATS,
               smoke=_on_v_flat, grads=[G("mean", lambda x: stats.mean(x, axis=1), lambda g: [g.rand(3, 4)])]),
    _reduction("var", stats.var, _float_reduce(np.var), var_samples, module=STATS,
               smoke=lambda f: f(V(), axis=0, keepdims=False, ddof=0),
               grads=[G("var", lambda x: stats.var(x, axis=0, ddof=1), lambda g: [g.rand(4, 3)])]),
    _reduction("std", stats.std, _float_reduce(np.std), var_samples, module=STATS,
               smoke=lambda f: f(V(), axis=(0,), keepdims=True, ddof=1),
               grads=[G("std", lambda x: stats.std(x), lambda g: [g.rand(4, 3)])]),
    _reduction("prod", stats.prod, _prod_ref, domain="prod",
               grads=[G("prod", lambda x: _core.prod(x, axis=1), lambda g: [g.rand(3, 4, low=0.5, high=1.5)]),
                      G("prod_one_zero", lambda x: _core.prod(x, axis=1),
                        lambda g: [np.array([[0.0, 2.0, 3.0], [1.5, 2.0, 0.5]])]),
                      G("prod_two_zeros", lambda x: _core.prod(x), lambda g: [np.array([0.0, 2.0, 0.0])])]),
    _reduction("max", stats.max, _plain_reduce(np.max), domain="extreme", module=STATS, smoke=lambda f: f(V()),
               grads=[G("max", lambda x: stats.max(x, axis=0), lambda g: [g.distinct(3, 4)])]),
    _reduction("min", stats.min, _plain_reduce(np.min), domain="extreme", module=STATS, smoke=lambda f: f(V()),
               grads=[G("min", lambda x: stats.min(x), lambda g: [g.distinct(3, 4)])]),
    _reduction("argmax", stats.argmax, _plain_reduce(np.argmax), domain="argreduce", module=STATS,
               smoke=_on_v_flat),
    _reduction("argmin", stats.argmin, _plain_reduce(np.argmin), domain="argreduce"),
    _reduction("all", ops.all, _plain_reduce(np.all), module=OPS, smoke=_on_v_flat),
    _reduction("any", ops.any, _plain_reduce(np.any), module=OPS, smoke=_on_v_flat),
]
