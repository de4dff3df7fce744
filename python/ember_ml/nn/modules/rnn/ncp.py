"""``NCP`` (one step of a wired LTC cell) and ``AutoNCP`` (an AutoNCP-wired CfC layer)."""
from __future__ import annotations

from typing import Any

from ember_ml.nn import tensor as T
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.rnn._sequence import as_tensor
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.ltc_cell import LTCCell
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.tensor import EmberTensor


class NCP(LTCCell):
    """A neural circuit policy cell: one time step of an LTC cell wired by ``neuron_map``.

    Lechner et al. 2020, "Neural circuit policies enabling auditable autonomy" (Nature MI),
    whose neurons are LTC neurons (Hasani et al. 2021); the step is :func:`ltc_step`, the
    parameters those of :class:`LTCCell`. The outputs are the motor neurons, the *first*
    ``neuron_map.output_dim`` neurons in ncps's order.

    Args:
        neuron_map: the wiring (:class:`NeuronMap`, e.g. ``NCPMap`` / ``AutoNCPMap``).
        input_size: input features ``C`` (builds the map), or None for a built map.
        input_mapping, output_mapping, ode_unfolds, epsilon: as :class:`LTCCell`.
        implicit_param_constraints: softplus on the positive parameters (default True).

    Raises:
        ValueError: ``[NCP]`` for a map built for another input size, an unbuilt map without
            ``input_size``, or (in forward) inputs / state of the wrong shape.
    """

    def __init__(self, neuron_map: NeuronMap, input_size: int | None = None, input_mapping: str | None = "affine",
                 output_mapping: str | None = "affine", ode_unfolds: int = 6, epsilon: float = 1e-8,
                 implicit_param_constraints: bool = True) -> None:
        super().__init__(neuron_map, input_size, input_mapping, output_mapping, ode_unfolds, epsilon,
                         implicit_param_constraints, owner="NCP")

    def forward(self, inputs: Any, state: Any = None, elapsed_time: Any = 1.0) -> tuple[EmberTensor, EmberTensor]:
        """One step.

        Args:
            inputs: float32 ``(B, C)`` or unbatched ``(C,)``.
            state: float32 ``(B, units)`` / ``(units,)``; None = zeros.
            elapsed_time: float or float32 ``(B, 1)``.

        Returns:
            ``(motor outputs (B, output_dim), new state (B, units))`` (no batch axis for unbatched input).
        """
        x = as_tensor(inputs)
        if x.ndim not in (1, 2) or x.shape[-1] != self.in_features:
            raise ValueError(f"[NCP] expected inputs of shape (B, {self.in_features}) or ({self.in_features},), "
                             f"got {tuple(x.shape)}")
        batched = x.ndim == 2
        x = x if batched else T.expand_dims(x, 0)
        expected = (x.shape[0], self.state_size) if batched else (self.state_size,)
        if state is None:
            h = T.zeros((x.shape[0], self.state_size), dtype=x.dtype)
        else:
            h = as_tensor(state)
            if tuple(h.shape) != expected:
                raise ValueError(f"[NCP] expected state of shape {expected}, got {tuple(h.shape)}")
            h = h if batched else T.expand_dims(h, 0)
        output, h = super().forward(x, h, elapsed_time)
        return (output, h) if batched else (T.squeeze(output, 0), T.squeeze(h, 0))


class AutoNCP(Module):
    """A CfC layer wired by an ``AutoNCP`` wiring: the convenience NCP sequence model.

    Equivalent to ``CfC(input_size, ember_ml.wirings.AutoNCP(units, output_size,
    sparsity_level, seed), **cfc_kwargs)`` (the layer ncps's examples build); ncps's checks
    apply (``output_size < units - 2``, ``0.1 <= sparsity_level <= 1``). Without
    ``input_size`` the CfC (and so the parameters) is created on the first call.

    Args:
        units: total number of neurons.
        output_size: number of motor neurons (the outputs).
        sparsity_level: in ``[0.1, 1.0]``; higher is sparser.
        seed: wiring seed (None draws one).
        input_size: input features ``C``, or None to take them from the first input.
        **cfc_kwargs: ``return_sequences, batch_first, mixed_memory, mode, proj_size`` for :class:`CfC`.

    ``forward(input, hx=None, timespans=None)`` → ``(output, hx)`` as :class:`CfC`.

    Raises:
        ValueError: ``[AutoNCP]`` for ``output_size >= units - 2``, a sparsity level out of
            range, or a bad input.
    """

    def __init__(self, units: int, output_size: int, sparsity_level: float = 0.5, seed: int | None = None,
                 input_size: int | None = None, **cfc_kwargs: Any) -> None:
        from ember_ml import wirings

        super().__init__()
        self.wiring = wirings.AutoNCP(units, output_size, sparsity_level, seed)
        self.cfc_kwargs = cfc_kwargs
        self.cfc: CfC | None = None
        if input_size is not None:
            self.build(input_size)

    def build(self, input_size: int) -> None:
        """Builds the wiring and the CfC for ``input_size`` features (once)."""
        if self.cfc is None:
            self.cfc = CfC(input_size, self.wiring, **self.cfc_kwargs)
            self.cfc.train(self.training)

    def forward(self, input: Any, hx: Any = None, timespans: Any = None) -> tuple[EmberTensor, Any]:
        x = as_tensor(input)
        if self.cfc is None:
            if x.ndim not in (2, 3):
                raise ValueError(f"[AutoNCP] expected input of rank 2 or 3, got shape {tuple(x.shape)}")
            self.build(x.shape[-1])
        return self.cfc(x, hx, timespans)
