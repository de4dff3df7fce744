"""Building blocks shared by the recurrent layers: affine maps, initializers, ncps activations.

Weights use PyTorch's ``(out_features, in_features)`` layout so that parameters copied from
``torch.nn.Linear`` / ``ncps.torch`` keep their shapes and names.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import Dropout, ReLU, Tanh, sigmoid, tanh
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
    return uniform(shape, math.sqrt(6.0 / (shape[0] + shape[1])))


class Linear(Module):
    """An affine map ``y = x @ weight.T + bias`` with ``torch.nn.Linear``'s parameter names and init.

    Args:
        in_features: input size.
        out_features: output size.
        bias: whether to add a bias.
        init: ``"torch"`` (weight and bias ``U(±1/sqrt(in_features))``, torch's default) or
            ``"xavier"`` (xavier-uniform weight, torch's default bias), as ncps initialises.

    Shapes: ``forward(x)``: ``(B, in_features) -> (B, out_features)``, float32.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: str = "torch") -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = (xavier_uniform((out_features, in_features)) if init == "xavier"
                       else uniform((out_features, in_features), bound))
        self.bias = uniform((out_features,), bound) if bias else None

    def forward(self, x: EmberTensor) -> EmberTensor:
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Sub-modules named ``"0"``, ``"1"``, ... applied in order (``torch.nn.Sequential``'s naming).

    The names give parameter paths such as ``backbone.0.weight``, equal to ncps's.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for index, layer in enumerate(layers):
            setattr(self, str(index), layer)

    def forward(self, x: EmberTensor) -> EmberTensor:
        for layer in self.children():
            x = layer(x)
        return x


class SiLU(Module):
    """``x * sigmoid(x)`` (Elfwing et al. 2018); same shape."""

    def forward(self, x: EmberTensor) -> EmberTensor:
        return ops.multiply(x, sigmoid(x))


class GELU(Module):
    """Exact GELU ``x * (1 + erf(x / sqrt 2)) / 2`` (Hendrycks & Gimpel 2016); same shape."""

    def forward(self, x: EmberTensor) -> EmberTensor:
        return x * 0.5 * (1.0 + ops.erf(x * (1.0 / math.sqrt(2.0))))


class LeCunTanh(Module):
    """ncps's ``LeCun`` activation ``1.7159 * tanh(0.666 * x)``; same shape.

    ncps rounds LeCun's 2/3 to 0.666 (``nn.modules.activations.lecun_tanh`` uses 2/3); the
    CfC backbone uses ncps's constant so that converted models give ncps's outputs.
    """

    def forward(self, x: EmberTensor) -> EmberTensor:
        return ops.multiply(tanh(ops.multiply(x, 0.666)), 1.7159)


BACKBONE_ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "silu": SiLU, "relu": ReLU, "tanh": Tanh, "gelu": GELU, "lecun_tanh": LeCunTanh,
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


def check_positive_int(owner: str, name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``.

    Raises:
        ValueError: ``[owner]`` naming the argument, the expected range and the received value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"[{owner}] {name} must be an integer >= {minimum}, got {value!r}")
    return value
