"""Shared harness of the reproduction scripts: models, the training loop and the command line.

``make_model(task, model, seed)`` builds any model of the tables with its published
training settings (:class:`Config`); :func:`train_run` trains one seed with atomic
checkpoints after every epoch (``--resume`` continues an interrupted run), tests the best
validation epoch's weights; :func:`run_task` is the command line of ``walker2d.py`` /
``half_cheetah.py`` / ``japanese_vowels.py``: it also times the same configuration in
ncps.torch on a few batches and records each finished run (``report.py``).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable

import numpy as np
from tqdm import tqdm

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # train_forecast.py: the checkpoint helpers shared with the main demo
sys.path.insert(0, str(HERE))

import ember_ml as em  # noqa: E402
from ember_ml import ops, wirings  # noqa: E402
from ember_ml.nn import tensor as T  # noqa: E402
from ember_ml.nn.modules import Linear, Module  # noqa: E402
from ember_ml.ncps import CTRNN, LSTM, LTC, CfC  # noqa: E402
from ember_ml.training import Adam, AdamW, ExponentialDecay, clip_grad_norm  # noqa: E402
from train_forecast import optimizer_from_saved, optimizer_to_saveable, snapshot, write_json_atomic  # noqa: E402

from configs import CONFIGS, TASK_FEATURES, Config, batches_per_epoch  # noqa: E402
from data import Split, TaskData  # noqa: E402
from report import (RESULTS, append_result, ncps_torch_seconds_per_epoch, timed_seconds_per_epoch,  # noqa: E402
                    write_results_md)


class SequenceModel(Module):
    """A recurrent layer followed by a ``Linear`` read-out on every step, or, given a mask, on each
    sequence's last real step (``pool="last"``), on the mean of its real steps' outputs
    (``pool="mean"``) or on that mean concatenated with their element-wise maximum
    (``pool="meanmax"``, the read-out of ``2 * hidden`` features).

    ``forward(x (B, L, C), t (B, L) | None, mask (B, L) | None)`` → ``(B, L, out)``, or ``(B, out)``
    with a mask.
    """

    def __init__(self, rnn: Module, hidden: int, out: int, time_as_input: bool, pool: str = "last") -> None:
        super().__init__()
        self.rnn = rnn
        self.head = Linear(2 * hidden if pool == "meanmax" else hidden, out)
        self.time_as_input = time_as_input
        self.pool = pool

    def forward(self, x: Any, t: Any = None, mask: Any = None) -> Any:
        x = T.convert_to_tensor(x)
        if self.time_as_input:
            x = T.concatenate([x, T.expand_dims(T.convert_to_tensor(t), -1)], axis=-1)
            t = None
        out, _ = self.rnn(x, timespans=t, mask=mask)
        if mask is not None and self.pool in ("mean", "meanmax"):
            weights = T.expand_dims(T.convert_to_tensor(mask, dtype=out.dtype), -1)
            mean = ops.divide(ops.stats.sum(ops.multiply(out, weights), axis=1), ops.stats.sum(weights, axis=1))
            if self.pool == "mean":
                return self.head(mean)
            # Padded steps are pushed far below any output so that the maximum is over real steps.
            peak = ops.stats.max(ops.subtract(out, ops.multiply(ops.subtract(1.0, weights), 1e9)), axis=1)
            return self.head(T.concatenate([mean, peak], axis=-1))
        if mask is not None:
            # Masked steps repeat the previous output (Keras's semantics), so the last step holds
            # each sequence's output at its last real step.
            out = out[:, -1]
        return self.head(out)

    def regularization_loss(self) -> Any:
        """The recurrent layer's kernel L2 penalty (CfC with ``kernel_l2``), else 0.0."""
        return self.rnn.regularization_loss() if hasattr(self.rnn, "regularization_loss") else 0.0


