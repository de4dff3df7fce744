"""Ember ML vs NumPy: per-call overhead, elementwise/reduction throughput and matmul.

Usage::

    python bench/ops_vs_numpy.py            # full run (about a minute on 2 cores)
    python bench/ops_vs_numpy.py --quick    # smoke run (well under 20 s)

What is measured
----------------
Both libraries run in the same process, on the same float32 input data, on Ember's
``cpu`` backend:

* ``add`` on 1 and 100 elements: the cost of one call (binding, dispatch, output
  allocation), in microseconds per call, via ``ops.add(a, b)`` on pre-made tensors vs
  ``np.add(a, b)`` on arrays, and via the operator, Ember's ``ta + tb`` vs NumPy's
  ``a + b``.
* Views and a small reduction on 100 elements: ``x[1:3]`` (both libraries' basic
  indexing), ``reshape`` to (10, 10) (``tensor.reshape(ta, ...)`` vs ``np.reshape(a,
  ...)``) and ``ops.stats.sum(ta)`` vs ``np.sum(a)``: per-call overhead again.
* ``add`` and ``exp`` on 1e6 and 1e7 elements and ``sum`` over 1e7 elements: memory /
  SIMD throughput of the elementwise and reduction kernels (output allocation included
  on both sides, as users pay for it).
* ``matmul`` of two float32 n x n matrices for n = 256, 1024, 2048, also reported as
  GFLOP/s = 2 n^3 / t.

Each measurement is timeit-style: a statement is run ``number`` times per sample (chosen
so that one sample lasts tens of milliseconds, which amortises timer resolution), after
a warm-up, and the median of the samples is reported. Samples are taken in blocks
ordered Ember, NumPy, NumPy, Ember, so slow drift of a shared machine hits both alike,
with a short sleep before each block: OpenBLAS (NumPy's, and the one behind Ember's
matmul) keeps worker threads spinning after a call, and on a 2-core machine they would
otherwise slow down the other library. Garbage collection is off while a sample runs
(``timeit`` default). The 1-minute load average is recorded before and after the run;
a warning is printed when it shows other processes competing for the cores (above half
the CPU count before the run, or above the CPU count + 0.5 after it, since the benchmark
itself keeps the cores busy), as the numbers are then unreliable.

How to read the ratios
----------------------
``ratio = Ember median time / NumPy median time``: below 1.0 Ember is faster, 2.0 means
Ember takes twice as long. For matmul the ``GFLOP/s ratio = Ember GFLOP/s / NumPy
GFLOP/s`` is also given: above 1.0 Ember is faster (it is the inverse of the time
ratio). Timings on a small shared VM are noisy; re-run before drawing conclusions from
differences of a few percent.

Targets (checked and printed at the end, and stored in the JSON)
----------------------------------------------------------------
* add on 1 and 100 float32 elements, as ``ops.add`` and as ``+``: Ember time <= 1.2x
  NumPy time (``ratio <= 1.2``).
* ``x[1:3]``, ``reshape`` and ``stats.sum`` on 100 float32 elements: ``ratio <= 1.5``.
* matmul n = 1024: Ember GFLOP/s >= 0.9x NumPy GFLOP/s (``GFLOP/s ratio >= 0.9``).
* add and exp on 1e7 elements and sum over 1e7: at least NumPy throughput
  (``ratio <= 1.0``).

Results go to ``bench/results/ops_vs_numpy.json`` (``ops_vs_numpy.quick.json`` with
``--quick``, so a smoke run does not overwrite full results; ``--output`` overrides).
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
import time
import timeit
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import stats

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Settings:
    """How long and how often each case is sampled.

    Attributes:
        quick: whether this is the ``--quick`` smoke run.
        sample_seconds: target duration of one timing sample (sets ``number``).
        small_repeat: samples for the per-call (1 / 100 element) cases.
        large_repeat: samples for the 1e6 / 1e7 element cases and matmul n <= 1024.
        big_matmul_repeat: samples for matmul n = 2048.
        warmup: untimed calls of each statement before calibration.
        switch_pause_s: sleep before each block of samples, so that BLAS worker
            threads still spinning after the other library's calls go idle first.
    """

    quick: bool
    sample_seconds: float
    small_repeat: int
    large_repeat: int
    big_matmul_repeat: int
    warmup: int
    switch_pause_s: float


FULL = Settings(quick=False, sample_seconds=0.1, small_repeat=15, large_repeat=11,
                big_matmul_repeat=7, warmup=3, switch_pause_s=0.3)
QUICK = Settings(quick=True, sample_seconds=0.02, small_repeat=7, large_repeat=5,
                 big_matmul_repeat=3, warmup=0, switch_pause_s=0.1)


@dataclass
class Case:
    """One Ember-vs-NumPy comparison and its results.

    Attributes:
        name: short identifier (``add_100_f32``).
        label: human-readable row label for the table.
        op: the operation name.
        size: number of elements (or matrix side n for matmul).
        ember_stmt: statement timed for Ember, evaluated in ``namespace``.
        numpy_stmt: statement timed for NumPy, or None for Ember-only rows.
        namespace: globals for both statements.
        repeat: number of samples per library.
        flops: floating-point operations per call (matmul only), for GFLOP/s.
        ember_samples_s: seconds per call, one entry per sample.
        numpy_samples_s: seconds per call, one entry per sample.
        number: calls per sample.
        results_match: whether Ember's and NumPy's outputs agree (None when not checked).
    """

    name: str
    label: str
    op: str
    size: int
    ember_stmt: str
    numpy_stmt: str | None
    namespace: dict[str, Any]
    repeat: int
    flops: float | None = None
    ember_samples_s: list[float] = field(default_factory=list)
    numpy_samples_s: list[float] = field(default_factory=list)
    number: int = 1
    results_match: bool | None = None

    @property
    def ember_median_s(self) -> float:
        """Median seconds per Ember call."""
        return statistics.median(self.ember_samples_s)

    @property
    def numpy_median_s(self) -> float | None:
        """Median seconds per NumPy call, or None for Ember-only rows."""
        return statistics.median(self.numpy_samples_s) if self.numpy_samples_s else None

    @property
    def ratio(self) -> float | None:
        """Ember median time / NumPy median time (below 1: Ember is faster)."""
        numpy_s = self.numpy_median_s
        return self.ember_median_s / numpy_s if numpy_s else None

    def gflops(self, seconds: float | None) -> float | None:
        """GFLOP/s at ``seconds`` per call, or None when FLOPs are not defined."""
        if self.flops is None or not seconds:
            return None
        return self.flops / seconds / 1e9

    @property
    def gflops_ratio(self) -> float | None:
        """Ember GFLOP/s / NumPy GFLOP/s (above 1: Ember is faster), matmul only."""
        ember, numpy_ = self.gflops(self.ember_median_s), self.gflops(self.numpy_median_s)
        return ember / numpy_ if ember and numpy_ else None

    def to_json(self) -> dict[str, Any]:
        """The case and its results as a JSON-serialisable dict."""
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "op": self.op,
            "size": self.size,
            "dtype": "float32",
            "ember_stmt": self.ember_stmt,
            "numpy_stmt": self.numpy_stmt,
            "calls_per_sample": self.number,
            "samples": len(self.ember_samples_s),
            "ember_median_s": self.ember_median_s,
            "numpy_median_s": self.numpy_median_s,
            "ratio": self.ratio,
            "ember_samples_s": self.ember_samples_s,
            "numpy_samples_s": self.numpy_samples_s,
            "results_match": self.results_match,
        }
        if self.flops is not None:
            out.update(
                flops=self.flops,
                ember_gflops=self.gflops(self.ember_median_s),
                numpy_gflops=self.gflops(self.numpy_median_s),
                gflops_ratio=self.gflops_ratio,
            )
        return out


def _calibrate(timer: timeit.Timer, target_s: float) -> int:
    """Calls per sample so that one sample lasts about ``target_s`` seconds.

    Args:
        timer: the statement to calibrate.
        target_s: desired sample duration.

    Returns:
        int: at least 1.
    """
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target_s / 5 or number >= 10**7:
            return max(1, int(number * target_s / max(elapsed, 1e-9)))
        number *= 10


def _sample_block(timer: timeit.Timer, number: int, count: int, settings: Settings) -> list[float]:
    """Lets other libraries' worker threads park, warms up, then takes ``count`` samples.

    Args:
        timer: the statement to time.
        number: calls per sample.
        count: samples to take.
        settings: pause and warm-up settings.

    Returns:
        list[float]: seconds per call, one entry per sample.
    """
    time.sleep(settings.switch_pause_s)
    timer.timeit(1)
    return [timer.timeit(number) / number for _ in range(count)]


def run_case(case: Case, settings: Settings) -> None:
    """Warms up, calibrates and samples one case, storing seconds per call in ``case``.

    The same ``number`` of calls per sample is used for Ember and NumPy (calibrated on
    the slower of the two). Samples are taken in blocks ordered Ember, NumPy, NumPy,
    Ember (half of the samples in each of a library's two blocks), so slow drift of a
    shared machine hits both libraries alike. Before each block the benchmark sleeps
    ``switch_pause_s``: NumPy's OpenBLAS (and the OpenBLAS behind Ember's matmul) keep
    their worker threads spinning for a while after a call, and on a 2-core machine
    those spinning threads would otherwise slow down whatever the other library runs
    next.

    Args:
        case: the case to run; its sample lists are filled in.
        settings: sample duration, warm-up, pause and repeat counts.
    """
    ember = timeit.Timer(case.ember_stmt, globals=case.namespace)
    numpy_ = timeit.Timer(case.numpy_stmt, globals=case.namespace) if case.numpy_stmt else None
    ember.timeit(settings.warmup)
    number = _calibrate(ember, settings.sample_seconds)
    if numpy_ is not None:
        time.sleep(settings.switch_pause_s)
        numpy_.timeit(settings.warmup)
        number = min(number, _calibrate(numpy_, settings.sample_seconds))
    case.number = number
    first, second = (case.repeat + 1) // 2, case.repeat // 2
    case.ember_samples_s = _sample_block(ember, number, first, settings)
    if numpy_ is not None:
        case.numpy_samples_s = _sample_block(numpy_, number, first, settings)
        case.numpy_samples_s += _sample_block(numpy_, number, second, settings)
    case.ember_samples_s += _sample_block(ember, number, second, settings)


def _check(ember_fn: Callable[[], Any], numpy_fn: Callable[[], Any], rtol: float = 1e-4) -> bool:
    """Whether Ember's and NumPy's results agree (a sanity check, not a test).

    Args:
        ember_fn: computes the Ember result.
        numpy_fn: computes the NumPy result.
        rtol: relative tolerance (float32 sums and GEMMs differ in rounding).

    Returns:
        bool: True when shapes match and values are close.
    """
    got = np.asarray(ember_fn().numpy(), dtype=np.float64)
    want = np.asarray(numpy_fn(), dtype=np.float64)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=1e-5))


def build_cases(settings: Settings, rng: np.random.Generator) -> list[Case]:
    """Creates the inputs and cases, checking that Ember and NumPy agree on each.

    Args:
        settings: repeat counts.
        rng: random source for the inputs.

    Returns:
        list[Case]: in table order.
    """
    cases: list[Case] = []

    def elementwise(op: str, n: int, label: str, repeat: int) -> None:
        lo, hi = (-4.0, 4.0) if op == "exp" else (0.0, 1.0)
        a = rng.uniform(lo, hi, n).astype(np.float32)
        b = rng.uniform(lo, hi, n).astype(np.float32)
        ns = {"ops": ops, "stats": stats, "np": np, "a": a, "b": b,
              "ta": T.convert_to_tensor(a), "tb": T.convert_to_tensor(b)}
        ember_stmt, numpy_stmt = {
            "add": ("ops.add(ta, tb)", "np.add(a, b)"),
            "exp": ("ops.exp(ta)", "np.exp(a)"),
            "sum": ("stats.sum(ta)", "np.sum(a)"),
        }[op]
        case = Case(f"{op}_{n}_f32", label, op, n, ember_stmt, numpy_stmt, ns, repeat)
        case.results_match = _check(lambda: eval(ember_stmt, ns), lambda: eval(numpy_stmt, ns))
        cases.append(case)
        if op == "add" and n <= 100:
            # The operators of both libraries.
            op_case = Case(f"add_{n}_f32_operator", f"add {n} (ta + tb)", "add", n, "ta + tb",
                           "a + b", ns, repeat)
            op_case.results_match = _check(lambda: ns["ta"] + ns["tb"], lambda: a + b)
            cases.append(op_case)

    def small_view_and_sum(repeat: int) -> None:
        a = rng.uniform(0.0, 1.0, 100).astype(np.float32)
        ns = {"T": T, "stats": stats, "np": np, "a": a, "ta": T.convert_to_tensor(a)}
        for name, label, op, ember_stmt, numpy_stmt in (
            ("slice_100_f32", "x[1:3] of 100", "slice", "ta[1:3]", "a[1:3]"),
            ("reshape_100_f32", "reshape 100", "reshape", "T.reshape(ta, (10, 10))", "np.reshape(a, (10, 10))"),
            ("sum_100_f32", "sum 100", "sum", "stats.sum(ta)", "np.sum(a)"),
        ):
            case = Case(name, label, op, 100, ember_stmt, numpy_stmt, ns, repeat)
            case.results_match = _check(lambda: eval(ember_stmt, ns), lambda: eval(numpy_stmt, ns))
            cases.append(case)

    small, large = settings.small_repeat, settings.large_repeat
    elementwise("add", 1, "add 1", small)
    elementwise("add", 100, "add 100", small)
    small_view_and_sum(small)
    elementwise("add", 10**6, "add 1e6", large)
    elementwise("exp", 10**6, "exp 1e6", large)
    elementwise("add", 10**7, "add 1e7", large)
    elementwise("exp", 10**7, "exp 1e7", large)
    elementwise("sum", 10**7, "sum 1e7", large)

    for n in (256, 1024, 2048):
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        ns = {"ops": ops, "np": np, "a": a, "b": b,
              "ta": T.convert_to_tensor(a), "tb": T.convert_to_tensor(b)}
        repeat = settings.big_matmul_repeat if n >= 2048 else large
        case = Case(f"matmul_{n}_f32", f"matmul n={n}", "matmul", n, "ops.matmul(ta, tb)",
                    "np.matmul(a, b)", ns, repeat, flops=2.0 * n**3)
        case.results_match = _check(lambda: ops.matmul(ns["ta"], ns["tb"]), lambda: a @ b, rtol=1e-3)
        cases.append(case)
    return cases


def _fmt_time(seconds: float | None) -> str:
    """Formats seconds per call with a unit that keeps 3-4 significant digits."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"


