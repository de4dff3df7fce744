"""``import ember_ml`` makes the OpenBLAS behind the cpu backend's matmul use the CPU's
SIMD kernels (``ember_ml._openblas``), without touching NumPy's or the environment."""
from __future__ import annotations

import json
import pathlib

from conftest import python_env
from ember_ml import _openblas

# Prints the kernel set of the OpenBLAS that ember_ml._core loaded (found in this
# process's memory map; NumPy's is libscipy_openblas*) and whether the variable is left set.
_REPORT = """
    import ctypes, json, os
    import ember_ml
    path = next(line.split()[-1] for line in open("/proc/self/maps") if "/libopenblas" in line)
    lib = ctypes.CDLL(path)
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print(json.dumps([lib.openblas_get_corename().decode(), os.environ.get("OPENBLAS_CORETYPE")]))
"""


def test_coretype_follows_the_instruction_sets() -> None:
    avx512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}
    assert _openblas.coretype_for(frozenset(avx512 | {"avx2", "fma", "sse4_2"})) == "SkylakeX"
    assert _openblas.coretype_for(frozenset({"avx2", "fma", "avx512f"})) == "Haswell"  # F alone is not enough
    assert _openblas.coretype_for(frozenset({"avx2", "fma"})) == "Haswell"
    assert _openblas.coretype_for(frozenset({"avx", "sse4_2"})) is None
    assert _openblas.coretype_for(frozenset()) is None


def test_cpu_flags_reads_the_flags_line(tmp_path: pathlib.Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: X\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\nflags\t: fpu\n")
    assert _openblas.cpu_flags(info) == frozenset({"fpu", "sse2", "avx2", "fma"})
    assert _openblas.cpu_flags(tmp_path / "missing") == frozenset()


def test_import_selects_the_kernels_and_restores_the_environment(run_python) -> None:
    proc = run_python(_REPORT, env=python_env(OPENBLAS_CORETYPE=None))
    assert proc.returncode == 0, proc.stderr
    corename, left_set = json.loads(proc.stdout.strip().splitlines()[-1])
    assert left_set is None
    expected = _openblas.coretype_for(_openblas.cpu_flags())
    if expected is not None:
        assert corename.lower() == expected.lower()


def test_a_coretype_set_by_the_user_is_kept(run_python) -> None:
    proc = run_python(_REPORT, env=python_env(OPENBLAS_CORETYPE="Prescott"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == ["Prescott", "Prescott"]
