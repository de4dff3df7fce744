"""A rank of the distributed tests (tests_py/test_distributed.py), or their one-process reference.

``python mpi_worker.py train MODEL DROPOUT EMULATE OUT`` trains MODEL (``forecast``: the
AutoNCP(16, 1) CfC of examples/train_forecast.py on the CO2 windows; ``walker``: the
Walker2d CfC configuration, ``CfC(17, 64, proj_size=17, backbone_units=256,
backbone_layers=1, activation='silu')``, with ``backbone_layers=2`` when DROPOUT > 0, on
synthetic (N, 64, 17) sequences with per-step timespans) for 5 SGD steps (lr 0.1,
momentum 0.9) of global batch 32, wrapped in DistributedDataParallel. (The Walker2d model
of examples/reproduce/ is built here directly from that configuration.)

* Under ``mpirun -n W`` (``EMULATE`` = 0) each rank takes its :class:`DistributedSampler`
  share (32 / W rows) of every global batch.
* Without mpirun and ``EMULATE`` = W it plays the W ranks in turn: local mean losses
  divided by W, gradients accumulated, one step; W = 1 is the plain one-process run.

Before step ``s`` rank ``r`` seeds the global stream with ``rank_seed(SEED + s, r)``, so
its dropout masks are known to the emulation. Rank 0 writes ``OUT`` (.npz): ``initial``, its
flattened parameters after wrapping, ``(P,)``, and ``final``, every rank's after the steps,
``(W, P)`` float32 (``all_gather``).

``python mpi_worker.py collectives``: checks all_reduce / broadcast / all_gather against
NumPy (every rank knows every rank's input) for several dtypes, a strided view and, where
available, an opencl tensor (one read-back, one write); rank 0 prints ``collectives ok``.
``python mpi_worker.py mismatch``: rank 1 builds a wider model (DDP must raise ValueError).
``python mpi_worker.py raise``: rank 1 raises at step 2 (the job must abort).
``python mpi_worker.py loop PIDDIR``: trains until killed, each rank writing its pid to
PIDDIR/rank<r>.pid after its first step.
"""
from __future__ import annotations

import os
import pathlib
import sys

import numpy as np

from ember_ml import distributed as dist
from ember_ml import ops, wirings
from ember_ml.nn import tensor as T
from ember_ml.ncps import CfC
from ember_ml.training import SGD

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import train_forecast  # noqa: E402

SEED = 7
GLOBAL_BATCH = 32
STEPS = 5


def walker_model(dropout: float) -> CfC:
    # As in ncps, backbone dropout follows the second and later backbone layers: with one
    # layer a dropout rate draws no mask, so the dropout case uses two.
    return CfC(17, 64, proj_size=17, backbone_units=256, backbone_layers=2 if dropout > 0 else 1, activation="silu",
               backbone_dropout=dropout if dropout > 0 else None, batch_first=True)


def make_task(model: str, dropout: float):
    """(model, inputs, targets, timespans or None) with GLOBAL_BATCH * STEPS rows."""
    T.set_seed(SEED)
    if model == "forecast":
        data = train_forecast.make_dataset(*train_forecast.load_monthly_co2(), window=24, horizon=1)
        net = train_forecast.build_model("cfc", 16, SEED)
        return net, data.train.x[:GLOBAL_BATCH * STEPS], data.train.y[:GLOBAL_BATCH * STEPS], None
    rng = np.random.default_rng(SEED)
    n = GLOBAL_BATCH * STEPS
    x = rng.standard_normal((n, 64, 17)).astype(np.float32)
    y = np.tanh(np.cumsum(x, axis=1) * 0.1).astype(np.float32)
    spans = rng.uniform(0.5, 1.5, (n, 64)).astype(np.float32)
    return walker_model(dropout), x, y, spans


def flat_parameters(module) -> np.ndarray:
    return np.concatenate([np.asarray(p.numpy(), np.float32).reshape(-1) for p in module.parameters()])


def local_loss(model, x, y, spans, rows):
    output, _ = model(T.convert_to_tensor(x[rows]),
                      timespans=None if spans is None else T.convert_to_tensor(spans[rows]))
    return ops.mse(T.convert_to_tensor(y[rows]), output)


