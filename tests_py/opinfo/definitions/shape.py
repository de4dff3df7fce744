"""Shape manipulation: reshape, transpose, joins and splits, expand / squeeze, tile, pad, broadcast, cast, copy."""
from __future__ import annotations

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T

from ..core import (ALL_DTYPES, COMPLEX_DTYPES, DT, EVERY_DTYPE, INT_DTYPES, Arg, OpInfo, Sample,
                    arr, as_array, int_extremes, partner_dtype, values)
from ..grads import GradCase as G
from ..smoke import OPS, TENSOR, I, M, V

def _split_ref(x, num_or_size_splits, axis=0):
    if isinstance(num_or_size_splits, int):
        return list(np.split(x, num_or_size_splits, axis=axis))
    cuts = np.cumsum(num_or_size_splits)[:-1]
    return list(np.split(x, cuts, axis=axis))


def _pad_ref(x, paddings, mode="constant", constant_values=0):
    if mode == "constant":
        return np.pad(x, paddings, mode=mode, constant_values=constant_values)
    return np.pad(x, paddings, mode=mode)



def _meshgrid_ref(*xs, indexing="xy"):
    return list(np.meshgrid(*[as_array(x) for x in xs], indexing=indexing))


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
    partner = partner_dtype(op, dtype)
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
    partner = partner_dtype(op, dtype)
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
    partner = partner_dtype(op, dtype)
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



def _on_vv_list(f):
    return f([V(), V()])


OP_DB = [
    OpInfo("reshape", T.reshape, np.reshape, ALL_DTYPES, reshape_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), (3, 1)),
           grads=[G("reshape", lambda x: T.reshape(x, (4, 3)), lambda g: [g.rand(2, 6)]),
                  G("reshape_strided", lambda x: T.reshape(T.transpose(x), (-1,)), lambda g: [g.rand(2, 3)])]),
    OpInfo("transpose", T.transpose, np.transpose, ALL_DTYPES, transpose_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(M(), axes=None),
           grads=[G("transpose", lambda x: T.transpose(x, (2, 0, 1)), lambda g: [g.rand(2, 3, 4)]),
                  G("T", lambda x: x.T, lambda g: [g.rand(2, 3)])]),
    OpInfo("concatenate", T.concatenate, np.concatenate, ALL_DTYPES, concatenate_samples, complex=True,
           module=TENSOR, smoke=lambda f: f([V(), V()], axis=0),
           grads=[G("concatenate", lambda x, y: T.concatenate([x, y], axis=1),
                    lambda g: [g.rand(2, 3), g.rand(2, 2)])]),
    OpInfo("stack", T.stack, np.stack, ALL_DTYPES, stack_samples, complex=True, module=TENSOR, smoke=_on_vv_list,
           grads=[G("stack", lambda x, y: T.stack([x, y], axis=-1), lambda g: [g.rand(2, 3), g.rand(2, 3)])]),
    OpInfo("split", T.split, _split_ref, ALL_DTYPES, split_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), 3, axis=0),
           grads=[G("split", lambda x: T.split(x, [1, 3], axis=1), lambda g: [g.rand(2, 4)]),
                  G("split_partly_used", lambda x: T.split(x, 2)[1], lambda g: [g.rand(4, 2)])]),
    OpInfo("split_tensor", T.split_tensor, _split_ref, ALL_DTYPES, split_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), [1, 2])),
    OpInfo("expand_dims", T.expand_dims, np.expand_dims, ALL_DTYPES, expand_dims_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(V(), 0),
           grads=[G("expand_dims", lambda x: T.expand_dims(x, 1), lambda g: [g.rand(2, 3)])]),
    OpInfo("squeeze", T.squeeze, np.squeeze, ALL_DTYPES, squeeze_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(np.ones((1, 3)), axis=None),
           grads=[G("squeeze", lambda x: T.squeeze(x), lambda g: [g.rand(2, 1, 3)])]),
    OpInfo("tile", T.tile, np.tile, ALL_DTYPES, tile_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), (2,)), grads=[G("tile", lambda x: T.tile(x, (2, 3)), lambda g: [g.rand(2, 2)])]),
    OpInfo("pad", T.pad, _pad_ref, ALL_DTYPES, pad_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), [(1, 1)], mode="constant", constant_values=0),
           grads=[G("pad_constant", lambda x: T.pad(x, [(1, 2), (0, 1)]), lambda g: [g.rand(2, 3)]),
                  G("pad_reflect", lambda x: T.pad(x, [(2, 1), (1, 2)], mode="reflect"), lambda g: [g.rand(3, 4)]),
                  G("pad_symmetric", lambda x: T.pad(x, [(2, 3), (1, 0)], mode="symmetric"),
                    lambda g: [g.rand(3, 2)]),
                  G("pad_edge", lambda x: T.pad(x, [(1, 1), (2, 1)], mode="edge"), lambda g: [g.rand(2, 3)])]),
    OpInfo("vstack", T.vstack, np.vstack, ALL_DTYPES, stack2_samples, complex=True, module=TENSOR,
           smoke=_on_vv_list),
    OpInfo("hstack", T.hstack, np.hstack, ALL_DTYPES, stack2_samples, complex=True, module=TENSOR,
           smoke=_on_vv_list),
    OpInfo("ops.vstack", ops.vstack, np.vstack, ("float32", "int8"), stack2_samples, module=OPS, smoke=_on_vv_list,
           grads=[G("vstack", lambda x, y: ops.vstack([x, y]), lambda g: [g.rand(3), g.rand(2, 3)])]),
    OpInfo("ops.hstack", ops.hstack, np.hstack, ("float32", "int8"), stack2_samples, module=OPS, smoke=_on_vv_list,
           grads=[G("hstack", lambda x, y: ops.hstack([x, y]), lambda g: [g.rand(2, 1), g.rand(2, 3)])]),
    OpInfo("broadcast_to", T.broadcast_to, np.broadcast_to, ALL_DTYPES, broadcast_to_samples, complex=True),
    OpInfo("cast", T.cast, lambda x, d: x.astype(d), ALL_DTYPES, cast_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), "int32"),
           grads=[G("cast", lambda x: T.cast(x, "float64"), lambda g: [g.rand(3)])]),
    OpInfo("copy", T.copy, np.copy, ALL_DTYPES, copy_samples, complex=True, module=TENSOR, smoke=lambda f: f(V())),
    OpInfo("meshgrid", T.meshgrid, _meshgrid_ref, ALL_DTYPES, meshgrid_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), I(), indexing="xy")),
]
