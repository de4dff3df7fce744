"""Ember ML's documented continuous-time layers ``CfC(neuron_map)``, ``LTC(neuron_map)``, ``CTRNN``, ``CTGRU``.

Keras-style shells over the ncps.torch-style engine layers of :mod:`ember_ml.ncps`
(``CfC`` / ``LTC``: one fused sequence op each): the input size comes from the first call, and ``forward(inputs, initial_state=None, timespans=None, mask=None)`` returns
the output, or ``(output, final_state)`` with ``return_state=True``.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from ember_ml._checks import check_min_int
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.recurrent import engine_call, keras_result
from ember_ml.nn.modules.rnn import cfc, ctgru, ctrnn, ltc
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.modules.wiring._config import map_from_config, map_to_config


class _LiquidShell(Module):
    """Builds the engine layer ``engine(input_size, neuron_map, **options)`` at the first call and runs it."""

    engine: type = cfc.CfC
    map_argument = "neuron_map"  # the constructor's name of the wiring / size argument

    def __init__(self, neuron_map: NeuronMap | int, return_sequences: bool, return_state: bool, batch_first: bool,
                 options: dict[str, Any]) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(neuron_map, bool) or not isinstance(neuron_map, (NeuronMap, int)):
            raise TypeError(f"[{name}] neuron_map must be a NeuronMap or a number of units, "
                            f"got {type(neuron_map).__name__}")
        self.neuron_map = neuron_map
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.batch_first = bool(batch_first)
        self.options = options
        self.layer: Module | None = None
        object.__setattr__(self, "built", False)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Creates the engine layer for ``input_shape[-1]`` features (once); builds an unbuilt map.

        Raises:
            ValueError: ``[CfC]`` / ``[LTC]`` when the map was built for another input size.
        """
        if self.built:
            return
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(f"[{type(self).__name__}] build needs an input shape ending in the feature size, "
                             f"got {input_shape}")
        self.layer = self.engine(int(input_shape[-1]), self.neuron_map, return_sequences=self.return_sequences,
                                 batch_first=self.batch_first, **self.options)
        self.layer.train(self.training)
        super().build(input_shape)

    def forward(self, inputs: Any, initial_state: Any = None, timespans: Any = None, mask: Any = None) -> Any:
        """Runs the layer over a sequence.

        Args:
            inputs: float ``(B, L, C)`` (``batch_first``), ``(L, B, C)`` or unbatched ``(L, C)``.
            initial_state: ``(B, units)`` (a pair ``(h, c)`` with ``mixed_memory``); None = zeros.
            timespans: elapsed time of each step, ``inputs`` without the feature axis; None = 1.
            mask: ``(B, L)`` step mask, passed to the engine.

        Returns:
            output ``(B, L, output_dim)`` (``(B, output_dim)`` without ``return_sequences``), or
            ``(output, final_state)`` with ``return_state``.

        Raises:
            ValueError: ``[CfC]`` / ``[LTC]`` for an input or state of the wrong shape.
        """
        output, state = engine_call(self.layer, inputs, initial_state, timespans, mask)
        return keras_result(output, state, self.return_state)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments; the neuron map as ``{"class_name", "config"}`` (JSON-serialisable)."""
        wiring = self.neuron_map if isinstance(self.neuron_map, int) else map_to_config(self.neuron_map)
        return {self.map_argument: wiring, "return_sequences": self.return_sequences, "return_state": self.return_state,
                "batch_first": self.batch_first, **self.options}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> _LiquidShell:
        """A new layer (fresh parameters, the same wiring) from :meth:`get_config`'s dict."""
        config = dict(config)
        if not isinstance(config.get(cls.map_argument), int):
            config[cls.map_argument] = map_from_config(config.get(cls.map_argument))
        return super().from_config(config)

    def extra_repr(self) -> str:
        units = self.neuron_map if isinstance(self.neuron_map, int) else self.neuron_map.units
        return f"units={units}, return_sequences={self.return_sequences}, return_state={self.return_state}"


class CfC(_LiquidShell):
    """Closed-form continuous-time layer (Hasani et al. 2022) over a wiring, documented Ember ML form.

    Args:
        neuron_map: the wiring (:class:`NeuronMap`, e.g. ``NCPMap``), or a number of units
            for a fully connected CfC with a backbone (ncps's ``CfC(input_size, units)``).
        return_sequences: every step's output, or the last one.
        return_state: also return the final state.
        batch_first: input ``(B, L, C)`` (True) or ``(L, B, C)``.
        mixed_memory: run an LSTM memory cell before the CfC cell (state ``(h, c)``).
        mode: ``default``, ``pure`` or ``no_gate``.
        fused: run the whole sequence in one C++ op when the configuration allows.

    Raises:
        TypeError: ``neuron_map`` is neither a NeuronMap nor an int.
        ValueError: ``[CfC]`` as :class:`ember_ml.ncps.CfC` (unknown mode, a map built for
            another input size, a bad input).
    """

    engine = cfc.CfC

    def __init__(self, neuron_map: NeuronMap | int, return_sequences: bool = True, return_state: bool = False,
                 batch_first: bool = True, mixed_memory: bool = False, mode: str = "default",
                 fused: bool = True) -> None:
        super().__init__(neuron_map, return_sequences, return_state, batch_first,
                         {"mixed_memory": mixed_memory, "mode": mode, "fused": fused})


