"""Device queries and transfers (``ember_ml.ops`` device functions)."""
from __future__ import annotations

import os
from typing import Any

from ember_ml import _core


def get_device(x: Any = None) -> str:
    """The device of tensor ``x``, or the default device when ``x`` is None or not a tensor.

    Returns:
        str: e.g. ``'cpu'`` or ``'opencl:0'``.
    """
    if isinstance(x, _core.EmberTensor):
        return x.device
    return _core.get_default_device()


def to_device(x: Any, device: str) -> _core.EmberTensor:
    """``x`` as a tensor on ``device`` (``'cpu'``, ``'opencl'``, ``'opencl:N'``); no copy when already there.

    Raises:
        ValueError: unknown device name.
        NotImplementedError: no transfer path to that device in this build.
    """
    tensor = x if isinstance(x, _core.EmberTensor) else _core.EmberTensor(x)
    return tensor.to(device)


def get_available_devices() -> list[str]:
    """Every device tensors can be placed on, e.g. ``['cpu', 'opencl:0']``."""
    return ["cpu"] + list(getattr(_core, "opencl_devices", lambda: [])())


def is_available(device: str) -> bool:
    """True when ``device`` (``'cpu'``, ``'opencl'``, ``'opencl:N'``) can hold tensors."""
    name = "opencl:0" if device == "opencl" else device
    return name in get_available_devices()


def set_default_device(device: str) -> None:
    """Sets the device creation functions use.

    Raises:
        ValueError: the device is unknown or not available.
    """
    if not is_available(device):
        raise ValueError(
            f"[set_default_device] device '{device}' is not available; available: {get_available_devices()}"
        )
    _core.set_default_device(device)


def get_default_device() -> str:
    """The device creation functions use (that of the current backend by default)."""
    return _core.get_default_device()


def _opencl_target(device: str | None, op: str) -> str | None:
    """The 'opencl:N' name of ``device`` (default: the default device); None for cpu."""
    target = device or _core.get_default_device()
    if not is_available(target):
        raise ValueError(f"[{op}] device '{target}' is not available; available: {get_available_devices()}")
    if target == "cpu":
        return None
    return "opencl:0" if target == "opencl" else target


def synchronize(device: str | None = None) -> None:
    """Waits until queued work on ``device`` (default: the default device) has finished.

    CPU ops run synchronously, so on ``cpu`` this returns at once. On OpenCL it also
    raises any error a kernel flagged since the last synchronisation, naming the op.

    Raises:
        ValueError: unknown or unavailable device, or a flagged kernel error.
    """
    target = _opencl_target(device, "synchronize")
    if target is not None:
        _core.opencl_synchronize(target)


def memory_info(device: str | None = None) -> dict:
    """Memory statistics of ``device`` (default: the default device), in bytes.

    Returns:
        dict: on OpenCL the buffer-pool figures of
        :func:`ember_ml.backend.opencl.memory_info` (``in_use_bytes``, ``pooled_bytes``,
        ``peak_in_use_bytes``, ``device_total_bytes``, ``allocations``, ``reuses``); on
        ``cpu`` ``{'device_total_bytes': physical memory}`` (CPU tensors use the heap).

    Raises:
        ValueError: unknown or unavailable device.
    """
    target = _opencl_target(device, "memory_info")
    if target is not None:
        return dict(_core.opencl_memory_info(target))
    return {"device_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")}


def clear_cache(device: str | None = None) -> None:
    """Frees pooled device buffers that no tensor holds (nothing to do on ``cpu``).

    Raises:
        ValueError: unknown or unavailable device.
    """
    target = _opencl_target(device, "clear_cache")
    if target is not None:
        _core.opencl_clear_cache(target)


__all__ = [
    "get_device", "to_device", "get_available_devices", "is_available", "set_default_device",
    "get_default_device", "synchronize", "memory_info", "clear_cache",
]
