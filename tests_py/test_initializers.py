"""nn.initializers: statistics at fixed seeds, orthogonality, fans, dtype / device, seeding, lookup."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import initializers as init
from ember_ml.nn import tensor as T

SHAPE = (200, 300)  # 60000 draws


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)),
    ((3, 3, 16, 32), (3 * 3 * 16, 3 * 3 * 32)),  # Keras: receptive field times channels
    ((2, 5, 4, 6), (2 * 5 * 4, 2 * 5 * 6)),
])
def test_compute_fans_follows_keras(shape, fans) -> None:
    assert init.compute_fans(shape) == fans


@pytest.mark.parametrize("shape", [SHAPE, (5, 5, 20, 30)])
def test_glorot_uniform_bounds_and_variance(shape) -> None:
    fan_in, fan_out = init.compute_fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    drawn = init.glorot_uniform(shape, seed=0).numpy()
    assert drawn.shape == shape and drawn.dtype == np.float32
    x = drawn.astype(np.float64)
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    # Glorot & Bengio 2010: Var = limit^2 / 3 = 2 / (fan_in + fan_out); 60000 draws give a 0.4 % standard error.
    np.testing.assert_allclose(x.var(), 2.0 / (fan_in + fan_out), rtol=0.02)
    assert abs(x.mean()) < 4 * np.sqrt(x.var() / x.size)


@pytest.mark.parametrize("shape", [SHAPE, (5, 5, 20, 30)])
def test_glorot_normal_moments(shape) -> None:
    fan_in, fan_out = init.compute_fans(shape)
    x = init.glorot_normal(shape, seed=1).numpy().astype(np.float64)
    np.testing.assert_allclose(x.var(), 2.0 / (fan_in + fan_out), rtol=0.03)  # std error sqrt(2/n) = 0.6 %
    assert abs(x.mean()) < 4 * np.sqrt(x.var() / x.size)
    kurtosis = ((x - x.mean()) ** 4).mean() / x.var() ** 2
    assert abs(kurtosis - 3.0) < 0.1, "an untruncated normal has kurtosis 3"


def test_random_uniform_and_normal_use_keras_defaults() -> None:
    u = init.random_uniform(SHAPE, seed=2).numpy().astype(np.float64)
    assert u.min() >= -0.05 and u.max() < 0.05
    np.testing.assert_allclose(u.var(), 0.1 ** 2 / 12, rtol=0.02)
    n = init.random_normal(SHAPE, seed=3).numpy().astype(np.float64)
    np.testing.assert_allclose(n.std(), 0.05, rtol=0.015)
    w = init.random_uniform((1000,), seed=2, minval=2.0, maxval=3.0).numpy()
    assert w.min() >= 2.0 and w.max() < 3.0


@pytest.mark.parametrize("shape", [(64, 64), (20, 50), (50, 20), (3, 4, 5)])
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_orthogonal_is_semi_orthogonal(shape, dtype, tol) -> None:
    q = init.orthogonal(shape, dtype=dtype, seed=4).numpy()
    assert q.shape == shape and q.dtype == np.dtype(dtype)
    m = q.reshape(-1, shape[-1]).astype(np.float64)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T  # identity on the smaller side (Saxe et al. 2014)
    np.testing.assert_allclose(gram, np.eye(min(m.shape)), atol=tol)


def test_orthogonal_gain_scales() -> None:
    q = init.orthogonal((8, 8), gain=2.0, dtype="float64", seed=5).numpy()
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(8), atol=1e-12)
    np.testing.assert_allclose(q, 2.0 * init.orthogonal((8, 8), dtype="float64", seed=5).numpy(), atol=1e-12)


def test_binomial_draws_zeros_and_ones_with_probability() -> None:
    b = init.BinomialInitializer(probability=0.3, seed=6)(SHAPE).numpy()
    assert b.dtype == np.float32 and set(np.unique(b)) == {0.0, 1.0}
    assert abs(b.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / b.size)
    np.testing.assert_array_equal(init.binomial(SHAPE, probability=0.3, seed=6).numpy(), b)
    assert init.binomial((50,), probability=0.0, seed=1).numpy().sum() == 0
    assert init.binomial((50,), probability=1.0, seed=1).numpy().sum() == 50
    assert init.BinomialInitializer(0.25, seed=9).get_config() == {"probability": 0.25, "seed": 9}
    with pytest.raises(ValueError, match=r"^\[BinomialInitializer\]"):
        init.BinomialInitializer(1.5)


NAMES = ["glorot_uniform", "glorot_normal", "orthogonal", "zeros", "ones", "random_uniform", "random_normal",
         "binomial"]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_device_and_seed_are_honoured(name) -> None:
    fn = init.get_initializer(name)
    x = fn((6, 4), dtype="float64", device="cpu", seed=7)
    assert isinstance(x, T.EmberTensor) and x.dtype == "float64" and x.device == "cpu" and x.shape == (6, 4)
    assert fn((6, 4)).dtype == "float32"
    np.testing.assert_array_equal(fn((6, 4), seed=7).numpy(), fn((6, 4), seed=7).numpy())
    with pytest.raises(ValueError, match=r"unknown device 'gpu'"):
        fn((2, 2), device="gpu")


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "orthogonal", "random_uniform",
                                  "random_normal", "binomial"])
def test_different_seeds_give_different_values(name) -> None:
    fn = init.get_initializer(name)
    assert not np.array_equal(fn((6, 4), seed=1).numpy(), fn((6, 4), seed=2).numpy())


def test_constants() -> None:
    np.testing.assert_array_equal(init.zeros((2, 3)).numpy(), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(init.ones((4,), dtype="int32").numpy(), np.ones(4, np.int32))


def test_get_initializer_lookup() -> None:
    assert init.get_initializer("glorot_uniform") is init.glorot_uniform
    custom = lambda shape, dtype=None, device=None, seed=None: init.ones(shape, dtype)  # noqa: E731
    assert init.get_initializer(custom) is custom
    with pytest.raises(ValueError, match=r"^\[get_initializer\] unknown initializer 'he_normal'.*glorot_uniform"):
        init.get_initializer("he_normal")
    with pytest.raises(TypeError, match=r"^\[get_initializer\]"):
        init.get_initializer(3)
