"""complex64 / complex128 beyond the NumPy parity table (opinfo): dtype objects and
promotion, conversions to and from NumPy and Python, views that share memory, casts,
weak Python complex scalars, and eig / eigvals.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import linearalg as la
from ember_ml.ops import stats

import opinfo

COMPLEX = ("complex64", "complex128")


def c(data, dtype="complex64"):
    return T.convert_to_tensor(np.asarray(data, dtype=dtype))


def sample(shape, dtype="complex64", seed=0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-2, 2, shape) + 1j * rng.uniform(-2, 2, shape)).astype(dtype)


# ---- dtype objects and promotion ---------------------------------------------------------
@pytest.mark.parametrize("name,itemsize", [("complex64", 8), ("complex128", 16)])
def test_dtype_objects(name, itemsize):
    d = getattr(T, name)
    assert d == name and d == np.dtype(name) and str(d) == name
    assert d.itemsize == itemsize and d.is_complex and not d.is_floating_point
    assert d.numpy_dtype == np.dtype(name)
    assert T.get_dtype(name) is d and T.to_dtype_str(d) == name
    assert T.get_dtype(complex) == T.complex64
    assert not T.float32.is_complex


@pytest.mark.parametrize("a", opinfo.core.EVERY_DTYPE)
def test_promotion_with_complex_matches_numpy(a):
    """Tensor-tensor promotion of every dtype with each complex dtype is numpy.promote_types."""
    for b in COMPLEX:
        x = T.convert_to_tensor(np.ones(2, a))
        y = T.convert_to_tensor(np.ones(2, b))
        want = np.promote_types(a, b).name
        assert str(ops.add(x, y).dtype) == want, (a, b)
        assert str(T.concatenate([x, y]).dtype) == want, (a, b)


@pytest.mark.parametrize("dtype,scalar,want", [
    ("float32", 1j, "complex64"), ("float64", 1j, "complex128"), ("float16", 2 + 1j, "complex64"),
    ("int8", 1j, "complex64"), ("int64", 1j, "complex128"), ("bool", 1j, "complex64"),
    ("complex64", 1.5, "complex64"), ("complex64", 2, "complex64"), ("complex128", 1j, "complex128"),
])
def test_python_complex_scalars_are_weak(dtype, scalar, want):
    """A Python complex adopts the tensor's precision, as a Python float does (promote with complex64)."""
    values = np.arange(1, 4).astype(dtype)
    out = T.convert_to_tensor(values) * scalar
    assert str(out.dtype) == want
    np.testing.assert_allclose(np.asarray(out), values.astype(np.complex128) * scalar, rtol=1e-6)


def test_python_complex_conversions():
    assert str(T.convert_to_tensor(1 + 2j).dtype) == "complex64"
    assert str(T.convert_to_tensor([1j, 2.0, 3]).dtype) == "complex64"
    assert str(T.convert_to_tensor(1 / 3 + 1j, dtype="complex128").dtype) == "complex128"
    assert T.convert_to_tensor(1 / 3 + 1j, dtype="complex128").item() == 1 / 3 + 1j
    assert str(T.convert_to_tensor(np.complex128(1j)).dtype) == "complex128"
    assert str(T.full((2,), 1 - 1j).dtype) == "complex64"
    np.testing.assert_array_equal(T.full((2,), np.complex64(3 - 4j)).numpy(), np.full(2, 3 - 4j, np.complex64))


# ---- NumPy and Python round trips ------------------------------------------------------------
@pytest.mark.parametrize("dtype", COMPLEX)
def test_numpy_round_trips(dtype):
    a = sample((3, 4), dtype)
    t = T.convert_to_tensor(a)
    assert str(t.dtype) == dtype and t.shape == (3, 4)
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_array_equal(np.asarray(t), a)
    np.testing.assert_array_equal(T.to_numpy(t), a)
    np.testing.assert_array_equal(np.from_dlpack(t), a)
    mv = memoryview(t)
    assert mv.format == ("Zf" if dtype == "complex64" else "Zd") and mv.itemsize == np.dtype(dtype).itemsize
    np.testing.assert_array_equal(np.asarray(mv), a)
    assert t.tolist() == a.tolist()
    assert t[1, 2].item() == complex(a[1, 2]) and isinstance(t[1, 2].item(), complex)
    assert complex(t[0, 0]) == complex(a[0, 0])
    # non-contiguous views convert with their strides
    np.testing.assert_array_equal(np.asarray(t.T[::-1]), a.T[::-1])


