"""Where the time of one small op goes: layers of ``ops.add`` / ``a + b`` on 1 float32 element.

Usage::

    python bench/op_overhead.py            # about 20 s
    python bench/op_overhead.py --quick    # a few seconds

Each row times one statement (timeit, ``number`` calls per sample, the minimum of the
samples: the least disturbed on a shared machine), in nanoseconds per call. The rows
peel the call apart layer by layer, so differences between rows are the cost of a layer:

* ``call floor``: a C builtin of two arguments (``isinstance(ta, EmberTensor)``): the
  Python interpreter's share of any call.
* ``bound method + wrap``: ``EmberTensor.__pos__(ta)``: pybind11's dispatcher plus
  wrapping a (copied) tensor in a new Python object, no computation.
* ``ops.add general``: ``ops.add(x=ta, y=tb)``: keywords take pybind11's general path
  (argument conversion, dispatcher), as every call did before the fast paths.
* ``ops.add fast``: ``ops.add(ta, tb)``: the METH_FASTCALL entry (python/src/fast_paths.h).
* ``operator general``: ``EmberTensor.__add__(ta, tb)``: the bound method the operator
  slot used to reach through a generic lookup.
* ``operator fast``: ``ta + tb``: the nb_add slot.
* ``x[1:3]`` of 100 elements, through ``EmberTensor.__getitem__`` and through the
  mp_subscript slot.
* NumPy rows for the same calls (``np.add(a, b)``, ``a + b``, ``+a``, ``x[1:3]``).

``ops.add fast - bound method + wrap`` is then the C++ op itself (dtype promotion,
broadcast check, output allocation, kernel dispatch and the kernel), ``ops.add general
- ops.add fast`` what pybind11's general path adds. Results go to
``bench/results/op_overhead.json`` (``op_overhead.quick.json`` with ``--quick``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import sys
import timeit

import numpy as np

from ember_ml import ops
from ember_ml.nn import tensor as T

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"

ROWS = [
    ("call floor", "isinstance(ta, EmberTensor)", "isinstance(a, ndarray)"),
    ("bound method + wrap", "pos(ta)", "+a"),
    ("ops.add general", "ops.add(x=ta, y=tb)", None),
    ("ops.add fast", "ops.add(ta, tb)", "np.add(a, b)"),
    ("operator general", "EmberTensor.__add__(ta, tb)", None),
    ("operator fast", "ta + tb", "a + b"),
    ("x[1:3] general", "getitem(tx, s)", None),
    ("x[1:3] fast", "tx[1:3]", "x[1:3]"),
]


def best_ns(stmt: str, namespace: dict, number: int, repeat: int) -> float:
    """The minimum over ``repeat`` samples of ``number`` calls, in ns per call."""
    timer = timeit.Timer(stmt, globals=namespace)
    timer.timeit(number // 10 or 1)  # warm-up
    return min(timer.repeat(repeat, number)) / number * 1e9


def main(argv: list[str] | None = None) -> int:
    """Times every row and writes the JSON; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls (smoke run)")
    args = parser.parse_args(argv)
    number, repeat = (2_000, 3) if args.quick else (50_000, 9)
    a = np.array([0.5], np.float32)
    b = np.array([0.25], np.float32)
    ns = {"ops": ops, "np": np, "a": a, "b": b, "ta": T.convert_to_tensor(a), "tb": T.convert_to_tensor(b),
          "EmberTensor": T.EmberTensor, "ndarray": np.ndarray, "pos": T.EmberTensor.__pos__,
          "getitem": T.EmberTensor.__getitem__, "s": slice(1, 3)}
    ns["x"] = np.arange(100, dtype=np.float32)
    ns["tx"] = T.convert_to_tensor(ns["x"])
    load_before = os.getloadavg()[0]
    rows = []
    print(f"{'layer':<22} {'Ember ns':>9} {'NumPy ns':>9}")
    for label, ember, numpy_ in ROWS:
        e = best_ns(ember, ns, number, repeat)
        n = best_ns(numpy_, ns, number, repeat) if numpy_ else None
        rows.append({"layer": label, "ember_stmt": ember, "numpy_stmt": numpy_, "ember_ns": round(e, 1),
                     "numpy_ns": None if n is None else round(n, 1)})
        print(f"{label:<22} {e:>9.0f} {'-' if n is None else f'{n:.0f}':>9}")
    report = {
        "benchmark": "op_overhead",
        "mode": "quick" if args.quick else "full",
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "rows": rows,
    }
    out = RESULTS_DIR / ("op_overhead.quick.json" if args.quick else "op_overhead.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"load {report['load_average_1min_before']} -> {report['load_average_1min_after']}; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
