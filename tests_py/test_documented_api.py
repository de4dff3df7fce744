"""Code written against Ember ML's documented API runs unchanged.

The first two tests are the original Ember ML numpy tests, verbatim. The rest exercise the
documented signatures of the wirings, NCP / AutoNCP, CfC / LTC, the stacked RNN / LSTM /
GRU, get_config / from_config, and the ncps-compatible namespace beside them, checking
values against NumPy, torch.nn, ncps and the engine layers.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import ember_ml as em
from ember_ml import ncps, ops, wirings
from ember_ml.nn import modules, tensor
from ember_ml.nn.modules import NCP, AutoNCP
from ember_ml.nn.modules.wiring import FullyConnectedMap, NCPMap, NeuronMap, RandomMap


@pytest.fixture
def numpy_backend():
    with em.using_backend("numpy"):
        yield


# ---------------------------------------------------------------- the tests, verbatim
def test_ncp_instantiation_shape_numpy(numpy_backend):
    neuron_map = NCPMap(inter_neurons=8, command_neurons=4, motor_neurons=3, sensory_neurons=5, seed=42)
    ncp_module = NCP(neuron_map=neuron_map)
    input_tensor = tensor.random_normal((2, 5))
    output = ncp_module(input_tensor)
    assert tensor.shape(output) == (2, 3)


def test_autoncp_instantiation_shape_numpy(numpy_backend):
    auto_ncp = AutoNCP(units=15, output_size=4, sparsity_level=0.5, seed=42)
    output = auto_ncp(tensor.random_normal((2, 6)))
    assert tensor.shape(output) == (2, 4)


# ---------------------------------------------------------------- wirings (documented forms)
def test_ncpmap_documented_attributes_and_build():
    ncp_map = NCPMap(sensory_neurons=5, inter_neurons=10, command_neurons=4, motor_neurons=3, seed=42)
    assert (ncp_map.sensory_neurons, ncp_map.inter_neurons, ncp_map.command_neurons) == (5, 10, 4)
    assert ncp_map.units == 17 and ncp_map.output_dim == 3 and ncp_map.input_dim is None
    input_mask, recurrent_mask, output_mask = ncp_map.build()  # sensory_neurons is the default input size
    assert ncp_map.input_dim == 5
    np.testing.assert_array_equal(recurrent_mask.numpy(), np.abs(ncp_map.adjacency_matrix))
    np.testing.assert_array_equal(input_mask.numpy(), np.abs(ncp_map.sensory_adjacency_matrix).max(axis=1))
    np.testing.assert_array_equal(output_mask.numpy(), [1, 1, 1] + [0] * 14)
    for got, want in zip((ncp_map.get_input_mask(), ncp_map.get_recurrent_mask(), ncp_map.get_output_mask()),
                         (input_mask, recurrent_mask, output_mask)):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert ncp_map.synapse_count > 0 and ncp_map.sensory_synapse_count > 0
    groups = ncp_map.get_neuron_groups()
    assert groups == {"sensory": list(range(5)), "motor": [0, 1, 2], "command": list(range(3, 7)),
                      "inter": list(range(7, 17))}
    override = NCPMap(sensory_neurons=5, inter_neurons=10, command_neurons=4, motor_neurons=3, input_dim=7, seed=42)
    assert override.input_dim == 7 and tensor.shape(override.sensory_adjacency_matrix) == (7, 17)


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.8])
def test_ncpmap_sparsity_is_ncps_fanouts(sparsity):
    """The documented form draws with ncps's algorithm, fan-outs derived as AutoNCP derives them."""
    inter, command, motor = 9, 5, 2
    density = 1.0 - sparsity
    fanouts = (max(int(inter * density), 1), max(int(command * density), 1), max(int(command * density * 2), 1),
               max(int(command * density), 1))
    ours = NCPMap(inter, command, motor, sparsity_level=sparsity, seed=7, input_dim=4)
    reference = wirings.NCP(inter, command, motor, *fanouts, seed=7, input_dim=4)
    np.testing.assert_array_equal(ours.adjacency_matrix, reference.adjacency_matrix)
    np.testing.assert_array_equal(ours.sensory_adjacency_matrix, reference.sensory_adjacency_matrix)
    ncps_wirings = pytest.importorskip("ncps.wirings")
    theirs = ncps_wirings.NCP(inter, command, motor, *fanouts, seed=7)
    theirs.build(4)
    np.testing.assert_array_equal(ours.adjacency_matrix, theirs.adjacency_matrix)


