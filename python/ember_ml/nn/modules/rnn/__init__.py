"""The recurrent engine: ncps.torch-style layers and cells (public under :mod:`ember_ml.ncps`).

CfC and LTC (ncps.torch parity), LSTM, GRU, RNN, CTRNN, CTGRU and their step functions.
The documented Ember ML layers of :mod:`ember_ml.nn.modules` (``CfC(neuron_map)``, ``RNN``
stacks, ``NCP``) run these.
"""
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.cfc_cell import CfCCell, WiredCfCCell, cfc_step
from ember_ml.nn.modules.rnn.ctgru import CTGRU, ctgru_step
from ember_ml.nn.modules.rnn.ctrnn import CTRNN, ctrnn_step
from ember_ml.nn.modules.rnn.from_ncps import from_ncps
from ember_ml.nn.modules.rnn.ltc import LTC
from ember_ml.nn.modules.rnn.ltc_cell import LTCCell, ltc_step
from ember_ml.nn.modules.rnn.torch_style import GRU, LSTM, RNN

__all__ = ["CfC", "CfCCell", "WiredCfCCell", "cfc_step", "LTC", "LTCCell", "ltc_step", "LSTM", "GRU", "RNN",
           "CTRNN", "ctrnn_step", "CTGRU", "ctgru_step", "from_ncps"]
