"""Mixed memory (ncps's LSTM cell before the CfC / LTC cell, ``mixed_memory=True``) inside the
fused ops (``_core.cfc_sequence`` / ``_core.ltc_sequence(..., mixed_memory=...)``) against the
plain-op step loop (``fused=False``, the reference, itself checked against ncps in
test_rnn_parity.py): outputs, both final states ``(h, c)`` and the gradients of the input,
``(h0, c0)``, the timespans and every parameter (the LSTM's included), un-wired CfC with a
backbone, wired CfC and LTC, with and without a step mask, on cpu and opencl, with the paper
variant's heads and backbone dropout while training.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
from ember_ml import _core, ops
from ember_ml.ncps import LTC, CfC
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.rnn._liquid import LiquidLayer
from ember_ml.wirings import AutoNCP, FullyConnected
from test_rnn_fused import _layer

CONFIGS = {
    "CfC 5 units, backbone 1 x 6 silu": (CfC, dict(units=lambda: 5, backbone_units=6, activation="silu",
                                                    mixed_memory=True)),
    "CfC autoncp (the LSTM over the whole wired state)": (CfC, dict(units=lambda: AutoNCP(10, 3, seed=2),
                                                                   mixed_memory=True)),
    "CfC no_gate, no backbone, time major": (CfC, dict(units=lambda: 4, backbone_layers=0, mode="no_gate",
                                                       batch_first=False, mixed_memory=True)),
    "CfC pure, backbone 2 x 5 gelu, return last": (CfC, dict(units=lambda: 3, backbone_units=5, backbone_layers=2,
                                                             activation="gelu", mode="pure",
                                                             return_sequences=False, mixed_memory=True)),
    "LTC autoncp": (LTC, dict(units=lambda: AutoNCP(10, 3, seed=1), mixed_memory=True)),
    "LTC autoncp, forget bias 2.1": (LTC, dict(units=lambda: AutoNCP(10, 3, seed=1), mixed_memory=True,
                                               forget_bias=2.1)),
    "LTC fully connected, linear mappings, 2 unfolds, time major": (
        LTC, dict(units=lambda: FullyConnected(6, 2), input_mapping="linear", output_mapping="linear", ode_unfolds=2,
                  batch_first=False, mixed_memory=True)),
}
# The paper's Walker2d mixed model at small sizes: paper cell, 2 x 5 lecun_tanh backbone with
# dropout after both layers, projection; training mode, so the same seed gives the same masks.
WALKER_MIXED = (CfC, dict(units=lambda: 4, backbone_units=5, backbone_layers=2, backbone_dropout=0.2,
                          variant="paper", proj_size=3, mixed_memory=True, forget_bias=2.1))
SEED = 5


def _inputs(layer: LiquidLayer, batch: int, steps: int = 6, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, 4) if layer.batch_first else (steps, batch, 4))
    h0, c0 = (rng.normal(scale=0.3, size=(batch, layer.state_size)) for _ in range(2))
    return x, h0, c0, rng.uniform(0.3, 2.0, size=x.shape[:2])


def _mask(layer: LiquidLayer, batch: int, steps: int = 6) -> np.ndarray:
    lengths = np.random.default_rng(1).integers(0, steps + 1, size=batch)
    mask = np.arange(steps)[None, :] < lengths[:, None]
    mask[0, 1] = False  # a gap inside a sequence
    return mask if layer.batch_first else mask.T


def _run(layer: LiquidLayer, arrays: tuple[np.ndarray, ...], fused: bool, dtype: str, mask: np.ndarray | None,
         seed: int | None = None):
    """Outputs, final (h, c), gradients and their labels; asserts the fused op ran iff ``fused``."""
    layer.fused = fused
    layer.zero_grad()
    x, h0, c0, ts = (T.convert_to_tensor(a.astype(dtype), requires_grad=True) for a in arrays)
    if seed is not None:
        em.nn.tensor.set_seed(seed)
    out, (h, c) = layer(x, hx=(h0, c0), timespans=ts, mask=mask)
    weights = T.convert_to_tensor(np.linspace(0.5, 1.5, int(np.prod(out.shape))).reshape(out.shape).astype(dtype))
    (ops.stats.sum(out * weights) + ops.stats.sum(ops.sin(h)) + ops.stats.sum(ops.cos(c))).backward()
    params = dict(layer.named_parameters())
    grads = [t.grad.numpy() for t in (x, h0, c0, ts)] + [p.grad.numpy() for p in params.values()]
    return out.numpy(), h.numpy(), c.numpy(), grads, ["input", "h0", "c0", "timespans", *params]


def _assert_same(got, want, tol: float) -> None:
    for k, what in enumerate(("outputs", "final h", "final c")):
        np.testing.assert_allclose(got[k], want[k], rtol=tol, atol=tol, err_msg=what)
    assert got[4] == want[4]
    for label, g, w in zip(got[4], got[3], want[3]):
        scale = max(1.0, float(np.abs(w).max()))
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * scale, err_msg=f"gradient of {label}")


def _counting(monkeypatch) -> list[dict]:
    """The keyword arguments of every call of the fused ops from now on."""
    calls: list[dict] = []
    for op in ("cfc_sequence", "ltc_sequence"):
        real = getattr(_core, op)
        monkeypatch.setattr(_core, op, lambda *a, real=real, **k: calls.append(k) or real(*a, **k))
    return calls


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("batch", [3, 130])
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_mixed_memory_matches_step_loop(name: str, dtype: str, tol: float, batch: int, masked: bool,
                                              monkeypatch) -> None:
    layer = _layer(CONFIGS[name], dtype)
    arrays = _inputs(layer, batch)
    mask = _mask(layer, batch) if masked else None
    calls = _counting(monkeypatch)
    fused = _run(layer, arrays, True, dtype, mask)
    assert calls and calls[0]["mixed_memory"] is not None, "the fused op did not run with mixed memory"
    calls.clear()
    steps = _run(layer, arrays, False, dtype, mask)
    assert not calls
    _assert_same(fused, steps, tol)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
def test_fused_walker2d_mixed_with_dropout_matches_step_loop(dtype: str, tol: float, masked: bool,
                                                             monkeypatch) -> None:
    layer = _layer(WALKER_MIXED, dtype)
    arrays = _inputs(layer, 70, steps=9)
    mask = _mask(layer, 70, steps=9) if masked else None
    calls = _counting(monkeypatch)
    fused = _run(layer, arrays, True, dtype, mask, seed=SEED)
    assert calls and calls[0]["backbone_dropout"] > 0 and calls[0]["head_activation"] == "lecun_tanh"
    _assert_same(fused, _run(layer, arrays, False, dtype, mask, seed=SEED), tol)
    # The masks did drop units: another seed gives other outputs.
    assert not np.allclose(_run(layer, arrays, True, dtype, mask, seed=SEED + 1)[0], fused[0])


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("path,tol", [("host", 1e-6), ("device", 1e-5)])
@pytest.mark.parametrize("name", [*CONFIGS, "walker2d mixed, dropout"])
def test_fused_mixed_memory_on_opencl_matches_cpu(name: str, path: str, tol: float, masked: bool,
                                                  monkeypatch) -> None:
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", path)
    config = WALKER_MIXED if name == "walker2d mixed, dropout" else CONFIGS[name]
    arrays = _inputs(_layer(config, "float32"), 37, seed=3)
    mask = _mask(_layer(config, "float32"), 37) if masked else None
    want = _run(_layer(config, "float32"), arrays, True, "float32", mask, seed=SEED)
    layer = _layer(config, "float32").to("opencl:0")
    calls = _counting(monkeypatch)
    with em.using_backend("opencl"):
        got = _run(layer, arrays, True, "float32", mask, seed=SEED)
    assert calls, "the fused op did not run"
    _assert_same(got, want, tol)


def test_fused_cfc_op_checks_the_mixed_memory() -> None:
    x, h0, ts = T.zeros((2, 3, 4)), T.zeros((2, 5)), T.ones((2, 3))
    layer = {"weight": T.zeros((20, 9)), "bias": T.zeros((20,))}
    memory = {"input_weight": T.zeros((20, 4)), "input_bias": T.zeros((20,)), "recurrent_weight": T.zeros((20, 5)),
              "c0": T.zeros((2, 5))}
    assert tuple(_core.cfc_sequence(x, h0, ts, [layer], "default", mixed_memory=memory).shape) == (2, 3, 10)
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] mixed memory recurrent weight must have shape "
                                         r"\(20, 5\), got float32 tensor of shape \(20, 4\)"):
        _core.cfc_sequence(x, h0, ts, [layer], "default",
                           mixed_memory={**memory, "recurrent_weight": T.zeros((20, 4))})
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] mixed memory c0 must have shape \(2, 5\)"):
        _core.cfc_sequence(x, h0, ts, [layer], "default", mixed_memory={**memory, "c0": T.zeros((3, 5))})
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] mixed_memory has no 'input_bias'"):
        _core.cfc_sequence(x, h0, ts, [layer], "default",
                           mixed_memory={k: v for k, v in memory.items() if k != "input_bias"})
    with pytest.raises(TypeError, match=r"^\[cfc_sequence\] mixed_memory must be a dict or None"):
        _core.cfc_sequence(x, h0, ts, [layer], "default", mixed_memory=[memory])
    with pytest.raises(TypeError, match=r"^\[cfc_sequence\] every tensor must have the dtype of inputs"):
        _core.cfc_sequence(x, h0, ts, [layer], "default", mixed_memory={**memory, "c0": T.zeros((2, 5), "float64")})


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-v))


@pytest.mark.parametrize("forget_bias", [1.0, 2.1, -0.5])
def test_forget_bias_is_the_papers_constant(forget_bias: float) -> None:
    """The memory cell against the CfC paper's MixedCfcCell update (tf_cfc.py) in NumPy, float64:
    ``sigmoid(f + forget_bias)`` on the forget gate, with the learned bias drawn as ncps's U(±0.1)."""
    layer = _layer((CfC, dict(units=lambda: 5, backbone_units=6, mixed_memory=True, forget_bias=forget_bias)),
                   "float64")
    cell, hidden = layer.lstm, 5
    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=(7, 4)), rng.normal(size=(7, hidden)), rng.normal(size=(7, hidden))
    w_in, w_rec = cell.input_map.weight.numpy(), cell.recurrent_map.weight.numpy()
    learned = cell.input_map.bias.numpy().copy()
    learned[2 * hidden:3 * hidden] -= forget_bias - 1.0
    assert np.abs(learned).max() <= 0.1
    k, i, f, o = np.split(x @ w_in.T + h @ w_rec.T + learned, 4, axis=1)
    want_c = _sigmoid(f + forget_bias) * c + _sigmoid(i) * np.tanh(k)
    want_h = _sigmoid(o) * np.tanh(want_c)
    got_h, got_c = cell(*(T.convert_to_tensor(a) for a in (x,)), (T.convert_to_tensor(h), T.convert_to_tensor(c)))
    np.testing.assert_allclose(got_c.numpy(), want_c, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_h.numpy(), want_h, rtol=1e-12, atol=1e-12)


def test_forget_bias_round_trips_and_needs_mixed_memory() -> None:
    layer = LTC(4, 6, mixed_memory=True, forget_bias=2.1)
    assert layer.get_config()["forget_bias"] == 2.1
    assert type(layer).from_config(layer.get_config()).lstm.forget_bias == 2.1
    with pytest.raises(ValueError, match=r"\[CfC\] forget_bias=2.1 needs mixed_memory=True"):
        CfC(4, 5, forget_bias=2.1)
    with pytest.raises(ValueError, match=r"\[MixedMemoryCell\] forget_bias must be finite"):
        LTC(4, 6, mixed_memory=True, forget_bias=float("nan"))