class LTC(_LiquidShell):
    """Liquid time-constant layer (Hasani et al. 2021) over a wiring, documented Ember ML form.

    Args:
        neuron_map: the wiring (:class:`NeuronMap`), or a number of fully connected units.
        return_sequences, return_state, batch_first, mixed_memory: as :class:`CfC`.
        input_mapping: ``"affine"``, ``"linear"`` or None.
        output_mapping: ``"affine"``, ``"linear"`` or None.
        ode_unfolds: Euler steps per time step.
        epsilon: added to the ODE denominator.
        implicit_param_constraints: softplus on the positive parameters (ncps's default).
        fused: run the whole sequence in one C++ op when the configuration allows.

    Raises:
        TypeError: ``neuron_map`` is neither a NeuronMap nor an int.
        ValueError: ``[LTC]`` as :class:`ember_ml.ncps.LTC`.
    """

    engine = ltc.LTC

    def __init__(self, neuron_map: NeuronMap | int, return_sequences: bool = True, return_state: bool = False,
                 batch_first: bool = True, mixed_memory: bool = False, input_mapping: str | None = "affine",
                 output_mapping: str | None = "affine", ode_unfolds: int = 6, epsilon: float = 1e-8,
                 implicit_param_constraints: bool = True, fused: bool = True) -> None:
        super().__init__(neuron_map, return_sequences, return_state, batch_first,
                         {"mixed_memory": mixed_memory, "input_mapping": input_mapping,
                          "output_mapping": output_mapping, "ode_unfolds": ode_unfolds, "epsilon": epsilon,
                          "implicit_param_constraints": implicit_param_constraints, "fused": fused})

class CTRNN(_LiquidShell):
    """Continuous-time RNN layer (Funahashi & Nakamura 1993), documented Ember ML form; runs :class:`ember_ml.ncps.CTRNN`.

    Args:
        units: number of neurons (fully connected; a wired CTRNN is not implemented).
        activation: ``tanh``, ``relu``, ``sigmoid``, ``softplus`` or ``lecun_tanh``.
        ode_unfolds: Euler steps per time step.
        return_sequences, return_state, batch_first: as :class:`CfC`.

    Raises:
        NotImplementedError: ``[CTRNN]`` for a neuron map.
        ValueError: ``[CTRNN]`` for non-positive sizes or an unknown activation (at the first call).
    """

    engine = ctrnn.CTRNN
    map_argument = "units"

    def __init__(self, units: int, activation: str = "tanh", ode_unfolds: int = 6, return_sequences: bool = True,
                 return_state: bool = False, batch_first: bool = True) -> None:
        super().__init__(_units("CTRNN", units), return_sequences, return_state, batch_first,
                         {"activation": activation, "ode_unfolds": ode_unfolds})


class CTGRU(_LiquidShell):
    """Continuous-time GRU layer (Mozer et al. 2017), documented Ember ML form; runs :class:`ember_ml.ncps.CTGRU`.

    Args:
        units: number of neurons (fully connected; a wired CTGRU is not implemented).
        num_timescales: time scales per neuron.
        return_sequences, return_state, batch_first: as :class:`CfC`.

    Raises:
        NotImplementedError: ``[CTGRU]`` for a neuron map.
        ValueError: ``[CTGRU]`` for non-positive sizes (at the first call).
    """

    engine = ctgru.CTGRU
    map_argument = "units"

    def __init__(self, units: int, num_timescales: int = 8, return_sequences: bool = True,
                 return_state: bool = False, batch_first: bool = True) -> None:
        super().__init__(_units("CTGRU", units), return_sequences, return_state, batch_first,
                         {"num_timescales": num_timescales})


def _units(owner: str, units: Any) -> int:
    if isinstance(units, NeuronMap):
        raise NotImplementedError(f"[{owner}] a wired {owner} (a neuron map of {units.units} neurons) is not "
                                  f"implemented; pass the number of units")
    return check_min_int(owner, "units", units)


__all__ = ["CfC", "LTC", "CTRNN", "CTGRU"]
