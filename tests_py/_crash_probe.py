"""Runs the Ember side of every op_db sample, in order, to find samples that kill the
interpreter (segfault, abort, hang). Used by conftest.py; not a test module.

Usage: python _crash_probe.py START PROGRESS_FILE

Before running sample number k it appends "k<TAB>key" to PROGRESS_FILE (an unbuffered
os.write, so the line survives a crash); "done" is appended at the end. Python
exceptions are ignored here: only crashes matter, the parity tests judge everything else.
"""
from __future__ import annotations

import faulthandler
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
faulthandler.enable()

import op_db  # noqa: E402


def main() -> int:
    start = int(sys.argv[1])
    fd = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for k, (key, op, sample) in enumerate(op_db.iter_all_samples()):
        if k < start:
            continue
        os.write(fd, f"{k}\t{key}\n".encode())
        try:
            op_db.run_ember(op, sample)
        except Exception:  # noqa: BLE001 - only crashes are of interest here
            pass
    os.write(fd, b"done\n")
    os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
