"""Recurrent layers: CfC and LTC (ncps.torch parity), NCP / AutoNCP, LSTM, GRU, RNN, CTRNN, CTGRU."""
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.cfc_cell import CfCCell, WiredCfCCell, cfc_step
from ember_ml.nn.modules.rnn.ctgru import CTGRU, ctgru_step
from ember_ml.nn.modules.rnn.ctrnn import CTRNN, ctrnn_step
from ember_ml.nn.modules.rnn.from_ncps import from_ncps
from ember_ml.nn.modules.rnn.ltc import LTC
from ember_ml.nn.modules.rnn.ltc_cell import LTCCell, ltc_step
from ember_ml.nn.modules.rnn.ncp import NCP, AutoNCP
from ember_ml.nn.modules.rnn.torch_style import GRU, LSTM, RNN

__all__ = ["CfC", "CfCCell", "WiredCfCCell", "cfc_step", "LTC", "LTCCell", "ltc_step", "NCP", "AutoNCP", "LSTM",
           "GRU", "RNN", "CTRNN", "ctrnn_step", "CTGRU", "ctgru_step", "from_ncps"]
