"""Peak memory (RSS) of one CfC / LTC training step: Ember ML vs ncps.torch.

Usage::

    python bench/memory_step.py            # full run (3 fresh processes per library and model)
    python bench/memory_step.py --quick    # smoke run (1 process each)

What is measured
----------------
Models and data (float32, MSE loss over every step, Adam lr 1e-3), the configurations of
``bench/rnn_vs_ncps.py`` and ``bench/walker2d_step.py``:

* ``CfC(16,AutoNCP(64,8))`` / ``LTC(16,AutoNCP(64,8))``, ``CfC(16,64)`` / ``LTC(16,64)``
  (ncps defaults): a batch of 32 sequences of 64 steps with 16 features.
* Walker2d: ``CfC(17,64,proj_size=17,backbone_units=256,backbone_layers=1,activation="silu")``,
  a batch of 256 sequences of 64 steps with 17 features and per-step time spans.

Each (library, model) runs in its own fresh subprocess, which imports only its library
(Ember: NumPy and ``ember_ml``; ncps: NumPy, torch and ncps) and builds the model natively
with the same constructor arguments and wiring seed (the trainable parameter counts are
stored to show the models match), then the data and the optimizer. It then reads
``VmRSS`` from ``/proc/self/status`` (``rss_after_setup``), resets the peak (``VmHWM``) by
writing ``5`` to ``/proc/self/clear_refs``, runs one training step (``zero_grad``,
forward, ``backward``, ``Adam.step()``; the first, so Adam's state is allocated in it) and
reads ``VmHWM`` (``peak_rss``). It then runs a second step, resets the peak and runs a
third (``steady_*``: a step after the optimizer state and the allocators' caches exist).
Fields, in MiB:

* ``peak_increase``: ``peak_rss - rss_after_setup`` over the first step (the step's own memory).
* ``peak_rss``: the absolute peak RSS during the first step (imports and model included).
* ``steady_peak_increase``: the third step's peak over the same ``rss_after_setup`` (what a
  training loop holds at its peak once running; memory freed by an earlier step but kept
  by the allocator counts, as it does for the operating system).

With several processes per (library, model), each field is the median over them. Ratios
(``Ember / ncps``; below 1: Ember uses less; the project's target is <= 0.5): ``ratio`` of the
peak increases, ``steady_ratio`` of the steady peak increases, ``absolute_ratio`` of the
absolute peaks. Thread counts follow the environment as in the timing benchmarks.
Results: ``bench/results/memory_step.json`` (``memory_step.quick.json`` with ``--quick``,
or ``--output PATH``), with the 1-minute load average before and after.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
from typing import Any, Callable

import numpy as np

SEQ = 64
# name -> (layer, input features, units (an int, or (units, motors) for AutoNCP), other
# constructor arguments, batch, outputs, time spans). The sizes mirror rnn_vs_ncps.py and
# walker2d_step.py, which are not imported because they import torch and ncps at load time.
CONFIGS: dict[str, tuple[str, int, Any, dict[str, Any], int, int, bool]] = {
    "CfC(16,AutoNCP(64,8))": ("CfC", 16, (64, 8), {}, 32, 8, False),
    "LTC(16,AutoNCP(64,8))": ("LTC", 16, (64, 8), {}, 32, 8, False),
    "CfC(16,64)": ("CfC", 16, 64, {}, 32, 64, False),
    "LTC(16,64)": ("LTC", 16, 64, {}, 32, 64, False),
    "CfC(17,64,backbone 1x256 silu,proj 17) Walker2d": (
        "CfC", 17, 64, {"proj_size": 17, "backbone_units": 256, "backbone_layers": 1, "activation": "silu"},
        256, 17, True),
}
LIBRARIES = ("ember", "ncps")
WIRING_SEED = 22222
MIB = 1024.0


def _status_kib(field: str) -> int:
    """A ``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"[memory_step] no {field} in /proc/self/status")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _ember_step(config: str, x: np.ndarray, ts: np.ndarray | None, y: np.ndarray) -> tuple[Callable[[], None], int]:
    from ember_ml import ncps, ops, wirings
    from ember_ml.training import Adam

    layer, features, units, kwargs, *_ = CONFIGS[config]
    if isinstance(units, tuple):
        units = wirings.AutoNCP(*units, seed=WIRING_SEED)
    model = getattr(ncps, layer)(features, units, **kwargs)
    params = list(model.parameters())
    opt = Adam(params, lr=1e-3)
    spans = None if ts is None else np.ascontiguousarray(np.broadcast_to(ts[..., None], (*y.shape[:2], 1)))

    def step() -> None:
        opt.zero_grad()
        ops.mse(y, model(x, timespans=spans)[0]).backward()
        opt.step()

    return step, sum(int(np.prod(p.shape)) for p in params if p.requires_grad)


