"""Ember ML random_uniform / random_normal vs NumPy's default_rng, 1e7 float32 values.

Usage::

    python bench/random_vs_numpy.py [--repeat 15]

Both run in one process. Ember: ``tensor.random_uniform((n,))`` and
``tensor.random_normal((n,))`` (Philox-4x32-10; Box–Muller), output allocation included.
NumPy: ``rng.random(n, dtype=np.float32)`` and ``rng.standard_normal(n, dtype=np.float32)``
with ``rng = np.random.default_rng()`` (PCG64; ziggurat normals), single-threaded.
Samples alternate Ember, NumPy, NumPy, Ember after a warm-up; the median time of each is
reported with the throughput in millions of values per second.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from ember_ml import _core
from ember_ml.nn import tensor as T


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    n = 10_000_000
    rng = np.random.default_rng(0)
    cases = {
        "uniform": (lambda: T.random_uniform((n,)), lambda: rng.random(n, dtype=np.float32)),
        "normal": (lambda: T.random_normal((n,)), lambda: rng.standard_normal(n, dtype=np.float32)),
    }
    print(f"threads={_core.num_threads()} cpus={os.cpu_count()} load={os.getloadavg()[0]:.2f}")
    for name, (ember_fn, numpy_fn) in cases.items():
        ember_fn(), numpy_fn()
        e, m = [], []
        for _ in range(args.repeat):
            e.append(_time(ember_fn))
            m.append(_time(numpy_fn))
            m.append(_time(numpy_fn))
            e.append(_time(ember_fn))
        te, tn = statistics.median(e), statistics.median(m)
        print(f"{name:8s} ember {te * 1e3:7.2f} ms ({n / te / 1e6:6.0f} M/s)   "
              f"numpy {tn * 1e3:7.2f} ms ({n / tn / 1e6:6.0f} M/s)   ember/numpy time {te / tn:.2f}")
    print(f"load after={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
