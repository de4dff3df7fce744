"""``LSTM``, ``GRU`` and ``RNN`` (Elman): single-layer recurrent layers with ``torch.nn``'s numerics.

Equations and parameter names (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``; gates stacked in PyTorch's order) are those of ``torch.nn.LSTM`` /
``GRU`` / ``RNN`` (Hochreiter & Schmidhuber 1997; Cho et al. 2014; Elman 1990), so weights
copied from a single-layer torch module give the same outputs. The calling convention is
the Ember / ncps one (:class:`RecurrentLayer`): ``batch_first`` defaults to True and ``hx``
is ``(B, H)`` (no leading ``num_layers`` axis).
"""
from __future__ import annotations

import math
from typing import Any

from ember_ml import ops
from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import relu, sigmoid, tanh
from ember_ml.nn.modules.rnn._layers import linear, uniform
from ember_ml.nn.modules.rnn._sequence import RecurrentLayer, State
from ember_ml.nn.tensor import EmberTensor


def lstm_cell_update(candidate: EmberTensor, input_gate: EmberTensor, forget_gate: EmberTensor,
                     output_gate: EmberTensor, c: EmberTensor) -> tuple[EmberTensor, EmberTensor]:
    """The LSTM state update from gate pre-activations, each ``(B, H)``.

    ``c' = sigmoid(f) * c + sigmoid(i) * tanh(g)``, ``h' = sigmoid(o) * tanh(c')``.

    Returns:
        ``(h', c')``, each ``(B, H)``.
    """
    new_c = ops.add(ops.multiply(c, sigmoid(forget_gate)), ops.multiply(tanh(candidate), sigmoid(input_gate)))
    return ops.multiply(tanh(new_c), sigmoid(output_gate)), new_c


class _TorchStyleRNN(RecurrentLayer):
    """Parameters laid out as ``torch.nn.RNNBase`` (one layer, one direction), init ``U(±1/sqrt(H))``."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, return_sequences: bool = True,
                 batch_first: bool = True) -> None:
        name = type(self).__name__
        super().__init__(check_min_int(name, "input_size", input_size), return_sequences, batch_first)
        self.hidden_size = check_min_int(name, "hidden_size", hidden_size)
        bound = 1.0 / math.sqrt(hidden_size)
        rows = self.gates * hidden_size
        self.weight_ih_l0 = uniform((rows, input_size), bound)
        self.weight_hh_l0 = uniform((rows, hidden_size), bound)
        self.bias_ih_l0 = uniform((rows,), bound) if bias else None
        self.bias_hh_l0 = uniform((rows,), bound) if bias else None
        self.state_sizes = (hidden_size,) * (2 if self.gates == 4 else 1)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (``bias`` read from the presence of the bias parameters)."""
        config = {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias_ih_l0 is not None,
                  "return_sequences": self.return_sequences, "batch_first": self.batch_first}
        return config | ({"nonlinearity": self.nonlinearity} if hasattr(self, "nonlinearity") else {})

    def _maps(self, x: EmberTensor, h: EmberTensor) -> tuple[list[EmberTensor], list[EmberTensor]]:
        gx = linear(x, self.weight_ih_l0, self.bias_ih_l0)
        gh = linear(h, self.weight_hh_l0, self.bias_hh_l0)
        return T.split(gx, self.gates, axis=1), T.split(gh, self.gates, axis=1)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, " + super().extra_repr()


class LSTM(_TorchStyleRNN):
    """Long short-term memory layer with ``torch.nn.LSTM``'s equations (gates ``i, f, g, o``).

    Args:
        input_size: input features ``C``.
        hidden_size: state size ``H``.
        bias: add ``bias_ih_l0`` and ``bias_hh_l0`` (each ``(4H,)``).
        return_sequences: see :class:`RecurrentLayer`.
        batch_first: see :class:`RecurrentLayer`.

    ``forward(input, hx=None)`` → ``(output, (h, c))``; output ``(B, L, H)`` or ``(B, H)``;
    ``hx`` is a tuple ``(h0, c0)`` of ``(B, H)`` tensors.

    Raises:
        ValueError: ``[LSTM]`` for a non-positive size or a bad input (see :class:`RecurrentLayer`).
    """

    gates = 4

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        h, c = state
        gx, gh = self._maps(inputs, h)
        i, f, g, o = (ops.add(a, b) for a, b in zip(gx, gh))
        h, c = lstm_cell_update(g, i, f, o, c)
        return h, (h, c)


class GRU(_TorchStyleRNN):
    """Gated recurrent unit with ``torch.nn.GRU``'s equations (gates ``r, z, n``; Cho et al. 2014).

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args:
        input_size, hidden_size, bias, return_sequences, batch_first: as :class:`LSTM` (weights ``(3H, ·)``).

    ``forward(input, hx=None)`` → ``(output, h)``, ``h`` of shape ``(B, H)``.

    Raises:
        ValueError: ``[GRU]`` for a non-positive size or a bad input.
    """

    gates = 3

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        (h,) = state
        (xr, xz, xn), (hr, hz, hn) = self._maps(inputs, h)
        r = sigmoid(ops.add(xr, hr))
        z = sigmoid(ops.add(xz, hz))
        n = tanh(ops.add(xn, ops.multiply(r, hn)))
        h = ops.add(n, ops.multiply(z, ops.subtract(h, n)))
        return h, (h,)


class RNN(_TorchStyleRNN):
    """Elman RNN with ``torch.nn.RNN``'s equation ``h' = act(W_ih x + b_ih + W_hh h + b_hh)``.

    Args:
        input_size, hidden_size, bias, return_sequences, batch_first: as :class:`LSTM` (weights ``(H, ·)``).
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.

    ``forward(input, hx=None)`` → ``(output, h)``, ``h`` of shape ``(B, H)``.

    Raises:
        ValueError: ``[RNN]`` for an unknown nonlinearity, a non-positive size or a bad input.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", bias: bool = True,
                 return_sequences: bool = True, batch_first: bool = True) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"[RNN] nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, return_sequences, batch_first)
        self.nonlinearity = nonlinearity

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        (h,) = state
        (gx,), (gh,) = self._maps(inputs, h)
        act = tanh if self.nonlinearity == "tanh" else relu
        h = act(ops.add(gx, gh))
        return h, (h,)