def train(model_name: str, dropout: float, emulate: int, out: str) -> None:
    net, x, y, spans = make_task(model_name, dropout)
    model = dist.DistributedDataParallel(net)
    initial = flat_parameters(net)
    world = emulate if emulate else dist.world_size()
    ranks = range(emulate) if emulate else [dist.rank()]
    local_batch = GLOBAL_BATCH // world
    samplers = {r: list(dist.DistributedSampler(len(x), world, r, shuffle=True, seed=SEED)) for r in ranks}
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        optimizer.zero_grad()
        for r in ranks:
            T.set_seed(dist.rank_seed(SEED + step, r))
            loss = local_loss(model, x, y, spans, samplers[r][step * local_batch:(step + 1) * local_batch])
            (loss / len(ranks)).backward()
        optimizer.step()
    gathered = dist.all_gather(T.convert_to_tensor(flat_parameters(net)))
    if dist.is_main_process():
        np.savez(out, initial=initial, final=gathered.numpy())


def check_collectives() -> None:
    r, w = dist.rank(), dist.world_size()
    base = np.arange(6, dtype=np.float64).reshape(2, 3) - 2.0
    inputs = [base * (k + 1) for k in range(w)]
    expected = {"sum": sum(inputs), "mean": sum(inputs) / w, "max": np.maximum.reduce(inputs),
                "min": np.minimum.reduce(inputs)}
    for dtype in ("float32", "float64", "float16", "int32", "complex64"):
        for op, want in expected.items():
            if (op == "mean" and dtype == "int32") or (op in ("max", "min") and dtype == "complex64"):
                continue
            t = T.convert_to_tensor(inputs[r].astype(dtype))
            assert dist.all_reduce(t, op) is t
            np.testing.assert_allclose(t.numpy(), want.astype(dtype), rtol=1e-3, err_msg=f"{op} {dtype}")
    flags = T.convert_to_tensor(np.array([True, r == 0, False]))
    np.testing.assert_array_equal(dist.all_reduce(flags, "max").numpy(), [True, True, False])
    np.testing.assert_array_equal(dist.all_reduce(T.convert_to_tensor(np.array([True, r == 0])), "min").numpy(),
                                  [True, w == 1])
    matrix = T.convert_to_tensor(inputs[r].astype(np.float32))
    dist.all_reduce(matrix.T, "sum")  # a strided view: reduced in a copy, written back through the view
    np.testing.assert_allclose(matrix.numpy(), expected["sum"], rtol=1e-6)
    t = T.convert_to_tensor(np.full((4,), float(r), np.float64))
    np.testing.assert_array_equal(dist.broadcast(t, root=w - 1).numpy(), np.full(4, w - 1.0))
    gathered = dist.all_gather(T.convert_to_tensor(inputs[r].astype(np.float32)))
    np.testing.assert_array_equal(gathered.numpy(), np.stack(inputs).astype(np.float32))
    try:
        dist.all_reduce(T.convert_to_tensor(np.zeros(2 + r, np.float32)))
    except ValueError as e:
        assert "rank 0: (2,) float32" in str(e) and "rank 1: (3,) float32" in str(e), str(e)
    else:
        raise AssertionError("all_reduce accepted different shapes")
    import ember_ml as em
    from ember_ml.backend import opencl

    if "opencl" in em.get_available_backends():
        t = ops.to_device(T.convert_to_tensor(inputs[r].astype(np.float32)), "opencl:0")
        opencl.reset_transfer_stats()
        dist.all_reduce(t, "sum")
        stats = opencl.transfer_stats()
        assert (stats["device_to_host"], stats["host_to_device"]) == (1, 1), stats
        np.testing.assert_allclose(t.numpy(), expected["sum"], rtol=1e-6)
        assert t.device == "opencl:0"
        check_opencl_replicas()
    check_buckets()
    if dist.is_main_process():
        print("collectives ok")


