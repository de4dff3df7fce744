"""Forecast the Mauna Loa CO2 record with an NCP-wired liquid network (CfC or LTC).

Run from the repository root::

    python examples/train_forecast.py                   # AutoNCP-wired CfC, default backend
    python examples/train_forecast.py --model ltc       # AutoNCP-wired LTC
    python examples/train_forecast.py --backend opencl  # on the OpenCL backend
    python examples/train_forecast.py --resume          # continue from out/forecast/checkpoint

Data: ``examples/data/co2.csv`` (weekly, 1958-2001; see ``examples/data/README.md`` for
its source and licence), averaged per calendar month (months without any value are
linearly interpolated): 526 monthly values in ppm.

Task: from the last ``--window`` monthly changes ``y[t-k+1] - y[t-k]`` predict the change
``y[t+h] - y[t]`` over the next ``--horizon`` months; the forecast is ``y[t]`` plus the
predicted change. Predicting the change rather than the level is what makes the naive
last-value forecast (``y[t+h] = y[t]``) a fair baseline: it is the model that predicts no
change. Inputs and targets are standardised with statistics of the training part only.
Samples are split by time (first 70% train, next 15% validation, last 15% test).

Training: the AutoNCP(``--units``, 1) wiring drives a CfC (default) or LTC layer that reads
the window and returns the last step's motor neuron, by default through an affine read-out
(``--readout linear``: a CfC state lies in (-1, 1), which bounds the forecast otherwise);
Adam on the MSE; a tqdm bar per epoch; early stopping when the validation loss has not
improved for ``--patience`` epochs, keeping the best weights.

Baselines, on the same windows and split: naive (last value), seasonal naive (the same month
a year before) and a ridge autoregression on the same standardised lagged changes
(scikit-learn ``Ridge``, alpha chosen on validation). They are printed, plotted and saved
next to the model: a liquid network is only worth its cost if it beats the linear model.

Default settings, chosen by validation MSE only (mean over seeds 0-2) among CfC read-outs
motor / linear, 8 / 16 / 32 units, windows 12 / 24 / 36, lr 0.01 / 0.005 / 0.003, batch 16 / 32
and LTC 16 / 32 units: CfC, linear read-out, 16 units, window 24, lr 0.01, batch 16, patience
20. With them the test MSE (seeds 0-2) is 0.108 / 0.109 / 0.092 ppm^2 against 0.107 for ridge
AR: on par with the linear model, not clearly better (the motor read-out gave 0.22).

Outputs (in ``--out``, default ``out/forecast``):

* ``forecast.png``: test forecast vs truth and the three baselines, and the loss curves;
* ``metrics.json``: test and validation MSE of the model and of each baseline (``*_naive_mse``,
  ``*_seasonal_naive_mse``, ``*_ridge_ar_mse``; ppm^2) and the ridge ``alpha``;
* ``model.npz``: the best weights (``model.load_weights``);
* ``checkpoint/checkpoint.npz`` and ``checkpoint/config.json``: written after every epoch
  (weights, best weights, optimizer state, epoch, best validation loss, loss history) by
  atomic writes; ``--resume`` continues from them up to ``--epochs`` in total.

Flags: ``--model {cfc,ltc} --units --readout {motor,linear} --window --horizon --epochs
--batch-size --lr --patience --seed --backend {cpu,opencl} --out --resume --no-progress``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import ember_ml as em  # noqa: E402
from ember_ml import ops, wirings  # noqa: E402
from ember_ml.nn import tensor as T  # noqa: E402
from ember_ml.ncps import LTC, CfC  # noqa: E402
from ember_ml.nn.modules import Module  # noqa: E402
from ember_ml.nn.tensor import EmberTensor  # noqa: E402
from ember_ml.training import Adam, Optimizer  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent / "data" / "co2.csv"
MODELS = {"cfc": CfC, "ltc": LTC}
SEASON = 12  # months
BASELINE_LABELS = {"naive": "naive (last value)", "seasonal_naive": "seasonal naive (a year before)",
                   "ridge_ar": "ridge AR (same windows)"}
RIDGE_ALPHAS = (0.01, 0.1, 1.0, 10.0, 100.0)
# Arguments that fix the model, the data or the optimizer; a resumed run must use the same ones.
STRUCTURAL = ("model", "units", "readout", "window", "horizon", "seed", "batch_size", "lr")


def load_monthly_co2(path: pathlib.Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """Reads the weekly CSV and averages it per calendar month.

    Args:
        path: CSV with columns ``date`` (YYYYMMDD) and ``co2`` (ppm; empty when missing).

    Returns:
        ``(months, values)``: ``datetime64[M]`` of every month from the first to the last
        row, and float64 monthly means in ppm; months without any weekly value are filled
        by linear interpolation over time.
    """
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    weeks = np.array([f"{r['date'][:4]}-{r['date'][4:6]}-{r['date'][6:]}" for r in rows], dtype="datetime64[D]")
    weekly = np.array([float(r["co2"]) if r["co2"] else np.nan for r in rows])
    week_months = weeks.astype("datetime64[M]")
    months = np.arange(week_months[0], week_months[-1] + 1)
    sums = np.zeros(len(months))
    counts = np.zeros(len(months))
    present = ~np.isnan(weekly)
    index = (week_months - months[0]).astype(int)
    np.add.at(sums, index[present], weekly[present])
    np.add.at(counts, index[present], 1)
    values = np.divide(sums, counts, out=np.full(len(months), np.nan), where=counts > 0)
    missing = np.isnan(values)
    t = months.astype(float)
    values[missing] = np.interp(t[missing], t[~missing], values[~missing])
    return months, values


@dataclass
class Split:
    """One part of the data: standardised model inputs / targets and what is needed to score them."""

    x: np.ndarray  # (N, window, 1) float32, standardised monthly changes
    y: np.ndarray  # (N, 1) float32, standardised change over the horizon
    last: np.ndarray  # (N,) the last observed value y[t] (ppm)
    truth: np.ndarray  # (N,) the value to forecast y[t + horizon] (ppm)
    months: np.ndarray  # (N,) the month of y[t + horizon]
    seasonal: np.ndarray | None = None  # (N,) y[t + horizon - 12]: the seasonal-naive forecast (ppm)


@dataclass
class Dataset:
    """Train / validation / test splits and the target scaling (to map predictions back to ppm)."""

    train: Split
    val: Split
    test: Split
    y_mean: float
    y_std: float


def make_dataset(months: np.ndarray, values: np.ndarray, window: int, horizon: int,
                 fractions: tuple[float, float] = (0.7, 0.15)) -> Dataset:
    """Builds windowed samples and splits them by time.

    Args:
        months: month of each value.
        values: the monthly series (ppm).
        window: number of past monthly changes in each input.
        horizon: months ahead to forecast.
        fractions: train and validation shares of the samples; the rest is the test part.

    Returns:
        The three splits, standardised with the training part's mean and standard deviation.
    """
    changes = np.diff(values)  # changes[k] = values[k + 1] - values[k]
    ends = np.arange(window, len(values) - horizon)  # t: the last observed month of each sample
    x = np.stack([changes[t - window:t] for t in ends])[..., None]
    y = (values[ends + horizon] - values[ends])[:, None]
    n_train = int(len(ends) * fractions[0])
    n_val = int(len(ends) * fractions[1])
    parts = (slice(0, n_train), slice(n_train, n_train + n_val), slice(n_train + n_val, len(ends)))
    x_mean, x_std = x[parts[0]].mean(), x[parts[0]].std()
    y_mean, y_std = float(y[parts[0]].mean()), float(y[parts[0]].std())

    def split(part: slice) -> Split:
        # the same calendar month one year before the target, or the last value when it is not observed yet
        season = ends[part] + horizon - SEASON
        seasonal = np.where(season <= ends[part], values[np.clip(season, 0, None)], values[ends[part]])
        return Split(((x[part] - x_mean) / x_std).astype(np.float32), ((y[part] - y_mean) / y_std).astype(np.float32),
                     values[ends[part]], values[ends[part] + horizon], months[ends[part] + horizon], seasonal)

    return Dataset(*(split(p) for p in parts), y_mean, y_std)


def build_model(kind: str, units: int, seed: int, readout: str = "motor") -> Module:
    """An AutoNCP(``units``, 1)-wired CfC or LTC layer reading one feature and returning the last step.

    Args:
        kind: ``cfc`` or ``ltc``.
        units: AutoNCP neurons.
        seed: wiring seed.
        readout: ``motor`` (the motor neuron's state; a CfC state lies in (-1, 1), an LTC's passes
            through its affine output mapping) or ``linear`` (a CfC with ``proj_size=1``: an affine
            map of the motor neuron, so that the forecast is not bounded by the state's range).

    Raises:
        ValueError: ``linear`` with an LTC (its output mapping is already affine).
    """
    if readout == "linear" and kind != "cfc":
        raise ValueError(f"[build_model] readout 'linear' is for the CfC; the {kind.upper()} output mapping is "
                         f"already affine")
    proj = {"proj_size": 1} if readout == "linear" else {}
    return MODELS[kind](1, wirings.AutoNCP(units, 1, seed=seed), return_sequences=False, **proj)


def predict(model: Module, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Standardised predictions ``(N, 1)`` without recording gradients."""
    outputs = []
    with ops.no_grad():
        for start in range(0, len(x), batch_size):
            output, _ = model(T.convert_to_tensor(x[start:start + batch_size]))
            outputs.append(output.numpy())
    return np.concatenate(outputs)


def forecast_ppm(model: Module, data: Dataset, split: Split) -> np.ndarray:
    """The model's forecast of ``split.truth`` in ppm: last value plus the predicted change."""
    return split.last + predict(model, split.x)[:, 0] * data.y_std + data.y_mean


def baseline_forecasts(data: Dataset) -> tuple[dict[str, dict[str, np.ndarray]], float]:
    """The baselines' forecasts (ppm) of the validation and test targets, on the model's windows and split.

    * ``naive``: the last value, ``y[t]`` (no change);
    * ``seasonal_naive``: the value of the same month a year before the target, ``y[t + h - 12]``
      (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., section 5.2);
    * ``ridge_ar``: a linear autoregression, scikit-learn's ``Ridge`` fitted on the training
      windows (the same standardised lagged changes and target as the model); its ``alpha`` is
      the one of ``RIDGE_ALPHAS`` with the lowest validation MSE.

    Returns:
        ``({name: {"val": (N_val,), "test": (N_test,)}}, ridge alpha)``.
    """
    from sklearn.linear_model import Ridge

    def flat(split: Split) -> np.ndarray:
        return split.x.reshape(len(split.x), -1)

    def ridge_ppm(ridge: Ridge, split: Split) -> np.ndarray:
        return split.last + ridge.predict(flat(split)) * data.y_std + data.y_mean

    fits = {alpha: Ridge(alpha=alpha).fit(flat(data.train), data.train.y[:, 0]) for alpha in RIDGE_ALPHAS}
    alpha = min(fits, key=lambda a: float(np.mean((ridge_ppm(fits[a], data.val) - data.val.truth) ** 2)))
    splits = {"val": data.val, "test": data.test}
    return {"naive": {k: s.last for k, s in splits.items()},
            "seasonal_naive": {k: s.seasonal for k, s in splits.items()},
            "ridge_ar": {k: ridge_ppm(fits[alpha], s) for k, s in splits.items()}}, alpha


# --- checkpoints: one .npz (ops.save: atomic, no pickle) plus the run's config as JSON ---

def optimizer_to_saveable(optimizer: Optimizer) -> dict[str, Any]:
    """``optimizer.state_dict()`` as nested string-keyed dicts of arrays, which ``ops.save`` writes."""
    state = optimizer.state_dict()
    per_param = {}
    for index, entries in state["state"].items():
        tensors = {k: v for k, v in entries.items() if isinstance(v, EmberTensor)}
        scalars = {k: np.asarray(v) for k, v in entries.items() if not isinstance(v, EmberTensor)}
        per_param[str(index)] = {"tensors": tensors, "scalars": scalars}
    # Hyper-parameters (lr, betas, ...) are numbers or tuples of numbers: 0-d and 1-d arrays.
    groups = {str(i): {k: np.asarray(v) for k, v in g.items() if k != "params"}
              for i, g in enumerate(state["param_groups"])}
    return {"state": per_param, "param_groups": groups}


def optimizer_from_saved(optimizer: Optimizer, saved: dict[str, Any]) -> None:
    """Restores what :func:`optimizer_to_saveable` wrote into an optimizer over the same parameters."""
    groups = optimizer.state_dict()["param_groups"]  # the parameter indices of this optimizer
    for i, group in enumerate(groups):
        group.update({k: v.item() if v.ndim == 0 else tuple(v.tolist())
                      for k, v in saved["param_groups"][str(i)].items()})
    state = {int(index): {**entry["tensors"], **{k: v.item() for k, v in entry["scalars"].items()}}
             for index, entry in saved["state"].items()}
    optimizer.load_state_dict({"state": state, "param_groups": groups})


@dataclass
class Progress:
    """What the training loop carries between epochs (and across a resume)."""

    epoch: int = 0  # epochs completed
    best_val: float = float("inf")
    bad_epochs: int = 0  # epochs since the best validation loss
    train_losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)


