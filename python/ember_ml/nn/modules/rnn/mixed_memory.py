"""The memory cell that ncps's ``mixed_memory=True`` runs before a CfC / LTC cell.

Lechner & Hasani 2020, "Learning long-term dependencies in irregularly-sampled time series"
(mixed-memory RNNs); layout and init as ``ncps.torch.lstm.LSTMCell``: one ``input_map``
(with bias) and one ``recurrent_map`` (without), gates stacked as (candidate, input,
forget, output), and a constant +1 on the forget gate.
"""
from __future__ import annotations

import math

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.linear import Linear
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.rnn._layers import uniform
from ember_ml.nn.modules.rnn.torch_style import lstm_cell_update
from ember_ml.nn.tensor import EmberTensor


class MixedMemoryCell(Module):
    """ncps's ``LSTMCell``: ``(x, (h, c)) -> (h', c')``.

    Args:
        input_size: input features ``C``.
        hidden_size: state size ``H``.
        forget_bias: the constant added to the forget gate's pre-activation: ncps's 1.0, or
            another value as the CfC paper's ``MixedCfcCell`` (raminmh/CfC ``tf_cfc.py``
            ``forget_bias``; 2.1 in its Walker2d BEST_MIXED).

    Shapes: ``forward(x (B, C), (h (B, H), c (B, H)))`` → ``(h' (B, H), c' (B, H))``, float32.
    Init as ncps: input weight xavier-uniform, input bias ``U(±0.1)``, recurrent weight orthogonal.
    The cell (and the fused ops) add ncps's constant 1; ``forget_bias - 1`` is added once to the
    forget slice of the initial input bias instead, which gives the same outputs and the same
    gradients as a constant ``forget_bias`` at every step of training (the bias enters the gate
    only through that sum, and nothing decays it).

    Raises:
        ValueError: ``[MixedMemoryCell]`` for a non-finite ``forget_bias``.
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 1.0) -> None:
        super().__init__()
        if not math.isfinite(forget_bias):
            raise ValueError(f"[MixedMemoryCell] forget_bias must be finite, got {forget_bias!r}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.forget_bias = float(forget_bias)
        self.input_map = Linear(input_size, 4 * hidden_size, init="xavier")
        self.input_map.bias = uniform((4 * hidden_size,), 0.1)
        if self.forget_bias != 1.0:
            shift = np.zeros(4 * hidden_size, dtype=np.float32)
            shift[2 * hidden_size:3 * hidden_size] = self.forget_bias - 1.0
            self.input_map.bias = Parameter(T.convert_to_tensor(self.input_map.bias.numpy() + shift))
        self.recurrent_map = Linear(hidden_size, 4 * hidden_size, bias=False)
        self.recurrent_map.weight = Parameter(ops.linearalg.orthogonal((4 * hidden_size, hidden_size)))

    def fused_memory(self, c0: EmberTensor) -> dict[str, EmberTensor]:
        """This cell as the ``mixed_memory`` argument of ``_core.cfc_sequence``: its weights and ``c0 (B, H)``."""
        return {"input_weight": self.input_map.weight, "input_bias": self.input_map.bias,
                "recurrent_weight": self.recurrent_map.weight, "c0": c0}

    def forward(self, x: EmberTensor, state: tuple[EmberTensor, EmberTensor]) -> tuple[EmberTensor, EmberTensor]:
        h, c = state
        z = ops.add(self.input_map(x), self.recurrent_map(h))
        candidate, input_gate, forget_gate, output_gate = T.split(z, 4, axis=1)
        return lstm_cell_update(candidate, input_gate, ops.add(forget_gate, 1.0), output_gate, c)
