"""Ember ML: backend-agnostic machine learning with a C++ engine."""
from ember_ml import _core  # noqa: F401
