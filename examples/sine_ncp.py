"""The ncps quick start in Ember ML: an AutoNCP(16, 1)-wired LTC (and CfC) fits a sine wave.

Run from the repository root::

    python examples/sine_ncp.py                 # LTC, then CfC, 400 epochs each
    python examples/sine_ncp.py --model ltc     # one of them
    python examples/sine_ncp.py --backend opencl

As in the ncps README's example: the input is one sequence of N = 48 steps with the two
features ``sin(t)`` and ``cos(t)`` for ``t`` evenly spaced in ``[0, 3 pi]``; the target is
``sin(2 t)``; the model is ``LTC(2, AutoNCP(16, 1))`` (or ``CfC``), trained with Adam
(lr 0.01) on the MSE for 400 epochs of one full-batch step each, with the gradient norm
clipped to 1 (the example's ``gradient_clip_val=1``). The loss falls below 1e-3.

Writes ``OUT/sine_ncp.png`` (target and each model's prediction, and the loss curves;
``--out`` defaults to ``out/sine_ncp``) and prints each model's final loss.

Flags: ``--model {ltc,cfc,both} --epochs --lr --seed --backend {cpu,opencl} --out --no-progress``.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import ember_ml as em  # noqa: E402
from ember_ml import ops, wirings  # noqa: E402
from ember_ml.nn import tensor as T  # noqa: E402
from ember_ml.ncps import LTC, CfC  # noqa: E402
from ember_ml.training import Adam, clip_grad_norm  # noqa: E402

N = 48
MODELS = {"ltc": LTC, "cfc": CfC}


def sine_data() -> tuple[np.ndarray, np.ndarray]:
    """The quick start's data: inputs ``(1, N, 2)`` = (sin t, cos t) and targets ``(1, N, 1)`` = sin 2t."""
    t = np.linspace(0, 3 * np.pi, N)
    x = np.stack([np.sin(t), np.cos(t)], axis=1)[None].astype(np.float32)
    y = np.sin(2 * t).reshape(1, N, 1).astype(np.float32)
    return x, y


def fit(kind: str, x: np.ndarray, y: np.ndarray, epochs: int, lr: float, seed: int,
        progress: bool) -> tuple[list[float], np.ndarray]:
    """Trains one model; returns the loss of every epoch and the final prediction ``(N,)``."""
    T.set_seed(seed)
    model = MODELS[kind](2, wirings.AutoNCP(16, 1, seed=seed), batch_first=True)
    optimizer = Adam(model.parameters(), lr=lr)
    inputs, targets = T.convert_to_tensor(x), T.convert_to_tensor(y)
    losses = []
    bar = tqdm(range(epochs), desc=MODELS[kind].__name__, unit="epoch", disable=not progress)
    for _ in bar:
        prediction, _ = model(inputs)
        loss = ops.mse(targets, prediction)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.2e}")
    with ops.no_grad():
        prediction, _ = model(inputs)
    losses.append(ops.mse(targets, prediction).item())  # the loss after the last update
    return losses, prediction.numpy()[0, :, 0]


def main(argv: list[str] | None = None) -> int:
    """Trains the chosen models, prints their final losses and writes the plot; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=(*MODELS, "both"), default="both", help="default both (LTC, then CfC)")
    parser.add_argument("--epochs", type=int, default=400, help="default 400")
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    parser.add_argument("--seed", type=int, default=22222, help="wiring and initialisation seed (ncps's default)")
    parser.add_argument("--backend", choices=("cpu", "opencl"), default=None,
                        help="Ember ML backend (default: the usual selection, see ember_ml.set_backend)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("out/sine_ncp"), help="output folder")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.backend is not None:
        em.set_backend(args.backend)
    args.out.mkdir(parents=True, exist_ok=True)

    x, y = sine_data()
    kinds = tuple(MODELS) if args.model == "both" else (args.model,)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7))
    top.plot(y[0, :, 0], "k--", label="target sin(2t)")
    for kind in kinds:
        name = MODELS[kind].__name__
        losses, prediction = fit(kind, x, y, args.epochs, args.lr, args.seed, not args.no_progress)
        print(f"{name}: final loss {losses[-1]:.3e} after {args.epochs} epochs on backend '{em.get_backend()}'")
        top.plot(prediction, label=f"{name} prediction")
        bottom.semilogy(losses, label=name)
    top.set_xlabel("step")
    top.legend()
    bottom.set_xlabel("epoch")
    bottom.set_ylabel("MSE")
    bottom.axhline(1e-3, color="gray", linestyle=":", label="1e-3")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(args.out / "sine_ncp.png", dpi=100)
    plt.close(fig)
    print(f"wrote {args.out / 'sine_ncp.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
