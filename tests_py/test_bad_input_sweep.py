"""The bad-input sweep (bad_input_sweep.py) over the public API, each call in a subprocess:
every call raises a typed exception naming its op (or returns a value), and none crashes
or hangs. ``scripts/asan_sweep.sh`` runs the same sweep against the AddressSanitizer build."""
from __future__ import annotations

import bad_input_sweep


def test_bad_input_sweep_raises_named_typed_errors_and_never_crashes():
    n_calls, failures = bad_input_sweep.run_sweep()
    assert n_calls > 1000
    assert not failures, f"{len(failures)} of {n_calls} calls failed:\n" + "\n".join(failures[:60])


def test_a_crash_is_attributed_to_its_call_and_the_sweep_goes_on(monkeypatch):
    # ctypes.string_at(-1) reads address -1: a segmentation fault in the worker.
    monkeypatch.setenv("EMBER_SWEEP_TARGETS", "ctypes:string_at,math:sqrt")
    _, failures = bad_input_sweep.run_sweep()
    assert any(f.startswith("ctypes.string_at argument 0 = int -1: CRASH/HANG: worker exited with status -11")
               for f in failures), failures
    # The calls after each crash ran in a fresh worker: math.sqrt's unnamed errors are reported.
    assert any(f.startswith("math.sqrt argument 0 = None: TypeError without an [op] prefix") for f in failures)