def test_float_and_int_of_complex_raise():
    z = c(1 + 2j)
    with pytest.raises(TypeError, match=r"^\[float\].*complex64"):
        float(z)
    with pytest.raises(TypeError, match=r"^\[int\].*complex64"):
        int(z)
    assert bool(c(1j)) and not bool(c(0j))


# ---- views, indexing, assignment -------------------------------------------------------------
def test_real_and_imag_are_writable_views():
    a = sample((3, 4), "complex128")
    t = T.convert_to_tensor(a)
    re, im = ops.real(t), ops.imag(t)
    assert str(re.dtype) == "float64" and not re.is_contiguous()
    re[0, 0] = 10.0
    im[1] = -1.0
    a[0, 0] = 10.0 + 1j * a[0, 0].imag
    a[1].imag = -1.0
    np.testing.assert_array_equal(t.numpy(), a)
    # views of views: the real part of a transposed, reversed tensor
    np.testing.assert_array_equal(np.asarray(ops.real(t.T[::-1])), a.T[::-1].real)
    np.testing.assert_array_equal(np.asarray(ops.imag(t[:, 1::2])), a[:, 1::2].imag)


def test_real_of_a_broadcast_view_is_a_copy():
    t = T.broadcast_to(c([1 + 2j, 3 - 4j]), (3, 2))
    np.testing.assert_array_equal(np.asarray(ops.imag(t)), np.broadcast_to([2.0, -4.0], (3, 2)))


def test_indexing_and_assignment():
    a = sample((4, 5))
    t = T.convert_to_tensor(a.copy())
    np.testing.assert_array_equal(np.asarray(t[1:3, ::-2]), a[1:3, ::-2])
    np.testing.assert_array_equal(np.asarray(t[[3, 0, 0]]), a[[3, 0, 0]])
    mask = a.real > 0
    np.testing.assert_array_equal(np.asarray(t[mask]), a[mask])
    np.testing.assert_array_equal(np.asarray(T.gather(t, [4, 1], axis=1)), a[:, [4, 1]])
    t[0] = 1j
    t[[1, 2], 0] = np.array([5 + 5j, 6 - 6j])
    t[3, 1] = 2.5  # a real value into a complex tensor
    a[0] = 1j
    a[[1, 2], 0] = [5 + 5j, 6 - 6j]
    a[3, 1] = 2.5
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_array_equal(T.nonzero(c([0, 1j, 0, 2]))[0].numpy(), [1, 3])


def test_complex_into_real_raises():
    x = T.zeros((3,))
    with pytest.raises(TypeError, match=r"^\[setitem\].*complex64"):
        x[0] = 1j
    with pytest.raises(TypeError, match=r"^\[setitem\].*complex64"):
        x[[0, 1]] = c([1j, 2j])
    with pytest.raises(TypeError, match=r"^\[cast\].*complex64.*ops\.real"):
        T.cast(c([1j]), "float32")
    with pytest.raises(TypeError, match=r"^\[full\]"):
        T.full((2,), 1j, dtype="float32")
    with pytest.raises(TypeError, match=r"^\[EmberTensor\].*complex128"):
        T.convert_to_tensor(np.array([1j]), dtype="float64")
    np.testing.assert_array_equal(x.numpy(), np.zeros(3, np.float32))


@pytest.mark.parametrize("dtype", COMPLEX)
def test_casts_between_real_and_complex(dtype):
    for src in ("bool", "int8", "uint64", "float16", "float64"):
        x = np.array([0, 1, 3], src)
        np.testing.assert_array_equal(T.cast(T.convert_to_tensor(x), dtype).numpy(), x.astype(dtype))
    a = sample((2, 3), "complex128")
    np.testing.assert_array_equal(T.cast(T.convert_to_tensor(a), dtype).numpy(), a.astype(dtype))
    np.testing.assert_array_equal(T.convert_to_tensor(a).astype(dtype).numpy(), a.astype(dtype))


# ---- arithmetic identities the table does not cover ---------------------------------------------
def test_sum_and_mean_accumulate_in_complex():
    a = sample((50_001,), "complex64", seed=3)
    t = T.convert_to_tensor(a)
    want = a.astype(np.complex128).sum()
    assert str(stats.sum(t).dtype) == "complex64"
    np.testing.assert_allclose(stats.sum(t).item(), want, rtol=1e-5)
    np.testing.assert_allclose(stats.mean(t).item(), want / a.size, rtol=1e-5)
    np.testing.assert_allclose(stats.sum(T.convert_to_tensor(a.real), dtype="complex128").item(), want.real,
                               rtol=1e-6)


