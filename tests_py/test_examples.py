"""The examples run end to end in a reduced configuration and write their outputs.

``train_forecast.py`` also resumes: three epochs, then ``--resume`` up to five, gives the
same metrics as five epochs in one run.
"""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import python_env

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run_example(script: str, *args: str) -> subprocess.CompletedProcess:
    """Runs ``examples/<script>`` with this interpreter; fails the test on a non-zero exit status."""
    result = subprocess.run([sys.executable, str(EXAMPLES / script), "--no-progress", *args], capture_output=True,
                            text=True, timeout=300, env=python_env())
    assert result.returncode == 0, f"{script} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def forecast(out: pathlib.Path, *args: str) -> tuple[str, dict]:
    result = run_example("train_forecast.py", "--units", "8", "--window", "12", "--out", str(out), *args)
    return result.stdout, json.loads((out / "metrics.json").read_text())


def test_train_forecast_writes_outputs_and_resumes(tmp_path: pathlib.Path) -> None:
    stdout, metrics = forecast(tmp_path / "once", "--epochs", "5")
    match = re.search(r"test MSE: ([\d.]+) ppm\^2 \(naive last-value baseline: ([\d.]+) ppm\^2\)", stdout)
    assert match, stdout
    assert float(match.group(1)) == pytest.approx(metrics["test_mse"], rel=1e-3)
    assert float(match.group(2)) == pytest.approx(metrics["test_naive_mse"], rel=1e-3)
    assert metrics["epochs"] == 5
    for baseline, label in (("seasonal_naive", "seasonal naive"), ("ridge_ar", "ridge AR")):
        printed = re.search(rf"{label} .*: test MSE ([\d.]+) ppm\^2 \(validation ([\d.]+)\)", stdout)
        assert printed, stdout
        assert float(printed.group(1)) == pytest.approx(metrics[f"test_{baseline}_mse"], rel=1e-3)
        assert float(printed.group(2)) == pytest.approx(metrics[f"val_{baseline}_mse"], rel=1e-3)
    # the linear autoregression on the same windows beats predicting no change
    assert metrics["test_ridge_ar_mse"] < metrics["test_naive_mse"]
    assert metrics["ridge_alpha"] > 0
    for name in ("forecast.png", "model.npz", "checkpoint/checkpoint.npz", "checkpoint/config.json"):
        assert (tmp_path / "once" / name).is_file(), name

    forecast(tmp_path / "split", "--epochs", "3")
    stdout, resumed = forecast(tmp_path / "split", "--epochs", "5", "--resume")
    assert "resumed after epoch 3" in stdout
    assert resumed["epochs"] == 5
    assert resumed["test_mse"] == pytest.approx(metrics["test_mse"], rel=1e-5)
    assert resumed["val_mse"] == pytest.approx(metrics["val_mse"], rel=1e-5)


def test_train_forecast_resume_refuses_a_missing_or_different_checkpoint(tmp_path: pathlib.Path) -> None:
    def resume(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(EXAMPLES / "train_forecast.py"), "--no-progress", "--resume",
                               "--out", str(tmp_path), *args], capture_output=True, text=True, timeout=120,
                              env=python_env())

    missing = resume()
    assert missing.returncode == 2
    assert "no checkpoint" in missing.stderr
    forecast(tmp_path, "--epochs", "1")
    different = resume("--units", "12", "--window", "12")
    assert different.returncode == 2
    assert "'units': (8, 12)" in different.stderr


def test_sine_ncp_runs_both_models(tmp_path: pathlib.Path) -> None:
    stdout = run_example("sine_ncp.py", "--epochs", "3", "--out", str(tmp_path)).stdout
    for name in ("LTC", "CfC"):
        assert re.search(rf"^{name}: final loss [\d.e+-]+ after 3 epochs", stdout, re.M), stdout
    assert (tmp_path / "sine_ncp.png").is_file()
