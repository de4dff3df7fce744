"""nn.modules.Module sub-module semantics and the activation modules."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops
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


# ---------------------------------------------------------------------------------------
# registration of lists and dicts, containers
# ---------------------------------------------------------------------------------------
class Stack(modules.Module):
    def __init__(self):
        super().__init__()
        self.layers = [modules.Linear(2, 3), [modules.ReLU(), modules.Linear(3, 1)]]
        self.heads = {"a": modules.Linear(1, 2), "b": modules.Linear(1, 1, bias=False)}
        self.scales = (modules.Parameter(np.ones(2, np.float32)),)
        self.sizes = [2, 3]  # plain data: not converted
        self.empty = []

    def forward(self, x):
        return x


def _numpy_state(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


def test_lists_and_dicts_of_modules_and_parameters_register() -> None:
    net = Stack()
    assert isinstance(net.layers, modules.ModuleList) and isinstance(net.layers[1], modules.ModuleList)
    assert isinstance(net.heads, modules.ModuleDict) and isinstance(net.scales, modules.ParameterList)
    assert net.sizes == [2, 3] and net.empty == []
    assert [k for k, _ in net.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.1.weight", "layers.1.1.bias",
        "heads.a.weight", "heads.a.bias", "heads.b.weight", "scales.0"]
    assert net.count_params() == (2 * 3 + 3) + (3 + 1) + (2 + 2) + 1 + 2
    assert net.heads["a"] is dict(net.heads.items())["a"] and list(net.heads) == ["a", "b"] and "b" in net.heads
    net.heads = {"c": modules.Parameter(np.zeros(3, np.float32))}  # reassigning replaces the registration
    assert isinstance(net.heads, modules.ParameterDict)
    assert [k for k, _ in net.named_parameters() if k.startswith("heads")] == ["heads.c"]


def test_a_list_mixing_modules_and_other_values_is_an_error() -> None:
    class Mixed(modules.Module):
        def __init__(self):
            super().__init__()
            self.items = [modules.ReLU(), 3]

    with pytest.raises(TypeError, match=r"^\[Mixed.items\] a list must hold only Modules or only Parameters"):
        Mixed()
    with pytest.raises(TypeError, match=r"^\[ModuleList\] items must be Modules, got int"):
        modules.ModuleList([modules.ReLU(), 1])


def test_module_list_operations() -> None:
    a, b, c, d = (modules.Linear(1, 1) for _ in range(4))
    ml = modules.ModuleList([a])
    assert ml.append(b) is ml
    ml.extend([c])
    ml.insert(0, d)
    assert list(ml) == [d, a, b, c] and len(ml) == 4 and ml[-1] is c
    assert list(ml[1:3]) == [a, b] and isinstance(ml[1:3], modules.ModuleList)
    del ml[0]
    ml[0] = d
    assert list(ml) == [d, b, c]
    assert [k for k, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"]
    with pytest.raises(IndexError, match=r"^\[ModuleList\] index 3 is out of range for length 3"):
        ml[3]
    with pytest.raises(TypeError, match=r"^\[ModuleList\] indices must be integers"):
        ml["0"]


def test_parameter_list_and_dicts() -> None:
    pl = modules.ParameterList([np.ones(2, np.float32)])
    pl.append(T.zeros((3,)))
    assert all(isinstance(p, modules.Parameter) for p in pl) and [p.shape for p in pl] == [(2,), (3,)]
    assert [k for k, _ in pl.named_parameters()] == ["0", "1"]
    md = modules.ModuleDict({"relu": modules.ReLU()})
    md["lin"] = modules.Linear(2, 2)
    del md["relu"]
    assert md.keys() == ["lin"] and len(md) == 1
    with pytest.raises(KeyError, match=r"\[ModuleDict\] no key 'relu'"):
        md["relu"]
    with pytest.raises(KeyError, match=r"\[ModuleDict\] keys must be non-empty strings without '.'"):
        md["a.b"] = modules.ReLU()


def test_train_eval_reach_container_items() -> None:
    net = modules.Sequential(modules.Dropout(0.5), [modules.Dropout(0.5)])
    net.eval()
    assert not net[0].training and not net[1][0].training
    net.train()
    assert net[1][0].training


def test_reassigning_a_parameter_replaces_it() -> None:
    lin = modules.Linear(2, 2)
    new = modules.Parameter(np.zeros((2, 2), np.float32))
    lin.weight = new
    assert lin.weight is new and dict(lin.named_parameters())["weight"] is new
    lin.bias = None
    assert [k for k, _ in lin.named_parameters()] == ["weight"]


# ---------------------------------------------------------------------------------------
# state_dict / load_state_dict
# ---------------------------------------------------------------------------------------
def _model(seed=0):
    T.set_seed(seed)
    return modules.Sequential(modules.Linear(4, 5), modules.BatchNormalization(5), modules.ReLU(),
                              modules.Dense(5, 2))


def test_state_dict_lists_parameters_then_buffers_and_round_trips() -> None:
    src, dst = _model(1), _model(2)
    state = src.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.gamma", "1.beta", "3.kernel", "3.bias",
                           "1.moving_mean", "1.moving_variance"]
    assert list(src.state_dict(prefix="net.")) == ["net." + k for k in state]
    np.testing.assert_array_equal(state["0.weight"].numpy(), src[0].weight.numpy())
    x = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    src(x)  # a training step moves the running statistics
    weight = dst[0].weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert dst[0].weight is weight, "parameters are overwritten in place"
    for key, value in _numpy_state(src).items():
        np.testing.assert_array_equal(dst.state_dict()[key].numpy(), value)
    src.eval(), dst.eval()
    np.testing.assert_array_equal(dst(x).numpy(), src(x).numpy())


@pytest.mark.parametrize("edit,pattern", [
    (lambda s: s.pop("3.bias"), r"'3\.bias' \(Dense\): missing, expected shape \(2,\) dtype float32"),
    (lambda s: s.update(extra=T.zeros((1,))), r"'extra': unexpected key"),
    (lambda s: s.update({"0.weight": T.zeros((4, 5))}),
     r"'0\.weight' \(Linear\): expected shape \(5, 4\) dtype float32, received shape \(4, 5\) dtype float32"),
    (lambda s: s.update({"1.moving_mean": T.zeros((5,), dtype="float64")}),
     r"'1\.moving_mean' \(BatchNormalization\): expected shape \(5,\) dtype float32, received shape \(5,\) "
     r"dtype float64"),
])
def test_load_state_dict_errors_leave_the_module_unchanged(edit, pattern) -> None:
    model = _model(3)
    before = _numpy_state(model)
    state = {k: T.copy(v) for k, v in _model(4).state_dict().items()}
    state["0.bias"] = T.full((5,), 7.0)  # a valid entry that must not be applied either
    edit(state)
    with pytest.raises(ValueError, match=r"^\[Sequential\.load_state_dict\] 1 problem\(s\), nothing was loaded: "
                                         + pattern):
        model.load_state_dict(state)
    for key, value in before.items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value)


def test_load_state_dict_non_strict_reports_keys_and_copies_buffers() -> None:
    model = _model(5)
    state = dict(_model(6).state_dict())
    del state["3.bias"]
    state["extra"] = T.zeros((1,))
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["3.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].weight.numpy(), state["0.weight"].numpy())
    state["1.moving_mean"][0] = 99.0
    assert model[1].moving_mean.numpy()[0] != 99.0, "loaded buffers do not alias the caller's tensors"
    with pytest.raises(TypeError, match=r"^\[Sequential\.load_state_dict\] expected a mapping"):
        model.load_state_dict([1, 2])


# ---------------------------------------------------------------------------------------
# config, lazy build, utilities
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    modules.Dense(3, 4, activation="tanh", use_bias=False, kernel_initializer="orthogonal"),
    modules.Dense(units=2),
    modules.Linear(3, 2, bias=False),
    modules.BatchNormalization(4, axis=1, momentum=0.9, epsilon=1e-5, center=False),
    modules.Dropout(0.2, seed=4),
    modules.Softmax(axis=0),
    modules.Sequential(modules.Dense(2, 3, activation="relu"), modules.ReLU(), [modules.Linear(3, 1)]),
    modules.ModuleDict({"a": modules.Linear(1, 2)}),
])
def test_get_config_from_config_round_trip(layer) -> None:
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer) and clone.get_config() == config
    assert repr(clone) == repr(layer)
    assert [(k, v.shape, v.dtype) for k, v in clone.named_parameters()] == \
        [(k, v.shape, v.dtype) for k, v in layer.named_parameters()]


def test_config_errors() -> None:
    with pytest.raises(ValueError, match=r"^\[Dense\.get_config\] activation .* has no registered name"):
        modules.Dense(2, 2, activation=lambda x: x).get_config()
    assert modules.Dense(2, 2, activation=act.relu).get_config()["activation"] == "relu"
    with pytest.raises(TypeError, match=r"^\[Linear\.from_config\]"):
        modules.Linear.from_config({"in_features": 2, "out_features": 2, "units": 3})
    bad = {"layers": [{"module": "os", "class_name": "system", "config": {}}]}
    with pytest.raises(ValueError, match=r"^\[deserialize\] os\.system is not an imported Module class"):
        modules.Sequential.from_config(bad)


def test_lazy_dense_builds_real_parameters_from_the_first_input() -> None:
    layer = modules.Dense(units=3)
    assert not layer.built and list(layer.parameters()) == []
    with pytest.raises(ValueError, match=r"^\[Dense\.count_params\] sub-module '\(self\)' \(Dense\) is not built"):
        layer.count_params()
    with pytest.raises(ValueError, match=r"^\[Dense\.state_dict\]"):
        layer.state_dict()
    y = layer(np.ones((2, 5), np.float32))
    assert layer.built and layer.input_dim == 5 and y.shape == (2, 3)
    assert isinstance(layer.kernel, modules.Parameter) and layer.kernel.shape == (5, 3)
    assert isinstance(layer.bias, modules.Parameter) and layer.bias.shape == (3,)
    assert [k for k, _ in layer.named_parameters()] == ["kernel", "bias"] and layer.count_params() == 18
    with pytest.raises(ValueError, match=r"^\[Dense\] expected an input with 5 features on axis -1, got shape"):
        layer(np.ones((2, 4), np.float32))
    lazy_bn = modules.BatchNormalization()
    lazy_bn(np.ones((3, 2, 6), np.float32))
    assert lazy_bn.num_features == 6 and lazy_bn.moving_variance.shape == (6,)


def test_zero_grad_apply_and_to() -> None:
    model = _model(7)
    loss = ops.stats.sum(model(np.ones((3, 4), np.float32)))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "BatchNormalization", "ReLU", "Dense", "Sequential"]
    weight = model[0].weight
    assert model.to("cpu") is model and model[0].weight is weight
    with pytest.raises(ValueError, match=r"^\[Sequential\.to\] device 'gpu' is not available; available: \['cpu'"):
        model.to("gpu")


# ---------------------------------------------------------------------------------------
# Dense and Linear against NumPy and PyTorch
# ---------------------------------------------------------------------------------------
def test_dense_matches_numpy() -> None:
    rng = np.random.default_rng(2)
    layer = modules.Dense(4, 3, activation="relu")
    kernel, bias = layer.kernel.numpy(), rng.normal(size=3).astype(np.float32)
    layer.bias.data = bias
    x = rng.normal(size=(2, 5, 4)).astype(np.float32)
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ kernel + bias, 0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(layer(np.arange(4)).numpy(), np.maximum(np.arange(4) @ kernel + bias, 0), rtol=1e-6)
    plain = modules.Dense(4, 3, use_bias=False)
    assert not hasattr(plain, "bias")
    np.testing.assert_allclose(plain(x).numpy(), x @ plain.kernel.numpy(), rtol=1e-6, atol=1e-6)


def test_linear_matches_torch_and_its_initialization() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    layer = modules.Linear(6, 4)
    ref = torch.nn.Linear(6, 4)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.weight.numpy()))
        ref.bias.copy_(torch.from_numpy(layer.bias.numpy()))
    x = rng.normal(size=(3, 2, 6)).astype(np.float32)
    expected = ref(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(x).numpy(), x @ layer.weight.numpy().T + layer.bias.numpy(), rtol=1e-5,
                               atol=1e-6)
    big = modules.Linear(400, 300)
    w, b = big.weight.numpy(), big.bias.numpy()
    bound = 1 / np.sqrt(400)  # kaiming_uniform(a=sqrt(5)): gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
    assert w.shape == (300, 400) and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    np.testing.assert_allclose(w.astype(np.float64).var(), bound ** 2 / 3, rtol=0.02)


# ---------------------------------------------------------------------------------------
# BatchNormalization against torch.nn.BatchNorm1d
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,axis", [((8, 5), -1), ((4, 5, 3), 1), ((4, 3, 5), -1)])
def test_batch_normalization_matches_torch(shape, axis) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    bn = modules.BatchNormalization(5, axis=axis, momentum=0.8, epsilon=1e-4)
    ref = torch.nn.BatchNorm1d(5, eps=1e-4, momentum=0.2)
    gamma, beta = rng.normal(size=5).astype(np.float32), rng.normal(size=5).astype(np.float32)
    bn.gamma.data, bn.beta.data = gamma, beta
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    channels_last = axis == -1 and len(shape) == 3

    def torch_forward(x):
        t = torch.from_numpy(x)
        out = ref(t.transpose(1, 2) if channels_last else t)
        return out.transpose(1, 2) if channels_last else out

    for step in range(3):
        x = (rng.normal(size=shape) * (step + 1) + step).astype(np.float32)
        np.testing.assert_allclose(bn(x).numpy(), torch_forward(x).detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(bn.moving_mean.numpy(), ref.running_mean.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(bn.moving_variance.numpy(), ref.running_var.numpy(), rtol=1e-5, atol=1e-6)
    bn.eval(), ref.eval()
    x = rng.normal(size=shape).astype(np.float32)
    np.testing.assert_allclose(bn(x).numpy(), torch_forward(x).detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), ref.running_var.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_normalization_keeps_buffer_dtypes_for_float64_input() -> None:
    bn = modules.BatchNormalization(2, momentum=0.5)
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    y = bn(x)
    assert y.dtype == "float64" and bn.moving_mean.dtype == "float32" and bn.moving_variance.dtype == "float32"
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.5 + 0.5 * x.var(axis=0, ddof=1), rtol=1e-6)


def test_batch_normalization_gradients_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 3)).astype(np.float32)
    w = rng.normal(size=(6, 3)).astype(np.float32)
    bn = modules.BatchNormalization(3, momentum=0.9, epsilon=1e-5)
    ref = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=0.1)
    xe = T.convert_to_tensor(x, requires_grad=True)
    ops.stats.sum(bn(xe) * w).backward()
    xt = torch.from_numpy(x).requires_grad_(True)
    (ref(xt) * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.gamma.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.beta.grad.numpy(), ref.bias.grad.numpy(), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------------------
# training a Sequential MLP
# ---------------------------------------------------------------------------------------
def test_sequential_mlp_trains_with_adam() -> None:
    from ember_ml.training import Adam

    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, size=(64, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + x[:, 1:] ** 2).astype(np.float32)
    T.set_seed(0)
    model = modules.Sequential(modules.Dense(2, 32, activation="tanh"), modules.Dense(units=1))
    model(x)  # builds the lazy last layer before the optimizer collects parameters
    opt = Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(300):
        loss = ops.mse(y, model(x))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    assert losses[-1] < 0.02 * losses[0], (losses[0], losses[-1])
