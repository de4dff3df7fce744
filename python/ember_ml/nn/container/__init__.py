"""The documented ``ember_ml.nn.container`` path: the layers of :mod:`ember_ml.nn.modules` (the same classes)."""
from ember_ml.nn.modules.activations import Dropout
from ember_ml.nn.modules.containers import Sequential
from ember_ml.nn.modules.linear import Dense, Linear
from ember_ml.nn.modules.normalization import BatchNormalization

__all__ = ["Sequential", "Linear", "Dense", "BatchNormalization", "Dropout"]
