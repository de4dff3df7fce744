"""Ember ML's CfC / LTC vs ncps.torch (PyTorch CPU): training step and inference.

Usage::

    python bench/rnn_vs_ncps.py            # full run
    python bench/rnn_vs_ncps.py --quick    # smoke run (fewer repeats)

What is measured
----------------
Models, each built in ncps.torch and converted with ``from_ncps`` so both libraries run the
same weights (ncps defaults otherwise: CfC default mode, un-wired CfC with a 1 x 128
lecun_tanh backbone; LTC 6 ODE unfolds with implicit constraints):

* ``CfC(16,AutoNCP(64,8))`` / ``LTC(16,AutoNCP(64,8))``: 64 neurons, 8 motor outputs.
* ``CfC(16,64)`` / ``LTC(16,64)``: un-wired (LTC: ncps's fully connected wiring), 64 outputs.

Data (``data`` field): ``batch 32`` sequences of 64 steps with 16 float32 features, and
``batch 1`` (latency) of the same length; a target for every output at every step; MSE
loss; Adam (lr 1e-3). Per repetition (``time.perf_counter``):

* ``train_step``: ``zero_grad``, forward, ``loss.backward()``, ``Adam.step()``.
* ``inference``: the forward pass without gradient recording; also reported as sequences/s.

Blocks alternate Ember, ncps, ncps, Ember after one warm-up each, with a short sleep before
each block so that the other library's worker threads go idle; an Ember block has
``EMBER_REPEAT_FACTOR`` times the repetitions of an ncps block (its calls are mostly many
times shorter, so this buys a steadier median for little time). Medians over all repetitions.
Default thread counts; ``EMBER_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` gives
a single-threaded comparison (on a loaded machine, where a second core is rarely free,
torch's two spinning threads can make ncps.torch many times slower than on one thread;
thread counts are stored with the results). ``ratio = Ember / ncps`` median time (below
1: Ember faster); ``speedup = ncps / Ember``; ``target_speedup`` is the project's target where
it sets one (AutoNCP(64, 8), batch 32: CfC training >= 25x, LTC >= 80x, inference >= 40x).
Results: ``bench/results/rnn_vs_ncps.json`` (``rnn_vs_ncps.quick.json`` with ``--quick``, or
``--output PATH``), with the 1-minute load average before and after. Both Ember layers run
their fused C++ sequence op (the default, ``fused=True``).
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

from ember_ml import _core, ops
from ember_ml.ncps import from_ncps
from ember_ml.training import Adam

BATCH, SEQ, FEATURES, UNITS, MOTORS = 32, 64, 16, 64, 8
LATENCY_BATCH = 1
EMBER_REPEAT_FACTOR = 5
# The project's speed targets (ncps time / Ember time) for (layer, case) at AutoNCP(64, 8), batch 32.
TARGET_SPEEDUP = {("CfC", "train_step"): 25.0, ("LTC", "train_step"): 80.0,
                  ("CfC", "inference"): 40.0, ("LTC", "inference"): 40.0}


def _timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _cases(layer: str, wired: bool, x: np.ndarray, y: np.ndarray) -> dict[str, tuple[Callable[[], Any],
                                                                                     Callable[[], Any]]]:
    torch.manual_seed(0)
    units = ncps_wirings.AutoNCP(UNITS, MOTORS, seed=22222) if wired else UNITS
    theirs = getattr(ncps_torch, layer)(FEATURES, units)
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


def _compare(ember_fn: Callable[[], Any], torch_fn: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median times of Ember and ncps over alternating blocks."""
    ember, theirs = [], []
    for block in ("ember", "torch", "torch", "ember"):
        time.sleep(0.2)
        if block == "ember":
            ember.extend(_timed(ember_fn, repeats * EMBER_REPEAT_FACTOR))
        else:
            theirs.extend(_timed(torch_fn, repeats))
    return statistics.median(ember), statistics.median(theirs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=pathlib.Path, help="results file (default: bench/results/rnn_vs_ncps.json)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 4
    rng = np.random.default_rng(0)
    load_before = os.getloadavg()[0]
    rows = []
    for batch in (BATCH, LATENCY_BATCH):
        x = rng.standard_normal((batch, SEQ, FEATURES)).astype(np.float32)
        for wired in (True, False):
            outputs = MOTORS if wired else UNITS
            y = np.tanh(rng.standard_normal((batch, SEQ, outputs))).astype(np.float32)
            for layer in ("CfC", "LTC"):
                model = f"{layer}({FEATURES},{f'AutoNCP({UNITS},{MOTORS})' if wired else UNITS})"
                for case, (ember_fn, torch_fn) in _cases(layer, wired, x, y).items():
                    e, t = _compare(ember_fn, torch_fn, repeats)
                    row = {"model": model, "data": f"batch {batch}", "case": case, "batch": batch,
                           "ember_s": e, "ncps_s": t, "ratio": e / t, "speedup": t / e,
                           "ember_seq_per_s": batch / e, "ncps_seq_per_s": batch / t}
                    if wired and batch == BATCH:
                        row["target_speedup"] = TARGET_SPEEDUP[layer, case]
                    rows.append(row)
                    print(f"{model:<22} {row['data']:<9} {case:<11} ember {e * 1e3:8.2f} ms  ncps {t * 1e3:8.1f} ms"
                          f"  ratio {e / t:6.3f}  speedup {t / e:6.1f}x"
                          + (f" (target {row['target_speedup']:.0f}x)" if "target_speedup" in row else ""),
                          flush=True)
    name = "rnn_vs_ncps.quick.json" if args.quick else "rnn_vs_ncps.json"
    out = args.output or pathlib.Path(__file__).parent / "results" / name
    out.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "platform": platform.platform(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "ember_threads": _core.num_threads(),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "cpus": os.cpu_count(),
        "seq_len": SEQ, "features": FEATURES, "ncps_repeats_per_block": repeats,
        "ember_repeats_per_block": repeats * EMBER_REPEAT_FACTOR,
        "load_avg_1min": [load_before, os.getloadavg()[0]], "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