def check_opencl_replicas() -> None:
    """A model on opencl: rank 0's weights reach every rank; the averaged gradients stay on the device."""
    from ember_ml.nn.modules import Linear

    T.set_seed(dist.rank())  # another initialisation on every rank: the wrapper must broadcast rank 0's
    model = dist.DistributedDataParallel(Linear(5, 3)).to("opencl:0")  # buckets re-planned for the moved parameters
    net = model.module
    weights = dist.all_gather(net.weight.to("cpu")).numpy()
    assert all(np.array_equal(w, weights[0]) for w in weights)
    x = np.random.default_rng(dist.rank()).standard_normal((4, 5)).astype(np.float32)
    with model.no_sync():
        ops.mse(T.zeros((4, 3), device="opencl:0"), model(ops.to_device(T.convert_to_tensor(x), "opencl:0"))).backward()
    local = dist.all_gather(net.weight.grad.to("cpu")).numpy()
    net.weight.grad = net.bias.grad = None
    ops.mse(T.zeros((4, 3), device="opencl:0"), model(ops.to_device(T.convert_to_tensor(x), "opencl:0"))).backward()
    assert net.weight.grad.device == "opencl:0"
    np.testing.assert_allclose(net.weight.grad.numpy(), local.mean(axis=0), rtol=1e-5, atol=1e-7)


def check_buckets() -> None:
    """Gradients travel in buckets of at most bucket_cap_mb (one all-reduce each) and come back averaged."""
    from ember_ml.distributed import collectives

    net = walker_model(0.0)
    model = dist.DistributedDataParallel(net, bucket_cap_mb=0.1)
    params = list(net.parameters())
    assert 1 < len(model.buckets) < len(params), (len(model.buckets), len(params))
    assert sorted(id(p) for b in model.buckets for p in b.params) == sorted(id(p) for p in params)
    for bucket in model.buckets:
        assert len(bucket.params) == 1 or sum(p.size * 4 for p in bucket.params) <= 0.1e6
    rng = np.random.default_rng(dist.rank())
    x = T.convert_to_tensor(rng.standard_normal((3, 5, 17)).astype(np.float32))
    with model.no_sync():
        ops.mse(T.zeros((3, 5, 17)), model(x)[0]).backward()
    local = [np.array(p.grad.numpy()) for p in params]
    every = [dist.all_gather(T.convert_to_tensor(g)).numpy() for g in local]
    for p in params:
        p.grad = None
    calls = []
    reduce = collectives.all_reduce_flat
    collectives.all_reduce_flat = lambda buffer: (calls.append(buffer.size), reduce(buffer))
    try:
        ops.mse(T.zeros((3, 5, 17)), model(x)[0]).backward()
    finally:
        collectives.all_reduce_flat = reduce
    assert len(calls) == len(model.buckets), (len(calls), len(model.buckets))
    for p, g in zip(params, every):
        np.testing.assert_allclose(p.grad.numpy(), g.mean(axis=0), rtol=1e-5, atol=1e-7)


def mismatch() -> None:
    T.set_seed(SEED)
    dist.DistributedDataParallel(train_forecast.build_model("cfc", 16 if dist.rank() == 0 else 20, SEED))


def train_until(stop_rank: int | None, piddir: str | None) -> None:
    net, x, y, spans = make_task("forecast", 0.0)
    model = dist.DistributedDataParallel(net)
    optimizer = SGD(model.parameters(), lr=0.01)
    rows = dist.shard_indices(len(x))[:8]
    step = 0
    while True:
        if step == 2 and dist.rank() == stop_rank:
            raise RuntimeError(f"rank {stop_rank} failed at step {step}")
        optimizer.zero_grad()
        local_loss(model, x, y, spans, rows).backward()
        optimizer.step()
        if step == 0 and piddir:
            pid_file = pathlib.Path(piddir, f"rank{dist.rank()}.pid")
            pid_file.with_suffix(".tmp").write_text(str(os.getpid()))
            os.replace(pid_file.with_suffix(".tmp"), pid_file)  # the test never reads half a pid
        step += 1


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "train":
        train(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif command == "collectives":
        check_collectives()
    elif command == "mismatch":
        mismatch()
    elif command == "raise":
        train_until(1, None)
    elif command == "loop":
        train_until(None, sys.argv[2])
    else:
        raise SystemExit(f"unknown command {command!r}")
