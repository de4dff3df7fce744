"""bench/run_all.py: finding benchmarks, their results and the Markdown summary (no benchmark is run)."""
from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest

BENCH = pathlib.Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def run_all():
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_discover_lists_the_benchmarks_but_not_itself(run_all) -> None:
    names = [p.stem for p in run_all.discover(None)]
    assert "ops_vs_numpy" in names and "autograd" in names
    assert "run_all" not in names
    assert [p.stem for p in run_all.discover(["autograd"])] == ["autograd"]
    with pytest.raises(SystemExit, match="unknown benchmark"):
        run_all.discover(["no_such_bench"])


def test_ratio_rows_label_each_entry_with_a_ratio(run_all) -> None:
    document = {"ratio_definition": "ember / numpy",
                "cases": [{"label": "add 1", "ratio": 1.5, "ember_s": 2.0},
                          {"label": "matmul", "ratio": 0.5, "gflops_ratio": 2.0}],
                "phases": {"step": {"ratio": 0.25}},
                "results": [{"model": "CfC", "case": "inference", "ratio": 0.125},
                            {"model": "LTC", "data": "batch 1", "case": "train_step", "batch": 1, "ratio": 0.5}]}
    columns, rows = run_all.ratio_rows(document)
    assert columns == ["gflops_ratio", "ratio"]
    assert rows == [["add 1", "", "1.5"], ["matmul", "2", "0.5"], ["step", "", "0.25"],
                    ["CfC inference", "", "0.125"], ["LTC batch 1 train_step", "", "0.5"]]


def test_summary_has_a_table_per_result_and_the_output_of_failures(run_all, tmp_path) -> None:
    results = tmp_path / "fast.json"
    results.write_text('{"device": "x", "gemm_GFLOPs": {"opencl": 31.5}}')
    runs = [run_all.Run("fast", ["python", "bench/fast.py"], "ok", 1.0, "", [results]),
            run_all.Run("slow", ["python", "bench/slow.py"], "timed out after 5 s", 5.0, "line 1\nline 2")]
    text = run_all.summarize(runs, quick=True)
    assert f"From `{results}`:" in text
    assert "| gemm_GFLOPs/opencl | 31.5 |" in text
    assert "`python bench/slow.py`: timed out after 5 s" in text
    assert "line 2" in text
