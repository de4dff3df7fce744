"""``FullyConnectedMap``: every input and every neuron feeds every neuron (ncps's ``FullyConnected``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml._checks import check_real, check_seed
from ember_ml.nn.modules.wiring.neuron_map import NeuronMap



def draw_biased_polarity(rng: np.random.Generator) -> int:
    """ncps's polarity draw for dense and random wirings: ``rng.choice([-1, 1, 1])`` (+1 with p = 2/3)."""
    return int(rng.choice((-1, 1, 1)))


class FullyConnectedMap(NeuronMap):
    """A dense wiring with random polarities (source: ncps 1.0.1 ``wirings.FullyConnected``).

    Polarities come from ``numpy.random.default_rng(seed)``, one scalar ``choice`` per
    synapse in row-major order, neuron-to-neuron synapses at construction and sensory
    synapses at :meth:`build` — ncps's calls in ncps's order, so the matrices equal
    ncps's for the same seed.

    Args:
        units: number of neurons (``int >= 1``).
        output_dim: number of motor (output) neurons, in ``[1, units]``; default ``units``.
        input_dim: number of input features; when given the wiring is built at once.
        sparsity_level: must be 0.0 (a fully connected map leaves no synapse out; use
            :class:`RandomMap` for a sparse one). Accepted for the documented signature.
        seed: seed of the polarity draws (``int >= 0``); None draws one, kept in ``seed``.
        self_connections: whether neuron ``i`` feeds itself.

    Raises:
        TypeError: a size or the seed is not an integer.
        ValueError: a size out of range, a negative seed, or ``sparsity_level`` other than 0.
    """

    def __init__(self, units: int, output_dim: int | None = None, input_dim: int | None = None,
                 sparsity_level: float = 0.0, seed: int | None = 1111, self_connections: bool = True) -> None:
        name = type(self).__name__
        check_real(name, "sparsity_level (of a fully connected map; use RandomMap for a sparse one)",
                   sparsity_level, 0.0, 0.0)
        self.self_connections = bool(self_connections)
        seed = check_seed(name, "seed", seed)
        self._rng = np.random.default_rng(seed)
        super().__init__(units, output_dim, input_dim, 0.0, seed)

    def _wire_at_init(self) -> None:
        for src in range(self.units):
            for dest in range(self.units):
                if src != dest or self.self_connections:
                    self.adjacency_matrix[src, dest] = draw_biased_polarity(self._rng)

    def _wire_at_build(self) -> None:
        for src in range(self.input_dim):
            for dest in range(self.units):
                self.sensory_adjacency_matrix[src, dest] = draw_biased_polarity(self._rng)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict (round-trips through :meth:`from_config`)."""
        return {"units": self.units, "output_dim": self.output_dim, "input_dim": self.input_dim,
                "sparsity_level": self.sparsity_level, "seed": self.seed, "self_connections": self.self_connections}
