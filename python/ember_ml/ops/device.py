"""Device queries and transfers (``ember_ml.ops`` device functions)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ember_ml import _core


def get_device(x: Any = None) -> str:
    """The device of tensor ``x``; for None or tensor-like data, the default device it would go to.

    Args:
        x: an EmberTensor, None, or tensor-like data (NumPy array or scalar, Python
            number, list or tuple).

    Returns:
        str: e.g. ``'cpu'`` or ``'opencl:0'``.

    Raises:
        TypeError: ``x`` is neither (a string, a dict, another object).
    """
    if isinstance(x, _core.EmberTensor):
        return x.device
    if x is None or isinstance(x, (np.ndarray, np.generic, bool, int, float, complex, list, tuple)):
        return _core.get_default_device()
    raise TypeError(f"[get_device] expected a tensor or tensor-like data, got {type(x).__name__} {x!r:.80}")


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


def clear_cache(device: str | None = None) -> None:
    """Frees pooled device buffers that no tensor holds (nothing to do on ``cpu``).

    Raises:
        ValueError: unknown or unavailable device.
    """
    target = _opencl_target(device, "clear_cache")
    if target is not None:
        _core.opencl_clear_cache(target)


def _meminfo_bytes() -> dict[str, int]:
    """``/proc/meminfo`` (Linux) as bytes per field; the file gives kibibytes."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            lines = fh.read().splitlines()
    except OSError as err:
        raise NotImplementedError(f"[memory_info] needs Linux /proc/meminfo: {err}") from None
    fields = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            fields[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return fields


def memory_usage(device: str | None = None) -> int:
    """Memory this process holds on ``device``, in bytes.

    On ``cpu`` this is the resident set size (``/proc/self/statm`` pages times the page
    size, Linux). The original Ember ML returned the whole system's used memory here; the
    per-process figure is what a device query (as ``torch.cuda.memory_allocated``) gives.
    On OpenCL it is the bytes of device buffers that tensors hold (``in_use_bytes`` of
    :func:`memory_info`; pooled free buffers are not counted).

    Args:
        device: ``'cpu'``, ``'opencl:N'`` or None (the default device).

    Returns:
        int, bytes.

    Raises:
        ValueError: ``[memory_usage]`` for a device that is not available.
        NotImplementedError: ``[memory_usage]`` on cpu without Linux /proc.
    """
    target = _opencl_target(device, "memory_usage")
    if target is not None:
        return int(_core.opencl_memory_info(target)["in_use_bytes"])
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            resident_pages = int(fh.read().split()[1])
    except OSError as err:
        raise NotImplementedError(f"[memory_usage] needs Linux /proc/self/statm: {err}") from None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def memory_info(device: str | None = None) -> dict[str, int | float]:
    """Memory figures of ``device`` (default: the default device).

    On OpenCL, the buffer-pool figures of :func:`ember_ml.backend.opencl.memory_info`
    (``in_use_bytes``, ``pooled_bytes``, ``peak_in_use_bytes``, ``device_total_bytes``,
    ``allocations``, ``reuses``). On ``cpu`` (Linux ``/proc``), with the keys of the original Ember ML (psutil's
    ``virtual_memory`` meanings) plus this process's share:

    * ``total``: physical memory (``MemTotal``), bytes;
    * ``available``: memory available to new work without swapping (``MemAvailable``), bytes;
    * ``used``: ``total - available``, bytes;
    * ``percent``: ``used / total * 100``, a float;
    * ``rss``: this process's resident set size, bytes (:func:`memory_usage`).

    Args:
        device: ``'cpu'``, ``'opencl:N'`` or None (the default device).

    Returns:
        dict from those names to ints (``percent``: float).

    Raises:
        ValueError: ``[memory_info]`` for a device that is not available.
        NotImplementedError: ``[memory_info]`` on cpu without Linux /proc.
    """
    target = _opencl_target(device, "memory_info")
    if target is not None:
        return dict(_core.opencl_memory_info(target))
    fields = _meminfo_bytes()
    total, available = fields["MemTotal"], fields["MemAvailable"]
    used = total - available
    return {"total": total, "available": available, "used": used, "percent": 100.0 * used / total,
            "rss": memory_usage(device)}


__all__ = [
    "get_device", "to_device", "get_available_devices", "is_available", "set_default_device",
    "get_default_device", "synchronize", "memory_usage", "memory_info", "clear_cache",
]
