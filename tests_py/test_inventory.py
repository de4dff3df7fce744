"""Every public name of API.md (opinfo.inventory(): the op rows and the other names) exists and runs on
every backend."""
from __future__ import annotations

import importlib

import pytest

import ember_ml as em
import opinfo
from opinfo.inventory import E

CASES = [(section, e) for section, entries in opinfo.inventory().items() for e in entries]
IDS = [f"{section}:{e.module}.{e.name}" for section, e in CASES]


def test_table_has_no_duplicates() -> None:
    keys = [(e.module, e.name) for _, e in CASES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("backend", em.get_available_backends())
@pytest.mark.parametrize("section,entry", CASES, ids=IDS)
def test_name_exists_and_runs(section: str, entry: E, backend: str) -> None:
    with em.using_backend(backend):
        module = importlib.import_module(entry.module)
        assert hasattr(module, entry.name), f"{entry.module} has no attribute {entry.name}"
        obj = getattr(module, entry.name)
        assert obj is not None, f"{entry.module}.{entry.name} is None"
        if entry.smoke is None:
            return
        try:
            result = entry.smoke(obj)
        except NotImplementedError as err:
            pytest.fail(f"{entry.module}.{entry.name} raised NotImplementedError on {backend}: {err}")
        if entry.returns:
            assert result is not None, f"{entry.module}.{entry.name} returned None on {backend}"
        else:
            assert result is None, f"{entry.module}.{entry.name} should return None, got {result!r}"


def test_set_backend_is_one_function() -> None:
    assert em.set_backend is em.ops.set_backend is em.backend.set_backend
