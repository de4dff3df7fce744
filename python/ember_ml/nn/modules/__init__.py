"""Neural-network modules of Ember ML; for now the activation functions."""
from ember_ml.nn.modules import activations

# Wirings (NCP connectivity): the Ember names of ember_ml.nn.modules.wiring.
from ember_ml.nn.modules import wiring
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap

__all__ = ["activations"]
__all__ += ["wiring", "NeuronMap", "NCPMap", "AutoNCPMap", "FullyConnectedMap", "RandomMap"]
