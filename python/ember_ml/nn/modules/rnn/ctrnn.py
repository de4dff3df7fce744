"""``CTRNN``: a continuous-time RNN integrated with explicit Euler steps."""
from __future__ import annotations

import math
from typing import Any

from ember_ml import ops
from ember_ml._checks import check_min_int
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.activations import get_activation, softplus
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.modules.rnn._layers import linear, uniform
from ember_ml.nn.modules.rnn._sequence import RecurrentLayer, State
from ember_ml.nn.tensor import EmberTensor


def ctrnn_step(inputs: EmberTensor, h: EmberTensor, elapsed: Any, params: dict[str, EmberTensor],
               activation: Any, ode_unfolds: int) -> EmberTensor:
    """``ode_unfolds`` Euler steps of ``dh/dt = -h / tau + act(W x + U h + b)`` over ``elapsed``.

    Funahashi & Nakamura 1993; Euler unfolding as in Hasani et al. 2021's CT-RNN baseline.
    ``tau = softplus(params["tau"])`` keeps the time constants positive.

    Args:
        inputs: float32 ``(B, C)``; h: float32 ``(B, H)``; elapsed: float or ``(B, 1)``.
        params: ``weight_ih (H, C)``, ``weight_hh (H, H)``, ``bias (H,)``, ``tau (H,)``.
        activation: elementwise function.
        ode_unfolds: Euler steps.

    Returns:
        float32 ``(B, H)``.
    """
    dt = ops.divide(elapsed, float(ode_unfolds))
    drive = linear(inputs, params["weight_ih"], params["bias"])
    inv_tau = ops.divide(1.0, softplus(params["tau"]))
    for _ in range(ode_unfolds):
        dh = ops.subtract(activation(ops.add(drive, linear(h, params["weight_hh"]))), ops.multiply(h, inv_tau))
        h = ops.add(h, ops.multiply(dt, dh))
    return h


class CTRNN(RecurrentLayer):
    """Continuous-time RNN layer (see :func:`ctrnn_step`); output = state.

    Args:
        input_size: input features ``C``.
        units: state size ``H``.
        activation: ``tanh`` (default) or another name of ``activations.get_activation``.
        ode_unfolds: Euler steps per time step.
        return_sequences, batch_first: see :class:`RecurrentLayer`.

    Parameters ``weight_ih (H, C)``, ``weight_hh (H, H)``, ``bias (H,)`` (``U(±1/sqrt(H))``) and
    ``tau (H,)`` (initial time constants 1). ``forward(input, hx=None, timespans=None, mask=None)`` →
    ``(output, h)``.

    Raises:
        ValueError: ``[CTRNN]`` for non-positive sizes, an unknown activation or a bad input.
    """

    def __init__(self, input_size: int, units: int, activation: str = "tanh", ode_unfolds: int = 6,
                 return_sequences: bool = True, batch_first: bool = True) -> None:
        super().__init__(check_min_int("CTRNN", "input_size", input_size), return_sequences, batch_first)
        self.units = check_min_int("CTRNN", "units", units)
        self.ode_unfolds = check_min_int("CTRNN", "ode_unfolds", ode_unfolds)
        try:
            self._activation_fn = get_activation(activation)
        except ValueError as err:
            raise ValueError(f"[CTRNN] {str(err).split('] ', 1)[1]}") from None
        bound = 1.0 / math.sqrt(units)
        self.weight_ih = uniform((units, input_size), bound)
        self.weight_hh = uniform((units, units), bound)
        self.activation = activation
        self.bias = uniform((units,), bound)
        self.tau = Parameter(T.full((units,), math.log(math.e - 1.0)))  # softplus^-1(1)
        self.state_sizes = (units,)

    def step(self, inputs: EmberTensor, state: State, elapsed: Any) -> tuple[EmberTensor, State]:
        params = {"weight_ih": self.weight_ih, "weight_hh": self.weight_hh, "bias": self.bias, "tau": self.tau}
        h = ctrnn_step(inputs, state[0], elapsed, params, self._activation_fn, self.ode_unfolds)
        return h, (h,)
