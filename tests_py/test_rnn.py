"""ncps-style recurrent layers (ember_ml.ncps): training, parameter / buffer registration, state passing, NCP outputs."""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops, wirings
from ember_ml.ncps import CTGRU, CTRNN, GRU, LSTM, LTC, RNN, CfC, CfCCell, LTCCell
from ember_ml.training import Adam


def _task(seed: int = 0, batch: int = 8, steps: int = 6, features: int = 3):
    """Inputs and a smooth target of the last two steps' first two features."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    y = np.tanh(x[:, -1, :2] + 0.3 * x[:, -2, :2]).astype(np.float32)
    return x, y


LAYERS = {
    "CfC": lambda: CfC(3, 6, backbone_units=8),
    "CfC-pure-mixed": lambda: CfC(3, 6, mode="pure", backbone_units=8, mixed_memory=True),
    "CfC-AutoNCP-wired": lambda: CfC(3, wirings.AutoNCP(8, 2, seed=1), proj_size=2),
    "LTC-explicit": lambda: LTC(3, 5, ode_unfolds=3, implicit_param_constraints=False),
    "LTC-AutoNCP-wired": lambda: LTC(3, wirings.AutoNCP(8, 2, seed=2), ode_unfolds=3),
    "LSTM": lambda: LSTM(3, 6),
    "GRU": lambda: GRU(3, 6),
    "RNN": lambda: RNN(3, 6),
    "CTRNN": lambda: CTRNN(3, 6, ode_unfolds=3),
    "CTGRU": lambda: CTGRU(3, 6, num_timescales=4),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_trains(name: str) -> None:
    from ember_ml.nn import tensor as T

    T.set_seed(0)
    layer = LAYERS[name]()
    x, y = _task()
    params = list(layer.parameters())
    optimizer = Adam(params, lr=0.05)

    def loss_value():
        out, _ = layer(x)
        return ops.mse(y, out[:, -1, :2])

    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = loss_value()
        loss.backward()
        assert all(p.grad is not None for p in params), f"{name}: a parameter got no gradient"
        optimizer.step()
        if hasattr(layer, "apply_weight_constraints"):
            layer.apply_weight_constraints()
        losses.append(float(loss.item()))
    final = float(loss_value().item())
    assert final < 0.6 * losses[0], f"{name}: loss {losses[0]:.4f} -> {final:.4f}"


def test_wired_cfc_output_is_the_motor_layer() -> None:
    wiring = wirings.NCP(4, 3, 2, 2, 2, 2, 2)
    layer = CfC(3, wiring, return_sequences=False)
    out, state = layer(_task()[0])
    # ncps lays a wired CfC's state out layer by layer; the motor layer comes last.
    np.testing.assert_array_equal(out.numpy(), state.numpy()[:, -2:])
    assert np.abs(out.numpy()).min() > 0


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_state_is_passed_explicitly(name: str) -> None:
    layer = LAYERS[name]()
    x = _task(2)[0]
    full, h_full = layer(x)
    first, h = layer(x[:, :4])
    second, h2 = layer(x[:, 4:], h)
    np.testing.assert_allclose(np.concatenate([first.numpy(), second.numpy()], axis=1), full.numpy(), atol=1e-6)
    for a, b in zip(h2 if isinstance(h2, tuple) else (h2,), h_full if isinstance(h_full, tuple) else (h_full,)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_parameter_counts_and_masks_are_buffers() -> None:
    units, inputs = 6, 3
    lstm = LSTM(inputs, units)
    assert sum(p.size for p in lstm.parameters()) == 4 * units * (inputs + units) + 8 * units
    ltc = LTC(inputs, wirings.AutoNCP(8, 2, seed=0))
    names = {n for n, _ in ltc.named_parameters()}
    buffers = {n for n, _ in ltc.named_buffers()}
    assert buffers == {"rnn_cell.sparsity_mask", "rnn_cell.sensory_sparsity_mask"}
    assert not names & buffers and len(names) == 15
    cfc = CfC(inputs, wirings.AutoNCP(8, 2, seed=0))
    assert {n for n, _ in cfc.named_buffers()} == {f"rnn_cell.layer_{i}.sparsity_mask" for i in range(3)}
    # Each wired CfC layer has ff1, ff2, time_a, time_b (weight and bias).
    assert len(list(cfc.parameters())) == 3 * 8


def test_pure_mode_and_cells_register_their_parameters() -> None:
    cell = CfCCell(3, 4, mode="pure", backbone_layers=0)
    assert {n for n, _ in cell.named_parameters()} == {"ff1.weight", "ff1.bias", "w_tau", "A"}
    ltc = LTCCell(wirings.FullyConnected(4), in_features=2, input_mapping=None, output_mapping="linear")
    assert {"input_w", "input_b", "output_b"}.isdisjoint(n for n, _ in ltc.named_parameters())
    assert "output_w" in dict(ltc.named_parameters())


def test_backbone_dropout_follows_training_mode() -> None:
    layer = CfC(3, 5, backbone_layers=2, backbone_units=16, backbone_dropout=0.5)
    x = _task()[0]
    a, b = layer(x)[0].numpy(), layer(x)[0].numpy()
    assert not np.allclose(a, b)
    layer.eval()
    np.testing.assert_array_equal(layer(x)[0].numpy(), layer(x)[0].numpy())


def test_ctgru_decay_uses_elapsed_time() -> None:
    layer = CTGRU(3, 4, num_timescales=3)
    x = _task()[0][:, :1]
    _, h1 = layer(x, timespans=np.full((8, 1), 1.0, np.float32))
    _, h0 = layer(x, timespans=np.full((8, 1), 1e-6, np.float32))
    assert not np.allclose(h1.numpy(), h0.numpy())
    # With no elapsed time nothing decays: h_hat' = (1 - s) * 0 + s * q, so h = q per unit.
    h_hat = h0.numpy().reshape(8, 4, 3)
    assert np.all(np.abs(h_hat.sum(axis=2)) <= 1.0 + 1e-6)
