"""Neural-network building blocks of Ember ML."""
from ember_ml.nn import tensor
from ember_ml.nn import container, features, initializers, modules, utils

__all__ = ["tensor", "features", "initializers", "modules", "container", "utils"]
