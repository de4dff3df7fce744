"""The cost of a step mask on the fused CfC / LTC sequence ops: masked vs unmasked training step.

Usage::

    python bench/rnn_mask.py            # full run
    python bench/rnn_mask.py --quick    # smoke run (fewer repeats)

What is measured
----------------
Models: ``CfC(16, AutoNCP(64, 8))`` and ``LTC(16, AutoNCP(64, 8))`` (Ember defaults: fused
ops; LTC 6 ODE unfolds), float32, a batch of 32 sequences of 64 steps with 16 features;
MSE loss over every step; Adam (lr 1e-3). One repetition (``time.perf_counter``) is a
training step: ``zero_grad``, forward, ``backward``, ``Adam.step()``. Cases, each timed
against the unmasked call on the same batch:

* ``mask all ones``: ``mask=`` of ones, the pure overhead of the masked path (the issue
  asks for at most ~10 %).
* ``ragged mask``: lengths uniform in [32, 64] (a padded batch), post-padded.

After one warm-up each, the two calls alternate repetition by repetition (so load changes
hit both alike); medians over all repetitions. ``ratio = masked / unmasked`` median time. Results:
``bench/results/rnn_mask.json`` (``rnn_mask.quick.json`` with ``--quick``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import time
from typing import Any, Callable

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ncps import LTC, CfC
from ember_ml.training import Adam
from ember_ml.wirings import AutoNCP

BATCH, SEQ, FEATURES, UNITS, MOTORS = 32, 64, 16, 64, 8


def _alternating(fns: tuple[Callable[[], Any], ...], repeats: int) -> list[list[float]]:
    """Times of each of ``fns`` per repetition, the calls interleaved (first order swapped each time)."""
    for fn in fns:
        fn()  # warm-up
    times: list[list[float]] = [[] for _ in fns]
    for rep in range(repeats):
        order = range(len(fns)) if rep % 2 == 0 else reversed(range(len(fns)))
        for k in order:
            start = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - start)
    return times


def _train_step(layer: Any, x: Any, y: Any, mask: np.ndarray | None) -> Callable[[], None]:
    opt = Adam(list(layer.parameters()), lr=1e-3)

    def step() -> None:
        opt.zero_grad()
        ops.mse(y, layer(x, mask=mask)[0]).backward()
        opt.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 4 if args.quick else 30
    rng = np.random.default_rng(0)
    x = T.convert_to_tensor(rng.standard_normal((BATCH, SEQ, FEATURES)).astype(np.float32))
    y = T.convert_to_tensor(np.tanh(rng.standard_normal((BATCH, SEQ, MOTORS))).astype(np.float32))
    lengths = rng.integers(SEQ // 2, SEQ + 1, size=BATCH)
    masks = {"mask all ones": np.ones((BATCH, SEQ), bool),
             f"ragged mask (lengths {SEQ // 2}-{SEQ})": np.arange(SEQ)[None, :] < lengths[:, None]}
    load_before = os.getloadavg()[0]
    rows = []
    for name, cls in (("CfC", CfC), ("LTC", LTC)):
        layer = cls(FEATURES, AutoNCP(UNITS, MOTORS, seed=22222))
        for case, mask in masks.items():
            plain, masked = _alternating((_train_step(layer, x, y, None), _train_step(layer, x, y, mask)), repeats)
            p, m = statistics.median(plain), statistics.median(masked)
            rows.append({"model": f"{name}(AutoNCP({UNITS},{MOTORS}))", "case": f"train_step, {case}",
                         "unmasked_s": p, "masked_s": m, "ratio": m / p})
    print(f"{'model':<22} {'case':<42} {'unmasked ms':>12} {'masked ms':>10} {'ratio':>7}")
    for r in rows:
        print(f"{r['model']:<22} {r['case']:<42} {r['unmasked_s'] * 1e3:>12.1f} {r['masked_s'] * 1e3:>10.1f} "
              f"{r['ratio']:>7.2f}")
    out = pathlib.Path(__file__).parent / "results" / ("rnn_mask.quick.json" if args.quick else "rnn_mask.json")
    out.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "batch": BATCH, "seq_len": SEQ, "features": FEATURES,
        "repeats": repeats, "load_avg_1min": [load_before, os.getloadavg()[0]], "results": rows},
        indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
