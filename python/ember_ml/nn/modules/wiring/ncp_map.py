"""``NCPMap`` and ``AutoNCPMap``: Neural Circuit Policy wirings (ncps's ``NCP`` / ``AutoNCP``).

Source: ncps 1.0.1 ``wirings.NCP`` / ``wirings.AutoNCP``; Lechner et al. 2020, "Neural
circuit policies enabling auditable autonomy". Four layers feed forward: sensory
(inputs) -> inter -> command (with recurrent synapses) -> motor (outputs).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ember_ml.nn.modules.wiring._checks import MAX_LEGACY_SEED, check_int, check_real, check_seed
from ember_ml.nn.modules.wiring.neuron_map import NeuronMap

# NCP polarities are unbiased: ncps draws them as RandomState.choice([-1, 1]).
POLARITY = (-1, 1)


class NCPMap(NeuronMap):
    """A Neural Circuit Policy wiring with explicit layer sizes and fan-outs.

    Neuron ids are ``[motor | command | inter]``: the outputs are the first
    ``motor_neurons`` neurons. All synapses are drawn at :meth:`build` from
    ``numpy.random.RandomState(seed)`` with ncps's calls in ncps's order, so the matrices
    equal ncps's for the same arguments and seed.

    Args:
        inter_neurons: number of inter neurons (layer 2, ``int >= 1``).
        command_neurons: number of command neurons (layer 3, ``int >= 1``).
        motor_neurons: number of motor neurons (layer 4 = ``output_dim``, ``int >= 1``).
        sensory_fanout: synapses from each input to inter neurons, in ``[0, inter_neurons]``.
        inter_fanout: synapses from each inter neuron to command neurons, in ``[0, command_neurons]``.
        recurrent_command_synapses: random command-to-command synapses drawn (``int >= 0``;
            repeats coincide, so fewer may exist).
        motor_fanin: synapses into each motor neuron from command neurons, in ``[0, command_neurons]``.
        seed: ``RandomState`` seed in ``[0, 2**32 - 1]``; None draws one, kept in ``seed``.
        input_dim: number of input features; when given the wiring is built at once.

    Raises:
        TypeError: an argument is not an integer.
        ValueError: an argument out of range (the message names the bound it broke).
    """

    def __init__(self, inter_neurons: int, command_neurons: int, motor_neurons: int, sensory_fanout: int,
                 inter_fanout: int, recurrent_command_synapses: int, motor_fanin: int,
                 seed: int | None = 22222, input_dim: int | None = None) -> None:
        name = type(self).__name__
        self.inter_neurons = check_int(name, "inter_neurons", inter_neurons, 1)
        self.command_neurons = check_int(name, "command_neurons", command_neurons, 1)
        self.motor_neurons = check_int(name, "motor_neurons", motor_neurons, 1)
        self.sensory_fanout = check_int(name, "sensory_fanout", sensory_fanout, 0, self.inter_neurons,
                                        "inter_neurons")
        self.inter_fanout = check_int(name, "inter_fanout", inter_fanout, 0, self.command_neurons,
                                      "command_neurons")
        self.recurrent_command_synapses = check_int(name, "recurrent_command_synapses",
                                                    recurrent_command_synapses, 0)
        self.motor_fanin = check_int(name, "motor_fanin", motor_fanin, 0, self.command_neurons, "command_neurons")
        self.seed = check_seed(name, "seed", seed, MAX_LEGACY_SEED)
        self._rng = np.random.RandomState(self.seed)
        motor_end = self.motor_neurons
        command_end = motor_end + self.command_neurons
        self._layers = (list(range(command_end, command_end + self.inter_neurons)),
                        list(range(motor_end, command_end)),
                        list(range(motor_end)))
        super().__init__(command_end + self.inter_neurons, self.motor_neurons, input_dim)

    @property
    def num_layers(self) -> int:
        """Three neuron layers: inter (0), command (1), motor (2)."""
        return 3

    def get_neurons_of_layer(self, layer_id: int) -> list[int]:
        """Neuron ids of layer ``layer_id``: 0 inter, 1 command, 2 motor.

        Raises:
            ValueError: ``layer_id`` is not 0, 1 or 2.
        """
        self._check_layer(layer_id)
        return list(self._layers[layer_id])

    def get_type_of_neuron(self, neuron_id: int) -> str:
        """``"motor"``, ``"command"`` or ``"inter"``.

        Raises:
            ValueError: ``neuron_id`` is not in ``[0, units)``.
        """
        if super().get_type_of_neuron(neuron_id) == "motor":
            return "motor"
        return "command" if neuron_id < self.motor_neurons + self.command_neurons else "inter"

    def _connect_groups(self, anchors: Sequence[int], partners: Sequence[int], count: int, cap: int,
                        matrix: np.ndarray, anchors_are_sources: bool = True) -> None:
        """Links each anchor to ``count`` distinct partners, then each partner left out to some anchors.

        A partner no anchor chose gets ``clip(int(len(anchors) * count / len(partners)), 1, cap)``
        anchors, so no neuron is cut off. Synapses go anchor -> partner in ``matrix``, or
        partner -> anchor when ``anchors_are_sources`` is False.
        """
        def link(anchor: int, partner: int) -> None:
            polarity = self._rng.choice(POLARITY)
            if anchors_are_sources:
                matrix[anchor, partner] = polarity
            else:
                matrix[partner, anchor] = polarity

        reached = set()
        for anchor in anchors:
            for partner in self._rng.choice(partners, size=count, replace=False):
                reached.add(int(partner))
                link(anchor, partner)
        per_partner = min(max(int(len(anchors) * count / len(partners)), 1), cap)
        for partner in (p for p in partners if p not in reached):
            for anchor in self._rng.choice(anchors, size=per_partner, replace=False):
                link(anchor, partner)

    def _wire_at_build(self) -> None:
        inter, command, motor = self._layers
        sensory = list(range(self.input_dim))
        self._connect_groups(sensory, inter, self.sensory_fanout, len(sensory), self.sensory_adjacency_matrix)
        # ncps caps the fallback fan-in of command neurons by the command-layer size, not the inter-layer size.
        self._connect_groups(inter, command, self.inter_fanout, len(command), self.adjacency_matrix)
        for _ in range(self.recurrent_command_synapses):
            src = self._rng.choice(command)
            dest = self._rng.choice(command)
            self.adjacency_matrix[src, dest] = self._rng.choice(POLARITY)
        self._connect_groups(motor, command, self.motor_fanin, len(motor), self.adjacency_matrix,
                             anchors_are_sources=False)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict (ncps's keys, plus ``input_dim``)."""
        return {"inter_neurons": self.inter_neurons, "command_neurons": self.command_neurons,
                "motor_neurons": self.motor_neurons, "sensory_fanout": self.sensory_fanout,
                "inter_fanout": self.inter_fanout, "recurrent_command_synapses": self.recurrent_command_synapses,
                "motor_fanin": self.motor_fanin, "seed": self.seed, "input_dim": self.input_dim}


