"""Learning-rate schedulers and gradient clipping by value, against torch.optim.lr_scheduler /
torch.nn.utils for the same settings; Keras's ExponentialDecay against its formula."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember_ml.nn import tensor as T
from ember_ml.nn.modules import Parameter
from ember_ml.training import (SGD, Adam, CosineAnnealingLR, ExponentialDecay, ExponentialLR, LambdaLR,
                               ReduceLROnPlateau, StepLR, clip_grad_value)

torch = pytest.importorskip("torch")


def pair(lr: float = 0.1, groups: int = 1) -> tuple[SGD, "torch.optim.SGD"]:
    """An Ember and a torch SGD with ``groups`` parameter groups of lrs lr, lr / 2, ..."""
    ours = SGD([{"params": [Parameter(T.zeros((2,)))], "lr": lr / (g + 1)} for g in range(groups)], lr=lr)
    theirs = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr / (g + 1)}
                              for g in range(groups)], lr=lr)
    return ours, theirs


def trajectories(make_ours, make_theirs, steps: int = 40, groups: int = 2, metrics=None) -> tuple[list, list]:
    ours_opt, theirs_opt = pair(groups=groups)
    ours, theirs = make_ours(ours_opt), make_theirs(theirs_opt)
    mine, ref = [ours.get_last_lr()], [theirs.get_last_lr()]
    for step in range(steps):
        theirs_opt.step()  # torch warns when the scheduler steps before the optimizer
        if metrics is None:
            ours.step()
            theirs.step()
        else:
            ours.step(metrics[step])
            theirs.step(metrics[step])
        mine.append(ours.get_last_lr())
        ref.append(theirs.get_last_lr())
    return mine, ref


@pytest.mark.parametrize("name, ours, theirs", [
    ("exponential", lambda o: ExponentialLR(o, gamma=0.9),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    ("step", lambda o: StepLR(o, step_size=7, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    ("cosine", lambda o: CosineAnnealingLR(o, T_max=10, eta_min=0.001),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    ("lambda", lambda o: LambdaLR(o, lambda e: 1.0 / (1 + e)),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (1 + e))),
    ("lambda-per-group", lambda o: LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1.0 + e]),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1.0 + e])),
])
def test_scheduler_matches_torch(name: str, ours, theirs) -> None:
    mine, ref = trajectories(ours, theirs)
    np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-15, err_msg=name)
    assert mine[-1] != mine[0]  # the schedule did move


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.01, threshold_mode="abs", cooldown=1),
    dict(patience=1, min_lr=[0.02, 0.03], factor=0.3),
])
def test_reduce_on_plateau_matches_torch(kwargs: dict) -> None:
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.81, 0.79] * 3
    mine, ref = trajectories(lambda o: ReduceLROnPlateau(o, **kwargs),
                             lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kwargs),
                             steps=len(metrics), metrics=metrics)
    np.testing.assert_allclose(mine, ref, rtol=1e-12)
    if kwargs:
        assert mine[-1] != mine[0]


def test_scheduler_sets_optimizer_lr_used_by_step() -> None:
    """The scheduled lr is what the next optimizer step uses (per-batch stepping)."""
    p = Parameter(T.convert_to_tensor(np.array([1.0], np.float32)))
    opt = SGD([p], lr=0.5)
    sched = ExponentialLR(opt, gamma=0.1)
    for lr in (0.5, 0.05):
        before = p.numpy().copy()
        p.grad = T.convert_to_tensor(np.array([1.0], np.float32))
        opt.step()
        assert float(before[0] - p.numpy()[0]) == pytest.approx(lr, rel=1e-6)
        sched.step()


def test_scheduler_state_dict_round_trip() -> None:
    opt, _ = pair()
    sched = StepLR(opt, step_size=3, gamma=0.5)
    for _ in range(4):
        sched.step()
    state = sched.state_dict()
    opt2, _ = pair()
    resumed = StepLR(opt2, step_size=3, gamma=0.5)
    resumed.load_state_dict(state)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(5):
        sched.step()
        resumed.step()
        assert resumed.get_last_lr() == sched.get_last_lr()


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_is_keras_formula(staircase: bool) -> None:
    schedule = ExponentialDecay(0.02, 37, 0.95, staircase=staircase)
    for step in (0, 1, 36, 37, 38, 100, 1850):
        exponent = math.floor(step / 37) if staircase else step / 37
        assert schedule(step) == pytest.approx(0.02 * 0.95 ** exponent, rel=1e-12)
    assert schedule.get_config() == {"initial_learning_rate": 0.02, "decay_steps": 37, "decay_rate": 0.95,
                                      "staircase": staircase}


def test_exponential_decay_scheduler_per_batch_matches_torch_lambda() -> None:
    """Driving an optimizer per batch: lr after k steps is the schedule at k; equals torch's ExponentialLR
    with gamma = rate ** (1 / decay_steps)."""
    opt = Adam([Parameter(T.zeros((2,)))], lr=1.0)
    sched = ExponentialDecay(0.02, 10, 0.5).scheduler(opt)
    ref_opt = torch.optim.Adam([torch.zeros(2, requires_grad=True)], lr=0.02)
    ref = torch.optim.lr_scheduler.ExponentialLR(ref_opt, gamma=0.5 ** 0.1)
    for _ in range(30):
        assert opt.param_groups[0]["lr"] == pytest.approx(ref.get_last_lr()[0], rel=1e-9)
        ref_opt.step()
        sched.step()
        ref.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.02 * 0.5 ** 3, rel=1e-12)


def test_scheduler_bad_arguments() -> None:
    opt, _ = pair()
    with pytest.raises(ValueError, match=r"^\[StepLR\] step_size"):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match=r"^\[CosineAnnealingLR\] T_max"):
        CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match=r"^\[ReduceLROnPlateau\] factor"):
        ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match=r"^\[ReduceLROnPlateau\] mode"):
        ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match=r"^\[LambdaLR\] expected 1 lr_lambdas"):
        LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    with pytest.raises(ValueError, match=r"^\[ExponentialDecay\] decay_steps"):
        ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(TypeError, match=r"^\[ExponentialLR\] expected an ember_ml.training Optimizer"):
        ExponentialLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), gamma=0.9)
    with pytest.raises(KeyError, match="initial_lr"):
        ExponentialLR(opt, gamma=0.9, last_epoch=3)


def test_clip_grad_value_matches_torch() -> None:
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)).astype(np.float32) * 3, rng.normal(size=(5,)).astype(np.float32)]
    ours = [Parameter(T.zeros(g.shape)) for g in grads] + [Parameter(T.zeros((2,)))]  # the last has no grad
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad = T.convert_to_tensor(g)
        q.grad = torch.from_numpy(g.copy())
    clip_grad_value(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    assert ours[-1].grad is None
    assert np.abs(ours[0].grad.numpy()).max() == pytest.approx(1.5)
    with pytest.raises(ValueError, match=r"^\[clip_grad_value\] clip_value must be >= 0"):
        clip_grad_value(ours, -1.0)
