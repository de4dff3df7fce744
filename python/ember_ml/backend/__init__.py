"""Backend selection for Ember ML.

Backends are ``cpu`` (C++ kernels) and ``opencl`` (C++ host code + OpenCL kernels);
``numpy`` is accepted as a name for ``cpu``. Every op dispatches on the device of its
tensor inputs, so choosing a backend sets the device that creation, random and
initializer functions place new tensors on.

Selection order: ``set_backend(name)`` in this process > the ``EMBER_ML_BACKEND``
environment variable > ``~/.ember/backend`` (written by ``set_backend(name,
persist=True)``) > :func:`auto_select_backend`.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
import threading
import warnings
from typing import Iterator

from ember_ml import _core

_ALIASES = {"numpy": "cpu", "cpu": "cpu", "opencl": "opencl"}
_DEVICE_OF = {"cpu": "cpu", "opencl": "opencl:0"}
_lock = threading.RLock()
_current: str | None = None


def _config_file() -> pathlib.Path:
    return pathlib.Path.home() / ".ember" / "backend"


def get_available_backends() -> list[str]:
    """Names of the backends usable in this process.

    Returns:
        list[str]: always contains ``'cpu'``; ``'opencl'`` when an OpenCL device is usable.
    """
    return [name for name in ("cpu", "opencl") if _is_usable(name)]


def _is_usable(name: str) -> bool:
    return name == "cpu" or bool(getattr(_core, "opencl_available", lambda: False)())


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"[set_backend] backend name must be a str, got {type(name).__name__}")
    canonical = _ALIASES.get(name.strip().lower())
    if canonical is None or not _is_usable(canonical):
        reason = "is not available in this process" if canonical else "is not a known backend"
        raise ValueError(
            f"[set_backend] backend '{name}' {reason}; available: {', '.join(get_available_backends())}"
        )
    return canonical


def auto_select_backend() -> tuple[str, str]:
    """Picks the best backend present: OpenCL on a GPU, else the native CPU backend.

    A CPU OpenCL driver (such as PoCL) does not win over the native CPU backend.

    Returns:
        tuple[str, str]: ``(backend, device)``, e.g. ``('cpu', 'cpu')``.
    """
    has_gpu = getattr(_core, "opencl_has_gpu", lambda: False)()
    backend = "opencl" if has_gpu and _is_usable("opencl") else "cpu"
    return backend, _DEVICE_OF[backend]


def _activate(name: str) -> None:
    global _current
    _core.set_default_device(_DEVICE_OF[name])
    _current = name


def set_backend(name: str, persist: bool = False) -> None:
    """Makes ``name`` the backend for this process.

    Args:
        name: ``'cpu'``, ``'opencl'`` or ``'numpy'`` (an alias of ``'cpu'``).
        persist: also write the choice to ``~/.ember/backend`` for later processes.

    Raises:
        ValueError: unknown or unavailable backend; the message lists the available ones.
        TypeError: ``name`` is not a string.
    """
    canonical = _canonical(name)
    with _lock:
        _activate(canonical)
        if persist:
            path = _config_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(canonical + "\n")
            os.replace(tmp, path)


def _initial_backend() -> str:
    sources = [("EMBER_ML_BACKEND", os.environ.get("EMBER_ML_BACKEND"))]
    path = _config_file()
    if path.is_file():
        sources.append((str(path), path.read_text().strip()))
    for origin, value in sources:
        if value:
            try:
                return _canonical(value)
            except (ValueError, TypeError) as err:
                warnings.warn(f"ignoring backend from {origin}: {err}", RuntimeWarning, stacklevel=3)
    return auto_select_backend()[0]


def get_backend() -> str:
    """The name of the active backend (``'cpu'`` or ``'opencl'``)."""
    with _lock:
        if _current is None:
            _activate(_initial_backend())
        return _current  # type: ignore[return-value]


@contextlib.contextmanager
def using_backend(name: str) -> Iterator[str]:
    """Context manager that switches to ``name`` and restores the previous backend.

    Args:
        name: backend name, as for :func:`set_backend`.

    Yields:
        str: the canonical name of the backend in use inside the block.
    """
    with _lock:
        previous = get_backend()
        set_backend(name)
    try:
        yield get_backend()
    finally:
        with _lock:
            _activate(previous)


__all__ = ["set_backend", "get_backend", "auto_select_backend", "get_available_backends", "using_backend"]