def make_model(task: str, model: str, seed: int, fused: bool = True) -> tuple[SequenceModel, Config]:
    """Builds ``model`` of ``task`` (see ``CONFIGS``) with the global seed set to ``seed``.

    Args:
        task: ``walker2d``, ``half_cheetah`` or ``japanese_vowels``.
        model: a key of ``CONFIGS[task]``.
        seed: initialisation seed (``ember_ml.nn.tensor.set_seed``).
        fused: allow the fused sequence ops (False: the plain-op steps).

    Returns:
        ``(model, config)``.

    Raises:
        ValueError: an unknown task or model.
    """
    if task not in CONFIGS:
        raise ValueError(f"[make_model] unknown task {task!r}; valid: {', '.join(CONFIGS)}")
    if model not in CONFIGS[task]:
        raise ValueError(f"[make_model] unknown model {model!r} for {task}; valid: {', '.join(CONFIGS[task])}")
    cfg = CONFIGS[task][model]
    features = TASK_FEATURES[task]
    out = cfg.classes or features
    T.set_seed(seed)
    kwargs = dict(cfg.layer)
    units = kwargs.pop("units")
    if cfg.kind == "cfc":
        if kwargs.pop("wired", False):
            rnn = CfC(features, wirings.AutoNCP(units, out, seed=seed), fused=fused)
            return SequenceModel(rnn, out, out, False, cfg.pool), cfg
        if cfg.l2:
            kwargs["kernel_l2"] = cfg.l2
        rnn = CfC(features, units, fused=fused, **kwargs)
    elif cfg.kind == "ltc":
        rnn = LTC(features, units, fused=fused, **kwargs)
    elif cfg.kind == "lstm":
        rnn = LSTM(features + int(cfg.timespans), units)
    else:
        rnn = CTRNN(features, units, **kwargs)
    return SequenceModel(rnn, units, out, cfg.kind == "lstm" and cfg.timespans, cfg.pool), cfg


# ----------------------------------------------------------------------------- training

def batch_loss(model: SequenceModel, cfg: Config, split: Split, index: np.ndarray) -> Any:
    """Mean squared error (regression) or cross-entropy (classification) of one batch, a 0-d tensor."""
    t = None if split.t is None or not cfg.timespans else split.t[index]
    mask = None if split.mask is None else split.mask[index]
    pred = model(split.x[index], t, mask)
    target = T.convert_to_tensor(split.y[index])
    if cfg.classes:
        return ops.losses.sparse_categorical_crossentropy(target, pred, from_logits=True)
    return ops.mse(target, pred)


def evaluate(model: SequenceModel, cfg: Config, split: Split, batch: int = 512) -> tuple[float, float]:
    """``(score, loss)`` in eval mode: regression: both the MSE over all steps and features;
    classification: accuracy in % and the mean cross-entropy (the loss selects the best epoch:
    with few validation samples, accuracies tie)."""
    model.eval()
    total, loss, count = 0.0, 0.0, 0
    with ops.no_grad():
        for start in range(0, len(split.x), batch):
            index = np.arange(start, min(start + batch, len(split.x)))
            t = None if split.t is None or not cfg.timespans else split.t[index]
            mask = None if split.mask is None else split.mask[index]
            pred = model(split.x[index], t, mask).numpy()
            if cfg.classes:
                total += float((pred.argmax(-1) == split.y[index]).sum())
                shifted = pred - pred.max(-1, keepdims=True)
                log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
                loss -= float(log_probs[np.arange(len(index)), split.y[index]].sum())
            else:
                total += float(((pred - split.y[index]) ** 2).mean()) * len(index)
            count += len(index)
    model.train()
    return (100.0 * total / count, loss / count) if cfg.classes else (total / count, total / count)



@dataclass
class Progress:
    """What a run carries between epochs and across a resume."""

    epoch: int = 0
    best_val: float = float("nan")  # the validation score at the best epoch
    best_val_loss: float = float("inf")  # the validation loss that chose it
    best_epoch: int = 0
    train_losses: list[float] = field(default_factory=list)
    val_scores: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)


def save_checkpoint(path: pathlib.Path, model: Module, best: dict[str, np.ndarray], optimizer: Adam,
                    progress: Progress) -> None:
    """The whole training state in one atomic ``ops.save`` (a crash loses at most the current epoch)."""
    ops.save(path, {"model": model.state_dict(), "best_model": best, "optimizer": optimizer_to_saveable(optimizer),
                    "progress": np.frombuffer(json.dumps(asdict(progress)).encode(), np.uint8)})


def load_checkpoint(path: pathlib.Path, model: Module, optimizer: Adam) -> tuple[dict[str, np.ndarray], Progress]:
    """Restores :func:`save_checkpoint`'s state into ``model`` / ``optimizer``; returns the best weights and progress."""
    saved = ops.load(path)
    model.load_state_dict(saved["model"])
    optimizer_from_saved(optimizer, saved["optimizer"])
    progress = Progress(**json.loads(saved["progress"].numpy().tobytes().decode()))
    return {k: v.numpy() for k, v in saved["best_model"].items()}, progress


