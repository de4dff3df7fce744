"""Feature transformers (``ember_ml.nn.features``): PCA, standardization, normalization, one-hot.

``pca() standardize() normalize()`` are factories returning new transformers with
``fit / transform / fit_transform / inverse_transform``; ``PCA``, ``Standardize`` and
``Normalize`` are the classes. Everything composes front-end ops and returns EmberTensors.
"""
from ember_ml.nn.features.pca import PCA, pca
from ember_ml.nn.features.scalers import Normalize, Standardize, normalize, one_hot, standardize

__all__ = ["PCA", "Standardize", "Normalize", "pca", "standardize", "normalize", "one_hot"]
