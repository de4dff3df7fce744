"""Ember ML vs PyTorch (CPU): one training step of a 3-layer MLP, and its parts.

Usage::

    python bench/autograd.py             # full run (about a minute on 2 cores)
    python bench/autograd.py --quick     # smoke run

What is measured
----------------
The model is ``784 -> 256 -> ReLU -> 256 -> ReLU -> 10`` (three dense layers), float32,
a batch of 64 random inputs with integer labels, cross-entropy loss on the logits and
Adam (lr 1e-3). Both libraries start from the same weights and run in one process on
the same data. Per repetition, with ``time.perf_counter``:

* ``step``: one whole training step, as a user writes it. Ember: ``ops.value_and_grad``
  of the loss over the parameters, the gradients handed to the parameters' ``.grad``,
  ``Adam.step()``. PyTorch: ``zero_grad``, forward, ``loss.backward()``, ``Adam.step()``.
* ``forward``: the loss with graph recording on (the forward half of a training step).
* ``backward``: ``loss.backward()`` on a freshly recorded graph (the graph is built
  outside the timed region).
* ``optimizer``: ``Adam.step()`` alone, with gradients already in ``.grad``.
* ``forward_no_grad``: the loss under ``no_grad`` (inference cost, for reference).

Each case is run in blocks alternating Ember, PyTorch, PyTorch, Ember (so drift of a
shared machine hits both), after a warm-up, with a short sleep before each block so that
the other library's worker threads, which spin for a while after their last task, have
gone idle; medians over all repetitions are reported. Both libraries use their default
thread counts; ``EMBER_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` gives a
single-threaded comparison (the thread counts are stored with the results). The 1-minute
load average before and after the run is stored; on a shared machine the numbers are
only indicative.

Ratios and targets
------------------
``ratio = Ember median / PyTorch median`` (below 1: Ember faster). Targets:
``step`` ratio <= 1.0, and Ember's backward <= 2x Ember's forward
(``backward / forward`` printed as ``bwd/fwd``).

Results go to ``bench/results/autograd.json`` (``autograd.quick.json`` with ``--quick``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import time
from typing import Any, Callable

import numpy as np
import torch

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.training import Adam, CrossEntropyLoss

RESULTS_DIR = pathlib.Path(__file__).resolve().parent / "results"
SIZES = (784, 256, 256, 10)
BATCH = 64
SWITCH_PAUSE_S = 0.2


def make_data(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Initial weights (Glorot-uniform, zero biases), inputs and labels as float32 / int64."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32),
                    np.zeros(fan_out, np.float32)]
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH).astype(np.int64)
    return weights, x, y


class EmberCase:
    """The Ember model, loss and optimizer, with one callable per measured phase."""

    def __init__(self, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
        self.params = [Parameter(w.copy()) for w in weights]
        self.x, self.y = T.convert_to_tensor(x), T.convert_to_tensor(y)
        self.criterion = CrossEntropyLoss()
        self.opt = Adam(self.params, lr=1e-3)
        self.value_and_grad = ops.value_and_grad(self.loss)

    def loss(self, params: list[Any], x: Any, y: Any) -> Any:
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = ops.maximum(h, 0.0)
        return self.criterion(h, y)

    def step(self) -> None:
        # Detached leaves share the parameters' memory; value_and_grad on the Parameters
        # themselves would differentiate them "in place" with create_graph (nested mode).
        _, grads = self.value_and_grad([p.detach() for p in self.params], self.x, self.y)
        for p, g in zip(self.params, grads):
            p.grad = g
        self.opt.step()

    def forward(self) -> Any:
        return self.loss(self.params, self.x, self.y)

    def forward_no_grad(self) -> None:
        with ops.no_grad():
            self.loss(self.params, self.x, self.y)

    def optimizer(self) -> None:
        self.opt.step()


class TorchCase:
    """The same model in PyTorch."""

    def __init__(self, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
        self.params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.opt = torch.optim.Adam(self.params, lr=1e-3)

    def forward(self) -> torch.Tensor:
        h = self.x
        for i in range(0, len(self.params), 2):
            h = h @ self.params[i] + self.params[i + 1]
            if i + 2 < len(self.params):
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, self.y)

    def step(self) -> None:
        self.opt.zero_grad()
        self.forward().backward()
        self.opt.step()

    def forward_no_grad(self) -> None:
        with torch.no_grad():
            self.forward()

    def optimizer(self) -> None:
        self.opt.step()


def _time(fn: Callable[[], Any], reps: int, setup: Callable[[], Any] | None = None) -> list[float]:
    """Seconds of each of ``reps`` calls; ``fn(setup())`` when a setup builds its argument."""
    out = []
    for _ in range(reps):
        arg = setup() if setup else None
        t0 = time.perf_counter()
        fn(arg) if setup else fn()
        out.append(time.perf_counter() - t0)
    return out


def measure(ember: EmberCase, torch_case: TorchCase, reps: int, blocks: int) -> dict[str, dict[str, Any]]:
    """Median seconds per phase for both libraries, sampled in alternating blocks."""
    phases: dict[str, dict[str, Callable[[], list[float]]]] = {}
    for name, case in (("ember", ember), ("torch", torch_case)):
        phases.setdefault("step", {})[name] = lambda c=case: _time(c.step, reps)
        phases.setdefault("forward", {})[name] = lambda c=case: _time(c.forward, reps)
        phases.setdefault("backward", {})[name] = lambda c=case: _time(lambda loss: loss.backward(), reps, c.forward)
        phases.setdefault("optimizer", {})[name] = lambda c=case: _time(c.optimizer, reps)
        phases.setdefault("forward_no_grad", {})[name] = lambda c=case: _time(c.forward_no_grad, reps)
    results = {}
    for phase, runners in phases.items():
        for runner in runners.values():
            runner()  # warm-up
        samples: dict[str, list[float]] = {"ember": [], "torch": []}
        for _ in range(blocks):
            for lib in ("ember", "torch", "torch", "ember"):
                time.sleep(SWITCH_PAUSE_S)
                samples[lib] += runners[lib]()
        e, t = statistics.median(samples["ember"]), statistics.median(samples["torch"])
        results[phase] = {"ember_median_s": e, "torch_median_s": t, "ratio": e / t, "samples": len(samples["ember"])}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (smoke run)")
    parser.add_argument("--output", type=pathlib.Path, default=None, help="JSON path")
    args = parser.parse_args()
    reps, blocks = (5, 2) if args.quick else (25, 4)
    load_before = os.getloadavg()[0]
    weights, x, y = make_data()
    results = measure(EmberCase(weights, x, y), TorchCase(weights, x, y), reps, blocks)
    load_after = os.getloadavg()[0]
    print(f"MLP {SIZES}, batch {BATCH}, float32, Adam; threads: ember {_core.num_threads()}, "
          f"torch {torch.get_num_threads()}")
    print(f"{'phase':<16}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}")
    for phase, r in results.items():
        print(f"{phase:<16}{r['ember_median_s'] * 1e3:>10.3f}{r['torch_median_s'] * 1e3:>10.3f}{r['ratio']:>8.2f}")
    bwd_fwd = results["backward"]["ember_median_s"] / results["forward"]["ember_median_s"]
    step_ok = results["step"]["ratio"] <= 1.0
    print(f"targets: step ratio {results['step']['ratio']:.2f} <= 1.0 {'met' if step_ok else 'MISSED'}; "
          f"ember bwd/fwd {bwd_fwd:.2f} <= 2.0 {'met' if bwd_fwd <= 2.0 else 'MISSED'}")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after, {os.cpu_count()} CPUs")
    out = args.output or RESULTS_DIR / ("autograd.quick.json" if args.quick else "autograd.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "date": datetime.datetime.now().isoformat(timespec="seconds"), "platform": platform.platform(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "ember_threads": _core.num_threads(),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "sizes": SIZES, "batch": BATCH,
        "load_average_before": load_before, "load_average_after": load_after, "phases": results,
        "backward_over_forward": bwd_fwd, "targets": {"step_ratio_le_1": step_ok, "bwd_fwd_le_2": bwd_fwd <= 2.0},
    }, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
