"""Ember ML's documented recurrent layers ``RNN``, ``LSTM``, ``GRU``: stacked, optionally bidirectional.

Keras-style results: ``forward(inputs, initial_state=None, timespans=None, mask=None)``
returns the output, or ``(output, final_state)`` with ``return_state=True``. Each layer and
direction runs the one engine layer of :mod:`ember_ml.nn.modules.rnn.torch_style` (the
ncps.torch-style classes exported by :mod:`ember_ml.ncps`), so the maths exists once.
States follow ``torch.nn.RNN``: ``(num_layers * num_directions, B, hidden_size)``, a pair
``(h, c)`` of those for LSTM.
"""
from __future__ import annotations

from typing import Any

from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import Dropout
from ember_ml.nn.modules.containers import ModuleList
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.rnn import torch_style
from ember_ml.nn.modules.rnn._sequence import as_tensor
from ember_ml.nn.tensor import EmberTensor


def engine_call(layer: Module, x: Any, hx: Any, timespans: Any, mask: Any) -> tuple[EmberTensor, Any]:
    """``layer(x, hx, timespans)`` of an engine layer, passing ``mask`` only when one is given."""
    if mask is None:
        return layer(x, hx, timespans)
    return layer(x, hx, timespans, mask=mask)


def keras_result(output: EmberTensor, state: Any, return_state: bool) -> Any:
    """``output``, or ``(output, state)`` with ``return_state`` (the documented Keras-style convention)."""
    return (output, state) if return_state else output


