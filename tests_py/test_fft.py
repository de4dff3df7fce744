"""The FFT family beyond the NumPy parity table (opinfo): known transforms, inverse
round trips, Parseval's theorem, long and prime lengths, inputs other than tensors, and
concurrent calls from Python threads."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from ember_ml import _core, ops
from ember_ml.nn import tensor as T


def signal(shape, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def test_ops_names_are_the_core_functions():
    for name in ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
                 "irfftn"):
        assert getattr(ops, name) is getattr(_core.fft, name)
        assert name in ops.__all__
        assert getattr(ops, name).__doc__ and "Raises:" in getattr(ops, name).__doc__


def test_known_transforms():
    np.testing.assert_allclose(np.asarray(ops.fft(T.convert_to_tensor([1.0, 2.0, 3.0, 4.0]))),
                               [10, -2 + 2j, -2, -2 - 2j], atol=1e-6)
    # a cosine of frequency 3 over 16 points: two spikes of height n/2
    n, k = 16, 3
    x = np.cos(2 * np.pi * k * np.arange(n) / n)
    spectrum = np.asarray(ops.rfft(T.convert_to_tensor(x)))
    want = np.zeros(n // 2 + 1, complex)
    want[k] = n / 2
    np.testing.assert_allclose(spectrum, want, atol=1e-12)
    # an impulse transforms to ones; the inverse of ones is an impulse
    impulse = np.zeros(7, complex)
    impulse[0] = 1
    np.testing.assert_allclose(np.asarray(ops.fft(T.convert_to_tensor(impulse))), np.ones(7), atol=1e-15)
    np.testing.assert_allclose(np.asarray(ops.ifft(T.convert_to_tensor(np.ones(7, complex)))), impulse, atol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 5, 6, 7, 8, 30, 97, 210])
@pytest.mark.parametrize("dtype,tol", [("float32", 2e-5), ("float64", 1e-12)])
def test_inverse_round_trips(n, dtype, tol):
    x = signal((3, n), dtype, seed=n)
    t = T.convert_to_tensor(x)
    for norm in (None, "ortho", "forward"):
        np.testing.assert_allclose(np.asarray(ops.ifft(ops.fft(t, norm=norm), norm=norm)), x, atol=tol * 10)
        np.testing.assert_allclose(np.asarray(ops.irfft(ops.rfft(t, norm=norm), n=n, norm=norm)), x, atol=tol * 10)
    x2 = signal((4, n, 3), dtype, seed=n + 1)
    t2 = T.convert_to_tensor(x2)
    np.testing.assert_allclose(np.asarray(ops.irfftn(ops.rfftn(t2), s=x2.shape, axes=(0, 1, 2))), x2,
                               atol=tol * 10)


def test_parseval_with_ortho_norm():
    x = signal((5, 64), "complex128", seed=2)
    spectrum = np.asarray(ops.fft(T.convert_to_tensor(x), norm="ortho"))
    np.testing.assert_allclose(np.sum(np.abs(spectrum) ** 2, axis=-1), np.sum(np.abs(x) ** 2, axis=-1), rtol=1e-12)


@pytest.mark.parametrize("n", [1009, 4096, 6561, 10_000])
def test_long_and_prime_lengths(n):
    """Lengths with a large prime factor use kissfft's generic butterfly, O(n * p)."""
    x = signal((n,), "float64", seed=n)
    want = np.fft.fft(x)
    got = np.asarray(ops.fft(T.convert_to_tensor(x)))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
    x32 = x.astype(np.float32)
    got32 = np.asarray(ops.rfft(T.convert_to_tensor(x32)))
    want32 = np.fft.rfft(x32)
    assert got32.dtype == np.complex64
    np.testing.assert_allclose(got32, want32, rtol=1e-3, atol=2e-6 * np.abs(want32).max())


def test_inputs_other_than_tensors():
    """Lists, Python scalars in lists and NumPy arrays convert as everywhere else in Ember."""
    out = ops.fft([1.0, 0.0, -1.0, 0.0])
    assert str(out.dtype) == "complex64"
    np.testing.assert_allclose(np.asarray(out), [0, 2, 0, 2], atol=1e-6)
    out = ops.fft([1, 2, 3])  # integers compute in single precision (NumPy: complex128)
    assert str(out.dtype) == "complex64"
    np.testing.assert_allclose(np.asarray(out), np.fft.fft([1, 2, 3]), rtol=1e-6)
    out = ops.ifft2(np.ones((2, 3), np.complex128))
    assert str(out.dtype) == "complex128"
    np.testing.assert_allclose(np.asarray(out), np.fft.ifft2(np.ones((2, 3))), atol=1e-15)


def test_concurrent_python_threads_agree_with_numpy():
    x = signal((64, 1000), "complex64", seed=9)
    t = T.convert_to_tensor(x)
    want = np.fft.fft(x, axis=0)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                np.testing.assert_allclose(np.asarray(ops.fft(t, axis=0)), want, rtol=1e-4, atol=1e-3)
        except BaseException as err:  # noqa: BLE001 - re-raised in the main thread
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not errors, errors[0]