def _ncps_step(config: str, x: np.ndarray, ts: np.ndarray | None, y: np.ndarray) -> tuple[Callable[[], None], int]:
    import torch
    from ncps import torch as ncps_torch
    from ncps import wirings

    layer, features, units, kwargs, *_ = CONFIGS[config]
    if isinstance(units, tuple):
        units = wirings.AutoNCP(*units, seed=WIRING_SEED)
    torch.manual_seed(0)
    model = getattr(ncps_torch, layer)(features, units, **kwargs)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    # ncps 1.0.1 takes one time span per step for the whole batch (see walker2d_step.py).
    xt, yt, tst = torch.from_numpy(x), torch.from_numpy(y), None if ts is None else torch.from_numpy(ts)

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(xt, timespans=tst)[0], yt).backward()
        opt.step()

    return step, sum(p.numel() for p in model.parameters() if p.requires_grad)


def measure(library: str, config: str) -> dict[str, float]:
    """One process's memory of the training steps of ``config`` in ``library`` (MiB; see the docstring)."""
    _, features, _, _, batch, outputs, timespans = CONFIGS[config]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SEQ, features)).astype(np.float32)
    y = np.tanh(rng.standard_normal((batch, SEQ, outputs))).astype(np.float32)
    ts = rng.uniform(0.5, 1.5, (1, SEQ)).astype(np.float32) if timespans else None
    step, n_params = (_ember_step if library == "ember" else _ncps_step)(config, x, ts, y)
    after_setup = _status_kib("VmRSS")
    _reset_peak()
    step()
    first_peak = _status_kib("VmHWM")
    step()
    _reset_peak()
    step()
    steady_peak = _status_kib("VmHWM")
    return {"trainable_parameters": n_params, "rss_after_setup": after_setup / MIB, "peak_rss": first_peak / MIB,
            "peak_increase": (first_peak - after_setup) / MIB,
            "steady_peak_increase": (steady_peak - after_setup) / MIB}


def _in_subprocess(library: str, config: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", library, config]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"[memory_step] {library} {config} failed (exit {done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=pathlib.Path, help="results file (default: bench/results/memory_step.json)")
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "CONFIG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    processes = 1 if args.quick else 3
    load_before = os.getloadavg()[0]
    rows = []
    print(f"{'model':<48} {'':<5} {'params':>7} {'setup':>7} {'peak':>7} {'+peak':>7} {'+steady':>8}   (MiB)")
    for config in CONFIGS:
        row: dict[str, Any] = {"model": config, "data": f"batch {CONFIGS[config][4]}", "case": "train_step"}
        for library in LIBRARIES:
            runs = [_in_subprocess(library, config) for _ in range(processes)]
            row[library] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            m = row[library]
            print(f"{config:<48} {library:<5} {m['trainable_parameters']:>7.0f} {m['rss_after_setup']:>7.1f} "
                  f"{m['peak_rss']:>7.1f} {m['peak_increase']:>7.1f} {m['steady_peak_increase']:>8.1f}", flush=True)
        ours, theirs = row["ember"], row["ncps"]
        row.update(ratio=ours["peak_increase"] / theirs["peak_increase"],
                   steady_ratio=ours["steady_peak_increase"] / theirs["steady_peak_increase"],
                   absolute_ratio=ours["peak_rss"] / theirs["peak_rss"])
        print(f"{'':<48} ratio {row['ratio']:.3f}, steady_ratio {row['steady_ratio']:.3f}, "
              f"absolute_ratio {row['absolute_ratio']:.3f}")
        rows.append(row)
    name = "memory_step.quick.json" if args.quick else "memory_step.json"
    out = args.output or pathlib.Path(__file__).parent / "results" / name
    out.write_text(json.dumps({
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "seq_len": SEQ, "processes_per_library_and_model": processes, "unit": "MiB",
        "metric": "peak_increase: VmHWM during the first training step (reset through /proc/self/clear_refs) "
                  "minus VmRSS after imports, model, data and optimizer construction; peak_rss: that absolute "
                  "VmHWM; steady_peak_increase: VmHWM during the third step minus the same VmRSS after setup",
        "thread_env": {k: os.environ.get(k) for k in ("EMBER_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "load_avg_1min": [load_before, os.getloadavg()[0]], "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
