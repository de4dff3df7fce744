"""Neural-network building blocks of Ember ML."""
from ember_ml.nn import tensor
from ember_ml.nn import features, modules

__all__ = ["tensor", "features", "modules"]
