"""Masks, per-sample time spans and streaming on every recurrent layer.

Keras's masking semantics are the reference: a padded, masked batch (garbage in the
padding) must equal each sequence run alone without its padding, in outputs at real
steps, the output at the last real step, the final state and the parameter gradients of a
loss over the real steps; masked steps repeat the previous output (zeros before the first
real step). The step loop (``fused=False``) and the fused C++ ops of CfC / LTC are both
checked this way, on the cpu and the opencl backend.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.nn.modules.rnn.ctgru import CTGRU
from ember_ml.nn.modules.rnn.ctrnn import CTRNN
from ember_ml.nn.modules.rnn.ltc import LTC
from ember_ml.nn.modules.rnn.torch_style import GRU, LSTM, RNN
from ember_ml.wirings import AutoNCP

C = 3
LAYERS = {
    "CfC fused": lambda **kw: CfC(C, 5, backbone_units=6, **kw),
    "CfC steps": lambda **kw: CfC(C, 5, backbone_units=6, fused=False, **kw),
    "CfC AutoNCP pure fused": lambda **kw: CfC(C, AutoNCP(8, 2, seed=3), mode="pure", **kw),
    "CfC AutoNCP no_gate steps": lambda **kw: CfC(C, AutoNCP(8, 2, seed=3), mode="no_gate", fused=False, **kw),
    "CfC proj fused": lambda **kw: CfC(C, 4, backbone_layers=0, proj_size=2, **kw),
    "CfC mixed memory": lambda **kw: CfC(C, 4, backbone_units=5, mixed_memory=True, **kw),
    "LTC fused": lambda **kw: LTC(C, AutoNCP(7, 2, seed=1), ode_unfolds=3, **kw),
    "LTC steps": lambda **kw: LTC(C, AutoNCP(7, 2, seed=1), ode_unfolds=3, fused=False, **kw),
    "LTC mixed memory": lambda **kw: LTC(C, 4, ode_unfolds=2, mixed_memory=True, **kw),
    "LSTM": lambda **kw: LSTM(C, 4, **kw),
    "GRU": lambda **kw: GRU(C, 4, **kw),
    "RNN": lambda **kw: RNN(C, 4, **kw),
    "CTRNN": lambda **kw: CTRNN(C, 4, ode_unfolds=2, **kw),
    "CTGRU": lambda **kw: CTGRU(C, 3, num_timescales=3, **kw),
}
# Real steps per sequence: a prefix mask, a gap, one real step late, and nothing at all.
MASK = np.array([[1, 1, 1, 1, 1],
                 [1, 1, 0, 1, 0],
                 [0, 0, 0, 1, 0],
                 [0, 0, 0, 0, 0]], dtype=bool)
GARBAGE = 1e3


def _layer(name: str, backend: str, **kwargs):
    em.nn.tensor.set_seed(7)
    layer = LAYERS[name](**kwargs)
    return layer.to("opencl:0") if backend == "opencl" else layer


def _data(batch: int, steps: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, C)).astype(np.float32)
    ts = rng.uniform(0.3, 2.0, size=(batch, steps)).astype(np.float32)
    return x, ts


def _state(hx) -> list[np.ndarray]:
    return [s.numpy() for s in (hx if isinstance(hx, tuple) else (hx,))]


def _run(layer, x, ts, weights, mask=None, backend="cpu"):
    """Outputs, final state(s) and parameter gradients of sum(outputs * weights)."""
    layer.zero_grad()
    with em.using_backend(backend):
        out, hx = layer(T.convert_to_tensor(x), timespans=T.convert_to_tensor(ts), mask=mask)
        ops.stats.sum(out * T.convert_to_tensor(weights)).backward()
    grads = {k: p.grad.numpy() if p.grad is not None else np.zeros(p.shape, np.float32)
             for k, p in layer.named_parameters()}
    return out.numpy(), _state(hx), grads


def _close(got, want, what: str, tol: float = 1e-5) -> None:
    scale = max(1.0, float(np.abs(want).max()) if np.size(want) else 1.0)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=what)


@pytest.mark.parametrize("backend", ["cpu", "opencl"])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("name", list(LAYERS))
def test_masked_padded_batch_equals_each_sequence_alone(name: str, batch_first: bool, backend: str) -> None:
    layer = _layer(name, backend, batch_first=batch_first)
    batch, steps = MASK.shape
    x, ts = _data(batch, steps)
    x[~MASK] = GARBAGE
    ts[~MASK] = 0.0  # a zero time span in the padding must not matter either
    rng = np.random.default_rng(1)
    with em.using_backend(backend):
        out_size = layer(T.convert_to_tensor(x[:1, :1]))[0].shape[-1]
    weights = rng.normal(size=(batch, steps, out_size)).astype(np.float32) * MASK[..., None]
    to_layout = (lambda a: a) if batch_first else (lambda a: np.swapaxes(a, 0, 1))
    out, hx, grads = _run(layer, to_layout(x), to_layout(ts), to_layout(weights), to_layout(MASK), backend)
    out = to_layout(out)
    h0 = [np.zeros(s.shape[1:], np.float32) for s in hx]
    sum_grads = {k: np.zeros_like(g) for k, g in grads.items()}
    for b in range(batch):
        real = np.flatnonzero(MASK[b])
        if len(real) == 0:
            np.testing.assert_array_equal(out[b], 0.0, err_msg="all-masked outputs")
            for s, z in zip(hx, h0):
                np.testing.assert_array_equal(s[b], z, err_msg="all-masked state")
            continue
        alone_x, alone_ts, alone_w = x[b:b + 1, real], ts[b:b + 1, real], weights[b:b + 1, real]
        a_out, a_hx, a_grads = _run(layer, to_layout(alone_x), to_layout(alone_ts), to_layout(alone_w),
                                    backend=backend)
        a_out = to_layout(a_out)[0]
        _close(out[b, real], a_out, f"outputs at real steps of sequence {b}")
        # Masked steps repeat the previous output; zeros before the first real step.
        previous = np.zeros(out_size, np.float32)
        for t in range(steps):
            if MASK[b, t]:
                previous = out[b, t]
            else:
                np.testing.assert_array_equal(out[b, t], previous, err_msg=f"masked step {t} of sequence {b}")
        for s, a in zip(hx, a_hx):
            _close(s[b], a[0], f"final state of sequence {b}")
        for k in sum_grads:
            sum_grads[k] += a_grads[k]
    for k, g in grads.items():
        _close(g, sum_grads[k], f"gradient of {k}")


@pytest.mark.parametrize("name", ["CfC fused", "CfC AutoNCP pure fused", "LTC fused", "LSTM", "CfC mixed memory"])
def test_return_last_is_the_last_real_output(name: str) -> None:
    batch, steps = MASK.shape
    x, ts = _data(batch, steps, seed=2)
    x[~MASK] = np.nan  # never read
    full = _layer(name, "cpu")
    last = _layer(name, "cpu", return_sequences=False)
    seq, hx_seq = full(T.convert_to_tensor(x), timespans=T.convert_to_tensor(ts), mask=MASK)
    out, hx = last(T.convert_to_tensor(x), timespans=T.convert_to_tensor(ts), mask=MASK)
    assert np.isfinite(out.numpy()).all()
    np.testing.assert_array_equal(out.numpy(), seq.numpy()[:, -1])
    for a, b in zip(_state(hx), _state(hx_seq)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["CfC fused", "CfC AutoNCP pure fused", "LTC fused"])
def test_fused_mask_equals_step_loop_mask(name: str) -> None:
    batch, steps = MASK.shape
    x, ts = _data(batch, steps, seed=4)
    x[~MASK] = GARBAGE
    weights = np.random.default_rng(5).normal(size=(batch, steps, 1)).astype(np.float32)
    fused = _layer(name, "cpu")
    got = _run(fused, x, ts, weights, MASK)
    fused.fused = False
    want = _run(fused, x, ts, weights, MASK)
    _close(got[0], want[0], "outputs")
    for a, b in zip(got[1], want[1]):
        _close(a, b, "final state")
    for k in got[2]:
        _close(got[2][k], want[2][k], f"gradient of {k}")


def test_mask_of_any_real_dtype_and_unbatched() -> None:
    layer = _layer("CfC fused", "cpu")
    x, ts = _data(1, 5)
    want = layer(T.convert_to_tensor(x), mask=MASK[1:2])[0].numpy()
    for mask in (MASK[1:2].astype(np.float64), MASK[1:2].astype(np.int8), T.convert_to_tensor(MASK[1:2])):
        np.testing.assert_array_equal(layer(T.convert_to_tensor(x), mask=mask)[0].numpy(), want)
    out, _ = layer(T.convert_to_tensor(x[0]), mask=MASK[1])
    np.testing.assert_array_equal(out.numpy(), want[0])


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("name", ["CfC fused", "CfC steps", "LTC fused", "LTC steps", "CTRNN", "CTGRU"])
def test_per_sample_timespans_equal_each_sample_alone(name: str, batch_first: bool) -> None:
    layer = _layer(name, "cpu", batch_first=batch_first)
    x, ts = _data(3, 4, seed=6)
    swap = (lambda a: a) if batch_first else (lambda a: np.swapaxes(a, 0, 1))
    out, hx = layer(T.convert_to_tensor(swap(x)), timespans=T.convert_to_tensor(swap(ts)))
    out = swap(out.numpy())
    for b in range(3):
        a_out, a_hx = layer(T.convert_to_tensor(swap(x[b:b + 1])), timespans=T.convert_to_tensor(swap(ts[b:b + 1])))
        _close(out[b], swap(a_out.numpy())[0], f"outputs of sample {b}")
        for s, a in zip(_state(hx), _state(a_hx)):
            _close(s[b], a[0], f"state of sample {b}")


@pytest.mark.parametrize("chunk", [1, 3])
@pytest.mark.parametrize("name", list(LAYERS))
def test_streaming_in_chunks_equals_one_call(name: str, chunk: int) -> None:
    layer = _layer(name, "cpu")
    x, ts = _data(2, 7, seed=8)
    whole, hx_whole = layer(T.convert_to_tensor(x), timespans=T.convert_to_tensor(ts))
    hx, parts = None, []
    for t0 in range(0, 7, chunk):
        out, hx = layer(T.convert_to_tensor(x[:, t0:t0 + chunk]), hx, T.convert_to_tensor(ts[:, t0:t0 + chunk]))
        parts.append(out.numpy())
    _close(np.concatenate(parts, axis=1), whole.numpy(), "outputs")
    for a, b in zip(_state(hx), _state(hx_whole)):
        _close(a, b, "final state")


def test_bad_masks_and_timespans_raise() -> None:
    layer = _layer("CfC fused", "cpu")
    x = T.convert_to_tensor(np.zeros((2, 5, C), np.float32))
    with pytest.raises(ValueError, match=r"^\[CfC\] expected mask of shape \(2, 5\) \(input shape \(2, 5, 3\)\), "
                                         r"got \(5, 2\)"):
        layer(x, mask=np.ones((5, 2), bool))
    with pytest.raises(ValueError, match=r"^\[CfC\] expected mask of shape \(2, 5\)"):
        layer(x, mask=np.ones((2, 5, 1), bool))
    with pytest.raises(ValueError, match=r"^\[CfC\] mask values must be 0 or 1"):
        layer(x, mask=np.full((2, 5), 2.0))
    with pytest.raises(TypeError, match=r"^\[CfC\] mask must be bool or a real number dtype, got dtype complex"):
        layer(x, mask=np.ones((2, 5), np.complex64))
    with pytest.raises(TypeError, match=r"^\[CfC\] mask must be bool or a real number dtype, got dtype <U1"):
        layer(x, mask=np.full((2, 5), "a"))
    with pytest.raises(TypeError, match=r"^\[CfC\] timespans must be a real number dtype, got dtype complex64"):
        layer(x, timespans=T.convert_to_tensor(np.ones((2, 5), np.complex64)))
    with pytest.raises(TypeError, match=r"^\[CfC\] timespans must be a real number dtype, got dtype <U1"):
        layer(x, timespans=np.full((2, 5), "a"))
    with pytest.raises(ValueError, match=r"^\[CfC\] expected timespans of shape \(2, 5\) or \(2, 5, 1\)"):
        layer(x, timespans=np.ones((5, 2), np.float32))


def test_fused_ops_check_the_step_mask() -> None:
    from ember_ml import _core
    layer = CfC(C, 4, backbone_layers=0)
    spec = layer.rnn_cell.fused_layer()
    x, h0, ts = T.zeros((2, 5, C)), T.zeros((2, 4)), T.ones((2, 5))
    with pytest.raises(ValueError, match=r"^\[cfc_sequence\] step_mask must have shape \(2, 5\)"):
        _core.cfc_sequence(x, h0, ts, [spec], "default", "lecun_tanh", T.ones((5, 2)))
    with pytest.raises(TypeError, match=r"^\[cfc_sequence\] step_mask must be bool or real"):
        _core.cfc_sequence(x, h0, ts, [spec], "default", "lecun_tanh", T.ones((2, 5), dtype="complex64"))


@pytest.mark.parametrize("path", ["device", "host"])
@pytest.mark.parametrize("name", ["CfC fused", "CfC AutoNCP pure fused", "LTC fused"])
def test_fused_mask_on_opencl_matches_cpu(name: str, path: str, monkeypatch) -> None:
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", path)
    batch, steps = MASK.shape
    x, ts = _data(batch, steps, seed=9)
    x[~MASK] = GARBAGE
    weights = np.random.default_rng(10).normal(size=(batch, steps, 1)).astype(np.float32)
    want = _run(_layer(name, "cpu"), x, ts, weights, MASK)
    got = _run(_layer(name, "opencl"), x, ts, weights, MASK, backend="opencl")
    _close(got[0], want[0], "outputs")
    for a, b in zip(got[1], want[1]):
        _close(a, b, "final state")
    for k in got[2]:
        _close(got[2][k], want[2][k], f"gradient of {k}")


@pytest.mark.parametrize("op", ["ltc", "cfc"])
def test_fused_ops_take_the_mask_on_the_opencl_device(op: str, monkeypatch) -> None:
    # The op with a device step mask: no copy to the host (the device kernels take the mask).
    from ember_ml import _core
    from ember_ml.backend import opencl
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", "device")
    rng = np.random.default_rng(11)
    with em.using_backend("opencl"):
        if op == "ltc":
            cell = _layer("LTC fused", "opencl").rnn_cell
            n = cell.state_size
            params = cell.params()
        else:
            cell = _layer("CfC fused", "opencl").rnn_cell
            n = cell.hidden_size
            spec = cell.fused_layer()
        x = T.convert_to_tensor(rng.normal(size=MASK.shape + (C,)).astype(np.float32), requires_grad=True)
        h0 = T.convert_to_tensor(rng.normal(size=(MASK.shape[0], n)).astype(np.float32), requires_grad=True)
        el = T.convert_to_tensor(np.ones(MASK.shape, np.float32), requires_grad=True)
        keep = T.convert_to_tensor(MASK.astype(np.float32))
        opencl.synchronize()
        opencl.reset_transfer_stats()
        if op == "ltc":
            states = _core.ltc_sequence(x, h0, el, params, 3, 1e-8, keep)
        else:
            states = _core.cfc_sequence(x, h0, el, [spec], "default", "lecun_tanh", keep)
        ops.stats.sum(states).backward()
        opencl.synchronize()
        moved = opencl.transfer_stats()
    assert moved["device_to_host"] == 0 and moved["host_to_device"] == 0
    # The all-masked sequence keeps h0 and passes its whole gradient to it.
    np.testing.assert_array_equal(states.numpy()[3], np.broadcast_to(h0.numpy()[3], (MASK.shape[1], n)))
    np.testing.assert_array_equal(h0.grad.numpy()[3], MASK.shape[1])
    np.testing.assert_array_equal(x.grad.numpy()[~MASK], 0.0)


DOCUMENTED = {
    "CfC": lambda **kw: em.nn.modules.CfC(AutoNCP(7, 2, seed=4), mode="pure", **kw),
    "LTC": lambda **kw: em.nn.modules.LTC(AutoNCP(6, 2, seed=2), ode_unfolds=2, **kw),
    "CTRNN": lambda **kw: em.nn.modules.CTRNN(4, ode_unfolds=2, **kw),
    "CTGRU": lambda **kw: em.nn.modules.CTGRU(3, num_timescales=2, **kw),
    "LSTM 2 layers bidirectional": lambda **kw: em.nn.modules.LSTM(C, 4, num_layers=2, bidirectional=True, **kw),
    "GRU": lambda **kw: em.nn.modules.GRU(C, 4, **kw),
}


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_documented_layers_take_the_mask(name: str, batch_first: bool) -> None:
    # The Keras-style layers of ember_ml.nn.modules pass the mask to the engine: a padded,
    # masked batch gives each sequence's outputs at its real steps and final state alone.
    em.nn.tensor.set_seed(3)
    layer = DOCUMENTED[name](return_state=True, batch_first=batch_first)
    real_rows = MASK[:3]  # sequences with at least one real step
    x, ts = _data(*real_rows.shape, seed=12)
    x[~real_rows] = GARBAGE
    swap = (lambda a: a) if batch_first else (lambda a: np.swapaxes(a, 0, 1))
    out, state = layer(T.convert_to_tensor(swap(x)), timespans=T.convert_to_tensor(swap(ts)), mask=swap(real_rows))
    out = swap(out.numpy())
    for b in range(len(real_rows)):
        real = np.flatnonzero(real_rows[b])
        a_out, a_state = layer(T.convert_to_tensor(swap(x[b:b + 1, real])),
                               timespans=T.convert_to_tensor(swap(ts[b:b + 1, real])))
        _close(out[b, real], swap(a_out.numpy())[0], f"outputs of sequence {b}")
        for s, a in zip(_state(state), _state(a_state)):
            _close(s[..., b, :], a[..., 0, :], f"final state of sequence {b}")


@pytest.mark.parametrize("op", ["ltc", "cfc"])
def test_fused_ops_with_a_mask_on_the_opencl_device_float64(op: str, monkeypatch) -> None:
    # The device kernels (LTC) and device ops (CfC) against the cpu kernels, float64.
    from ember_ml import _core
    monkeypatch.setenv("EMBER_OPENCL_SEQUENCES", "device")
    rng = np.random.default_rng(13)
    keep = rng.uniform(size=(9, 6)) > 0.4
    keep[2] = False
    x_np = rng.normal(size=(9, 6, C))
    results = {}
    for backend in ("cpu", "opencl"):
        layer = _layer("LTC fused" if op == "ltc" else "CfC AutoNCP pure fused", "cpu")
        with em.using_backend(backend):
            if op == "ltc":
                params = {k: T.convert_to_tensor(v.numpy().astype(np.float64), requires_grad="mask" not in k)
                          for k, v in layer.rnn_cell.params().items()}
                n = layer.state_size
            else:
                cells = [getattr(layer.rnn_cell, f"layer_{k}") for k in range(len(layer.rnn_cell.layer_sizes))]
                specs = [{k: T.convert_to_tensor(v.numpy().astype(np.float64), requires_grad=True)
                          for k, v in cell.fused_layer().items() if k != "backbone"} for cell in cells]
                n = sum(layer.rnn_cell.layer_sizes)
            x = T.convert_to_tensor(x_np, requires_grad=True)
            h0 = T.convert_to_tensor(rng.normal(size=(9, n)) if backend == "cpu" else results["h0"],
                                     requires_grad=True)
            el = T.convert_to_tensor(np.full((9, 6), 0.7), requires_grad=True)
            mask = T.convert_to_tensor(keep.astype(np.float64))
            if op == "ltc":
                states = _core.ltc_sequence(x, h0, el, params, 3, 1e-8, mask)
                leaves = [params[k] for k in ("w", "sigma", "cm", "sensory_mu")]
            else:
                states = _core.cfc_sequence(x, h0, el, [{**s, "backbone": []} for s in specs], "pure",
                                            "lecun_tanh", mask)
                leaves = [t for s in specs for t in s.values()]
            ops.stats.sum(ops.sin(states)).backward()
            results[backend] = [states.numpy(), x.grad.numpy(), h0.grad.numpy(), el.grad.numpy(),
                                *[t.grad.numpy() for t in leaves]]
            results["h0"] = h0.numpy()
    for got, want in zip(results["opencl"], results["cpu"]):
        _close(got, want, "states and gradients", tol=1e-12)


@pytest.mark.parametrize("backend", ["cpu", "opencl"])
def test_ncp_cells_take_a_step_mask(backend: str) -> None:
    """The documented NCP / AutoNCP cells: a padded, masked batch stepped through equals each sequence alone."""
    from ember_ml.nn.modules import AutoNCP as AutoNCPCell

    em.set_backend(backend)
    em.nn.tensor.set_seed(5)
    cell = AutoNCPCell(units=9, output_size=2, sparsity_level=0.5, seed=4)
    x, _ = _data(len(MASK), MASK.shape[1])
    padded = np.where(MASK[..., None], x, GARBAGE).astype(np.float32)
    cell.build((None, C))
    zeros = T.zeros((len(MASK), cell.units))
    state, outputs = zeros, []
    for t in range(MASK.shape[1]):
        output, state = cell(padded[:, t], state=state, return_state=True, mask=MASK[:, t])
        outputs.append(output.numpy())
    for b, row in enumerate(MASK):
        alone = T.zeros((1, cell.units))
        last = np.zeros((1, cell.output_dim), np.float32)
        for t in range(len(row)):
            if row[t]:
                last, alone = cell(x[b:b + 1, t], state=alone, return_state=True)
                last = last.numpy()
            np.testing.assert_allclose(outputs[t][b:b + 1], last, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(state.numpy()[b:b + 1], alone.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"\[AutoNCP\].*mask"):
        cell(x[:, 0], state=zeros, mask=MASK[:2, 0])
