"""networkx graph and matplotlib drawing of a wiring (as ncps 1.0.1's ``Wiring.get_graph`` / ``draw_graph``).

networkx and matplotlib are imported on first use so that wirings work without them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ember_ml.nn.modules.wiring.neuron_map import NeuronMap

DEFAULT_NEURON_COLORS = {"inter": "tab:blue", "motor": "tab:orange", "sensory": "tab:olive"}
DEFAULT_SYNAPSE_COLORS = {"excitatory": "tab:green", "inhibitory": "tab:red"}
# ncps draws a neuron type with no colour of its own (e.g. "command") in tab:blue.
FALLBACK_NEURON_COLOR = "tab:blue"
# ncps's layout names and the networkx functions behind them.
LAYOUTS = {"kamada": "kamada_kawai_layout", "circular": "circular_layout", "random": "random_layout",
           "shell": "shell_layout", "spring": "spring_layout", "spectral": "spectral_layout",
           "spiral": "spiral_layout"}


def _add_edges(graph: Any, matrix: np.ndarray, src_prefix: str) -> None:
    for src, dest in zip(*np.nonzero(matrix)):
        polarity = "excitatory" if matrix[src, dest] >= 0 else "inhibitory"
        graph.add_edge(f"{src_prefix}_{src}", f"neuron_{dest}", polarity=polarity)


def wiring_graph(wiring: NeuronMap, include_sensory_neurons: bool = True) -> Any:
    """See :meth:`NeuronMap.get_graph`."""
    import networkx as nx

    sensory = wiring._built_sensory_matrix()
    graph = nx.DiGraph()
    for i in range(wiring.units):
        graph.add_node(f"neuron_{i}", neuron_type=wiring.get_type_of_neuron(i))
    if include_sensory_neurons:
        for i in range(wiring.input_dim):
            graph.add_node(f"sensory_{i}", neuron_type="sensory")
        _add_edges(graph, sensory, "sensory")
    _add_edges(graph, wiring.adjacency_matrix, "neuron")
    return graph


def draw_wiring(wiring: NeuronMap, layout: str, neuron_colors: dict[str, str] | None,
                synapse_colors: str | dict[str, str] | None, draw_labels: bool) -> list:
    """See :meth:`NeuronMap.draw_graph`."""
    if layout not in LAYOUTS:
        raise ValueError(f"[{type(wiring).__name__}.draw_graph] layout must be one of {list(LAYOUTS)}, "
                         f"got {layout!r}")
    import matplotlib.patches as mpatches
    import networkx as nx

    if isinstance(synapse_colors, str):
        synapse_colors = {"excitatory": synapse_colors, "inhibitory": synapse_colors}
    synapse_colors = {**DEFAULT_SYNAPSE_COLORS, **(synapse_colors or {})}
    colors = {**(neuron_colors or {})}
    for kind, color in DEFAULT_NEURON_COLORS.items():
        colors.setdefault(kind, color)
    legend = [mpatches.Patch(color=color, label=f"{kind[0].upper()}{kind[1:]} neurons")
              for kind, color in colors.items()]

    graph = wiring_graph(wiring)
    pos = getattr(nx, LAYOUTS[layout])(graph)
    by_type: dict[str, list[str]] = {}
    for node, kind in graph.nodes(data="neuron_type"):
        by_type.setdefault(kind, []).append(node)
    for kind, nodes in by_type.items():
        nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=colors.get(kind, FALLBACK_NEURON_COLOR))
    if draw_labels:
        nx.draw_networkx_labels(graph, pos)
    for polarity, color in synapse_colors.items():
        edges = [(u, v) for u, v, p in graph.edges(data="polarity") if p == polarity]
        if edges:
            nx.draw_networkx_edges(graph, pos, edgelist=edges, edge_color=color)
    return legend
