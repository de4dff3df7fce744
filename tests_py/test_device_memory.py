"""ops.memory_usage / ops.memory_info on cpu against figures read independently."""
from __future__ import annotations

import os

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T


def test_memory_info_keys_units_and_consistency() -> None:
    info = ops.memory_info()
    assert set(info) == {"total", "available", "used", "percent", "rss"}
    for key in ("total", "available", "used", "rss"):
        assert isinstance(info[key], int) and info[key] > 0, key
    # MemTotal and sysconf's physical pages both come from the kernel's totalram figure.
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert abs(info["total"] - physical) <= 0.01 * physical
    assert info["used"] == info["total"] - info["available"]
    assert info["percent"] == 100.0 * info["used"] / info["total"]
    assert info["rss"] <= info["total"]
    assert ops.memory_info("cpu")["total"] == info["total"]


def _status_rss() -> int:
    """VmRSS of /proc/self/status (kibibytes in the file), the kernel's other report of the same figure."""
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(ln for ln in fh if ln.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def test_memory_usage_is_the_resident_set_in_bytes() -> None:
    rss = ops.memory_usage()
    assert abs(rss - _status_rss()) < 8 * 2**20  # read a moment apart: allow small drift
    assert rss > 10 * 2**20  # an interpreter with NumPy loaded holds more than 10 MiB
    big = T.ones((64, 2**20), dtype="uint8")  # 64 MiB, written so its pages are resident
    grown = ops.memory_usage("cpu")
    assert grown - rss > 48 * 2**20
    assert int(np.asarray(big)[-1, -1]) == 1