def write_json_atomic(path: pathlib.Path, obj: Any) -> None:
    """Writes ``obj`` as JSON through a temporary file and ``os.replace``, so readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def save_checkpoint(folder: pathlib.Path, model: Module, best_state: dict[str, np.ndarray],
                    optimizer: Optimizer, progress: Progress) -> None:
    """Writes the whole training state to ``folder/checkpoint.npz`` in one atomic ``ops.save``."""
    ops.save(folder / "checkpoint.npz", {
        "model": model.state_dict(),
        "best_model": best_state,
        "optimizer": optimizer_to_saveable(optimizer),
        "progress": {"epoch": np.asarray(progress.epoch, np.int64),
                     "best_val": np.asarray(progress.best_val, np.float64),
                     "bad_epochs": np.asarray(progress.bad_epochs, np.int64),
                     "train_losses": np.asarray(progress.train_losses, np.float64),
                     "val_losses": np.asarray(progress.val_losses, np.float64)},
    })


def load_checkpoint(folder: pathlib.Path, model: Module,
                    optimizer: Optimizer) -> tuple[dict[str, np.ndarray], Progress]:
    """Restores model and optimizer from ``folder/checkpoint.npz``; returns the best weights and the progress."""
    saved = ops.load(folder / "checkpoint.npz")
    model.load_state_dict(saved["model"])
    optimizer_from_saved(optimizer, saved["optimizer"])
    p = saved["progress"]
    progress = Progress(int(p["epoch"].item()), float(p["best_val"].item()), int(p["bad_epochs"].item()),
                        p["train_losses"].tolist(), p["val_losses"].tolist())
    return {k: v.numpy() for k, v in saved["best_model"].items()}, progress


def snapshot(model: Module) -> dict[str, np.ndarray]:
    """Copies of the model's weights (``state_dict`` shares memory with the model)."""
    return {k: np.array(v.numpy()) for k, v in model.state_dict().items()}


