"""Ember ML vs NumPy: transcendental functions and GEMM (issue 19, deliverables 4 and 5).

Usage::

    python bench/simd_gemm_vs_numpy.py            # full run (a few minutes on 2 cores)
    python bench/simd_gemm_vs_numpy.py --quick    # smoke run

What is measured
----------------
Same method as ``bench/ops_vs_numpy.py`` (whose timing code this reuses): both libraries
in one process on the same data, Ember's ``cpu`` backend, timeit-style samples in blocks
ordered Ember, NumPy, NumPy, Ember with a pause before each block, medians reported, the
1-minute load average recorded before and after.

* ``exp``, ``log``, ``tanh``, ``sigmoid`` on 1e6 and 1e7 float32 elements (float64 rows
  for information). NumPy's reference for sigmoid is ``1 / (1 + np.exp(-a))``, what a
  NumPy user writes (NumPy has no sigmoid). Inputs: exp, tanh in [-4, 4], sigmoid in
  [-6, 6], log in [0.01, 10].
* ``matmul`` float32 and float64: n x n by n x n for n = 256, 1024, 2048, and batched
  (64, 128, 128) @ (64, 128, 128), with GFLOP/s = 2 b n^3 / t.

How to read the ratios
----------------------
``ratio`` = Ember median time / NumPy median time (below 1: Ember is faster);
``gflops_ratio`` = Ember GFLOP/s / NumPy GFLOP/s (above 1: Ember is faster).

Targets (issue 19): every float32 transcendental row ``ratio <= 1.0``; every matmul row
``gflops_ratio >= 1.0``. Results go to ``bench/results/simd_gemm_vs_numpy[.quick].json``.
"""
from __future__ import annotations

import argparse
import json
import sys
import timeit
from typing import Any

import numpy as np

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import activations
from ops_vs_numpy import FULL, QUICK, RESULTS_DIR, Case, Settings, _check, machine_info, print_table, run_case

UNARY = {  # name: (Ember statement, NumPy statement, input range)
    "exp": ("ops.exp(ta)", "np.exp(a)", (-4.0, 4.0)),
    "log": ("ops.log(ta)", "np.log(a)", (0.01, 10.0)),
    "tanh": ("act.tanh(ta)", "np.tanh(a)", (-4.0, 4.0)),
    "sigmoid": ("act.sigmoid(ta)", "1 / (1 + np.exp(-a))", (-6.0, 6.0)),
}


def build_cases(settings: Settings, rng: np.random.Generator) -> list[tuple[Case, str]]:
    """The cases in table order, each with its dtype, checked for agreement with NumPy.

    Args:
        settings: repeat counts.
        rng: random source for the inputs.

    Returns:
        list[tuple[Case, str]]: (case, dtype name).
    """
    cases: list[tuple[Case, str]] = []
    for dtype in ("float32", "float64"):
        for n in (10**6, 10**7):
            for name, (ember_stmt, numpy_stmt, (lo, hi)) in UNARY.items():
                a = rng.uniform(lo, hi, n).astype(dtype)
                ns = {"ops": ops, "act": activations, "np": np, "a": a, "ta": T.convert_to_tensor(a)}
                case = Case(f"{name}_{n}_{dtype}", f"{name} {n:.0e} {dtype}", name, n, ember_stmt, numpy_stmt,
                            ns, settings.large_repeat)
                case.results_match = _check(lambda: eval(ember_stmt, ns), lambda: eval(numpy_stmt, ns))
                cases.append((case, dtype))
    for dtype in ("float32", "float64"):
        for shape in ((256, 256), (1024, 1024), (2048, 2048), (64, 128, 128)):
            a = rng.standard_normal(shape).astype(dtype)
            b = rng.standard_normal(shape).astype(dtype)
            ns = {"ops": ops, "np": np, "a": a, "b": b, "ta": T.convert_to_tensor(a), "tb": T.convert_to_tensor(b)}
            n = shape[-1]
            batch = shape[0] if len(shape) == 3 else 1
            label = f"matmul {'x'.join(map(str, shape))} {dtype}"
            repeat = settings.big_matmul_repeat if n >= 2048 else settings.large_repeat
            case = Case(f"matmul_{'x'.join(map(str, shape))}_{dtype}", label, "matmul", n, "ops.matmul(ta, tb)",
                        "np.matmul(a, b)", ns, repeat, flops=2.0 * batch * n**3)
            case.results_match = _check(lambda: ops.matmul(ns["ta"], ns["tb"]), lambda: a @ b, rtol=1e-3)
            cases.append((case, dtype))
    return cases


def check_targets(cases: list[tuple[Case, str]]) -> list[dict[str, Any]]:
    """Issue 19's targets: float32 transcendentals ``ratio <= 1``, every matmul ``gflops_ratio >= 1``."""
    targets = []
    for case, dtype in cases:
        if case.op == "matmul":
            metric, cmp, value = "gflops_ratio", ">=", case.gflops_ratio
            met = value is not None and value >= 1.0
        elif dtype == "float32":
            metric, cmp, value = "ratio", "<=", case.ratio
            met = value is not None and value <= 1.0
        else:
            continue
        targets.append({"case": case.name, "metric": metric, "comparison": cmp, "threshold": 1.0,
                        "value": value, "met": met})
    return targets


def main(argv: list[str] | None = None) -> int:
    """Times every case, prints the table and the issue's targets, and writes the JSON.

    Args:
        argv: ``--quick`` for the smoke run, ``--seed N`` for other input data.

    Returns:
        int: 0; unmet targets are printed, not failed.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (smoke run)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the input data")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    output = RESULTS_DIR / f"simd_gemm_vs_numpy{'.quick' if args.quick else ''}.json"
    em.set_backend("cpu")
    start = timeit.default_timer()
    info = machine_info()
    cases = build_cases(settings, np.random.default_rng(args.seed))
    for case, _ in cases:
        run_case(case, settings)
    elapsed = timeit.default_timer() - start
    info["load_average_1min_after"] = machine_info()["load_average_1min_before"]
    print(f"load average (1 min) before {info['load_average_1min_before']}, after {info['load_average_1min_after']}")
    print_table([c for c, _ in cases])
    targets = check_targets(cases)
    for t in targets:
        print(f"  [{'MET' if t['met'] else 'NOT MET':>7}] {t['case']:<28} {t['metric']} = "
              f"{t['value']:.2f} (needs {t['comparison']} {t['threshold']})")
    rows = []
    for case, dtype in cases:
        row = case.to_json()
        row["dtype"] = dtype
        rows.append(row)
    report = {"benchmark": "simd_gemm_vs_numpy", "mode": "quick" if settings.quick else "full",
              "settings": settings.__dict__, "machine": info, "cases": rows, "targets": targets,
              "all_targets_met": all(t["met"] for t in targets), "wall_time_s": round(elapsed, 2)}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {output} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
