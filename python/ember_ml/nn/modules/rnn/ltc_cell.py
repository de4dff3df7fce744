"""Liquid time-constant (LTC) cell: ``ltc_step`` and ``LTCCell``.

Hasani et al. 2021, "Liquid time-constant networks", AAAI; the fused semi-implicit Euler
solver, parameters, init ranges and names of ``ncps.torch.LTCCell`` (ncps 1.0.1).
"""
from __future__ import annotations

from typing import Any

from ember_ml import _core, ops
from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import sigmoid, softplus
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.rnn.cfc_cell import built_input_size
from ember_ml.nn.modules.wiring import NeuronMap
from ember_ml.nn.tensor import EmberTensor

MAPPINGS = ("affine", "linear", None)

# ncps's init ranges (uniform [low, high)).
_INIT_RANGES = {"gleak": (0.001, 1.0), "vleak": (-0.2, 0.2), "cm": (0.4, 0.6), "w": (0.001, 1.0),
                "sigma": (3.0, 8.0), "mu": (0.3, 0.8), "sensory_w": (0.001, 1.0),
                "sensory_sigma": (3.0, 8.0), "sensory_mu": (0.3, 0.8)}

# Parameters that must stay non-negative (softplus at run time, or clamping after a step).
POSITIVE = ("w", "sensory_w", "cm", "gleak")


def _synapse_activation(v: EmberTensor, mu: EmberTensor, sigma: EmberTensor) -> EmberTensor:
    # sigmoid(sigma * (v_pre - mu)) for every (presynaptic, postsynaptic) pair: (B, N_pre, N_post).
    return sigmoid(ops.multiply(sigma, ops.subtract(T.expand_dims(v, -1), mu)))


def ltc_step(inputs: EmberTensor, state: EmberTensor, elapsed: Any, params: dict[str, EmberTensor],
             ode_unfolds: int = 6, epsilon: float = 1e-8, implicit_param_constraints: bool = False,
             output_dim: int | None = None) -> tuple[EmberTensor, EmberTensor]:
    """One LTC step: input mapping, ``ode_unfolds`` fused Euler steps of the LTC ODE, output mapping.

    Each unfold (Hasani et al. 2021, eq. 3, semi-implicit Euler with ``dt = elapsed / ode_unfolds``):
    ``v' = (cm/dt * v + gleak * vleak + sum_j w_ij s_ij E_ij) / (cm/dt + gleak + sum_j w_ij s_ij + eps)``
    with ``s_ij = sigmoid(sigma_ij (v_j - mu_ij))`` masked by the wiring, sensory synapses included.

    Args:
        inputs: float32 ``(B, C)``.
        state: float32 ``(B, N)`` membrane potentials.
        elapsed: elapsed time, a float or float32 ``(B, 1)``.
        params: ncps's names: ``gleak vleak cm`` ``(N,)``; ``sigma mu w erev sparsity_mask``
            ``(N, N)``; ``sensory_sigma sensory_mu sensory_w sensory_erev sensory_sparsity_mask``
            ``(C, N)``; optional ``input_w input_b`` ``(C,)`` and ``output_w output_b`` ``(M,)``.
        ode_unfolds: Euler steps per time step.
        epsilon: added to the denominator.
        implicit_param_constraints: pass ``w, sensory_w, cm, gleak`` through softplus.
        output_dim: number ``M`` of motor neurons (the first ``M``); default all.

    Returns:
        ``(output (B, M), new state (B, N))``, float32.
    """
    positive = softplus if implicit_param_constraints else (lambda p: p)
    inputs = map_inputs(inputs, params)
    sensory = ops.multiply(ops.multiply(positive(params["sensory_w"]),
                                        _synapse_activation(inputs, params["sensory_mu"], params["sensory_sigma"])),
                           params["sensory_sparsity_mask"])
    numerator_sensory = ops.stats.sum(ops.multiply(sensory, params["sensory_erev"]), axis=1)
    denominator_sensory = ops.stats.sum(sensory, axis=1)
    cm_t = ops.divide(positive(params["cm"]), ops.divide(elapsed, float(ode_unfolds)))
    w = ops.multiply(positive(params["w"]), params["sparsity_mask"])
    gleak = positive(params["gleak"])
    leak = ops.multiply(gleak, params["vleak"])
    base_denominator = ops.add(ops.add(cm_t, gleak), epsilon)
    v = state
    for _ in range(ode_unfolds):
        synapses = ops.multiply(w, _synapse_activation(v, params["mu"], params["sigma"]))
        numerator = ops.add(ops.add(ops.multiply(cm_t, v), leak),
                            ops.add(ops.stats.sum(ops.multiply(synapses, params["erev"]), axis=1), numerator_sensory))
        denominator = ops.add(base_denominator, ops.add(ops.stats.sum(synapses, axis=1), denominator_sensory))
        v = ops.divide(numerator, denominator)
    return map_outputs(v, params, output_dim), v


