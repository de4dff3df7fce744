"""The op table of the test suite: one :class:`~opinfo.core.OpInfo` row per op.

Rows live in one module per family under ``opinfo.definitions`` (the layout of PyTorch's
``torch/testing/_internal/opinfo/definitions``); a row carries the op's NumPy parity spec,
its complex support, its public module with the inventory's smoke call, its gradient cases
and the registry kernels it runs. Adding an op means adding one row to its family.

Consumers: test_parity.py (NumPy and opencl-vs-cpu parity), test_autograd.py
(:func:`grad_cases`), test_inventory.py and bad_input_sweep.py (:func:`inventory`),
test_registry.py (every registry kernel has a row), test_bad_inputs.py.
"""
from __future__ import annotations

from . import core, inventory as _inventory
from .core import OpInfo, Sample, rng_for
from .definitions import (activations, binary, complex, creation, fft, indexing, linalg, losses, random, reduce,
                          shape, unary, vector)
from .grads import GradCase

OP_DB: list[OpInfo] = [op for family in (unary, binary, reduce, linalg, shape, creation, indexing, vector, losses,
                                         complex, fft, activations, random) for op in family.OP_DB]
OPS_BY_NAME = {op.name: op for op in OP_DB}
assert len(OPS_BY_NAME) == len(OP_DB), "duplicate op names in OP_DB"
LOSS_REFS = losses.LOSS_REFS


def parity_cases() -> list[tuple[str, str]]:
    """(op name, dtype) for every parity test."""
    return [(op.name, d) for op in OP_DB for d in op.dtypes]


def promotion_cases() -> list[tuple[str, str]]:
    return [(op.name, d) for op in OP_DB if op.promotion_pairs for d in op.dtypes]


def promotion_samples_for(op: OpInfo, dtype: str) -> list[tuple[str, Sample]]:
    """One sample per partner dtype: ``dtype`` tensor op ``partner`` tensor."""
    return [(p, binary.promotion_samples(op, dtype, p, rng_for(op.name, f"{dtype}|{p}"))[0])
            for p in op.dtypes if op.pair_ok(dtype, p)]


def grad_cases() -> list[GradCase]:
    """Every row's gradient cases, in table order."""
    cases = [case for op in OP_DB for case in op.grads]
    assert len({c.name for c in cases}) == len(cases), "duplicate gradient case names"
    return cases


def inventory() -> dict[str, list[_inventory.E]]:
    """The public names of API.md by section: the names that are not ops, then the rows' entries."""
    return _inventory.sections(OP_DB)


__all__ = ["OP_DB", "OPS_BY_NAME", "LOSS_REFS", "GradCase", "OpInfo", "Sample", "core", "grad_cases", "inventory",
           "parity_cases", "promotion_cases", "promotion_samples_for"]
