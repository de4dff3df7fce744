"""``RecurrentLayer``: the sequence loop shared by every recurrent layer.

The layout conventions are ncps.torch's (which follow ``torch.nn.RNN``): a batched input is
``(B, L, C)`` with ``batch_first`` or ``(L, B, C)`` without, an unbatched input is
``(L, C)``; the state is passed in and returned explicitly as ``(output, hx)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.module import Module
from ember_ml.nn.tensor import EmberTensor

State = tuple[EmberTensor, ...]


def as_tensor(x: Any) -> EmberTensor:
    """``x`` as an EmberTensor (NumPy arrays and nested lists are converted; floats to float32)."""
    return x if isinstance(x, EmberTensor) else T.convert_to_tensor(x)


def _host_array(owner: str, what: str, value: Any, bools: bool = True) -> np.ndarray:
    """``value`` (tensor, array or nested lists) as a NumPy array of a real (or, with ``bools``, bool) dtype.

    Raises:
        TypeError: ``[owner]`` for a complex, string or object dtype (or bool without ``bools``).
    """
    array = T.to_numpy(value) if isinstance(value, EmberTensor) else np.asarray(value)
    if array.dtype.kind not in ("biuf" if bools else "iuf"):
        raise TypeError(f"[{owner}] {what} must be {'bool or ' if bools else ''}a real number dtype, "
                        f"got dtype {array.dtype} (shape {array.shape})")
    return array


def check_mask(owner: str, mask: Any, shape: tuple[int, ...], input_shape: tuple[int, ...]) -> np.ndarray:
    """A step mask as a NumPy bool array of ``shape`` (True = a real step).

    Args:
        owner: the layer or function named in error messages.
        mask: bool, or 0/1 of a real dtype; tensor, array or nested lists.
        shape: the expected shape (the input's shape without its feature axis).
        input_shape: the input's shape, for the error message.

    Raises:
        TypeError: ``[owner]`` for a complex, string or object dtype.
        ValueError: ``[owner]`` for another shape, or values other than 0 and 1.
    """
    array = _host_array(owner, "mask", mask)
    if array.shape != tuple(shape):
        raise ValueError(f"[{owner}] expected mask of shape {tuple(shape)} (input shape {tuple(input_shape)}), "
                         f"got {array.shape}")
    if array.dtype.kind != "b" and not np.isin(array, (0, 1)).all():
        raise ValueError(f"[{owner}] mask values must be 0 or 1 (or bool), got values outside {{0, 1}} "
                         f"in a {array.dtype} mask")
    return array.astype(bool)


class RecurrentLayer(Module):
    """Base of the sequence layers: validates inputs, runs :meth:`step` over time, stacks outputs.

    Subclasses set ``state_sizes`` (one int per state tensor; the public ``hx`` is a tensor
    when there is one and a tuple otherwise) and implement :meth:`step`; :meth:`readout`
    maps a step's output to the layer's output (identity by default).

    A ``mask`` follows Keras's masking semantics: at a masked step the state is carried
    unchanged and the output repeats the previous step's (zeros before the first real step).

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

    def sequence(self, x: EmberTensor, state: State, elapsed: EmberTensor, mask: EmberTensor | None = None
                 ) -> tuple[EmberTensor, State] | None:
        """The whole time loop in one fused op, when the layer has one for its configuration.

        Args:
            x: ``(B, L, C)`` input (batch first).
            state: initial state tensors ``(B, size)``.
            elapsed: ``(B, L)`` elapsed time of every step (1.0 without timespans), x's dtype.
            mask: None, or ``(B, L)`` 0/1 of x's dtype: a step with 0 carries the state
                unchanged, so the step's output (a function of the state) repeats the previous one.

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
        ts = timespans if isinstance(timespans, EmberTensor) else T.convert_to_tensor(
            _host_array(type(self).__name__, "timespans", timespans, bools=False))
        lead = tuple(x.shape[:-1])
        if tuple(ts.shape) == lead:
            ts = T.expand_dims(ts, -1)
        if tuple(ts.shape) != lead + (1,):
            raise ValueError(f"[{type(self).__name__}] expected timespans of shape {lead} or {lead + (1,)} "
                             f"(input shape {tuple(x.shape)}), got {tuple(ts.shape)}")
        if not T.to_dtype_str(ts.dtype).startswith(("float", "int", "uint")):
            raise TypeError(f"[{type(self).__name__}] timespans must be a real number dtype, got dtype "
                            f"{T.to_dtype_str(ts.dtype)} (shape {tuple(ts.shape)})")
        return ts

    # ------------------------------------------------------------------ loop
    def forward(self, input: Any, hx: Any = None, timespans: Any = None, mask: Any = None
                ) -> tuple[EmberTensor, Any]:
        """Runs the layer over a sequence.

        Args:
            input: float ``(B, L, C)`` (``batch_first``), ``(L, B, C)`` (otherwise) or unbatched ``(L, C)``.
            hx: initial state: ``(B, H)`` tensor (or a tuple of them for layers with several
                state tensors, e.g. ``(h, c)``); ``(H,)`` for unbatched input; None = zeros.
            timespans: elapsed time of each step, shaped as ``input`` without (or with a size-1)
                feature axis; None = 1.0 for every step.
            mask: which steps are real: ``(B, L)`` / ``(L, B)`` / ``(L,)``, the input's shape
                without its feature axis; bool, or 0/1 of a real dtype; None = every step.
                Keras's semantics: at a masked step the state is carried unchanged and the
                output repeats the previous step's (zeros before the first real step), so
                the last output is each sequence's output at its last real step and ``hx``
                the state after it; masks may have gaps; an all-masked sequence gives zero
                outputs and its initial state. Masked inputs and timespans are never read.

        Returns:
            ``(output, hx)``: output ``(B, L, out)`` / ``(L, B, out)`` with ``return_sequences``,
            else ``(B, out)``; unbatched input drops the batch axis. ``hx`` is the final state,
            in the form it was given.

        Raises:
            ValueError: ``[Layer]`` for an input rank other than 2 / 3, a wrong feature size,
                an ``hx`` / ``timespans`` / ``mask`` of the wrong shape, or mask values not 0 / 1.
            TypeError: ``[Layer]`` for a complex, string or bool ``timespans``, or a complex
                or string ``mask``.
        """
        x = as_tensor(input)
        self._check_input(x)
        batched = x.ndim == 3
        batch_axis = 0 if self.batch_first else 1
        ts = self._timespans(timespans, x, batched)
        keep = None if mask is None else check_mask(type(self).__name__, mask, tuple(x.shape[:-1]), tuple(x.shape))
        if not batched:
            x = T.expand_dims(x, batch_axis)
            ts = None if ts is None else T.expand_dims(ts, batch_axis)
            keep = None if keep is None else np.expand_dims(keep, batch_axis)
        state = self._initial_state(hx, x.shape[batch_axis], batched, x)
        # Everything below runs batch first: x (B, L, C), elapsed and keep (B, L).
        if not self.batch_first:
            x = T.transpose(x, (1, 0, 2))
            ts = None if ts is None else T.transpose(ts, (1, 0, 2))
            keep = None if keep is None else keep.T
        batch, steps = x.shape[0], x.shape[1]
        elapsed = None if ts is None else T.cast(T.reshape(ts, (batch, steps)), x.dtype)
        keep_t = None
        if keep is not None:
            keep_t = T.convert_to_tensor(keep, device=x.device)
            # Padding may hold anything (NaN, a zero time span): the steps never read it.
            x = ops.where(T.expand_dims(keep_t, -1), x, T.zeros((), dtype=x.dtype, device=x.device))
            if elapsed is not None:
                elapsed = ops.where(keep_t, elapsed, T.ones((), dtype=x.dtype, device=x.device))
        fused = self.sequence(x, state, T.ones((batch, steps), dtype=x.dtype, device=x.device)
                              if elapsed is None else elapsed,
                              None if keep_t is None else T.cast(keep_t, x.dtype))
        if fused is not None:
            outputs, state = fused
            readout = self.readout(outputs if self.return_sequences else outputs[:, -1])
        else:
            readout, state = self._step_loop(x, state, elapsed, keep_t)
        if keep is not None:
            # Keras: zeros until a sequence's first real step (the readout of a carried
            # initial state is not an output).
            seen = np.maximum.accumulate(keep, axis=1)
            seen = seen if self.return_sequences else seen[:, -1]
            readout = ops.where(T.expand_dims(T.convert_to_tensor(seen, device=x.device), -1), readout,
                                T.zeros((), dtype=readout.dtype, device=x.device))
        if self.return_sequences and not self.batch_first:
            readout = T.transpose(readout, (1, 0, 2))
        if not batched:
            readout = T.squeeze(readout, batch_axis if self.return_sequences else 0)
            state = tuple(T.squeeze(s, 0) for s in state)
        return readout, state[0] if len(state) == 1 else state

    def _step_loop(self, x: EmberTensor, state: State, elapsed: EmberTensor | None, keep: EmberTensor | None
                   ) -> tuple[EmberTensor, State]:
        # x (B, L, C), elapsed (B, L) or None (1.0), keep (B, L) bool or None (every step).
        outputs = []
        output = None
        elapsed = None if elapsed is None else T.expand_dims(elapsed, -1)
        keep = None if keep is None else T.expand_dims(keep, -1)
        for t in range(x.shape[1]):
            new_output, new_state = self.step(x[:, t], state, 1.0 if elapsed is None else elapsed[:, t])
            if keep is None:
                output, state = new_output, new_state
            else:
                real = keep[:, t]
                output = ops.where(real, new_output, T.zeros_like(new_output) if output is None else output)
                state = tuple(ops.where(real, new, old) for new, old in zip(new_state, state))
            if self.return_sequences:
                outputs.append(self.readout(output))
        readout = T.stack(outputs, axis=1) if self.return_sequences else self.readout(output)
        return readout, state

    def extra_repr(self) -> str:
        return (f"input_size={self.input_size}, return_sequences={self.return_sequences}, "
                f"batch_first={self.batch_first}")

