"""Affine layers: ``Dense`` (Keras semantics, lazily built) and ``Linear`` (PyTorch semantics)."""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from ember_ml import _core
from ember_ml._checks import check_features, check_min_int
from ember_ml.nn.initializers import get_initializer, initializer_name
from ember_ml.nn.modules.activations import get_activation
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.tensor import EmberTensor, random_uniform


def xavier_bound(fan_in: int, fan_out: int) -> float:
    """Glorot & Bengio's (AISTATS 2010, eq. 16) uniform bound ``sqrt(6 / (fan_in + fan_out))``.

    The bound of ``torch.nn.init.xavier_uniform_`` for a ``(fan_out, fan_in)`` weight.
    """
    return math.sqrt(6.0 / (fan_in + fan_out))


def _named(layer: str, what: str, value: Any, name_of: Callable[[Any], str | None]) -> Any:
    """The config form of an activation / initializer: its registered name (or None)."""
    if value is None or isinstance(value, str):
        return value
    name = name_of(value)
    if name is None:
        raise ValueError(f"[{layer}.get_config] {what} {value!r} has no registered name; pass it by name "
                         "to make the layer serializable")
    return name


def _activation_name(fn: Callable[[Any], Any]) -> str | None:
    try:
        return fn.__name__ if get_activation(fn.__name__) is fn else None
    except (ValueError, AttributeError):
        return None


