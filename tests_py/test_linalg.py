"""Properties of ``ember_ml.ops.linearalg`` beyond the NumPy parity table, and its bad inputs.

Decompositions are checked through quantities that do not depend on sign or rotation
choices (reconstructions, orthogonality, triangularity); references come from NumPy.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.ops import linearalg as la

RTOL = {"float32": 2e-4, "float64": 1e-10}


def t(a, dtype=None):
    a = np.asarray(a)
    return T.convert_to_tensor(a if dtype is None else a.astype(dtype))


def rand(shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (3, 2, 6, 2)])
def test_svd_reconstructs_and_is_orthogonal(dtype, shape):
    a = rand(shape, dtype)
    u, s, vh = (np.asarray(x) for x in la.svd(t(a), full_matrices=False))
    tol = RTOL[dtype]
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, rtol=tol, atol=tol)
    k = min(shape[-2:])
    np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u, np.broadcast_to(np.eye(k), u.shape[:-2] + (k, k)),
                               atol=tol)
    np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.float64), compute_uv=False), rtol=tol, atol=tol)
    assert np.all(np.diff(s, axis=-1) <= 0), "singular values must be descending"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (2, 5, 5)])
def test_qr_reconstructs_with_upper_triangular_r(dtype, mode, shape):
    a = rand(shape, dtype, seed=1)
    q, r = (np.asarray(x) for x in la.qr(t(a), mode=mode))
    tol = RTOL[dtype]
    np.testing.assert_allclose(q @ r, a, rtol=tol, atol=tol)
    np.testing.assert_array_equal(r, np.triu(r))
    m = q.shape[-1]
    np.testing.assert_allclose(np.swapaxes(q, -1, -2) @ q, np.broadcast_to(np.eye(m), q.shape[:-2] + (m, m)),
                               atol=tol)
    k = min(shape[-2:])
    np.testing.assert_allclose(np.abs(np.asarray(la.qr(t(a), mode="r"))), np.abs(r[..., :k, :]), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eigh_reconstructs(dtype):
    b = rand((3, 5, 5), dtype, seed=2)
    a = b + np.swapaxes(b, -1, -2)
    w, v = (np.asarray(x) for x in la.eigh(t(a)))
    tol = RTOL[dtype] * 10
    np.testing.assert_allclose(a @ v, v * w[..., None, :], rtol=tol, atol=tol)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a.astype(np.float64)), rtol=tol, atol=tol)
    assert np.all(np.diff(w, axis=-1) >= 0), "eigenvalues must be ascending"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cholesky_reconstructs(dtype):
    b = rand((2, 4, 4), "float64", seed=3)
    a = (b @ np.swapaxes(b, -1, -2) + 4 * np.eye(4)).astype(dtype)
    l = np.asarray(la.cholesky(t(a)))
    np.testing.assert_array_equal(l, np.tril(l))
    np.testing.assert_allclose(l @ np.swapaxes(l, -1, -2), a, rtol=RTOL[dtype], atol=RTOL[dtype])


def test_solve_inv_det_consistent():
    a = rand((3, 4, 4), seed=4) + 4 * np.eye(4)
    b = rand((3, 4, 2), seed=5)
    x = np.asarray(la.solve(t(a), t(b)))
    np.testing.assert_allclose(a @ x, b, atol=1e-12)
    ainv = np.asarray(la.inv(t(a)))
    np.testing.assert_allclose(ainv @ a, np.broadcast_to(np.eye(4), (3, 4, 4)), atol=1e-12)
    np.testing.assert_allclose(np.asarray(la.det(t(a))) * np.asarray(la.det(t(ainv))), np.ones(3), rtol=1e-12)


def test_integer_input_computes_in_float32():
    a = np.array([[2, 1], [1, 3]], np.int32)
    for result in (la.inv(t(a)), la.det(t(a)), la.cholesky(t(a)), la.norm(t(a)), la.solve(t(a), t([1, 2]))):
        assert result.dtype == "float32"


def test_diagonal_is_a_view():
    x = t(np.arange(12, dtype=np.float32).reshape(3, 4))
    d = la.diagonal(x, offset=1)
    assert d.shape == (3,) and not d.is_contiguous()
    np.testing.assert_array_equal(np.asarray(d), [1, 6, 11])


# ---- orthogonal -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 6), (2, 3, 5)])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_orthogonal_is_semi_orthogonal(shape, dtype):
    gain = 1.5
    q = la.orthogonal(shape, gain=gain, dtype=dtype, seed=7)
    assert q.shape == shape
    assert str(q.dtype) == (dtype or "float32")
    m = np.asarray(q, np.float64).reshape(-1, shape[-1])
    tol = 1e-5 if dtype is None else 1e-12
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(gram.shape[0]), atol=tol)


def test_orthogonal_seed_reproducible():
    a = np.asarray(la.orthogonal((5, 5), seed=123))
    b = np.asarray(la.orthogonal((5, 5), seed=123))
    c = np.asarray(la.orthogonal((5, 5), seed=124))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_orthogonal_zero_size():
    z = la.orthogonal((0, 3))
    assert z.shape == (0, 3)


# ---- bad inputs: (op, exception, thunk, description) ------------------------------------
F = lambda *shape: t(np.ones(shape, np.float32))  # noqa: E731
SINGULAR = t(np.array([[1.0, 2.0], [2.0, 4.0]]))
NOT_SPD = t(np.array([[1.0, 2.0], [2.0, 1.0]]))
BATCH_ONE_SINGULAR = t(np.stack([np.eye(2), np.zeros((2, 2))]))

BAD = [
    ("solve", ValueError, lambda: la.solve(SINGULAR, t([1.0, 2.0])), "singular"),
    ("solve", ValueError, lambda: la.solve(BATCH_ONE_SINGULAR, t(np.ones((2, 2, 1)))), "one singular in batch"),
    ("solve", ValueError, lambda: la.solve(F(2, 3), F(2)), "non-square"),
    ("solve", ValueError, lambda: la.solve(F(3, 3), F(4)), "rows mismatch"),
    ("solve", ValueError, lambda: la.solve(F(2, 3, 3), F(4, 3, 1)), "batch mismatch"),
    ("solve", ValueError, lambda: la.solve(F(3), F(3)), "1-D a"),
    ("solve", TypeError, lambda: la.solve(t(np.eye(2), "float16"), t(np.ones(2), "float16")), "float16"),
    ("inv", ValueError, lambda: la.inv(SINGULAR), "singular"),
    ("inv", ValueError, lambda: la.inv(BATCH_ONE_SINGULAR), "one singular in batch"),
    ("inv", ValueError, lambda: la.inv(F(2, 3)), "non-square"),
    ("inv", ValueError, lambda: la.inv(F(3)), "1-D"),
    ("det", ValueError, lambda: la.det(F(2, 3)), "non-square"),
    ("det", ValueError, lambda: la.det(F(3)), "1-D"),
    ("cholesky", ValueError, lambda: la.cholesky(NOT_SPD), "not positive definite"),
    ("cholesky", ValueError, lambda: la.cholesky(F(2, 3)), "non-square"),
    ("eigh", ValueError, lambda: la.eigh(F(3, 2)), "non-square"),
    ("eigh", ValueError, lambda: la.eigh(F(4)), "1-D"),
    ("svd", ValueError, lambda: la.svd(F(4)), "1-D"),
    ("qr", ValueError, lambda: la.qr(F(4)), "1-D"),
    ("qr", ValueError, lambda: la.qr(F(3, 3), mode="raw"), "unsupported mode"),
    ("lstsq", ValueError, lambda: la.lstsq(F(2, 3, 3), F(3)), "3-D a"),
    ("lstsq", ValueError, lambda: la.lstsq(F(4, 3), F(3)), "rows mismatch"),
    ("lstsq", ValueError, lambda: la.lstsq(F(4, 3), F(4, 2, 1)), "3-D b"),
    ("norm", ValueError, lambda: la.norm(F(3), ord="fro"), "fro for vectors"),
    ("norm", ValueError, lambda: la.norm(F(3, 3), ord=3), "ord 3 for matrices"),
    ("norm", ValueError, lambda: la.norm(F(2, 2, 2), ord=1), "ord with 3-D and no axis"),
    ("norm", ValueError, lambda: la.norm(F(2, 2, 2), axis=(0, 1, 2)), "three axes"),
    ("norm", ValueError, lambda: la.norm(F(2, 2), axis=(1, 1)), "duplicate axes"),
    ("norm", ValueError, lambda: la.norm(F(2, 2), ord="bad"), "unknown string order"),
    ("norm", IndexError, lambda: la.norm(F(2, 2), axis=2), "axis out of range"),
    ("diag", ValueError, lambda: la.diag(F(2, 2, 2)), "3-D"),
    ("diagonal", ValueError, lambda: la.diagonal(F(3)), "1-D"),
    ("diagonal", ValueError, lambda: la.diagonal(F(3, 3), axis1=1, axis2=1), "same axes"),
    ("diagonal", IndexError, lambda: la.diagonal(F(3, 3), axis2=2), "axis out of range"),
    ("orthogonal", ValueError, lambda: la.orthogonal((4,)), "1-D shape"),
    ("orthogonal", ValueError, lambda: la.orthogonal((2, -1)), "negative size"),
    ("orthogonal", TypeError, lambda: la.orthogonal((2, 2), dtype="int32"), "integer dtype"),
]


@pytest.mark.parametrize("name,exc,fn,desc", BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
def test_bad_input(name, exc, fn, desc):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value).startswith(f"[{name}]"), str(info.value)


_S = np.array([[1.0, 2.0], [2.0, 4.0]])
_NOT_SPD = np.array([[1.0, 2.0], [2.0, 1.0]])


@pytest.mark.parametrize("np_thunk,ember_thunk", [
    (lambda: np.linalg.solve(_S, np.ones(2)), lambda: la.solve(t(_S), t(np.ones(2)))),
    (lambda: np.linalg.inv(_S), lambda: la.inv(t(_S))),
    (lambda: np.linalg.cholesky(_NOT_SPD), lambda: la.cholesky(t(_NOT_SPD))),
], ids=["solve", "inv", "cholesky"])
def test_numpy_raises_the_same_type(np_thunk, ember_thunk):
    """NumPy's LinAlgError is a ValueError; Ember raises ValueError for the same inputs."""
    with pytest.raises(ValueError):
        np_thunk()
    with pytest.raises(ValueError):
        ember_thunk()


def test_singular_message_names_the_shape():
    with pytest.raises(ValueError, match=r"\(2, 2, 2\)"):
        la.inv(BATCH_ONE_SINGULAR)
