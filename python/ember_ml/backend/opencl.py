"""The OpenCL backend's runtime: devices, memory, caches and transfer counters.

Tensors on ``opencl:N`` live in device buffers taken from a size-bucketed pool. Kernels
are queued asynchronously on one in-order queue per device; the host waits only where it
needs data (``to_numpy``, ``item``, printing, :func:`synchronize`). Compiled programs are
cached in memory and on disk under ``$EMBER_ML_CACHE_DIR/opencl`` (default
``~/.cache/ember_ml/opencl``), keyed by source, build options, device and driver version.
"""
from __future__ import annotations

from ember_ml import _core


def is_available() -> bool:
    """True when at least one OpenCL device can be used in this process."""
    return bool(_core.opencl_available())


def unavailable_reason() -> str:
    """Why OpenCL cannot be used (the failing OpenCL call and error name); ``''`` when it can."""
    return _core.opencl_unavailable_reason()


def devices() -> list[dict]:
    """One dict per OpenCL device.

    Returns:
        list[dict]: keys ``device`` (``'opencl:N'``), ``name``, ``vendor``, ``platform``,
        ``version``, ``driver_version``, ``type`` (``'gpu'``, ``'cpu'``, ...), ``fp64``
        (bool: float64 tensors allowed), ``global_mem_bytes``, ``compute_units``. Empty
        when OpenCL is unavailable.
    """
    return list(_core.opencl_device_info())


def synchronize(device: str = "opencl:0") -> None:
    """Waits until every op queued on ``device`` has finished.

    Raises:
        ValueError: the op that a kernel flagged since the last synchronisation (e.g. an
            integer power with a negative exponent), named in the message; also for an
            unknown device.
        RuntimeError: an OpenCL failure, naming the OpenCL error.
    """
    _core.opencl_synchronize(device)


def memory_info(device: str = "opencl:0") -> dict:
    """Buffer-pool statistics of ``device``.

    Returns:
        dict: ``in_use_bytes`` (held by live tensors, in pool bucket sizes), ``pooled_bytes``
        (freed buffers kept for reuse), ``peak_in_use_bytes``, ``device_total_bytes``,
        ``allocations`` (buffers created) and ``reuses`` (requests served from the pool).
    """
    return dict(_core.opencl_memory_info(device))


def clear_cache(device: str = "opencl:0") -> None:
    """Frees the pooled buffers of ``device`` (those no tensor holds)."""
    _core.opencl_clear_cache(device)


def transfer_stats() -> dict:
    """Host <-> device copies since start or the last :func:`reset_transfer_stats`.

    Returns:
        dict: ``host_to_device``, ``host_to_device_bytes``, ``device_to_host``,
        ``device_to_host_bytes``.
    """
    return dict(_core.opencl_transfer_stats())


def reset_transfer_stats() -> None:
    """Zeroes the transfer counters."""
    _core.opencl_reset_transfer_stats()


def program_cache_stats() -> dict:
    """How program requests were served since start.

    Returns:
        dict: ``memory_hits``, ``disk_hits``, ``builds`` (compiled from source) and
        ``corrupt`` (disk entries that failed to load and were rebuilt).
    """
    return dict(_core.opencl_program_cache_stats())


def compile_program(source: str, options: str = "", device: str = "opencl:0") -> None:
    """Builds OpenCL C ``source`` through the program cache (e.g. to warm the cache).

    Raises:
        RuntimeError: the source does not compile; the message holds the build log.
    """
    _core.opencl_compile_program(source, options, device)


__all__ = [
    "is_available", "unavailable_reason", "devices", "synchronize", "memory_info", "clear_cache",
    "transfer_stats", "reset_transfer_stats", "program_cache_stats", "compile_program",
]