def test_ncpmap_group_sparsities_are_keyword_options():
    base = NCPMap(10, 6, 2, sparsity_level=0.5, seed=3, input_dim=4)
    sparse_inputs = NCPMap(10, 6, 2, sparsity_level=0.5, seed=3, sensory_to_inter_sparsity=0.9, input_dim=4)
    assert sparse_inputs.sensory_fanout == 1 < base.sensory_fanout == 5
    assert sparse_inputs.inter_fanout == base.inter_fanout == 3
    dense_motor = NCPMap(10, 6, 2, sparsity_level=0.5, seed=3, command_to_motor_sparsity=0.0)
    assert dense_motor.motor_fanin == 6
    assert dense_motor.get_config()["command_to_motor_sparsity"] == 0.0


def test_fan_out_form_stays_reachable():
    a = NCPMap.from_fanouts(6, 4, 2, 3, 2, 4, 2, seed=9, input_dim=3)
    b = wirings.NCP(6, 4, 2, 3, 2, 4, 2, seed=9, input_dim=3)
    assert isinstance(a, NCPMap) and isinstance(b, NCPMap)
    np.testing.assert_array_equal(a.adjacency_matrix, b.adjacency_matrix)
    assert NCPMap.from_config(a.get_config()).get_config() == a.get_config()


def test_documented_fully_connected_and_random_maps():
    fc_map = FullyConnectedMap(units=10, input_dim=5, output_dim=3)
    assert (fc_map.units, fc_map.input_dim, fc_map.output_dim) == (10, 5, 3)
    assert fc_map.synapse_count == 100 and fc_map.sensory_synapse_count == 50
    random_map = RandomMap(units=10, input_dim=5, output_dim=3, sparsity_level=0.5, seed=42)
    assert random_map.sparsity_level == 0.5
    assert random_map.synapse_count == 50 and random_map.sensory_synapse_count == 25
    hand = NeuronMap(10, 3, 5, sparsity_level=0.25, seed=1)
    assert (hand.units, hand.output_dim, hand.input_dim, hand.sparsity_level, hand.seed) == (10, 3, 5, 0.25, 1)


@pytest.mark.parametrize("make", [
    lambda: NeuronMap(6, 2, input_dim=3),
    lambda: NCPMap(5, 3, 2, sensory_neurons=4, sparsity_level=0.4, seed=2),
    lambda: NCPMap(5, 3, 2, seed=2, input_dim=3),
    lambda: NCPMap.from_fanouts(5, 3, 2, 2, 2, 2, 2, seed=2, input_dim=3),
    lambda: FullyConnectedMap(5, 2, input_dim=3, seed=4),
    lambda: RandomMap(5, 2, input_dim=3, sparsity_level=0.3, seed=4),
    lambda: modules.AutoNCPMap(10, 2, 0.5, seed=1, input_dim=3),
])
def test_wiring_config_round_trip(make):
    wiring = make()
    config = json.loads(json.dumps(wiring.get_config()))
    rebuilt = type(wiring).from_config(config)
    assert rebuilt.get_config() == wiring.get_config()
    np.testing.assert_array_equal(rebuilt.adjacency_matrix, wiring.adjacency_matrix)


# ---------------------------------------------------------------- NCP / AutoNCP cells
def _ncp_reference(cell, x, h):
    """The documented NCP step in NumPy: tanh(x (K*S) + h (U*A) + b), outputs the motor neurons."""
    wiring = cell.neuron_map
    kernel = cell.kernel.numpy() * np.abs(wiring.sensory_adjacency_matrix)
    recurrent = cell.recurrent_kernel.numpy() * np.abs(wiring.adjacency_matrix)
    new = np.tanh(x @ kernel + h @ recurrent + cell.bias.numpy())
    return new[:, :wiring.output_dim], new


def test_ncp_step_matches_numpy_and_keeps_its_state():
    tensor.set_seed(0)
    cell = NCP(NCPMap(6, 4, 2, seed=1), bias_initializer="random_normal")
    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal((3, 5)).astype(np.float32) for _ in range(2))
    out1 = cell(x1)
    want1, h1 = _ncp_reference(cell, x1, np.zeros((3, 12), np.float32))
    np.testing.assert_allclose(out1.numpy(), want1, rtol=1e-5, atol=1e-6)
    out2, state2 = cell(x2, return_state=True)  # continues from the stored state
    want2, h2 = _ncp_reference(cell, x2, h1)
    np.testing.assert_allclose(out2.numpy(), want2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state2.numpy(), h2, rtol=1e-5, atol=1e-6)
    cell.reset_state()
    np.testing.assert_allclose(cell(x1).numpy(), want1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cell(x2, state=h1).numpy(), want2, rtol=1e-5, atol=1e-6)


