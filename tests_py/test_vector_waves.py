"""Vector / wave helpers and ops.gradient beyond the op table's parity samples.

The op table (opinfo.definitions.vector) compares every helper with a NumPy computation
(``numpy.fft`` for the wave metrics); here: the properties the metrics are built on, the blocked DFT path for long signals, and
gradient's result structure and exactness on polynomials.
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.ops import stats
from ember_ml.nn import tensor as T
from ember_ml.ops.vector import _half_spectrum as half_spectrum
from opinfo.definitions import vector as ref


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_identical_waves_interfere_fully_and_are_coherent() -> None:
    w = _rng().normal(size=41)
    assert ops.compute_interference_strength(w, w).item() == pytest.approx(1.0, abs=1e-6)
    assert ops.compute_phase_coherence(w, w).item() == pytest.approx(1.0, abs=1e-6)


def test_negated_wave_is_coherent_and_anticorrelated() -> None:
    w = _rng(1).normal(size=31)
    # Every phase differs by pi: exp(i d) = -1 in every bin, so the coherence is 1, while
    # corr = -1 and mean|d| = pi make the strength -1 * (1 - 1) = 0.
    assert ops.compute_phase_coherence(w, -w).item() == pytest.approx(1.0, abs=1e-12)
    got = ops.compute_interference_strength(w, -w).item()
    np.testing.assert_allclose(got, ref._interference_ref(w, -w), atol=1e-12)
    assert abs(got) < 1e-12


@pytest.mark.parametrize("length", [3001, 3000])
def test_long_signals(length: int) -> None:
    # 3001 is prime: the direct DFT, in blocks of 2**21 // 3001 = 698 bins. 3000 = 50 * 60:
    # one Cooley-Tukey step.
    rng = _rng(2)
    a, b = rng.normal(size=length), rng.normal(size=length)
    np.testing.assert_allclose(ops.compute_interference_strength(a, b).item(), ref._interference_ref(a, b),
                               rtol=1e-9)
    np.testing.assert_allclose(ops.compute_phase_coherence(a, b).item(), ref._coherence_ref(a, b), rtol=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_half_spectrum_matches_numpy_rfft(dtype: str) -> None:
    eps = np.finfo(dtype).eps
    for length in list(range(1, 40)) + [64, 97, 210, 1000]:
        x = _rng(length).normal(size=(3, length)).astype(dtype)
        re, im = half_spectrum(T.convert_to_tensor(x))
        want = np.fft.rfft(x.astype(np.float64))
        scale = np.abs(x.astype(np.float64)).sum(-1, keepdims=True)
        # Within the snapping threshold 8 eps log2(L + 1) sum|x| (parts below it become 0).
        tol = 8 * eps * np.log2(length + 1)
        np.testing.assert_allclose(re.numpy() / scale, want.real / scale, rtol=0, atol=tol, err_msg=str(length))
        np.testing.assert_allclose(im.numpy() / scale, want.imag / scale, rtol=0, atol=tol, err_msg=str(length))


def test_phase_coherence_band_outside_the_spectrum_is_nan() -> None:
    w = _rng(3).normal(size=16)
    assert np.isnan(ops.compute_phase_coherence(w, w, freq_range=(0.6, 0.9)).item())


def test_partial_interference_windows_match_whole_signal_metric() -> None:
    rng = _rng(4)
    a, b = rng.normal(size=20), rng.normal(size=20)
    got = ops.partial_interference(a, b, window_size=9).numpy()
    assert got.shape == (12,)
    for i in (0, 5, 11):
        np.testing.assert_allclose(got[i], ops.compute_interference_strength(a[i:i + 9], b[i:i + 9]).item(),
                                   rtol=1e-12)


def test_energy_stability_of_steady_and_bursty_signals() -> None:
    steady = np.tile([1.0, -1.0], 50)
    assert ops.compute_energy_stability(steady, window_size=10).item() == pytest.approx(1.0)
    bursty = np.concatenate([np.zeros(50), np.full(50, 3.0)])
    e = np.array([0.0] * 5 + [90.0] * 5)
    assert ops.compute_energy_stability(bursty, window_size=10).item() == pytest.approx(1 / (1 + e.var() / e.mean()))


def test_normalize_vector_rows_have_unit_norm() -> None:
    x = _rng(5).normal(size=(4, 6))
    got = ops.normalize_vector(x, axis=1).numpy()
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, rtol=1e-12)


def test_vector_results_are_tensors_on_the_input_device() -> None:
    got = ops.cosine_similarity(T.convert_to_tensor([1.0, 0.0]), [0.0, 1.0])
    assert isinstance(got, T.EmberTensor) and got.device == "cpu" and got.shape == ()


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_is_exact_for_polynomials_of_its_order(edge_order: int) -> None:
    x = np.cumsum(_rng(6).uniform(0.1, 1.0, 9))
    f = 3.0 * x + 1.0 if edge_order == 1 else 2.0 * x**2 - x
    want = np.full_like(x, 3.0) if edge_order == 1 else 4.0 * x - 1.0
    got = ops.gradient(f, x, edge_order=edge_order).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_gradient_returns_a_tuple_per_axis_like_numpy() -> None:
    f = _rng(7).normal(size=(3, 4, 5))
    got = ops.gradient(f, axis=(0, 2))
    want = np.gradient(f, axis=(0, 2))
    assert isinstance(got, tuple) and isinstance(want, tuple) and len(got) == 2
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-12)
    assert isinstance(ops.gradient(f, axis=1), T.EmberTensor)


def test_gradient_with_a_0d_tensor_spacing() -> None:
    f = np.arange(6.0) ** 2
    np.testing.assert_allclose(ops.gradient(f, T.convert_to_tensor(np.float64(0.5))).numpy(),
                               np.gradient(f, 0.5), rtol=1e-12)


def test_gaussian_is_the_normal_density() -> None:
    x = np.linspace(-3, 3, 13)
    for mu, sigma in ((0.0, 1.0), (0.5, 2.0)):
        want = np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        np.testing.assert_allclose(stats.gaussian(x, mu=mu, sigma=sigma).numpy(), want, rtol=1e-13)
    assert str(stats.gaussian(np.array([1, 2], np.int32)).dtype) == "float32"


def test_real_bins_have_phase_zero_or_pi() -> None:
    # Length 4: DC bins 2 and 2 (phase 0 both), Nyquist bins -2 and +2 (phases pi and 0), and
    # bins 1, 3 equal to 0 in x (phase 0) and 0 in y. mean|d| = pi / 4, corr = -1.
    x, y = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0])
    assert ops.compute_interference_strength(x, y).item() == pytest.approx(-(1 - 0.25))
