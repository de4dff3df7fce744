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
from ember_ml.ops import bitwise, device, linearalg, stats
from ember_ml.ops.device import (
    clear_cache,
    get_available_devices,
    get_default_device,
    get_device,
    is_available,
    memory_info,
    set_default_device,
    synchronize,
    to_device,
)

_MASTER_OPS_LIST = (
    # math
    "add", "subtract", "multiply", "divide", "matmul", "dot", "exp", "log", "log10", "log2",
    "pow", "power", "sqrt", "square", "abs", "sign", "sin", "cos", "tan", "sinh", "cosh", "tanh",
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

__all__ = list(_MASTER_OPS_LIST) + [
    "pi", "stats", "linearalg", "bitwise", "device", "set_backend", "get_backend", "auto_select_backend", "get_available_backends",
    "using_backend", "to_device", "get_device", "get_available_devices", "synchronize",
    "set_default_device", "get_default_device", "is_available",
]
__all__ += ["memory_info", "clear_cache"]