def map_inputs(inputs: EmberTensor, params: dict[str, EmberTensor]) -> EmberTensor:
    """ncps's input mapping ``x * input_w + input_b`` (each term only when present) over the last axis."""
    if "input_w" in params:
        inputs = ops.multiply(inputs, params["input_w"])
    if "input_b" in params:
        inputs = ops.add(inputs, params["input_b"])
    return inputs


def map_outputs(v: EmberTensor, params: dict[str, EmberTensor], output_dim: int | None) -> EmberTensor:
    """The first ``output_dim`` neurons of ``v (..., N)`` through ncps's output mapping ``* output_w + output_b``."""
    output = v if output_dim is None or output_dim == v.shape[-1] else v[..., :output_dim]
    if "output_w" in params:
        output = ops.multiply(output, params["output_w"])
    if "output_b" in params:
        output = ops.add(output, params["output_b"])
    return output


class LTCCell(Module):
    """A wired LTC cell processing one time step (``ncps.torch.LTCCell``).

    Args:
        wiring: a :class:`NeuronMap` (``ember_ml.wirings.*`` included); ``N = wiring.units``.
        in_features: input features ``C`` (builds the wiring), or None for a built wiring.
        input_mapping: ``"affine"`` (``x * input_w + input_b``), ``"linear"`` or None.
        output_mapping: the same for the motor outputs (``output_w``, ``output_b``).
        ode_unfolds: Euler steps per time step (``>= 1``).
        epsilon: added to the ODE denominator.
        implicit_param_constraints: softplus on ``w, sensory_w, cm, gleak`` at run time;
            otherwise call :meth:`apply_weight_constraints` after each optimizer step.
        owner: the layer named in error messages.

    Buffers ``sparsity_mask`` ``(N, N)`` and ``sensory_sparsity_mask`` ``(C, N)`` hold the
    wiring's 0/1 connectivity. ``forward(inputs (B, C), states (B, N), elapsed_time=1.0)`` →
    ``(outputs (B, output_dim), new state (B, N))``; outputs are the first ``output_dim`` neurons.

    Raises:
        ValueError: ``[LTCCell]`` for an unknown mapping, ``ode_unfolds < 1``, or a wiring
            built for another input size.
    """

    def __init__(self, wiring: NeuronMap, in_features: int | None = None, input_mapping: str | None = "affine",
                 output_mapping: str | None = "affine", ode_unfolds: int = 6, epsilon: float = 1e-8,
                 implicit_param_constraints: bool = False, owner: str = "LTCCell") -> None:
        super().__init__()
        for arg, value in (("input_mapping", input_mapping), ("output_mapping", output_mapping)):
            if value not in MAPPINGS:
                raise ValueError(f"[{owner}] {arg} must be 'affine', 'linear' or None, got {value!r}")
        self.in_features = built_input_size(owner, wiring, in_features)
        self.wiring = wiring
        self.ode_unfolds = check_min_int(owner, "ode_unfolds", ode_unfolds)
        self.epsilon = float(epsilon)
        self.implicit_param_constraints = bool(implicit_param_constraints)
        self.input_mapping = input_mapping
        self.output_mapping = output_mapping
        n, c, m = wiring.units, self.in_features, wiring.output_dim
        shapes = {"gleak": (n,), "vleak": (n,), "cm": (n,), "sigma": (n, n), "mu": (n, n), "w": (n, n),
                  "sensory_sigma": (c, n), "sensory_mu": (c, n), "sensory_w": (c, n)}
        for key, shape in shapes.items():
            low, high = _INIT_RANGES[key]
            setattr(self, key, Parameter(T.random_uniform(shape, low, high)))
        self.erev = Parameter(wiring.adjacency_matrix_tensor())
        self.sensory_erev = Parameter(wiring.sensory_adjacency_matrix_tensor())
        self.register_buffer("sparsity_mask", wiring.adjacency_matrix_tensor(mask=True))
        self.register_buffer("sensory_sparsity_mask", wiring.sensory_adjacency_matrix_tensor(mask=True))
        if input_mapping in ("affine", "linear"):
            self.input_w = Parameter(T.ones((c,)))
        if input_mapping == "affine":
            self.input_b = Parameter(T.zeros((c,)))
        if output_mapping in ("affine", "linear"):
            self.output_w = Parameter(T.ones((m,)))
        if output_mapping == "affine":
            self.output_b = Parameter(T.zeros((m,)))

    @property
    def state_size(self) -> int:
        """Number of neurons ``N``."""
        return self.wiring.units

    @property
    def output_size(self) -> int:
        """Number of motor neurons (the outputs)."""
        return self.wiring.output_dim

    def params(self) -> dict[str, EmberTensor]:
        """The tensors :func:`ltc_step` reads, keyed by name (parameters and masks)."""
        return {**dict(self.named_parameters(recurse=False)), **dict(self.named_buffers(recurse=False))}

    def apply_weight_constraints(self) -> None:
        """Clamps ``w, sensory_w, cm, gleak`` at 0 in place (no-op with implicit constraints), as ncps."""
        if self.implicit_param_constraints:
            return
        with ops.no_grad():
            for key in POSITIVE:
                param = getattr(self, key)
                param.data = ops.maximum(param.data, 0.0)

    def sequence(self, inputs: EmberTensor, state: EmberTensor, elapsed: EmberTensor,
                 mask: EmberTensor | None = None, memory: dict[str, EmberTensor] | None = None
                 ) -> tuple[EmberTensor, EmberTensor] | None:
        """The cell over a whole sequence in one fused C++ op (``_core.ltc_sequence``), forward and backward.

        Equal to calling :meth:`forward` per step (tested against it).

        Args:
            inputs: ``(B, L, C)``; state: ``(B, N)``; elapsed: ``(B, L)``; one float dtype.
            mask: None, or ``(B, L)`` 0/1 of that dtype: a 0 step carries the state.
            memory: None, or the mixed memory run before the cell on every step
                (:meth:`MixedMemoryCell.fused_memory`: its weights and ``c0 (B, N)``), reading
                ``inputs`` before the input mapping, as ncps's mixed-memory LTC.

        Returns:
            ``(outputs (B, L, output_dim), states (B, L, N))`` (with ``memory``, ``(B, L, 2 N)``:
            the states, then the memory cells).
        """
        params = self.params()
        positive = softplus if self.implicit_param_constraints else (lambda p: p)
        fused = {k: positive(v) if k in POSITIVE else v for k, v in params.items()}
        states = _core.ltc_sequence(map_inputs(inputs, params), state, elapsed, fused, self.ode_unfolds,
                                    self.epsilon, mask, mixed_memory=memory,
                                    memory_inputs=None if memory is None else inputs)
        return map_outputs(states[..., :self.state_size], params, self.wiring.output_dim), states

    def forward(self, inputs: EmberTensor, states: EmberTensor, elapsed_time: Any = 1.0
                ) -> tuple[EmberTensor, EmberTensor]:
        return ltc_step(inputs, states, elapsed_time, self.params(), self.ode_unfolds, self.epsilon,
                        self.implicit_param_constraints, self.wiring.output_dim)

    def extra_repr(self) -> str:
        return (f"units={self.state_size}, in_features={self.in_features}, ode_unfolds={self.ode_unfolds}, "
                f"implicit_param_constraints={self.implicit_param_constraints}")