def _fmt(value: float | None, spec: str) -> str:
    """Formats an optional number, '-' for None."""
    return "-" if value is None else format(value, spec)


def print_table(cases: list[Case]) -> None:
    """Prints one row per case: medians, time ratio and (matmul) GFLOP/s."""
    header = (f"{'case':<20} {'Ember':>12} {'NumPy':>12} {'ratio E/N':>9} "
              f"{'Ember GF/s':>10} {'NumPy GF/s':>10} {'GF/s E/N':>8}  match")
    print(header)
    print("-" * len(header))
    for c in cases:
        print(f"{c.label:<20} {_fmt_time(c.ember_median_s):>12} {_fmt_time(c.numpy_median_s):>12} "
              f"{_fmt(c.ratio, '.2f'):>9} {_fmt(c.gflops(c.ember_median_s), '.1f'):>10} "
              f"{_fmt(c.gflops(c.numpy_median_s), '.1f'):>10} {_fmt(c.gflops_ratio, '.2f'):>8}  "
              f"{'-' if c.results_match is None else ('yes' if c.results_match else 'NO')}")
    print("ratio E/N = Ember time / NumPy time (lower is better for Ember); "
          "GF/s E/N = Ember GFLOP/s / NumPy GFLOP/s (higher is better for Ember).")


