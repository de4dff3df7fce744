"""Neural-network building blocks of Ember ML."""
from ember_ml.nn import tensor

__all__ = ["tensor"]
