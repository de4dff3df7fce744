"""Building blocks shared by the recurrent layers: the functional affine map, initializers, ncps's backbone.

Weights use PyTorch's ``(out_features, in_features)`` layout so that parameters copied from
``torch.nn.Linear`` / ``ncps.torch`` keep their shapes and names.
"""
from __future__ import annotations

import functools
from typing import Callable

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import GELU, NCPS_LECUN_TANH_SCALE, Dropout, LeCunTanh, ReLU, SiLU, Tanh
from ember_ml.nn.modules.containers import Sequential
from ember_ml.nn.modules.linear import Linear, xavier_bound
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.tensor import EmberTensor


def linear(x: EmberTensor, weight: EmberTensor, bias: EmberTensor | None = None) -> EmberTensor:
    """``x @ weight.T + bias`` (``torch.nn.functional.linear``).

    Args:
        x: float ``(B, in)``.
        weight: float ``(out, in)``.
        bias: float ``(out,)`` or None.

    Returns:
        float ``(B, out)``.
    """
    y = ops.matmul(x, T.transpose(weight))
    return y if bias is None else ops.add(y, bias)


def uniform(shape: tuple[int, ...], bound: float) -> Parameter:
    """A Parameter drawn from ``U(-bound, bound)`` (float32) from the global random stream."""
    return Parameter(T.random_uniform(shape, -bound, bound))


def xavier_uniform(shape: tuple[int, int]) -> Parameter:
    """Glorot & Bengio (2010) uniform init of a ``(fan_out, fan_in)`` weight, as ``torch.nn.init.xavier_uniform_``."""
    return uniform(shape, xavier_bound(shape[1], shape[0]))


# ncps's backbone activation names; its "lecun_tanh" is ncps's ``LeCun`` (slope 0.666, not LeCun's 2/3) so
# that converted ncps models give ncps's outputs (docs/names.md).
BACKBONE_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "silu": SiLU, "relu": ReLU, "tanh": Tanh, "gelu": GELU,
    "lecun_tanh": functools.partial(LeCunTanh, scale=NCPS_LECUN_TANH_SCALE),
}


def backbone(owner: str, in_features: int, units: int, layers: int, activation: str, dropout: float,
             dropout_first: bool = False) -> Sequential:
    """ncps's CfC backbone: ``layers`` x (Linear, activation), dropout after every layer but the first.

    (Dropout placement follows ncps 1.0.1, which adds it only from the second layer on;
    ``dropout_first`` also puts it after the first layer, as the CfC paper's ``tf_cfc.py`` does.)

    Raises:
        ValueError: ``[owner]`` for an unknown activation name.
    """
    if activation not in BACKBONE_ACTIVATIONS:
        raise ValueError(f"[{owner}] unknown backbone activation {activation!r}; valid names: "
                         f"{', '.join(BACKBONE_ACTIVATIONS)}")
    make = BACKBONE_ACTIVATIONS[activation]
    stack: list[Module] = [Linear(in_features, units, init="xavier"), make()]
    if dropout_first and dropout > 0.0:
        stack.append(Dropout(dropout))
    for _ in range(1, layers):
        stack += [Linear(units, units, init="xavier"), make()]
        if dropout > 0.0:
            stack.append(Dropout(dropout))
    return Sequential(*stack)

