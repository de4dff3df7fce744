"""Ember ML: backend-agnostic machine learning with a C++ engine.

Write model code once against :mod:`ember_ml.ops` and :mod:`ember_ml.nn.tensor`, pick
a backend with :func:`set_backend`, and get the same numbers on every backend.
"""
from ember_ml import _core
from ember_ml.backend import (
    auto_select_backend,
    get_available_backends,
    get_backend,
    set_backend,
    using_backend,
)
from ember_ml import backend, nn, ops, training
from ember_ml import wirings  # ncps.wirings drop-in
from ember_ml import ncps  # ncps.torch drop-in

__version__ = "0.1.0"

get_backend()  # resolve EMBER_ML_BACKEND / ~/.ember/backend / auto-selection once at import

__all__ = [
    "__version__", "set_backend", "get_backend", "auto_select_backend", "get_available_backends",
    "using_backend", "ops", "nn",
]
__all__ += ["wirings", "ncps", "backend", "training"]