def train_step(model: SequenceModel, cfg: Config, split: Split, index: np.ndarray, optimizer: Adam,
               params: list[Any]) -> float:
    """One optimizer step on the samples ``index`` of ``split``: the loss (plus the kernel L2 penalty),
    backward, Keras's per-tensor ``clipnorm``, the update and LTC's explicit constraints.

    Returns:
        The batch's mean loss without the penalty.
    """
    loss = batch_loss(model, cfg, split, index)
    value = loss.item()
    if cfg.l2:
        loss = ops.add(loss, model.regularization_loss())
    optimizer.zero_grad()
    loss.backward()
    if cfg.clipnorm:
        for p in params:  # Keras's clipnorm clips each tensor's gradient by its own norm
            clip_grad_norm(p, cfg.clipnorm)
    optimizer.step()
    if cfg.constrain:
        model.rnn.apply_weight_constraints()
    return value


def ember_seconds_per_epoch(task: str, model_name: str, data: TaskData, batches: int = 10) -> float:
    """Seconds per epoch of ``model_name`` in Ember: :func:`train_step` (Adam) timed by
    :func:`report.timed_seconds_per_epoch`, as ncps.torch is, so that the two compare on an idle machine."""
    model, cfg = make_model(task, model_name, seed=0)
    params = list(model.parameters())
    optimizer = Adam(params, lr=cfg.lr, eps=1e-7)
    return timed_seconds_per_epoch(cfg, len(data.train.x),
                                   lambda index: train_step(model, cfg, data.train, index, optimizer, params), batches)


def retime(task: str, data: TaskData, folder: pathlib.Path = RESULTS) -> None:
    """Re-times Ember (``idle_s_per_epoch``) and ncps.torch (``ncps_s_per_epoch``) for every model recorded
    in ``folder/<task>.json``, one timing each, back to back (``RESULTS.md`` is rewritten when ``folder`` is
    ``RESULTS``): run on an otherwise idle machine, unlike the training runs whose median epochs are
    ``s_per_epoch``."""
    path = folder / f"{task}.json"
    runs = json.loads(path.read_text())
    names = sorted({r["model"] for r in runs})
    ember = {name: ember_seconds_per_epoch(task, name, data) for name in names}
    ncps = {name: ncps_torch_seconds_per_epoch(task, name, data) for name in names}
    for r in runs:
        r["idle_s_per_epoch"], r["ncps_s_per_epoch"] = ember[r["model"]], ncps[r["model"]]
    write_json_atomic(path, runs)
    if folder == RESULTS:
        write_results_md()


def train_run(task: str, model_name: str, seed: int, data: TaskData, run_dir: pathlib.Path, epochs: int | None = None,
              resume: bool = False, progress_bar: bool = True) -> tuple[dict[str, Any], SequenceModel]:
    """Trains one seed of one model, tests the best validation epoch's weights.

    Args:
        task, model_name, seed: see :func:`make_model`.
        data: the task's splits.
        run_dir: folder of this run's checkpoint (``checkpoint.npz``).
        epochs: override of the published epoch count (``--epochs``).
        resume: continue from ``run_dir/checkpoint.npz`` when it exists.
        progress_bar: show tqdm bars.

    Returns:
        ``(record, model)``: the run's record (test / best validation score, epochs, s/epoch
        (median), losses) and the model holding its best validation epoch's weights.
    """
    model, cfg = make_model(task, model_name, seed)
    epochs = cfg.epochs if epochs is None else epochs
    n = len(data.train.x)
    steps = batches_per_epoch(cfg, n)
    # Keras's epsilon, as both papers' scripts; decoupled weight decay (torch.optim.AdamW) where the config asks
    optimizer = (AdamW(model.parameters(), lr=cfg.lr, eps=1e-7, weight_decay=cfg.weight_decay) if cfg.weight_decay
                 else Adam(model.parameters(), lr=cfg.lr, eps=1e-7))
    schedule = ExponentialDecay(cfg.lr, steps, cfg.decay).scheduler(optimizer) if cfg.decay != 1.0 else None
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = run_dir / "checkpoint.npz"
    if resume and checkpoint.is_file():
        best, progress = load_checkpoint(checkpoint, model, optimizer)
        if schedule is not None:
            schedule = ExponentialDecay(cfg.lr, steps, cfg.decay).scheduler(optimizer, progress.epoch * steps - 1)
    else:
        best, progress = snapshot(model), Progress()
    params = list(model.parameters())
    bar = tqdm(range(progress.epoch, epochs), initial=progress.epoch, total=epochs, unit="epoch",
               desc=f"{task} {model_name} seed {seed}", disable=not progress_bar, leave=False)
    for epoch in bar:
        order = np.random.default_rng([seed, epoch]).permutation(n)  # a resumed run shuffles as an unbroken one
        start_time, total = time.perf_counter(), 0.0
        for b in range(steps):
            index = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            total += train_step(model, cfg, data.train, index, optimizer, params) * len(index)
            if schedule is not None:
                schedule.step()
        progress.epoch_seconds.append(time.perf_counter() - start_time)
        val, val_loss = evaluate(model, cfg, data.val)
        progress.epoch = epoch + 1
        progress.train_losses.append(total / (steps * cfg.batch_size if cfg.drop_last else n))
        progress.val_scores.append(val)
        if val_loss < progress.best_val_loss:
            progress.best_val, progress.best_val_loss, progress.best_epoch = val, val_loss, epoch + 1
            best = snapshot(model)
        save_checkpoint(checkpoint, model, best, optimizer, progress)
        bar.set_postfix(train=f"{progress.train_losses[-1]:.4f}", val=f"{val:.4f}", best=f"{progress.best_val:.4f}")
    bar.close()
    model.load_state_dict(best)
    return {"task": task, "model": model_name, "seed": seed, "epochs": progress.epoch,
            "test": evaluate(model, cfg, data.test)[0], "best_val": progress.best_val, "best_epoch": progress.best_epoch,
            "s_per_epoch": float(np.median(progress.epoch_seconds)) if progress.epoch_seconds else None,
            "train_losses": progress.train_losses, "val_scores": progress.val_scores,
            "backend": em.get_backend(), "params": model.count_params()}, model


