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

import json
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
    """Every rank's flattened parameters after the 5 steps, ``(W, P)``; checks that training moved them."""
    out = tmp_path / f"{model}-{dropout}-{ranks}-{emulate}.npz"
    args = [WORKER, "train", model, str(dropout), str(emulate), str(out)]
    command = mpirun_command(ranks) + [sys.executable, *args] if ranks else [sys.executable, *args]
    result = run(command, timeout=240)
    assert result.returncode == 0, f"{command} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    saved = np.load(out)
    assert np.max(np.abs(saved["final"][0] - saved["initial"])) > 1e-3, "5 steps did not change the parameters"
    return saved["final"]


@pytest.mark.parametrize("ranks", [2, 4])
def test_collectives_match_numpy(ranks: int) -> None:
    result = run(mpirun_command(ranks) + [sys.executable, WORKER, "collectives"], timeout=120)
    assert result.returncode == 0, f"exit status {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert "collectives ok" in result.stdout


@pytest.fixture(scope="module")
def one_process() -> dict:
    """The one-process reference parameters, by model."""
    return {}


@pytest.mark.parametrize("model", ["forecast", "walker"])
@pytest.mark.parametrize("ranks", [2, 4])
def test_ranks_match_one_process_without_dropout(tmp_path: pathlib.Path, one_process: dict, model: str,
                                                 ranks: int) -> None:
    if model not in one_process:  # shared by the 2- and 4-rank cases
        one_process[model] = train(tmp_path, model, 0.0, emulate=1)[0]
    reference = one_process[model]
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
    # Every rank drawing rank 0's masks (one process, batch 32) is another run: measured 1e-4 apart
    # (dropout 0.1, 5 steps), well beyond the 1e-5 within which the emulation matches.
    same_masks = train(tmp_path, "walker", 0.1, emulate=1)[0]
    assert np.max(np.abs(same_masks - params[0])) > 3e-5


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


# --- one process (no mpirun): a world of size 1, sharding, argument checks ---