class Dense(Module):
    """Fully connected layer ``activation(x @ kernel + bias)`` with Keras's semantics.

    ``kernel`` has shape ``(input_dim, units)``, ``bias`` ``(units,)``; both float32. With
    ``input_dim=None`` the layer is built lazily: the first call creates the kernel from
    the input's last dimension (``built`` turns True); until then it has no parameters.

    Args:
        input_dim: number of input features, or None to infer it from the first input.
        units: number of output features (required; ``Dense(units=8)`` for a lazy layer).
        activation: None (identity), a name of ``get_activation`` or a callable.
        use_bias: whether to add ``bias``.
        kernel_initializer: name of ``nn.initializers.get_initializer`` or a callable
            ``init(shape, dtype=None, device=None, seed=None)``; default Glorot uniform.
        bias_initializer: likewise; default zeros.

    Input / output: ``(..., input_dim)`` floating (integer input computes in float32) ->
    ``(..., units)``.

    Raises:
        ValueError: ``[Dense]`` for a non-positive size, an unknown activation or initializer
            name, or (in forward) an input whose last dimension is not ``input_dim``.
    """

    def __init__(self, input_dim: int | None = None, units: int | None = None, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros"):
        super().__init__()
        if units is None:
            raise ValueError("[Dense] units is required: Dense(input_dim, units), or Dense(units=n) to infer "
                             "input_dim from the first input")
        self.units = check_min_int("Dense", "units", units)
        self.input_dim = check_min_int("Dense", "input_dim", input_dim, allow_none=True)
        self.activation = activation
        self._activation_fn = get_activation(activation) if isinstance(activation, str) else activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self._kernel_init = get_initializer(kernel_initializer)
        self._bias_init = get_initializer(bias_initializer)
        self.built = False
        if input_dim is not None:
            self.build((input_dim,))

    def build(self, input_shape: Sequence[int]) -> None:
        """Creates ``kernel (input_dim, units)`` and ``bias (units,)`` from the last entry of ``input_shape``.

        Raises:
            ValueError: ``[Dense]`` for an empty shape or a last dimension that is not a positive
                int or differs from a given ``input_dim``.
        """
        if len(input_shape) == 0:
            raise ValueError("[Dense] expected an input of at least 1 dimension, got shape ()")
        input_dim = check_min_int("Dense", "the input's last dimension", int(input_shape[-1]))
        if self.input_dim is not None and input_dim != self.input_dim:
            raise ValueError(f"[Dense] expected an input of shape (..., {self.input_dim}), got {tuple(input_shape)}")
        self.input_dim = input_dim
        self.kernel = Parameter(self._kernel_init((input_dim, self.units), dtype="float32"))
        if self.use_bias:
            self.bias = Parameter(self._bias_init((self.units,), dtype="float32"))
        super().build(input_shape)

    def forward(self, x: Any) -> EmberTensor:
        """``activation(x @ kernel + bias)``: ``(..., input_dim)`` -> ``(..., units)``."""
        y = _core.matmul(check_features("Dense", x, self.input_dim), self.kernel)
        if self.use_bias:
            y = _core.add(y, self.bias)
        return y if self._activation_fn is None else self._activation_fn(y)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments; activation and initializers by name.

        Raises:
            ValueError: ``[Dense.get_config]`` for a callable activation or initializer without a name.
        """
        return {"input_dim": self.input_dim, "units": self.units,
                "activation": _named("Dense", "activation", self.activation, _activation_name),
                "use_bias": self.use_bias,
                "kernel_initializer": _named("Dense", "kernel_initializer", self.kernel_initializer, initializer_name),
                "bias_initializer": _named("Dense", "bias_initializer", self.bias_initializer, initializer_name)}

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, units={self.units}, activation={self.activation!r}"


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias`` with the semantics and initialization of ``torch.nn.Linear``.

    ``weight`` has shape ``(out_features, in_features)`` and ``bias`` ``(out_features,)``,
    both float32 and drawn from ``U(-1/sqrt(in_features), 1/sqrt(in_features))``: PyTorch's
    ``kaiming_uniform_(a=sqrt(5))`` bound ``gain * sqrt(3 / fan_in)`` with
    ``gain = sqrt(2 / (1 + a**2))`` (He et al., ICCV 2015), and PyTorch's bias rule.

    With ``init="xavier"`` the weight is drawn from Glorot & Bengio's (2010) uniform
    ``U(±sqrt(6 / (in_features + out_features)))`` instead (``torch.nn.init.xavier_uniform_``,
    as ncps initialises its layers); the bias keeps PyTorch's rule.

    Args:
        in_features: size of the last input dimension.
        out_features: size of the last output dimension.
        bias: whether to add ``bias`` (``bias`` is None when False).
        init: ``"torch"`` (default) or ``"xavier"``, the weight's initialization.

    Input / output: ``(..., in_features)`` -> ``(..., out_features)``.

    Raises:
        ValueError: ``[Linear]`` for a non-positive size, an unknown ``init`` or (in forward) an
            input whose last dimension is not ``in_features``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, init: str = "torch") -> None:
        super().__init__()
        self.in_features = check_min_int("Linear", "in_features", in_features)
        self.out_features = check_min_int("Linear", "out_features", out_features)
        if init not in ("torch", "xavier"):
            raise ValueError(f"[Linear] init must be 'torch' or 'xavier', got {init!r}")
        bound = 1.0 / math.sqrt(in_features)
        weight_bound = xavier_bound(in_features, out_features) if init == "xavier" else bound
        self.weight = Parameter(random_uniform((out_features, in_features), -weight_bound, weight_bound,
                                               dtype="float32"))
        self.register_parameter("bias", Parameter(random_uniform((out_features,), -bound, bound, dtype="float32"))
                                if bias else None)

    def forward(self, x: Any) -> EmberTensor:
        """``x @ weight.T + bias``: ``(..., in_features)`` -> ``(..., out_features)``."""
        y = _core.matmul(check_features("Linear", x, self.in_features), self.weight.T)
        return y if self.bias is None else _core.add(y, self.bias)

    def get_config(self) -> dict[str, Any]:
        """``{"in_features", "out_features", "bias"}`` (bias as a bool)."""
        return {"in_features": self.in_features, "out_features": self.out_features, "bias": self.bias is not None}

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


__all__ = ["Dense", "Linear", "check_features", "xavier_bound"]
