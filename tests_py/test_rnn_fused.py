"""The fused C++ sequence ops of LTC and CfC (``_core.ltc_sequence``, ``_core.cfc_sequence``)
against the plain-op step loop.

The step loop (``fused=False``) is the reference: it is itself checked against
``ncps.torch`` in test_rnn_parity.py. Outputs, final states and the gradients of the
input, the initial state, the timespans and every parameter must agree.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
from ember_ml import _core, ops
from ember_ml.backend import opencl
from ember_ml.nn import tensor as T
from ember_ml.ncps import CfC, LTC
from ember_ml.nn.modules import Dropout
from ember_ml.nn.modules.rnn._liquid import LiquidLayer
from ember_ml.wirings import NCP, AutoNCP, FullyConnected, Random

CONFIGS = {
    "LTC autoncp softplus affine": (LTC, dict(units=lambda: AutoNCP(10, 3, seed=1))),
    "LTC fully connected clamped linear": (LTC, dict(units=lambda: FullyConnected(6, 2),
                                                     implicit_param_constraints=False, input_mapping="linear",
                                                     output_mapping="linear")),
    "LTC random no mappings 2 unfolds": (LTC, dict(units=lambda: Random(7, 3, sparsity_level=0.5),
                                                   input_mapping=None, output_mapping=None, ode_unfolds=2)),
    "LTC time major, return last": (LTC, dict(units=lambda: AutoNCP(8, 2, seed=4), batch_first=False,
                                              return_sequences=False)),
    "CfC autoncp default": (CfC, dict(units=lambda: AutoNCP(12, 3, seed=2))),
    "CfC ncp no_gate": (CfC, dict(units=lambda: NCP(4, 3, 2, 2, 2, 2, 2, seed=5), mode="no_gate")),
    "CfC units without backbone, time major, proj": (CfC, dict(units=lambda: 5, backbone_layers=0, batch_first=False,
                                                               proj_size=2)),
    "CfC fully connected, return last": (CfC, dict(units=lambda: FullyConnected(6, 2), return_sequences=False)),
    "CfC default backbone (1 x 128 lecun_tanh)": (CfC, dict(units=lambda: 5)),
    "CfC backbone 2 x 8 silu no_gate": (CfC, dict(units=lambda: 4, backbone_units=8, backbone_layers=2,
                                                  activation="silu", mode="no_gate")),
    "CfC backbone relu, dropout in eval": (CfC, dict(units=lambda: 4, backbone_units=6, backbone_layers=2,
                                                     activation="relu", backbone_dropout=0.3), "eval"),
    "CfC backbone tanh": (CfC, dict(units=lambda: 3, backbone_units=5, activation="tanh")),
    "CfC gelu backbone": (CfC, dict(units=lambda: 5, backbone_units=8, activation="gelu")),
    "CfC autoncp pure": (CfC, dict(units=lambda: AutoNCP(10, 3, seed=2), mode="pure")),
    "CfC pure, backbone 2 x 6 gelu": (CfC, dict(units=lambda: 4, backbone_units=6, backbone_layers=2,
                                                activation="gelu", mode="pure")),
    "CfC paper (lecun_tanh heads), backbone silu": (CfC, dict(units=lambda: 5, backbone_units=8, activation="silu",
                                                              variant="paper")),
    "CfC paper no_gate, no backbone": (CfC, dict(units=lambda: 4, backbone_layers=0, mode="no_gate",
                                                 variant="paper")),
}
# Configurations the fused ops do not cover: the layer must take the plain steps (fused stays
# exact): a seeded backbone Dropout while training (its per-call seeds are not the global
# stream the fused op draws from; set on the layer's Dropout modules), inputs of another dtype.
FALLBACK = {
    "CfC seeded backbone dropout": ((CfC, dict(units=lambda: 4, backbone_units=6, backbone_layers=2,
                                               backbone_dropout=0.3)), 3, "float32"),
    "LTC float64 inputs, float32 parameters": ((LTC, dict(units=lambda: AutoNCP(10, 3, seed=1))), None, "float64"),
}


def _run(layer: LiquidLayer, x: np.ndarray, hx: np.ndarray, ts: np.ndarray, fused: bool, dtype: str,
         stays_on_device: bool = False, mask: np.ndarray | None = None):
    """Outputs, final state, gradients and their labels. With ``stays_on_device`` (opencl),
    asserts that forward and backward read nothing back to the host."""
    layer.fused = fused
    layer.zero_grad()
    leaves = [T.convert_to_tensor(a.astype(dtype), requires_grad=True) for a in (x, hx, ts)]
    opencl.reset_transfer_stats()
    out, h = layer(*leaves[:1], hx=leaves[1], timespans=leaves[2], mask=mask)
    weights = T.convert_to_tensor(np.linspace(0.5, 1.5, int(np.prod(out.shape))).reshape(out.shape).astype(dtype))
    (ops.stats.sum(out * weights) + ops.stats.sum(ops.sin(h))).backward()
    if stays_on_device:
        assert opencl.transfer_stats()["device_to_host"] == 0, "the sequence was copied to the host"
    params = dict(layer.named_parameters())
    grads = [t.grad.numpy() for t in leaves] + [p.grad.numpy() for p in params.values()]
    return out.numpy(), h.numpy(), grads, ["input", "hx", "timespans", *params]


def _layer(config: tuple, dtype: str) -> LiquidLayer:
    cls, kwargs, *mode = config
    em.nn.tensor.set_seed(11)
    layer = cls(4, kwargs["units"](), **{k: v for k, v in kwargs.items() if k != "units"})
    if mode == ["eval"]:
        layer.eval()
    if dtype == "float64":
        for module in layer.modules():
            for name, p in list(module.named_parameters(recurse=False)):
                setattr(module, name, em.nn.modules.Parameter(T.cast(p.detach(), "float64")))
            for name, b in list(module.named_buffers(recurse=False)):
                module.register_buffer(name, T.cast(b, "float64"))
    return layer


def _inputs(layer: LiquidLayer, batch: int = 3, seed: int = 0, steps: int = 5) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, 4) if layer.batch_first else (steps, batch, 4))
    hx = rng.normal(scale=0.3, size=(batch, layer.state_size))
    return x, hx, rng.uniform(0.3, 2.0, size=x.shape[:2])


def _assert_same(got, want, tol: float) -> None:
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol, err_msg="outputs")
    np.testing.assert_allclose(got[1], want[1], rtol=tol, atol=tol, err_msg="final state")
    for label, g, w in zip(got[3], got[2], want[2]):
        scale = max(1.0, float(np.abs(w).max(initial=0.0)))
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * scale, err_msg=f"gradient of {label}")


# 37 sequences fill several of the kernels' lane blocks (16 float32 / 8 float64 lanes on
# AVX2) and leave a partial one; 3 is a single partial block.
@pytest.mark.parametrize("batch", [3, 37])
@pytest.mark.parametrize("dtype,tol", [("float32", 2e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_sequence_matches_step_loop(name: str, dtype: str, tol: float, batch: int, monkeypatch) -> None:
    layer = _layer(CONFIGS[name], dtype)
    calls = []
    for op in ("ltc_sequence", "cfc_sequence"):
        real = getattr(_core, op)
        monkeypatch.setattr(_core, op, lambda *a, real=real, **k: calls.append(1) or real(*a, **k))
    x, hx, ts = _inputs(layer, batch)
    fused = _run(layer, x, hx, ts, True, dtype)
    assert calls, "the fused op did not run"
    _assert_same(fused, _run(layer, x, hx, ts, False, dtype), tol)


# An empty batch: the fused op's forward has nothing to compute, and its backward must still
# produce (zero) parameter gradients, as the step loop does.
@pytest.mark.parametrize("name", [n for n in CONFIGS if CONFIGS[n][0] is CfC])
def test_fused_sequence_of_an_empty_batch_matches_step_loop(name: str) -> None:
    layer = _layer(CONFIGS[name], "float64")
    x, hx, ts = _inputs(layer, batch=0)
    _assert_same(_run(layer, x, hx, ts, True, "float64"), _run(layer, x, hx, ts, False, "float64"), 1e-12)


# The CfC paper's Walker2d configuration (CfC 64, backbone 1 x 256 silu, projection) at small
# sizes: 130 sequences, split into row blocks of at least 64 across the cpu kernels' threads
# (two blocks on a 2-core machine), 40 steps, with and without a padding mask.
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
def test_fused_walker2d_shape_family_matches_step_loop(dtype: str, tol: float, masked: bool) -> None:
    layer = _layer((CfC, dict(units=lambda: 4, proj_size=3, backbone_units=8, backbone_layers=1,
                              activation="silu")), dtype)
    x, hx, ts = _inputs(layer, batch=130, steps=40)
    mask = None
    if masked:
        lengths = np.random.default_rng(1).integers(0, 41, size=130)
        mask = np.arange(40)[None, :] < lengths[:, None]
    _assert_same(_run(layer, x, hx, ts, True, dtype, mask=mask), _run(layer, x, hx, ts, False, dtype, mask=mask),
                 tol)


@pytest.mark.parametrize("name", list(FALLBACK))
def test_uncovered_configurations_take_the_steps(name: str, monkeypatch) -> None:
    config, dropout_seed, input_dtype = FALLBACK[name]
    layer = _layer(config, "float32")
    for module in layer.modules():
        if isinstance(module, Dropout):
            module.seed = dropout_seed
    for op in ("ltc_sequence", "cfc_sequence"):
        monkeypatch.setattr(_core, op, lambda *a, **k: pytest.fail("a fused op ran for an uncovered configuration"))
    x, _, ts = _inputs(layer)
    out, _ = layer(T.convert_to_tensor(x.astype(input_dtype)), timespans=T.convert_to_tensor(ts.astype(input_dtype)))
    assert np.isfinite(out.numpy()).all()


def test_fused_op_checks_its_arguments() -> None:
    cell = LTC(4, AutoNCP(8, 2, seed=1)).rnn_cell
    params = {k: v.detach() for k, v in cell.params().items()}
    x, h0, el = T.zeros((2, 3, 4)), T.zeros((2, 8)), T.ones((2, 3))
    with pytest.raises(ValueError, match=r"^\[ltc_sequence\] h0 must have shape \(2, 8\)"):
        _core.ltc_sequence(x, T.zeros((3, 8)), el, params, 6, 1e-8)
    with pytest.raises(ValueError, match=r"^\[ltc_sequence\] elapsed must have shape \(2, 3\)"):
        _core.ltc_sequence(x, h0, T.ones((2, 4)), params, 6, 1e-8)
    with pytest.raises(TypeError, match=r"^\[ltc_sequence\] h0 must have the dtype of inputs \(float32\)"):
        _core.ltc_sequence(x, T.zeros((2, 8), dtype="float64"), el, params, 6, 1e-8)
    with pytest.raises(ValueError, match=r"^\[ltc_sequence\] ode_unfolds must be >= 1"):
        _core.ltc_sequence(x, h0, el, params, 0, 1e-8)
    with pytest.raises(ValueError, match=r"^\[ltc_sequence\] params has no 'mu'"):
        _core.ltc_sequence(x, h0, el, {k: v for k, v in params.items() if k != "mu"}, 6, 1e-8)


def test_fused_cfc_op_checks_its_arguments() -> None:
    x, h0, ts = T.zeros((2, 3, 4)), T.zeros((2, 5)), T.ones((2, 3))
    layer = {"weight": T.zeros((20, 9)), "bias": T.zeros((20,))}
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] mode must be 'default', 'no_gate' or 'pure'"):
        _core.cfc_sequence(x, h0, ts, [layer], "gated")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] activation must be lecun_tanh, tanh, relu, silu or gelu"):
        _core.cfc_sequence(x, h0, ts, [layer], "default", "elu")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] head_activation must be 'tanh' or 'lecun_tanh'"):
        _core.cfc_sequence(x, h0, ts, [layer], "default", head_activation="silu")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layers\[0\] needs 'w_tau' and 'A'"):
        _core.cfc_sequence(x, h0, ts, [layer], "pure")
    pure = {"weight": T.zeros((5, 9)), "bias": T.zeros((5,)), "w_tau": T.zeros((5,)), "A": T.zeros((1, 5))}
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layer 0 A must have shape \(5,\) in pure mode"):
        _core.cfc_sequence(x, h0, ts, [pure], "pure")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layer 0 heads weight must be \(5, 9\)"):
        _core.cfc_sequence(x, h0, ts, [{**pure, "weight": T.zeros((5, 8)), "A": T.zeros((5,))}], "pure")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layer 0 heads weight must be \(20, 9\)"):
        _core.cfc_sequence(x, h0, ts, [{"weight": T.zeros((20, 8)), "bias": T.zeros((20,))}], "default")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layer 0 heads weight must be \(20, 7\)"):
        _core.cfc_sequence(x, h0, ts, [{**layer, "backbone": [(T.zeros((7, 9)), T.zeros((7,)))]}], "default")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] layer 0 backbone 0 bias must have shape \(7,\)"):
        _core.cfc_sequence(x, h0, ts, [{**layer, "backbone": [(T.zeros((7, 9)), T.zeros((6,)))]}], "default")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] needs at least one layer"):
        _core.cfc_sequence(x, h0, ts, [], "default")
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] h0 must have shape \(2, 5\)"):
        _core.cfc_sequence(x, T.zeros((2, 6)), ts, [layer], "default")
    with pytest.raises(TypeError, match=r"^\[cfc_sequence\] every tensor must have the dtype of inputs"):
        _core.cfc_sequence(x, h0, T.ones((2, 3), dtype="float64"), [layer], "default")


def test_second_order_through_the_fused_op_raises() -> None:
    layer = LTC(4, AutoNCP(8, 2, seed=1))
    x = T.convert_to_tensor(np.ones((1, 2, 4), np.float32))

    def first(inp):
        return ops.stats.sum(layer(inp)[0])

    with pytest.raises(NotImplementedError, match=r"ltc_sequence_backward"):
        ops.grad(lambda v: ops.stats.sum(ops.grad(first)(v)))(x)


def _on_opencl(name: str, dtype: str, batch: int, path: str):
    # Module.to moves every parameter and buffer; the fused op runs there, on the device
    # kernels or the host path (EMBER_OPENCL_SEQUENCES, set by the caller).
    config = CONFIGS[name]
    x, hx, ts = _inputs(_layer(config, dtype), batch, seed=3)
    want = _run(_layer(config, dtype), x, hx, ts, True, dtype)
    layer = _layer(config, dtype).to("opencl:0")
    assert all(p.device == "opencl:0" for p in layer.parameters())
    assert all(b.device == "opencl:0" for b in layer.buffers())
    with em.using_backend("opencl"):
        got = _run(layer, x, hx, ts, True, dtype, stays_on_device=path == "device")
    return got, want


# The LTC device kernels sum in the cpu kernel's order per sequence, but add the sequences'
# parameter gradients in another order; the device CfC's GEMMs sum in their own order.
@pytest.mark.parametrize("batch", [3, 37])
@pytest.mark.parametrize("path", ["device", "host"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_sequence_on_opencl_matches_cpu(name: str, path: str, batch: int, monkeypatch) -> None:
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", path)
    got, want = _on_opencl(name, "float32", batch, path)
    _assert_same(got, want, 1e-5 if path == "device" else 1e-6)


@pytest.mark.parametrize("name", [name for name in CONFIGS if name.startswith("LTC")])
def test_fused_ltc_on_opencl_float64_matches_cpu(name: str, monkeypatch) -> None:
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", "device")
    got, want = _on_opencl(name, "float64", 37, "device")
    _assert_same(got, want, 1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_ltc_on_opencl_runs_on_the_device(dtype: str, monkeypatch) -> None:
    # The device kernels build their synapse tables from the masks on the device; the host
    # path would copy every input buffer to the host and the results back.
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", "device")
    cell = _layer(CONFIGS["LTC autoncp softplus affine"], dtype).rnn_cell.to("opencl:0")
    rng = np.random.default_rng(5)
    with em.using_backend("opencl"):
        x, h0 = (T.convert_to_tensor(rng.normal(size=s).astype(dtype), requires_grad=True)
                 for s in [(4, 6, 4), (4, 10)])
        el = T.convert_to_tensor(rng.uniform(0.5, 1.5, size=(4, 6)).astype(dtype), requires_grad=True)
        params = cell.params()
        opencl.synchronize()
        opencl.reset_transfer_stats()
        states = _core.ltc_sequence(x, h0, el, params, 6, 1e-8)
        ops.stats.sum(states).backward()
        opencl.synchronize()
        moved = opencl.transfer_stats()
    assert moved == {"host_to_device": 0, "host_to_device_bytes": 0, "device_to_host": 0, "device_to_host_bytes": 0}
    assert np.isfinite(states.numpy()).all()
    assert all(np.abs(t.grad.numpy()).max() > 0 for t in (x, h0, el, params["w"], params["sensory_mu"], params["cm"]))
