"""Drop-in replacement for ``ncps.torch`` (ncps 1.0.1): the ncps-style recurrent layers of Ember ML.

``from ember_ml.ncps import CfC, LTC`` gives layers with ncps.torch's arguments, parameter
names and numerics, run by Ember ML's fused C++ ops: ``CfC(input_size, units, ...)``,
``forward(input, hx=None, timespans=None, mask=None) -> (output, hx)``. :mod:`ember_ml.ncps.wirings`
is :mod:`ember_ml.wirings` (``ncps.wirings``). :func:`from_ncps` converts a built
``ncps.torch`` layer, weights included. The documented Ember ML layers
(``ember_ml.nn.modules.CfC(neuron_map, ...)``, Keras-style ``return_state``) run these.
"""
from ember_ml.ncps import wirings
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.cfc_cell import CfCCell, WiredCfCCell
from ember_ml.nn.modules.rnn.ctgru import CTGRU
from ember_ml.nn.modules.rnn.ctrnn import CTRNN
from ember_ml.nn.modules.rnn.from_ncps import from_ncps
from ember_ml.nn.modules.rnn.ltc import LTC
from ember_ml.nn.modules.rnn.ltc_cell import LTCCell
from ember_ml.nn.modules.rnn.mixed_memory import MixedMemoryCell
from ember_ml.nn.modules.rnn.torch_style import GRU, LSTM, RNN

__all__ = ["CfC", "LTC", "CfCCell", "LTCCell", "WiredCfCCell", "MixedMemoryCell", "LSTM", "GRU", "RNN", "CTRNN",
           "CTGRU", "from_ncps", "wirings"]
