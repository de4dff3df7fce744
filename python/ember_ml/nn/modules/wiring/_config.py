"""A neuron map inside a layer's config: ``{"class_name": ..., "config": ...}`` and back.

Only the wiring classes of Ember ML (:mod:`ember_ml.nn.modules.wiring` and
:mod:`ember_ml.wirings`) are looked up by name, so a config read from a file cannot
import or run other code.
"""
from __future__ import annotations

from typing import Any

from ember_ml.nn.modules.wiring.neuron_map import NeuronMap


def map_to_config(neuron_map: NeuronMap) -> dict[str, Any]:
    """``{"class_name": type name, "config": neuron_map.get_config()}``, JSON-serialisable.

    Raises:
        TypeError: ``neuron_map`` is not a :class:`NeuronMap`.
    """
    if not isinstance(neuron_map, NeuronMap):
        raise TypeError(f"[map_to_config] expected a NeuronMap, got {type(neuron_map).__name__}")
    return {"class_name": type(neuron_map).__name__, "config": neuron_map.get_config()}


def map_from_config(config: Any) -> NeuronMap:
    """The neuron map a :func:`map_to_config` dict describes (a NeuronMap passes through unchanged).

    Raises:
        ValueError: ``class_name`` is not an Ember ML wiring class, or the dict lacks its keys.
    """
    if isinstance(config, NeuronMap):
        return config
    from ember_ml import wirings
    from ember_ml.nn.modules import wiring

    if not isinstance(config, dict) or set(config) != {"class_name", "config"}:
        raise ValueError(f"[map_from_config] expected a dict with keys 'class_name' and 'config', got {config!r}")
    name = config["class_name"]
    classes = {cls.__name__: cls for space in (wiring, wirings) for cls in map(space.__dict__.get, space.__all__)
               if isinstance(cls, type) and issubclass(cls, NeuronMap)}
    if name not in classes:
        raise ValueError(f"[map_from_config] unknown neuron map class {name!r}; known: {', '.join(sorted(classes))}")
    return classes[name].from_config(config["config"])