# ----------------------------------------------------------------------------- command line

def parse_args(task: str, argv: list[str] | None, doc: str) -> argparse.Namespace:
    """The flags shared by the task scripts."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=[next(iter(CONFIGS[task]))], choices=tuple(CONFIGS[task]),
                        help=f"models to run (default {next(iter(CONFIGS[task]))})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds to run, one run each (default 0)")
    parser.add_argument("--epochs", type=int, default=None, help="override the published number of epochs")
    parser.add_argument("--backend", choices=("cpu", "opencl"), default=None, help="Ember ML backend")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 epochs on a slice of the data (results go to --out, not results/)")
    parser.add_argument("--resume", action="store_true", help="continue interrupted runs from their checkpoints")
    parser.add_argument("--out", type=pathlib.Path, default=None,
                        help="results and checkpoints folder (default: results in examples/reproduce/results, "
                             "checkpoints in out/reproduce/checkpoints)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--no-timing", action="store_true", help="skip the ncps.torch timing")
    return parser.parse_args(argv)


def quick_slice(data: TaskData, n_train: int = 64, n_eval: int = 32) -> TaskData:
    """The first windows of each split (``--quick``)."""
    return TaskData(data.train.take(slice(0, n_train)), data.val.take(slice(0, n_eval)),
                    data.test.take(slice(0, n_eval)))


def run_task(task: str, load: Callable[[], TaskData], argv: list[str] | None, doc: str) -> list[dict[str, Any]]:
    """Loads the task, runs every (model, seed) asked for, records each run as it finishes.

    Returns:
        The records of the runs made by this call.
    """
    args = parse_args(task, argv, doc)
    if args.backend is not None:
        em.set_backend(args.backend)
    data = load()
    print(f"{task}: {len(data.train.x)} / {len(data.val.x)} / {len(data.test.x)} train / validation / test "
          f"samples from {data.train.sources} / {data.val.sources} / {data.test.sources} sources, "
          f"x {tuple(data.train.x.shape[1:])}")
    out = args.out or RESULTS
    checkpoints = (args.out or HERE.parent.parent / "out" / "reproduce") / "checkpoints"  # out/ is git-ignored
    epochs = args.epochs
    if args.quick:
        data, epochs = quick_slice(data), args.epochs or 2
    records = []
    for model_name in args.models:
        for seed in args.seeds:
            cfg = CONFIGS[task][model_name]
            if args.quick:
                cfg_batch = min(cfg.batch_size, 16)
                CONFIGS[task][model_name] = replace(cfg, batch_size=cfg_batch)
            try:
                record, _ = train_run(task, model_name, seed, data, checkpoints / task / f"{model_name}-{seed}",
                                      epochs, args.resume, not args.no_progress)
                record["ncps_s_per_epoch"] = None if args.no_timing else ncps_torch_seconds_per_epoch(
                    task, model_name, data)
            finally:
                CONFIGS[task][model_name] = cfg
            record["quick"] = bool(args.quick)
            append_result(task, record, out)
            print(f"{task} {model_name} seed {seed}: test {record['test']:.4f} (best validation {record['best_val']:.4f} "
                  f"at epoch {record['best_epoch']} of {record['epochs']}), {record['s_per_epoch']:.2f} s/epoch"
                  + ("" if record["ncps_s_per_epoch"] is None else
                     f", ncps.torch {record['ncps_s_per_epoch']:.2f} s/epoch"))
            records.append(record)
    return records
