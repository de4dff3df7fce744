"""``LTC``: a liquid time-constant RNN layer (``ncps.torch.LTC``)."""
from __future__ import annotations

from ember_ml._checks import check_min_int
from ember_ml.nn.modules.rnn._liquid import LiquidLayer
from ember_ml.nn.modules.rnn.ltc_cell import LTCCell
from ember_ml.nn.modules.wiring import FullyConnectedMap, NeuronMap


class LTC(LiquidLayer):
    """Applies an LTC RNN (Hasani et al. 2021, AAAI) to a sequence; ``ncps.torch.LTC``'s arguments and numerics.

    Args:
        input_size: input features ``C``.
        units: number of fully connected neurons (a ``FullyConnectedMap(units)``, ncps's
            ``FullyConnected`` with its default seed), or a wiring (:class:`NeuronMap`).
        return_sequences: return every step's output, or only the last.
        batch_first: input ``(B, L, C)`` (True) or ``(L, B, C)``.
        mixed_memory: run a :class:`MixedMemoryCell` first; ``hx`` is then ``(h, c)``.
        forget_bias: that cell's forget-gate constant (ncps: 1.0); only with ``mixed_memory``.
        input_mapping: ``"affine"``, ``"linear"`` or None (see :class:`LTCCell`).
        output_mapping: ``"affine"``, ``"linear"`` or None.
        ode_unfolds: Euler steps per time step.
        epsilon: added to the ODE denominator.
        implicit_param_constraints: softplus on the positive parameters (default True, as
            ncps's LTC); with False call :meth:`apply_weight_constraints` after each step.
        fused: run the whole sequence, forward and backward, in one C++ op
            (:meth:`LTCCell.sequence`, mixed memory included); False steps through plain ops
            (the reference). Inputs of another dtype than the parameters always take the steps.

    ``forward(input, hx=None, timespans=None, mask=None)`` → ``(output, hx)`` (see
    :meth:`RecurrentLayer.forward`); outputs are the first ``output_dim`` neurons, the state
    has ``units`` columns in neuron order.

    Raises:
        ValueError: ``[LTC]`` for non-positive sizes, an unknown mapping, a wiring built for
            another input size, or a bad input.
    """

    def __init__(self, input_size: int, units: int | NeuronMap, return_sequences: bool = True,
                 batch_first: bool = True, mixed_memory: bool = False, input_mapping: str | None = "affine",
                 output_mapping: str | None = "affine", ode_unfolds: int = 6, epsilon: float = 1e-8,
                 implicit_param_constraints: bool = True, fused: bool = True, forget_bias: float = 1.0) -> None:
        name = type(self).__name__
        wiring = units if isinstance(units, NeuronMap) else FullyConnectedMap(check_min_int(name, "units", units))
        cell = LTCCell(wiring, input_size, input_mapping, output_mapping, ode_unfolds, epsilon,
                       implicit_param_constraints, owner=name)
        super().__init__(cell.in_features, return_sequences, batch_first, mixed_memory, fused, forget_bias)
        self.wiring = wiring
        self.rnn_cell = cell
        self.output_size = wiring.output_dim
        self._set_state_size(wiring.units)
        # Stored under their argument names for get_config.
        self.units, self.input_mapping, self.output_mapping = units, input_mapping, output_mapping
        self.ode_unfolds, self.epsilon, self.implicit_param_constraints = ode_unfolds, epsilon, implicit_param_constraints

    def apply_weight_constraints(self) -> None:
        """Clamps the positive parameters at 0 (explicit constraints; see :class:`LTCCell`)."""
        self.rnn_cell.apply_weight_constraints()

    def extra_repr(self) -> str:
        return f"state_size={self.state_size}, " + super().extra_repr()
