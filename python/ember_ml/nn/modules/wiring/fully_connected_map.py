"""``FullyConnectedMap``: every input and every neuron feeds every neuron (ncps's ``FullyConnected``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml.nn.modules.wiring._checks import check_seed
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
        self_connections: whether neuron ``i`` feeds itself.
        seed: seed of the polarity draws (``int >= 0``); None draws one, kept in ``seed``.

    Raises:
        TypeError: a size or the seed is not an integer.
        ValueError: a size out of range or a negative seed.
    """

    def __init__(self, units: int, output_dim: int | None = None, input_dim: int | None = None,
                 self_connections: bool = True, seed: int | None = 1111) -> None:
        self.self_connections = bool(self_connections)
        self.seed = check_seed(type(self).__name__, "seed", seed)
        self._rng = np.random.default_rng(self.seed)
        super().__init__(units, output_dim, input_dim)

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
                "self_connections": self.self_connections, "seed": self.seed}
