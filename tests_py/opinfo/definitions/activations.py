"""Activation functions (nn.modules.activations). No NumPy parity rows: the activation Module classes
and their constants are tested in test_bitwise_activations.py and test_modules.py; the rows carry
the inventory's smoke calls and the gradient cases."""
from __future__ import annotations

from ember_ml.nn.modules import activations

from ..core import OpInfo
from ..grads import GradCase as G
from ..smoke import ACT, V

OP_DB = [
    OpInfo("relu", activations.relu, module=ACT, smoke=lambda f: f(V()),
           grads=[G("relu", activations.relu, lambda g: [g.distinct(3, 3) + 0.025])]),
    OpInfo("softmax", activations.softmax, module=ACT, smoke=lambda f: f(V(), axis=-1),
           grads=[G("softmax", lambda x: activations.softmax(x, axis=-1), lambda g: [g.rand(2, 4)])]),
    OpInfo("softplus", activations.softplus, module=ACT, smoke=lambda f: f(V()),
           grads=[G("softplus", activations.softplus, lambda g: [g.rand(2, 4) * 5])]),
    OpInfo("lecun_tanh", activations.lecun_tanh, module=ACT, smoke=lambda f: f(V()),
           grads=[G("lecun_tanh", activations.lecun_tanh, lambda g: [g.rand(5)])]),
]
