"""Walker2d per-step regression (CfC paper, Hasani et al. 2022, Table 7), reproduced with Ember ML.

Run from the repository root::

    python examples/reproduce/walker2d.py                                # ncps-style CfC, seed 0, 50 epochs
    python examples/reproduce/walker2d.py --models cfc cfc-paper cfc-mixed ltc lstm --seeds 0 1 2
    python examples/reproduce/walker2d.py --quick                        # smoke run on a slice
    python examples/reproduce/walker2d.py --resume                       # continue interrupted runs

Data and protocol: ``data/walker2d/`` (README there): 400 MuJoCo rollouts, 300 / 40 / 60
train / validation / test, 10 % of the steps dropped at random with the elapsed times fed as
``timespans``, windows of 64; test MSE of the best validation epoch. Models and their
published settings: ``harness.CONFIGS["walker2d"]``. Each finished run is appended to
``results/walker2d.json`` and ``RESULTS.md`` is rewritten.
"""
from __future__ import annotations

import sys

from harness import run_task

from data import load_walker2d


def main(argv: list[str] | None = None) -> list[dict]:
    """Runs the requested models and seeds; returns their records."""
    return run_task("walker2d", load_walker2d, argv, __doc__)


if __name__ == "__main__":
    main()
    sys.exit(0)
