"""``NCP`` and ``AutoNCP``: wired single-step recurrent cells with Ember ML's documented call convention.

An NCP cell is an Elman cell whose weights are masked by a neuron map (Lechner et al. 2020,
"Neural circuit policies enabling auditable autonomy", for the wiring; Elman 1990 for the
step): ``h' = activation(x @ (kernel * S) + h @ (recurrent_kernel * A) + bias)`` with ``S =
|sensory_adjacency_matrix|`` ``(input_dim, units)`` and ``A = |adjacency_matrix|`` ``(units,
units)``; the output is the motor neurons, the first ``output_dim`` columns of ``h'``. The
cell keeps its last state (``state``) for the next call, as the documented Ember ML module.
The liquid NCP layers (CfC / LTC dynamics over a wiring) are :class:`ember_ml.nn.modules.CfC`
and :class:`ember_ml.nn.modules.LTC`.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from ember_ml import ops
from ember_ml.nn import initializers
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import get_activation
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.rnn._sequence import check_mask
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.modules.wiring._config import map_from_config, map_to_config
from ember_ml.nn.tensor import EmberTensor


class NCP(Module):
    """A neural circuit policy cell: one masked Elman step over ``neuron_map`` (see the module docstring).

    A layer; the wiring of the same name is ``ember_ml.wirings.NCP`` (docs/names.md).

    The input size is taken from the first call (or :meth:`build`), which builds the map if
    it is not built yet.

    Args:
        neuron_map: the wiring (:class:`NeuronMap`: ``NCPMap``, ``FullyConnectedMap``, ...).
        activation: ``tanh`` (default), ``relu``, ``sigmoid``, ``softplus`` or ``lecun_tanh``.
        use_bias: add a ``bias`` ``(units,)``.
        kernel_initializer: initializer name of ``kernel`` ``(input_dim, units)``.
        recurrent_initializer: initializer name of ``recurrent_kernel`` ``(units, units)``.
        bias_initializer: initializer name of ``bias``.
        dtype: parameter dtype (default float32).

    ``forward(inputs, state=None, return_state=False, mask=None)``: ``inputs`` float ``(B,
    input_dim)``; ``state`` ``(B, units)`` (None = the stored state, zeros after construction or
    :meth:`reset_state`); ``mask`` ``(B,)`` bool or 0/1 (None = every row real): a masked row
    keeps its state, so its output (the motor neurons of the state) repeats the previous one,
    Keras's masking semantics for one step; returns the motor outputs ``(B, output_dim)``, or
    ``(outputs, new state (B, units))`` with ``return_state``. The stored state is detached from the autodiff
    graph (as a Keras stateful layer's, so that ``backward`` after each call works); to
    backpropagate through time pass the state returned with ``return_state`` explicitly.

    Raises:
        TypeError: ``neuron_map`` is not a NeuronMap.
        ValueError: ``[NCP]`` for an unknown activation or initializer, an input whose size
            contradicts the built map, a state or mask of the wrong shape, or mask values not 0 / 1.
        TypeError: ``[NCP]`` for a complex or string mask.
    """

    def __init__(self, neuron_map: NeuronMap, activation: str = "tanh", use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", recurrent_initializer: str = "orthogonal",
                 bias_initializer: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(neuron_map, NeuronMap):
            raise TypeError(f"[{name}] neuron_map must be a NeuronMap, got {type(neuron_map).__name__}")
        try:
            self._activation_fn = get_activation(activation)
            for init in (kernel_initializer, recurrent_initializer, bias_initializer):
                initializers.get_initializer(init)
        except ValueError as err:
            raise ValueError(f"[{name}] {str(err).split('] ', 1)[1]}") from None
        self.neuron_map = neuron_map
        self.activation = activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.dtype = dtype
        self.state: EmberTensor | None = None
        object.__setattr__(self, "built", False)

    @property
    def units(self) -> int:
        """Number of neurons (the state size)."""
        return self.neuron_map.units

    @property
    def output_dim(self) -> int:
        """Number of motor neurons (the output size)."""
        return self.neuron_map.output_dim

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Builds the map for ``input_shape[-1]`` features and creates the parameters and masks (once).

        Args:
            input_shape: e.g. ``(None, input_dim)``; only the last entry is read.

        Raises:
            ValueError: ``[NCP]`` for an empty shape or a size that contradicts the built map.
        """
        if self.built:
            return
        name = type(self).__name__
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(f"[{name}] build needs an input shape ending in the feature size, got {input_shape}")
        input_dim = int(input_shape[-1])
        if self.neuron_map.is_built() and self.neuron_map.input_dim != input_dim:
            raise ValueError(f"[{name}] the neuron map was built for input_dim={self.neuron_map.input_dim}, "
                             f"got inputs with {input_dim} features")
        self.neuron_map.build(input_dim)
        units, dtype = self.units, self.dtype or T.float32
        self.register_buffer("input_mask", self.neuron_map.sensory_adjacency_matrix_tensor(mask=True))
        self.register_buffer("recurrent_mask", self.neuron_map.adjacency_matrix_tensor(mask=True))
        self.kernel = Parameter(initializers.get_initializer(self.kernel_initializer)((input_dim, units), dtype=dtype))
        self.recurrent_kernel = Parameter(
            initializers.get_initializer(self.recurrent_initializer)((units, units), dtype=dtype))
        self.bias = (Parameter(initializers.get_initializer(self.bias_initializer)((units,), dtype=dtype))
                     if self.use_bias else None)
        super().build(input_shape)

    def _initial_state(self, state: Any, batch: int) -> EmberTensor:
        name = type(self).__name__
        if state is None:
            if self.state is None:
                return T.zeros((batch, self.units), dtype=self.kernel.dtype)
            if self.state.shape[0] != batch:
                raise ValueError(f"[{name}] the stored state has batch size {self.state.shape[0]}, the input "
                                 f"{batch}: pass state= or call reset_state()")
            return self.state
        state = T.convert_to_tensor(state)
        if tuple(state.shape) != (batch, self.units):
            raise ValueError(f"[{name}] expected state of shape ({batch}, {self.units}), got {tuple(state.shape)}")
        return state

    def forward(self, inputs: Any, state: Any = None, return_state: bool = False, mask: Any = None
                ) -> EmberTensor | tuple[EmberTensor, EmberTensor]:
        """One step (see the class docstring); stores the new state in ``state``."""
        name = type(self).__name__
        x = T.convert_to_tensor(inputs)
        if x.ndim != 2 or x.shape[-1] != self.neuron_map.input_dim:
            raise ValueError(f"[{name}] expected inputs of shape (B, {self.neuron_map.input_dim}) "
                             f"(the map's input_dim), got {tuple(x.shape)}")
        h = self._initial_state(state, x.shape[0])
        pre = ops.add(ops.matmul(x, ops.multiply(self.kernel, self.input_mask)),
                      ops.matmul(h, ops.multiply(self.recurrent_kernel, self.recurrent_mask)))
        new_state = self._activation_fn(pre if self.bias is None else ops.add(pre, self.bias))
        if mask is not None:
            keep = check_mask(name, mask, (x.shape[0],), tuple(x.shape))
            new_state = ops.where(T.convert_to_tensor(keep[:, None], device=h.device), new_state, h)
        self.state = ops.stop_gradient(new_state)
        output = new_state[:, :self.output_dim]
        return (output, new_state) if return_state else output

    def reset_state(self) -> None:
        """Forgets the stored state: the next call without ``state`` starts from zeros."""
        self.state = None

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, the neuron map as ``{"class_name", "config"}`` (JSON-serialisable)."""
        return {"neuron_map": map_to_config(self.neuron_map), **self._cell_config()}

    def _cell_config(self) -> dict[str, Any]:
        return {"activation": self.activation, "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                "recurrent_initializer": self.recurrent_initializer, "bias_initializer": self.bias_initializer,
                "dtype": None if self.dtype is None else T.to_dtype_str(self.dtype)}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NCP:
        """A new cell (fresh parameters) from :meth:`get_config`'s dict."""
        config = dict(config)
        config["neuron_map"] = map_from_config(config["neuron_map"])
        return super().from_config(config)

    def extra_repr(self) -> str:
        return f"units={self.units}, output_dim={self.output_dim}, activation={self.activation!r}"


class AutoNCP(NCP):
    """An :class:`NCP` cell over an ``AutoNCP(units, output_size, sparsity_level, seed)`` wiring (an ``AutoNCPMap``).

    A layer; the wiring of the same name is ``ember_ml.wirings.AutoNCP`` (docs/names.md).

    Args:
        units: total number of neurons.
        output_size: number of motor neurons, ``1 <= output_size < units - 2``.
        sparsity_level: in ``[0.1, 1.0]`` (ncps's AutoNCP range).
        seed: wiring seed; None draws one (kept in ``neuron_map.seed``).
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer, dtype: as :class:`NCP`.

    Raises:
        ValueError: ``[AutoNCP]`` for ``output_size >= units - 2`` or a sparsity out of range,
            and as :class:`NCP`.
    """

    def __init__(self, units: int, output_size: int, sparsity_level: float = 0.5, seed: int | None = None,
                 activation: str = "tanh", use_bias: bool = True, kernel_initializer: str = "glorot_uniform",
                 recurrent_initializer: str = "orthogonal", bias_initializer: str = "zeros", dtype: Any = None) -> None:
        from ember_ml import wirings  # ncps's AutoNCP: the same map, with its argument names in errors

        neuron_map = wirings.AutoNCP(units, output_size, sparsity_level, seed)
        super().__init__(neuron_map, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dtype)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (``seed`` is the drawn one when None was given)."""
        wiring = self.neuron_map
        return {"units": wiring.units, "output_size": wiring.output_dim, "sparsity_level": wiring.sparsity_level,
                "seed": wiring.seed, **self._cell_config()}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AutoNCP:
        """A new cell (fresh parameters) from :meth:`get_config`'s dict."""
        return Module.from_config.__func__(cls, config)

__all__ = ["NCP", "AutoNCP"]
