"""``NCPMap`` and ``AutoNCPMap``: Neural Circuit Policy wirings (ncps's ``NCP`` / ``AutoNCP``).

Source: ncps 1.0.1 ``wirings.NCP`` / ``wirings.AutoNCP``; Lechner et al. 2020, "Neural
circuit policies enabling auditable autonomy". Four layers feed forward: sensory
(inputs) -> inter -> command (with recurrent synapses) -> motor (outputs).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ember_ml._checks import MAX_LEGACY_SEED, check_int, check_real, check_seed
from ember_ml.nn.modules.wiring.neuron_map import NeuronMap

# NCP polarities are unbiased: ncps draws them as RandomState.choice([-1, 1]).
POLARITY = (-1, 1)


class NCPMap(NeuronMap):
    """A Neural Circuit Policy wiring: sensory inputs -> inter -> command (recurrent) -> motor.

    Neuron ids are ``[motor | command | inter]`` (ncps's order): the outputs are the first
    ``motor_neurons`` neurons; the inputs are not neurons (``units`` counts inter, command
    and motor neurons). The synapses are drawn at :meth:`build` by ncps's algorithm
    (ncps 1.0.1 ``wirings.NCP``) from ``numpy.random.RandomState(seed)``, with the fan-outs
    derived from the sparsity levels as ncps's ``AutoNCP`` derives them (density ``d = 1 -
    sparsity``): each input feeds ``max(int(inter * d), 1)`` inter neurons, each inter
    neuron ``max(int(command * d), 1)`` command neurons, ``max(int(2 * command * d), 1)``
    random command-to-command synapses, and each motor neuron hears
    ``max(int(command * d), 1)`` command neurons. :meth:`from_fanouts` gives those counts
    directly (ncps's ``NCP`` signature; ``ember_ml.wirings.NCP`` is that form).

    Args:
        inter_neurons: number of inter neurons (``int >= 1``).
        command_neurons: number of command neurons (``int >= 1``).
        motor_neurons: number of motor neurons = ``output_dim`` (``int >= 1``).
        sensory_neurons: the input size :meth:`build` takes when called without one
            (``int >= 0``; 0 = none, the first input decides).
        sparsity_level: fraction of synapses left out, in ``[0, 1)``; the default of each group below.
        seed: ``RandomState`` seed in ``[0, 2**32 - 1]``; None draws one, kept in ``seed``.
        sensory_to_inter_sparsity: sparsity of the input -> inter synapses (default ``sparsity_level``).
        inter_to_command_sparsity: sparsity of the inter -> command synapses.
        command_to_command_sparsity: sparsity of the recurrent command synapses.
        command_to_motor_sparsity: sparsity of the command -> motor synapses.
        input_dim: number of input features; when given the wiring is built at once.

    Raises:
        TypeError: an argument is not an integer / real number.
        ValueError: a negative or zero group size, a sparsity outside ``[0, 1)``, a seed
            outside ``[0, 2**32 - 1]`` (the message names the class, the argument and the value).
    """

    def __init__(self, inter_neurons: int, command_neurons: int, motor_neurons: int, sensory_neurons: int = 0,
                 sparsity_level: float = 0.5, seed: int | None = None, *,
                 sensory_to_inter_sparsity: float | None = None, inter_to_command_sparsity: float | None = None,
                 command_to_command_sparsity: float | None = None, command_to_motor_sparsity: float | None = None,
                 input_dim: int | None = None) -> None:
        name = type(self).__name__
        level = check_real(name, "sparsity_level", sparsity_level, 0.0, 1.0, high_open=True)
        groups = {"sensory_to_inter_sparsity": sensory_to_inter_sparsity,
                  "inter_to_command_sparsity": inter_to_command_sparsity,
                  "command_to_command_sparsity": command_to_command_sparsity,
                  "command_to_motor_sparsity": command_to_motor_sparsity}
        density = {key: 1.0 - (level if value is None else check_real(name, key, value, 0.0, 1.0, high_open=True))
                   for key, value in groups.items()}
        inter = check_int(name, "inter_neurons", inter_neurons, 1)
        command = check_int(name, "command_neurons", command_neurons, 1)
        self._init_ncp(inter, command, motor_neurons,
                       max(int(inter * density["sensory_to_inter_sparsity"]), 1),
                       max(int(command * density["inter_to_command_sparsity"]), 1),
                       max(int(command * density["command_to_command_sparsity"] * 2), 1),
                       max(int(command * density["command_to_motor_sparsity"]), 1), seed, input_dim, level)
        self.sensory_neurons = check_int(name, "sensory_neurons", sensory_neurons, 0)
        self.group_sparsity = {key: 1.0 - value for key, value in density.items()}

    @classmethod
    def from_fanouts(cls, inter_neurons: int, command_neurons: int, motor_neurons: int, sensory_fanout: int,
                     inter_fanout: int, recurrent_command_synapses: int, motor_fanin: int,
                     seed: int | None = 22222, input_dim: int | None = None) -> NCPMap:
        """The NCP wiring with explicit fan-outs: ncps's ``NCP(...)`` arguments, order and default seed.

        Args:
            inter_neurons, command_neurons, motor_neurons: layer sizes (``int >= 1``).
            sensory_fanout: synapses from each input to inter neurons, in ``[0, inter_neurons]``.
            inter_fanout: synapses from each inter neuron to command neurons, in ``[0, command_neurons]``.
            recurrent_command_synapses: random command-to-command synapses drawn (``int >= 0``;
                repeats coincide, so fewer may exist).
            motor_fanin: synapses into each motor neuron from command neurons, in ``[0, command_neurons]``.
            seed: ``RandomState`` seed in ``[0, 2**32 - 1]``; None draws one.
            input_dim: number of input features; when given the wiring is built at once.

        Returns:
            NCPMap: its matrices equal ncps's ``NCP`` for the same arguments and seed.

        Raises:
            TypeError, ValueError: an argument out of range (the message names the bound it broke).
        """
        wiring = cls.__new__(cls)
        wiring._init_ncp(inter_neurons, command_neurons, motor_neurons, sensory_fanout, inter_fanout,
                         recurrent_command_synapses, motor_fanin, seed, input_dim, None)
        return wiring

    def _init_ncp(self, inter_neurons: int, command_neurons: int, motor_neurons: int, sensory_fanout: int,
                  inter_fanout: int, recurrent_command_synapses: int, motor_fanin: int, seed: int | None,
                  input_dim: int | None, sparsity_level: float | None) -> None:
        """Checks and stores the layer sizes and fan-outs, then sets up the neuron map (the one constructor)."""
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
        self.sensory_neurons = 0
        self.group_sparsity: dict[str, float] | None = None
        seed = check_seed(name, "seed", seed, MAX_LEGACY_SEED)
        self._rng = np.random.RandomState(seed)
        motor_end = self.motor_neurons
        command_end = motor_end + self.command_neurons
        self._layers = (list(range(command_end, command_end + self.inter_neurons)),
                        list(range(motor_end, command_end)),
                        list(range(motor_end)))
        super().__init__(command_end + self.inter_neurons, self.motor_neurons, input_dim, sparsity_level, seed)

    def _default_input_dim(self) -> int | None:
        return self.sensory_neurons or None

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
        """Constructor arguments as a JSON-serialisable dict that :meth:`from_config` turns back into this map.

        The documented form gives ``inter_neurons, command_neurons, motor_neurons,
        sensory_neurons, sparsity_level, seed``, the four group sparsities and ``input_dim``;
        a map made by :meth:`from_fanouts` gives ncps's ``NCP`` keys plus ``input_dim``.
        """
        if self.group_sparsity is None:
            return self._fanout_config()
        return {"inter_neurons": self.inter_neurons, "command_neurons": self.command_neurons,
                "motor_neurons": self.motor_neurons, "sensory_neurons": self.sensory_neurons,
                "sparsity_level": self.sparsity_level, "seed": self.seed, **self.group_sparsity,
                "input_dim": self.input_dim}

    def _fanout_config(self) -> dict[str, Any]:
        return {"inter_neurons": self.inter_neurons, "command_neurons": self.command_neurons,
                "motor_neurons": self.motor_neurons, "sensory_fanout": self.sensory_fanout,
                "inter_fanout": self.inter_fanout, "recurrent_command_synapses": self.recurrent_command_synapses,
                "motor_fanin": self.motor_fanin, "seed": self.seed, "input_dim": self.input_dim}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> NCPMap:
        """The map ``config`` (from :meth:`get_config`) describes; fan-out configs go through :meth:`from_fanouts`."""
        if "sensory_fanout" in config:
            return cls.from_fanouts(**config)
        return cls(**config)


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
        # ncps allows sparsity_level == 1.0, outside the [0, 1) NeuronMap checks: recorded after the checks.
        self._init_ncp(**arguments, seed=seed, input_dim=input_dim, sparsity_level=None)
        self.sparsity_level = float(sparsity_level)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-serialisable dict."""
        return {"units": self.units, "output_dim": self.output_dim, "sparsity_level": self.sparsity_level,
                "seed": self.seed, "input_dim": self.input_dim}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> AutoNCPMap:
        """The map ``config`` (from :meth:`get_config`) describes."""
        return cls(**config)
