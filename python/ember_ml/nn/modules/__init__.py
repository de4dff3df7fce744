"""Neural-network modules of Ember ML: the ``Module`` base, parameters, activations and wirings."""
from ember_ml.nn.modules import activations, wiring
from ember_ml.nn.modules.activations import Dropout, LeCunTanh, ReLU, Sigmoid, Softmax, Softplus, Tanh
from ember_ml.nn.modules.module import BaseModule, Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap

__all__ = ["activations", "Module", "BaseModule", "Parameter", "ReLU", "Tanh", "Sigmoid", "Softmax", "Softplus",
           "LeCunTanh", "Dropout", "wiring", "NeuronMap", "NCPMap", "AutoNCPMap", "FullyConnectedMap", "RandomMap"]