def auto_ncp_arguments(owner: str, units: int, output_dim: int, sparsity_level: float,
                       output_name: str = "output_dim") -> dict[str, int]:
    """The :class:`NCPMap` layer sizes and fan-outs that ncps's ``AutoNCP`` derives.

    Args:
        owner: class name for error messages.
        units: total number of neurons.
        output_dim: number of motor neurons, ``1 <= output_dim < units - 2``.
        sparsity_level: in ``[0.1, 1.0]``; higher means fewer synapses.
        output_name: the caller's name of ``output_dim``, for error messages.

    Returns:
        dict: ``NCPMap`` keyword arguments without ``seed`` / ``input_dim``.

    Raises:
        TypeError: a non-integer size or non-real sparsity level.
        ValueError: ``output_dim`` or ``sparsity_level`` out of range.
    """
    units = check_int(owner, "units", units, 1)
    output_dim = check_int(owner, output_name, output_dim, 1)
    if output_dim >= units - 2:
        raise ValueError(f"[{owner}] {output_name} must be less than units - 2 = {units - 2} "
                         f"(units={units}), got {output_dim}")
    density = 1.0 - check_real(owner, "sparsity_level", sparsity_level, 0.1, 1.0)
    inter_and_command = units - output_dim
    command = max(int(0.4 * inter_and_command), 1)
    inter = inter_and_command - command
    return {"inter_neurons": inter, "command_neurons": command, "motor_neurons": output_dim,
            "sensory_fanout": max(int(inter * density), 1), "inter_fanout": max(int(command * density), 1),
            "recurrent_command_synapses": max(int(command * density * 2), 1),
            "motor_fanin": max(int(command * density), 1)}


class AutoNCPMap(NCPMap):
    """An NCP wiring sized from the total neuron count and a sparsity level (ncps's ``AutoNCP``).

    40 % of the non-motor neurons (at least one) are command neurons, the rest inter
    neurons; fan-outs scale with ``1 - sparsity_level``.

    Args:
        units: total number of neurons (``int >= 4``).
        output_dim: number of motor neurons, ``1 <= output_dim < units - 2``.
        sparsity_level: in ``[0.1, 1.0]``.
        seed: ``RandomState`` seed in ``[0, 2**32 - 1]``; None draws one.
        input_dim: number of input features; when given the wiring is built at once.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``output_dim``, ``sparsity_level`` or ``seed`` out of range.
    """

    # How error messages name the output size (ncps's AutoNCP calls it output_size).
    _output_name = "output_dim"

    def __init__(self, units: int, output_dim: int, sparsity_level: float = 0.5, seed: int | None = 22222,
                 input_dim: int | None = None) -> None:
        arguments = auto_ncp_arguments(type(self).__name__, units, output_dim, sparsity_level, self._output_name)
        self.sparsity_level = float(sparsity_level)
        super().__init__(**arguments, seed=seed, input_dim=input_dim)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict."""
        return {"units": self.units, "output_dim": self.output_dim, "sparsity_level": self.sparsity_level,
                "seed": self.seed, "input_dim": self.input_dim}