class _StackedRNN(Module):
    """The stacking, direction and dropout logic shared by :class:`RNN`, :class:`LSTM` and :class:`GRU`."""

    engine: type = torch_style.RNN
    activations: tuple[str, ...] = ("tanh",)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, activation: str = "tanh",
                 bias: bool = True, batch_first: bool = True, dropout: float = 0.0, bidirectional: bool = False,
                 return_sequences: bool = True, return_state: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_min_int(name, "input_size", input_size)
        self.hidden_size = check_min_int(name, "hidden_size", hidden_size)
        self.num_layers = check_min_int(name, "num_layers", num_layers)
        if activation not in self.activations:
            raise ValueError(f"[{name}] activation must be one of {self.activations}, got {activation!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"[{name}] dropout must be in [0, 1), got {dropout}")
        self.activation = activation
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.directions = 2 if bidirectional else 1
        cells = []
        for layer in range(self.num_layers):
            in_features = self.input_size if layer == 0 else self.hidden_size * self.directions
            cells += [self._engine_layer(in_features) for _ in range(self.directions)]
        self.cells = ModuleList(cells)
        self.inter_layer_dropout = Dropout(self.dropout)

    def _engine_layer(self, in_features: int) -> Module:
        return self.engine(in_features, self.hidden_size, bias=self.bias, return_sequences=True, batch_first=True)

    # ------------------------------------------------------------------ state layout
    def _split_state(self, initial_state: Any, batch: int) -> list[Any]:
        """Per engine layer: None, or its ``hx`` (``(B, H)`` or ``(h, c)``)."""
        if initial_state is None:
            return [None] * len(self.cells)
        name = type(self).__name__
        parts = initial_state if len(self.cells[0].state_sizes) > 1 else (initial_state,)
        expected = (len(self.cells), batch, self.hidden_size)
        if not isinstance(parts, (tuple, list)) or len(parts) != len(self.cells[0].state_sizes):
            raise ValueError(f"[{name}] initial_state must be a tuple (h, c) of tensors {expected}")
        parts = [as_tensor(p) for p in parts]
        for part in parts:
            if tuple(part.shape) != expected:
                raise ValueError(f"[{name}] expected initial_state of shape {expected} "
                                 f"(num_layers * num_directions, B, hidden_size), got {tuple(part.shape)}")
        per_cell = [tuple(p[i] for p in parts) for i in range(len(self.cells))]
        return [cell[0] if len(cell) == 1 else cell for cell in per_cell]

    @staticmethod
    def _stack_states(states: list[Any]) -> Any:
        if isinstance(states[0], tuple):
            return tuple(T.stack([s[k] for s in states], axis=0) for k in range(len(states[0])))
        return T.stack(states, axis=0)

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: Any, initial_state: Any = None, timespans: Any = None, mask: Any = None) -> Any:
        """Runs the stack over a sequence.

        Args:
            inputs: float ``(B, L, input_size)`` (``batch_first``) or ``(L, B, input_size)``.
            initial_state: ``(num_layers * num_directions, B, hidden_size)`` (LSTM: a pair
                ``(h0, c0)``); None = zeros.
            timespans: elapsed time per step, ``inputs`` without the feature axis (accepted;
                these discrete-time cells do not read it).
            mask: ``(B, L)`` step mask, passed to the engine layers.

        Returns:
            output ``(B, L, num_directions * hidden_size)`` (``(B, ...)`` of the last step
            without ``return_sequences``), or ``(output, final_state)`` with ``return_state``.

        Raises:
            ValueError: ``[Name]`` for an input that is not rank 3 with ``input_size`` features,
                or a state of the wrong shape.
        """
        name = type(self).__name__
        x = as_tensor(inputs)
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            layout = "(B, L, C)" if self.batch_first else "(L, B, C)"
            raise ValueError(f"[{name}] expected input of shape {layout} with C={self.input_size}, "
                             f"got {tuple(x.shape)}")
        if not self.batch_first:
            x = T.transpose(x, (1, 0, 2))
            timespans = None if timespans is None else T.transpose(as_tensor(timespans), (1, 0))
            mask = None if mask is None else T.transpose(as_tensor(mask), (1, 0))
        hx = self._split_state(initial_state, x.shape[0])
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self.directions):
                index = layer * self.directions + direction
                backwards = direction == 1
                flip = (lambda t: None if t is None else as_tensor(t)[:, ::-1]) if backwards else (lambda t: t)
                out, state = engine_call(self.cells[index], flip(x), hx[index], flip(timespans), flip(mask))
                outputs.append(flip(out))
                finals.append(state)
            x = outputs[0] if len(outputs) == 1 else T.concatenate(outputs, axis=-1)
            if layer < self.num_layers - 1:
                x = self.inter_layer_dropout(x)
        output = x if self.return_sequences else x[:, -1]
        if self.return_sequences and not self.batch_first:
            output = T.transpose(output, (1, 0, 2))
        return keras_result(output, self._stack_states(finals), self.return_state)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (JSON-serialisable)."""
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "activation": self.activation, "bias": self.bias, "batch_first": self.batch_first,
                "dropout": self.dropout, "bidirectional": self.bidirectional,
                "return_sequences": self.return_sequences, "return_state": self.return_state}

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}, return_sequences={self.return_sequences}, "
                f"return_state={self.return_state}")


class RNN(_StackedRNN):
    """Elman RNN (Elman 1990) stack: ``h' = activation(W_ih x + b_ih + W_hh h + b_hh)`` per layer.

    Args:
        input_size: input features ``C``.
        hidden_size: state size ``H`` of every layer and direction.
        num_layers: stacked layers; layer ``l > 0`` reads layer ``l - 1``'s output.
        activation: ``"tanh"`` or ``"relu"``.
        bias: add the biases.
        batch_first: input ``(B, L, C)`` (True) or ``(L, B, C)``.
        dropout: dropout rate on every layer's output but the last, in training mode.
        bidirectional: add a layer that reads the sequence backwards; outputs are concatenated.
        return_sequences: every step's output, or the last one.
        return_state: also return the final states.

    See :class:`_StackedRNN.forward` for shapes.

    Raises:
        ValueError: ``[RNN]`` for a non-positive size, an unknown activation, a dropout outside
            ``[0, 1)``, or a bad input.
    """

    activations = ("tanh", "relu")

    def _engine_layer(self, in_features: int) -> Module:
        return torch_style.RNN(in_features, self.hidden_size, nonlinearity=self.activation, bias=self.bias,
                               return_sequences=True, batch_first=True)


class LSTM(_StackedRNN):
    """LSTM stack (Hochreiter & Schmidhuber 1997) with ``torch.nn.LSTM``'s equations per layer.

    Args: as :class:`RNN`; ``activation`` must be ``"tanh"`` (the cell's fixed nonlinearity).
    The state is a pair ``(h, c)``, each ``(num_layers * num_directions, B, hidden_size)``.

    Raises:
        ValueError: ``[LSTM]`` as :class:`RNN`.
    """

    engine = torch_style.LSTM


class GRU(_StackedRNN):
    """GRU stack (Cho et al. 2014) with ``torch.nn.GRU``'s equations per layer.

    Args: as :class:`RNN`; ``activation`` must be ``"tanh"`` (the cell's fixed nonlinearity).

    Raises:
        ValueError: ``[GRU]`` as :class:`RNN`.
    """

    engine = torch_style.GRU

__all__ = ["RNN", "LSTM", "GRU"]
