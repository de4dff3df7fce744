"""The documented ``ember_ml.nn.tensor.common.ember_tensor`` path: :class:`ember_ml.nn.tensor.EmberTensor`."""
from ember_ml.nn.tensor import EmberTensor

__all__ = ["EmberTensor"]