def train(args: argparse.Namespace, model: Module, optimizer: Optimizer, data: Dataset,
          progress: Progress, best_state: dict[str, np.ndarray], checkpoint_dir: pathlib.Path) -> dict[str, np.ndarray]:
    """Runs epochs ``progress.epoch + 1 .. args.epochs`` with early stopping; returns the best weights."""
    n = len(data.train.x)
    bar = tqdm(range(progress.epoch, args.epochs), initial=progress.epoch, total=args.epochs, unit="epoch",
               disable=args.no_progress)
    for epoch in bar:
        if progress.bad_epochs >= args.patience:
            break
        # Seeding by (seed, epoch) makes a resumed run shuffle exactly as an uninterrupted one.
        order = np.random.default_rng([args.seed, epoch]).permutation(n)
        total = 0.0
        for start in range(0, n, args.batch_size):
            batch = order[start:start + args.batch_size]
            output, _ = model(T.convert_to_tensor(data.train.x[batch]))
            loss = ops.mse(T.convert_to_tensor(data.train.y[batch]), output)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        val_loss = float(np.mean((predict(model, data.val.x) - data.val.y) ** 2))
        progress.epoch = epoch + 1
        progress.train_losses.append(total / n)
        progress.val_losses.append(val_loss)
        if val_loss < progress.best_val:
            progress.best_val, progress.bad_epochs, best_state = val_loss, 0, snapshot(model)
        else:
            progress.bad_epochs += 1
        save_checkpoint(checkpoint_dir, model, best_state, optimizer, progress)
        bar.set_postfix(train=f"{total / n:.4f}", val=f"{val_loss:.4f}", best=f"{progress.best_val:.4f}")
    bar.close()
    return best_state


