"""``RandomMap``: a random sparse wiring with a fixed number of synapses (ncps's ``Random``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml._checks import check_real, check_seed
from ember_ml.nn.modules.wiring.fully_connected_map import draw_biased_polarity
from ember_ml.nn.modules.wiring.neuron_map import NeuronMap


class RandomMap(NeuronMap):
    """Keeps ``round(n * (1 - sparsity_level))`` of the ``n`` possible synapses, chosen at random.

    Source: ncps 1.0.1 ``wirings.Random``. Draws come from
    ``numpy.random.default_rng(seed)`` in ncps's order: the neuron-to-neuron synapses
    (``choice`` without replacement over row-major ``(src, dest)`` pairs) and their
    polarities at construction, the sensory ones at :meth:`build`. ncps draws two
    polarities per sensory synapse and keeps the second; so does this class, since the
    matrices must equal ncps's for the same seed.

    Args:
        units: number of neurons (``int >= 1``).
        output_dim: number of motor (output) neurons, in ``[1, units]``; default ``units``.
        input_dim: number of input features; when given the wiring is built at once.
        sparsity_level: fraction of synapses left out, in ``[0, 1)`` (default 0.5; ncps's ``Random`` 0.0).
        seed: seed of the draws (``int >= 0``); None draws one, kept in ``seed``.

    Raises:
        TypeError: a size, the sparsity level or the seed has the wrong type.
        ValueError: a size out of range, ``sparsity_level`` outside ``[0, 1)``, a negative seed.
    """

    def __init__(self, units: int, output_dim: int | None = None, input_dim: int | None = None,
                 sparsity_level: float = 0.5, seed: int | None = 1111) -> None:
        name = type(self).__name__
        # Checked here too: the draws at construction need it before NeuronMap records it.
        self.sparsity_level = check_real(name, "sparsity_level", sparsity_level, 0.0, 1.0, high_open=True)
        seed = check_seed(name, "seed", seed)
        self._rng = np.random.default_rng(seed)
        super().__init__(units, output_dim, input_dim, sparsity_level, seed)

    def _chosen_pairs(self, rows: int) -> list[tuple[int, int]]:
        """``(row, neuron)`` pairs kept, in draw order; rows are neurons or input features."""
        count = int(np.round(rows * self.units * (1 - self.sparsity_level)))
        # Choosing flat indices consumes the generator exactly as ncps's choice over the pair list.
        flat = self._rng.choice(rows * self.units, size=count, replace=False)
        return [divmod(int(i), self.units) for i in flat]

    def _wire_at_init(self) -> None:
        for src, dest in self._chosen_pairs(self.units):
            self.adjacency_matrix[src, dest] = draw_biased_polarity(self._rng)

    def _wire_at_build(self) -> None:
        for src, dest in self._chosen_pairs(self.input_dim):
            draw_biased_polarity(self._rng)  # ncps's discarded first draw
            self.sensory_adjacency_matrix[src, dest] = draw_biased_polarity(self._rng)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict (round-trips through :meth:`from_config`)."""
        return {"units": self.units, "output_dim": self.output_dim, "input_dim": self.input_dim,
                "sparsity_level": self.sparsity_level, "seed": self.seed}
