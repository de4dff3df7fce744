"""Splitting a dataset over ranks: :func:`shard` and :class:`DistributedSampler`.

Both drop the last ``N mod world_size`` rows (after shuffling) so that the shards never
overlap and every rank runs the same number of steps (a rank with one more batch would
wait forever in that batch's gradient all-reduce). Rank ``r`` takes every
``world_size``-th row of the (shuffled) order, from row ``r``: then local batch ``b`` of
size ``B`` on every rank together is exactly rows ``[b * B * W, (b + 1) * B * W)`` of that
order, the global batch a single process with batch ``B * W`` would take.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ember_ml._checks import check_min_int
from ember_ml.distributed import collectives


def shard_indices(n: int, rank: int | None = None, world_size: int | None = None, shuffle: bool = False,
                  seed: int = 0, epoch: int = 0) -> np.ndarray:
    """The row indices of one rank's shard of ``n`` rows.

    Args:
        n: number of rows.
        rank: the shard (default: this process's rank).
        world_size: number of shards (default: the world size).
        shuffle: permute the rows first, with ``np.random.default_rng([seed, epoch])`` (the
            same permutation on every rank).
        seed: shuffling seed (non-negative).
        epoch: shuffling epoch (non-negative), so every epoch gets another order.

    Returns:
        int64 array of ``n // world_size`` indices: positions ``rank, rank + W, ...`` of the
        (shuffled) order, disjoint across ranks.

    Raises:
        ValueError: ``[shard]`` for negative sizes, a rank outside ``[0, world_size)`` or
            fewer rows than ranks.
    """
    n = check_min_int("shard", "n", n, 0)
    w = collectives.world_size() if world_size is None else check_min_int("shard", "world_size", world_size, 1)
    r = collectives.rank() if rank is None else check_min_int("shard", "rank", rank, 0)
    if r >= w:
        raise ValueError(f"[shard] rank must be in [0, {w}), got {r}")
    if n < w:
        raise ValueError(f"[shard] cannot split {n} rows over {w} ranks without an empty shard")
    order = (np.random.default_rng([check_min_int("shard", "seed", seed, 0), check_min_int("shard", "epoch", epoch, 0)])
             .permutation(n) if shuffle else np.arange(n))
    return order[:n - n % w][r::w].astype(np.int64)


def shard(data: Any, rank: int | None = None, world_size: int | None = None, shuffle: bool = False,
          seed: int = 0) -> Any:
    """One rank's rows of ``data`` (see :func:`shard_indices`).

    Args:
        data: anything indexed by an integer array along its first axis (a NumPy array of
            shape ``(N, ...)``, an EmberTensor), or a list / tuple of such with the same ``N``.
        rank: the shard (default: this process's rank).
        world_size: number of shards (default: the world size).
        shuffle: permute the rows first (the same permutation on every rank).
        seed: shuffling seed.

    Returns:
        ``data[indices]`` (``(N // world_size, ...)``), or a list / tuple of those.

    Raises:
        ValueError: ``[shard]`` for sequences of different lengths, or bad sizes (see
            :func:`shard_indices`).
    """
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    lengths = {len(x) for x in items}
    if len(lengths) != 1:
        raise ValueError(f"[shard] every array must have the same number of rows, got lengths {sorted(lengths)}")
    indices = shard_indices(lengths.pop(), rank, world_size, shuffle, seed)
    parts = [x[indices] for x in items]
    return type(data)(parts) if isinstance(data, (list, tuple)) else parts[0]


class DistributedSampler:
    """The indices of this rank's rows, epoch by epoch (``torch.utils.data.DistributedSampler``).

    Iterating yields :func:`shard_indices` ``(len(dataset), rank, num_replicas, shuffle,
    seed, epoch)``; call :meth:`set_epoch` before each epoch to reshuffle (the same order on
    every rank). Unlike torch's default, the tail is dropped rather than padded with
    repeated rows, so the shards never overlap.

    Args:
        dataset: the number of rows, or anything with ``len()``.
        num_replicas: number of ranks (default: the world size).
        rank: this sampler's rank (default: this process's).
        shuffle: reshuffle every epoch (default True).
        seed: shuffling seed (default 0).

    Raises:
        ValueError: ``[DistributedSampler]`` for a rank outside ``[0, num_replicas)`` or fewer
            rows than ranks.
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0) -> None:
        self.n = dataset if isinstance(dataset, (int, np.integer)) else len(dataset)
        self.num_replicas = collectives.world_size() if num_replicas is None else num_replicas
        self.rank = collectives.rank() if rank is None else rank
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0
        try:
            shard_indices(self.n, self.rank, self.num_replicas)
        except ValueError as e:
            raise ValueError(str(e).replace("[shard]", "[DistributedSampler]")) from None

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch that seeds the next iteration's shuffle."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        return iter(shard_indices(self.n, self.rank, self.num_replicas, self.shuffle, self.seed, self.epoch).tolist())

    def __len__(self) -> int:
        return self.n // self.num_replicas