def plot(path: pathlib.Path, data: Dataset, forecast: np.ndarray, progress: Progress, title: str,
         baselines: dict[str, np.ndarray] | None = None) -> None:
    """Writes the test forecast vs truth (and the baselines' test forecasts) and the loss curves to ``path`` (PNG)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    dates = data.test.months.astype("datetime64[D]").astype(object)
    top.plot(dates, data.test.truth, "k-", label="observed")
    top.plot(dates, forecast, "C0-", label="model forecast")
    baselines = {"naive": data.test.last} if baselines is None else baselines
    for (name, values), style in zip(baselines.items(), ("C1:", "C2--", "C3-.")):
        top.plot(dates, values, style, label=BASELINE_LABELS[name])
    top.set_ylabel("CO2 (ppm)")
    top.set_title(f"{title}: test period")
    top.legend()
    epochs = np.arange(1, len(progress.train_losses) + 1)
    bottom.semilogy(epochs, progress.train_losses, label="train")
    bottom.semilogy(epochs, progress.val_losses, label="validation")
    bottom.set_xlabel("epoch")
    bottom.set_ylabel("MSE (standardised)")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line flags (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=tuple(MODELS), default="cfc", help="liquid layer (default cfc)")
    parser.add_argument("--units", type=int, default=16, help="AutoNCP neurons (default 16)")
    parser.add_argument("--readout", choices=("motor", "linear"), default=None,
                        help="motor neuron state, or an affine map of it (CfC only; default: linear for the CfC, "
                             "motor for the LTC, whose output mapping is affine already)")
    parser.add_argument("--window", type=int, default=24, help="months of past changes per input (default 24)")
    parser.add_argument("--horizon", type=int, default=1, help="months ahead to forecast (default 1)")
    parser.add_argument("--epochs", type=int, default=200, help="maximum number of epochs in total (default 200)")
    parser.add_argument("--batch-size", type=int, default=16, help="default 16")
    parser.add_argument("--lr", type=float, default=1e-2, help="Adam learning rate (default 0.01)")
    parser.add_argument("--patience", type=int, default=20,
                        help="stop after this many epochs without a better validation loss (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="wiring, initialisation and shuffling seed")
    parser.add_argument("--backend", choices=("cpu", "opencl"), default=None,
                        help="Ember ML backend (default: the usual selection, see ember_ml.set_backend)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/forecast"), help="output folder")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    args.readout = args.readout or ("linear" if args.model == "cfc" else "motor")
    return args


def report(args: argparse.Namespace, model: Module, data: Dataset, progress: Progress, title: str, elapsed: float,
           extra: dict[str, Any] | None = None) -> None:
    """Evaluates the best model and the baselines on the validation and test months, writes
    ``metrics.json`` (plus ``extra``) and ``forecast.png`` in ``args.out``, and prints the comparison."""
    metrics: dict[str, Any] = {"epochs": progress.epoch, "train_seconds": round(elapsed, 2), **(extra or {})}
    splits = {"val": data.val, "test": data.test}
    forecasts = {name: forecast_ppm(model, data, split) for name, split in splits.items()}
    baselines, alpha = baseline_forecasts(data)
    for name, split in splits.items():
        metrics[f"{name}_mse"] = float(np.mean((forecasts[name] - split.truth) ** 2))
        for baseline, values in baselines.items():
            metrics[f"{name}_{baseline}_mse"] = float(np.mean((values[name] - split.truth) ** 2))
    metrics["ridge_alpha"] = alpha
    write_json_atomic(args.out / "metrics.json", metrics)
    plot(args.out / "forecast.png", data, forecasts["test"], progress, title,
         {name: values["test"] for name, values in baselines.items()})
    print(f"trained {progress.epoch} epochs ({elapsed:.1f} s this run)")
    print(f"test MSE: {metrics['test_mse']:.4f} ppm^2 (naive last-value baseline: "
          f"{metrics['test_naive_mse']:.4f} ppm^2)")
    for baseline in ("seasonal_naive", "ridge_ar"):
        print(f"  {BASELINE_LABELS[baseline]}: test MSE {metrics[f'test_{baseline}_mse']:.4f} ppm^2 "
              f"(validation {metrics[f'val_{baseline}_mse']:.4f})")
    best = min(("model", *baselines), key=lambda k: metrics["val_mse" if k == "model" else f"val_{k}_mse"])
    print(f"validation MSE {metrics['val_mse']:.4f} ppm^2; lowest validation MSE: "
          f"{'the model' if best == 'model' else BASELINE_LABELS[best]}")


def main(argv: list[str] | None = None) -> int:
    """Trains, evaluates against the naive baseline, writes the outputs; returns the exit status."""
    args = parse_args(argv)
    if args.backend is not None:
        em.set_backend(args.backend)
    checkpoint_dir = args.out / "checkpoint"
    config = {k: getattr(args, k) for k in STRUCTURAL}
    if args.resume:
        if not (checkpoint_dir / "checkpoint.npz").is_file():
            print(f"error: --resume, but there is no checkpoint in {checkpoint_dir}", file=sys.stderr)
            return 2
        saved_config = json.loads((checkpoint_dir / "config.json").read_text())
        changed = {k: (saved_config[k], v) for k, v in config.items() if saved_config.get(k) != v}
        if changed:
            print(f"error: --resume with other settings than the checkpoint's (saved, given): {changed}",
                  file=sys.stderr)
            return 2
    else:
        checkpoint_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(checkpoint_dir / "config.json", config)

    data = make_dataset(*load_monthly_co2(), args.window, args.horizon)
    T.set_seed(args.seed)
    model = build_model(args.model, args.units, args.seed, args.readout)
    optimizer = Adam(model.parameters(), lr=args.lr)
    title = f"AutoNCP({args.units}, 1) {MODELS[args.model].__name__}, {args.horizon}-month forecast"
    print(f"{title} on backend '{em.get_backend()}': {model.count_params()} parameters; "
          f"{len(data.train.x)} / {len(data.val.x)} / {len(data.test.x)} train / validation / test windows "
          f"of {args.window} months")
    if args.resume:
        best_state, progress = load_checkpoint(checkpoint_dir, model, optimizer)
        print(f"resumed after epoch {progress.epoch} (best validation loss {progress.best_val:.4f})")
    else:
        best_state, progress = snapshot(model), Progress()

    start = time.perf_counter()
    best_state = train(args, model, optimizer, data, progress, best_state, checkpoint_dir)
    elapsed = time.perf_counter() - start
    if progress.bad_epochs >= args.patience:
        print(f"early stopping: no better validation loss for {args.patience} epochs")
    model.load_state_dict(best_state)
    model.save_weights(args.out / "model.npz")

    report(args, model, data, progress, title, elapsed)
    print(f"wrote {args.out / 'forecast.png'}, {args.out / 'metrics.json'}, {args.out / 'model.npz'}, "
          f"{checkpoint_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
