"""Optimizers against torch.optim: 20-step trajectories given identical gradients,
parameter groups, state_dict round trips, zero_grad, clip_grad_norm, bad input."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.ops import stats
from ember_ml.training import SGD, Adam, AdamW, RMSprop, clip_grad_norm

torch = pytest.importorskip("torch")

EMBER = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "RMSprop": RMSprop}
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True, "weight_decay": 0.02}),
    ("RMSprop", {"momentum": 0.9, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "centered": True, "momentum": 0.5, "eps": 1e-6}),
]
TOL = {"float32": 1e-6, "float64": 1e-12}
SHAPES = [(3, 4), (5,)]


def _pair(name: str, groups: list[dict[str, Any]], dtype: str, seed: int = 0) -> tuple[Any, Any, list, list]:
    """An Ember and a torch optimizer over equal parameters, one group per entry of groups."""
    rng = np.random.default_rng(seed)
    e_groups, t_groups, e_params, t_params = [], [], [], []
    for group in groups:
        values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        eps_ = [Parameter(v.copy()) for v in values]
        tps = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values]
        e_groups.append({**group, "params": eps_})
        t_groups.append({**group, "params": tps})
        e_params += eps_
        t_params += tps
    return EMBER[name](e_groups), getattr(torch.optim, name)(t_groups), e_params, t_params


def _feed(e_params: list, t_params: list, rng: np.random.Generator, skip: int | None = None) -> None:
    for i, (ep, tp) in enumerate(zip(e_params, t_params)):
        if i == skip:
            ep.grad, tp.grad = None, None
            continue
        g = rng.standard_normal(tuple(ep.shape)).astype(ep.dtype.name)
        ep.grad, tp.grad = g, torch.from_numpy(g.copy())


def _assert_close(e_params: list, t_params: list, tol: float) -> None:
    for ep, tp in zip(e_params, t_params):
        np.testing.assert_allclose(ep.numpy(), tp.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,options", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_trajectory_matches_torch(name: str, options: dict[str, Any], dtype: str) -> None:
    e_opt, t_opt, e_params, t_params = _pair(name, [options], dtype)
    rng = np.random.default_rng(1)
    for _ in range(20):
        _feed(e_params, t_params, rng)
        e_opt.step()
        t_opt.step()
    _assert_close(e_params, t_params, TOL[dtype])
    moved = np.abs(e_params[0].numpy() - np.random.default_rng(0).standard_normal(SHAPES[0])).max()
    assert moved > 1e-3  # the updates did something


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_param_groups_and_missing_grads_match_torch(name: str) -> None:
    groups = {"SGD": [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.01, "nesterov": True, "momentum": 0.5}],
              "Adam": [{"lr": 0.01}, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}],
              "RMSprop": [{"centered": True}, {"lr": 0.001, "momentum": 0.9}]}[name]
    e_opt, t_opt, e_params, t_params = _pair(name, groups, "float64")
    rng = np.random.default_rng(2)
    for step in range(20):
        _feed(e_params, t_params, rng, skip=step % len(e_params))  # every parameter misses some steps
        e_opt.step()
        t_opt.step()
    _assert_close(e_params, t_params, 1e-12)


def test_trajectory_from_backward_matches_torch() -> None:
    rng = np.random.default_rng(3)
    w0, x, y = rng.standard_normal((4, 2)), rng.standard_normal((8, 4)), rng.standard_normal((8, 2))
    w, tw = Parameter(w0.copy()), torch.nn.Parameter(torch.from_numpy(w0.copy()))
    e_opt, t_opt = AdamW([w], lr=0.05), torch.optim.AdamW([tw], lr=0.05)
    for _ in range(20):
        e_opt.zero_grad()
        stats.mean(ops.square(T.convert_to_tensor(x) @ w - T.convert_to_tensor(y))).backward()
        e_opt.step()
        t_opt.zero_grad()
        ((torch.from_numpy(x) @ tw - torch.from_numpy(y)) ** 2).mean().backward()
        t_opt.step()
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_update_is_in_place_and_bumps_the_version() -> None:
    p = Parameter(np.array([1.0, 2.0]))
    view = p.numpy()
    opt = SGD([p], lr=0.5)
    loss = stats.sum(p * p)  # saves p for its backward pass
    p.grad = [1.0, -1.0]
    opt.step()
    np.testing.assert_allclose(view, [0.5, 2.5])
    with pytest.raises(ValueError, match="modified in place"):
        loss.backward()


def test_state_dict_round_trip_is_exact() -> None:
    e_opt, _, e_params, t_params = _pair("Adam", [{"lr": 0.01, "amsgrad": True}, {"lr": 0.03}], "float32")
    rng = np.random.default_rng(4)
    for _ in range(5):
        _feed(e_params, t_params, rng)
        e_opt.step()
    e_opt.param_groups[1]["lr"] = 0.02
    saved = e_opt.state_dict()
    snapshot = saved["state"][0]["exp_avg"].numpy().copy()
    clones = [Parameter(p.numpy().copy()) for p in e_params]
    other = Adam([{"params": clones[:2]}, {"params": clones[2:]}])
    other.load_state_dict(saved)
    assert other.param_groups[1]["lr"] == 0.02 and other.param_groups[0]["amsgrad"] is True
    for _ in range(5):
        g = [rng.standard_normal(tuple(p.shape)).astype(np.float32) for p in e_params]
        for p, c, gi in zip(e_params, clones, g):
            p.grad, c.grad = gi, gi.copy()
        e_opt.step()
        other.step()
    for p, c in zip(e_params, clones):
        np.testing.assert_array_equal(p.numpy(), c.numpy())
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"].numpy(), snapshot)  # a copy, not the live buffer
    assert saved["state"][0]["step"] == 5 and saved["param_groups"][1]["params"] == [2, 3]


def test_zero_grad() -> None:
    p, q = Parameter([1.0, 2.0]), Parameter([3.0])
    opt = SGD([p, q], lr=0.1)
    p.grad = [4.0, 5.0]
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    assert q.grad is None
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal(s) for s in [(3, 4), (5,), (2,)]]
    e_params = [Parameter(np.zeros(g.shape)) for g in grads]
    t_params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for ep, tp, g in zip(e_params, t_params, grads):
        ep.grad, tp.grad = g, torch.from_numpy(g.copy())
    e_params.append(Parameter([1.0]))  # no gradient: ignored
    total = clip_grad_norm(e_params, max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type)
    assert total.item() == pytest.approx(t_total.item(), rel=1e-12)
    for ep, tp in zip(e_params, t_params):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-12, atol=1e-15)


BAD_OPTIONS = [
    (SGD, {"lr": -0.1}, "lr"),
    (SGD, {"momentum": -1.0}, "momentum"),
    (SGD, {"nesterov": True}, "nesterov"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening"),
    (Adam, {"betas": (0.9, 1.0)}, r"betas\[1\]"),
    (Adam, {"betas": (0.9,)}, "pair"),
    (Adam, {"eps": -1e-8}, "eps"),
    (AdamW, {"weight_decay": -0.1}, "weight_decay"),
    (RMSprop, {"alpha": 1.5}, "alpha"),
]


@pytest.mark.parametrize("cls,options,match", BAD_OPTIONS)
def test_bad_hyper_parameters_raise(cls: type, options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=rf"\[{cls.__name__}\].*{match}"):
        cls([Parameter([1.0])], **options)


def test_bad_parameters_raise() -> None:
    p = Parameter([1.0, 2.0])
    with pytest.raises(TypeError, match=r"\[RMSprop\] momentum must be a real number, got str '0.9'"):
        RMSprop([p], momentum="0.9")
    with pytest.raises(ValueError, match=r"\[Adam\] got an empty parameter list"):
        Adam([])
    with pytest.raises(TypeError, match=r"\[SGD\].*single EmberTensor"):
        SGD(p)
    with pytest.raises(TypeError, match=r"\[SGD\].*EmberTensors.*list"):
        SGD([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"\[SGD\].*floating-point.*int32"):
        SGD([T.convert_to_tensor([1, 2])])
    with pytest.raises(ValueError, match=r"\[SGD\].*leaf.*multiply"):
        SGD([p * 2.0])
    with pytest.raises(ValueError, match=r"\[Adam\].*more than once"):
        Adam([{"params": [p]}, {"params": [p]}])
    with pytest.raises(TypeError, match=r"\[Adam\].*'params' entry"):
        Adam([p]).add_param_group({"lr": 0.1})
    opt = Adam([p])
    with pytest.raises(ValueError, match=r"\[Adam.load_state_dict\].*2 parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": [{"params": [0]}, {"params": [1]}]})
    with pytest.raises(ValueError, match=r"\[Adam.load_state_dict\] the state names parameter 3"):
        opt.load_state_dict({"state": {3: {"step": 1}}, "param_groups": [{"params": [0]}]})
    with pytest.raises(ValueError, match=r"\[Adam.load_state_dict\] state 'exp_avg' of parameter 0 has shape \(3,\)"):
        opt.load_state_dict({"state": {0: {"exp_avg": T.zeros((3,))}}, "param_groups": [{"params": [0]}]})
    with pytest.raises(ValueError, match=r"\[clip_grad_norm\] max_norm"):
        clip_grad_norm([p], -1.0)
    with pytest.raises(ValueError, match=r"\[clip_grad_norm\] norm_type"):
        clip_grad_norm([p], 1.0, norm_type=0)


def test_fused_ops_validate_their_tensors() -> None:
    p = T.convert_to_tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"\[adam_step\] grad .*must match param"):
        _core.adam_step_(p, T.ones((4,), dtype="float64"), T.zeros_like(p), T.zeros_like(p), None,
                         1, 0.1, 0.9, 0.999, 1e-8, 0.0, False, False)
    with pytest.raises(TypeError, match=r"\[sgd_step\] param must be float32 or float64"):
        _core.sgd_step_(T.ones((3,), dtype="int32"), T.ones((3,), dtype="int32"), None, 0.1, 0.0, 0.0, 0.0,
                        False, True)
    with pytest.raises(ValueError, match=r"\[rmsprop_step\] grad_avg must be a tensor"):
        _core.rmsprop_step_(p, T.ones_like(p), T.zeros_like(p), None, None, 0.1, 0.9, 1e-8, 0.0, 0.0, True)
    with pytest.raises(ValueError, match=r"\[sgd_step\].*C-contiguous"):
        m = T.convert_to_tensor(np.ones((3, 3)))
        _core.sgd_step_(T.transpose(m), T.ones((3, 3), dtype="float64"), None, 0.1, 0.0, 0.0, 0.0, False, True)
    with pytest.raises(ValueError, match=r"\[sgd_step\].*requires grad"):
        w = Parameter([1.0])
        _core.sgd_step_(w, T.ones((1,)), None, 0.1, 0.0, 0.0, 0.0, False, True)
