"""Argument checks shared by the feature transformers."""
from __future__ import annotations

from typing import Any

from ember_ml.nn.modules.activations import as_floating


def as_matrix(name: str, x: Any, n_features: int | None = None) -> Any:
    """x as a floating ``(n_samples, n_features)`` tensor.

    Raises:
        ValueError: ``[name]`` for input that is not 2-D, or whose feature count differs from
            ``n_features`` (the count seen by ``fit``).
    """
    t = as_floating(x)
    if t.ndim != 2:
        raise ValueError(f"[{name}] expected a 2-D (n_samples, n_features) tensor, got shape {t.shape}")
    if n_features is not None and t.shape[1] != n_features:
        raise ValueError(f"[{name}] X has {t.shape[1]} features, but the transformer was fitted with {n_features}")
    return t


def require_fitted(name: str, fitted: bool) -> None:
    """Raises ``ValueError`` naming ``name`` unless the transformer has been fitted."""
    if not fitted:
        raise ValueError(f"[{name}] this transformer is not fitted yet; call fit first")
