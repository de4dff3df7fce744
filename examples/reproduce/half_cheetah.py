"""Half-Cheetah next-step prediction (LTC paper, Hasani et al. 2021, Table 6), reproduced with Ember ML.

Run from the repository root::

    python examples/reproduce/half_cheetah.py                       # LTC (32 units, 6 unfolds), seed 0
    python examples/reproduce/half_cheetah.py --models ltc lstm cfc ctrnn --seeds 0 1 2
    python examples/reproduce/half_cheetah.py --quick               # smoke run on a slice

Data and protocol: ``data/half_cheetah/`` (README there): traces 15-24 train, 5-14 test,
0-4 validation, windows of 32 with stride 10, at most 200 epochs, batch 16, test MSE of the
best validation epoch. Models and settings: ``harness.CONFIGS["half_cheetah"]``.
"""
from __future__ import annotations

import sys

from harness import run_task

from data import load_half_cheetah


def main(argv: list[str] | None = None) -> list[dict]:
    """Runs the requested models and seeds; returns their records."""
    return run_task("half_cheetah", load_half_cheetah, argv, __doc__)


if __name__ == "__main__":
    main()
    sys.exit(0)