def test_a_process_without_launcher_is_a_world_of_one(run_python) -> None:
    result = run_python("""
        import sys
        import numpy as np
        from ember_ml import distributed as dist
        from ember_ml.nn import tensor as T
        dist.init()
        assert (dist.rank(), dist.world_size(), dist.is_main_process()) == (0, 1, True)
        assert "mpi4py" not in sys.modules
        t = T.convert_to_tensor(np.array([1.0, -2.0], np.float32))
        for op in ("sum", "mean", "max", "min"):
            assert dist.all_reduce(t, op) is t
        assert dist.broadcast(t) is t
        np.testing.assert_array_equal(t.numpy(), [1.0, -2.0])
        np.testing.assert_array_equal(dist.all_gather(t).numpy(), [[1.0, -2.0]])
        dist.barrier()
        print("ok")
    """, env={k: v for k, v in rank_env().items()
              if k not in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK")})
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


@pytest.mark.parametrize("n,world", [(10, 3), (32, 2), (7, 7), (100, 4)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_shards_are_disjoint_equal_and_rebuild_the_global_batches(n: int, world: int, shuffle: bool) -> None:
    from ember_ml import distributed as dist

    shards = [dist.shard_indices(n, r, world, shuffle=shuffle, seed=3) for r in range(world)]
    assert {len(s) for s in shards} == {n // world}
    together = np.concatenate(shards)
    assert len(np.unique(together)) == len(together)
    order = np.random.default_rng([3, 0]).permutation(n) if shuffle else np.arange(n)
    local = max(1, (n // world) // 2)
    for b in range(0, n // world, local):  # local batch b of every rank = global batch b of one process
        union = np.stack([s[b:b + local] for s in shards], axis=1).reshape(-1)
        np.testing.assert_array_equal(union, order[b * world:(b + local) * world])


def test_shard_and_sampler_select_rows() -> None:
    from ember_ml import distributed as dist
    from ember_ml.nn import tensor as T

    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    xs, ys = dist.shard((x, y), rank=1, world_size=3)
    np.testing.assert_array_equal(ys, [1, 4, 7])
    np.testing.assert_array_equal(xs, x[[1, 4, 7]])
    np.testing.assert_array_equal(dist.shard(T.convert_to_tensor(y), 2, 3).numpy(), [2, 5, 8])
    sampler = dist.DistributedSampler(y, num_replicas=2, rank=0, seed=5)
    first = list(sampler)
    assert len(sampler) == 5 and list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first
    np.testing.assert_array_equal(list(sampler), dist.shard_indices(10, 0, 2, True, 5, 1))


def test_bad_arguments_raise_clear_errors() -> None:
    from ember_ml import distributed as dist
    from ember_ml.nn import tensor as T
    from ember_ml.nn.modules import Linear

    with pytest.raises(ValueError, match=r"\[shard\] rank must be in \[0, 2\)"):
        dist.shard_indices(10, 2, 2)
    with pytest.raises(ValueError, match=r"\[shard\] cannot split 3 rows over 4 ranks"):
        dist.shard_indices(3, 0, 4)
    with pytest.raises(ValueError, match=r"\[shard\] every array must have the same number of rows"):
        dist.shard((np.zeros(4), np.zeros(5)), 0, 2)
    with pytest.raises(ValueError, match=r"\[DistributedSampler\] rank must be in"):
        dist.DistributedSampler(10, num_replicas=2, rank=5)
    with pytest.raises(ValueError, match=r"\[all_reduce\] op must be one of"):
        dist.all_reduce(T.convert_to_tensor([1.0]), "prod")
    with pytest.raises(TypeError, match=r"\[all_reduce\] op='mean' needs a floating-point"):
        dist.all_reduce(T.convert_to_tensor(np.array([1], np.int32)), "mean")
    with pytest.raises(TypeError, match=r"\[all_reduce\] op='sum' needs a numeric tensor, got bool"):
        dist.all_reduce(T.convert_to_tensor(np.array([True])), "sum")
    with pytest.raises(TypeError, match=r"\[all_reduce\] expected an EmberTensor, got ndarray"):
        dist.all_reduce(np.zeros(2))
    with pytest.raises(ValueError, match=r"\[broadcast\] root must be in \[0, 1\)"):
        dist.broadcast(T.convert_to_tensor([1.0]), root=1)
    with pytest.raises(ValueError, match=r"\[distributed.rank_seed\]"):
        dist.rank_seed(-1)
    with pytest.raises(TypeError, match=r"\[DistributedDataParallel\] module must be an ember_ml Module"):
        dist.DistributedDataParallel(object())
    with pytest.raises(ValueError, match=r"\[DistributedDataParallel\] bucket_cap_mb must be positive"):
        dist.DistributedDataParallel(Linear(2, 3), bucket_cap_mb=0)


def test_rank_seed_keeps_rank_0_and_spreads_the_others() -> None:
    from ember_ml import distributed as dist

    assert dist.rank_seed(42, 0) == 42
    assert dist.rank_seed(42, 1) == (42 + 0x9E3779B97F4A7C15) % 2**64
    assert len({dist.rank_seed(42, r) for r in range(64)}) == 64


def test_a_wrapped_module_in_a_world_of_one_is_the_module(tmp_path: pathlib.Path) -> None:
    from ember_ml import distributed as dist
    from ember_ml.nn.modules import Linear

    layer = Linear(3, 2)
    model = dist.DistributedDataParallel(layer)
    x = np.ones((4, 3), np.float32)
    np.testing.assert_array_equal(model(x).numpy(), layer(x).numpy())
    assert list(model.state_dict()) == list(layer.state_dict())
    assert [id(p) for p in model.parameters()] == [id(p) for p in layer.parameters()]
    model.save_weights(tmp_path / "w.npz")
    fresh = Linear(3, 2)
    fresh.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(fresh.weight.numpy(), layer.weight.numpy())
    other = dist.DistributedDataParallel(Linear(3, 2))
    other.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(other.module.weight.numpy(), layer.weight.numpy())


def test_distributed_forecast_example_writes_on_rank_0_and_resumes(tmp_path: pathlib.Path) -> None:
    example = str(pathlib.Path(__file__).resolve().parent.parent / "examples" / "train_forecast_distributed.py")

    def forecast(out: pathlib.Path, *args: str) -> tuple[str, dict]:
        command = mpirun_command(2) + [sys.executable, example, "--no-progress", "--units", "8", "--window", "12",
                                       "--out", str(out), *args]
        result = run(command, timeout=180)
        assert result.returncode == 0, f"exit status {result.returncode}:\n{result.stdout}\n{result.stderr}"
        return result.stdout, json.loads((out / "metrics.json").read_text())

    stdout, metrics = forecast(tmp_path / "once", "--epochs", "4")
    assert stdout.count("2 rank(s)") == 1 and stdout.count("test MSE:") == 1, stdout  # rank 0 alone prints
    assert metrics["epochs"] == 4 and metrics["world_size"] == 2
    for name in ("forecast.png", "model.npz", "checkpoint/checkpoint.npz", "checkpoint/config.json"):
        assert (tmp_path / "once" / name).is_file(), name
    forecast(tmp_path / "split", "--epochs", "2")
    stdout, resumed = forecast(tmp_path / "split", "--epochs", "4", "--resume")
    assert "resumed after epoch 2" in stdout
    assert resumed["test_mse"] == pytest.approx(metrics["test_mse"], rel=1e-5)
    assert resumed["val_mse"] == pytest.approx(metrics["val_mse"], rel=1e-5)


def test_joblib_sweep_gives_the_same_runs_at_1_and_2_workers(tmp_path: pathlib.Path) -> None:
    example = str(pathlib.Path(__file__).resolve().parent.parent / "examples" / "sweep_joblib.py")
    result = run([sys.executable, example, "--workers", "1", "2", "--seeds", "0", "--lrs", "0.01", "0.003",
                  "--epochs", "2", "--units", "8", "--out", str(tmp_path)], timeout=240)
    assert result.returncode == 0, f"exit status {result.returncode}:\n{result.stdout}\n{result.stderr}"
    one, two = json.loads((tmp_path / "sweep.json").read_text())
    assert (one["workers"], two["workers"]) == (1, 2) and one["runs_per_hour"] > 0 and two["runs_per_hour"] > 0
    assert [(r["seed"], r["lr"]) for r in one["runs"]] == [(0, 0.01), (0, 0.003)]
    for a, b in zip(one["runs"], two["runs"]):  # a run does not depend on the process it ran in
        assert a["test_mse"] == b["test_mse"] and a["val_mse"] == b["val_mse"]
    saved = json.loads((tmp_path / "w2" / "seed0-lr0.003" / "metrics.json").read_text())
    assert saved["test_mse"] == two["runs"][1]["test_mse"]
