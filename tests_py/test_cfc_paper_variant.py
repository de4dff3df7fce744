"""The CfC paper's cell (``variant="paper"``: raminmh/CfC ``tf_cfc.py``) and the kernel L2 penalty.

Reference for the paper variant: ncps.torch's CfC with its head ``tanh`` replaced by ncps's
``LeCun`` (``1.7159 tanh(0.666 x)``), which is the only difference in eval mode (the other one,
dropout after the first backbone layer, is checked structurally and in training mode).
"""
from __future__ import annotations

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import Dropout, Parameter
from ember_ml.nn.modules.rnn.cfc import CfC
from ember_ml.ops import stats

torch = pytest.importorskip("torch")
ncps_torch = pytest.importorskip("ncps.torch")
from ncps.torch.cfc_cell import LeCun  # noqa: E402


def _inputs(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("mode", ["default", "no_gate"])
def test_paper_variant_matches_ncps_with_lecun_heads(mode: str) -> None:
    torch.manual_seed(0)
    theirs = ncps_torch.CfC(4, 6, mode=mode, backbone_units=5, backbone_layers=1, backbone_dropout=0.1,
                            activation="silu")
    theirs.rnn_cell.tanh = LeCun()
    theirs.eval()
    ours = CfC(4, 6, mode=mode, backbone_units=5, backbone_layers=1, backbone_dropout=0.1, activation="silu",
               variant="paper")
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.eval()
    x, ts = _inputs((3, 7, 4)), np.abs(_inputs((3, 7), 1)) + 0.5
    xt = torch.tensor(x, requires_grad=True)
    yt, _ = theirs(xt)  # ncps 1.0.1 cannot broadcast batched timespans; elapsed 1 here, timespans below
    xe = Parameter(x)
    ye, _ = ours(xe)
    np.testing.assert_allclose(ye.numpy(), yt.detach().numpy(), rtol=0, atol=2e-6)
    weights = _inputs(tuple(yt.shape), 2)
    (yt * torch.tensor(weights)).sum().backward()
    stats.sum(ops.multiply(ye, weights)).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=0, atol=2e-5)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].grad.numpy(), p.grad.numpy(), rtol=0,
                                   atol=2e-5, err_msg=name)
    # with timespans: the fused op (lecun_tanh heads) against the steps, the reference
    stepped = CfC(4, 6, mode=mode, backbone_units=5, backbone_dropout=0.1, activation="silu", variant="paper",
                  fused=False)
    stepped.load_state_dict(ours.state_dict())
    stepped.eval()
    assert ours.rnn_cell.fused_layer() is not None
    np.testing.assert_allclose(ours(x, timespans=ts)[0].numpy(), stepped(x, timespans=ts)[0].numpy(), rtol=1e-5,
                               atol=1e-6)


def test_paper_variant_puts_dropout_after_every_backbone_layer() -> None:
    def dropouts(layer: CfC) -> list[int]:
        return [i for i, m in enumerate(layer.rnn_cell.backbone.children()) if isinstance(m, Dropout)]

    assert dropouts(CfC(3, 4, backbone_layers=2, backbone_dropout=0.2)) == [4]  # ncps: from the second on
    assert dropouts(CfC(3, 4, backbone_layers=2, backbone_dropout=0.2, variant="paper")) == [2, 5]
    layer = CfC(3, 4, backbone_layers=1, backbone_dropout=0.5, variant="paper")
    x = _inputs((2, 5, 3))
    T.set_seed(1)
    first = layer(x)[0].numpy()
    second = layer(x)[0].numpy()
    assert not np.array_equal(first, second)  # dropout active in training mode
    layer.eval()
    np.testing.assert_array_equal(layer(x)[0].numpy(), layer(x)[0].numpy())


def test_ncps_variant_one_layer_dropout_is_fused_and_equal_to_steps() -> None:
    """ncps puts no dropout after a single backbone layer, so training mode may use the fused op."""
    fused = CfC(4, 5, backbone_units=6, backbone_layers=1, backbone_dropout=0.1)
    stepped = CfC(4, 5, backbone_units=6, backbone_layers=1, backbone_dropout=0.1, fused=False)
    stepped.load_state_dict(fused.state_dict())
    x, ts = _inputs((3, 6, 4)), np.abs(_inputs((3, 6), 4)) + 0.5
    assert fused.rnn_cell.fused_layer() is not None
    np.testing.assert_allclose(fused(x, timespans=ts)[0].numpy(), stepped(x, timespans=ts)[0].numpy(), rtol=0,
                               atol=1e-6)


@pytest.mark.parametrize("variant", ["ncps", "paper"])
def test_kernel_l2_is_keras_l2_on_every_kernel(variant: str) -> None:
    layer = CfC(3, 4, backbone_units=5, backbone_layers=2, backbone_dropout=0.1, variant=variant, kernel_l2=1e-3,
                mixed_memory=True)
    kernels = {n: p for n, p in layer.named_parameters() if n.startswith("rnn_cell.") and n.endswith("weight")}
    assert sorted(kernels) == sorted(["rnn_cell.backbone.0.weight", f"rnn_cell.backbone.{3 if variant == 'paper' else 2}"
                                      ".weight", "rnn_cell.ff1.weight", "rnn_cell.ff2.weight",
                                      "rnn_cell.time_a.weight", "rnn_cell.time_b.weight"])
    penalty = layer.regularization_loss()
    expected = 1e-3 * sum(float((p.numpy().astype(np.float64) ** 2).sum()) for p in kernels.values())
    assert penalty.item() == pytest.approx(expected, rel=1e-5)
    penalty.backward()
    for name, p in layer.named_parameters():
        if name in kernels:
            np.testing.assert_allclose(p.grad.numpy(), 2e-3 * p.numpy(), rtol=1e-5, err_msg=name)
        else:
            assert p.grad is None, name  # biases and the mixed-memory LSTM are not penalised
    assert CfC(3, 4).regularization_loss() == 0.0


def test_variant_bad_arguments() -> None:
    from ember_ml import wirings

    with pytest.raises(ValueError, match=r"^\[CfC\] unknown variant 'keras'"):
        CfC(3, 4, variant="keras")
    with pytest.raises(ValueError, match=r"^\[CfC\] kernel_l2 must be a number >= 0"):
        CfC(3, 4, kernel_l2=-1.0)
    with pytest.raises(ValueError, match=r"^\[CfC\] variant cannot be used with a wiring"):
        CfC(3, wirings.AutoNCP(8, 2), variant="paper")


def test_variant_and_kernel_l2_survive_a_config_round_trip() -> None:
    layer = CfC(3, 8, backbone_units=6, variant="paper", kernel_l2=1e-4)
    config = layer.get_config()
    assert (config["variant"], config["kernel_l2"]) == ("paper", 1e-4)
    rebuilt = CfC.from_config(config)
    assert rebuilt.rnn_cell.variant == "paper" and rebuilt.rnn_cell.kernel_l2 == 1e-4
    assert rebuilt.get_config() == config
