"""Indexing, sorting and scans: gather / scatter, slicing, advanced indexing, nonzero, sort, cumsum,
median / percentile, one_hot."""
from __future__ import annotations

import numpy as np

from ember_ml.nn import features
from ember_ml.nn import tensor as T
from ember_ml.ops import stats

from ..core import (ALL_DTYPES, REDUCTION_TOLS, Arg, OpInfo, Sample, arr, float_specials,
                    int_extremes, sample_adder, values)
from ..grads import GradCase as G
from ..smoke import FEAT, STATS, TENSOR, I, M, V

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



def gather_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = sample_adder(s)
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
    add = sample_adder(s)
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
    add = sample_adder(s)
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
    add = sample_adder(s)
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
    add = sample_adder(s)
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


# ---- one_hot ------------------------------------------------------------------------------
def _one_hot_ref(indices, num_classes, axis=-1, dtype=None):
    eye = np.eye(num_classes, dtype=np.dtype(dtype) if dtype is not None else np.float32)
    return np.moveaxis(eye[np.asarray(indices)], -1, axis)


def _one_hot_samples(op, dtype, rng):
    idx = lambda shape, layout="contig": Arg(rng.integers(0, 5, shape).astype(np.int64), layout)  # noqa: E731
    return [Sample((idx((6,)), 5), {"dtype": dtype}, "1-D"),
            Sample((idx((3, 4), "T"), 5), {"axis": 0, "dtype": dtype}, "class axis first"),
            Sample((idx((2, 3)), 7), {"axis": 1, "dtype": dtype}, "middle axis"),
            Sample((idx(()), 5), {"dtype": dtype}, "0-d index"),
            Sample((idx((0,)), 3), {"dtype": dtype}, "no indices")]


OP_DB = [
    OpInfo("gather", T.gather, _take_ref, ALL_DTYPES, gather_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), I() - 1, axis=0),
           grads=[G("gather", lambda x: T.gather(x, T.convert_to_tensor([2, 0, 2]), axis=1),
                    lambda g: [g.rand(2, 3)])]),
    OpInfo("scatter", T.scatter, _scatter_ref, ALL_DTYPES, scatter_samples, tols=REDUCTION_TOLS, module=TENSOR,
           smoke=lambda f: f(V(), I() - 1, dim_size=None, aggr="add", axis=0),
           grads=[G("scatter_add", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), 3, aggr="add"),
                    lambda g: [g.rand(3, 2)]),
                  G("scatter_mean", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), aggr="mean"),
                    lambda g: [g.rand(3, 2)]),
                  G("scatter_max", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), aggr="max"),
                    lambda g: [g.distinct(3, 2)]),
                  G("scatter_min", lambda x: T.scatter(x, T.convert_to_tensor([0, 0, 1]), aggr="min", axis=0),
                    lambda g: [g.distinct(3, 2)])]),
    OpInfo("tensor_scatter_nd_update", T.tensor_scatter_nd_update, _tensor_scatter_nd_update_ref, ALL_DTYPES,
           tensor_scatter_nd_update_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V(), np.array([[0]]), np.array([9.0], np.float32)),
           grads=[G("tensor_scatter_nd_update",
                    lambda x, u: T.tensor_scatter_nd_update(x, T.convert_to_tensor([[0], [2]]), u),
                    lambda g: [g.rand(3, 2), g.rand(2, 2)])]),
    OpInfo("slice_tensor", T.slice_tensor, _slice_tensor_ref, ALL_DTYPES, slice_tensor_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(M(), [0, 1], [2, -1]),
           grads=[G("slice_tensor", lambda x: T.slice_tensor(x, [1, 0], [2, -1]), lambda g: [g.rand(3, 4)])]),
    OpInfo("slice_update", T.slice_update, _slice_update_ref, ALL_DTYPES, slice_update_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(M(), (0, slice(None)), updates=None),
           grads=[G("slice_update", lambda x, v: T.slice_update(x, (slice(0, 2), 1), v),
                    lambda g: [g.rand(3, 4), g.rand(2)])]),
    OpInfo("index_update", T.index_update, _index_update_ref, ALL_DTYPES, index_update_samples, complex=True,
           module=TENSOR, smoke=lambda f: f(M(), 0, 1, value=5.0), kernels=("index_put",),
           grads=[G("index_update", lambda x, v: T.index_update(x, 1, slice(None, None, 2), value=v),
                    lambda g: [g.rand(3, 4), g.rand(2)])]),
    # The gradient cases of indexing with a key (x[...], iteration) are this row's: the same index op.
    OpInfo("index", T.index, _index_ref, ALL_DTYPES, index_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(M(), 1),
           grads=[G("basic_index", lambda x: x[1:, ::-2, None], lambda g: [g.rand(3, 4)]),
                  G("int_index", lambda x: x[1], lambda g: [g.rand(3, 4)]),
                  G("iter", lambda x: list(x)[1], lambda g: [g.rand(3, 2)]),
                  G("array_index_repeats", lambda x: x[[0, 2, 0, 0]], lambda g: [g.rand(3, 2)]),
                  G("bool_mask",
                    lambda x: x[T.convert_to_tensor(np.array([[True, False], [False, True], [True, True]]))],
                    lambda g: [g.rand(3, 2)])]),
    OpInfo("nonzero", T.nonzero, np.nonzero, ALL_DTYPES, nonzero_samples, complex=True, module=TENSOR,
           smoke=lambda f: f(V())),
    OpInfo("sort", stats.sort, _sort_ref, ALL_DTYPES, sort_samples, module=STATS,
           smoke=lambda f: f(V(), axis=-1, descending=False),
           grads=[G("sort", lambda x: stats.sort(x, axis=0), lambda g: [g.distinct(4, 3)]),
                  G("sort_descending", lambda x: stats.sort(x, descending=True), lambda g: [g.distinct(2, 5)])]),
    OpInfo("argsort", stats.argsort, _argsort_ref, ALL_DTYPES, sort_samples, module=STATS,
           smoke=lambda f: f(V(), axis=-1, descending=True)),
    OpInfo("cumsum", stats.cumsum, np.cumsum, ALL_DTYPES, cumsum_samples, tols=REDUCTION_TOLS, module=STATS,
           smoke=lambda f: f(V(), axis=None),
           grads=[G("cumsum", lambda x: stats.cumsum(x, axis=1), lambda g: [g.rand(3, 4)]),
                  G("cumsum_flat", lambda x: stats.cumsum(x), lambda g: [g.rand(3, 2)])]),
    OpInfo("median", stats.median, _order_stat_ref(np.median), ALL_DTYPES, percentile_samples,
           tols=REDUCTION_TOLS, module=STATS, smoke=lambda f: f(V()), kernels=("percentile",)),
    OpInfo("percentile", stats.percentile, _order_stat_ref(np.percentile), ALL_DTYPES, percentile_samples,
           tols=REDUCTION_TOLS, module=STATS, smoke=lambda f: f(V(), 50.0, axis=None, keepdims=False)),
    OpInfo("one_hot", features.one_hot, _one_hot_ref, ALL_DTYPES, _one_hot_samples, module=FEAT,
           smoke=lambda f: f(I(), 4, axis=-1, dtype=None)),
]