def test_ncp_trains_and_masked_weights_get_no_gradient():
    from ember_ml.training import Adam

    tensor.set_seed(2)
    cell = NCP(NCPMap(6, 4, 2, sparsity_level=0.6, seed=3))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = np.tanh(x[:, :2] - 0.5 * x[:, 2:]).astype(np.float32)
    cell.build((None, 4))
    optimizer = Adam(list(cell.parameters()), lr=0.05)

    # Inputs reach the motor neurons through inter and command neurons: three steps.
    first_step = cell(x).numpy()
    np.testing.assert_allclose(first_step, np.broadcast_to(first_step[0], first_step.shape))

    def loss():
        state = None  # passed explicitly: gradients flow through time (the stored state is detached)
        for _ in range(3):
            output, state = cell(x, state, return_state=True)
        return ops.mse(y, output)

    first = float(loss().item())
    for _ in range(60):
        optimizer.zero_grad()
        value = loss()
        value.backward()
        optimizer.step()
    grad = cell.kernel.grad.numpy()
    connected = cell.neuron_map.sensory_adjacency_matrix != 0
    assert np.all(grad[~connected] == 0) and np.any(grad[connected] != 0)
    assert float(loss().item()) < 0.5 * first


def test_autoncp_documented_form():
    auto = AutoNCP(units=15, output_size=4, sparsity_level=0.5, seed=43)
    auto.build((None, 6))
    assert auto.neuron_map.units == 15 and auto.neuron_map.output_dim == 4 and auto.neuron_map.input_dim == 6
    reference = wirings.AutoNCP(15, 4, 0.5, 43, input_dim=6)
    np.testing.assert_array_equal(auto.neuron_map.adjacency_matrix, reference.adjacency_matrix)
    np.testing.assert_array_equal(auto.neuron_map.sensory_adjacency_matrix, reference.sensory_adjacency_matrix)
    output = auto(tensor.random_normal((2, 6)))
    assert tensor.shape(output) == (2, 4) and len(list(auto.parameters())) == 3


# ---------------------------------------------------------------- CfC / LTC (neuron_map)
def _copy_parameters(source, target):
    for (_, p), (_, q) in zip(source.named_parameters(), target.named_parameters(), strict=True):
        q.data = p.numpy()


@pytest.mark.parametrize("kind", ["CfC", "LTC"])
def test_liquid_layer_is_the_engine_layer(kind):
    """CfC(neuron_map) runs ember_ml.ncps.CfC(input_size, neuron_map): same outputs for the same weights."""
    x = np.random.default_rng(3).standard_normal((2, 5, 3)).astype(np.float32)
    ts = np.full((2, 5), 0.5, np.float32)
    layer = getattr(modules, kind)(NCPMap(5, 4, 2, seed=11), return_sequences=False, return_state=True)
    output, state = layer(x, timespans=ts)
    engine = getattr(ncps, kind)(3, NCPMap(5, 4, 2, seed=11, input_dim=3), return_sequences=False)
    _copy_parameters(layer, engine)
    want, want_state = engine(x, None, ts)
    np.testing.assert_array_equal(output.numpy(), want.numpy())
    np.testing.assert_array_equal(state.numpy(), want_state.numpy())
    assert tuple(output.shape) == (2, 2)
    sequences = getattr(modules, kind)(NCPMap(5, 4, 2, seed=11))(x)  # defaults: return_sequences, no state
    assert isinstance(sequences, tensor.EmberTensor) and tuple(sequences.shape) == (2, 5, 2)
    again = layer(x[:, 2:], initial_state=layer(x[:, :2])[1])[0]
    np.testing.assert_allclose(again.numpy(), layer(x)[0].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind,options", [("CTRNN", {"ode_unfolds": 3}), ("CTGRU", {"num_timescales": 3})])
def test_continuous_time_layers_are_the_engine_layers(kind, options):
    x = np.random.default_rng(7).standard_normal((2, 5, 3)).astype(np.float32)
    layer = getattr(modules, kind)(4, return_state=True, **options)
    output, state = layer(x)
    engine = getattr(ncps, kind)(3, 4, **options)
    _copy_parameters(layer, engine)
    want, want_state = engine(x)
    np.testing.assert_array_equal(output.numpy(), want.numpy())
    np.testing.assert_array_equal(state.numpy(), want_state.numpy())
    with pytest.raises(NotImplementedError, match=rf"^\[{kind}\] a wired {kind}"):
        getattr(modules, kind)(NCPMap(3, 2, 1))


def test_liquid_layer_passes_the_mask_only_when_given(monkeypatch):
    layer = modules.CfC(NCPMap(5, 4, 2, seed=1))
    x = np.ones((2, 3, 3), np.float32)
    layer(x)
    seen = {}

    def forward(input, hx=None, timespans=None, **kwargs):
        seen.update(kwargs)
        return tensor.zeros((2, 3, 2)), tensor.zeros((2, 11))

    monkeypatch.setattr(layer.layer, "forward", forward)
    layer(x)
    assert seen == {}
    mask = np.ones((2, 3), np.float32)
    layer(x, mask=mask)
    assert seen["mask"] is mask


# ---------------------------------------------------------------- stacked RNN / LSTM / GRU vs torch.nn
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_layers_match_torch(kind, bidirectional):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, 6, 4)).astype(np.float32)
    ours = getattr(modules, kind)(4, 5, num_layers=2, bidirectional=bidirectional, return_state=True)
    theirs = getattr(torch.nn, kind)(4, 5, num_layers=2, bidirectional=bidirectional, batch_first=True)
    for index, cell in enumerate(ours.cells):
        suffix = f"l{index // ours.directions}" + ("_reverse" if index % ours.directions else "")
        for name, param in cell.named_parameters():
            param.data = getattr(theirs, name.replace("l0", suffix)).detach().numpy()
    output, state = ours(x)
    want, want_state = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(output.numpy(), want.detach().numpy(), rtol=1e-4, atol=1e-5)
    for got, exp in zip(state if kind == "LSTM" else (state,), want_state if kind == "LSTM" else (want_state,)):
        np.testing.assert_allclose(got.numpy(), exp.detach().numpy(), rtol=1e-4, atol=1e-5)
    last = getattr(modules, kind)(4, 5, num_layers=2, bidirectional=bidirectional, return_sequences=False)
    _copy_parameters(ours, last)
    np.testing.assert_allclose(last(x, initial_state=state).shape, (3, 5 * ours.directions))


