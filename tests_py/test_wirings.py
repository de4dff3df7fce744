"""Wirings against the real ncps 1.0.1 package: same arguments and seed -> same wiring.

Every case builds the ncps wiring and both Ember spellings (``ember_ml.wirings`` with
ncps's argument names, ``ember_ml.nn.modules.wiring`` with Ember's) and compares
matrices, counts, initializers, neuron types, layers, graphs and configs exactly.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from ember_ml import wirings
from ember_ml.nn.modules.wiring import AutoNCPMap, FullyConnectedMap, NCPMap, RandomMap

ncps_wirings = pytest.importorskip("ncps.wirings")


def assert_same_wiring(ours, theirs) -> None:
    assert (ours.units, ours.input_dim, ours.output_dim) == (theirs.units, theirs.input_dim, theirs.output_dim)
    assert ours.adjacency_matrix.dtype == theirs.adjacency_matrix.dtype == np.int32
    np.testing.assert_array_equal(ours.adjacency_matrix, theirs.adjacency_matrix)
    assert ours.sensory_adjacency_matrix.dtype == np.int32
    np.testing.assert_array_equal(ours.sensory_adjacency_matrix, theirs.sensory_adjacency_matrix)
    assert ours.synapse_count == theirs.synapse_count
    assert ours.sensory_synapse_count == theirs.sensory_synapse_count
    np.testing.assert_array_equal(ours.erev_initializer(), theirs.erev_initializer())
    np.testing.assert_array_equal(ours.sensory_erev_initializer(), theirs.sensory_erev_initializer())
    assert [ours.get_type_of_neuron(i) for i in range(ours.units)] == \
        [theirs.get_type_of_neuron(i) for i in range(theirs.units)]
    assert ours.num_layers == theirs.num_layers
    for layer in range(ours.num_layers):
        assert ours.get_neurons_of_layer(layer) == list(theirs.get_neurons_of_layer(layer))
    assert ours.is_built() and theirs.is_built()


def assert_same_graph(ours, theirs) -> None:
    g_ours, g_theirs = ours.get_graph(), theirs.get_graph()
    assert dict(g_ours.nodes(data="neuron_type")) == dict(g_theirs.nodes(data="neuron_type"))
    assert set(g_ours.edges(data="polarity")) == set(g_theirs.edges(data="polarity"))


def check_all(theirs, *ours_list, input_dim: int) -> None:
    theirs.build(input_dim)
    for ours in ours_list:
        ours.build(input_dim)
        assert_same_wiring(ours, theirs)


# ---------------------------------------------------------------------------- FullyConnected
FC_CASES = [(units, output_dim, self_connections, seed)
            for units in range(1, 13)
            for output_dim in [None, *sorted({1, max(1, units // 2), units})]
            for self_connections, seed in [(True, 1111), (False, 1111), (True, 0), (False, 98765)]]


@pytest.mark.parametrize("units,output_dim,self_connections,seed", FC_CASES)
def test_fully_connected_matches_ncps(units, output_dim, self_connections, seed):
    for input_dim in (1, 3, 7):
        theirs = ncps_wirings.FullyConnected(units, output_dim, seed, self_connections)
        check_all(theirs,
                  wirings.FullyConnected(units, output_dim, seed, self_connections),
                  FullyConnectedMap(units, output_dim, self_connections=self_connections, seed=seed),
                  input_dim=input_dim)
    ours_prebuilt = FullyConnectedMap(units, output_dim, input_dim=7, self_connections=self_connections, seed=seed)
    assert_same_wiring(ours_prebuilt, theirs)
    assert_same_graph(ours_prebuilt, theirs)


# ---------------------------------------------------------------------------- Random
RANDOM_CASES = [(units, sparsity, seed)
                for units in (1, 2, 3, 5, 8, 13)
                for sparsity in (0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.99)
                for seed in (1111, 3)]


@pytest.mark.parametrize("units,sparsity,seed", RANDOM_CASES)
def test_random_matches_ncps(units, sparsity, seed):
    output_dim = max(1, units - 1)
    for input_dim in (1, 2, 6, 11):
        theirs = ncps_wirings.Random(units, output_dim, sparsity, seed)
        check_all(theirs,
                  wirings.Random(units, output_dim, sparsity, seed),
                  RandomMap(units, output_dim, sparsity_level=sparsity, seed=seed),
                  input_dim=input_dim)
    assert_same_graph(RandomMap(units, output_dim, input_dim=11, sparsity_level=sparsity, seed=seed), theirs)


def test_random_default_output_dim_is_units():
    assert wirings.Random(6).output_dim == ncps_wirings.Random(6).output_dim == 6


# ---------------------------------------------------------------------------- NCP
# (inter, command, motor, sensory_fanout, inter_fanout, recurrent_command_synapses, motor_fanin)
NCP_SIZES = [
    (12, 8, 4, 4, 4, 6, 4),
    (5, 3, 2, 5, 3, 0, 3),
    (3, 6, 4, 1, 1, 10, 2),   # few fan-outs: the fallback synapses for unreached neurons are drawn
    (1, 1, 1, 1, 1, 1, 1),
    (8, 4, 6, 0, 0, 3, 0),    # zero fan-outs: every neuron is reached by the fallback only
    (20, 10, 5, 6, 4, 8, 3),
    (2, 9, 7, 2, 9, 20, 9),
]
NCP_SEEDS = (22222, 0, 1, 2**32 - 1)


@pytest.mark.parametrize("sizes,seed", list(itertools.product(NCP_SIZES, NCP_SEEDS)))
def test_ncp_matches_ncps(sizes, seed):
    for input_dim in (1, 2, 3, 5, 8, 13, 20):
        check_all(ncps_wirings.NCP(*sizes, seed=seed), wirings.NCP(*sizes, seed=seed),
                  NCPMap.from_fanouts(*sizes, seed=seed), input_dim=input_dim)


@pytest.mark.parametrize("input_dim", range(1, 21))
def test_ncp_default_seed_every_input_dim(input_dim):
    theirs = ncps_wirings.NCP(12, 8, 4, 4, 4, 6, 4)
    check_all(theirs, wirings.NCP(12, 8, 4, 4, 4, 6, 4), input_dim=input_dim)
    ours = NCPMap.from_fanouts(12, 8, 4, 4, 4, 6, 4, input_dim=input_dim)
    assert_same_wiring(ours, theirs)
    assert_same_graph(ours, theirs)


@pytest.mark.parametrize("seed", [113, 117, 126, 158, 208])
def test_ncp_fallback_cap_of_command_fanin(seed):
    # For these seeds all 6 inter neurons (fan-out 1) pick the same one of the 2 command
    # neurons; ncps then gives the other one clip(6 * 1 / 2, 1, 2) = 2 inter inputs, capped
    # by the command-layer size rather than the inter-layer size.
    theirs = ncps_wirings.NCP(6, 2, 1, 1, 1, 1, 1, seed=seed)
    check_all(theirs, NCPMap.from_fanouts(6, 2, 1, 1, 1, 1, 1, seed=seed), input_dim=3)
    inter_to_command = np.abs(theirs.adjacency_matrix[3:, 1:3]).sum(axis=0)
    assert sorted(inter_to_command) == [2, 6]


# ---------------------------------------------------------------------------- AutoNCP
AUTO_UNITS = (8, 9, 12, 16, 19, 24, 32, 48, 64)
AUTO_SPARSITY = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0)


@pytest.mark.parametrize("units,sparsity", list(itertools.product(AUTO_UNITS, AUTO_SPARSITY)))
def test_autoncp_matches_ncps(units, sparsity):
    for output_size, (seed, input_dim) in itertools.product(sorted({1, 2, units // 3, units - 3}),
                                                            [(22222, 1), (5, 4), (22222, 16), (5, 16)]):
        theirs = ncps_wirings.AutoNCP(units, output_size, sparsity, seed)
        check_all(theirs, wirings.AutoNCP(units, output_size, sparsity, seed),
                  AutoNCPMap(units, output_size, sparsity, seed), input_dim=input_dim)
        ours = wirings.AutoNCP(units, output_size, sparsity, seed, input_dim=input_dim)
        assert (ours.inter_neurons, ours.command_neurons, ours.motor_neurons) == (
            len(theirs.get_neurons_of_layer(0)), len(theirs.get_neurons_of_layer(1)),
            len(theirs.get_neurons_of_layer(2)))


def test_autoncp_default_arguments():
    theirs = ncps_wirings.AutoNCP(28, 4)
    check_all(theirs, wirings.AutoNCP(28, 4), AutoNCPMap(28, 4), input_dim=10)


@pytest.mark.parametrize("units,output_size,sparsity", [
    (8, 6, 0.5), (8, 7, 0.5), (5, 3, 0.5), (20, 4, 0.05), (20, 4, 1.01), (20, 4, 0.0),
])
def test_autoncp_rejects_what_ncps_rejects(units, output_size, sparsity):
    with pytest.raises(ValueError):
        ncps_wirings.AutoNCP(units, output_size, sparsity)
    with pytest.raises(ValueError, match=r"\[AutoNCP\]") as info:
        wirings.AutoNCP(units, output_size, sparsity)
    received = str(output_size) if output_size >= units - 2 else str(sparsity)
    assert f"got {received}" in str(info.value)
    with pytest.raises(ValueError, match=r"\[AutoNCPMap\]"):
        AutoNCPMap(units, output_size, sparsity)


@pytest.mark.parametrize("units,output_size,sparsity", [(6, 3, 0.1), (8, 5, 1.0), (30, 27, 0.9)])
def test_autoncp_accepts_what_ncps_accepts_at_the_edges(units, output_size, sparsity):
    theirs = ncps_wirings.AutoNCP(units, output_size, sparsity)
    check_all(theirs, wirings.AutoNCP(units, output_size, sparsity), input_dim=2)


@pytest.mark.parametrize("sizes", [(4, 3, 2, 5, 1, 1, 1), (4, 3, 2, 1, 4, 1, 1), (4, 3, 2, 1, 1, 1, 4)])
def test_ncp_rejects_fanouts_ncps_rejects(sizes):
    with pytest.raises(ValueError):
        ncps_wirings.NCP(*sizes)
    with pytest.raises(ValueError, match=r"\[NCP\] .*must be in \[0, [34]\].*got [45]"):
        wirings.NCP(*sizes)


# ---------------------------------------------------------------------------- configs
def _ncps_and_ours():
    return [
        (ncps_wirings.FullyConnected(5, 2, 42, False), wirings.FullyConnected(5, 2, 42, False)),
        (ncps_wirings.Random(7, 3, 0.4, 9), wirings.Random(7, 3, 0.4, 9)),
        (ncps_wirings.AutoNCP(16, 4, 0.3, 77), wirings.AutoNCP(16, 4, 0.3, 77)),
    ]


@pytest.mark.parametrize("index", range(3))
def test_config_keys_and_values_match_ncps(index):
    theirs, ours = _ncps_and_ours()[index]
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    assert set(ours_config) == set(theirs_config) | {"input_dim"}
    assert {k: ours_config[k] for k in theirs_config} == theirs_config
    # ncps can rebuild its class from our config, and gets the same wiring.
    rebuilt = type(theirs).from_config({k: ours_config[k] for k in theirs_config})
    check_all(rebuilt, ours, input_dim=4)


def test_ncp_config_keys_match_ncps():
    # ncps's NCP.get_config stores neuron-id lists and RandomState.seed()'s None (and reseeds
    # its generator); the keys are what we keep from it.
    theirs = ncps_wirings.NCP(5, 4, 3, 2, 2, 3, 2, seed=17)
    ours = wirings.NCP(5, 4, 3, 2, 2, 3, 2, seed=17)
    assert set(ours.get_config()) == set(theirs.get_config()) | {"input_dim"}
    assert ours.get_config()["seed"] == 17


def test_hand_built_wiring_config_matches_ncps():
    theirs, ours = ncps_wirings.Wiring(4), wirings.Wiring(4)
    theirs.set_output_dim(2)
    ours.set_output_dim(2)
    for w in (theirs, ours):
        w.add_synapse(0, 3, -1)
        w.add_synapse(2, 1, 1)
        w.build(3)
        w.add_sensory_synapse(2, 0, -1)
    assert ours.get_config() == theirs.get_config()
    assert_same_wiring(wirings.Wiring.from_config(theirs.get_config()), theirs)


# ---------------------------------------------------------------------------- drawing
def test_draw_graph_legend_matches_ncps():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    theirs, ours = ncps_wirings.AutoNCP(12, 3, seed=4), wirings.AutoNCP(12, 3, seed=4)
    theirs.build(5)
    ours.build(5)
    colors = {"command": "tab:purple"}
    legends = []
    for w in (theirs, ours):
        plt.figure()
        legends.append([(p.get_label(), p.get_facecolor()) for p in
                        w.draw_graph(layout="circular", neuron_colors=dict(colors), synapse_colors="black")])
        plt.close("all")
    assert legends[0] == legends[1]
    assert_same_graph(ours, theirs)
