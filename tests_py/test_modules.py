"""nn.modules.Module sub-module semantics and the activation modules."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml.nn import modules
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import activations as act


class Block(modules.Module):
    def __init__(self):
        super().__init__()
        self.act = modules.ReLU()
        self.drop = modules.Dropout(0.5, seed=3)

    def forward(self, x):
        return self.drop(self.act(x))


class Net(modules.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.second = Block()
        self.shared = self.first.act  # reachable twice, listed once
        self.scale = 2.0  # not a module: not registered

    def forward(self, x):
        return self.second(self.first(x))


def test_assignment_registers_and_sets_the_attribute() -> None:
    net = Net()
    assert isinstance(net.first, Block)
    assert [name for name, _ in net.named_children()] == ["first", "second", "shared"]
    assert list(net.children()) == [net.first, net.second, net.first.act]
    paths = [p for p, _ in net.named_modules()]
    assert paths == ["", "first", "first.act", "first.drop", "second", "second.act", "second.drop"]
    assert len(list(net.modules())) == 7
    net.second = None  # replacing a module by a value unregisters it
    assert [name for name, _ in net.named_children()] == ["first", "shared"]
    del net.shared
    assert [name for name, _ in net.named_children()] == ["first"]
    assert not hasattr(net, "shared")


def test_train_and_eval_are_recursive() -> None:
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.first.eval()
    assert net.training and not net.first.drop.training and net.second.drop.training


def test_call_runs_forward_and_base_forward_raises() -> None:
    x = np.array([-1.0, 2.0, -3.0, 4.0], np.float32)
    net = Net().eval()
    np.testing.assert_array_equal(net(x).numpy(), np.maximum(x, 0))
    with pytest.raises(NotImplementedError, match=r"^\[Module.forward\]"):
        modules.Module()(x)


def test_assigning_a_module_before_init_is_a_clear_error() -> None:
    class Broken(modules.Module):
        def __init__(self):
            self.child = modules.ReLU()

    with pytest.raises(AttributeError, match=r"^\[Broken\] cannot assign sub-module 'child'"):
        Broken()


def test_repr_nests_children() -> None:
    text = repr(Block())
    assert text.startswith("Block(\n  (act): ReLU()\n  (drop): Dropout(rate=0.5, seed=3)")
    assert repr(modules.Softmax(axis=0)) == "Softmax(axis=0)"


@pytest.mark.parametrize("cls,fn,kwargs", [
    (modules.ReLU, act.relu, {}), (modules.Tanh, act.tanh, {}), (modules.Sigmoid, act.sigmoid, {}),
    (modules.Softplus, act.softplus, {}), (modules.LeCunTanh, act.lecun_tanh, {}),
    (modules.Softmax, act.softmax, {"axis": 0}),
])
def test_activation_modules_apply_their_function(cls, fn, kwargs) -> None:
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(cls(**kwargs)(x).numpy(), fn(x, *kwargs.values()).numpy())
    assert cls is getattr(act, cls.__name__)


def test_dropout_training_masks_and_rescales() -> None:
    x = np.ones((200, 50), np.float32)
    drop = modules.Dropout(0.25, seed=11)
    out = drop(x).numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-7)
    assert abs(kept.mean() - 0.75) < 0.02  # 10000 Bernoulli(0.75) draws: std 0.0043
    mask = T.random_bernoulli((200, 50), p=0.75, dtype="float32", seed=11).numpy()
    np.testing.assert_array_equal(out, x * mask / np.float32(0.75))
    second = drop(x).numpy()
    assert not np.array_equal(second != 0, kept), "successive calls draw new masks"
    again = modules.Dropout(0.25, seed=11)
    np.testing.assert_array_equal(again(x).numpy(), out)  # same seed, same sequence


def test_dropout_eval_and_rate_zero_are_identity() -> None:
    x = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)
    drop = modules.Dropout(0.9).eval()
    np.testing.assert_array_equal(drop(x).numpy(), x)
    np.testing.assert_array_equal(modules.Dropout(0.0)(x).numpy(), x)
