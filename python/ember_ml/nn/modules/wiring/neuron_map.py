"""``NeuronMap``: the base wiring, a signed adjacency structure over the neurons of a wired RNN.

Semantics follow ``ncps.wirings.Wiring`` (ncps 1.0.1; Lechner et al. 2020, "Neural
circuit policies enabling auditable autonomy"): ``adjacency_matrix[src, dest]`` is the
polarity (+1 excitatory, -1 inhibitory, 0 none) of the synapse from neuron ``src`` to
neuron ``dest``; ``sensory_adjacency_matrix[i, dest]`` that of input feature ``i``.
Neuron order puts the motor (output) neurons first, so the outputs of a layer are its
first ``output_dim`` neurons.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml._checks import check_int, check_real, check_seed
from ember_ml.nn.modules.wiring import _graph
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, float32


def synapse_matrix(owner: str, rows: int, cols: int) -> np.ndarray:
    """A zero ``(rows, cols)`` int32 synapse (adjacency) matrix.

    Raises:
        ValueError: ``[owner]`` when NumPy cannot represent the size (too many elements).
        MemoryError: ``[owner]`` when the machine cannot hold it; both name the shape and the bytes.
    """
    try:
        return np.zeros((rows, cols), dtype=np.int32)
    except (ValueError, MemoryError) as err:
        kind = MemoryError if isinstance(err, MemoryError) else ValueError
        raise kind(f"[{owner}] cannot allocate a ({rows}, {cols}) int32 synapse matrix ({rows * cols * 4} bytes): "
                   f"{err}") from None


class NeuronMap:
    """A wiring built by hand with :meth:`add_synapse` / :meth:`add_sensory_synapse`.

    Subclasses draw their synapses in two hooks: ``_wire_at_init`` (at construction) and
    ``_wire_at_build`` (once the input size is known); ncps draws in the same two places,
    and the split keeps its random-number order.

    Args:
        units: number of neurons (``int >= 1``).
        output_dim: number of motor (output) neurons, the first ``output_dim`` neurons;
            default ``units`` (ncps leaves it unset, which its layers cannot use).
        input_dim: number of input features; when given the wiring is built at once.
        sparsity_level: fraction of the possible synapses a drawing subclass leaves out, in
            ``[0, 1)``; recorded only by a hand-built map. None where the map is described by
            fan-outs instead (ncps's ``NCP``).
        seed: seed of a drawing subclass's random draws (``int >= 0``); None draws one, kept
            in ``seed`` so that :meth:`get_config` reproduces the map.

    Attributes:
        adjacency_matrix: ``np.ndarray`` int32 of shape ``(units, units)``.
        sensory_adjacency_matrix: ``np.ndarray`` int32 of shape ``(input_dim, units)``,
            or None before :meth:`build`.

    Raises:
        TypeError: a size is not an integer.
        ValueError: ``units < 1``, ``output_dim`` outside ``[1, units]``, ``input_dim < 1``,
            ``sparsity_level`` outside ``[0, 1)``, a negative seed.
    """

    def __init__(self, units: int, output_dim: int | None = None, input_dim: int | None = None,
                 sparsity_level: float | None = 0.5, seed: int | None = None) -> None:
        name = type(self).__name__
        self.units = check_int(name, "units", units, 1)
        if sparsity_level is not None:
            sparsity_level = check_real(name, "sparsity_level", sparsity_level, 0.0, 1.0, high_open=True)
        self.sparsity_level = sparsity_level
        self.seed = check_seed(name, "seed", seed)
        self.output_dim = self.units
        if output_dim is not None:
            self.set_output_dim(output_dim)
        self.adjacency_matrix = synapse_matrix(name, self.units, self.units)
        self.sensory_adjacency_matrix: np.ndarray | None = None
        self.input_dim: int | None = None
        self._wire_at_init()
        if input_dim is not None:
            self.build(input_dim)

    def _wire_at_init(self) -> None:
        """Draws the synapses that do not depend on the input size; none in a hand-built map."""

    def _wire_at_build(self) -> None:
        """Draws the synapses that need ``input_dim``; none in a hand-built map."""

    # ------------------------------------------------------------------ structure
    def build(self, input_dim: int | None = None) -> tuple[EmberTensor, EmberTensor, EmberTensor]:
        """Fixes the input size, draws the sensory synapses (once) and returns the masks.

        Building again with the same ``input_dim`` changes nothing (ncps would draw the
        sensory synapses a second time).

        Args:
            input_dim: number of input features (``int >= 1``); None keeps the size the map
                was built for, or takes the map's own default (``NCPMap``'s ``sensory_neurons``).

        Returns:
            ``(input_mask, recurrent_mask, output_mask)``: see :meth:`get_input_mask`,
            :meth:`get_recurrent_mask`, :meth:`get_output_mask`.

        Raises:
            TypeError: ``input_dim`` is not an integer.
            ValueError: ``input_dim < 1``, the wiring was built for another input size, or
                ``input_dim`` is None and the map has no size to take.
        """
        name = type(self).__name__
        if input_dim is None:
            input_dim = self.input_dim if self.input_dim is not None else self._default_input_dim()
            if input_dim is None:
                raise ValueError(f"[{name}] build() needs input_dim: the map (units={self.units}) "
                                 "has no input size yet")
        input_dim = check_int(name, "input_dim", input_dim, 1)
        if self.input_dim is not None:
            if input_dim != self.input_dim:
                raise ValueError(f"[{name}] the wiring was built for input_dim={self.input_dim}, "
                                 f"received input_dim={input_dim}")
        else:
            self.input_dim = input_dim
            self.sensory_adjacency_matrix = synapse_matrix(name, input_dim, self.units)
            self._wire_at_build()
        return self.get_input_mask(), self.get_recurrent_mask(), self.get_output_mask()

    def _default_input_dim(self) -> int | None:
        """The input size :meth:`build` takes when called without one (None: it must be given)."""
        return None

    # ------------------------------------------------------------------ masks (the Ember view)
    def get_input_mask(self) -> EmberTensor:
        """int32 ``(input_dim,)``: 1 for each input feature with at least one sensory synapse.

        Raises:
            ValueError: the wiring is not built.
        """
        return convert_to_tensor(np.abs(self._built_sensory_matrix()).max(axis=1).astype(np.int32))

    def get_recurrent_mask(self) -> EmberTensor:
        """int32 ``(units, units)``: ``|adjacency_matrix|``, 1 where neuron ``src`` feeds ``dest``."""
        return convert_to_tensor(np.abs(self.adjacency_matrix).astype(np.int32))

    def get_output_mask(self) -> EmberTensor:
        """int32 ``(units,)``: 1 for the motor (output) neurons, the first ``output_dim``."""
        mask = np.zeros(self.units, dtype=np.int32)
        mask[:self.output_dim] = 1
        return convert_to_tensor(mask)

    def get_neuron_groups(self) -> dict[str, list[int]]:
        """Neuron ids by role: ``motor`` (the first ``output_dim``) and ``inter`` (the rest).

        ``sensory`` lists the input features ``0 .. input_dim - 1`` (inputs are not neurons
        here; empty before :meth:`build`). Subclasses add their groups (``command`` for NCP).
        """
        groups: dict[str, list[int]] = {"sensory": list(range(self.input_dim or 0))}
        for neuron in range(self.units):
            groups.setdefault(self.get_type_of_neuron(neuron), []).append(neuron)
        return groups

    def is_built(self) -> bool:
        """Whether :meth:`build` has fixed the input size."""
        return self.input_dim is not None

    def set_output_dim(self, output_dim: int) -> None:
        """Sets the number of motor (output) neurons.

        Raises:
            ValueError: ``output_dim`` outside ``[1, units]``.
        """
        self.output_dim = check_int(type(self).__name__, "output_dim", output_dim, 1, self.units, "units")

    @property
    def state_size(self) -> int:
        """Size of the recurrent state: one value per neuron (``units``)."""
        return self.units

    @property
    def num_layers(self) -> int:
        """Number of neuron layers a wired cell processes in sequence (1 here)."""
        return 1

    def get_neurons_of_layer(self, layer_id: int) -> list[int]:
        """Neuron ids of layer ``layer_id`` (all neurons for the single layer).

        Raises:
            ValueError: ``layer_id`` is not in ``[0, num_layers)``.
        """
        self._check_layer(layer_id)
        return list(range(self.units))

    def _check_layer(self, layer_id: int) -> None:
        check_int(type(self).__name__, "layer_id", layer_id, 0, self.num_layers - 1, "num_layers - 1")

    def get_type_of_neuron(self, neuron_id: int) -> str:
        """``"motor"`` for the first ``output_dim`` neurons, ``"inter"`` for the rest.

        Raises:
            ValueError: ``neuron_id`` is not in ``[0, units)``.
        """
        check_int(type(self).__name__, "neuron_id", neuron_id, 0, self.units - 1, "units - 1")
        return "motor" if neuron_id < self.output_dim else "inter"

    # ------------------------------------------------------------------ synapses
    def add_synapse(self, src: int, dest: int, polarity: int) -> None:
        """Sets the synapse ``src -> dest`` between two neurons to ``polarity`` (-1 or +1).

        Raises:
            ValueError: a neuron id outside ``[0, units)`` or a polarity other than -1 / +1.
        """
        name = type(self).__name__
        check_int(name, "src", src, 0, self.units - 1, "units - 1")
        check_int(name, "dest", dest, 0, self.units - 1, "units - 1")
        self.adjacency_matrix[src, dest] = self._check_polarity(polarity)

    def add_sensory_synapse(self, src: int, dest: int, polarity: int) -> None:
        """Sets the synapse from input feature ``src`` to neuron ``dest`` to ``polarity``.

        Raises:
            ValueError: the wiring is not built, an id out of range, or a polarity other than -1 / +1.
        """
        sensory = self._built_sensory_matrix()
        name = type(self).__name__
        check_int(name, "src", src, 0, self.input_dim - 1, "input_dim - 1")
        check_int(name, "dest", dest, 0, self.units - 1, "units - 1")
        sensory[src, dest] = self._check_polarity(polarity)

    def _check_polarity(self, polarity: Any) -> int:
        if polarity not in (-1, 1):
            raise ValueError(f"[{type(self).__name__}] polarity must be -1 or +1, got {polarity!r}")
        return int(polarity)

    def _built_sensory_matrix(self) -> np.ndarray:
        if self.sensory_adjacency_matrix is None:
            raise ValueError(f"[{type(self).__name__}] the wiring is not built yet: "
                             "call build(input_dim) first")
        return self.sensory_adjacency_matrix

    @property
    def synapse_count(self) -> int:
        """Number of synapses between neurons (non-zero entries of ``adjacency_matrix``)."""
        return int(np.abs(self.adjacency_matrix).sum())

    @property
    def sensory_synapse_count(self) -> int:
        """Number of synapses from input features to neurons.

        Raises:
            ValueError: the wiring is not built.
        """
        return int(np.abs(self._built_sensory_matrix()).sum())

    def erev_initializer(self, shape: Any = None, dtype: Any = None) -> np.ndarray:
        """A copy of ``adjacency_matrix`` (int32, ``(units, units)``): ncps's reversal-potential init.

        ``shape`` and ``dtype`` are accepted for initializer-call compatibility and ignored.
        """
        return np.copy(self.adjacency_matrix)

    def sensory_erev_initializer(self, shape: Any = None, dtype: Any = None) -> np.ndarray:
        """A copy of ``sensory_adjacency_matrix`` (int32, ``(input_dim, units)``).

        Raises:
            ValueError: the wiring is not built.
        """
        return np.copy(self._built_sensory_matrix())

    # ------------------------------------------------------------------ tensors for layers
    def adjacency_matrix_tensor(self, mask: bool = False) -> EmberTensor:
        """``adjacency_matrix`` as a float32 EmberTensor ``(units, units)`` on the backend's device.

        Args:
            mask: return ``|adjacency_matrix|`` (1 where a synapse exists, else 0).
        """
        return _to_tensor(self.adjacency_matrix, mask)

    def sensory_adjacency_matrix_tensor(self, mask: bool = False) -> EmberTensor:
        """``sensory_adjacency_matrix`` as a float32 EmberTensor ``(input_dim, units)``.

        Args:
            mask: return its absolute value (the 0/1 connectivity mask).

        Raises:
            ValueError: the wiring is not built.
        """
        return _to_tensor(self._built_sensory_matrix(), mask)

    # ------------------------------------------------------------------ config and drawing
    def get_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict that :meth:`from_config` turns back into an equal wiring.

        Keys: ncps's ``Wiring.get_config`` keys ``units, output_dim, input_dim,
        adjacency_matrix, sensory_adjacency_matrix`` (matrices as nested lists or None) and
        ``sparsity_level, seed``.
        """
        sensory = self.sensory_adjacency_matrix
        return {
            "units": self.units,
            "output_dim": self.output_dim,
            "input_dim": self.input_dim,
            "sparsity_level": self.sparsity_level,
            "seed": self.seed,
            "adjacency_matrix": self.adjacency_matrix.tolist(),
            "sensory_adjacency_matrix": None if sensory is None else sensory.tolist(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> NeuronMap:
        """The wiring that ``config`` (from :meth:`get_config`) describes.

        Raises:
            ValueError: a matrix in ``config`` does not have the shape its sizes imply.
        """
        config = dict(config)
        adjacency = config.pop("adjacency_matrix", None)
        sensory = config.pop("sensory_adjacency_matrix", None)
        wiring = cls(**config)
        if adjacency is not None:
            wiring.adjacency_matrix = wiring._config_matrix("adjacency_matrix", adjacency,
                                                            wiring.adjacency_matrix.shape)
        if sensory is not None:
            expected = wiring._built_sensory_matrix().shape
            wiring.sensory_adjacency_matrix = wiring._config_matrix("sensory_adjacency_matrix", sensory, expected)
        return wiring

    def _config_matrix(self, key: str, values: Any, shape: tuple[int, ...]) -> np.ndarray:
        matrix = np.asarray(values, dtype=np.int32)
        if matrix.shape != shape:
            raise ValueError(f"[{type(self).__name__}] config {key} must have shape {shape}, got {matrix.shape}")
        return matrix

    def get_graph(self, include_sensory_neurons: bool = True) -> Any:
        """The wiring as a ``networkx.DiGraph``.

        Nodes ``neuron_<i>`` (attribute ``neuron_type``) and, if requested,
        ``sensory_<i>``; one edge per synapse with ``polarity`` ``"excitatory"`` or
        ``"inhibitory"``.

        Raises:
            ValueError: the wiring is not built.
        """
        return _graph.wiring_graph(self, include_sensory_neurons)

    def draw_graph(self, layout: str = "shell", neuron_colors: dict[str, str] | None = None,
                   synapse_colors: str | dict[str, str] | None = None, draw_labels: bool = False) -> list:
        """Draws the wiring on the current matplotlib axes (as ncps's ``draw_graph``).

        Args:
            layout: ``kamada``, ``circular``, ``random``, ``shell``, ``spring``, ``spectral`` or ``spiral``.
            neuron_colors: colour per neuron type, merged over the defaults (not modified).
            synapse_colors: one colour, or one per polarity (``excitatory`` / ``inhibitory``).
            draw_labels: draw node names.

        Returns:
            list: one ``matplotlib.patches.Patch`` per neuron type, for ``plt.legend(handles=...)``.

        Raises:
            ValueError: unknown layout, or the wiring is not built.
        """
        return _graph.draw_wiring(self, layout, neuron_colors, synapse_colors, draw_labels)


def _to_tensor(matrix: np.ndarray, mask: bool) -> EmberTensor:
    return convert_to_tensor(np.abs(matrix) if mask else matrix, dtype=float32)
