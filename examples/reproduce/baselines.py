"""The simple baselines a practitioner tries first on the sequence-regression tasks, scored on
exactly the windows, steps and split the models see.

* ``naive``: the next frame equals the current one (``y[:, s] = x[:, s]``).
* ``ridge_ar``: a linear autoregression, scikit-learn's ``Ridge`` on the last ``p`` frames of
  the window (and their elapsed times where the task has them), zero where a step has fewer
  than ``p`` frames before it inside its window, as the recurrent models see no frame before
  the window either. ``p`` and ``alpha`` are chosen on the validation MSE.

Classification (JapaneseVowels):

* ``logistic``: scikit-learn's ``LogisticRegression`` on each sequence's mean and standard
  deviation over its real frames (``C`` chosen on the validation accuracy).
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from data import Split, TaskData

BASELINES_FILE = "baselines.json"  # in the results folder, beside the runs' <task>.json
RIDGE_LAGS = (1, 2, 4, 8, 16)
RIDGE_ALPHAS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4)
LOGISTIC_CS = (0.01, 0.1, 1.0, 10.0, 100.0)


def lagged_features(split: Split, lags: int) -> np.ndarray:
    """Each step's last ``lags`` frames (with their elapsed times when ``split.t`` is set).

    Args:
        split: ``x`` ``(N, L, C)``, ``t`` ``(N, L)`` or None.
        lags: frames per step, ``>= 1``.

    Returns:
        float64 ``(N * L, lags * C')``, ``C' = C + 1`` with times, newest frame first; the
        frames before a window's first step are zeros.
    """
    frames = split.x if split.t is None else np.concatenate([split.x, split.t[..., None]], axis=-1)
    n, length, width = frames.shape
    padded = np.concatenate([np.zeros((n, lags - 1, width), frames.dtype), frames], axis=1)
    columns = [padded[:, lags - 1 - k:lags - 1 - k + length] for k in range(lags)]
    return np.concatenate(columns, axis=-1).reshape(n * length, lags * width).astype(np.float64)


def mse(prediction: np.ndarray, split: Split) -> float:
    """Mean squared error of ``prediction`` against ``split.y`` over every step and channel."""
    return float(np.mean((prediction.reshape(split.y.shape) - split.y) ** 2))


def fit_ridge_ar(data: TaskData) -> tuple[Any, int, float]:
    """Fits the ridge AR of every ``p`` in ``RIDGE_LAGS`` and ``alpha`` in ``RIDGE_ALPHAS`` on the
    training windows and keeps the one of least validation MSE.

    Returns:
        ``(ridge, p, validation MSE)``; ``ridge.predict(lagged_features(split, p))`` gives
        ``(N * L, C)`` next frames.

    Raises:
        ValueError: ``y`` is not shaped as ``x`` (a classification task).
    """
    from sklearn.linear_model import Ridge

    if data.train.y.shape != data.train.x.shape:
        raise ValueError(f"[fit_ridge_ar] targets {data.train.y.shape} are not next frames of inputs "
                         f"{data.train.x.shape}")
    target = data.train.y.reshape(-1, data.train.y.shape[-1])
    best: tuple[Any, int, float] = (None, 0, np.inf)
    for lags in RIDGE_LAGS:
        train, val = lagged_features(data.train, lags), lagged_features(data.val, lags)
        for alpha in RIDGE_ALPHAS:
            ridge = Ridge(alpha=alpha).fit(train, target)
            score = mse(ridge.predict(val), data.val)
            if score < best[2]:
                best = (ridge, lags, score)
    return best


def regression_baselines(data: TaskData) -> dict[str, Any]:
    """Scores the naive and ridge-AR forecasts of a sequence-regression task.

    Args:
        data: the task's splits, with ``y`` of the same shape as ``x`` (next-frame targets).

    Returns:
        ``{"naive": {"val", "test"}, "ridge_ar": {"val", "test", "lags", "alpha"}}``, MSEs as floats.

    Raises:
        ValueError: ``y`` is not shaped as ``x`` (a classification task).
    """
    ridge, lags, val = fit_ridge_ar(data)
    test = mse(ridge.predict(lagged_features(data.test, lags)), data.test)
    return {"naive": {"val": mse(data.val.x, data.val), "test": mse(data.test.x, data.test)},
            "ridge_ar": {"val": val, "test": test, "lags": lags, "alpha": ridge.alpha}}

def pooled_features(split: Split) -> np.ndarray:
    """Each sequence's mean and standard deviation over its real frames (``split.mask``; every
    frame without one): float64 ``(N, 2 C)``."""
    mask = np.ones(split.x.shape[:2]) if split.mask is None else split.mask.astype(np.float64)
    weights = mask[..., None]
    count = weights.sum(axis=1)
    mean = (split.x * weights).sum(axis=1) / count
    std = np.sqrt((((split.x - mean[:, None]) ** 2) * weights).sum(axis=1) / count)
    return np.concatenate([mean, std], axis=1)


def classification_baseline(data: TaskData) -> dict[str, Any]:
    """Scores a logistic regression on pooled frames (see ``pooled_features``), ``C`` of the best
    validation accuracy.

    Returns:
        ``{"logistic": {"val", "test", "C"}}``: accuracies in percent.
    """
    from sklearn.linear_model import LogisticRegression

    train, val, test = (pooled_features(s) for s in (data.train, data.val, data.test))
    best: dict[str, Any] = {"val": -1.0}
    for c in LOGISTIC_CS:
        model = LogisticRegression(C=c, max_iter=5000).fit(train, data.train.y)
        score = 100.0 * float(np.mean(model.predict(val) == data.val.y))
        if score > best["val"]:
            best = {"val": score, "test": 100.0 * float(np.mean(model.predict(test) == data.test.y)), "C": c}
    return {"logistic": best}


def main() -> None:
    """Scores every task's baselines into ``results/baselines.json`` and rewrites ``RESULTS.md``."""
    import harness  # noqa: F401  (first: it puts examples/, with train_forecast.py, on the path)
    from data import load_half_cheetah, load_japanese_vowels, load_walker2d
    from report import RESULTS, write_json_atomic, write_results_md

    scores = {task: regression_baselines(load()) for task, load in
              (("walker2d", load_walker2d), ("half_cheetah", load_half_cheetah))}
    scores["japanese_vowels"] = classification_baseline(load_japanese_vowels())
    write_json_atomic(RESULTS / BASELINES_FILE, scores)
    print(json.dumps(scores, indent=1))
    write_results_md()


if __name__ == "__main__":
    main()