def check_targets(cases: list[Case]) -> list[dict[str, Any]]:
    """Evaluates the performance targets from the module docstring.

    Args:
        cases: the measured cases.

    Returns:
        list[dict]: one entry per target with its metric, threshold, value and ``met``.
    """
    by_name = {c.name: c for c in cases}
    specs = [
        ("add 1 float32: time <= 1.2x NumPy", "add_1_f32", "ratio", "<=", 1.2),
        ("add 100 float32: time <= 1.2x NumPy", "add_100_f32", "ratio", "<=", 1.2),
        ("a + b, 1 float32: time <= 1.2x NumPy", "add_1_f32_operator", "ratio", "<=", 1.2),
        ("a + b, 100 float32: time <= 1.2x NumPy", "add_100_f32_operator", "ratio", "<=", 1.2),
        ("x[1:3] of 100 float32: time <= 1.5x NumPy", "slice_100_f32", "ratio", "<=", 1.5),
        ("reshape 100 float32: time <= 1.5x NumPy", "reshape_100_f32", "ratio", "<=", 1.5),
        ("stats.sum 100 float32: time <= 1.5x NumPy", "sum_100_f32", "ratio", "<=", 1.5),
        ("matmul n=1024: GFLOP/s >= 0.9x NumPy", "matmul_1024_f32", "gflops_ratio", ">=", 0.9),
        ("add 1e7 float32: >= NumPy throughput", "add_10000000_f32", "ratio", "<=", 1.0),
        ("exp 1e7 float32: >= NumPy throughput", "exp_10000000_f32", "ratio", "<=", 1.0),
        ("sum 1e7 float32: >= NumPy throughput", "sum_10000000_f32", "ratio", "<=", 1.0),
    ]
    targets = []
    for description, name, metric, cmp, threshold in specs:
        value = getattr(by_name[name], metric)
        met = value is not None and (value <= threshold if cmp == "<=" else value >= threshold)
        targets.append({"target": description, "case": name, "metric": metric,
                        "comparison": cmp, "threshold": threshold, "value": value, "met": met})
    return targets


