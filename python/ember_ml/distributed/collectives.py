"""The MPI world and the collectives on tensors (``ember_ml.distributed``).

A process started by ``mpirun`` / ``srun`` (detected from the launcher's environment) joins
``MPI.COMM_WORLD`` through mpi4py; any other process is a world of size 1 and never imports
MPI. Tensors travel through mpi4py's buffer-based (upper-case) methods: a contiguous cpu
tensor is reduced in its own memory (the buffer protocol, no copy, no pickling); any other
tensor (opencl, non-contiguous, float16) is read back once into one host array, reduced
there and written back once.
"""
from __future__ import annotations

import os
import sys
import zlib
from typing import Any, Callable

import numpy as np

from ember_ml.nn.modules.activations import _SEED_STEP
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor
from ember_ml.ops.autodiff import no_grad

# Variables that Open MPI, MPICH / Intel MPI (PMI) and PMIx set in every process they launch.
_LAUNCHER_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK")
_REDUCE_OPS = ("sum", "mean", "max", "min")


class _World:
    """The state behind the module-level functions (one per process)."""

    comm: Any = None  # mpi4py's COMM_WORLD; None for a world of size 1
    mpi: Any = None  # the mpi4py.MPI module
    rank = 0
    size = 1
    initialized = False


_world = _World()


def launched_by_mpi() -> bool:
    """True when this process was started by an MPI launcher (``mpirun``, ``mpiexec``, ``srun``)."""
    return any(v in os.environ for v in _LAUNCHER_VARIABLES)


def _abort_on_exception(previous: Callable[..., Any]) -> Callable[..., Any]:
    def hook(kind: type, value: BaseException, traceback: Any) -> None:
        previous(kind, value, traceback)
        sys.stdout.flush()
        sys.stderr.flush()
        # The other ranks may wait in a collective this rank never reaches: end the whole job.
        _world.comm.Abort(1)

    return hook


def init() -> None:
    """Joins the MPI world; idempotent, and called by every other function of this module.

    Under an MPI launcher it imports ``mpi4py.MPI`` (which initialises MPI), reads the
    rank and size of ``MPI.COMM_WORLD``, and installs a ``sys.excepthook`` that, after
    printing the traceback, calls ``MPI.COMM_WORLD.Abort(1)``: a rank that raises ends the
    job (``mpirun`` exits non-zero) instead of leaving the other ranks waiting forever in a
    collective. Without a launcher the world has size 1 and MPI is not needed.

    Raises:
        ImportError: ``[distributed.init]`` when launched by MPI but mpi4py is not installed.
    """
    if _world.initialized:
        return
    if launched_by_mpi():
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise ImportError("[distributed.init] this process was started by an MPI launcher but mpi4py is not "
                              "installed; install it with `pip install mpi4py` (see docs/scaling.md)") from e
        _world.mpi, _world.comm = MPI, MPI.COMM_WORLD
        _world.rank, _world.size = MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()
        if _world.size > 1:
            sys.excepthook = _abort_on_exception(sys.excepthook)
    _world.initialized = True


def rank() -> int:
    """This process's rank in ``[0, world_size())``; 0 without MPI."""
    init()
    return _world.rank


def world_size() -> int:
    """The number of processes in the world; 1 without MPI."""
    init()
    return _world.size


def is_main_process() -> bool:
    """True on rank 0, the rank that prints, plots and writes checkpoints."""
    return rank() == 0


def barrier() -> None:
    """Blocks until every rank has called it."""
    init()
    if _world.size > 1:
        _world.comm.Barrier()


def rank_seed(seed: int, rank: int | None = None) -> int:
    """The seed of one rank: ``(seed + rank * 0x9E3779B97F4A7C15) mod 2**64``.

    Rank 0 keeps ``seed`` (a one-process run draws what it always drew); the other ranks get
    seeds spread by the same golden-ratio Weyl step as seeded ``Dropout`` calls, so after
    ``nn.tensor.set_seed(rank_seed(seed))`` the ranks draw different dropout masks that the
    same seed reproduces.

    Args:
        seed: non-negative int, the run's seed.
        rank: the rank (default: this process's).

    Returns:
        int in ``[0, 2**64)``.

    Raises:
        ValueError: ``[distributed.rank_seed]`` for a negative seed or rank.
    """
    init()
    r = _world.rank if rank is None else rank
    if seed < 0 or r < 0:
        raise ValueError(f"[distributed.rank_seed] seed and rank must be non-negative, got seed={seed}, rank={r}")
    return (seed + r * _SEED_STEP) % 2**64


def _check_same(name: str, t: EmberTensor) -> None:
    """Raises ValueError on every rank unless all ranks passed the same shape and dtype."""
    description = f"{tuple(t.shape)} {t.dtype.name}"
    key = zlib.crc32(description.encode())
    keys = np.array([key, -key], dtype=np.int64)
    _world.comm.Allreduce(_world.mpi.IN_PLACE, keys, op=_world.mpi.MAX)
    if keys[0] != key or -keys[1] != key:
        # The error path only: gather the descriptions (small strings) to name the ranks.
        found = _world.comm.allgather(description)
        listing = ", ".join(f"rank {r}: {d}" for r, d in enumerate(found))
        raise ValueError(f"[{name}] every rank must pass a tensor of the same shape and dtype; got {listing}")


def _host_array(t: EmberTensor) -> tuple[np.ndarray, bool]:
    """``(array, shared)``: a C-contiguous host array of ``t``'s values, and whether it is ``t``'s memory."""
    if t.device == "cpu" and t.is_contiguous():
        return np.asarray(memoryview(t)), True
    return np.ascontiguousarray(t.numpy()), False


