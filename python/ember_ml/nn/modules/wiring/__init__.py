"""Wirings: which neurons and inputs of a wired RNN feed which neurons (NCP and friends).

One engine, two spellings: these Ember names (``input_dim`` / ``output_dim`` / ``units``,
``seed``) and the ncps names in :mod:`ember_ml.wirings`. Matrices equal ncps 1.0.1's for
the same arguments and seed.
"""
from ember_ml.nn.modules.wiring.fully_connected_map import FullyConnectedMap
from ember_ml.nn.modules.wiring.ncp_map import AutoNCPMap, NCPMap
from ember_ml.nn.modules.wiring.neuron_map import NeuronMap
from ember_ml.nn.modules.wiring.random_map import RandomMap

__all__ = ["NeuronMap", "NCPMap", "AutoNCPMap", "FullyConnectedMap", "RandomMap"]
