"""Reverse-mode gradients against central finite differences (float64), and engine semantics.

Every differentiable op's row in the op table (opinfo) holds its gradient cases: a function
of float64 tensors and the NumPy inputs to check it at. The check reduces the op's output
to a scalar with fixed random weights (so no output element's gradient can hide behind a
symmetric sum) and compares the engine's gradient with central differences of that scalar.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import ember_ml as em
import opinfo
from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.ops import linearalg, stats
from ember_ml.training import GradientTape

RNG = np.random.default_rng(1234)


def rand(*shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, size=shape)


def _scalarise(out: Any, weights: dict[int, np.ndarray], key: int) -> Any:
    if key not in weights:
        weights[key] = np.random.default_rng(key).uniform(0.5, 1.5, size=tuple(out.shape))
    return stats.sum(out * T.convert_to_tensor(weights[key]))


def _loss(fn: Callable[..., Any], tensors: list[Any], weights: dict[int, np.ndarray]) -> Any:
    out = fn(*tensors)
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = None
    for k, o in enumerate(outs):
        term = _scalarise(o, weights, k)
        total = term if total is None else total + term
    return total


def check_gradient(fn: Callable[..., Any], *arrays: np.ndarray, eps: float = 1e-6, tol: float = 1e-6) -> None:
    weights: dict[int, np.ndarray] = {}
    inputs = [T.convert_to_tensor(np.array(a, dtype=np.float64)) for a in arrays]
    analytic = ops.grad(lambda *ts: _loss(fn, list(ts), weights), argnums=tuple(range(len(inputs))))(*inputs)
    for i, a in enumerate(arrays):
        base = np.array(a, dtype=np.float64)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            values = []
            for sign in (1.0, -1.0):
                shifted = base.copy()
                shifted[idx] += sign * eps
                args = [T.convert_to_tensor(shifted if j == i else np.array(arrays[j], dtype=np.float64))
                        for j in range(len(arrays))]
                values.append(_loss(fn, args, weights).item())
            numeric[idx] = (values[0] - values[1]) / (2 * eps)
        assert analytic[i].dtype == "float64"
        got = analytic[i].numpy()
        np.testing.assert_allclose(got, numeric, rtol=tol, atol=tol, err_msg=f"gradient of input {i}")


GRAD_CASES = opinfo.grad_cases()


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.name for c in GRAD_CASES])
def test_gradient_matches_finite_differences(case: opinfo.GradCase) -> None:
    check_gradient(case.fn, *case.arrays())


def _gradients_on(backend: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> list[Any]:
    weights: dict[int, np.ndarray] = {}
    with em.using_backend(backend):
        inputs = [T.convert_to_tensor(np.array(a, dtype=np.float64)) for a in arrays]
        return list(ops.grad(lambda *ts: _loss(fn, list(ts), weights), argnums=tuple(range(len(inputs))))(*inputs))


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c.name for c in GRAD_CASES])
def test_opencl_gradient_matches_cpu(case: opinfo.GradCase) -> None:
    # The rules are ordinary ops, so the same graph runs on opencl (PoCL in CI: .ci/run installs it).
    arrays = case.arrays()
    expected = _gradients_on("cpu", case.fn, arrays)
    got = _gradients_on("opencl", case.fn, arrays)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g.device.startswith("opencl"), f"gradient of input {i} is on {g.device}"
        assert g.dtype == "float64"
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"gradient of input {i}")


def test_gradient_through_float32_cast_comes_back_as_float64() -> None:
    x = T.convert_to_tensor(rand(3), requires_grad=True)
    stats.sum(T.cast(x, "float32") * 2.0).backward()
    assert x.grad.dtype == "float64"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


# ---- second order ---------------------------------------------------------------------------------

def test_second_derivative_of_elementwise_chain() -> None:
    x = np.array([0.3, -0.7, 1.1])
    d2 = ops.grad(lambda t: stats.sum(ops.grad(lambda u: stats.sum(ops.exp(u) * ops.sin(u)))(t)))(
        T.convert_to_tensor(x))
    expected = 2 * np.exp(x) * np.cos(x)  # (e^x sin x)'' = 2 e^x cos x
    np.testing.assert_allclose(d2.numpy(), expected, rtol=1e-12)


def test_second_derivative_through_saved_output() -> None:
    x = np.array([0.2, -0.4])
    d2 = ops.grad(lambda t: stats.sum(ops.grad(lambda u: stats.sum(ops.tanh(u)))(t)))(T.convert_to_tensor(x))
    t = np.tanh(x)
    np.testing.assert_allclose(d2.numpy(), -2 * t * (1 - t * t), rtol=1e-12)


def test_hessian_vector_product_of_quadratic_form() -> None:
    a = rand(3, 3)
    v = rand(3)
    at = T.convert_to_tensor(a)

    def f(x: Any) -> Any:
        return stats.sum(x * ops.matmul(at, x))

    hv = ops.grad(lambda x: stats.sum(ops.grad(f)(x) * T.convert_to_tensor(v)))(T.convert_to_tensor(rand(3)))
    np.testing.assert_allclose(hv.numpy(), (a + a.T) @ v, rtol=1e-12)


def test_second_order_through_indexing_and_pad() -> None:
    x0 = rand(3, 4)

    def f(x: Any) -> Any:
        return stats.sum(ops.square(T.pad(x[1:, ::2], [(1, 1), (2, 0)], mode="reflect")) * x[1:, ::2].T[0, 0])

    check_gradient(lambda x: ops.grad(f)(x), x0, tol=1e-5)


# ---- engine semantics ----------------------------------------------------------------------------

def test_backward_fills_parameter_grad_and_accumulates() -> None:
    w = Parameter(np.array([1.0, 2.0, 3.0]))
    x = T.convert_to_tensor([0.5, -1.0, 2.0])
    stats.sum(w * x).backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.5, -1.0, 2.0])
    stats.sum(w * w).backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.5 + 2.0, -1.0 + 4.0, 2.0 + 6.0])
    assert isinstance(w, T.EmberTensor) and w.is_leaf and w.grad_fn is None


def test_value_and_grad_with_aux_and_pytree() -> None:
    params = {"w": T.convert_to_tensor([1.0, -2.0]), "b": [T.convert_to_tensor(0.5)]}

    def loss(p: dict[str, Any], x: Any) -> tuple[Any, Any]:
        y = stats.sum(p["w"] * x) + p["b"][0]
        return y * y, y

    (value, aux), g = ops.value_and_grad(loss, has_aux=True)(params, T.convert_to_tensor([3.0, 1.0]))
    y = 1.0 * 3.0 - 2.0 * 1.0 + 0.5
    assert value.item() == pytest.approx(y * y) and aux.item() == pytest.approx(y)
    np.testing.assert_allclose(g["w"].numpy(), [2 * y * 3.0, 2 * y * 1.0])
    np.testing.assert_allclose(g["b"][0].numpy(), 2 * y)
    assert not params["w"].requires_grad  # the caller's tensors are left alone


def test_value_and_grad_of_parameters_records_no_backward_graph() -> None:
    w = Parameter([1.0, 2.0])
    value, g = ops.value_and_grad(lambda p: stats.sum(p * p))(w)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    assert not g.requires_grad and not value.requires_grad and w.grad is None


def test_grad_of_unused_argument_is_zero_and_argnums_tuple() -> None:
    gx, gy = ops.grad(lambda x, y: stats.sum(x * 2.0), argnums=(0, 1))(T.ones((2,)), T.ones((3,)))
    np.testing.assert_allclose(gx.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(gy.numpy(), np.zeros(3))


def test_gradient_tape() -> None:
    x = T.convert_to_tensor([1.0, 2.0])
    w = Parameter([3.0, 4.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = stats.sum(x * x * w)
    dx, dw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(dx.numpy(), [6.0, 16.0])
    np.testing.assert_allclose(dw.numpy(), [1.0, 4.0])
    assert tape.gradient(y, T.ones((2,)), unconnected_gradients="zero").shape == (2,)
    with GradientTape() as tape2:
        z = stats.sum(w * 2.0)
    tape2.gradient(z, w)
    with pytest.raises(RuntimeError, match="only once"):
        tape2.gradient(z, w)


def test_no_grad_records_nothing() -> None:
    w = Parameter([1.0, 2.0])
    with ops.no_grad():
        y = w * 2.0
    assert not y.requires_grad and y.grad_fn is None
    assert (w * 2.0).grad_fn == "multiply"


def test_inplace_write_to_saved_tensor_raises_at_backward() -> None:
    x = T.convert_to_tensor([1.0, 2.0], requires_grad=True)
    y = ops.exp(x)
    z = stats.sum(y * y)
    with ops.no_grad():
        y[0] = 5.0
    with pytest.raises(ValueError, match="modified in place"):
        z.backward()


def test_inplace_write_to_tensor_requiring_grad_raises() -> None:
    w = Parameter([1.0, 2.0])
    with pytest.raises(ValueError, match=r"\[setitem\].*requires grad"):
        w[0] = 3.0
    with pytest.raises(ValueError, match="index_update"):
        T.zeros((2,))[0] = w[0]


def test_graph_is_freed_after_backward_unless_retained() -> None:
    x = T.convert_to_tensor([1.0, 2.0], requires_grad=True)
    y = stats.sum(ops.exp(x))
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))
    with pytest.raises(ValueError, match="already freed"):
        y.backward()


def test_op_without_rule_raises_at_backward() -> None:
    x = T.convert_to_tensor(rand(3, 3), requires_grad=True)
    s = stats.sum(linearalg.svd(x, compute_uv=False))
    with pytest.raises(NotImplementedError, match=r"\[svd\] has no gradient rule"):
        s.backward()
    with pytest.raises(NotImplementedError, match=r"\[median\]"):
        stats.median(x).backward()


def test_bad_requests_raise() -> None:
    with pytest.raises(TypeError, match="floating"):
        T.convert_to_tensor([1, 2], requires_grad=True)
    with pytest.raises(ValueError, match="one-element"):
        ops.grad(lambda x: x * 2.0)(T.ones((3,)))
    with pytest.raises(ValueError, match="one-element"):
        (T.ones((3,), dtype="float64") * Parameter([1.0, 2.0, 3.0])).backward()
    with pytest.raises(ValueError, match="does not require grad"):
        T.ones((2,)).backward()
    x = T.convert_to_tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="leaf"):
        (x * 2.0).requires_grad = False


def test_mixed_precision_gradient_keeps_input_dtype() -> None:
    x = T.convert_to_tensor(np.array([1.0, 2.0], dtype=np.float16), requires_grad=True)
    w = T.convert_to_tensor(np.array([0.5, 0.25], dtype=np.float32), requires_grad=True)
    stats.sum(x * w).backward()
    assert x.grad.dtype == "float16" and w.grad.dtype == "float32"
    np.testing.assert_allclose(x.grad.numpy().astype(np.float64), [0.5, 0.25])


def test_parameter_data_assignment_updates_in_place() -> None:
    p = Parameter([1.0, 2.0])
    alias = p
    p.data = [5.0, 6.0]
    np.testing.assert_allclose(alias.numpy(), [5.0, 6.0])
    with pytest.raises(ValueError, match="shape"):
        p.data = [1.0]
