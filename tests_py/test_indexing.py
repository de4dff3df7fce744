"""Advanced indexing (integer arrays, boolean masks) against NumPy, and bad inputs of
the indexing, sorting and scan functions.

Every key is applied to the same data as an Ember tensor and a NumPy array, for reading
(``x[key]``) and writing (``x[key] = value``); contiguous and strided tensors both.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.ops import stats

_BASE = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
_MASK_45 = (_BASE[:, :, 0] % 3) == 1  # (4, 5)
_MASK_4 = np.array([True, False, True, True])

# Keys for a (4, 5, 6) tensor.
KEYS = {
    "list": [0, 2, -1],
    "list with repeats": [1, 1, 3],
    "nested list": [[0, 1], [3, 2]],
    "empty list": [],
    "numpy int array": np.array([3, 0]),
    "numpy uint8 array": np.array([3, 0], np.uint8),
    "ember int64 tensor": T.convert_to_tensor(np.array([2, -4], np.int64)),
    "array, slice": (np.array([0, 2]), slice(1, 4)),
    "slice, array": (slice(None), [4, 0, 1]),
    "slice, array, slice": (slice(None, None, 2), [4, 0], slice(1, None)),
    "two arrays broadcast": ([[0], [3]], slice(None), [1, 5, 2]),
    "two adjacent arrays": (slice(None), [0, 4], [5, 5]),
    "arrays separated by a slice": ([0, 3], slice(1, 3), [1, 2]),
    "int and array adjacent": (slice(None), 2, [1, 3]),
    "int and array separated": ([1, 2], slice(None), 0),
    "ellipsis, array": (Ellipsis, [5, 0]),
    "array, ellipsis": ([3, 1], Ellipsis),
    "array, ellipsis, array": ([3, 1], Ellipsis, [0, 0]),
    "None, array": (None, [1, 2]),
    "array, None, slice": ([1, 2], None, slice(1, 3)),
    "array, None, array": ([1, 2], None, [0, 1]),
    "0-d array": np.array(2),
    "0-d array with slice": (slice(None), np.array(-1)),
    "bool mask 1-D": _MASK_4,
    "bool mask 2-D": _MASK_45,
    "bool mask 3-D": _BASE % 7 == 0,
    "ember bool mask": T.convert_to_tensor(_MASK_4),
    "bool mask after slice": (slice(None), np.array([True, False, False, True, True])),
    "bool mask and array": (_MASK_4, slice(None), [0, 5, 5]),
    "bool mask all false": np.zeros(4, bool),
    "python True": True,
    "python False": False,
    "True with int": (True, 1),
    "list of bools": [True, False, False, True],
    "negative indices": ([-1, -4], [-5, 0]),
    "array, strided slice": ([0, 3], slice(None, None, -2)),
}

def _base(layout: str):
    """(numpy array, ember tensor) holding _BASE through a view of the given layout."""
    if layout == "contig":
        return _BASE.copy(), T.convert_to_tensor(_BASE.copy())
    if layout == "reversed":
        big = _BASE[::-1].copy()
        return big[::-1], T.convert_to_tensor(big)[::-1]
    if layout == "transposed":
        big = np.ascontiguousarray(_BASE.transpose(2, 0, 1))
        return big.transpose(1, 2, 0), T.transpose(T.convert_to_tensor(big), (1, 2, 0))
    big = np.zeros((8, 5, 12), np.float32)
    big[::2, :, ::2] = _BASE
    return big[::2, :, ::2], T.convert_to_tensor(big)[::2, :, ::2]


def _np_key(key):
    if isinstance(key, tuple):
        return tuple(_np_key(k) for k in key)
    if isinstance(key, T.EmberTensor):
        return key.numpy()
    return key


@pytest.mark.parametrize("layout", ["contig", "reversed", "transposed", "strided"])
@pytest.mark.parametrize("name", list(KEYS))
def test_getitem_matches_numpy(name: str, layout: str) -> None:
    a, t = _base(layout)
    if layout != "contig":
        assert not t.is_contiguous()
    key = KEYS[name]
    expected = a[_np_key(key)]
    got = t[key]
    assert got.shape == expected.shape
    assert str(got.dtype) == expected.dtype.name
    np.testing.assert_array_equal(np.asarray(got), expected)


@pytest.mark.parametrize("layout", ["contig", "reversed", "transposed", "strided"])
@pytest.mark.parametrize("name", list(KEYS))
def test_setitem_matches_numpy(name: str, layout: str) -> None:
    a, t = _base(layout)
    key = KEYS[name]
    shape = a[_np_key(key)].shape
    if "repeats" in name:  # NumPy leaves the winner of repeated writes unspecified: write one value
        value = np.float32(-7)
    else:
        value = -np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) - 1
    a[_np_key(key)] = value
    t[key] = value
    np.testing.assert_array_equal(np.asarray(t), a)


@pytest.mark.parametrize("name", ["slice, array", "bool mask 2-D", "two arrays broadcast"])
def test_setitem_broadcasts_and_casts(name: str) -> None:
    a, t = _base("contig")
    key = KEYS[name]
    a[_np_key(key)] = 2.5
    t[key] = 2.5
    np.testing.assert_array_equal(np.asarray(t), a)
    ai = np.arange(24, dtype=np.int16).reshape(4, 6)
    ti = T.convert_to_tensor(ai.copy())
    ai[[0, 3], 1:] = np.array([9.7, -3.2, 1, 2, 3], np.float64)
    ti[[0, 3], 1:] = np.array([9.7, -3.2, 1, 2, 3], np.float64)
    np.testing.assert_array_equal(np.asarray(ti), ai)


def test_advanced_getitem_copies_and_basic_getitem_views() -> None:
    t = T.convert_to_tensor(np.arange(6, dtype=np.int32))
    adv = t[[0, 1]]
    view = t[0:2]
    t[0] = 100
    assert adv.tolist() == [0, 1]
    assert view.tolist() == [100, 1]


def test_repeated_setitem_last_write_wins() -> None:
    t = T.convert_to_tensor(np.zeros(3, np.int32))
    t[[1, 1, 1]] = np.array([5, 6, 7], np.int32)
    assert t.tolist() == [0, 7, 0]


def test_function_forms() -> None:
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    t = T.convert_to_tensor(a)
    np.testing.assert_array_equal(np.asarray(T.index(t, [2, 0], slice(1, 3))), a[[2, 0], 1:3])
    upd = T.index_update(t, slice(None), [0, 3], value=-1)
    expected = a.copy()
    expected[:, [0, 3]] = -1
    np.testing.assert_array_equal(np.asarray(upd), expected)
    np.testing.assert_array_equal(np.asarray(t), a)  # the input is untouched
    np.testing.assert_array_equal(np.asarray(T.slice_update(t, (slice(0, 2), 1))), a[0:2, 1])
    out = T.slice_update(t, (slice(0, 2), 1), [7, 8])
    expected = a.copy()
    expected[0:2, 1] = [7, 8]
    np.testing.assert_array_equal(np.asarray(out), expected)
    np.testing.assert_array_equal(np.asarray(t), a)
    rows, cols = T.nonzero(t > 6)
    np.testing.assert_array_equal(np.asarray(rows), np.nonzero(a > 6)[0])
    np.testing.assert_array_equal(np.asarray(cols), np.nonzero(a > 6)[1])


def test_sort_descending_is_stable_with_nans_last() -> None:
    x = np.array([2.0, np.nan, 1.0, 2.0, -np.inf, 1.0], np.float32)
    assert stats.argsort(x, descending=True).tolist() == [0, 3, 2, 5, 4, 1]
    assert stats.argsort(x).tolist() == [4, 2, 5, 0, 3, 1]
    np.testing.assert_array_equal(np.asarray(stats.sort(x, descending=True)),
                                  np.array([2, 2, 1, 1, -np.inf, np.nan], np.float32))


def test_scatter_empty_segments_and_dim_size() -> None:
    out = T.scatter(np.array([1.0, 2.0, 3.0], np.float32), [0, 0, 3], dim_size=5, aggr="mean")
    assert out.tolist() == [1.5, 0.0, 0.0, 3.0, 0.0]


# ---- bad inputs: (exception, message prefix, thunk) -------------------------------------
F = lambda *shape: T.convert_to_tensor(np.ones(shape, np.float32))  # noqa: E731

BAD = {
    "getitem index out of range": (IndexError, "[index]", lambda: F(3, 4)[:, [0, 4]]),
    "getitem negative index out of range": (IndexError, "[index]", lambda: F(3, 4)[[-4]]),
    "getitem float array": (IndexError, "[index]", lambda: F(3)[np.array([0.0, 1.0])]),
    "getitem arrays that do not broadcast": (IndexError, "[index]", lambda: F(3, 4)[[0, 1], [0, 1, 2]]),
    "getitem mask of the wrong shape": (IndexError, "[index]", lambda: F(3, 4)[np.ones((3, 3), bool)]),
    "getitem too many indices": (IndexError, "[index]", lambda: F(3)[[0], [0]]),
    "setitem index out of range": (IndexError, "[setitem]", lambda: F(3).__setitem__([3], 1.0)),
    "setitem value of the wrong shape": (ValueError, "[setitem]", lambda: F(3, 4).__setitem__([0, 1], F(3))),
    "setitem into a broadcast view": (ValueError, "[setitem]",
                                      lambda: T.broadcast_to(F(3), (2, 3)).__setitem__([0], 1.0)),
    "gather out of range": (IndexError, "[gather]", lambda: T.gather(F(3, 4), [4], axis=1)),
    "gather negative out of range": (IndexError, "[gather]", lambda: T.gather(F(3), [-4])),
    "gather float indices": (TypeError, "[gather]", lambda: T.gather(F(3), np.array([0.5]))),
    "gather bad axis": (IndexError, "[gather]", lambda: T.gather(F(3), [0], axis=1)),
    "scatter bad aggr": (ValueError, "[scatter]", lambda: T.scatter(F(3), [0, 1, 0], aggr="prod")),
    "scatter index count mismatch": (ValueError, "[scatter]", lambda: T.scatter(F(3), [0, 1])),
    "scatter 2-D indices": (ValueError, "[scatter]", lambda: T.scatter(F(2, 2), [[0, 1], [1, 0]])),
    "scatter negative index": (IndexError, "[scatter]", lambda: T.scatter(F(3), [0, -1, 0])),
    "scatter index beyond dim_size": (IndexError, "[scatter]", lambda: T.scatter(F(3), [0, 4, 0], dim_size=3)),
    "scatter float indices": (TypeError, "[scatter]", lambda: T.scatter(F(2), np.array([0.0, 1.0]))),
    "tensor_scatter_nd_update updates shape": (
        ValueError, "[tensor_scatter_nd_update]",
        lambda: T.tensor_scatter_nd_update(F(4, 3), [[0], [1]], F(2, 2))),
    "tensor_scatter_nd_update K too large": (
        ValueError, "[tensor_scatter_nd_update]", lambda: T.tensor_scatter_nd_update(F(4), [[0, 1]], F(1))),
    "tensor_scatter_nd_update out of range": (
        IndexError, "[tensor_scatter_nd_update]", lambda: T.tensor_scatter_nd_update(F(4, 3), [[4]], F(1, 3))),
    "slice_tensor out of range": (ValueError, "[slice_tensor]", lambda: T.slice_tensor(F(4, 3), [3, 0], [2, 3])),
    "slice_tensor length mismatch": (ValueError, "[slice_tensor]", lambda: T.slice_tensor(F(4, 3), [0, 0], [1])),
    "nonzero 0-d": (ValueError, "[nonzero]", lambda: T.nonzero(F(1).reshape(()))),
    "sort bad axis": (IndexError, "[sort]", lambda: stats.sort(F(3, 4), axis=2)),
    "argsort 0-d": (IndexError, "[argsort]", lambda: stats.argsort(F(1).reshape(()))),
    "cumsum bad axis": (IndexError, "[cumsum]", lambda: stats.cumsum(F(3), axis=-2)),
    "percentile q above 100": (ValueError, "[percentile]", lambda: stats.percentile(F(3), 101)),
    "percentile q negative": (ValueError, "[percentile]", lambda: stats.percentile(F(3), [50, -1])),
    "percentile q nan": (ValueError, "[percentile]", lambda: stats.percentile(F(3), float("nan"))),
    "percentile 2-D q": (ValueError, "[percentile]", lambda: stats.percentile(F(3), [[1, 2]])),
    "percentile bad axis": (IndexError, "[percentile]", lambda: stats.percentile(F(3), 5, axis=1)),
    "median duplicate axis": (ValueError, "[median]", lambda: stats.median(F(3, 2), axis=(0, 0))),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input(name: str) -> None:
    exc, prefix, thunk = BAD[name]
    with pytest.raises(exc) as info:
        thunk()
    assert str(info.value).startswith(prefix), str(info.value)
