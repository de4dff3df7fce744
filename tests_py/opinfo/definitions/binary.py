"""Elementwise binary and n-ary ops: arithmetic, comparison, logic, bitwise, where / clip / isclose."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml import _core, ops
from ember_ml.nn import tensor as T

from ..core import (ALL_DTYPES, FLOAT32, INT_BOOL_DTYPES, NO_BOOL_DTYPES, Arg, OpInfo, Sample, arr, as_array,
                    binary_ref, complex_specials, errstate, float_specials, int_extremes, partner_dtype, rand,
                    result_type, values)
from ..grads import GradCase as G
from ..smoke import BW, OPS, TENSOR, I, V

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


@errstate
def _isclose_ref(x, y, rtol=1e-5, atol=1e-8, equal_nan=False):
    rt = result_type(x, y)
    if rt.kind not in "fc":
        rt = FLOAT32
    return np.isclose(as_array(x, rt), as_array(y, rt), rtol=rtol, atol=atol, equal_nan=equal_nan)


def _allclose_ref(x, y, rtol=1e-5, atol=1e-8, equal_nan=False):
    return bool(np.all(_isclose_ref(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))



def _binary_operand_range(op: OpInfo, dtype: str, which: int) -> tuple:
    kind = np.dtype(dtype).kind
    if op.domain == "power":
        if kind == "f":
            return (0.1, 3.0) if which == 0 else (-2.0, 2.0)
        return (-3, 3) if which == 0 else (0, 3)
    return (None, None)



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
    partner = partner_dtype(op, dtype)
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
    partner = partner_dtype(op, dtype)
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
        add("inf vs large", values([np.inf, -np.inf, np.inf, 1.0], dtype),
            values([1e4, -np.inf, -np.inf, np.inf], dtype))
    partner = partner_dtype(op, dtype)
    add(f"mixed dtypes with {partner}", Arg(x), Arg(rand((4, 5), partner, rng, 1, 5)))
    return s


def _binary(name, fn, ref, dtypes=ALL_DTYPES, **kw):
    return OpInfo(name, fn, ref, dtypes, binary_samples, category="binary", **kw)


def _int_pair(a: str, b: str) -> bool:
    """Bitwise ops need an integer/bool promoted dtype (int64 with uint64 promotes to float64)."""
    return np.promote_types(a, b).kind != "f"



def _on_vv(f):
    return f(V(), V())


def _on_v0(f):
    return f(V(), 0.0)


def _on_vi(f):
    return f(V(), I())


OP_DB = [
    _binary("add", ops.add, binary_ref(np.add), extremes=True, promotion_pairs=True, complex=True, module=OPS,
            smoke=_on_vv, grads=[G("add", ops.add, lambda g: [g.rand(3, 4), g.rand(4)])]),
    _binary("subtract", ops.subtract, binary_ref(np.subtract), dtypes=NO_BOOL_DTYPES, extremes=True,
            promotion_pairs=True, complex=True, module=OPS, smoke=_on_vv,
            grads=[G("subtract", ops.subtract, lambda g: [g.rand(2, 1, 3), g.rand(4, 3)])]),
    _binary("multiply", ops.multiply, binary_ref(np.multiply), extremes=True, promotion_pairs=True, complex=True,
            module=OPS, smoke=_on_vv, grads=[G("multiply", ops.multiply, lambda g: [g.rand(3, 4), g.rand(3, 1)])]),
    _binary("divide", ops.divide, binary_ref(np.divide, "truediv"), promotion_pairs=True, complex=True, module=OPS,
            smoke=lambda f: f(V(), 2.0),
            grads=[G("divide", ops.divide, lambda g: [g.rand(3, 4), g.rand(4, low=0.5, high=2.0)]),
                   G("rtruediv", lambda x: 2.0 / x, lambda g: [g.rand(5, low=0.5, high=2.0)])]),
    _binary("floor_divide", ops.floor_divide, binary_ref(np.floor_divide, "intzero"), domain="intzero",
            extremes=True, promotion_pairs=True, module=OPS, smoke=lambda f: f(I(), 2),
            grads=[G("floor_divide", ops.floor_divide,
                     lambda g: [g.rand(4, low=0.1, high=0.9) + 3, np.full(4, 2.0)])]),
    _binary("mod", ops.mod, binary_ref(np.mod, "intzero"), domain="intzero", extremes=True, module=OPS,
            smoke=lambda f: f(I(), 2),
            grads=[G("mod", ops.mod, lambda g: [g.rand(6, low=0.1, high=0.9) + np.arange(6), np.full(6, 1.0)])]),
    _binary("power", ops.power, binary_ref(np.power, "nobool"), domain="power", scalars=(2, 0.5),
            promotion_pairs=True, module=OPS, smoke=lambda f: f(V(), 2),
            grads=[G("power", ops.power, lambda g: [g.rand(3, 4, low=0.5, high=2.0), g.rand(4)]),
                   G("pow_scalar", lambda x: x ** 3, lambda g: [g.rand(5)])]),
    _binary("pow", ops.pow, binary_ref(np.power, "nobool"), domain="power", scalars=(2, 0.5), module=OPS,
            smoke=lambda f: f(V(), 2), kernels=("power",)),
    _binary("maximum", ops.maximum, binary_ref(np.maximum), extremes=True, promotion_pairs=True,
            grads=[G("maximum", ops.maximum, lambda g: [g.distinct(3, 4), g.distinct(4) + 0.025])]),
    _binary("minimum", ops.minimum, binary_ref(np.minimum), extremes=True,
            grads=[G("minimum", ops.minimum, lambda g: [g.distinct(3, 4), g.distinct(3, 1) + 0.025])]),
    _binary("tensor.maximum", T.maximum, binary_ref(np.maximum), module=TENSOR, smoke=_on_v0),
    _binary("equal", ops.equal, binary_ref(np.equal, "compare"), extremes=True, promotion_pairs=True, complex=True,
            module=OPS, smoke=_on_vv),
    _binary("not_equal", ops.not_equal, binary_ref(np.not_equal, "compare"), complex=True, module=OPS,
            smoke=_on_vv),
    _binary("less", ops.less, binary_ref(np.less, "compare"), extremes=True, promotion_pairs=True, module=OPS,
            smoke=_on_v0),
    _binary("less_equal", ops.less_equal, binary_ref(np.less_equal, "compare"), module=OPS, smoke=_on_v0),
    _binary("greater", ops.greater, binary_ref(np.greater, "compare"), module=OPS, smoke=_on_v0),
    _binary("greater_equal", ops.greater_equal, binary_ref(np.greater_equal, "compare"), module=OPS,
            smoke=_on_v0),
    _binary("logical_and", ops.logical_and, binary_ref(np.logical_and, "compare"), module=OPS, smoke=_on_vi),
    _binary("logical_or", ops.logical_or, binary_ref(np.logical_or, "compare"), module=OPS, smoke=_on_vi),
    _binary("logical_xor", ops.logical_xor, binary_ref(np.logical_xor, "compare"), module=OPS, smoke=_on_vi),
    _binary("bitwise_and", _core.bitwise_and, binary_ref(np.bitwise_and), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, promotion_pairs=True,
            module=BW, smoke=lambda f: f(I(), 6)),
    _binary("bitwise_or", _core.bitwise_or, binary_ref(np.bitwise_or), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, module=BW,
            smoke=lambda f: f(I(), 6)),
    _binary("bitwise_xor", _core.bitwise_xor, binary_ref(np.bitwise_xor), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, module=BW,
            smoke=lambda f: f(I(), 6)),
    _binary("left_shift", _core.left_shift, binary_ref(np.left_shift, "nobool"), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, module=BW,
            smoke=lambda f: f(I(), 2)),
    _binary("right_shift", _core.right_shift, binary_ref(np.right_shift, "nobool"), dtypes=INT_BOOL_DTYPES,
            scalars=(True, 3), domain="bitwise", extremes=True, valid_pair=_int_pair, module=BW,
            smoke=lambda f: f(I(), 1)),
    _binary("arctan2", ops.arctan2, binary_ref(np.arctan2, "truediv"), dtypes=ALL_DTYPES,
            grads=[G("arctan2", ops.arctan2, lambda g: [g.rand(3, 2), g.rand(2, low=0.5, high=1.0)])]),
    OpInfo("where", ops.where, _where_ref, ALL_DTYPES, where_samples, complex=True, module=OPS,
           smoke=lambda f: f(np.array([True, False, True]), V(), 0.0),
           grads=[G("where", lambda x, y: ops.where(T.convert_to_tensor([True, False, True]), x, y),
                    lambda g: [g.rand(2, 3), g.rand(3)])]),
    OpInfo("clip", ops.clip, _clip_ref, ALL_DTYPES, clip_samples, module=OPS, smoke=lambda f: f(V(), 0.0, 1.0),
           grads=[G("clip", lambda x: ops.clip(x, -0.5, 0.5), lambda g: [g.distinct(3, 3) * 0.2 + 0.01])]),
    OpInfo("isclose", ops.isclose, _isclose_ref, ALL_DTYPES, isclose_samples, complex=True, module=OPS,
           smoke=_on_vv),
    OpInfo("allclose", ops.allclose, _allclose_ref, ALL_DTYPES, isclose_samples, complex=True, module=OPS,
           smoke=_on_vv),
]
