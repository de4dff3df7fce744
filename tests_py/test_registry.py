"""The op table against the C++ kernel registry: every registered op is run by a row of the
table (or listed with a reason in opinfo.registry) and has a kernel on every device type (or a
listed reason)."""
from __future__ import annotations

import opinfo
from ember_ml import _core
from opinfo.registry import DEVICE_GAPS, WITHOUT_ROW

KERNELS = _core.registered_kernels()


def test_every_registered_op_has_a_row_or_a_reason() -> None:
    covered = {name for op in opinfo.OP_DB for name in op.kernel_names()}
    missing = sorted(set(KERNELS) - covered - set(WITHOUT_ROW))
    assert not missing, f"registry ops without a row in opinfo (or a reason in opinfo.registry): {missing}"
    # A listed reason for an op a row runs, or for an op that left the registry, is stale.
    assert not set(WITHOUT_ROW) & covered, sorted(set(WITHOUT_ROW) & covered)
    assert set(WITHOUT_ROW) <= set(KERNELS), sorted(set(WITHOUT_ROW) - set(KERNELS))


def test_kernels_a_row_names_explicitly_are_registered() -> None:
    named = {(op.name, k) for op in opinfo.OP_DB if op.kernels is not None for k in op.kernels}
    unknown = sorted((row, k) for row, k in named if k not in KERNELS)
    assert not unknown, f"rows naming kernels the registry does not have: {unknown}"


def test_every_registered_op_has_a_cpu_and_an_opencl_kernel_or_a_reason() -> None:
    incomplete = {name: devices for name, devices in KERNELS.items() if devices != ["cpu", "opencl"]}
    unexplained = {name: devices for name, devices in incomplete.items() if name not in DEVICE_GAPS}
    assert not unexplained, f"registry ops missing a cpu or an opencl kernel: {unexplained}"
    assert set(DEVICE_GAPS) <= set(incomplete), sorted(set(DEVICE_GAPS) - set(incomplete))
