"""Wiring behaviour that ncps does not define: build checks, bad input, configs, tensors, drawing.

Parity of the matrices with ncps itself is in ``test_wirings.py``.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import ember_ml as em
from ember_ml import wirings
from ember_ml.nn import modules
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, NeuronMap, RandomMap
from ember_ml.nn.tensor import float32


def _every_kind():
    hand = NeuronMap(5, 2)
    hand.add_synapse(4, 0, -1)
    hand.add_synapse(1, 1, 1)
    return [
        hand, wirings.Wiring(3),
        FullyConnectedMap(6, 3, seed=5), wirings.FullyConnected(4, erev_init_seed=8, self_connections=False),
        RandomMap(7, 2, sparsity_level=0.6, seed=2), wirings.Random(5, 5, 0.3, 12),
        NCPMap.from_fanouts(6, 4, 2, 3, 2, 4, 2, seed=9), wirings.NCP(4, 3, 2, 2, 2, 2, 2, seed=1),
        AutoNCPMap(20, 5, 0.7, seed=3), wirings.AutoNCP(12, 2),
    ]


def test_public_names():
    assert modules.wiring.NeuronMap is modules.NeuronMap is NeuronMap
    assert {"NeuronMap", "NCPMap", "FullyConnectedMap", "RandomMap"} <= set(modules.__all__)
    assert set(wirings.__all__) == {"Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"}
    assert em.wirings is wirings


@pytest.mark.parametrize("index", range(10))
@pytest.mark.parametrize("input_dim", [None, 4])
def test_config_round_trips_through_json(index, input_dim):
    wiring = _every_kind()[index]
    if input_dim is not None:
        wiring.build(input_dim)
    config = json.loads(json.dumps(wiring.get_config()))
    rebuilt = type(wiring).from_config(config)
    assert type(rebuilt) is type(wiring)
    assert rebuilt.get_config() == wiring.get_config()
    assert rebuilt.input_dim == input_dim
    np.testing.assert_array_equal(rebuilt.adjacency_matrix, wiring.adjacency_matrix)
    rebuilt.build(4)
    wiring.build(4)
    np.testing.assert_array_equal(rebuilt.sensory_adjacency_matrix, wiring.sensory_adjacency_matrix)


def test_build_again_with_same_input_dim_keeps_the_wiring():
    wiring = wirings.FullyConnected(5)
    wiring.build(3)
    sensory = wiring.sensory_adjacency_matrix.copy()
    wiring.build(3)
    np.testing.assert_array_equal(wiring.sensory_adjacency_matrix, sensory)


@pytest.mark.parametrize("make", [lambda: NCPMap.from_fanouts(4, 3, 2, 2, 2, 2, 2, input_dim=6),
                                  lambda: wirings.AutoNCP(10, 2, input_dim=6),
                                  lambda: RandomMap(5, input_dim=6)])
def test_build_for_another_input_size_names_expected_and_received(make):
    wiring = make()
    with pytest.raises(ValueError, match=rf"\[{type(wiring).__name__}\] .*input_dim=6, received input_dim=7"):
        wiring.build(7)
    assert wiring.input_dim == 6


def test_seed_none_draws_a_seed_that_the_config_keeps():
    wiring = wirings.AutoNCP(16, 3, seed=None, input_dim=5)
    assert isinstance(wiring.seed, int)
    again = wirings.AutoNCP.from_config(wiring.get_config())
    np.testing.assert_array_equal(again.adjacency_matrix, wiring.adjacency_matrix)
    np.testing.assert_array_equal(again.sensory_adjacency_matrix, wiring.sensory_adjacency_matrix)


def test_ncp_neuron_order_puts_motor_neurons_first():
    wiring = NCPMap.from_fanouts(5, 3, 2, 2, 2, 2, 2, input_dim=3)
    assert wiring.get_neurons_of_layer(2) == [0, 1]
    assert wiring.get_neurons_of_layer(1) == [2, 3, 4]
    assert wiring.get_neurons_of_layer(0) == [5, 6, 7, 8, 9]
    assert (wiring.units, wiring.output_dim, wiring.state_size) == (10, 2, 10)
    # Only command neurons feed motor neurons; inputs feed only inter neurons.
    assert np.all(wiring.adjacency_matrix[5:, :2] == 0) and np.any(wiring.adjacency_matrix[2:5, :2] != 0)
    assert np.all(wiring.sensory_adjacency_matrix[:, :5] == 0)


def _check_adjacency_tensors() -> None:
    wiring = wirings.AutoNCP(10, 2, input_dim=3)
    device = em.ops.get_default_device()
    for tensor, matrix in [(wiring.adjacency_matrix_tensor(), wiring.adjacency_matrix),
                           (wiring.sensory_adjacency_matrix_tensor(), wiring.sensory_adjacency_matrix),
                           (wiring.adjacency_matrix_tensor(mask=True), np.abs(wiring.adjacency_matrix)),
                           (wiring.sensory_adjacency_matrix_tensor(mask=True),
                            np.abs(wiring.sensory_adjacency_matrix))]:
        assert tensor.dtype == float32 and tensor.device == device
        np.testing.assert_array_equal(tensor.numpy(), matrix.astype(np.float32))


def test_adjacency_tensors_are_float32_on_each_backends_device():
    for backend in em.get_available_backends():
        with em.using_backend(backend):
            _check_adjacency_tensors()


def test_hand_built_map_checks_its_synapses():
    wiring = NeuronMap(3, 1)
    wiring.add_synapse(2, 0, -1)
    assert wiring.synapse_count == 1 and wiring.get_type_of_neuron(0) == "motor"
    assert wiring.get_type_of_neuron(1) == "inter"
    wiring.build(2)
    wiring.add_sensory_synapse(1, 2, 1)
    assert wiring.sensory_synapse_count == 1
    assert wiring.sensory_erev_initializer()[1, 2] == 1 and wiring.erev_initializer()[2, 0] == -1


BAD_INPUTS = [
    # (call, error, fragments every message must hold: class, expected, received)
    (lambda: NeuronMap(0), ValueError, ["[NeuronMap]", "units must be >= 1", "got 0"]),
    (lambda: NeuronMap(2.5), TypeError, ["[NeuronMap]", "units must be an integer", "2.5"]),
    (lambda: NeuronMap(4, 5), ValueError, ["[NeuronMap]", "output_dim must be in [1, 4]", "got 5"]),
    (lambda: wirings.Wiring(4, 0), ValueError, ["[Wiring]", "output_dim must be in [1, 4]", "got 0"]),
    (lambda: NeuronMap(4, input_dim=0), ValueError, ["[NeuronMap]", "input_dim must be >= 1", "got 0"]),
    (lambda: NeuronMap(3).add_synapse(3, 0, 1), ValueError, ["[NeuronMap]", "src must be in [0, 2]", "got 3"]),
    (lambda: NeuronMap(3).add_synapse(0, -1, 1), ValueError, ["[NeuronMap]", "dest must be in [0, 2]", "got -1"]),
    (lambda: NeuronMap(3).add_synapse(0, 1, 0), ValueError, ["[NeuronMap]", "polarity must be -1 or +1", "got 0"]),
    (lambda: NeuronMap(3).add_sensory_synapse(0, 1, 1), ValueError, ["[NeuronMap]", "not built", "build(input_dim)"]),
    (lambda: NeuronMap(3, input_dim=2).add_sensory_synapse(2, 1, 1), ValueError,
     ["[NeuronMap]", "src must be in [0, 1]", "got 2"]),
    (lambda: NeuronMap(3).sensory_synapse_count, ValueError, ["[NeuronMap]", "not built"]),
    (lambda: NeuronMap(3).sensory_adjacency_matrix_tensor(), ValueError, ["[NeuronMap]", "not built"]),
    (lambda: NeuronMap(3).get_graph(), ValueError, ["[NeuronMap]", "not built"]),
    (lambda: NeuronMap(3).get_type_of_neuron(3), ValueError, ["[NeuronMap]", "neuron_id must be in [0, 2]", "got 3"]),
    (lambda: NeuronMap(3).get_neurons_of_layer(1), ValueError, ["[NeuronMap]", "layer_id must be in [0, 0]", "got 1"]),
    (lambda: NCPMap.from_fanouts(3, 3, 3, 1, 1, 1, 1).get_neurons_of_layer(3), ValueError,
     ["[NCPMap]", "layer_id must be in [0, 2]", "got 3"]),
    (lambda: NeuronMap.from_config({"units": 2, "output_dim": 2, "input_dim": None,
                                    "adjacency_matrix": [[0, 1]], "sensory_adjacency_matrix": None}),
     ValueError, ["[NeuronMap]", "adjacency_matrix must have shape (2, 2)", "got (1, 2)"]),
    (lambda: FullyConnectedMap(4, seed=-1), ValueError, ["[FullyConnectedMap]", "seed must be >= 0", "got -1"]),
    (lambda: wirings.FullyConnected(4, erev_init_seed="x"), TypeError, ["[FullyConnected]", "seed", "'x'"]),
    (lambda: RandomMap(4, sparsity_level=1.0), ValueError,
     ["[RandomMap]", "sparsity_level must be in [0.0, 1.0)", "got 1.0"]),
    (lambda: wirings.Random(4, sparsity_level=-0.1), ValueError,
     ["[Random]", "sparsity_level must be in [0.0, 1.0)", "got -0.1"]),
    (lambda: wirings.Random(4, sparsity_level=float("nan")), ValueError, ["[Random]", "sparsity_level", "got nan"]),
    (lambda: wirings.Random(4, sparsity_level="0.5"), TypeError, ["[Random]", "sparsity_level", "'0.5'"]),
    (lambda: NCPMap.from_fanouts(0, 3, 3, 0, 1, 1, 1), ValueError, ["[NCPMap]", "inter_neurons must be >= 1", "got 0"]),
    (lambda: NCPMap.from_fanouts(3, 0, 3, 1, 0, 1, 0), ValueError, ["[NCPMap]", "command_neurons must be >= 1", "got 0"]),
    (lambda: wirings.NCP(3, 3, 0, 1, 1, 1, 1), ValueError, ["[NCP]", "motor_neurons must be >= 1", "got 0"]),
    (lambda: wirings.NCP(3, 3, 2, 4, 1, 1, 1), ValueError,
     ["[NCP]", "sensory_fanout must be in [0, 3] (at most inter_neurons)", "got 4"]),
    (lambda: wirings.NCP(3, 3, 2, -1, 1, 1, 1), ValueError, ["[NCP]", "sensory_fanout must be in [0, 3]", "got -1"]),
    (lambda: wirings.NCP(3, 2, 2, 1, 3, 1, 1), ValueError,
     ["[NCP]", "inter_fanout must be in [0, 2] (at most command_neurons)", "got 3"]),
    (lambda: wirings.NCP(3, 2, 2, 1, 1, -2, 1), ValueError,
     ["[NCP]", "recurrent_command_synapses must be >= 0", "got -2"]),
    (lambda: wirings.NCP(3, 2, 2, 1, 1, 1, 3), ValueError,
     ["[NCP]", "motor_fanin must be in [0, 2] (at most command_neurons)", "got 3"]),
    (lambda: wirings.NCP(3, 2, 2, 1, 1, 1, 1, seed=2**32), ValueError,
     ["[NCP]", "seed must be in [0, 4294967295]", "got 4294967296"]),
    (lambda: wirings.AutoNCP(10, 8), ValueError, ["[AutoNCP]", "output_size must be less than units - 2 = 8", "got 8"]),
    (lambda: wirings.AutoNCP(10, 0), ValueError, ["[AutoNCP]", "output_size must be >= 1", "got 0"]),
    (lambda: AutoNCPMap(10.0, 2), TypeError, ["[AutoNCPMap]", "units must be an integer", "10.0"]),
    (lambda: AutoNCPMap(10, 9), ValueError, ["[AutoNCPMap]", "output_dim must be less than units - 2 = 8", "got 9"]),
    (lambda: wirings.AutoNCP(10, 2, 0.05), ValueError, ["[AutoNCP]", "sparsity_level must be in [0.1, 1.0]",
                                                        "got 0.05"]),
    (lambda: AutoNCPMap(10, 2, 1.5), ValueError, ["[AutoNCPMap]", "sparsity_level must be in [0.1, 1.0]", "got 1.5"]),
    (lambda: wirings.AutoNCP(10, 2, input_dim=True), TypeError, ["[AutoNCP]", "input_dim must be an integer", "True"]),
    (lambda: wirings.AutoNCP(10, 2, input_dim=3).draw_graph(layout="grid"), ValueError,
     ["[AutoNCP.draw_graph]", "layout must be one of", "'shell'", "got 'grid'"]),
]


@pytest.mark.parametrize("index", range(len(BAD_INPUTS)))
def test_bad_input_raises_a_message_naming_class_expected_and_received(index):
    call, error, fragments = BAD_INPUTS[index]
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


@pytest.mark.parametrize("layout", ["kamada", "circular", "random", "shell", "spring", "spectral", "spiral"])
def test_draw_graph_draws_every_node_and_synapse(layout):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wiring = wirings.NCP(4, 3, 2, 2, 2, 3, 2, seed=6, input_dim=3)
    colors = {"command": "tab:purple"}
    fig, ax = plt.subplots()
    try:
        legend = wiring.draw_graph(layout=layout, neuron_colors=colors, draw_labels=True)
        drawn_nodes = sum(len(c.get_offsets()) for c in ax.collections)
        assert drawn_nodes == wiring.units + wiring.input_dim == 12
        assert len(ax.patches) == wiring.synapse_count + wiring.sensory_synapse_count
        assert len(ax.texts) == 12
    finally:
        plt.close(fig)
    assert colors == {"command": "tab:purple"}
    assert [p.get_label() for p in legend] == ["Command neurons", "Inter neurons", "Motor neurons",
                                               "Sensory neurons"]
    graph = wiring.get_graph()
    assert graph.number_of_nodes() == 12
    assert graph.number_of_edges() == wiring.synapse_count + wiring.sensory_synapse_count
    assert wiring.get_graph(include_sensory_neurons=False).number_of_nodes() == wiring.units
