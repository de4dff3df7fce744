"""``RecurrentLayer``: the sequence loop shared by every recurrent layer.

The layout conventions are ncps.torch's (which follow ``torch.nn.RNN``): a batched input is
``(B, L, C)`` with ``batch_first`` or ``(L, B, C)`` without, an unbatched input is
``(L, C)``; the state is passed in and returned explicitly as ``(output, hx)``.
"""
from __future__ import annotations

from typing import Any

from ember_ml.nn import tensor as T
from ember_ml.nn.modules.module import Module
from ember_ml.nn.tensor import EmberTensor

State = tuple[EmberTensor, ...]


def as_tensor(x: Any) -> EmberTensor:
    """``x`` as an EmberTensor (NumPy arrays and nested lists are converted; floats to float32)."""
    return x if isinstance(x, EmberTensor) else T.convert_to_tensor(x)


class RecurrentLayer(Module):
    """Base of the sequence layers: validates inputs, runs :meth:`step` over time, stacks outputs.

    Subclasses set ``state_sizes`` (one int per state tensor; the public ``hx`` is a tensor
    when there is one and a tuple otherwise) and implement :meth:`step`; :meth:`readout`
    maps a step's output to the layer's output (identity by default).

    Args:
        input_size: number of input features ``C``.
        return_sequences: return the output of every step ``(B, L, out)`` or only the last ``(B, out)``.
        batch_first: batched input is ``(B, L, C)`` (True) or ``(L, B, C)`` (False).
    """

    state_sizes: tuple[int, ...] = ()

    def __init__(self, input_size: int, return_sequences: bool = True, batch_first: bool = True) -> None:
        super().__init__()
        self.input_size = input_size
        self.return_sequences = bool(return_sequences)
        self.batch_first = bool(batch_first)

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        """One time step: ``inputs (B, C)``, state tensors ``(B, size)``, elapsed time (float or ``(B, 1)``).

        Returns:
            ``(output (B, out), new state)``.
        """
        raise NotImplementedError(f"[{type(self).__name__}.step] subclasses of RecurrentLayer implement step")

    def sequence(self, x: EmberTensor, state: State, timespans: EmberTensor | None
                 ) -> tuple[EmberTensor, State] | None:
        """The whole time loop in one fused op, when the layer has one for its configuration.

        Args:
            x: ``(B, L, C)`` input (batch first).
            state: initial state tensors ``(B, size)``.
            timespans: ``(B, L, 1)`` elapsed times, or None for 1.0.

        Returns:
            ``(outputs (B, L, out), final state)``, or None to run :meth:`step` per time step
            (the default; also the reference the fused ops are tested against).
        """
        return None

    def readout(self, output: EmberTensor) -> EmberTensor:
        """Maps a step's output ``(B, out)`` to the layer output (identity here)."""
        return output

    # ------------------------------------------------------------------ checks
    def _check_input(self, x: EmberTensor) -> None:
        name = type(self).__name__
        layout = "(B, L, C)" if self.batch_first else "(L, B, C)"
        if x.ndim not in (2, 3):
            raise ValueError(f"[{name}] expected input of rank 3 {layout} or rank 2 (L, C) with "
                             f"C={self.input_size}, got shape {tuple(x.shape)}")
        if x.shape[1 if self.batch_first and x.ndim == 3 else 0] == 0:
            raise ValueError(f"[{name}] expected a sequence of length >= 1, got input shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"[{name}] expected input_size={self.input_size} features (last axis), "
                             f"got input shape {tuple(x.shape)}")

    def _initial_state(self, hx: Any, batch: int, batched: bool, like: EmberTensor) -> State:
        name = type(self).__name__
        if hx is None:
            return tuple(T.zeros((batch, size), dtype=like.dtype) for size in self.state_sizes)
        parts = (hx,) if len(self.state_sizes) == 1 else hx
        if not isinstance(parts, (tuple, list)) or len(parts) != len(self.state_sizes):
            raise ValueError(f"[{name}] hx must be a tuple of {len(self.state_sizes)} tensors "
                             f"(sizes {self.state_sizes}), got {type(hx).__name__}")
        state = []
        for part, size in zip(parts, self.state_sizes):
            part = as_tensor(part)
            expected = (batch, size) if batched else (size,)
            if tuple(part.shape) != expected:
                raise ValueError(f"[{name}] expected hx of shape {expected}, got {tuple(part.shape)}")
            state.append(part if batched else T.expand_dims(part, 0))
        return tuple(state)

    def _timespans(self, timespans: Any, x: EmberTensor, batched: bool) -> EmberTensor | None:
        if timespans is None:
            return None
        ts = as_tensor(timespans)
        lead = tuple(x.shape[:-1])
        if tuple(ts.shape) == lead:
            ts = T.expand_dims(ts, -1)
        if tuple(ts.shape) != lead + (1,):
            raise ValueError(f"[{type(self).__name__}] expected timespans of shape {lead} or {lead + (1,)} "
                             f"(input shape {tuple(x.shape)}), got {tuple(ts.shape)}")
        return ts

    # ------------------------------------------------------------------ loop
    def forward(self, input: Any, hx: Any = None, timespans: Any = None) -> tuple[EmberTensor, Any]:
        """Runs the layer over a sequence.

        Args:
            input: float ``(B, L, C)`` (``batch_first``), ``(L, B, C)`` (otherwise) or unbatched ``(L, C)``.
            hx: initial state: ``(B, H)`` tensor (or a tuple of them for layers with several
                state tensors, e.g. ``(h, c)``); ``(H,)`` for unbatched input; None = zeros.
            timespans: elapsed time of each step, shaped as ``input`` without (or with a size-1)
                feature axis; None = 1.0 for every step.

        Returns:
            ``(output, hx)``: output ``(B, L, out)`` / ``(L, B, out)`` with ``return_sequences``,
            else ``(B, out)``; unbatched input drops the batch axis. ``hx`` is the final state,
            in the form it was given.

        Raises:
            ValueError: ``[Layer]`` for an input rank other than 2 / 3, a wrong feature size,
                or an ``hx`` / ``timespans`` of the wrong shape.
        """
        x = as_tensor(input)
        self._check_input(x)
        batched = x.ndim == 3
        batch_axis = 0 if self.batch_first else 1
        ts = self._timespans(timespans, x, batched)
        if not batched:
            x = T.expand_dims(x, batch_axis)
            ts = None if ts is None else T.expand_dims(ts, batch_axis)
        seq_axis = 1 - batch_axis
        state = self._initial_state(hx, x.shape[batch_axis], batched, x)
        def batch_major(t: EmberTensor | None) -> EmberTensor | None:
            return t if t is None or self.batch_first else T.transpose(t, (1, 0, 2))

        fused = self.sequence(batch_major(x), state, batch_major(ts))
        if fused is not None:
            outputs, state = fused
            if not self.batch_first:
                outputs = T.transpose(outputs, (1, 0, 2))
            readout = self.readout(outputs if self.return_sequences else outputs[:, -1] if self.batch_first
                                   else outputs[-1])
        else:
            readout, state = self._step_loop(x, state, ts, seq_axis)
        if not batched:
            readout = T.squeeze(readout, batch_axis if self.return_sequences else 0)
            state = tuple(T.squeeze(s, 0) for s in state)
        return readout, state[0] if len(state) == 1 else state

    def _step_loop(self, x: EmberTensor, state: State, ts: EmberTensor | None, seq_axis: int
                   ) -> tuple[EmberTensor, State]:
        outputs = []
        output = None
        for t in range(x.shape[seq_axis]):
            x_t = x[:, t] if self.batch_first else x[t]
            elapsed = 1.0 if ts is None else (ts[:, t] if self.batch_first else ts[t])
            output, state = self.step(x_t, state, elapsed)
            if self.return_sequences:
                outputs.append(self.readout(output))
        readout = T.stack(outputs, axis=seq_axis) if self.return_sequences else self.readout(output)
        return readout, state

    def extra_repr(self) -> str:
        return (f"input_size={self.input_size}, return_sequences={self.return_sequences}, "
                f"batch_first={self.batch_first}")

