"""Ember ML's CfC / LTC vs ncps.torch (PyTorch CPU): training step and inference.

Usage::

    python bench/rnn_vs_ncps.py            # full run
    python bench/rnn_vs_ncps.py --quick    # smoke run (fewer repeats)

What is measured
----------------
Models: ``CfC(16, AutoNCP(64, 8))`` and ``LTC(16, AutoNCP(64, 8))`` (ncps defaults: CfC
default mode, LTC 6 ODE unfolds with implicit constraints), built in ncps.torch and
converted with ``from_ncps``, so both libraries run the same weights. Data: a batch of 32
sequences of 64 steps with 16 float32 features and a target for the 8 motor outputs at
every step; MSE loss; Adam (lr 1e-3). Per repetition (``time.perf_counter``):

* ``train_step``: ``zero_grad``, forward, ``loss.backward()``, ``Adam.step()``.
* ``inference``: the forward pass without gradient recording; reported as sequences/s.

Blocks alternate Ember, ncps, ncps, Ember after one warm-up each; medians over all
repetitions. Both libraries use their default thread counts. ``ratio = Ember / ncps``
median time (below 1: Ember faster). Results: ``bench/results/rnn_vs_ncps.json``
(``rnn_vs_ncps.quick.json`` with ``--quick``). Both Ember layers run their fused C++
sequence op (the default, ``fused=True``).
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
import torch
from ncps import torch as ncps_torch
from ncps import wirings as ncps_wirings

from ember_ml import ops
from ember_ml.ncps import from_ncps
from ember_ml.training import Adam

BATCH, SEQ, FEATURES, UNITS, MOTORS = 32, 64, 16, 64, 8


def _timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _cases(layer: str, x: np.ndarray, y: np.ndarray) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    torch.manual_seed(0)
    theirs = getattr(ncps_torch, layer)(FEATURES, ncps_wirings.AutoNCP(UNITS, MOTORS, seed=22222))
    ours = from_ncps(theirs)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    opt_e = Adam(list(ours.parameters()), lr=1e-3)

    def train_torch() -> None:
        opt_t.zero_grad()
        torch.nn.functional.mse_loss(theirs(xt)[0], yt).backward()
        opt_t.step()

    def train_ember() -> None:
        opt_e.zero_grad()
        ops.mse(y, ours(x)[0]).backward()
        opt_e.step()

    def infer_torch() -> None:
        with torch.no_grad():
            theirs(xt)

    def infer_ember() -> None:
        with ops.no_grad():
            ours(x)

    return {"train_step": (train_ember, train_torch), "inference": (infer_ember, infer_torch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 2 if args.quick else 4
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SEQ, FEATURES)).astype(np.float32)
    y = np.tanh(rng.standard_normal((BATCH, SEQ, MOTORS))).astype(np.float32)
    load_before = os.getloadavg()[0]
    rows = []
    for layer in ("CfC", "LTC"):
        for case, (ember_fn, torch_fn) in _cases(layer, x, y).items():
            ember, theirs = [], []
            for block in ("ember", "torch", "torch", "ember"):
                time.sleep(0.2)
                (ember if block == "ember" else theirs).extend(
                    _timed(ember_fn if block == "ember" else torch_fn, repeats))
            e, t = statistics.median(ember), statistics.median(theirs)
            rows.append({"model": f"{layer}(AutoNCP({UNITS},{MOTORS}))", "case": case, "ember_s": e, "ncps_s": t,
                         "ratio": e / t, "ember_seq_per_s": BATCH / e, "ncps_seq_per_s": BATCH / t})
    print(f"{'model':<22} {'case':<11} {'ember ms':>10} {'ncps ms':>10} {'ratio':>7} {'ember seq/s':>12} "
          f"{'ncps seq/s':>11}")
    for r in rows:
        print(f"{r['model']:<22} {r['case']:<11} {r['ember_s'] * 1e3:>10.1f} {r['ncps_s'] * 1e3:>10.1f} "
              f"{r['ratio']:>7.2f} {r['ember_seq_per_s']:>12.0f} {r['ncps_seq_per_s']:>11.0f}")
    out = pathlib.Path(__file__).parent / "results" / ("rnn_vs_ncps.quick.json" if args.quick else "rnn_vs_ncps.json")
    out.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "platform": platform.platform(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count(),
        "batch": BATCH, "seq_len": SEQ, "features": FEATURES, "repeats_per_block": repeats,
        "load_avg_1min": [load_before, os.getloadavg()[0]], "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
