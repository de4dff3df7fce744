"""``CfC``: a closed-form continuous-time RNN layer (``ncps.torch.CfC``)."""
from __future__ import annotations

from ember_ml._checks import check_min_int
from ember_ml.nn.modules.linear import Linear
from ember_ml.nn.modules.rnn._liquid import LiquidLayer
from ember_ml.nn.modules.rnn.cfc_cell import CfCCell, WiredCfCCell, built_input_size
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.tensor import EmberTensor


class CfC(LiquidLayer):
    """Applies a CfC RNN (Hasani et al. 2022, Nature Machine Intelligence) to a sequence.

    Same arguments, parameter names and numerics as ``ncps.torch.CfC`` (ncps 1.0.1).

    Args:
        input_size: input features ``C``.
        units: number of hidden units ``H`` (a fully connected :class:`CfCCell` with a
            backbone), or a wiring (:class:`NeuronMap` / ``ember_ml.wirings.Wiring``) for a
            :class:`WiredCfCCell`; a wired layer's state is ``(B, wiring.units)`` laid out
            layer by layer (inter, command, motor for NCP, as ncps) and its output is the
            last layer (``wiring.output_dim`` motor neurons).
        proj_size: if set, a linear map ``fc`` of the outputs to ``proj_size`` features.
        return_sequences: return every step's output, or only the last.
        batch_first: input ``(B, L, C)`` (True) or ``(L, B, C)``.
        mixed_memory: run a :class:`MixedMemoryCell` before the CfC cell; ``hx`` is then ``(h, c)``.
        forget_bias: that cell's forget-gate constant (ncps: 1.0; the CfC paper's Walker2d
            BEST_MIXED: 2.1); only with ``mixed_memory``.
        mode: ``default``, ``pure`` (direct solution) or ``no_gate``.
        activation: backbone activation (``lecun_tanh``, ``silu``, ``relu``, ``tanh``, ``gelu``); ``lecun_tanh``
            is ncps's ``1.7159 tanh(0.666 x)`` (docs/names.md).
        backbone_units: backbone width (default 128; not allowed when wired).
        backbone_layers: backbone depth (default 1; 0 = no backbone; not allowed when wired).
        backbone_dropout: backbone dropout rate (default 0; not allowed when wired).
        fused: run the whole sequence, forward and backward, in one C++ op
            (:func:`fused_cfc_sequence`) when the configuration allows it (every mode, variant,
            wiring and backbone, mixed memory and backbone dropout while training included,
            but not a seeded backbone Dropout while training, or inputs of another dtype than
            the parameters'); False steps through plain ops (the reference).
        variant: ``"ncps"`` (default, ncps.torch's cell) or ``"paper"`` (the cell of the paper's
            code, raminmh/CfC ``tf_cfc.py``: lecun_tanh heads, dropout after every backbone
            layer). Not allowed with a wiring.
        kernel_l2: L2 penalty coefficient on every kernel (see :meth:`regularization_loss`);
            not allowed with a wiring.

    ``forward(input, hx=None, timespans=None, mask=None)`` → ``(output, hx)``: see
    :meth:`RecurrentLayer.forward`; output features are ``proj_size`` or the output size.

    Raises:
        ValueError: ``[CfC]`` for an unknown mode or activation, non-positive sizes, backbone
            arguments with a wiring, a wiring built for another input size, or a bad input.
    """

    def __init__(self, input_size: int, units: int | NeuronMap, proj_size: int | None = None,
                 return_sequences: bool = True, batch_first: bool = True, mixed_memory: bool = False,
                 mode: str = "default", activation: str = "lecun_tanh", backbone_units: int | None = None,
                 backbone_layers: int | None = None, backbone_dropout: float | None = None,
                 fused: bool = True, variant: str | None = None, kernel_l2: float | None = None,
                 forget_bias: float = 1.0) -> None:
        name = type(self).__name__
        if isinstance(units, NeuronMap):
            for arg, value in (("backbone_units", backbone_units), ("backbone_layers", backbone_layers),
                               ("backbone_dropout", backbone_dropout), ("variant", variant),
                               ("kernel_l2", kernel_l2)):
                if value is not None:
                    raise ValueError(f"[{name}] {arg} cannot be used with a wiring (got {arg}={value!r})")
            input_size = built_input_size(name, units, input_size)
            super().__init__(input_size, return_sequences, batch_first, mixed_memory, fused, forget_bias)
            self.wiring = units
            self.rnn_cell = WiredCfCCell(input_size, units, mode, owner=name)
            self.output_size = units.output_dim
            self._set_state_size(units.units)
        else:
            super().__init__(check_min_int(name, "input_size", input_size), return_sequences, batch_first,
                             mixed_memory, fused, forget_bias)
            self.wiring = None
            self.rnn_cell = CfCCell(input_size, check_min_int(name, "units", units), mode, activation,
                                    128 if backbone_units is None else backbone_units,
                                    1 if backbone_layers is None else backbone_layers,
                                    0.0 if backbone_dropout is None else backbone_dropout, owner=name,
                                    variant="ncps" if variant is None else variant,
                                    kernel_l2=0.0 if kernel_l2 is None else kernel_l2)
            self.output_size = units
            self._set_state_size(units)
        self.mode = mode
        # Stored under their argument names for get_config.
        self.units, self.activation, self.variant, self.kernel_l2 = units, activation, variant, kernel_l2
        self.backbone_units, self.backbone_layers, self.backbone_dropout = backbone_units, backbone_layers, backbone_dropout
        self.proj_size = None if proj_size is None else check_min_int(name, "proj_size", proj_size)
        self.fc = None if proj_size is None else Linear(self.output_size, proj_size)

    def regularization_loss(self) -> EmberTensor | float:
        """The cell's L2 penalty on its kernels (:meth:`CfCCell.regularization_loss`); 0.0 when wired."""
        return 0.0 if self.wiring is not None else self.rnn_cell.regularization_loss()

    def readout(self, output: EmberTensor) -> EmberTensor:
        """The projection ``fc`` of a step's output, or the output itself without ``proj_size``."""
        return output if self.fc is None else self.fc(output)

    def extra_repr(self) -> str:
        return f"state_size={self.state_size}, mode={self.mode!r}, " + super().extra_repr()