def test_stacked_layer_time_major_and_dropout():
    layer = modules.GRU(3, 4, num_layers=3, dropout=0.5, batch_first=False)
    x = np.random.default_rng(5).standard_normal((6, 2, 3)).astype(np.float32)
    a, b = layer(x).numpy(), layer(x).numpy()
    assert a.shape == (6, 2, 4) and not np.allclose(a, b)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())


# ---------------------------------------------------------------- get_config / from_config everywhere
LAYERS = {
    "NCP": lambda: NCP(NCPMap(4, 3, 2, seed=1)),
    "AutoNCP": lambda: AutoNCP(10, 2, seed=5),
    "CfC": lambda: modules.CfC(NCPMap(4, 3, 2, seed=1), return_state=True),
    "CfC-units": lambda: modules.CfC(6, mode="pure"),
    "LTC": lambda: modules.LTC(modules.FullyConnectedMap(4, 2, seed=3), ode_unfolds=3),
    "RNN": lambda: modules.RNN(3, 4, num_layers=2, activation="relu", bidirectional=True),
    "LSTM": lambda: modules.LSTM(3, 4, dropout=0.2, return_state=True),
    "GRU": lambda: modules.GRU(3, 4, bias=False),
    "CTRNN": lambda: modules.CTRNN(4, activation="relu", ode_unfolds=2),
    "CTGRU": lambda: modules.CTGRU(4, num_timescales=3, return_state=True),
    "ncps.CfC": lambda: ncps.CfC(3, 6, backbone_units=8, proj_size=2),
    "ncps.CfC-wired": lambda: ncps.CfC(3, wirings.AutoNCP(8, 2, seed=1)),
    "ncps.LTC": lambda: ncps.LTC(3, wirings.NCP(4, 3, 2, 2, 2, 2, 2), ode_unfolds=2),
    "ncps.LSTM": lambda: ncps.LSTM(3, 4),
    "ncps.GRU": lambda: ncps.GRU(3, 4, bias=False),
    "ncps.RNN": lambda: ncps.RNN(3, 4, nonlinearity="relu"),
    "ncps.CTRNN": lambda: ncps.CTRNN(3, 4, activation="relu"),
    "ncps.CTGRU": lambda: ncps.CTGRU(3, 4, num_timescales=3),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_config_round_trip(name):
    layer = LAYERS[name]()
    x = np.random.default_rng(6).standard_normal((2, 4, 3)).astype(np.float32)
    call = (lambda m: m(x[:, 0])) if "NCP" in name else (lambda m: m(x))
    call(layer)
    config = json.loads(json.dumps(layer.get_config()))
    clone = type(layer).from_config(config)
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()
    call(clone)
    shapes = sorted((n, tuple(p.shape)) for n, p in clone.named_parameters())
    assert shapes == sorted((n, tuple(p.shape)) for n, p in layer.named_parameters())


# ---------------------------------------------------------------- Parameter (documented behaviour)
def test_parameter_access_and_data_updates():
    class Holder(modules.Module):
        def __init__(self):
            super().__init__()
            self.param = modules.Parameter(tensor.zeros((2,)))

    module = Holder()
    param = module.param
    assert module.param is param and module._parameters["param"] is param
    param.data = tensor.ones((2,))
    np.testing.assert_array_equal(module.param.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(module._parameters["param"].data.numpy(), [1.0, 1.0])


# ---------------------------------------------------------------- the ncps-compatible namespace
def test_ncps_namespace_mirrors_ncps_torch():
    from ember_ml.ncps import wirings as ncps_wirings

    for name in ("CfC", "LTC", "CfCCell", "LTCCell", "WiredCfCCell", "LSTM", "GRU", "RNN", "CTRNN", "CTGRU",
                 "from_ncps"):
        assert hasattr(ncps, name), name
    for name in ("Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"):
        assert getattr(ncps_wirings, name) is getattr(wirings, name)
    output, hx = ncps.CfC(3, 4)(np.ones((2, 5, 3), np.float32))
    assert tuple(output.shape) == (2, 5, 4) and tuple(hx.shape) == (2, 4)
    assert modules.CfC is not ncps.CfC and modules.NCP.__module__ == "ember_ml.nn.modules.ncp"


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("thunk,words", [
    (lambda: NeuronMap(4, 5), ["[NeuronMap]", "output_dim", "[1, 4]", "got 5"]),
    (lambda: NCPMap(-1, 3, 2), ["[NCPMap]", "inter_neurons", "got -1"]),
    (lambda: NCPMap(4, 3, 2, sensory_neurons=-2), ["[NCPMap]", "sensory_neurons", "got -2"]),
    (lambda: NCPMap(4, 3, 2, sparsity_level=1.0), ["[NCPMap]", "sparsity_level", "[0.0, 1.0)", "got 1.0"]),
    (lambda: NCPMap(4, 3, 2, inter_to_command_sparsity=-0.1), ["[NCPMap]", "inter_to_command_sparsity", "-0.1"]),
    (lambda: RandomMap(4, sparsity_level=1.5), ["[RandomMap]", "sparsity_level", "got 1.5"]),
    (lambda: FullyConnectedMap(4, sparsity_level=0.5), ["[FullyConnectedMap]", "sparsity_level", "0.5"]),
    (lambda: NCPMap(4, 3, 2).build(), ["[NCPMap]", "build() needs input_dim", "units=9"]),
    (lambda: NCP(NCPMap(4, 3, 2, input_dim=3))(np.ones((2, 4), np.float32)),
     ["[NCP]", "input_dim=3", "4 features"]),
    (lambda: AutoNCP(10, 8), ["[AutoNCP]", "output_size", "units - 2 = 8", "got 8"]),
    (lambda: modules.CfC(NCPMap(4, 3, 2, input_dim=3))(np.ones((2, 5, 4), np.float32)),
     ["[CfC]", "input_dim=3", "4"]),
    (lambda: modules.LSTM(3, 4)(np.ones((2, 5, 3), np.float32), initial_state=np.zeros((1, 2, 4), np.float32)),
     ["[LSTM]", "initial_state", "(h, c)"]),
    (lambda: modules.GRU(3, 4, num_layers=2)(np.ones((2, 5, 3), np.float32), np.zeros((1, 2, 4), np.float32)),
     ["[GRU]", "(2, 2, 4)", "(1, 2, 4)"]),
    (lambda: modules.RNN(3, 4, activation="sigmoid"), ["[RNN]", "activation", "'sigmoid'"]),
    (lambda: modules.LSTM(3, 4, dropout=1.0), ["[LSTM]", "dropout", "1.0"]),
    (lambda: modules.Dense(2, 3)(np.ones((1, 2), np.float32), return_state=True), ["[Dense]", "return_state", "none"]),
    (lambda: modules.CfC(NCPMap(4, 3, 2))(np.ones((1, 5, 2), np.float32), return_state=True),
     ["[CfC]", "return_state", "CfC(..., return_state=True)"]),
])
def test_bad_input_names_the_class_and_numbers(thunk, words):
    with pytest.raises(ValueError) as info:
        thunk()
    message = str(info.value)
    assert message.startswith(words[0]), message
    for word in words[1:]:
        assert word in message, (word, message)
