"""Data-parallel training over MPI (``ember_ml.distributed``; mpi4py + Open MPI).

Launch one process per rank with ``mpirun -n 4 python train.py`` (or ``srun``); a process
started without a launcher is a world of size 1 and needs no MPI. See
``docs/scaling.md`` (launching, hostfiles, Slurm, joblib sweeps)::

    from ember_ml import distributed as dist

    dist.init()
    model = dist.DistributedDataParallel(build_model())
    x_local, y_local = dist.shard((x, y), shuffle=True, seed=0)
    ...  # loss.backward() averages the gradients over the ranks
"""
from ember_ml.distributed.collectives import (
    all_gather,
    all_reduce,
    barrier,
    broadcast,
    init,
    is_main_process,
    launched_by_mpi,
    rank,
    rank_seed,
    world_size,
)
from ember_ml.distributed.data import DistributedSampler, shard, shard_indices
from ember_ml.distributed.parallel import DistributedDataParallel

__all__ = [
    "init", "rank", "world_size", "is_main_process", "launched_by_mpi", "barrier", "rank_seed",
    "all_reduce", "broadcast", "all_gather",
    "DistributedDataParallel", "DistributedSampler", "shard", "shard_indices",
]
