"""``CTGRU``: the continuous-time GRU of Mozer, Kazakov & Lindsey 2017 ("Discrete event,
continuous time RNNs"), as in Hasani et al.'s CT-GRU baseline (liquid_time_constant_networks)."""
from __future__ import annotations

import math
from typing import Any

from ember_ml import ops
from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import softmax, tanh
from ember_ml.nn.modules.linear import Linear
from ember_ml.nn.modules.rnn._sequence import RecurrentLayer, State
from ember_ml.nn.tensor import EmberTensor


def ctgru_step(inputs: EmberTensor, h_hat: EmberTensor, elapsed: Any, layers: dict[str, Linear],
               ln_tau: EmberTensor) -> tuple[EmberTensor, EmberTensor]:
    """One CT-GRU step over ``M`` time scales ``tau_k`` (``ln_tau``, ``(M,)``).

    With ``h = sum_k h_hat_k``: retrieval weights ``r = softmax_k(-(ln tau_r(x, h) - ln tau_k)^2)``,
    signal ``q = tanh(W_q [x, sum_k r_k h_hat_k] + b)``, storage weights ``s`` as ``r`` from
    ``ln tau_s(x, h)``; then ``h_hat_k' = ((1 - s_k) h_hat_k + s_k q) exp(-elapsed / tau_k)``.

    Args:
        inputs: float32 ``(B, C)``; h_hat: float32 ``(B, H, M)``; elapsed: float or ``(B, 1)``.
        layers: ``tau_r``, ``tau_s`` (``C + H -> H*M``) and ``detect_signal`` (``C + H -> H``).
        ln_tau: float32 ``(M,)``.

    Returns:
        ``(h (B, H), h_hat' (B, H, M))``.
    """
    batch, units, scales = h_hat.shape
    h = ops.stats.sum(h_hat, axis=2)
    fused = T.concatenate([inputs, h], axis=1)

    def scale_weights(layer: Linear) -> EmberTensor:
        ln = T.reshape(layer(fused), (batch, units, scales))
        return softmax(ops.negative(ops.square(ops.subtract(ln, ln_tau))), axis=2)

    retrieved = ops.stats.sum(ops.multiply(scale_weights(layers["tau_r"]), h_hat), axis=2)
    q = T.expand_dims(tanh(layers["detect_signal"](T.concatenate([inputs, retrieved], axis=1))), -1)
    s = scale_weights(layers["tau_s"])
    elapsed = T.expand_dims(elapsed, -1) if isinstance(elapsed, EmberTensor) else elapsed
    decay = ops.exp(ops.negative(ops.divide(elapsed, ops.exp(ln_tau))))
    h_hat = ops.multiply(ops.add(ops.multiply(ops.subtract(1.0, s), h_hat), ops.multiply(s, q)), decay)
    return ops.stats.sum(h_hat, axis=2), h_hat


class CTGRU(RecurrentLayer):
    """Continuous-time GRU layer (see :func:`ctgru_step`); output ``h = sum_k h_hat_k``.

    Args:
        input_size: input features ``C``.
        units: number of units ``H``.
        num_timescales: ``M`` time scales ``tau_k = 10**(k/2)``, ``k = 0..M-1`` (Hasani et al.'s table; default 8).
        return_sequences, batch_first: see :class:`RecurrentLayer`.

    The state is ``h_hat`` flattened to ``(B, H*M)``; parameters are the ``Linear`` maps
    ``tau_r``, ``tau_s`` and ``detect_signal``; buffer ``ln_tau (M,)``.
    ``forward(input, hx=None, timespans=None, mask=None)`` → ``(output (…, H), h_hat (B, H*M))``.

    Raises:
        ValueError: ``[CTGRU]`` for non-positive sizes or a bad input.
    """

    def __init__(self, input_size: int, units: int, num_timescales: int = 8, return_sequences: bool = True,
                 batch_first: bool = True) -> None:
        super().__init__(check_min_int("CTGRU", "input_size", input_size), return_sequences, batch_first)
        self.units = check_min_int("CTGRU", "units", units)
        self.num_timescales = check_min_int("CTGRU", "num_timescales", num_timescales)
        fused = input_size + units
        self.tau_r = Linear(fused, units * num_timescales)
        self.tau_s = Linear(fused, units * num_timescales)
        self.detect_signal = Linear(fused, units)
        self.register_buffer("ln_tau", T.convert_to_tensor([0.5 * k * math.log(10.0) for k in range(num_timescales)],
                                                           dtype=T.float32))
        self.state_sizes = (units * num_timescales,)

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        h_hat = T.reshape(state[0], (state[0].shape[0], self.units, self.num_timescales))
        layers = {"tau_r": self.tau_r, "tau_s": self.tau_s, "detect_signal": self.detect_signal}
        h, h_hat = ctgru_step(inputs, h_hat, elapsed, layers, self.ln_tau)
        return h, (T.reshape(h_hat, (h_hat.shape[0], self.units * self.num_timescales)),)
