"""Drop-in replacement for ``ncps.wirings`` (ncps 1.0.1): ``Wiring FullyConnected Random NCP AutoNCP``.

The classes take ncps's argument names and order (plus an optional trailing
``input_dim``) and run on the engine of :mod:`ember_ml.nn.modules.wiring`, so
``from ember_ml.wirings import AutoNCP`` gives the matrices ``ncps.wirings.AutoNCP``
gives for the same arguments and seed. Source: Lechner et al. 2020, "Neural circuit
policies enabling auditable autonomy".
"""
from __future__ import annotations

from typing import Any

from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap


class Wiring(NeuronMap):
    """``ncps.wirings.Wiring``: a hand-built wiring; see :class:`NeuronMap` (same arguments)."""

    def get_config(self) -> dict[str, Any]:
        """ncps's ``Wiring.get_config`` keys: ``units, adjacency_matrix, sensory_adjacency_matrix, input_dim, output_dim``."""
        config = super().get_config()
        return {key: config[key] for key in ("units", "adjacency_matrix", "sensory_adjacency_matrix", "input_dim",
                                             "output_dim")}


class FullyConnected(FullyConnectedMap):
    """``ncps.wirings.FullyConnected``; see :class:`FullyConnectedMap`.

    Args:
        units: number of neurons.
        output_dim: number of motor (output) neurons; default ``units``.
        erev_init_seed: seed of the polarity draws (``FullyConnectedMap``'s ``seed``).
        self_connections: whether neuron ``i`` feeds itself.
        input_dim: number of input features; when given the wiring is built at once.
    """

    def __init__(self, units: int, output_dim: int | None = None, erev_init_seed: int | None = 1111,
                 self_connections: bool = True, input_dim: int | None = None) -> None:
        super().__init__(units, output_dim, input_dim, seed=erev_init_seed, self_connections=self_connections)

    def get_config(self) -> dict[str, Any]:
        """ncps's config keys (``units, output_dim, erev_init_seed, self_connections``) plus ``input_dim``."""
        return {"units": self.units, "output_dim": self.output_dim, "erev_init_seed": self.seed,
                "self_connections": self.self_connections, "input_dim": self.input_dim}


class Random(RandomMap):
    """``ncps.wirings.Random``; see :class:`RandomMap`.

    Args:
        units: number of neurons.
        output_dim: number of motor (output) neurons; default ``units``.
        sparsity_level: fraction of synapses left out, in ``[0, 1)``.
        random_seed: seed of the draws (``RandomMap``'s ``seed``).
        input_dim: number of input features; when given the wiring is built at once.
    """

    def __init__(self, units: int, output_dim: int | None = None, sparsity_level: float = 0.0,
                 random_seed: int | None = 1111, input_dim: int | None = None) -> None:
        super().__init__(units, output_dim, input_dim, sparsity_level=sparsity_level, seed=random_seed)

    def get_config(self) -> dict[str, Any]:
        """ncps's config keys (``units, output_dim, sparsity_level, random_seed``) plus ``input_dim``."""
        return {"units": self.units, "output_dim": self.output_dim, "sparsity_level": self.sparsity_level,
                "random_seed": self.seed, "input_dim": self.input_dim}


class NCP(NCPMap):
    """``ncps.wirings.NCP``: the fan-out form of :class:`NCPMap` (see :meth:`NCPMap.from_fanouts`, same arguments).

    A wiring; the layer of the same name is ``ember_ml.nn.modules.NCP`` (docs/names.md).

    Args:
        inter_neurons, command_neurons, motor_neurons: layer sizes (``int >= 1``).
        sensory_fanout, inter_fanout, recurrent_command_synapses, motor_fanin: as :meth:`NCPMap.from_fanouts`.
        seed: ``RandomState`` seed in ``[0, 2**32 - 1]``.
        input_dim: number of input features; when given the wiring is built at once.
    """

    def __init__(self, inter_neurons: int, command_neurons: int, motor_neurons: int, sensory_fanout: int,
                 inter_fanout: int, recurrent_command_synapses: int, motor_fanin: int, seed: int | None = 22222,
                 input_dim: int | None = None) -> None:
        self._init_ncp(inter_neurons, command_neurons, motor_neurons, sensory_fanout, inter_fanout,
                       recurrent_command_synapses, motor_fanin, seed, input_dim, None)

    def get_config(self) -> dict[str, Any]:
        """ncps's constructor keys plus ``input_dim``."""
        return self._fanout_config()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> NCP:
        """The wiring ``config`` (from :meth:`get_config`) describes."""
        return cls(**config)


class AutoNCP(AutoNCPMap):
    """``ncps.wirings.AutoNCP``; see :class:`AutoNCPMap`.

    A wiring; the layer of the same name is ``ember_ml.nn.modules.AutoNCP`` (docs/names.md).

    Args:
        units: total number of neurons.
        output_size: number of motor neurons, ``1 <= output_size < units - 2``.
        sparsity_level: in ``[0.1, 1.0]``.
        seed: ``RandomState`` seed in ``[0, 2**32 - 1]``.
        input_dim: number of input features; when given the wiring is built at once.

    Raises:
        ValueError: ``output_size >= units - 2`` or ``sparsity_level`` outside ``[0.1, 1.0]``
            (as ncps), or another argument out of range.
    """

    _output_name = "output_size"

    def __init__(self, units: int, output_size: int, sparsity_level: float = 0.5, seed: int | None = 22222,
                 input_dim: int | None = None) -> None:
        super().__init__(units, output_size, sparsity_level, seed, input_dim)

    def get_config(self) -> dict[str, Any]:
        """ncps's config keys (``units, output_size, sparsity_level, seed``) plus ``input_dim``."""
        return {"units": self.units, "output_size": self.output_dim, "sparsity_level": self.sparsity_level,
                "seed": self.seed, "input_dim": self.input_dim}


__all__ = ["Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"]
