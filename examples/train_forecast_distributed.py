"""The CO2 forecast of ``train_forecast.py``, trained data-parallel over MPI.

Run from the repository root::

    mpirun -n 2 python examples/train_forecast_distributed.py            # 2 ranks
    mpirun -n 2 python examples/train_forecast_distributed.py --resume   # continue from the checkpoint
    python examples/train_forecast_distributed.py                        # 1 rank, no MPI needed

(as root, Open MPI also wants ``--allow-run-as-root``; with more ranks than cores,
``--oversubscribe``). Data, model, flags and outputs are those of ``train_forecast.py``,
whose functions this script reuses; ``--batch-size`` is the global batch, split evenly
over the ranks (it must be a multiple of the number of ranks).

Every rank holds a replica wrapped in :class:`ember_ml.distributed.DistributedDataParallel`
(rank 0's initial weights broadcast to all) and takes its :class:`DistributedSampler` share
of each epoch's shuffled training windows; ``loss.backward()`` averages the gradients over
the ranks, so every rank applies the same Adam step. The validation loss is computed on a
shard per rank and summed with ``all_reduce``, so every rank takes the same early-stopping
decision. Rank 0 alone prints, shows the progress bar, and writes the plot, the metrics, the
weights and the atomic checkpoint; ``--resume`` makes every rank read that checkpoint, so
with several hosts ``--out`` must be on a shared file system.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from typing import Any

import numpy as np
from tqdm import tqdm

import ember_ml as em
from ember_ml import distributed as dist
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import Module
from ember_ml.training import Adam, Optimizer

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from train_forecast import (  # noqa: E402
    MODELS, STRUCTURAL, Dataset, Progress, build_model, load_checkpoint, load_monthly_co2,
    make_dataset, parse_args, report, save_checkpoint, snapshot, write_json_atomic,
)


def validation_loss(model: Module, data: Dataset) -> float:
    """The validation MSE, each rank predicting its ``np.array_split`` part of the windows."""
    part = np.array_split(np.arange(len(data.val.x)), dist.world_size())[dist.rank()]
    sums = np.zeros(1, np.float64)
    with ops.no_grad():
        if len(part):
            output, _ = model(T.convert_to_tensor(data.val.x[part]))
            sums[0] = float(np.sum((output.numpy() - data.val.y[part]) ** 2))
    return dist.all_reduce(T.convert_to_tensor(sums), "sum").item() / len(data.val.x)


def train(args: argparse.Namespace, model: Module, optimizer: Optimizer, data: Dataset, progress: Progress,
          best_state: dict[str, np.ndarray], checkpoint_dir: pathlib.Path) -> dict[str, np.ndarray]:
    """Epochs ``progress.epoch + 1 .. args.epochs`` with early stopping; returns the best weights."""
    sampler = dist.DistributedSampler(len(data.train.x), shuffle=True, seed=args.seed)
    local_batch = args.batch_size // dist.world_size()
    main = dist.is_main_process()
    bar = tqdm(range(progress.epoch, args.epochs), initial=progress.epoch, total=args.epochs, unit="epoch",
               disable=args.no_progress or not main)
    for epoch in bar:
        if progress.bad_epochs >= args.patience:
            break
        sampler.set_epoch(epoch)  # seeded by (seed, epoch): a resumed run shuffles as an uninterrupted one
        rows = np.fromiter(sampler, np.int64)
        totals = np.zeros(1, np.float64)
        for start in range(0, len(rows), local_batch):
            batch = rows[start:start + local_batch]
            output, _ = model(T.convert_to_tensor(data.train.x[batch]))
            loss = ops.mse(T.convert_to_tensor(data.train.y[batch]), output)
            optimizer.zero_grad()
            loss.backward()  # averages the gradients over the ranks
            optimizer.step()
            totals[0] += loss.item() * len(batch)
        train_loss = dist.all_reduce(T.convert_to_tensor(totals), "sum").item() / (len(rows) * dist.world_size())
        val_loss = validation_loss(model, data)
        progress.epoch = epoch + 1
        progress.train_losses.append(train_loss)
        progress.val_losses.append(val_loss)
        if val_loss < progress.best_val:
            progress.best_val, progress.bad_epochs, best_state = val_loss, 0, snapshot(model)
        else:
            progress.bad_epochs += 1
        if main:
            save_checkpoint(checkpoint_dir, model, best_state, optimizer, progress)
        bar.set_postfix(train=f"{train_loss:.4f}", val=f"{val_loss:.4f}", best=f"{progress.best_val:.4f}")
    bar.close()
    return best_state


def check_resume(args: argparse.Namespace, checkpoint_dir: pathlib.Path, config: dict[str, Any]) -> str | None:
    """Why ``--resume`` cannot continue (no checkpoint, other settings), or None."""
    if not (checkpoint_dir / "checkpoint.npz").is_file():
        return f"--resume, but there is no checkpoint in {checkpoint_dir}"
    saved = json.loads((checkpoint_dir / "config.json").read_text())
    changed = {k: (saved[k], v) for k, v in config.items() if saved.get(k) != v}
    return f"--resume with other settings than the checkpoint's (saved, given): {changed}" if changed else None


def main(argv: list[str] | None = None) -> int:
    """Trains on every rank; rank 0 evaluates and writes the outputs. Returns the exit status."""
    args = parse_args(argv)
    dist.init()
    main_rank = dist.is_main_process()
    if args.batch_size % dist.world_size():
        if main_rank:
            print(f"error: --batch-size {args.batch_size} is not a multiple of the {dist.world_size()} ranks",
                  file=sys.stderr)
        return 2
    if args.backend is not None:
        em.set_backend(args.backend)
    checkpoint_dir = args.out / "checkpoint"
    config = {k: getattr(args, k) for k in STRUCTURAL}
    if args.resume:
        problem = check_resume(args, checkpoint_dir, config)
        if problem:
            if main_rank:
                print(f"error: {problem}", file=sys.stderr)
            return 2
    elif main_rank:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(checkpoint_dir / "config.json", config)

    data = make_dataset(*load_monthly_co2(), args.window, args.horizon)
    T.set_seed(args.seed)
    net = build_model(args.model, args.units, args.seed)
    optimizer = Adam(net.parameters(), lr=args.lr)
    title = f"AutoNCP({args.units}, 1) {MODELS[args.model].__name__}, {args.horizon}-month forecast"
    if args.resume:  # before wrapping: the wrapper then checks that the ranks loaded the same weights' shapes
        best_state, progress = load_checkpoint(checkpoint_dir, net, optimizer)
    else:
        best_state, progress = snapshot(net), Progress()
    model = dist.DistributedDataParallel(net)
    T.set_seed(dist.rank_seed(args.seed))  # each rank its own random stream (dropout, if any)
    if main_rank:
        print(f"{title} on backend '{em.get_backend()}', {dist.world_size()} rank(s): {net.count_params()} "
              f"parameters; {len(data.train.x)} / {len(data.val.x)} / {len(data.test.x)} train / validation / test "
              f"windows of {args.window} months; global batch {args.batch_size}")
        if args.resume:
            print(f"resumed after epoch {progress.epoch} (best validation loss {progress.best_val:.4f})")

    start = time.perf_counter()
    best_state = train(args, model, optimizer, data, progress, best_state, checkpoint_dir)
    elapsed = time.perf_counter() - start
    if not main_rank:
        return 0
    if progress.bad_epochs >= args.patience:
        print(f"early stopping: no better validation loss for {args.patience} epochs")
    net.load_state_dict(best_state)
    net.save_weights(args.out / "model.npz")
    report(args, net, data, progress, f"{title}, {dist.world_size()} rank(s)", elapsed,
           {"world_size": dist.world_size()})
    print(f"wrote {args.out / 'forecast.png'}, {args.out / 'metrics.json'}, {args.out / 'model.npz'}, "
          f"{checkpoint_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
