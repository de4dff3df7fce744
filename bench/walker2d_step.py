"""The CfC paper's Walker2d configuration: Ember ML vs ncps.torch, and vs its FLOP-bound time.

Usage::

    python bench/walker2d_step.py            # full run
    python bench/walker2d_step.py --quick    # smoke run (fewer repeats)

What is measured
----------------
Model (Hasani et al. 2022, "Closed-form continuous-time neural networks", Walker2d):
``CfC(17, 64, proj_size=17, backbone_units=256, backbone_layers=1, activation="silu",
batch_first=True)``, built in ncps.torch and converted with ``from_ncps`` so both libraries run
the same weights. Data: a batch of 256 sequences of 64 steps with 17 float32 features, per-step
time spans (uniform in [0.5, 1.5), one per step for the whole batch: ncps 1.0.1 squeezes each
step's ``(B, 1)`` slice to ``(B,)``, which does not broadcast against ``(B, H)``), a target for the 17 outputs at every step; MSE loss over all
steps; Adam (lr 1e-3). Per repetition (``time.perf_counter``):

* ``train_step``: ``zero_grad``, forward, ``loss.backward()``, ``Adam.step()``.
* ``inference``: the forward pass without gradient recording.
* ``gemm_bound``: only the step's matrix products, as NumPy (OpenBLAS) matmuls of the same shapes:
  forward ``z W_bb^T`` (256 x 81 by 81 x 256) and ``a W_heads^T`` (256 x 256 by 256 x 256) per
  step, the projection once over all steps; backward the data and weight gradients of each
  (twice the forward's products). This is the time the step's FLOPs need at the GEMM rate
  OpenBLAS reaches on these shapes in this run (``gemm_bound_forward`` the forward's part, the
  bound for inference).

A third row times the training step with backbone dropout 0.1 (``backbone_layers=2``: ncps
puts the dropout after every backbone layer but the first, so with one layer it drops
nothing); Ember runs it in the fused op (the masks drawn inside it), ncps in its step loop.
Its GEMM bound adds the second backbone layer's 256 x 256 by 256 x 256 per step. A fourth row
times the training step with ``mixed_memory=True`` (the LSTM cell in front of the CfC, as in
the paper's best Walker2d model), fused in Ember, the step loop in ncps; its GEMM bound adds the
LSTM's products: the inputs' projection over all steps (16384 x 17 by 17 x 256) and
``h W_hh^T`` (256 x 64 by 64 x 256) per step.

Blocks alternate Ember, ncps, GEMM, GEMM, ncps, Ember after one warm-up each, with a short
sleep before each block so that the other library's spinning worker threads go idle; medians
over all repetitions. Default thread counts; ``EMBER_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
OMP_NUM_THREADS=1`` gives a single-threaded comparison (thread counts are stored with the
results; on a loaded machine, where a second core is rarely free, multi-threaded BLAS and
torch numbers can be dominated by threads waiting for each other). ``ratio = Ember / ncps``
median time (below 1: Ember faster); ``ratio_to_gemm_bound = Ember / gemm_bound``. Results:
``bench/results/walker2d_step.json`` (``walker2d_step.quick.json`` with ``--quick``, or
``--output PATH``), with the 1-minute load average before and after.
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
from typing import Callable

import numpy as np
import torch
from ncps import torch as ncps_torch

from ember_ml import _core, ops
from ember_ml.ncps import from_ncps
from ember_ml.training import Adam
from rnn_vs_ncps import _timed  # bench/ is on sys.path when a benchmark runs as a script

BATCH, SEQ, FEATURES, UNITS, BACKBONE, OUTPUTS = 256, 64, 17, 64, 256, 17
# The dropout row: ncps puts backbone dropout after every backbone layer but the first, so it
# needs two (with one, ncps's backbone_dropout drops nothing).
DROPOUT = 0.1


def _gemm_cases(rng: np.random.Generator, backbone_layers: int = 1,
                mixed_memory: bool = False) -> tuple[Callable[[], None], Callable[[], None], float, float]:
    """The step's matrix products alone (forward, forward + backward) and their FLOPs.

    Each product ``a @ w.T`` of the forward, ``a`` (m, k) and ``w`` (n, k), is followed in
    training by its weight gradient ``d.T @ a`` and its data gradient ``d @ w``, ``d`` (m, n).
    """
    f32 = np.float32
    per_step = [(BATCH, FEATURES + UNITS, BACKBONE)] + [(BATCH, BACKBONE, BACKBONE)] * (backbone_layers - 1)
    per_step.append((BATCH, BACKBONE, 4 * UNITS))  # the heads ff1, ff2, time_a, time_b
    once = [(BATCH * SEQ, UNITS, OUTPUTS)]  # the projection over all steps
    if mixed_memory:  # the LSTM: inputs projected over all steps, h W_hh^T per step
        per_step.append((BATCH, UNITS, 4 * UNITS))
        once.append((BATCH * SEQ, FEATURES, 4 * UNITS))
    shapes = [(shape, SEQ) for shape in per_step] + [(shape, 1) for shape in once]
    operands = [tuple(rng.standard_normal(size).astype(f32) for size in ((m, k), (n, k), (m, n)))
                for (m, k, n), _ in shapes]

    def forward() -> None:
        for (_, count), (a, w, _) in zip(shapes, operands):
            for _ in range(count):
                np.matmul(a, w.T)

    def train() -> None:
        forward()
        for (_, count), (a, w, d) in zip(shapes, operands):
            for _ in range(count):
                np.matmul(d.T, a)
                np.matmul(d, w)

    fwd_flops = float(sum(2.0 * m * k * n * count for (m, k, n), count in shapes))
    return forward, train, fwd_flops, 3 * fwd_flops


def _models(x: np.ndarray, ts_steps: np.ndarray, ts: np.ndarray, y: np.ndarray, backbone_layers: int,
            dropout: float, mixed_memory: bool = False) -> tuple:
    """ncps's CfC and its conversion, with a training step and inference for each."""
    torch.manual_seed(0)
    theirs = ncps_torch.CfC(FEATURES, UNITS, proj_size=OUTPUTS, backbone_units=BACKBONE,
                            backbone_layers=backbone_layers, backbone_dropout=dropout, activation="silu",
                            batch_first=True, mixed_memory=mixed_memory)
    ours = from_ncps(theirs)
    xt, tst, yt = torch.from_numpy(x), torch.from_numpy(ts_steps), torch.from_numpy(y)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=1e-3)
    opt_e = Adam(list(ours.parameters()), lr=1e-3)

    def train_torch() -> None:
        opt_t.zero_grad()
        torch.nn.functional.mse_loss(theirs(xt, timespans=tst)[0], yt).backward()
        opt_t.step()

    def train_ember() -> None:
        opt_e.zero_grad()
        ops.mse(y, ours(x, timespans=ts)[0]).backward()
        opt_e.step()

    def infer_torch() -> None:
        with torch.no_grad():
            theirs(xt, timespans=tst)

    def infer_ember() -> None:
        with ops.no_grad():
            ours(x, timespans=ts)

    return theirs, ours, train_torch, train_ember, infer_torch, infer_ember


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=pathlib.Path, help="results file (default: bench/results/walker2d_step.json)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SEQ, FEATURES)).astype(np.float32)
    ts_steps = rng.uniform(0.5, 1.5, (1, SEQ)).astype(np.float32)
    ts = np.ascontiguousarray(np.broadcast_to(ts_steps[..., None], (BATCH, SEQ, 1)))
    y = np.tanh(rng.standard_normal((BATCH, SEQ, OUTPUTS))).astype(np.float32)
    _, _, train_torch, train_ember, infer_torch, infer_ember = _models(x, ts_steps, ts, y, 1, 0.0)
    _, dropped, train_torch_dropout, train_ember_dropout, _, _ = _models(x, ts_steps, ts, y, 2, DROPOUT)
    if dropped.rnn_cell.fused_layer() is None or dropped.rnn_cell.fused_dropout() != DROPOUT:
        raise RuntimeError("the dropout row would not run the fused op")
    _, mixed, train_torch_mixed, train_ember_mixed, _, _ = _models(x, ts_steps, ts, y, 1, 0.0, mixed_memory=True)
    if mixed.rnn_cell.fused_layer() is None:
        raise RuntimeError("the mixed-memory row would not run the fused op")

    gemm_forward, gemm_train, fwd_flops, train_flops = _gemm_cases(rng)
    _, gemm_train_dropout, _, train_flops_dropout = _gemm_cases(rng, backbone_layers=2)
    _, gemm_train_mixed, _, train_flops_mixed = _gemm_cases(rng, mixed_memory=True)
    load_before = os.getloadavg()[0]
    rows = []
    base_model = "CfC(17,64,backbone 1x256 silu,proj 17)"
    for model, case, ember_fn, torch_fn, gemm_fn, flops in (
            (base_model, "train_step", train_ember, train_torch, gemm_train, train_flops),
            (base_model, "inference", infer_ember, infer_torch, gemm_forward, fwd_flops),
            (f"CfC(17,64,backbone 2x256 silu,dropout {DROPOUT},proj 17)", "train_step", train_ember_dropout,
             train_torch_dropout, gemm_train_dropout, train_flops_dropout),
            ("CfC(17,64,backbone 1x256 silu,mixed memory,proj 17)", "train_step", train_ember_mixed,
             train_torch_mixed, gemm_train_mixed, train_flops_mixed)):
        ember, ncps, gemm = [], [], []
        blocks = ("ember", "ncps", "gemm", "gemm", "ncps", "ember") if gemm_fn else ("ember", "ncps", "ncps", "ember")
        for block in blocks:
            time.sleep(0.2)
            fn, sink = {"ember": (ember_fn, ember), "ncps": (torch_fn, ncps), "gemm": (gemm_fn, gemm)}[block]
            sink.extend(_timed(fn, repeats))
        e, t = statistics.median(ember), statistics.median(ncps)
        row = {"model": model, "case": case, "ember_s": e, "ncps_s": t, "ratio": e / t}
        if gemm_fn:
            g = statistics.median(gemm)
            row.update(gemm_bound_s=g, ratio_to_gemm_bound=e / g, gflop=flops / 1e9, gemm_gflops=flops / g / 1e9,
                       ember_gflops=flops / e / 1e9)
        rows.append(row)
    print(f"threads: ember {_core.num_threads()}, torch {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    print(f"{'case':<11} {'ember ms':>9} {'ncps ms':>9} {'GEMM ms':>9} {'ember/ncps':>11} {'ember/GEMM':>11} "
          f"{'GFLOP':>6} {'GEMM GFLOP/s':>13}")
    for r in rows:
        if "gemm_bound_s" not in r:
            print(f"{r['case']:<11} {r['ember_s'] * 1e3:>9.1f} {r['ncps_s'] * 1e3:>9.1f} {'-':>9} {r['ratio']:>11.2f}"
                  f"   ({r['model']})")
            continue
        print(f"{r['case']:<11} {r['ember_s'] * 1e3:>9.1f} {r['ncps_s'] * 1e3:>9.1f} {r['gemm_bound_s'] * 1e3:>9.1f} "
              f"{r['ratio']:>11.2f} {r['ratio_to_gemm_bound']:>11.2f} {r['gflop']:>6.2f} {r['gemm_gflops']:>13.1f}"
              + (f"   ({r['model']})" if r['model'] != base_model else ""))
    name = "walker2d_step.quick.json" if args.quick else "walker2d_step.json"
    out = args.output or pathlib.Path(__file__).parent / "results" / name
    out.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "platform": platform.platform(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "ember_threads": _core.num_threads(),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "cpus": os.cpu_count(),
        "batch": BATCH, "seq_len": SEQ, "features": FEATURES, "repeats_per_block": repeats,
        "load_avg_1min": [load_before, os.getloadavg()[0]], "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