def test_abs_angle_reconstruct():
    a = sample((5, 7), "complex128", seed=4)
    t = T.convert_to_tensor(a)
    r, phi = np.asarray(ops.abs(t)), np.asarray(ops.angle(t))
    np.testing.assert_allclose(r * np.exp(1j * phi), a, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(ops.conj(t) * t), np.abs(a) ** 2, rtol=1e-13, atol=1e-13)


# ---- eig / eigvals ---------------------------------------------------------------------------------
def _assert_same_eigenvalues(got, want, tol):
    """Equal as multisets per matrix: every value of each side has a partner within tol on
    the other (sorting would pair conjugates by their last-bit differences)."""
    got, want = np.asarray(got), np.asarray(want)
    n = want.shape[-1]
    for g, w in zip(got.reshape(-1, n), want.reshape(-1, n)):
        dist = np.abs(g[:, None] - w[None, :])
        limit = tol * (1 + np.abs(w).max())
        assert dist.min(axis=1).max() <= limit and dist.min(axis=0).max() <= limit, (g, w)


def _check_eig(a, w, v, tol):
    w, v = np.asarray(w), np.asarray(v)
    np.testing.assert_allclose(a @ v, v * w[..., None, :], rtol=tol, atol=tol * np.abs(a).max())
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1.0, rtol=tol)
    _assert_same_eigenvalues(w, np.linalg.eigvals(a.astype(np.complex128)), tol)


@pytest.mark.parametrize("dtype,tol", [("float32", 2e-4), ("float64", 1e-10)])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (2, 2, 3, 3), (1, 1), (9, 9)])
def test_eig_of_general_real_matrices(dtype, tol, shape):
    a = np.random.default_rng(sum(shape)).uniform(-1, 1, shape).astype(dtype)
    w, v = la.eig(T.convert_to_tensor(a))
    has_complex = np.any(np.abs(np.linalg.eigvals(a.astype(np.float64)).imag) > 1e-6)
    cdtype = "complex64" if dtype == "float32" else "complex128"
    assert str(w.dtype) == (cdtype if has_complex else dtype)
    assert str(v.dtype) == str(w.dtype) and w.shape == shape[:-1] and v.shape == shape
    _check_eig(a.astype(np.float64), w, v, tol)
    _assert_same_eigenvalues(la.eigvals(T.convert_to_tensor(a)), w, tol)


def test_eig_real_result_when_every_eigenvalue_is_real():
    """As numpy: real input with only real eigenvalues gives real w and v."""
    a = np.array([[2.0, 1.0], [1.0, 3.0]])  # symmetric: real spectrum
    w, v = la.eig(T.convert_to_tensor(a))
    assert str(w.dtype) == "float64" and str(v.dtype) == "float64"
    np.testing.assert_allclose(np.sort(np.asarray(w)), np.sort(np.linalg.eigvals(a).real), rtol=1e-12)
    rot = np.array([[0.0, -1.0], [1.0, 0.0]], np.float32)  # eigenvalues +-i
    w2 = la.eigvals(T.convert_to_tensor(rot))
    assert str(w2.dtype) == "complex64"
    np.testing.assert_allclose(np.sort_complex(np.asarray(w2)), [-1j, 1j], atol=1e-6)
    # one complex pair anywhere in a batch makes the whole batch complex (numpy.linalg.eig)
    w3 = la.eigvals(T.convert_to_tensor(np.stack([a, rot.astype(np.float64)])))
    assert str(w3.dtype) == "complex128"


@pytest.mark.parametrize("dtype,tol", [("complex64", 2e-4), ("complex128", 1e-10)])
def test_eig_of_complex_matrices(dtype, tol):
    a = sample((3, 4, 4), dtype, seed=5)
    w, v = la.eig(T.convert_to_tensor(a))
    assert str(w.dtype) == dtype and str(v.dtype) == dtype
    _check_eig(a.astype(np.complex128), w, v, tol)


def test_eig_of_integers_views_and_empty():
    a = np.array([[4, 1], [2, 3]], np.int32)  # eigenvalues 2 and 5
    w = la.eigvals(T.convert_to_tensor(a))
    assert str(w.dtype) == "float32"
    np.testing.assert_allclose(np.sort(np.asarray(w)), [2.0, 5.0], rtol=1e-6)
    b = np.random.default_rng(6).uniform(-1, 1, (5, 5))
    w, v = la.eig(T.convert_to_tensor(b).T)
    _check_eig(b.T, w, v, 1e-10)
    w, v = la.eig(T.convert_to_tensor(np.zeros((2, 0, 0))))
    assert w.shape == (2, 0) and v.shape == (2, 0, 0) and str(w.dtype) == "float64"
