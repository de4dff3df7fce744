"""An MLP trained on scikit-learn's bundled digits reaches PyTorch's test accuracy (same
architecture, initial weights, data order and Adam settings) within 2 points."""
from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.training import Adam, CrossEntropyLoss, classification_metrics

torch = pytest.importorskip("torch")
datasets = pytest.importorskip("sklearn.datasets")

SIZES = (64, 32, 10)
EPOCHS, BATCH, LR = 8, 32, 1e-2


def _setup() -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    digits = datasets.load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train, test = order[:1300], order[1300:]
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32)]
    batches = [rng.permutation(train) for _ in range(EPOCHS)]
    return weights, x, y, train, test, batches


def _forward(params: list, h: object, relu: object) -> object:
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = relu(h)
    return h


@pytest.fixture
def torch_single_thread() -> Iterator[None]:
    """One torch thread: on a small shared machine its spinning workers would starve both libraries."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.usefixtures("torch_single_thread")
def test_digits_mlp_matches_torch_accuracy() -> None:
    weights, x, y, _, test, epochs = _setup()
    params = [Parameter(w.copy()) for w in weights]
    t_params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    opt, t_opt = Adam(params, lr=LR), torch.optim.Adam(t_params, lr=LR)
    criterion = CrossEntropyLoss()
    for order in epochs:
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            criterion(_forward(params, T.convert_to_tensor(x[idx]), lambda h: ops.maximum(h, 0.0)),
                      T.convert_to_tensor(y[idx])).backward()
            opt.step()
            t_opt.zero_grad()
            torch.nn.functional.cross_entropy(_forward(t_params, torch.from_numpy(x[idx]), torch.relu),
                                              torch.from_numpy(y[idx])).backward()
            t_opt.step()
    with ops.no_grad():
        scores = _forward(params, T.convert_to_tensor(x[test]), lambda h: ops.maximum(h, 0.0))
    accuracy = classification_metrics(y[test], scores)["accuracy"]
    with torch.no_grad():
        t_accuracy = (_forward(t_params, torch.from_numpy(x[test]), torch.relu).argmax(1).numpy() == y[test]).mean()
    assert t_accuracy > 0.9  # the shared settings do train the model
    assert abs(accuracy - t_accuracy) <= 0.02
