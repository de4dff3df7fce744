"""``from_ncps``: an ``ncps.torch`` CfC / LTC module as the equivalent Ember layer, weights included."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.ltc import LTC
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.tensor import convert_to_tensor

# ncps backbone activation classes by name -> CfC's activation names.
_ACTIVATIONS = {"LeCun": "lecun_tanh", "SiLU": "silu", "ReLU": "relu", "Tanh": "tanh", "GELU": "gelu"}


def _convert_wiring(wiring: Any) -> NeuronMap:
    """The ``ember_ml.wirings`` counterpart of an ncps wiring, with ncps's matrices copied exactly."""
    from ember_ml import wirings as ew

    kind = type(wiring).__name__
    if kind == "AutoNCP":
        ours = ew.AutoNCP(wiring.units, wiring._output_size, wiring._sparsity_level, wiring._seed)
    elif kind == "NCP":
        ours = ew.NCP(wiring._num_inter_neurons, wiring._num_command_neurons, wiring._num_motor_neurons,
                      wiring._sensory_fanout, wiring._inter_fanout, wiring._recurrent_command_synapses,
                      wiring._motor_fanin)
    elif kind == "FullyConnected":
        ours = ew.FullyConnected(wiring.units, wiring.output_dim, wiring._erev_init_seed, wiring.self_connections)
    elif kind == "Random":
        ours = ew.Random(wiring.units, wiring.output_dim, wiring.sparsity_level, wiring._random_seed)
    elif wiring.num_layers == 1:
        ours = ew.Wiring(wiring.units, wiring.output_dim)
    else:
        raise NotImplementedError(f"[from_ncps] the {wiring.num_layers}-layer wiring class {kind} has no Ember "
                                  "counterpart; supported: Wiring (one layer), FullyConnected, Random, NCP, AutoNCP")
    if wiring.is_built():
        ours.build(wiring.input_dim)
        ours.sensory_adjacency_matrix = np.asarray(wiring.sensory_adjacency_matrix, dtype=np.int32).copy()
    ours.adjacency_matrix = np.asarray(wiring.adjacency_matrix, dtype=np.int32).copy()
    return ours


def _cfc_backbone(cell: Any) -> dict[str, Any]:
    if cell.backbone_layers == 0:
        return {"backbone_layers": 0}
    layers = list(cell.backbone)
    name = type(layers[1]).__name__
    if name not in _ACTIVATIONS or getattr(layers[1], "approximate", "none") != "none":
        raise NotImplementedError(f"[from_ncps] unsupported CfC backbone activation {layers[1]!r}")
    dropout = [layer.p for layer in layers if type(layer).__name__ == "Dropout"]
    return {"backbone_layers": cell.backbone_layers, "backbone_units": layers[0].out_features,
            "activation": _ACTIVATIONS[name], "backbone_dropout": dropout[0] if dropout else 0.0}


def _build(module: Any) -> Module:
    kind = type(module).__name__
    common = {"return_sequences": module.return_sequences, "batch_first": module.batch_first,
              "mixed_memory": module.use_mixed}
    if kind == "CfC":
        wired = type(module.rnn_cell).__name__ == "WiredCfCCell"
        if wired:
            units: Any = _convert_wiring(module.wiring)
            mode = module.rnn_cell._layers[0].mode
            extra: dict[str, Any] = {}
        else:
            units, mode, extra = module.wiring_or_units, module.rnn_cell.mode, _cfc_backbone(module.rnn_cell)
        return CfC(module.input_size, units, proj_size=module.proj_size, mode=mode, **common, **extra)
    cell = module.rnn_cell
    return LTC(module.input_size, _convert_wiring(module._wiring), input_mapping=cell._input_mapping,
               output_mapping=cell._output_mapping, ode_unfolds=cell._ode_unfolds, epsilon=cell._epsilon,
               implicit_param_constraints=cell._implicit_param_constraints, **common)


def from_ncps(module: Any) -> Module:
    """The Ember layer equivalent to an ``ncps.torch`` ``CfC`` or ``LTC`` module, weights copied.

    The configuration (sizes, mode, backbone, wiring with its exact matrices, mixed memory,
    projection, mappings, ODE settings, ``return_sequences``, ``batch_first``, training
    flag) and every parameter and mask are copied (``.detach().cpu().numpy()``), so both
    give the same outputs for the same inputs. Parameter names are ncps's.

    Args:
        module: an ``ncps.torch.CfC`` or ``ncps.torch.LTC`` (ncps 1.0.1).

    Returns:
        :class:`CfC` or :class:`LTC`.

    Raises:
        TypeError: ``[from_ncps]`` when ``module`` is not an ncps.torch CfC / LTC.
        NotImplementedError: ``[from_ncps]`` naming what has no Ember counterpart (a custom
            multi-layer wiring class, an approximate GELU, an unknown parameter).
    """
    kind = type(module).__name__
    if kind not in ("CfC", "LTC") or not type(module).__module__.startswith("ncps.torch"):
        raise TypeError(f"[from_ncps] expected an ncps.torch CfC or LTC module, got "
                        f"{type(module).__module__}.{kind}")
    ours = _build(module)
    params, buffers = dict(ours.named_parameters()), dict(ours.named_buffers())
    source = dict(module.named_parameters())
    unknown = sorted(set(source) - set(params) - set(buffers))
    if unknown:
        raise NotImplementedError(f"[from_ncps] ncps parameters without an Ember counterpart: {', '.join(unknown)}")
    for name, value in source.items():
        values = convert_to_tensor(value.detach().cpu().numpy())
        if name in params:
            params[name].data = values
        else:  # ncps keeps its masks as frozen parameters; here they are buffers
            *path, attr = name.split(".")
            owner = ours
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, attr, values)
    return ours.train(module.training)
