"""Ember ML operations, written once for every backend.

Each name below is bound to a C++ front-end op that dispatches on the device of its
tensor inputs. Because dispatch happens per call, ``from ember_ml.ops import add``
imported before a backend switch stays correct after it; :func:`set_backend` only
changes the device new tensors are created on.
"""
from __future__ import annotations

import math

from ember_ml import _core
from ember_ml.backend import (
    auto_select_backend,
    get_available_backends,
    get_backend,
    set_backend,
    using_backend,
)
from ember_ml.ops import activations, bitwise, device, linearalg, losses, stats, vector
from ember_ml.ops.autodiff import enable_grad, grad, is_grad_enabled, no_grad, stop_gradient, value_and_grad
from ember_ml.ops.device import (
    clear_cache,
    get_available_devices,
    get_default_device,
    get_device,
    is_available,
    memory_info,
    memory_usage,
    set_default_device,
    synchronize,
    to_device,
)
from ember_ml.ops.gradient import gradient
from ember_ml.ops.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    huber_loss,
    log_cosh_loss,
    mean_absolute_error,
    mse,
    sparse_categorical_crossentropy,
)
from ember_ml.ops.persistence import load, save
from ember_ml.ops.vector import (
    compute_energy_stability,
    compute_interference_strength,
    compute_phase_coherence,
    cosine_similarity,
    euclidean_distance,
    exponential_decay,
    normalize_vector,
    partial_interference,
)

_MASTER_OPS_LIST = (
    # math
    "add", "subtract", "multiply", "divide", "matmul", "dot", "exp", "log", "log10", "log2",
    "pow", "power", "sqrt", "square", "abs", "sign", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "erf",
    "clip", "negative", "mod", "floor_divide", "floor", "ceil", "maximum", "minimum",
    # comparison / logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor", "allclose", "isclose", "all", "any", "where",
    "isnan", "isinf", "isfinite",
    # manipulation
    "vstack", "hstack",
)

pi: float = math.pi  #: The constant pi, as a Python float.

_globals = globals()
for _name in _MASTER_OPS_LIST:
    _globals[_name] = getattr(_core, _name)
del _globals, _name

# Complex parts (numpy.real / imag / conjugate / angle) and the numpy.fft family, bound
# straight to C++ (``_core`` and ``_core.fft``); see their docstrings.
_COMPLEX_OPS_LIST = ("real", "imag", "conj", "angle")
_FFT_OPS_LIST = ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
                 "irfftn")
for _name in _COMPLEX_OPS_LIST:
    globals()[_name] = getattr(_core, _name)
for _name in _FFT_OPS_LIST:
    globals()[_name] = getattr(_core.fft, _name)
del _name

arctan2 = _core.arctan2

__all__ = [
    *_MASTER_OPS_LIST, *_COMPLEX_OPS_LIST, *_FFT_OPS_LIST,
    "pi", "arctan2", "stats", "linearalg", "bitwise", "device", "activations", "losses", "vector",
    "set_backend", "get_backend", "auto_select_backend", "get_available_backends", "using_backend",
    "to_device", "get_device", "get_available_devices", "synchronize", "set_default_device",
    "get_default_device", "is_available", "memory_usage", "memory_info",
    "grad", "value_and_grad", "stop_gradient", "no_grad", "enable_grad", "is_grad_enabled", "gradient",
    *losses.__all__, *vector.__all__, "save", "load",
]
