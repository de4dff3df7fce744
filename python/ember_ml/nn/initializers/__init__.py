"""Weight initializers (``ember_ml.nn.initializers``).

Each initializer is called as ``init(shape, dtype=None, device=None, seed=None)`` and
returns an :class:`EmberTensor` created on ``device`` (default: the current backend's
device), float32 unless ``dtype`` says otherwise. :func:`get_initializer` maps a name to
its function.
"""
from __future__ import annotations

from typing import Any, Callable

from ember_ml.nn.initializers.binomial import BinomialInitializer, binomial
from ember_ml.nn.initializers.standard import (
    compute_fans,
    glorot_normal,
    glorot_uniform,
    ones,
    orthogonal,
    random_normal,
    random_uniform,
    zeros,
)

_INITIALIZERS: dict[str, Callable[..., Any]] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "orthogonal": orthogonal,
    "zeros": zeros,
    "ones": ones,
    "random_uniform": random_uniform,
    "random_normal": random_normal,
    "binomial": BinomialInitializer(),
}


def get_initializer(name: str | Callable[..., Any]) -> Callable[..., Any]:
    """The initializer called ``name``; a callable is returned unchanged (as ``keras.initializers.get``).

    Args:
        name: one of ``glorot_uniform glorot_normal orthogonal zeros ones random_uniform
            random_normal binomial``, or a callable.

    Returns:
        A callable ``init(shape, dtype=None, device=None, seed=None)``.

    Raises:
        ValueError: ``[get_initializer]`` for an unknown name; the message lists the valid names.
        TypeError: ``[get_initializer]`` for neither a string nor a callable.
    """
    if callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"[get_initializer] expected an initializer name or a callable, got {type(name).__name__}")
    if name not in _INITIALIZERS:
        raise ValueError(f"[get_initializer] unknown initializer {name!r}; valid names: {', '.join(_INITIALIZERS)}")
    return _INITIALIZERS[name]


def initializer_name(init: str | Callable[..., Any]) -> str | None:
    """The registered name of ``init`` (a name or a registered function), else None; used by ``get_config``."""
    if isinstance(init, str):
        return init if init in _INITIALIZERS else None
    return next((name for name, fn in _INITIALIZERS.items() if fn is init), None)


__all__ = ["glorot_uniform", "glorot_normal", "orthogonal", "zeros", "ones", "random_uniform", "random_normal",
           "get_initializer", "BinomialInitializer", "binomial", "compute_fans", "initializer_name"]
