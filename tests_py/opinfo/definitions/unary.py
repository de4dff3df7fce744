"""Elementwise unary ops: the float-valued functions, abs / sign / floor family, predicates, bitwise."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ember_ml import _core, ops

from ..core import (ALL_DTYPES, DEFAULT_TOLS, INT_BOOL_DTYPES, NO_BOOL_DTYPES, TINY_ATOL, Arg, OpInfo,
                    Sample, arr, as_array, complex_specials, errstate, float_extremes, float_specials, int_extremes)
from ..grads import GradCase as G
from ..smoke import BW, OPS, on_i, on_v

def float_unary_ref(np_fn: Callable) -> Callable:
    """Integer and bool inputs are computed in float32; float16 via float32 then rounded."""

    @errstate
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
    @errstate
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



def _erf(x):
    import scipy.special  # imported on first use: bad_input_sweep.py's workers load this table, not the references

    return scipy.special.erf(x)


def unary_row(name, fn, ref, dtypes=ALL_DTYPES, **kw):
    return OpInfo(name, fn, ref, dtypes, unary_samples, category="unary", **kw)


def _count_ones(x):
    """Set bits of the two's-complement pattern in x's dtype (numpy.bitwise_count counts |x|)."""
    x = as_array(x)
    if x.dtype == np.dtype(bool):
        return x.copy()
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    return np.bitwise_count(x.view(unsigned)).astype(x.dtype)



# (name, op, NumPy function, domain, complex input, smoke call of ops.<name> (None: not in API.md), gradient inputs)
_FLOAT_UNARY = [
    ("exp", ops.exp, np.exp, "small", True, on_v, lambda g: [g.rand(3, 4)]),
    ("log", ops.log, np.log, "positive", True, on_i, lambda g: [g.rand(3, 4, low=0.5, high=2.0)]),
    ("log10", ops.log10, np.log10, "positive", False, on_i, lambda g: [g.rand(5, low=0.5, high=2.0)]),
    ("log2", ops.log2, np.log2, "positive", False, on_i, lambda g: [g.rand(5, low=0.5, high=2.0)]),
    ("sqrt", ops.sqrt, np.sqrt, "positive", True, on_i, lambda g: [g.rand(2, 3, low=0.5, high=2.0)]),
    ("sin", ops.sin, np.sin, "any", False, on_v, lambda g: [g.rand(4)]),
    ("cos", ops.cos, np.cos, "any", False, on_v, lambda g: [g.rand(4)]),
    ("tan", ops.tan, np.tan, "trig", False, on_v, lambda g: [g.rand(4)]),
    ("sinh", ops.sinh, np.sinh, "small", False, on_v, lambda g: [g.rand(4)]),
    ("cosh", ops.cosh, np.cosh, "small", False, on_v, lambda g: [g.rand(4)]),
    ("erf", ops.erf, _erf, "any", False, on_v, lambda g: [g.rand(4)]),
    ("tanh", ops.tanh, np.tanh, "any", False, None, lambda g: [g.rand(3, 2)]),
    ("sigmoid", _core.sigmoid, _sigmoid, "any", False, None, lambda g: [g.rand(3, 2)]),
]

OP_DB = [unary_row(name, fn, float_unary_ref(np_fn), domain=domain, complex=cplx, module=OPS if smoke else None,
                   smoke=smoke, grads=[G(name, fn, inputs)])
         for name, fn, np_fn, domain, cplx, smoke, inputs in _FLOAT_UNARY]

OP_DB += [
    unary_row("abs", ops.abs, same_dtype_unary_ref(np.abs), extremes=True, complex=True, module=OPS, smoke=on_v,
              grads=[G("abs", ops.abs, lambda g: [g.distinct(2, 3)])]),
    unary_row("negative", ops.negative, same_dtype_unary_ref(np.negative), dtypes=NO_BOOL_DTYPES, extremes=True,
              complex=True, module=OPS, smoke=on_v, grads=[G("negative", ops.negative, lambda g: [g.rand(3)])]),
    unary_row("sign", ops.sign, same_dtype_unary_ref(np.sign), dtypes=NO_BOOL_DTYPES, extremes=True, module=OPS,
              smoke=on_v, grads=[G("sign", ops.sign, lambda g: [g.distinct(4)])]),
    unary_row("square", ops.square, same_dtype_unary_ref(np.square), extremes=True, complex=True, module=OPS,
              smoke=on_v, grads=[G("square", ops.square, lambda g: [g.rand(3)])]),
    unary_row("floor", ops.floor, floor_ceil_ref(np.floor), extremes=True, module=OPS, smoke=on_v,
              grads=[G("floor", ops.floor, lambda g: [g.distinct(4) + 0.5])]),
    unary_row("ceil", ops.ceil, floor_ceil_ref(np.ceil), extremes=True, module=OPS, smoke=on_v,
              grads=[G("ceil", ops.ceil, lambda g: [g.distinct(4) + 0.5])]),
    unary_row("isnan", ops.isnan, same_dtype_unary_ref(np.isnan), complex=True, module=OPS, smoke=on_v),
    unary_row("isinf", ops.isinf, same_dtype_unary_ref(np.isinf), complex=True),
    unary_row("isfinite", ops.isfinite, same_dtype_unary_ref(np.isfinite), complex=True),
    unary_row("logical_not", ops.logical_not, same_dtype_unary_ref(np.logical_not), module=OPS, smoke=on_v),
    unary_row("bitwise_not", _core.bitwise_not, same_dtype_unary_ref(np.invert), dtypes=INT_BOOL_DTYPES,
              extremes=True, module=BW, smoke=on_i),
    unary_row("count_ones", _core.count_ones, _count_ones, dtypes=INT_BOOL_DTYPES, extremes=True, module=BW,
              smoke=on_i),
]
