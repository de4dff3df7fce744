"""Neural-network modules of Ember ML: the ``Module`` base, parameters, containers, layers, activations and wirings.

The recurrent layers here have Ember ML's documented signatures: ``NCP(neuron_map)`` /
``AutoNCP(units, output_size)`` cells, ``CfC(neuron_map)`` / ``LTC(neuron_map)`` and
``RNN`` / ``LSTM`` / ``GRU(input_size, hidden_size, num_layers=1, ...)``, ``CTRNN(units)``,
``CTGRU(units)`` with Keras-style ``return_state``. The ncps.torch-style layers they run are
in :mod:`ember_ml.ncps`; :func:`from_ncps` converts an ``ncps.torch`` layer to one of those.
"""
from ember_ml.nn.modules import activations, wiring
from ember_ml.nn.modules.activations import GELU, Dropout, LeCunTanh, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh
from ember_ml.nn.modules.module import BaseModule, Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap
from ember_ml.nn.modules.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from ember_ml.nn.modules.linear import Dense, Linear
from ember_ml.nn.modules.normalization import BatchNormalization
from ember_ml.nn.modules.ncp import NCP, AutoNCP
from ember_ml.nn.modules.liquid import CTGRU, CTRNN, LTC, CfC
from ember_ml.nn.modules.rnn.from_ncps import from_ncps
from ember_ml.nn.modules.recurrent import GRU, LSTM, RNN

__all__ = [
    "activations", "Module", "BaseModule", "Parameter", "ReLU", "Tanh", "Sigmoid", "Softmax", "Softplus",
    "LeCunTanh", "SiLU", "GELU", "Dropout", "wiring", "NeuronMap", "NCPMap", "AutoNCPMap", "FullyConnectedMap",
    "RandomMap", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Sequential", "Dense", "Linear",
    "BatchNormalization", "CfC", "LTC", "NCP", "AutoNCP", "LSTM", "GRU", "RNN", "CTRNN", "CTGRU", "from_ncps",
]
