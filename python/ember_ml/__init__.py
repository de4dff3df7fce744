"""Ember ML: backend-agnostic machine learning with a C++ engine.

Write model code once against :mod:`ember_ml.ops` and :mod:`ember_ml.nn.tensor`, pick
a backend with :func:`set_backend`, and get the same numbers on every backend.

Imports point one way: ``ops`` (and the tensor layer ``nn.tensor``) below ``nn.modules``,
``training``, ``wirings`` and ``ncps``. Those upper packages are imported on first access
(``ember_ml.nn.modules``, ``from ember_ml import training``), so ``import ember_ml.ops``
does not import them.
"""
from ember_ml._openblas import kernels_selected

with kernels_selected():  # before _core loads OpenBLAS: see ember_ml._openblas
    from ember_ml import _core
from ember_ml._lazy import lazy_submodules
from ember_ml.backend import (
    auto_select_backend,
    get_available_backends,
    get_backend,
    set_backend,
    using_backend,
)
from ember_ml import backend, ops

__version__ = "0.1.0"

get_backend()  # resolve EMBER_ML_BACKEND / ~/.ember/backend / auto-selection once at import

__getattr__, __dir__ = lazy_submodules(__name__, ("nn", "training", "wirings", "ncps"), globals())

__all__ = [
    "__version__", "set_backend", "get_backend", "auto_select_backend", "get_available_backends",
    "using_backend", "ops", "nn", "wirings", "ncps", "backend", "training",
]
