"""The main demo (``scripts/demo.sh``): a liquid network on Half-Cheetah next to the baselines a
practitioner would try first.

Run from the repository root::

    python examples/reproduce/demo.py                  # CfC, seed 0, default backend
    python examples/reproduce/demo.py --model ltc      # the LTC paper's model (about 4x slower)
    python examples/reproduce/demo.py --backend opencl --resume

It trains one model of ``harness.CONFIGS["half_cheetah"]`` with that task's protocol (the LTC
paper's: traces 15-24 train, 0-4 validation, 5-14 test, windows of 32, batch 16, up to 200
epochs, test MSE of the best validation epoch; ``data/half_cheetah/README.md``), scores the
naive (next frame = current frame) and ridge-AR forecasts on the same windows and split
(``baselines.py``), prints the three test MSEs and writes, in ``--out`` (default ``out/demo``):

* ``metrics.json``: the model's test and best validation MSE, its epochs and s/epoch, and the
  baselines' test and validation MSEs (ridge: its lags and alpha);
* ``forecast.png``: the first test window's next-step predictions of three joints by the model
  and the baselines against the truth, and the loss curves;
* ``checkpoints/``: the run's checkpoint after every epoch (atomic; ``--resume`` continues it).

The CO2 forecast (``examples/train_forecast.py``) is no longer the demo: there the best CfC
chosen on validation is on par with ridge AR, not better (see the README).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import ember_ml as em  # noqa: E402
from harness import quick_slice, train_run  # noqa: E402  (first: it puts examples/ on the path)

from baselines import fit_ridge_ar, lagged_features, mse  # noqa: E402
from configs import CONFIGS  # noqa: E402
from data import TaskData, load_half_cheetah  # noqa: E402
from report import write_json_atomic  # noqa: E402

TASK = "half_cheetah"
JOINTS = (0, 8, 12)  # three of the 17 observation channels, for the plot


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The demo's flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=("cfc", "ltc"), default="cfc", help="model (default cfc)")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    parser.add_argument("--epochs", type=int, default=None, help="override the protocol's 200 epochs")
    parser.add_argument("--backend", choices=("cpu", "opencl"), default=None, help="Ember ML backend")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/demo"), help="output folder")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 epochs on a slice of the data")
    return parser.parse_args(argv)


def plot(path: pathlib.Path, data: TaskData, forecasts: dict[str, np.ndarray], record: dict) -> None:
    """Writes the first test window's forecasts of ``JOINTS`` and the loss curves to ``path`` (PNG).

    ``forecasts``: name → ``(L, 17)`` next-step predictions of test window 0.
    """
    fig, axes = plt.subplots(len(JOINTS) + 1, 1, figsize=(10, 3 * (len(JOINTS) + 1)))
    steps = np.arange(data.test.y.shape[1])
    for ax, joint in zip(axes, JOINTS):
        ax.plot(steps, data.test.y[0, :, joint], "k-", label="truth")
        for (name, values), style in zip(forecasts.items(), ("C0-", "C1:", "C2--")):
            ax.plot(steps, values[:, joint], style, label=name)
        ax.set_ylabel(f"channel {joint}")
    axes[0].set_title(f"Half-Cheetah, first test window: next-step forecasts ({record['model']}, seed "
                      f"{record['seed']})")
    axes[0].legend()
    epochs = np.arange(1, len(record["train_losses"]) + 1)
    axes[-1].semilogy(epochs, record["train_losses"], label="train")
    axes[-1].semilogy(epochs, record["val_scores"], label="validation")
    axes[-1].set_xlabel("epoch")
    axes[-1].set_ylabel("MSE")
    axes[-1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    """Trains the model, scores it and the baselines, writes ``metrics.json`` and ``forecast.png``.

    Returns:
        The metrics written to ``metrics.json``.
    """
    args = parse_args(argv)
    if args.backend is not None:
        em.set_backend(args.backend)
    data, epochs = load_half_cheetah(), args.epochs
    if args.quick:
        data, epochs = quick_slice(data), args.epochs or 2
    ridge, lags, ridge_val = fit_ridge_ar(data)
    ridge_test = ridge.predict(lagged_features(data.test, lags)).reshape(data.test.y.shape)
    record, model = train_run(TASK, args.model, args.seed, data, args.out / "checkpoints", epochs,
                              args.resume, not args.no_progress)
    metrics = {"model": args.model, "seed": args.seed, "backend": em.get_backend(), "epochs": record["epochs"],
               "s_per_epoch": record["s_per_epoch"], "test_mse": record["test"], "val_mse": record["best_val"],
               "naive_test_mse": mse(data.test.x, data.test), "naive_val_mse": mse(data.val.x, data.val),
               "ridge_ar_test_mse": mse(ridge_test, data.test), "ridge_ar_val_mse": ridge_val,
               "ridge_ar_lags": lags, "ridge_ar_alpha": ridge.alpha,
               "published_ltc_test_mse": CONFIGS[TASK]["ltc"].published}
    args.out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(args.out / "metrics.json", metrics)
    window = data.test.take(slice(0, 1))
    plot(args.out / "forecast.png", data,
         {args.model: model(window.x).numpy()[0], "ridge AR": ridge_test[0], "naive": data.test.x[0]}, record)
    print(f"Half-Cheetah test MSE: {args.model} {metrics['test_mse']:.3f}, ridge AR {metrics['ridge_ar_test_mse']:.3f} "
          f"(p={lags}), naive {metrics['naive_test_mse']:.3f}; LTC paper: {metrics['published_ltc_test_mse']}")
    print(f"wrote {args.out / 'metrics.json'} and {args.out / 'forecast.png'}")
    print(json.dumps(metrics, indent=1))
    return metrics


if __name__ == "__main__":
    main()
    sys.exit(0)
