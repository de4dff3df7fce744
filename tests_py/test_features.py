"""ember_ml.nn.features against NumPy computations (and scikit-learn when it is installed)."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import features
from ember_ml.nn import tensor as T

try:  # the NumPy comparisons always run; only the scikit-learn ones need it
    import sklearn.decomposition
    import sklearn.preprocessing
except ImportError:  # pragma: no cover - depends on the environment
    sklearn = None

needs_sklearn = pytest.mark.skipif(sklearn is None, reason="scikit-learn is not installed")


def _data(n=12, p=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, p)) @ rng.normal(size=(p, p)) + rng.normal(size=p) * 3).astype(dtype)


def _numpy_pca(x, k):
    """scikit-learn's PCA(svd_solver='full') written out with numpy.linalg.svd."""
    mean = x.mean(0)
    u, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt = vt * signs[:, None]
    var = s**2 / (x.shape[0] - 1)
    return {"mean_": mean, "components_": vt[:k], "explained_variance_": var[:k],
            "explained_variance_ratio_": (var / var.sum())[:k], "singular_values_": s[:k],
            "noise_variance_": var[k:].mean() if k < min(x.shape) else 0.0}


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("k", [None, 1, 3, 5])
def test_pca_attributes_and_projection_match_numpy(k, dtype, tol) -> None:
    x = _data(dtype=dtype)
    model = features.PCA(n_components=k).fit(x)
    want = _numpy_pca(x.astype(np.float64), 5 if k is None else k)
    assert model.n_components_ == (5 if k is None else k)
    for name, value in want.items():
        got = getattr(model, name).numpy()
        assert got.dtype == dtype, name
        np.testing.assert_allclose(got, value, rtol=tol, atol=tol * 10, err_msg=name)
    z = model.transform(x).numpy()
    np.testing.assert_allclose(z, (x - want["mean_"]) @ want["components_"].T, rtol=tol, atol=tol * 100)
    back = model.inverse_transform(z).numpy()
    if k in (None, 5):
        np.testing.assert_allclose(back, x, rtol=tol, atol=tol * 100)


def test_pca_whiten_gives_unit_variance_and_inverts() -> None:
    x = _data(n=40)
    model = features.pca(n_components=3, whiten=True)
    z = model.fit_transform(x).numpy()
    np.testing.assert_allclose(z.var(0, ddof=1), 1.0, rtol=1e-10)
    full = features.PCA(whiten=True).fit(x)
    np.testing.assert_allclose(full.inverse_transform(full.transform(x)).numpy(), x, rtol=1e-10, atol=1e-10)


def test_pca_float_n_components_selects_by_variance_ratio() -> None:
    x = _data(n=30, seed=3)
    ratio = _numpy_pca(x, 5)["explained_variance_ratio_"]
    for target in (0.5, 0.9, 0.999):
        want = int(np.searchsorted(np.cumsum(ratio), target, side="right") + 1)
        assert features.PCA(n_components=target).fit(x).n_components_ == want


def test_pca_wide_data_has_min_components() -> None:
    x = _data(n=3, p=6)
    model = features.PCA().fit(x)
    assert model.components_.shape == (3, 6)
    np.testing.assert_allclose(model.explained_variance_ratio_.numpy().sum(), 1.0, rtol=1e-12)


@needs_sklearn
@pytest.mark.parametrize("whiten", [False, True])
def test_pca_matches_scikit_learn(whiten: bool) -> None:
    x = _data(n=25, p=6, seed=5)
    ours = features.PCA(n_components=4, whiten=whiten).fit(x)
    theirs = sklearn.decomposition.PCA(n_components=4, whiten=whiten, svd_solver="full").fit(x)
    for name in ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_", "mean_"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.noise_variance_.item(), theirs.noise_variance_, rtol=1e-9)
    np.testing.assert_allclose(ours.transform(x).numpy(), theirs.transform(x), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("with_mean,with_std", [(True, True), (True, False), (False, True), (False, False)])
def test_standardize_matches_numpy(with_mean: bool, with_std: bool) -> None:
    x = _data(seed=1)
    x[:, 2] = 4.0  # a constant feature: scale 1, so it maps to 0 (with_mean) instead of NaN
    model = features.Standardize(with_mean=with_mean, with_std=with_std).fit(x)
    scale = np.where(np.arange(5) == 2, 1.0, x.std(0))
    want = (x - x.mean(0) if with_mean else x) / (scale if with_std else 1.0)
    got = model.transform(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.inverse_transform(got).numpy(), x, rtol=1e-12)
    if with_std:
        np.testing.assert_allclose(model.var_.numpy(), x.var(0), rtol=1e-12, atol=1e-20)
        np.testing.assert_allclose(model.scale_.numpy(), scale, rtol=1e-12)
    else:
        assert model.scale_ is None and model.var_ is None


@needs_sklearn
def test_standardize_matches_scikit_learn() -> None:
    x = _data(seed=2)
    x[:, 0] = -1.5
    theirs = sklearn.preprocessing.StandardScaler().fit(x)
    ours = features.standardize().fit(x)
    np.testing.assert_allclose(ours.scale_.numpy(), theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(x).numpy(), theirs.transform(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_normalize_rows_match_numpy(norm: str) -> None:
    x = _data(seed=4)
    x[3] = 0.0  # a zero row stays zero
    n = {"l1": np.abs(x).sum(1), "l2": np.sqrt((x**2).sum(1)), "max": np.abs(x).max(1)}[norm]
    want = x / np.where(n == 0, 1, n)[:, None]
    model = features.normalize(norm)
    got = model.fit_transform(x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-13)
    np.testing.assert_allclose(model.inverse_transform(got).numpy(), x, rtol=1e-13)
    other = _data(n=4, seed=9)  # transform uses each row's own norm, not the fitted ones
    no = {"l1": np.abs(other).sum(1), "l2": np.sqrt((other**2).sum(1)), "max": np.abs(other).max(1)}[norm]
    np.testing.assert_allclose(model.transform(other).numpy(), other / no[:, None], rtol=1e-13)
    if sklearn is not None:
        np.testing.assert_allclose(got, sklearn.preprocessing.normalize(x, norm=norm), rtol=1e-13)


@pytest.mark.parametrize("axis", [-1, 0, 1, -2])
def test_one_hot_matches_numpy_eye(axis: int) -> None:
    idx = np.array([[0, 3, 1], [2, 2, 0]])
    want = np.moveaxis(np.eye(4, dtype=np.float32)[idx], -1, axis)
    got = features.one_hot(idx, 4, axis=axis)
    assert str(got.dtype) == "float32"
    np.testing.assert_array_equal(got.numpy(), want, strict=True)
    as_int = features.one_hot(T.convert_to_tensor(idx.astype(np.uint8)), 4, axis=axis, dtype="int64")
    np.testing.assert_array_equal(as_int.numpy(), want.astype(np.int64), strict=True)
