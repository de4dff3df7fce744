"""CfC / LTC against ncps.torch (through from_ncps) and LSTM / GRU / RNN against torch.nn:
outputs, final states and gradients (input and every parameter) for the same weights."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ncps_torch = pytest.importorskip("ncps.torch")
from ncps import wirings as nw  # noqa: E402

from ember_ml import ops  # noqa: E402
from ember_ml.ncps import GRU, LSTM, RNN, from_ncps  # noqa: E402
from ember_ml.nn.modules import Parameter  # noqa: E402
from ember_ml.ops import stats  # noqa: E402

OUT_TOL, GRAD_TOL = 1e-5, 1e-4


def _tuple(h):
    return h if isinstance(h, tuple) else (h,)


def _compare(theirs, ours, x: np.ndarray, hx=None, timespans=None, names=None) -> None:
    """Runs both on x, checks outputs and states, then the gradients of a weighted sum of both."""
    rng = np.random.default_rng(7)
    xt = torch.tensor(x, requires_grad=True)
    xe = Parameter(x)
    yt, ht = theirs(xt, hx if hx is None else tuple(torch.tensor(h) for h in hx) if isinstance(hx, tuple)
                    else torch.tensor(hx), **({} if timespans is None else {"timespans": torch.tensor(timespans)}))
    ye, he = ours(xe, hx, timespans)
    ht, he = _tuple(ht), _tuple(he)
    np.testing.assert_allclose(ye.numpy(), yt.detach().numpy(), rtol=0, atol=OUT_TOL)
    assert len(ht) == len(he)
    for a, b in zip(he, ht):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=0, atol=OUT_TOL)
    weights = [rng.standard_normal(tuple(a.shape)).astype(np.float32) for a in (yt, *ht)]
    loss_t = sum((a * torch.tensor(w)).sum() for a, w in zip((yt, *ht), weights))
    loss_e = stats.sum(ops.multiply(ye, weights[0]))
    for a, w in zip(he, weights[1:]):
        loss_e = ops.add(loss_e, stats.sum(ops.multiply(a, w)))
    loss_t.backward()
    loss_e.backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=0, atol=GRAD_TOL)
    ours_params = dict(ours.named_parameters())
    theirs_params = {names(n) if names else n: p for n, p in theirs.named_parameters() if p.requires_grad}
    assert sorted(ours_params) == sorted(theirs_params)
    for name, p in theirs_params.items():
        expected = np.zeros(p.shape, np.float32) if p.grad is None else p.grad.numpy()
        got = ours_params[name].grad
        got = np.zeros(p.shape, np.float32) if got is None else got.numpy()
        np.testing.assert_allclose(got, expected, rtol=0, atol=GRAD_TOL, err_msg=name)


def _inputs(shape, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


CFC_CASES = {
    "default-bb1": dict(units=8),
    "pure-bb0": dict(units=8, mode="pure", backbone_layers=0),
    "no_gate-bb2": dict(units=6, mode="no_gate", backbone_layers=2, backbone_units=5),
    "default-bb2-silu-proj": dict(units=6, backbone_layers=2, backbone_units=7, activation="silu", proj_size=3),
    "pure-relu-mixed": dict(units=5, mode="pure", backbone_units=4, activation="relu", mixed_memory=True),
    "default-gelu-lastonly": dict(units=5, backbone_units=4, activation="gelu", return_sequences=False),
    "no_gate-tanh-timefirst": dict(units=5, mode="no_gate", backbone_units=4, activation="tanh", batch_first=False),
    "fully-connected": dict(units=lambda: nw.FullyConnected(6, 2)),
    "random-pure": dict(units=lambda: nw.Random(7, 3, sparsity_level=0.5), mode="pure"),
    "ncp-no_gate": dict(units=lambda: nw.NCP(4, 3, 2, 2, 2, 2, 2), mode="no_gate"),
    "autoncp-mixed-proj": dict(units=lambda: nw.AutoNCP(10, 3), mixed_memory=True, proj_size=2),
    "autoncp-pure-lastonly": dict(units=lambda: nw.AutoNCP(9, 2, sparsity_level=0.3), mode="pure",
                                  return_sequences=False, batch_first=False),
}


@pytest.mark.parametrize("case", sorted(CFC_CASES))
@pytest.mark.parametrize("seq_len", [1, 7])
def test_cfc_matches_ncps(case: str, seq_len: int) -> None:
    kwargs = dict(CFC_CASES[case])
    units = kwargs.pop("units")
    torch.manual_seed(seq_len)
    theirs = ncps_torch.CfC(4, units() if callable(units) else units, **kwargs)
    ours = from_ncps(theirs)
    batch_first = kwargs.get("batch_first", True)
    _compare(theirs, ours, _inputs((3, seq_len, 4) if batch_first else (seq_len, 3, 4), seq_len))


LTC_CASES = {
    "units": dict(units=6),
    "units-explicit-linear": dict(units=5, implicit_param_constraints=False, input_mapping="linear",
                                  output_mapping=None, ode_unfolds=3),
    "autoncp-mixed": dict(units=lambda: nw.AutoNCP(10, 3), mixed_memory=True),
    "ncp-lastonly-timefirst": dict(units=lambda: nw.NCP(4, 3, 2, 2, 2, 2, 2), return_sequences=False,
                                   batch_first=False, input_mapping=None, output_mapping="linear"),
    "random": dict(units=lambda: nw.Random(7, 3, sparsity_level=0.4), epsilon=1e-6),
}


@pytest.mark.parametrize("case", sorted(LTC_CASES))
@pytest.mark.parametrize("seq_len", [1, 5])
def test_ltc_matches_ncps(case: str, seq_len: int) -> None:
    kwargs = dict(LTC_CASES[case])
    units = kwargs.pop("units")
    torch.manual_seed(seq_len)
    theirs = ncps_torch.LTC(4, units() if callable(units) else units, **kwargs)
    ours = from_ncps(theirs)
    batch_first = kwargs.get("batch_first", True)
    _compare(theirs, ours, _inputs((2, seq_len, 4) if batch_first else (seq_len, 2, 4), seq_len))


@pytest.mark.parametrize("layer", ["CfC", "LTC"])
def test_timespans_initial_state_and_unbatched_match_ncps(layer: str) -> None:
    torch.manual_seed(3)
    make = getattr(ncps_torch, layer)
    theirs = make(3, nw.AutoNCP(8, 2), mixed_memory=True)
    ours = from_ncps(theirs)
    rng = np.random.default_rng(1)
    timespans = rng.uniform(0.2, 2.0, (1, 9, 1)).astype(np.float32)
    hx = tuple(rng.standard_normal((1, 8)).astype(np.float32) for _ in range(2))
    _compare(theirs, ours, _inputs((1, 9, 3)), hx=hx, timespans=timespans)
    # Unbatched (L, C) input with (H,) states.
    theirs_u, ours_u = make(3, 5), None
    ours_u = from_ncps(theirs_u)
    _compare(theirs_u, ours_u, _inputs((4, 3)), hx=rng.standard_normal(5).astype(np.float32),
             timespans=timespans[0, :4, 0])


@pytest.mark.parametrize("layer", ["CfC", "LTC"])
def test_batched_timespans_equal_per_sequence_ncps_runs(layer: str) -> None:
    # ncps broadcasts a batch of timespans against the units axis; ours gives each sequence its
    # own times, which must equal ncps run on one sequence at a time.
    torch.manual_seed(5)
    theirs = getattr(ncps_torch, layer)(3, 6)
    ours = from_ncps(theirs)
    x = _inputs((4, 5, 3))
    ts = np.random.default_rng(2).uniform(0.1, 3.0, (4, 5)).astype(np.float32)
    y, h = ours(x, timespans=ts)
    for b in range(4):
        yb, hb = theirs(torch.tensor(x[b:b + 1]), timespans=torch.tensor(ts[b:b + 1, :, None]))
        np.testing.assert_allclose(y.numpy()[b], yb.detach().numpy()[0], rtol=0, atol=OUT_TOL)
        np.testing.assert_allclose(h.numpy()[b], hb.detach().numpy()[0], rtol=0, atol=OUT_TOL)


def test_explicit_constraints_clamp_as_ncps() -> None:
    torch.manual_seed(0)
    theirs = ncps_torch.LTC(3, 5, implicit_param_constraints=False)
    with torch.no_grad():
        for name in ("w", "cm", "gleak", "sensory_w"):
            getattr(theirs.rnn_cell, name).sub_(0.5)
    ours = from_ncps(theirs)
    theirs.rnn_cell.apply_weight_constraints()
    ours.apply_weight_constraints()
    for name in ("w", "cm", "gleak", "sensory_w", "mu"):
        np.testing.assert_array_equal(getattr(ours.rnn_cell, name).numpy(),
                                      getattr(theirs.rnn_cell, name).detach().numpy())


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN-tanh", "RNN-relu"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_torch_style_layers_match_torch(kind: str, batch_first: bool) -> None:
    name, _, nonlinearity = kind.partition("-")
    extra = {"nonlinearity": nonlinearity} if nonlinearity else {}
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(4, 5, batch_first=batch_first, **extra)
    ours = {"LSTM": LSTM, "GRU": GRU, "RNN": RNN}[name](4, 5, batch_first=batch_first, **extra)
    for n, p in ours.named_parameters():
        p.data = getattr(theirs, n).detach().numpy()
    rng = np.random.default_rng(0)
    x = _inputs((3, 6, 4) if batch_first else (6, 3, 4))
    states = tuple(rng.standard_normal((3, 5)).astype(np.float32) for _ in range(2 if name == "LSTM" else 1))

    class Adapter(torch.nn.Module):  # torch's (1, B, H) states -> the (B, H) convention
        def __init__(self) -> None:
            super().__init__()
            self.inner = theirs

        def forward(self, x, hx):
            hx = tuple(h[None] for h in hx) if isinstance(hx, tuple) else hx[None]
            y, h = self.inner(x, hx)
            return y, tuple(s[0] for s in h) if isinstance(h, tuple) else h[0]

    _compare(Adapter(), ours, x, hx=states if name == "LSTM" else states[0],
             names=lambda n: n.removeprefix("inner."))
