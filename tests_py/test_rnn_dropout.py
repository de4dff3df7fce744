"""Backbone dropout while training inside the fused CfC op (``_core.cfc_sequence``) against
the plain-op step loop (``fused=False``, the reference), whose Dropout modules draw their
masks from the global stream: after the same ``set_seed`` the op draws the same masks, so
outputs, final states and every gradient must agree; and the same seed gives the same masks
on cpu and opencl (host path: the cpu kernel; device path: the op composed of device ops).
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
from ember_ml import _core
from ember_ml.ncps import CfC
from ember_ml.nn import tensor as T
from test_rnn_fused import _assert_same, _inputs, _layer, _run

CONFIGS = {
    "ncps 2 x 6 silu, rate 0.3": (CfC, dict(units=lambda: 4, backbone_units=6, backbone_layers=2,
                                            activation="silu", backbone_dropout=0.3)),
    "ncps 3 x 5 gelu no_gate, rate 0.5, time major": (CfC, dict(units=lambda: 3, backbone_units=5, backbone_layers=3,
                                                               activation="gelu", mode="no_gate",
                                                               backbone_dropout=0.5, batch_first=False)),
    "paper pure 1 x 7, rate 0.2 (after the first layer too)": (CfC, dict(units=lambda: 4, backbone_units=7,
                                                                         mode="pure", variant="paper",
                                                                         backbone_dropout=0.2)),
    "paper default 2 x 6 silu, rate 0.25 (lecun_tanh heads)": (CfC, dict(units=lambda: 4, backbone_units=6,
                                                                         backbone_layers=2, activation="silu",
                                                                         variant="paper", backbone_dropout=0.25)),
}
SEED = 123


def _seeded_run(layer, x, hx, ts, fused: bool, dtype: str, **kwargs):
    em.nn.tensor.set_seed(SEED)
    return _run(layer, x, hx, ts, fused, dtype, **kwargs)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("batch", [3, 130])
@pytest.mark.parametrize("dtype,tol", [("float32", 2e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_dropout_matches_step_loop(name: str, dtype: str, tol: float, batch: int, masked: bool,
                                         monkeypatch) -> None:
    layer = _layer(CONFIGS[name], dtype)
    calls = []
    real = _core.cfc_sequence
    monkeypatch.setattr(_core, "cfc_sequence", lambda *a, **k: calls.append(k) or real(*a, **k))
    x, hx, ts = _inputs(layer, batch, steps=7)
    mask = None
    if masked:
        lengths = np.random.default_rng(2).integers(0, 8, size=batch)
        mask = np.arange(7)[None, :] < lengths[:, None]
        mask = mask if layer.batch_first else mask.T
    fused = _seeded_run(layer, x, hx, ts, True, dtype, mask=mask)
    assert calls and calls[0]["backbone_dropout"] > 0, "the fused op did not run with dropout"
    steps = _seeded_run(layer, x, hx, ts, False, dtype, mask=mask)
    _assert_same(fused, steps, tol)
    # The masks did drop units: another seed gives other outputs.
    em.nn.tensor.set_seed(SEED + 1)
    assert not np.allclose(_run(layer, x, hx, ts, True, dtype, mask=mask)[0], fused[0])


def test_fused_dropout_is_off_in_eval() -> None:
    layer = _layer(CONFIGS["ncps 2 x 6 silu, rate 0.3"], "float64")
    x, hx, ts = _inputs(layer)
    layer.eval()
    em.nn.tensor.set_seed(1)
    first = _run(layer, x, hx, ts, True, "float64")
    em.nn.tensor.set_seed(2)
    np.testing.assert_array_equal(_run(layer, x, hx, ts, True, "float64")[0], first[0])


@pytest.mark.parametrize("path,tol", [("host", 1e-6), ("device", 1e-5)])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_dropout_on_opencl_draws_the_cpu_masks(name: str, path: str, tol: float, monkeypatch) -> None:
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", path)
    config = CONFIGS[name]
    x, hx, ts = _inputs(_layer(config, "float32"), 37, seed=3, steps=6)
    want = _seeded_run(_layer(config, "float32"), x, hx, ts, True, "float32")
    layer = _layer(config, "float32").to("opencl:0")
    with em.using_backend("opencl"):
        got = _seeded_run(layer, x, hx, ts, True, "float32", stays_on_device=path == "device")
    _assert_same(got, want, tol)


def test_fused_cfc_op_checks_the_dropout_rate() -> None:
    x, h0, ts = T.zeros((2, 3, 4)), T.zeros((2, 5)), T.ones((2, 3))
    layer = {"weight": T.zeros((20, 9)), "bias": T.zeros((20,))}
    for rate in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"^\[cfc_sequence\] backbone dropout rate must be in \[0, 1\)"):
            _core.cfc_sequence(x, h0, ts, [layer], "default", backbone_dropout=rate)
