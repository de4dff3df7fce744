"""Closed-form continuous-time (CfC) cells: ``cfc_step``, ``CfCCell`` and ``WiredCfCCell``.

Hasani et al. 2022, "Closed-form continuous-time neural networks", Nature Machine
Intelligence; structure, parameter names and init as ``ncps.torch`` 1.0.1 (``CfCCell``,
``WiredCfCCell``). ``variant="paper"`` gives the cell of the paper's own code
(raminmh/CfC ``tf_cfc.py``), which differs from ncps's in three places: lecun_tanh
instead of tanh on the heads ff1 / ff2, backbone dropout after every layer (ncps: from
the second on), and an L2 penalty on every kernel (``kernel_l2``, offered to both).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ember_ml import _core, ops
from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import Dropout, sigmoid, tanh
from ember_ml.nn.modules.linear import Linear
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.rnn._layers import BACKBONE_ACTIVATIONS, backbone, linear, xavier_uniform
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.tensor import EmberTensor

MODES = ("default", "pure", "no_gate")
VARIANTS = ("ncps", "paper")


def cfc_step(inputs: EmberTensor, hx: EmberTensor, ts: Any, params: dict[str, Any], mode: str,
             backbone_fn: Callable[[EmberTensor], EmberTensor] | None = None,
             mask: EmberTensor | None = None, head_activation: str = "tanh") -> EmberTensor:
    """One CfC step: the new hidden state from the input, the state and the elapsed time.

    With ``z = backbone([x, h])`` (or ``[x, h]`` without backbone) and ``f_i = W_i z + b_i``:

    - ``default``: ``h' = g(f1) * (1 - s) + s * g(f2)``, ``s = sigmoid(f_a * t + f_b)``
      (Hasani et al. 2022, eq. 10), ``g = tanh`` (ncps) or lecun_tanh (the paper's code);
    - ``no_gate``: ``h' = g(f1) + s * g(f2)``;
    - ``pure``: ``h' = -A * exp(-t * (|w_tau| + |f1|)) * f1 + A`` (the direct solution, eq. 5).

    Args:
        inputs: float32 ``(B, C)``.
        hx: float32 ``(B, H)``.
        ts: elapsed time, a float or float32 ``(B, 1)``.
        params: ``"ff1"`` ``(W (H, Z), b (H,))``; ``"w_tau"``, ``"A"`` ``(1, H)`` in pure mode,
            else ``"ff2"``, ``"time_a"``, ``"time_b"`` as ``"ff1"``.
        mode: one of ``default``, ``pure``, ``no_gate``.
        backbone_fn: maps ``(B, C + H)`` to ``(B, Z)``; None means ``Z = C + H``.
        mask: 0/1 float32 ``(H, Z)`` applied to the weights of ``ff1`` / ``ff2`` (wired cells).
        head_activation: ``"tanh"`` (ncps) or ``"lecun_tanh"`` (``1.7159 tanh(0.666 x)``, tf_cfc.py).

    Returns:
        float32 ``(B, H)``: the new state (which is also the cell's output).
    """
    z = T.concatenate([inputs, hx], axis=1)
    if backbone_fn is not None:
        z = backbone_fn(z)

    def masked(key: str) -> EmberTensor:
        weight, bias = params[key]
        return linear(z, weight if mask is None else ops.multiply(weight, mask), bias)

    ff1 = masked("ff1")
    if mode == "pure":
        a = params["A"]
        decay = ops.exp(ops.negative(ops.multiply(ts, ops.add(ops.abs(params["w_tau"]), ops.abs(ff1)))))
        return ops.add(ops.negative(ops.multiply(ops.multiply(a, decay), ff1)), a)
    squash = tanh if head_activation == "tanh" else BACKBONE_ACTIVATIONS["lecun_tanh"]()
    ff1 = squash(ff1)
    ff2 = squash(masked("ff2"))
    gate = sigmoid(ops.add(ops.multiply(linear(z, *params["time_a"]), ts), linear(z, *params["time_b"])))
    if mode == "no_gate":
        return ops.add(ff1, ops.multiply(gate, ff2))
    return ops.add(ops.multiply(ff1, ops.subtract(1.0, gate)), ops.multiply(gate, ff2))


class CfCCell(Module):
    """A CfC cell processing one time step (``ncps.torch.CfCCell``).

    Args:
        input_size: input features ``C``.
        hidden_size: state size ``H``.
        mode: ``default``, ``pure`` or ``no_gate`` (see :func:`cfc_step`).
        backbone_activation: ``lecun_tanh`` (ncps's ``1.7159 tanh(0.666 x)``, docs/names.md), ``silu``, ``relu``,
            ``tanh`` or ``gelu``.
        backbone_units: width of the backbone layers.
        backbone_layers: number of backbone layers (0 = none).
        backbone_dropout: dropout rate in the backbone (from its second layer on, as ncps).
        sparsity_mask: optional ``(C + H, H)`` connectivity (``ncps`` orientation); its absolute
            value, transposed, becomes the ``sparsity_mask`` buffer ``(H, C + H)``.
        owner: the layer named in error messages (``CfC`` when a CfC layer builds the cell).
        variant: ``"ncps"`` (ncps.torch's cell) or ``"paper"`` (raminmh/CfC ``tf_cfc.py``:
            lecun_tanh heads and dropout after every backbone layer; see the module docstring).
        kernel_l2: coefficient ``l`` of the L2 penalty ``l * sum(W**2)`` over every kernel
            (backbone and head weights, not biases), as Keras's ``regularizers.L2(l)``;
            :meth:`regularization_loss` returns it, the training loop adds it to the loss.

    ``forward(input (B, C), hx (B, H), ts)`` → ``(h', h')``, both float32 ``(B, H)``.

    Raises:
        ValueError: ``[CfCCell]`` for an unknown mode, variant or activation, a non-positive
            size or a negative ``kernel_l2``.
    """

    def __init__(self, input_size: int, hidden_size: int, mode: str = "default",
                 backbone_activation: str = "lecun_tanh", backbone_units: int = 128, backbone_layers: int = 1,
                 backbone_dropout: float = 0.0, sparsity_mask: np.ndarray | None = None,
                 owner: str = "CfCCell", variant: str = "ncps", kernel_l2: float = 0.0) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"[{owner}] unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
        if variant not in VARIANTS:
            raise ValueError(f"[{owner}] unknown variant {variant!r}; valid variants: {', '.join(VARIANTS)}")
        if isinstance(kernel_l2, bool) or not isinstance(kernel_l2, (int, float)) or not kernel_l2 >= 0:
            raise ValueError(f"[{owner}] kernel_l2 must be a number >= 0, got {kernel_l2!r}")
        self.variant = variant
        self.kernel_l2 = float(kernel_l2)
        self.input_size = check_min_int(owner, "input_size", input_size)
        self.hidden_size = check_min_int(owner, "hidden_size", hidden_size)
        self.mode = mode
        self.backbone_layers = check_min_int(owner, "backbone_layers", backbone_layers, 0)
        if not 0.0 <= backbone_dropout < 1.0:
            raise ValueError(f"[{owner}] backbone_dropout must be in [0, 1), got {backbone_dropout!r}")
        width = input_size + hidden_size
        self.backbone_activation = backbone_activation
        self.backbone_dropout = float(backbone_dropout)
        if backbone_layers > 0:
            check_min_int(owner, "backbone_units", backbone_units)
            self.backbone = backbone(owner, width, backbone_units, backbone_layers, backbone_activation,
                                     backbone_dropout, dropout_first=variant == "paper")
            width = backbone_units
        else:
            self.backbone = None
        self.register_buffer("sparsity_mask", None if sparsity_mask is None else
                             T.convert_to_tensor(np.abs(np.asarray(sparsity_mask).T).astype(np.float32)))
        self.ff1 = Linear(width, hidden_size, init="xavier")
        if mode == "pure":
            # ncps xavier-initialises every 2-D trainable tensor, these (1, H) ones included.
            self.w_tau = xavier_uniform((1, hidden_size))
            self.A = xavier_uniform((1, hidden_size))
        else:
            self.ff2 = Linear(width, hidden_size, init="xavier")
            self.time_a = Linear(width, hidden_size, init="xavier")
            self.time_b = Linear(width, hidden_size, init="xavier")

    def fused_layer(self) -> dict[str, Any] | None:
        """This cell as one layer of ``_core.cfc_sequence``: the heads ff1, ff2, time_a, time_b
        stacked (pure mode: ff1, w_tau and A), masks applied, and the backbone's Linear layers
        (its dropout: :meth:`fused_dropout`, its heads' activation: :attr:`head_activation`);
        None for a seeded backbone Dropout while training (its per-call seeds are not the
        global stream the fused op draws from)."""
        if self.training and any(m.seed is not None and m.rate > 0 for m in self._dropouts()):
            return None
        linears = [] if self.backbone is None else [m for m in self.backbone.children() if isinstance(m, Linear)]
        backbone_layers = [(m.weight, m.bias) for m in linears]
        heads = [self.ff1] if self.mode == "pure" else [self.ff1, self.ff2, self.time_a, self.time_b]
        weights = [head.weight for head in heads]
        if self.sparsity_mask is not None:
            weights[:2] = [ops.multiply(w, self.sparsity_mask) for w in weights[:2]]
        layer = {"weight": T.concatenate(weights, axis=0), "bias": T.concatenate([h.bias for h in heads], axis=0),
                 "backbone": backbone_layers}
        if self.mode == "pure":
            layer.update(w_tau=T.reshape(self.w_tau, (-1,)), A=T.reshape(self.A, (-1,)))
        return layer

    @property
    def head_activation(self) -> str:
        """The activation of the heads ff1 / ff2: ``"lecun_tanh"`` for the paper variant, else ``"tanh"``."""
        return "lecun_tanh" if self.variant == "paper" else "tanh"

    def _dropouts(self) -> list[Dropout]:
        return [] if self.backbone is None else [m for m in self.backbone.children() if isinstance(m, Dropout)]

    def fused_dropout(self) -> float:
        """The backbone dropout rate the fused op applies now: ``backbone_dropout`` while
        training with Dropout modules in the backbone, else 0."""
        rates = [m.rate for m in self._dropouts()]
        return rates[0] if self.training and rates else 0.0

    def sequence(self, inputs: EmberTensor, state: EmberTensor, elapsed: EmberTensor,
                 mask: EmberTensor | None = None, memory: dict[str, EmberTensor] | None = None
                 ) -> tuple[EmberTensor, EmberTensor] | None:
        """The cell over a whole sequence in one fused C++ op (see :func:`fused_cfc_sequence`)."""
        return fused_cfc_sequence([self], self.mode, inputs, state, elapsed, mask, memory)

    def params(self) -> dict[str, Any]:
        """The tensors :func:`cfc_step` reads, keyed as its ``params``."""
        if self.mode == "pure":
            return {"ff1": (self.ff1.weight, self.ff1.bias), "w_tau": self.w_tau, "A": self.A}
        return {key: (layer.weight, layer.bias) for key, layer in
                (("ff1", self.ff1), ("ff2", self.ff2), ("time_a", self.time_a), ("time_b", self.time_b))}

    def regularization_loss(self) -> EmberTensor | float:
        """``kernel_l2 * sum(W**2)`` over the backbone and head weights (0.0 when ``kernel_l2`` is 0).

        Returns:
            A 0-d float32 tensor that records gradients, or the float 0.0.
        """
        if self.kernel_l2 == 0.0:
            return 0.0
        kernels = [m.weight for m in self.modules() if isinstance(m, Linear)]
        total = ops.stats.sum(ops.square(kernels[0]))
        for weight in kernels[1:]:
            total = ops.add(total, ops.stats.sum(ops.square(weight)))
        return ops.multiply(total, self.kernel_l2)

    def forward(self, input: EmberTensor, hx: EmberTensor, ts: Any = 1.0) -> tuple[EmberTensor, EmberTensor]:
        h = cfc_step(input, hx, ts, self.params(), self.mode, self.backbone, self.sparsity_mask,
                     self.head_activation)
        return h, h

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, mode={self.mode!r}"


class WiredCfCCell(Module):
    """A CfC cell whose neurons follow a wiring, one ``CfCCell`` per wiring layer (``ncps.torch.WiredCfCCell``).

    Layer ``l`` (``layer_l``) takes the previous layer's new state (the input for ``l = 0``)
    through the wiring's synapses and its own state fully connected; it has no backbone.
    The state concatenates the layers' states in layer order; the output is the last
    layer's state (the motor neurons for an NCP wiring).

    Args:
        input_size: input features ``C`` (builds the wiring), or None for a built wiring.
        wiring: a :class:`NeuronMap` (any Ember wiring, ``ember_ml.wirings`` included).
        mode: ``default``, ``pure`` or ``no_gate``.
        owner: the layer named in error messages.

    ``forward(input (B, C), hx (B, units), ts)`` → ``(output (B, output_dim), h' (B, units))``.

    Raises:
        ValueError: ``[owner]`` when the wiring was built for another input size or is not built.
    """

    def __init__(self, input_size: int | None, wiring: NeuronMap, mode: str = "default",
                 owner: str = "WiredCfCCell") -> None:
        super().__init__()
        input_size = built_input_size(owner, wiring, input_size)
        self.wiring = wiring
        self.layer_sizes: list[int] = []
        in_features = input_size
        previous: list[int] | None = None
        for layer in range(wiring.num_layers):
            neurons = wiring.get_neurons_of_layer(layer)
            if previous is None:
                synapses = wiring.sensory_adjacency_matrix[:, neurons]
            else:
                synapses = wiring.adjacency_matrix[np.ix_(previous, neurons)]
            mask = np.concatenate([synapses, np.ones((len(neurons), len(neurons)))], axis=0)
            setattr(self, f"layer_{layer}", CfCCell(in_features, len(neurons), mode, backbone_layers=0,
                                                    sparsity_mask=mask, owner=owner))
            self.layer_sizes.append(len(neurons))
            in_features = len(neurons)
            previous = neurons

    def sequence(self, inputs: EmberTensor, state: EmberTensor, elapsed: EmberTensor,
                 mask: EmberTensor | None = None, memory: dict[str, EmberTensor] | None = None
                 ) -> tuple[EmberTensor, EmberTensor] | None:
        """The cell over a whole sequence in one fused C++ op (see :func:`fused_cfc_sequence`)."""
        return fused_cfc_sequence([getattr(self, f"layer_{k}") for k in range(len(self.layer_sizes))],
                                  self.layer_0.mode, inputs, state, elapsed, mask, memory)

    def forward(self, input: EmberTensor, hx: EmberTensor, ts: Any = 1.0) -> tuple[EmberTensor, EmberTensor]:
        states = T.split(hx, self.layer_sizes, axis=1)
        new_states = []
        h = input
        for cell, state in zip(self.children(), states):
            h, _ = cell(h, state, ts)
            new_states.append(h)
        return h, T.concatenate(new_states, axis=1)


def fused_cfc_sequence(cells: list[CfCCell], mode: str, inputs: EmberTensor, state: EmberTensor,
                       elapsed: EmberTensor, mask: EmberTensor | None = None,
                       memory: dict[str, EmberTensor] | None = None) -> tuple[EmberTensor, EmberTensor] | None:
    """A stack of CfC cells (each feeding the next, as :class:`WiredCfCCell`) over a sequence in
    one fused C++ op, ``_core.cfc_sequence``; equal to stepping the cells (tested against it).

    Args:
        cells: the layers, first to last.
        mode: ``default``, ``no_gate`` or ``pure``.
        inputs: ``(B, L, C)``; state: ``(B, sum H)``; elapsed: ``(B, L)``; one float dtype.
        mask: None, or ``(B, L)`` 0/1 of that dtype: a 0 step carries every layer's state.
        memory: None, or the mixed memory run before the cells on every step
            (:meth:`MixedMemoryCell.fused_memory`: its weights and ``c0 (B, sum H)``), acting
            on the whole state ``(B, sum H)`` as ncps's mixed-memory layers.

    While training, the backbone dropout runs inside the op and drops the units the step
    loop's Dropout modules would (the same draws from the global stream). The paper
    variant's lecun_tanh heads and its dropout after the first backbone layer run inside too.

    Returns:
        ``(outputs (B, L, H_last), states (B, L, sum H))`` (with ``memory``, ``(B, L, 2 sum H)``:
        the states, then the memory cells), or None when a cell is not covered (see
        :meth:`CfCCell.fused_layer`).
    """
    layers = [cell.fused_layer() for cell in cells]
    if any(layer is None for layer in layers) or len({cell.fused_dropout() for cell in cells}) > 1:
        return None
    states = _core.cfc_sequence(inputs, state, elapsed, layers, mode, cells[0].backbone_activation, mask,
                                backbone_dropout=cells[0].fused_dropout(), dropout_first=cells[0].variant == "paper",
                                head_activation=cells[0].head_activation, mixed_memory=memory)
    total = state.shape[-1]
    return states[..., total - cells[-1].hidden_size:total], states


def built_input_size(owner: str, wiring: NeuronMap, input_size: int | None) -> int:
    """Builds ``wiring`` for ``input_size`` and returns its input size.

    Raises:
        TypeError: ``[owner]`` when ``wiring`` is not a NeuronMap.
        ValueError: ``[owner]`` when the wiring was built for another input size, or is
            unbuilt and no input size is given.
    """
    if not isinstance(wiring, NeuronMap):
        raise TypeError(f"[{owner}] expected a wiring (NeuronMap / ember_ml.wirings.Wiring), "
                        f"got {type(wiring).__name__}; convert ncps modules with from_ncps")
    if input_size is None:
        if not wiring.is_built():
            raise ValueError(f"[{owner}] the wiring is not built: pass input_size or call wiring.build(input_dim)")
        return wiring.input_dim
    input_size = check_min_int(owner, "input_size", input_size)
    if wiring.is_built() and wiring.input_dim != input_size:
        raise ValueError(f"[{owner}] the wiring was built for input_dim={wiring.input_dim}, "
                         f"received input_size={input_size}")
    wiring.build(input_size)
    return input_size
