"""The bad-input sweep (bad_input_sweep.py) over the public API, each call in a subprocess:
every call raises a typed exception naming its op (or returns a value), and none crashes
or hangs. ``scripts/asan_sweep.sh`` runs the same sweep against the AddressSanitizer build."""
from __future__ import annotations

import bad_input_sweep


def test_bad_input_sweep_raises_named_typed_errors_and_never_crashes():
    n_calls, failures = bad_input_sweep.run_sweep()
    assert n_calls > 1000
    assert not failures, f"{len(failures)} of {n_calls} calls failed:\n" + "\n".join(failures[:60])
