"""Neural-network modules of Ember ML; for now the activation functions."""
from ember_ml.nn.modules import activations

__all__ = ["activations"]
