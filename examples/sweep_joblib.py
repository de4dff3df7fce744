"""Many independent trainings at once: a seed x learning-rate sweep of the CO2 forecast with joblib.

Run from the repository root::

    python examples/sweep_joblib.py                       # 2 workers, 3 seeds x 2 learning rates
    python examples/sweep_joblib.py --workers 1 2         # the same sweep at 1 and then 2 workers
    python examples/sweep_joblib.py --seeds 0 1 2 3 --lrs 0.003 0.01 0.03 --epochs 20

Small liquid networks keep one core busy at best, so the cheapest way to use a machine
(or, with a joblib backend such as dask or ray, a cluster) is to run many of them side by
side: one training per worker process (``joblib.Parallel`` with the default ``loky``
process backend), each a call of ``train_forecast.main`` writing into its own folder
``--out/w<W>/seed<S>-lr<LR>``. Each worker's engine and BLAS use one thread, so ``W``
workers use ``W`` cores (``--workers 1`` runs in this process, as joblib does). The script
prints every run's test MSE and, per worker count, the wall time of the sweep (after the
workers have started and imported ember_ml, which a long sweep pays once) and the
throughput in runs per hour, and writes them to ``--out/sweep.json``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pathlib
import sys
import time
from typing import Any

# One engine / BLAS thread per worker; loky workers inherit this environment.
os.environ.setdefault("EMBER_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from joblib import Parallel, delayed  # noqa: E402

EXAMPLES = pathlib.Path(__file__).resolve().parent


def import_example() -> Any:
    """``train_forecast``, imported in the calling (worker) process."""
    sys.path.insert(0, str(EXAMPLES))
    import train_forecast

    return train_forecast


def one_run(seed: int, lr: float, epochs: int, units: int, out: pathlib.Path) -> dict[str, Any]:
    """Trains one forecast model (in a worker process) and returns its metrics."""
    train_forecast = import_example()

    folder = out / f"seed{seed}-lr{lr:g}"
    with contextlib.redirect_stdout(io.StringIO()):  # the sweep prints one line per run instead
        status = train_forecast.main(["--seed", str(seed), "--lr", str(lr), "--epochs", str(epochs), "--units",
                                      str(units), "--out", str(folder), "--no-progress"])
    if status != 0:
        raise RuntimeError(f"[sweep_joblib] the run seed={seed} lr={lr} exited with status {status}")
    metrics = json.loads((folder / "metrics.json").read_text())
    return {"seed": seed, "lr": lr, **metrics}


def sweep(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """Runs the whole grid with ``workers`` processes; returns the runs and the throughput."""
    grid = [(seed, lr) for seed in args.seeds for lr in args.lrs]
    # Not timed: start the workers and import ember_ml there (loky keeps them for the next call),
    # so the throughput is that of a long sweep, where start-up is paid once.
    Parallel(n_jobs=workers)(delayed(import_example)() for _ in range(workers))
    start = time.perf_counter()
    runs = Parallel(n_jobs=workers)(delayed(one_run)(seed, lr, args.epochs, args.units, args.out / f"w{workers}")
                                    for seed, lr in grid)
    seconds = time.perf_counter() - start
    return {"workers": workers, "runs": runs, "seconds": seconds, "runs_per_hour": len(grid) * 3600 / seconds}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="worker counts to run the sweep with")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--lrs", type=float, nargs="+", default=[0.003, 0.01])
    parser.add_argument("--epochs", type=int, default=10, help="epochs per run (default 10)")
    parser.add_argument("--units", type=int, default=16, help="AutoNCP neurons (default 16)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/sweep"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Runs the sweep once per worker count; returns the exit status."""
    args = parse_args(argv)
    if min(args.workers) < 1:
        print(f"error: --workers must be >= 1, got {args.workers}", file=sys.stderr)
        return 2
    results = []
    for workers in args.workers:
        result = sweep(workers, args)
        results.append(result)
        for run in result["runs"]:
            print(f"  seed {run['seed']} lr {run['lr']:g}: test MSE {run['test_mse']:.4f} ppm^2 "
                  f"(naive {run['test_naive_mse']:.4f}), {run['epochs']} epochs")
        print(f"{workers} worker(s): {len(result['runs'])} runs in {result['seconds']:.1f} s = "
              f"{result['runs_per_hour']:.0f} runs/hour")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sweep.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
