"""Backend selection for Ember ML.

Backends are ``cpu`` (C++ kernels) and ``opencl`` (C++ host code + OpenCL kernels);
``numpy`` is accepted as a name for ``cpu`` (and :func:`get_backend` then answers
``'numpy'``, the name that was set, while the cpu engine runs). Every op dispatches on the device of its
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
from types import ModuleType
from typing import Any, Iterator

from ember_ml import _core

_ALIASES = {"numpy": "cpu", "cpu": "cpu", "opencl": "opencl"}
_DEVICE_OF = {"cpu": "cpu", "opencl": "opencl:0"}
_lock = threading.RLock()
_current: str | None = None  # the engine backend: 'cpu' or 'opencl'
_name: str | None = None  # the name it was selected by (e.g. 'numpy'), which get_backend returns


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


def _requested_name(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"[set_backend] backend name must be a str, got {type(name).__name__}")
    return name.strip().lower()


def _canonical(name: str) -> str:
    canonical = _ALIASES.get(_requested_name(name))
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


def _activate(name: str, requested: str | None = None) -> None:
    global _current, _name
    _core.set_default_device(_DEVICE_OF[name])
    _current = name
    _name = requested or name


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
        _activate(canonical, _requested_name(name))
        if persist:
            path = _config_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(_requested_name(name) + "\n")
            os.replace(tmp, path)


def _initial_backend() -> tuple[str, str]:
    sources = [("EMBER_ML_BACKEND", os.environ.get("EMBER_ML_BACKEND"))]
    path = _config_file()
    if path.is_file():
        sources.append((str(path), path.read_text().strip()))
    for origin, value in sources:
        if value:
            try:
                return _canonical(value), _requested_name(value)
            except (ValueError, TypeError) as err:
                warnings.warn(f"ignoring backend from {origin}: {err}", RuntimeWarning, stacklevel=3)
    backend = auto_select_backend()[0]
    return backend, backend


def get_backend() -> str:
    """The name the active backend was selected by: ``'cpu'``, ``'opencl'`` or ``'numpy'`` (which runs on cpu)."""
    with _lock:
        if _current is None:
            _activate(*_initial_backend())
        return _name  # type: ignore[return-value]


def get_backend_module() -> ModuleType:
    """The module whose functions run on the active backend: :mod:`ember_ml.ops` (one module serves every backend)."""
    get_backend()
    from ember_ml import ops

    return ops


def get_device(tensor: Any = None) -> str:
    """The device of ``tensor``, or the device new tensors are created on (see :func:`ember_ml.ops.get_device`)."""
    from ember_ml.ops.device import get_device as device_of

    return device_of(tensor)


def set_device(device: str) -> None:
    """Makes ``device`` (e.g. ``'cpu'``, ``'opencl:0'``) the device new tensors are created on.

    Raises:
        ValueError: the device is not available (see :func:`ember_ml.ops.set_default_device`).
    """
    from ember_ml.ops.device import set_default_device

    set_default_device(device)


@contextlib.contextmanager
def using_backend(name: str) -> Iterator[str]:
    """Context manager that switches to ``name`` and restores the previous backend.

    Args:
        name: backend name, as for :func:`set_backend`.

    Yields:
        str: the name of the backend in use inside the block (``name`` as given, lower-cased).
    """
    with _lock:
        get_backend()
        previous = (_current, _name)
        set_backend(name)
    try:
        yield get_backend()
    finally:
        with _lock:
            _activate(*previous)


__all__ = ["set_backend", "get_backend", "auto_select_backend", "get_available_backends", "using_backend",
           "get_backend_module", "get_device", "set_device"]
