"""Principal component analysis with scikit-learn's ``PCA(svd_solver='full')`` semantics."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml import _core
from ember_ml._checks import as_matrix, require_fitted
from ember_ml.ops import linearalg


def _svd_flip(u: Any, vt: Any) -> tuple[Any, Any]:
    """Signs fixed so the largest-magnitude entry of each row of ``vt`` is positive.

    scikit-learn's ``svd_flip(u, v, u_based_decision=False)``, which its ``PCA`` uses since
    version 1.5; it makes the components deterministic across SVD implementations.
    """
    pick = _core.equal(_core.argmax(_core.abs(vt), 1, True), _core.arange(vt.shape[1], device=vt.device))
    signs = _core.sign(_core.sum(_core.where(pick, vt, 0), 1))
    return _core.multiply(u, signs), _core.multiply(vt, _core.expand_dims(signs, 1))


def _check_n_components(owner: str, n_components: Any) -> int | float | None:
    valid = (n_components is None or (isinstance(n_components, int) and not isinstance(n_components, bool)
                                      and n_components >= 0)
             or (isinstance(n_components, float) and 0.0 < n_components < 1.0))
    if not valid:
        raise ValueError(f"[{owner}] n_components must be None, a non-negative int or a float in (0, 1), "
                         f"got {n_components!r}")
    return n_components


class PCA:
    """Linear dimensionality reduction by the SVD of the centred data (scikit-learn's ``PCA``).

    ``fit`` computes ``X - mean = U S Vt`` (``ops.linearalg.svd``, reduced), fixes signs
    with scikit-learn's ``svd_flip`` (v-based, as ``PCA`` since 1.5) and keeps the first
    ``n_components`` rows of ``Vt``. Attributes after ``fit`` (shapes with ``k`` components,
    ``p`` features, dtype of the data):

    * ``components_`` ``(k, p)``: principal axes, unit rows, by decreasing variance;
    * ``explained_variance_`` ``(k,)``: ``S**2 / (n_samples - 1)``;
    * ``explained_variance_ratio_`` ``(k,)``: share of the total variance;
    * ``singular_values_`` ``(k,)``; ``mean_`` ``(p,)``;
    * ``noise_variance_`` (0-d): mean of the discarded variances (0 when none is);
    * ``n_components_``, ``n_samples_``, ``n_features_in_`` (ints).

    Args:
        n_components: None (``min(n_samples, n_features)``), an int in
            ``[0, min(n_samples, n_features)]``, or a float in (0, 1): the fewest
            components whose cumulative explained-variance ratio exceeds it.
        whiten: Scale the projections to unit variance (divide by
            ``sqrt(explained_variance_)``, clamped below at the dtype's epsilon).

    Raises:
        ValueError: ``[PCA]`` for an n_components of the wrong kind (checked at
            construction) or out of range for the data (checked by ``fit``).
    """

    def __init__(self, n_components: int | float | None = None, whiten: bool = False) -> None:
        self.n_components = _check_n_components("PCA", n_components)
        self.whiten = whiten
        self.components_ = None

    def fit(self, X: Any, n_components: int | float | None = None, whiten: bool | None = None) -> "PCA":
        """Fits the model to ``X`` of shape ``(n_samples, n_features)``; integer data computes in float32.

        Args:
            X: the data.
            n_components: when given, replaces the constructor's (the documented
                ``fit(X, n_components=...)`` form); same rules.
            whiten: when given, replaces the constructor's.

        Raises:
            ValueError: ``[PCA.fit]`` for input that is not 2-D, fewer than 2 samples, or an
                int n_components above ``min(n_samples, n_features)``.
            TypeError: ``[svd]`` for float16 data (the SVD supports float32/float64).
        """
        if n_components is not None:
            self.n_components = _check_n_components("PCA.fit", n_components)
        if whiten is not None:
            self.whiten = whiten
        x = as_matrix("PCA.fit", X)
        n, p = x.shape
        if n < 2:
            raise ValueError(f"[PCA.fit] needs at least 2 samples to estimate variances, got {n}")
        rank = min(n, p)
        if isinstance(self.n_components, int) and self.n_components > rank:
            raise ValueError(f"[PCA.fit] n_components={self.n_components} must be at most "
                             f"min(n_samples, n_features)={rank}")
        self.mean_ = _core.mean(x, 0)
        u, s, vt = linearalg.svd(_core.subtract(x, self.mean_), full_matrices=False)
        _, vt = _svd_flip(u, vt)
        variance = _core.divide(_core.square(s), n - 1)
        ratio = _core.divide(variance, _core.sum(variance))
        if self.n_components is None:
            k = rank
        elif isinstance(self.n_components, float):
            # The number of components is data-dependent: scikit-learn's searchsorted(side='right') + 1.
            below = int(_core.sum(_core.less_equal(_core.cumsum(ratio), self.n_components)).item())
            k = min(below + 1, rank)
        else:
            k = self.n_components
        self.n_components_, self.n_samples_, self.n_features_in_ = k, n, p
        self.components_ = vt[:k]
        self.explained_variance_ = variance[:k]
        self.explained_variance_ratio_ = ratio[:k]
        self.singular_values_ = s[:k]
        self.noise_variance_ = _core.mean(variance[k:]) if k < rank else _core.zeros((), dtype=x.dtype)
        return self

    def _scale(self) -> Any:
        eps = float(np.finfo(str(self.explained_variance_.dtype)).eps)
        return _core.maximum(_core.sqrt(self.explained_variance_), eps)

    def transform(self, X: Any) -> Any:
        """Projects ``X`` ``(m, n_features)`` onto the components: ``(X - mean_) @ components_.T``, shape ``(m, k)``.

        Raises:
            ValueError: ``[PCA.transform]`` before ``fit``, or for X of the wrong shape.
        """
        require_fitted("PCA.transform", self.components_ is not None)
        x = as_matrix("PCA.transform", X, self.n_features_in_)
        out = _core.matmul(_core.subtract(x, self.mean_), _core.transpose(self.components_))
        return _core.divide(out, self._scale()) if self.whiten else out

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> Any:
        """Maps projections ``(m, k)`` back to feature space: ``X @ components_ + mean_`` (undoing whitening).

        Raises:
            ValueError: ``[PCA.inverse_transform]`` before ``fit``, or for X of the wrong shape.
        """
        require_fitted("PCA.inverse_transform", self.components_ is not None)
        x = as_matrix("PCA.inverse_transform", X, self.n_components_)
        components = self.components_
        if self.whiten:
            components = _core.multiply(components, _core.expand_dims(_core.sqrt(self.explained_variance_), 1))
        return _core.add(_core.matmul(x, components), self.mean_)


def pca(n_components: int | float | None = None, whiten: bool = False) -> PCA:
    """A new unfitted :class:`PCA` (factory of the original Ember ML's API)."""
    return PCA(n_components=n_components, whiten=whiten)
