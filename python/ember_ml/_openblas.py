"""Kernel selection for the OpenBLAS that ``ember_ml._core`` links against.

OpenBLAS built with ``DYNAMIC_ARCH`` (Debian's is) picks its kernels from the CPU model
when the library is loaded; a release older than the CPU does not know the model and
falls back to its generic SSE3 ("Prescott") kernels. Debian 12's OpenBLAS 0.3.21 does so
on Intel Emerald Rapids (family 6, model 207), where its sgemm then runs 5-8x below
NumPy's. The ``OPENBLAS_CORETYPE`` environment variable names the kernel set instead
(OpenBLAS README, "Runtime CPU detection"; ``driver/others/dynamic.c``); the library reads
it once, while it loads. :func:`kernels_selected` sets it around the import of ``_core``
from the CPU's instruction-set flags, unless the user has set it.
"""
from __future__ import annotations

import contextlib
import os
import pathlib
from typing import Iterator

# Kernel sets by the instruction-set extensions their code uses, best first.
_CORETYPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("SkylakeX", frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"})),
    ("Haswell", frozenset({"avx2", "fma"})),
)


def coretype_for(flags: frozenset[str]) -> str | None:
    """The OpenBLAS kernel set to use on a CPU with these instruction-set flags.

    Args:
        flags: lower-case flag names as in ``/proc/cpuinfo`` (``avx2``, ``avx512f``, ...).

    Returns:
        ``"SkylakeX"`` (AVX-512 F/CD/BW/DQ/VL), ``"Haswell"`` (AVX2 + FMA), or None where
        OpenBLAS's own detection has nothing faster to miss.
    """
    for name, needed in _CORETYPES:
        if needed <= flags:
            return name
    return None


def cpu_flags(cpuinfo: pathlib.Path = pathlib.Path("/proc/cpuinfo")) -> frozenset[str]:
    """Instruction-set flags of the first CPU listed in ``cpuinfo``.

    Args:
        cpuinfo: a file in Linux's ``/proc/cpuinfo`` format.

    Returns:
        The flags, or an empty set where the file is missing or has no ``flags`` line
        (other operating systems).
    """
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


@contextlib.contextmanager
def kernels_selected() -> Iterator[None]:
    """Sets ``OPENBLAS_CORETYPE`` for the duration of the ``with`` block, then removes it.

    NumPy is imported first, so that its own OpenBLAS has already chosen its kernels, and
    the variable is removed afterwards, so that libraries loaded later and child
    processes detect for themselves. A value set by the user is left as it is.

    Yields:
        None; import ``ember_ml._core`` inside the block.
    """
    coretype = None if "OPENBLAS_CORETYPE" in os.environ else coretype_for(cpu_flags())
    if coretype is None:
        yield
        return
    import numpy  # noqa: F401 - loads NumPy's OpenBLAS before the variable is set

    os.environ["OPENBLAS_CORETYPE"] = coretype
    try:
        yield
    finally:
        del os.environ["OPENBLAS_CORETYPE"]
