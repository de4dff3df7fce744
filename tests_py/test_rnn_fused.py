"""The fused C++ sequence op of LTC (``_core.ltc_sequence``) against the plain-op step loop.

The step loop (``fused=False``) is the reference: it is itself checked against
``ncps.torch`` in test_rnn_parity.py. Outputs, final states and the gradients of the
input, the initial state, the timespans and every parameter must agree.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import LTC
from ember_ml.wirings import AutoNCP, FullyConnected, Random

CONFIGS = {
    "autoncp softplus affine": dict(units=lambda: AutoNCP(10, 3, seed=1)),
    "fully connected clamped linear": dict(units=lambda: FullyConnected(6, 2), implicit_param_constraints=False,
                                           input_mapping="linear", output_mapping="linear"),
    "random no mappings 2 unfolds": dict(units=lambda: Random(7, 3, sparsity_level=0.5), input_mapping=None,
                                         output_mapping=None, ode_unfolds=2),
    "time major, return last": dict(units=lambda: AutoNCP(8, 2, seed=4), batch_first=False,
                                    return_sequences=False),
}


def _run(layer: LTC, x: np.ndarray, hx: np.ndarray, ts: np.ndarray, fused: bool, dtype: str):
    layer.fused = fused
    layer.zero_grad()
    leaves = [T.convert_to_tensor(a.astype(dtype), requires_grad=True) for a in (x, hx, ts)]
    out, h = layer(*leaves[:1], hx=leaves[1], timespans=leaves[2])
    weights = T.convert_to_tensor(np.linspace(0.5, 1.5, int(np.prod(out.shape))).reshape(out.shape).astype(dtype))
    (ops.stats.sum(out * weights) + ops.stats.sum(ops.sin(h))).backward()
    params = dict(layer.named_parameters())
    grads = [t.grad.numpy() for t in leaves] + [p.grad.numpy() for p in params.values()]
    return out.numpy(), h.numpy(), grads, ["input", "hx", "timespans", *params]


def _layer(config: dict, dtype: str) -> LTC:
    kwargs = {k: v for k, v in config.items() if k != "units"}
    em.nn.tensor.set_seed(11)
    layer = LTC(4, config["units"](), **kwargs)
    if dtype == "float64":
        for name, p in list(layer.rnn_cell.named_parameters(recurse=False)):
            setattr(layer.rnn_cell, name, em.nn.modules.Parameter(T.cast(p.detach(), "float64")))
        for name, b in list(layer.rnn_cell.named_buffers(recurse=False)):
            layer.rnn_cell.register_buffer(name, T.cast(b, "float64"))
    return layer


@pytest.mark.parametrize("dtype,tol", [("float32", 2e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_fused_ltc_matches_step_loop(name: str, dtype: str, tol: float) -> None:
    config = CONFIGS[name]
    layer = _layer(config, dtype)
    rng = np.random.default_rng(0)
    batch, steps = 3, 5
    x = rng.normal(size=(batch, steps, 4) if layer.batch_first else (steps, batch, 4))
    hx = rng.normal(scale=0.3, size=(batch, layer.state_size))
    ts = rng.uniform(0.3, 2.0, size=x.shape[:2])
    fused = _run(layer, x, hx, ts, True, dtype)
    steps_ref = _run(layer, x, hx, ts, False, dtype)
    np.testing.assert_allclose(fused[0], steps_ref[0], rtol=tol, atol=tol, err_msg="outputs")
    np.testing.assert_allclose(fused[1], steps_ref[1], rtol=tol, atol=tol, err_msg="final state")
    for label, got, want in zip(fused[3], fused[2], steps_ref[2]):
        scale = max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=f"gradient of {label}")


def test_fused_op_checks_its_arguments() -> None:
    layer = LTC(4, AutoNCP(8, 2, seed=1))
    cell = layer.rnn_cell
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


def test_second_order_through_the_fused_op_raises() -> None:
    layer = LTC(4, AutoNCP(8, 2, seed=1))
    x = T.convert_to_tensor(np.ones((1, 2, 4), np.float32))

    def first(inp):
        return ops.stats.sum(layer(inp)[0])

    with pytest.raises(NotImplementedError, match=r"ltc_sequence_backward"):
        ops.grad(lambda v: ops.stats.sum(ops.grad(first)(v)))(x)
