"""Imports point one way (ops below nn.modules), and each activation has one definition."""
from __future__ import annotations

import json
from math import erf, sqrt

import numpy as np

import ember_ml as em
from ember_ml import ops
from ember_ml.nn import modules
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import activations
from ember_ml.nn.modules.rnn._layers import BACKBONE_ACTIVATIONS


def test_import_ops_does_not_import_the_modules(run_python) -> None:
    """``import ember_ml.ops`` loads the engine, the backend, the ops and the tensor layer (``nn.tensor``) only;
    the upper packages load on first access."""
    proc = run_python("""
        import json, sys
        import ember_ml.ops
        loaded = sorted(m for m in sys.modules if m.startswith("ember_ml"))
        em = sys.modules["ember_ml"]
        found = [em.nn.modules.Linear.__module__, em.training.__name__, em.wirings.__name__, em.ncps.__name__]
        print(json.dumps([loaded, found]))
    """)
    assert proc.returncode == 0, proc.stderr
    loaded, found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "ember_ml.ops.losses" in loaded  # the check below is about a complete import
    upper = [m for m in loaded if m.startswith(("ember_ml.nn.", "ember_ml.training", "ember_ml.wirings",
                                                 "ember_ml.ncps", "ember_ml.distributed"))
             and not m.startswith("ember_ml.nn.tensor")]
    assert upper == [], f"import ember_ml.ops imported {upper}"
    assert found == ["ember_ml.nn.modules.linear", "ember_ml.training", "ember_ml.wirings", "ember_ml.ncps"]


def test_activation_functions_have_one_definition() -> None:
    for name in ops.activations.__all__:
        if hasattr(activations, name):
            assert getattr(activations, name) is getattr(ops.activations, name), name
    assert modules.Sequential is em.nn.container.Sequential
    assert modules.Linear is em.nn.container.Linear


def test_lecun_tanh_scale_is_lecuns_by_default_and_ncps_in_the_backbone() -> None:
    x = np.linspace(-4.0, 4.0, 17, dtype=np.float64)
    e = T.convert_to_tensor(x)
    np.testing.assert_allclose(modules.LeCunTanh()(e).numpy(), 1.7159 * np.tanh(2.0 / 3.0 * x), rtol=1e-15)
    ncps_style = BACKBONE_ACTIVATIONS["lecun_tanh"]()
    assert isinstance(ncps_style, modules.LeCunTanh)
    np.testing.assert_allclose(ncps_style(e).numpy(), 1.7159 * np.tanh(0.666 * x), rtol=1e-15)
    np.testing.assert_allclose(activations.get_activation("lecun_tanh")(e).numpy(),
                               1.7159 * np.tanh(2.0 / 3.0 * x), rtol=1e-15)


def test_silu_and_gelu_match_their_formulas() -> None:
    x = np.linspace(-3.0, 3.0, 13, dtype=np.float64)
    e = T.convert_to_tensor(x)
    np.testing.assert_allclose(activations.SiLU()(e).numpy(), x / (1.0 + np.exp(-x)), rtol=1e-14)
    gelu = np.array([v * (1.0 + erf(v / sqrt(2.0))) / 2.0 for v in x])
    np.testing.assert_allclose(activations.GELU()(e).numpy(), gelu, rtol=1e-14, atol=1e-16)