def _write_back(t: EmberTensor, values: np.ndarray) -> None:
    with no_grad():  # a collective is not a differentiable op: it overwrites the tensor's values
        t[...] = values


def _as_tensor(tensor: Any, name: str) -> EmberTensor:
    if not isinstance(tensor, EmberTensor):
        raise TypeError(f"[{name}] expected an EmberTensor, got {type(tensor).__name__}")
    return tensor


def all_reduce(tensor: EmberTensor, op: str = "sum") -> EmberTensor:
    """Reduces ``tensor`` over all ranks, in place, and returns it (``torch.distributed.all_reduce``).

    Args:
        tensor: an EmberTensor of any shape, dtype and device, the same shape and dtype on
            every rank. ``sum`` and ``mean`` take numeric tensors (``mean``: floating-point or
            complex), ``max`` and ``min`` real or bool tensors. float16 is reduced in float32.
        op: ``"sum"``, ``"mean"`` (the sum divided by ``world_size()``), ``"max"`` or ``"min"``.

    Returns:
        ``tensor``, holding the element-wise reduction on every rank.

    Raises:
        TypeError: ``[all_reduce]`` for a non-tensor, or a dtype the op does not take.
        ValueError: ``[all_reduce]`` for an unknown op, or shapes / dtypes that differ across
            ranks (naming each rank's).
    """
    t = _as_tensor(tensor, "all_reduce")
    if op not in _REDUCE_OPS:
        raise ValueError(f"[all_reduce] op must be one of {_REDUCE_OPS}, got {op!r}")
    dt = t.dtype
    if dt.name == "bool" and op in ("sum", "mean"):
        raise TypeError(f"[all_reduce] op={op!r} needs a numeric tensor, got bool; use 'max' (any) or 'min' (all)")
    if op == "mean" and not (dt.is_floating_point or dt.is_complex):
        raise TypeError(f"[all_reduce] op='mean' needs a floating-point or complex tensor, got {dt.name}; "
                        "use 'sum'")
    if dt.is_complex and op in ("max", "min"):
        raise TypeError(f"[all_reduce] op={op!r} is not defined for complex tensors ({dt.name})")
    init()
    if _world.size == 1:
        return t
    _check_same("all_reduce", t)
    values, shared = _host_array(t)
    if values.dtype == np.float16:
        values, shared = values.astype(np.float32), False
    buffer = values.view(np.uint8) if values.dtype == np.bool_ else values
    mpi_op = _world.mpi.SUM if op in ("sum", "mean") else getattr(_world.mpi, op.upper())
    _world.comm.Allreduce(_world.mpi.IN_PLACE, buffer, op=mpi_op)
    if op == "mean":
        values /= _world.size
    if not shared:
        _write_back(t, values)
    return t


def broadcast(tensor: EmberTensor, root: int = 0) -> EmberTensor:
    """Copies rank ``root``'s ``tensor`` into ``tensor`` on every other rank, in place; returns it.

    Args:
        tensor: an EmberTensor of any shape, dtype and device, the same shape and dtype on
            every rank.
        root: the rank whose values are sent.

    Returns:
        ``tensor``, holding ``root``'s values.

    Raises:
        TypeError: ``[broadcast]`` for a non-tensor.
        ValueError: ``[broadcast]`` for a root outside ``[0, world_size())`` or shapes / dtypes
            that differ across ranks.
    """
    t = _as_tensor(tensor, "broadcast")
    init()
    if not 0 <= root < _world.size:
        raise ValueError(f"[broadcast] root must be in [0, {_world.size}), got {root}")
    if _world.size == 1:
        return t
    _check_same("broadcast", t)
    if t.device == "cpu" and t.is_contiguous():
        values, shared = _host_array(t)
    else:  # only the root reads its values back; the others just receive
        values = _host_array(t)[0] if _world.rank == root else np.empty(t.shape, dtype=np.dtype(t.dtype.name))
        shared = False
    _world.comm.Bcast(values.reshape(-1).view(np.uint8), root=root)
    if not shared and _world.rank != root:
        _write_back(t, values)
    return t


def all_gather(tensor: EmberTensor) -> EmberTensor:
    """Every rank's ``tensor``, stacked along a new first axis, on every rank.

    Args:
        tensor: an EmberTensor of shape ``S``, any dtype and device, the same shape and dtype
            on every rank.

    Returns:
        A new tensor of shape ``(world_size(), *S)`` with ``tensor``'s dtype and device;
        row ``r`` is rank ``r``'s tensor.

    Raises:
        TypeError: ``[all_gather]`` for a non-tensor.
        ValueError: ``[all_gather]`` for shapes / dtypes that differ across ranks.
    """
    t = _as_tensor(tensor, "all_gather")
    init()
    values, _ = _host_array(t)
    gathered = np.empty((_world.size, *values.shape), dtype=values.dtype)
    if _world.size == 1:
        gathered[0] = values
    else:
        _check_same("all_gather", t)
        _world.comm.Allgather(values.reshape(-1).view(np.uint8), gathered.reshape(-1).view(np.uint8))
    return convert_to_tensor(gathered, device=t.device)


def gather_metadata(obj: Any) -> list[Any]:
    """Every rank's ``obj`` (small, picklable metadata, e.g. parameter names and shapes), by rank."""
    init()
    return [obj] if _world.size == 1 else _world.comm.allgather(obj)


def all_reduce_flat(buffer: np.ndarray) -> None:
    """Sums a contiguous 1-D NumPy buffer over all ranks in place (no checks: the hot path of DDP)."""
    _world.comm.Allreduce(_world.mpi.IN_PLACE, buffer, op=_world.mpi.SUM)