def print_targets(targets: list[dict[str, Any]]) -> None:
    """Prints whether each target is met."""
    print("\nTargets:")
    for t in targets:
        status = "MET" if t["met"] else "NOT MET"
        print(f"  [{status:>7}] {t['target']:<42} {t['metric']} = {_fmt(t['value'], '.2f')} "
              f"(needs {t['comparison']} {t['threshold']})")


def _git_commit() -> str | None:
    """The current commit of the repository, or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=pathlib.Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else ``platform.processor()``."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average() -> float | None:
    """The 1-minute load average, or None where the platform has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info() -> dict[str, Any]:
    """Machine, library and thread settings relevant to the timings."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        numpy_blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # noqa: BLE001 - older NumPy has no dict mode; purely informational
        numpy_blas = None
    thread_vars = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "EMBER_NUM_THREADS")
    return {
        "cpu_count": os.cpu_count(),
        "cpu_affinity_count": affinity,
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "numpy_blas": numpy_blas,
        "ember_ml_version": em.__version__,
        "ember_ml_backend": em.get_backend(),
        "git_commit": _git_commit(),
        "thread_env": {k: os.environ[k] for k in thread_vars if k in os.environ},
        "load_average_1min_before": _load_average(),
        "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (smoke run)")
    parser.add_argument("--output", type=pathlib.Path, default=None,
                        help="JSON path (default: bench/results/ops_vs_numpy[.quick].json)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the input data")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Runs every case, prints the table and targets, and writes the JSON.

    Args:
        argv: command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        int: exit status, 0 (targets that are not met are reported, not failed).
    """
    args = parse_args(argv)
    settings = QUICK if args.quick else FULL
    output = args.output or RESULTS_DIR / ("ops_vs_numpy.quick.json" if args.quick else "ops_vs_numpy.json")
    em.set_backend("cpu")  # this process only; 'numpy' would be the same backend

    start = timeit.default_timer()
    info = machine_info()
    print(f"Ember ML {info['ember_ml_version']} (backend {info['ember_ml_backend']}) vs "
          f"NumPy {info['numpy_version']} ({info['numpy_blas']}); {info['cpu_count']} CPUs, "
          f"{info['cpu_model']}; {'quick' if settings.quick else 'full'} run\n")
    cases = build_cases(settings, np.random.default_rng(args.seed))
    for case in cases:
        run_case(case, settings)
    elapsed = timeit.default_timer() - start
    info["load_average_1min_after"] = _load_average()

    print_table(cases)
    targets = check_targets(cases)
    print_targets(targets)

    report = {
        "benchmark": "ops_vs_numpy",
        "mode": "quick" if settings.quick else "full",
        "settings": settings.__dict__,
        "machine": info,
        "ratio_definition": "ratio = Ember median s/call / NumPy median s/call (lower is better for Ember); "
                            "gflops_ratio = Ember GFLOP/s / NumPy GFLOP/s (higher is better for Ember)",
        "cases": [c.to_json() for c in cases],
        "targets": targets,
        "all_targets_met": all(t["met"] for t in targets),
        "wall_time_s": round(elapsed, 2),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {output} ({elapsed:.1f} s)")
    cpus = info["cpu_count"] or 1
    before, after = info["load_average_1min_before"], info["load_average_1min_after"]
    # Before the run the load is other processes'; after it, it includes this benchmark (~cpus).
    if (before is not None and before > 0.5 * cpus) or (after is not None and after > cpus + 0.5):
        print(f"WARNING: 1-min load average was {before} before and {after} after the run on {cpus} CPUs: "
              "other processes competed for the cores, so these timings are unreliable.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
