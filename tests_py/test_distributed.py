"""Data-parallel training over MPI with real processes (``mpirun -n 2`` / ``-n 4``, oversubscribed).

The ranks run ``tests_py/mpi_worker.py``. Without dropout, 5 steps of global batch 32 on
W ranks give the parameters of one process trained on the same 32-row batches (within
1e-5), bit-identical on every rank. With backbone dropout the ranks draw their own masks
(``rank_seed``): the result matches a one-process emulation of the W ranks with those
seeds, and differs from one where every rank draws rank 0's masks. A rank that raises or
is killed ends the job; mismatched models are refused. Without ``mpirun`` or mpi4py these
tests fail (Open MPI and mpi4py are requirements, installed by scripts/setup.sh).
"""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import python_env

WORKER = str(pathlib.Path(__file__).resolve().parent / "mpi_worker.py")


def mpirun_command(ranks: int) -> list[str]:
    """``mpirun -n RANKS`` with the flags this machine needs; fails the test when MPI is missing."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        pytest.fail("mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev; "
                    "scripts/setup.sh installs it)")
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.fail("mpi4py is not installed: pip install mpi4py (it is in requirements.txt)")
    command = [mpirun, "-n", str(ranks), "--oversubscribe"]
    if os.geteuid() == 0:  # Open MPI refuses root unless told; CI runs as root
        command.append("--allow-run-as-root")
    return command


def rank_env() -> dict:
    # One engine and BLAS thread per rank: the ranks share the machine's cores.
    return python_env(EMBER_ML_BACKEND="cpu", EMBER_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=rank_env())


def train(tmp_path: pathlib.Path, model: str, dropout: float, ranks: int = 0, emulate: int = 0) -> np.ndarray:
    """Every rank's flattened parameters after the 5 steps, ``(W, P)``."""
    out = tmp_path / f"{model}-{dropout}-{ranks}-{emulate}.npy"
    args = [WORKER, "train", model, str(dropout), str(emulate), str(out)]
    command = mpirun_command(ranks) + [sys.executable, *args] if ranks else [sys.executable, *args]
    result = run(command, timeout=240)
    assert result.returncode == 0, f"{command} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return np.load(out)


@pytest.mark.parametrize("ranks", [2, 4])
def test_collectives_match_numpy(ranks: int) -> None:
    result = run(mpirun_command(ranks) + [sys.executable, WORKER, "collectives"], timeout=120)
    assert result.returncode == 0, f"exit status {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert "collectives ok" in result.stdout


@pytest.mark.parametrize("model", ["forecast", "walker"])
@pytest.mark.parametrize("ranks", [2, 4])
def test_ranks_match_one_process_without_dropout(tmp_path: pathlib.Path, model: str, ranks: int) -> None:
    reference = train(tmp_path, model, 0.0, emulate=1)[0]
    params = train(tmp_path, model, 0.0, ranks=ranks)
    assert params.shape == (ranks, reference.size)
    for r in range(1, ranks):
        assert np.array_equal(params[r], params[0]), f"rank {r} differs from rank 0"
    np.testing.assert_allclose(params[0], reference, rtol=0, atol=1e-5)


def test_dropout_masks_differ_per_rank_and_follow_the_seed(tmp_path: pathlib.Path) -> None:
    params = train(tmp_path, "walker", 0.1, ranks=2)
    assert np.array_equal(params[1], params[0]), "the ranks' parameters differ"
    emulated = train(tmp_path, "walker", 0.1, emulate=2)[0]
    np.testing.assert_allclose(params[0], emulated, rtol=0, atol=1e-5)
    # Every rank drawing rank 0's masks (a one-process run with batch 32) is measurably another run.
    same_masks = train(tmp_path, "walker", 0.1, emulate=1)[0]
    assert np.max(np.abs(same_masks - params[0])) > 1e-3


def test_mismatched_models_are_refused_naming_parameter_and_ranks() -> None:
    result = run(mpirun_command(2) + [sys.executable, WORKER, "mismatch"], timeout=60)
    assert result.returncode != 0
    assert "ValueError: [DistributedDataParallel]" in result.stderr, result.stderr
    assert "on rank 0 but" in result.stderr and "on rank 1" in result.stderr, result.stderr


def test_a_rank_that_raises_ends_the_job() -> None:
    start = time.monotonic()
    result = run(mpirun_command(2) + [sys.executable, WORKER, "raise"], timeout=60)
    assert result.returncode != 0
    assert "RuntimeError: rank 1 failed at step 2" in result.stderr, result.stderr
    assert time.monotonic() - start < 30


def test_a_killed_rank_ends_the_job_within_30_s(tmp_path: pathlib.Path) -> None:
    job = subprocess.Popen(mpirun_command(2) + [sys.executable, WORKER, "loop", str(tmp_path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=rank_env(), start_new_session=True)
    try:
        pid_file = tmp_path / "rank1.pid"
        deadline = time.monotonic() + 60
        while not pid_file.is_file() and job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.is_file(), f"rank 1 never trained a step (exit status {job.poll()})"
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        killed = time.monotonic()
        returncode = job.wait(timeout=30)
        assert returncode != 0
        assert time.monotonic() - killed < 30
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait(timeout=10)
