"""Data-parallel costs over MPI: all-reduce bandwidth, training step time at 1 and 2 ranks.

Usage::

    python bench/distributed.py            # launches mpirun -n 1 and -n 2 itself
    python bench/distributed.py --quick    # fewer sizes and repetitions

What is measured (each rank: ``EMBER_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``, cpu backend)
----------------------------------------------------------------------------------------
* ``allreduce``: ``ember_ml.distributed.all_reduce(t, "sum")`` of a float32 cpu tensor of
  1 KB .. 64 MB (powers of 4) at 2 ranks; median time over repetitions (after a warm-up,
  a barrier before each), and ``MB/s = bytes / median time`` (the algorithm bandwidth:
  tensor size over time, 10**6 bytes per MB). It includes the shape/dtype check (one
  16-byte all-reduce).
* ``step``: one training step of a CfC wired by AutoNCP(64, 8) (8 input features,
  sequences of 32 steps, global batch 64, MSE, Adam) wrapped in DistributedDataParallel:
  forward, ``backward()`` (which averages the gradients) and ``Adam.step()``; median
  seconds at 1 and 2 ranks (local batch 64 and 32).
* ``grad_allreduce``: ``DistributedDataParallel.reduce_gradients()`` alone on that model's
  gradients at 2 ranks (copy into the bucket buffers, MPI_Allreduce, write back), and its
  ``fraction`` of the 2-rank step.

Open MPI's shared-memory transport carries the bytes here (one machine); across hosts the
network sets the bandwidth. The machine's 1-minute load average is stored; on a shared
machine the numbers are only indicative. Results: ``bench/results/distributed.json``
(``distributed.quick.json`` with ``--quick``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def median_seconds(fn, repeats: int, barrier) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        barrier()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(quick: bool) -> dict:
    """Runs on every rank under mpirun; returns rank 0's results (other ranks: {})."""
    from ember_ml import distributed as dist
    from ember_ml import ops, wirings
    from ember_ml.nn import tensor as T
    from ember_ml.ncps import CfC
    from ember_ml.training import Adam

    world = dist.world_size()
    results: dict = {"world_size": world, "allreduce": [], "step": {}}
    if world > 1:
        sizes = [4**k * 1024 for k in range(0, 9, 2 if quick else 1)]  # 1 KB .. 64 MB
        for nbytes in sizes:
            t = T.convert_to_tensor(np.ones(nbytes // 4, np.float32))
            repeats = max(10, min(200, int(2e7 // nbytes))) // (4 if quick else 1) + 1
            seconds = median_seconds(lambda t=t: dist.all_reduce(t, "sum"), repeats, dist.barrier)
            label = f"{nbytes // 1024} KB" if nbytes < 2**20 else f"{nbytes // 2**20} MB"
            results["allreduce"].append({"label": label, "bytes": nbytes, "seconds": seconds,
                                         "mb_per_s": nbytes / seconds / 1e6})
    T.set_seed(0)
    model = dist.DistributedDataParallel(CfC(8, wirings.AutoNCP(64, 8, seed=0), return_sequences=True))
    optimizer = Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(dist.rank())
    local = 64 // world
    x = T.convert_to_tensor(rng.standard_normal((local, 32, 8)).astype(np.float32))
    y = T.convert_to_tensor(rng.standard_normal((local, 32, 8)).astype(np.float32))

    def step() -> None:
        output, _ = model(x)
        loss = ops.mse(y, output)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    repeats = 10 if quick else 40
    results["step"] = {"seconds": median_seconds(step, repeats, dist.barrier), "local_batch": local,
                       "parameters": sum(p.size for p in model.parameters()), "buckets": len(model.buckets)}
    if world > 1:
        reduce_seconds = median_seconds(model.reduce_gradients, repeats * 5, dist.barrier)
        results["grad_allreduce"] = {"seconds": reduce_seconds,
                                     "fraction": reduce_seconds / results["step"]["seconds"]}
    return results if dist.is_main_process() else {}


def launch(ranks: int, quick: bool) -> dict:
    """Runs this file under ``mpirun -n ranks`` and returns rank 0's JSON."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise SystemExit("mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev)")
    command = [mpirun, "-n", str(ranks), "--oversubscribe"]
    if os.geteuid() == 0:
        command.append("--allow-run-as-root")
    command += [sys.executable, __file__, "--rank-worker"] + (["--quick"] if quick else [])
    env = dict(os.environ, EMBER_ML_BACKEND="cpu", EMBER_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    parser.add_argument("--rank-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank_worker:
        results = measure(args.quick)
        if results:
            print(json.dumps(results))
        return
    load_before = os.getloadavg()[0]
    one, two = launch(1, args.quick), launch(2, args.quick)
    summary = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "load_average_1min": [load_before, os.getloadavg()[0]], "cpus": os.cpu_count(),
        "allreduce": two["allreduce"],
        "step": [{"label": f"{r} rank(s)", "seconds": res["step"]["seconds"], "local_batch": res["step"]["local_batch"]}
                 for r, res in ((1, one), (2, two))],
        "grad_allreduce": {**two["grad_allreduce"], "parameters": two["step"]["parameters"],
                           "buckets": two["step"]["buckets"]},
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / ("distributed.quick.json" if args.quick else "distributed.json")
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print("all-reduce (2 ranks, float32 cpu tensor):")
    for entry in summary["allreduce"]:
        print(f"  {entry['label']:>9}: {entry['seconds'] * 1e6:10.1f} us  {entry['mb_per_s']:9.1f} MB/s")
    for entry in summary["step"]:
        print(f"CfC AutoNCP(64, 8) training step, {entry['label']}: {entry['seconds'] * 1e3:.2f} ms "
              f"(local batch {entry['local_batch']})")
    g = summary["grad_allreduce"]
    print(f"gradient all-reduce ({g['parameters']} parameters, {g['buckets']} bucket(s)): "
          f"{g['seconds'] * 1e6:.1f} us = {100 * g['fraction']:.1f}% of the 2-rank step")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
