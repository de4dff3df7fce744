"""Per-feature standardization and per-sample normalization (scikit-learn's ``StandardScaler`` /
``Normalizer`` semantics) and the ``one_hot`` encoding."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml import _core
from ember_ml._checks import as_matrix, require_fitted
from ember_ml.nn.tensor import EmberTensor, bool_, convert_to_tensor, get_dtype
from ember_ml.ops._axis import normalize_axis


class Standardize:
    """``(X - mean_) / scale_`` per feature (column), as scikit-learn's ``StandardScaler``.

    After ``fit`` (``p`` features, dtype of the data): ``mean_`` ``(p,)``, ``var_`` ``(p,)``
    (population variance, ``numpy.var``) and ``scale_ = sqrt(var_)`` ``(p,)``, where a
    feature whose variance is within rounding of 0 (scikit-learn's test
    ``var <= n eps var + (n mean eps)**2``, eps of the data's dtype) gets scale 1, so
    constant features map to 0 rather than NaN. ``var_``/``scale_`` are None without
    ``with_std``. (The original Ember ML clipped the variance at 1e-8 instead.)

    Args:
        with_mean: Subtract the mean.
        with_std: Divide by the standard deviation.
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std
        self.mean_ = None

    def fit(self, X: Any, with_mean: bool | None = None, with_std: bool | None = None) -> "Standardize":
        """Learns the per-feature statistics of ``X`` ``(n_samples, n_features)``.

        Args:
            X: the data.
            with_mean, with_std: when given, replace the constructor's (the documented
                ``fit(X, with_mean=, with_std=)`` form).

        Raises:
            ValueError: ``[Standardize.fit]`` for input that is not 2-D or has no samples.
        """
        self.with_mean = self.with_mean if with_mean is None else with_mean
        self.with_std = self.with_std if with_std is None else with_std
        x = as_matrix("Standardize.fit", X)
        n = x.shape[0]
        if n == 0:
            raise ValueError("[Standardize.fit] X has no samples")
        self.n_features_in_, self.n_samples_seen_ = x.shape[1], n
        self.mean_ = _core.mean(x, 0)
        self.var_ = self.scale_ = None
        if self.with_std:
            self.var_ = _core.var(x, 0)
            eps = float(np.finfo(str(x.dtype)).eps)
            bound = _core.add(_core.multiply(self.var_, n * eps), _core.square(_core.multiply(self.mean_, n * eps)))
            self.scale_ = _core.where(_core.less_equal(self.var_, bound), 1, _core.sqrt(self.var_))
        return self

    def transform(self, X: Any) -> Any:
        """Standardizes ``X`` ``(m, n_features)``; same shape, floating dtype.

        Raises:
            ValueError: ``[Standardize.transform]`` before ``fit`` or for X of the wrong shape.
        """
        require_fitted("Standardize.transform", self.mean_ is not None)
        x = as_matrix("Standardize.transform", X, self.n_features_in_)
        if self.with_mean:
            x = _core.subtract(x, self.mean_)
        return _core.divide(x, self.scale_) if self.with_std else x

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> Any:
        """``X * scale_ + mean_`` (each part only when enabled); same shape as X.

        Raises:
            ValueError: ``[Standardize.inverse_transform]`` before ``fit`` or for X of the wrong shape.
        """
        require_fitted("Standardize.inverse_transform", self.mean_ is not None)
        x = as_matrix("Standardize.inverse_transform", X, self.n_features_in_)
        if self.with_std:
            x = _core.multiply(x, self.scale_)
        return _core.add(x, self.mean_) if self.with_mean else x


_NORMS = ("l1", "l2", "max")


def _row_norms(x: Any, norm: str, axis: int = 1) -> Any:
    """Norms along ``axis`` (1: per row, shape (n, 1); 0: per column, (1, p)); zero norms become 1 (scikit-learn)."""
    if norm == "l1":
        r = _core.sum(_core.abs(x), axis, True)
    elif norm == "l2":
        r = _core.sqrt(_core.sum(_core.square(x), axis, True))
    else:
        r = _core.max(_core.abs(x), axis, True)
    return _core.where(_core.equal(r, 0), 1, r)


def _check_normalize(owner: str, norm: str, axis: int) -> tuple[str, int]:
    if norm not in _NORMS:
        raise ValueError(f"[{owner}] norm must be 'l1', 'l2' or 'max', got {norm!r}")
    if axis not in (0, 1, -1, -2) or isinstance(axis, bool):
        raise ValueError(f"[{owner}] axis must be 0 (features) or 1 (samples) of a 2-D input, got {axis!r}")
    return norm, axis % 2


class Normalize:
    """Scales each sample (row) to unit norm, as scikit-learn's ``normalize`` / ``Normalizer``.

    ``transform(X) = X / ||X_i||`` per row with ``||.||`` the L1 (``sum |x|``), L2
    (``sqrt(sum x**2)``) or max (``max |x|``) norm; rows of norm 0 are left unchanged.
    Transforming needs no statistics; ``fit`` records the row norms ``norms_`` ``(n, 1)`` of
    the data it saw, which ``inverse_transform`` multiplies back (so
    ``inverse_transform(fit_transform(X)) == X``). The original Ember ML divided every
    later X by the norms of the fitted rows; here each row uses its own norm.

    Args:
        norm: ``'l1'``, ``'l2'`` or ``'max'``.
        axis: 1 normalises each sample (row, scikit-learn's default), 0 each feature (column).

    Raises:
        ValueError: ``[Normalize]`` for another norm or axis.
    """

    def __init__(self, norm: str = "l2", axis: int = 1) -> None:
        self.norm, self.axis = _check_normalize("Normalize", norm, axis)
        self.norms_ = None

    def fit(self, X: Any, norm: str | None = None, axis: int | None = None) -> "Normalize":
        """Records the norms of ``X`` ``(n_samples, n_features)`` along ``axis`` for ``inverse_transform``.

        Args:
            X: the data.
            norm, axis: when given, replace the constructor's (the documented
                ``fit(X, norm=, axis=)`` form).

        Raises:
            ValueError: ``[Normalize.fit]`` for input that is not 2-D, another norm or axis.
        """
        self.norm, self.axis = _check_normalize("Normalize.fit", self.norm if norm is None else norm,
                                                self.axis if axis is None else axis)
        x = as_matrix("Normalize.fit", X)
        self.n_features_in_ = x.shape[1]
        self.norms_ = _row_norms(x, self.norm, self.axis)
        return self

    def transform(self, X: Any) -> Any:
        """Each row (``axis=1``) or column (``axis=0``) of ``X`` ``(m, n_features)`` divided by its own norm.

        Returns the same shape, floating dtype.

        Raises:
            ValueError: ``[Normalize.transform]`` for input that is not 2-D.
        """
        x = as_matrix("Normalize.transform", X)
        return _core.divide(x, _row_norms(x, self.norm, self.axis))

    def fit_transform(self, X: Any) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> Any:
        """Rows of ``X`` multiplied by the norms recorded by ``fit``; X must have as many rows.

        Raises:
            ValueError: ``[Normalize.inverse_transform]`` before ``fit`` or for X whose shape
                differs from the fitted data's.
        """
        require_fitted("Normalize.inverse_transform", self.norms_ is not None)
        x = as_matrix("Normalize.inverse_transform", X, self.n_features_in_)
        if self.axis == 1 and x.shape[0] != self.norms_.shape[0]:
            raise ValueError(f"[Normalize.inverse_transform] X has {x.shape[0]} rows, but fit saw "
                             f"{self.norms_.shape[0]}")
        return _core.multiply(x, self.norms_)


def standardize(with_mean: bool = True, with_std: bool = True) -> Standardize:
    """A new unfitted :class:`Standardize` (factory of the original Ember ML's API)."""
    return Standardize(with_mean=with_mean, with_std=with_std)


def normalize(norm: str = "l2", axis: int = 1) -> Normalize:
    """A new :class:`Normalize` (factory of the original Ember ML's API)."""
    return Normalize(norm=norm, axis=axis)


def one_hot(indices: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> EmberTensor:
    """One-hot encoding: ``out[..., c, ...] = 1 if indices[...] == c else 0`` with the class axis at ``axis``.

    Args:
        indices: Integer tensor of class indices in ``[0, num_classes)``, any shape S.
        num_classes: Positive int C.
        axis: Position of the new class axis in the result (negative counts from the end
            of the result's ``len(S) + 1`` axes; -1 appends it, as ``tf.one_hot``).
        dtype: Result dtype (default float32).

    Returns:
        Tensor of shape S with C inserted at ``axis``, on the device of indices.

    Raises:
        TypeError: ``[one_hot]`` for floating or bool indices or a non-int axis; ``[get_dtype]`` for
            an unknown dtype.
        ValueError: ``[one_hot]`` for a num_classes that is not a positive int.
        IndexError: ``[one_hot]`` for an index outside ``[0, num_classes)`` or an axis out of range.
    """
    idx = convert_to_tensor(indices)
    if idx.dtype.is_floating_point or idx.dtype == bool_:
        raise TypeError(f"[one_hot] indices must have an integer dtype, got {idx.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"[one_hot] num_classes must be a positive int, got {num_classes!r}")
    ndim = idx.ndim + 1
    axis = normalize_axis("one_hot", axis, ndim)
    if idx.size:
        low, high = _core.min(idx).item(), _core.max(idx).item()
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise IndexError(f"[one_hot] index {bad} is out of range for num_classes={num_classes}")
    out_dtype = get_dtype(dtype) if dtype is not None else get_dtype("float32")
    classes = _core.arange(num_classes, device=idx.device)
    classes = _core.reshape(classes, tuple(-1 if i == axis else 1 for i in range(ndim)))
    return _core.cast(_core.equal(_core.expand_dims(idx, axis), classes), out_dtype)
