"""``LiquidLayer``: the sequence layer shared by ``CfC`` and ``LTC`` (ncps.torch's forward loop)."""
from __future__ import annotations

from typing import Any, Mapping

from ember_ml.nn.modules.rnn._sequence import RecurrentLayer, State
from ember_ml.nn.modules.rnn.mixed_memory import MixedMemoryCell
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.modules.wiring._config import map_from_config, map_to_config
from ember_ml.nn.tensor import EmberTensor


class LiquidLayer(RecurrentLayer):
    """Sequence loop of ncps's CfC / LTC layers: optional mixed memory, then ``rnn_cell``.

    Subclasses assign ``rnn_cell`` (``(x, h, elapsed) -> (output, h')``, and
    ``rnn_cell.sequence(x (B, L, C), h0, elapsed (B, L), mask, memory) -> (outputs, states) | None``
    for the fused whole-sequence op, ``memory`` the mixed memory's
    :meth:`MixedMemoryCell.fused_memory` or None, ``states`` then ending with the cells),
    ``state_size`` and, with ``mixed_memory``, ``lstm`` (a :class:`MixedMemoryCell`, run first
    on each step as ncps; ``forget_bias`` is its forget-gate constant). With ``fused`` the fused op
    runs when the cell covers its configuration and the input has the parameters' dtype; otherwise
    the plain-op steps run.

    Raises:
        ValueError: ``[Name]`` for a ``forget_bias`` other than 1.0 without ``mixed_memory``.
    """

    def __init__(self, input_size: int, return_sequences: bool, batch_first: bool, mixed_memory: bool,
                 fused: bool, forget_bias: float = 1.0) -> None:
        super().__init__(input_size, return_sequences, batch_first)
        if forget_bias != 1.0 and not mixed_memory:
            raise ValueError(f"[{type(self).__name__}] forget_bias={forget_bias!r} needs mixed_memory=True")
        self.mixed_memory = bool(mixed_memory)
        self.fused = bool(fused)
        self.forget_bias = float(forget_bias)

    def _set_state_size(self, state_size: int) -> None:
        self.state_size = state_size
        self.state_sizes = (state_size,) * (2 if self.mixed_memory else 1)
        if self.mixed_memory:
            self.lstm = MixedMemoryCell(self.input_size, state_size, self.forget_bias)

    def sequence(self, x: EmberTensor, state: State, elapsed: EmberTensor, mask: EmberTensor | None = None
                 ) -> tuple[EmberTensor, State] | None:
        if not self.fused or x.dtype != next(self.rnn_cell.parameters()).dtype:
            return None
        memory = self.lstm.fused_memory(state[1]) if self.mixed_memory else None
        fused = self.rnn_cell.sequence(x, state[0], elapsed, mask, memory)
        if fused is None:
            return None
        outputs, states = fused
        if memory is None:
            return outputs, (states[:, -1],)
        return outputs, (states[:, -1, :self.state_size], states[:, -1, self.state_size:])

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        if self.mixed_memory:
            h, c = self.lstm(inputs, state)
            output, h = self.rnn_cell(inputs, h, elapsed)
            return output, (h, c)
        output, h = self.rnn_cell(inputs, state[0], elapsed)
        return output, (h,)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments; a wiring ``units`` as ``{"class_name", "config"}`` (JSON-serialisable)."""
        config = super().get_config()
        if isinstance(config["units"], NeuronMap):
            config["units"] = map_to_config(config["units"])
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LiquidLayer:
        """A new layer (fresh parameters, the same wiring) from :meth:`get_config`'s dict."""
        config = dict(config)
        if isinstance(config.get("units"), dict):
            config["units"] = map_from_config(config["units"])
        return super().from_config(config)
