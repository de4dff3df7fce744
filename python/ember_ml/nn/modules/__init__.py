"""Neural-network modules of Ember ML: the ``Module`` base, parameters, containers, layers, activations and wirings."""
from ember_ml.nn.modules import activations, wiring
from ember_ml.nn.modules.activations import Dropout, LeCunTanh, ReLU, Sigmoid, Softmax, Softplus, Tanh
from ember_ml.nn.modules.module import BaseModule, Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.rnn import CTGRU, CTRNN, GRU, LSTM, LTC, NCP, RNN, AutoNCP, CfC, from_ncps
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap
from ember_ml.nn.modules.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ember_ml.nn.modules.linear import Dense, Linear
from ember_ml.nn.modules.normalization import BatchNormalization

__all__ = ["activations", "Module", "BaseModule", "Parameter", "ReLU", "Tanh", "Sigmoid", "Softmax", "Softplus",
           "LeCunTanh", "Dropout", "wiring", "NeuronMap", "NCPMap", "AutoNCPMap", "FullyConnectedMap", "RandomMap"]
__all__ += ["ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Sequential", "Dense", "Linear",
            "BatchNormalization"]
__all__ += ["CfC", "LTC", "NCP", "AutoNCP", "LSTM", "GRU", "RNN", "CTRNN", "CTGRU", "from_ncps"]
