"""Runs every benchmark in ``bench/`` and writes ``bench/results/summary.md``.

Usage::

    python bench/run_all.py                   # every benchmark, full runs
    python bench/run_all.py --quick           # smoke runs (--quick where a benchmark has it),
                                              # summary in bench/results/summary.quick.md
    python bench/run_all.py --only autograd rnn_vs_ncps walker2d_step --timeout 600

Each ``bench/*.py`` (except this file) runs in its own subprocess with this interpreter,
one after the other (they time themselves, so running them side by side would spoil the
numbers), under a time limit. Its results are the JSON files named after it (``NAME.json``,
``NAME.quick.json``, ...) that it writes into ``bench/results/`` while it runs. The summary
gets one table per benchmark with every entry that has a ratio (``ratio``, ``gflops_ratio``,
...; see each benchmark's docstring), or its numeric results where it has no ratio. A
benchmark that writes no JSON has its printed output copied into the summary. A failure
or time-out is recorded in the summary with the end of its output, and makes the exit
status 1.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

BENCH = pathlib.Path(__file__).resolve().parent
RESULTS = BENCH / "results"
# Fields that name an entry, in the order they are joined into the row label.
LABEL_KEYS = ("label", "model", "data", "case", "phase")
MAX_NUMERIC_ROWS = 40
OUTPUT_TAIL_LINES = 40


@dataclass
class Run:
    """The outcome of one benchmark's subprocess."""

    name: str
    command: list[str]
    status: str  # "ok", "failed (exit N)" or "timed out after N s"
    seconds: float
    output: str
    json_files: list[pathlib.Path] = field(default_factory=list)


def discover(only: list[str] | None) -> list[pathlib.Path]:
    """The benchmark scripts, sorted by name (``--only`` names without ``.py``)."""
    scripts = sorted(p for p in BENCH.glob("*.py") if p.name != pathlib.Path(__file__).name)
    if only:
        unknown = set(only) - {p.stem for p in scripts}
        if unknown:
            raise SystemExit(f"unknown benchmark(s) {sorted(unknown)}; available: {[p.stem for p in scripts]}")
        scripts = [p for p in scripts if p.stem in only]
    return scripts


def _json_mtimes(name: str) -> dict[pathlib.Path, float]:
    # Benchmarks name their results after themselves (NAME.json, NAME.quick.json, ...).
    return {p: p.stat().st_mtime for p in RESULTS.glob(f"{name}.*json")}


def run_benchmark(script: pathlib.Path, quick: bool, timeout: float) -> Run:
    """Runs one benchmark; its results are the ``NAME.*json`` files it created or changed."""
    command = [sys.executable, str(script.relative_to(BENCH.parent))]
    if quick and '"--quick"' in script.read_text():
        command.append("--quick")
    before = _json_mtimes(script.stem)
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=BENCH.parent)
        status = "ok" if done.returncode == 0 else f"failed (exit {done.returncode})"
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as err:
        status = f"timed out after {timeout:.0f} s"
        output = "".join(s.decode() if isinstance(s, bytes) else s for s in (err.stdout, err.stderr) if s)
    seconds = time.perf_counter() - start
    written = sorted(p for p, mtime in _json_mtimes(script.stem).items() if before.get(p) != mtime)
    return Run(script.stem, command, status, seconds, output, written)


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every dict in a JSON document with its path of keys / indices."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, str(i)))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def ratio_rows(document: Any) -> tuple[list[str], list[list[str]]]:
    """``(ratio columns, rows)``: one row per dict that has a numeric field named ``*ratio*``."""
    entries = []
    for path, node in _walk(document):
        ratios = {k: v for k, v in node.items() if "ratio" in k and _is_number(v)}
        if ratios:
            label = " ".join(str(node[k]) for k in LABEL_KEYS if isinstance(node.get(k), str))
            entries.append((label or str(node.get("name", path[-1] if path else "")), ratios))
    columns = sorted({k for _, ratios in entries for k in ratios})
    rows = [[label, *(f"{ratios[c]:.3g}" if c in ratios else "" for c in columns)] for label, ratios in entries]
    return columns, rows


def numeric_rows(document: Any) -> list[list[str]]:
    """``[key path, value]`` for the numeric leaves of a JSON document (at most ``MAX_NUMERIC_ROWS``)."""
    rows = []
    for path, node in _walk(document):
        rows.extend(["/".join((*path, k)), f"{v:.4g}"] for k, v in node.items() if _is_number(v))
    return rows[:MAX_NUMERIC_ROWS]


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows)]


def summarize(runs: list[Run], quick: bool) -> str:
    """The Markdown summary of all runs."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    lines = ["# Benchmark summary", "",
             f"Written by `python bench/run_all.py{' --quick' if quick else ''}` on {now}: {platform.platform()}, "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Ratios are Ember / reference "
             "median time unless the column says otherwise (below 1: Ember is faster; a `gflops_ratio` above 1: "
             "Ember is faster); each benchmark's docstring defines its cases.", ""]
    for run in runs:
        lines += [f"## {run.name}", "", f"`{' '.join(['python', *run.command[1:]])}`: "
                  f"{run.status}, {run.seconds:.0f} s.", ""]
        if run.status != "ok":
            tail = run.output.strip().splitlines()[-OUTPUT_TAIL_LINES:]
            lines += ["```", *tail, "```", ""]
            continue
        if not run.json_files:
            lines += ["No JSON written; its output:", "", "```", *run.output.strip().splitlines(), "```", ""]
        for path in run.json_files:
            document = json.loads(path.read_text())
            shown = path.relative_to(BENCH.parent) if path.is_relative_to(BENCH.parent) else path
            lines += [f"From `{shown}`:", ""]
            columns, rows = ratio_rows(document)
            lines += table(["case", *columns], rows) if rows else table(["result", "value"], numeric_rows(document))
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmarks and writes the summary; returns 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to the benchmarks that have it")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks (file names without .py)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per benchmark (default 900)")
    parser.add_argument("--output", type=pathlib.Path, default=None,
                        help="summary path (default bench/results/summary.md, summary.quick.md with --quick)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    runs = []
    for script in discover(args.only):
        print(f"running {script.name} ...", flush=True)
        run = run_benchmark(script, args.quick, args.timeout)
        print(f"  {run.status} in {run.seconds:.0f} s; results: {[p.name for p in run.json_files] or 'stdout'}")
        runs.append(run)
    output = args.output or RESULTS / ("summary.quick.md" if args.quick else "summary.md")
    output.write_text(summarize(runs, args.quick) + "\n")
    print(f"wrote {output}")
    return 0 if all(run.status == "ok" for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
