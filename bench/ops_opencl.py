"""Ember ML's OpenCL backend side by side with its cpu backend and NumPy.

Usage::

    python bench/ops_opencl.py            # full run (about a minute on 2 cores)
    python bench/ops_opencl.py --quick    # smoke run

What is measured (float32 throughout, one process, the same data for every library)
-----------------------------------------------------------------------------------
* Launch overhead of a small op: ``add`` of two 16-element tensors, in microseconds per
  op, (a) ``synced``: each op followed by ``ops.synchronize`` (what a host round trip
  costs) and (b) ``queued``: 1000 ops queued, then one synchronisation (the rate the
  queue absorbs ops). On ``cpu`` ops are synchronous and both are the same loop.
* Elementwise ``add`` on 1e7 elements, reported as GB/s of memory traffic
  (3 x 4e7 bytes: two reads, one write), next to the device's measured buffer-copy
  bandwidth: ``ops.copy`` of a contiguous 1e7 tensor, which on OpenCL is one
  ``clEnqueueCopyBuffer`` (2 x 4e7 bytes). Target: add at >= 70 % of the copy bandwidth.
  Contiguous operands take 8 elements per work-item (backend/opencl/strided.cpp) because
  PoCL does not vectorise a bounds-checked one-element work-item.
* GEMM ``matmul`` of two n x n matrices, n = 1024, as GFLOP/s = 2 n^3 / t: ``opencl``
  is what matmul uses (on a CPU device such as PoCL our packed kernel, kernels/gemm.cl),
  ``opencl_clblast`` the same call with ``EMBER_OPENCL_GEMM=clblast`` (CLBlast's
  untuned defaults, slower on PoCL; see backend/opencl/matmul.cpp), ``cpu`` and
  ``numpy`` OpenBLAS. Target on PoCL here: >= 30 GFLOP/s.

Every OpenCL timing ends with ``ops.synchronize('opencl')``, so queued work is counted.
Each figure is the median of several samples after a warm-up (which also builds the
OpenCL programs). The 1-minute load average is printed: on a shared 2-core machine other
processes make the numbers noisy. Results go to ``bench/results/ops_opencl.json``
(``ops_opencl.quick.json`` with ``--quick``).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import time
from typing import Callable

import numpy as np

from ember_ml import ops
from ember_ml.backend import opencl
from ember_ml.nn import tensor as T


def median_time(fn: Callable[[], object], sync: Callable[[], None], number: int, repeat: int) -> float:
    """Median seconds per call of ``fn`` (``number`` calls, then ``sync``, per sample)."""
    fn()
    sync()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        sync()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def clblast_time(measure: Callable[[], float]) -> float:
    """``measure()`` with OpenCL float GEMM routed through CLBlast (see matmul.cpp)."""
    previous = os.environ.get("EMBER_OPENCL_GEMM")
    os.environ["EMBER_OPENCL_GEMM"] = "clblast"
    try:
        return measure()
    finally:
        if previous is None:
            del os.environ["EMBER_OPENCL_GEMM"]
        else:
            os.environ["EMBER_OPENCL_GEMM"] = previous


def run(quick: bool) -> dict:
    repeat = 3 if quick else 7
    sync_cl = lambda: ops.synchronize("opencl")  # noqa: E731
    no_sync = lambda: None  # noqa: E731
    results: dict = {"device": opencl.devices()[0]["name"], "load_before": os.getloadavg()[0]}

    # Launch overhead.
    small = np.arange(16, dtype=np.float32)
    a_cl, a_cpu = T.convert_to_tensor(small, device="opencl"), T.convert_to_tensor(small, device="cpu")
    n_small = 200 if quick else 1000

    def synced_cl():
        ops.add(a_cl, a_cl)
        sync_cl()

    results["launch_us"] = {
        "opencl_synced": 1e6 * median_time(synced_cl, no_sync, n_small // 4, repeat),
        "opencl_queued": 1e6 * median_time(lambda: ops.add(a_cl, a_cl), sync_cl, n_small, repeat),
        "cpu": 1e6 * median_time(lambda: ops.add(a_cpu, a_cpu), no_sync, n_small, repeat),
        "numpy": 1e6 * median_time(lambda: np.add(small, small), no_sync, n_small, repeat),
    }

    # Elementwise bandwidth.
    n = 10_000_000
    big = np.random.default_rng(0).random(n, dtype=np.float32)
    x_cl, x_cpu = T.convert_to_tensor(big, device="opencl"), T.convert_to_tensor(big, device="cpu")
    number = 2 if quick else 5
    t_copy = median_time(lambda: T.copy(x_cl), sync_cl, number, repeat)
    t_add = {
        "opencl": median_time(lambda: ops.add(x_cl, x_cl), sync_cl, number, repeat),
        "cpu": median_time(lambda: ops.add(x_cpu, x_cpu), no_sync, number, repeat),
        "numpy": median_time(lambda: np.add(big, big), no_sync, number, repeat),
    }
    copy_gbs = 2 * 4 * n / t_copy / 1e9
    add_gbs = {k: 3 * 4 * n / t / 1e9 for k, t in t_add.items()}
    results["elementwise_1e7"] = {
        "opencl_copy_GBps": copy_gbs,
        "add_GBps": add_gbs,
        "opencl_add_fraction_of_copy": add_gbs["opencl"] / copy_gbs,
    }

    # GEMM.
    size = 1024
    rng = np.random.default_rng(1)
    ma, mb = rng.random((size, size), dtype=np.float32), rng.random((size, size), dtype=np.float32)
    ga_cl, gb_cl = T.convert_to_tensor(ma, device="opencl"), T.convert_to_tensor(mb, device="opencl")
    ga_cpu, gb_cpu = T.convert_to_tensor(ma, device="cpu"), T.convert_to_tensor(mb, device="cpu")
    flop = 2 * size**3
    number = 1 if quick else 3
    t_mm = {
        "opencl": median_time(lambda: ops.matmul(ga_cl, gb_cl), sync_cl, number, repeat),
        "opencl_clblast": clblast_time(lambda: median_time(lambda: ops.matmul(ga_cl, gb_cl), sync_cl, number, repeat)),
        "cpu": median_time(lambda: ops.matmul(ga_cpu, gb_cpu), no_sync, number, repeat),
        "numpy": median_time(lambda: ma @ mb, no_sync, number, repeat),
    }
    results["gemm_1024_GFLOPs"] = {k: flop / t / 1e9 for k, t in t_mm.items()}
    results["targets"] = {
        "elementwise_add_at_least_70pct_of_copy": results["elementwise_1e7"]["opencl_add_fraction_of_copy"] >= 0.7,
        "gemm_1024_at_least_30_GFLOPs": results["gemm_1024_GFLOPs"]["opencl"] >= 30.0,
    }
    results["load_after"] = os.getloadavg()[0]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    parser.add_argument("--output", type=pathlib.Path, help="where to write the JSON results")
    args = parser.parse_args()
    results = run(args.quick)
    name = "ops_opencl.quick.json" if args.quick else "ops_opencl.json"
    out = args.output or pathlib.Path(__file__).parent / "results" / name
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
