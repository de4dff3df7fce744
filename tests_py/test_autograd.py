"""Reverse-mode gradients against central finite differences (float64), and engine semantics.

Every differentiable op gets a row in GRAD_CASES: a function of float64 tensors and the
NumPy inputs to check it at. The check reduces the op's output to a scalar with fixed
random weights (so no output element's gradient can hide behind a symmetric sum) and
compares the engine's gradient with central differences of that scalar.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import ember_ml as em
from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.nn.modules import activations
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.ops import linearalg, stats
from ember_ml.training import GradientTape

RNG = np.random.default_rng(1234)


def rand(*shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, size=shape)


def distinct(*shape: int) -> np.ndarray:
    """Values with no ties and gaps of at least 0.05, so max/min/sort are differentiable there."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.1 - n * 0.05 + RNG.uniform(-0.02, 0.02, n)).reshape(shape)


def spd(n: int) -> np.ndarray:
    a = rand(n, n)
    return a @ a.T + n * np.eye(n)


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


def _index_update(x: Any, v: Any) -> Any:
    return T.index_update(x, 1, slice(None, None, 2), value=v)


GRAD_CASES: list[tuple[str, Callable[..., Any], list[np.ndarray]]] = [
    # elementwise, unary
    ("exp", ops.exp, [rand(3, 4)]),
    ("log", ops.log, [rand(3, 4, low=0.5, high=2.0)]),
    ("log10", ops.log10, [rand(5, low=0.5, high=2.0)]),
    ("log2", ops.log2, [rand(5, low=0.5, high=2.0)]),
    ("sqrt", ops.sqrt, [rand(2, 3, low=0.5, high=2.0)]),
    ("sin", ops.sin, [rand(4)]),
    ("cos", ops.cos, [rand(4)]),
    ("tan", ops.tan, [rand(4)]),
    ("sinh", ops.sinh, [rand(4)]),
    ("cosh", ops.cosh, [rand(4)]),
    ("erf", ops.erf, [rand(4)]),
    ("tanh", ops.tanh, [rand(3, 2)]),
    ("sigmoid", _core.sigmoid, [rand(3, 2)]),
    ("abs", ops.abs, [distinct(2, 3)]),
    ("negative", ops.negative, [rand(3)]),
    ("square", ops.square, [rand(3)]),
    ("sign", ops.sign, [distinct(4)]),
    ("floor", ops.floor, [distinct(4) + 0.5]),
    ("ceil", ops.ceil, [distinct(4) + 0.5]),
    # elementwise, binary with broadcasting
    ("add", ops.add, [rand(3, 4), rand(4)]),
    ("subtract", ops.subtract, [rand(2, 1, 3), rand(4, 3)]),
    ("multiply", ops.multiply, [rand(3, 4), rand(3, 1)]),
    ("divide", ops.divide, [rand(3, 4), rand(4, low=0.5, high=2.0)]),
    ("power", ops.power, [rand(3, 4, low=0.5, high=2.0), rand(4)]),
    ("pow_scalar", lambda x: x ** 3, [rand(5)]),
    ("rtruediv", lambda x: 2.0 / x, [rand(5, low=0.5, high=2.0)]),
    ("maximum", ops.maximum, [distinct(3, 4), distinct(4) + 0.025]),
    ("minimum", ops.minimum, [distinct(3, 4), distinct(3, 1) + 0.025]),
    ("mod", ops.mod, [rand(6, low=0.1, high=0.9) + np.arange(6), np.full(6, 1.0)]),
    ("arctan2", ops.arctan2, [rand(3, 2), rand(2, low=0.5, high=1.0)]),
    ("floor_divide", ops.floor_divide, [rand(4, low=0.1, high=0.9) + 3, np.full(4, 2.0)]),
    ("where", lambda x, y: ops.where(T.convert_to_tensor([True, False, True]), x, y), [rand(2, 3), rand(3)]),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), [distinct(3, 3) * 0.2 + 0.01]),
    # reductions
    ("sum", lambda x: stats.sum(x), [rand(3, 4)]),
    ("sum_axis", lambda x: stats.sum(x, axis=(0, 2)), [rand(2, 3, 4)]),
    ("sum_keepdims", lambda x: stats.sum(x, axis=-1, keepdims=True), [rand(2, 3)]),
    ("mean", lambda x: stats.mean(x, axis=1), [rand(3, 4)]),
    ("var", lambda x: stats.var(x, axis=0, ddof=1), [rand(4, 3)]),
    ("std", lambda x: stats.std(x), [rand(4, 3)]),
    ("prod", lambda x: _core.prod(x, axis=1), [rand(3, 4, low=0.5, high=1.5)]),
    ("prod_one_zero", lambda x: _core.prod(x, axis=1), [np.array([[0.0, 2.0, 3.0], [1.5, 2.0, 0.5]])]),
    ("prod_two_zeros", lambda x: _core.prod(x), [np.array([0.0, 2.0, 0.0])]),
    ("max", lambda x: stats.max(x, axis=0), [distinct(3, 4)]),
    ("min", lambda x: stats.min(x), [distinct(3, 4)]),
    ("cumsum", lambda x: stats.cumsum(x, axis=1), [rand(3, 4)]),
    ("cumsum_flat", lambda x: stats.cumsum(x), [rand(3, 2)]),
    ("sort", lambda x: stats.sort(x, axis=0), [distinct(4, 3)]),
    ("sort_descending", lambda x: stats.sort(x, descending=True), [distinct(2, 5)]),
    # matmul
    ("matmul", ops.matmul, [rand(3, 4), rand(4, 2)]),
    ("matmul_batched", ops.matmul, [rand(2, 1, 3, 4), rand(3, 4, 2)]),
    ("matmul_vec_mat", ops.matmul, [rand(4), rand(2, 4, 3)]),
    ("matmul_mat_vec", ops.matmul, [rand(3, 4), rand(4)]),
    ("matmul_vec_vec", ops.matmul, [rand(4), rand(4)]),
    ("dot", ops.dot, [rand(2, 3), rand(3, 2)]),
    ("dot_nd", ops.dot, [rand(2, 3), rand(2, 3, 4)]),
    # shape ops
    ("reshape", lambda x: T.reshape(x, (4, 3)), [rand(2, 6)]),
    ("reshape_strided", lambda x: T.reshape(T.transpose(x), (-1,)), [rand(2, 3)]),
    ("transpose", lambda x: T.transpose(x, (2, 0, 1)), [rand(2, 3, 4)]),
    ("T", lambda x: x.T, [rand(2, 3)]),
    ("expand_dims", lambda x: T.expand_dims(x, 1), [rand(2, 3)]),
    ("squeeze", lambda x: T.squeeze(x), [rand(2, 1, 3)]),
    ("concatenate", lambda x, y: T.concatenate([x, y], axis=1), [rand(2, 3), rand(2, 2)]),
    ("stack", lambda x, y: T.stack([x, y], axis=-1), [rand(2, 3), rand(2, 3)]),
    ("vstack", lambda x, y: ops.vstack([x, y]), [rand(3), rand(2, 3)]),
    ("hstack", lambda x, y: ops.hstack([x, y]), [rand(2, 1), rand(2, 3)]),
    ("split", lambda x: T.split(x, [1, 3], axis=1), [rand(2, 4)]),
    ("split_partly_used", lambda x: T.split(x, 2)[1], [rand(4, 2)]),
    ("tile", lambda x: T.tile(x, (2, 3)), [rand(2, 2)]),
    ("pad_constant", lambda x: T.pad(x, [(1, 2), (0, 1)]), [rand(2, 3)]),
    ("pad_reflect", lambda x: T.pad(x, [(2, 1), (1, 2)], mode="reflect"), [rand(3, 4)]),
    ("pad_symmetric", lambda x: T.pad(x, [(2, 3), (1, 0)], mode="symmetric"), [rand(3, 2)]),
    ("pad_edge", lambda x: T.pad(x, [(1, 1), (2, 1)], mode="edge"), [rand(2, 3)]),
    ("cast", lambda x: T.cast(x, "float64"), [rand(3)]),
    # indexing
    ("basic_index", lambda x: x[1:, ::-2, None], [rand(3, 4)]),
    ("int_index", lambda x: x[1], [rand(3, 4)]),
    ("iter", lambda x: list(x)[1], [rand(3, 2)]),
    ("array_index_repeats", lambda x: x[[0, 2, 0, 0]], [rand(3, 2)]),
    ("bool_mask", lambda x: x[T.convert_to_tensor(np.array([[True, False], [False, True], [True, True]]))],
     [rand(3, 2)]),
    ("gather", lambda x: T.gather(x, T.convert_to_tensor([2, 0, 2]), axis=1), [rand(2, 3)]),
    ("scatter_add", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), 3, aggr="add"), [rand(3, 2)]),
    ("scatter_mean", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), aggr="mean"), [rand(3, 2)]),
    ("scatter_max", lambda x: T.scatter(x, T.convert_to_tensor([1, 0, 1]), aggr="max"), [distinct(3, 2)]),
    ("scatter_min", lambda x: T.scatter(x, T.convert_to_tensor([0, 0, 1]), aggr="min", axis=0),
     [distinct(3, 2)]),
    ("index_update", _index_update, [rand(3, 4), rand(2)]),
    ("slice_update", lambda x, v: T.slice_update(x, (slice(0, 2), 1), v), [rand(3, 4), rand(2)]),
    ("slice_tensor", lambda x: T.slice_tensor(x, [1, 0], [2, -1]), [rand(3, 4)]),
    ("tensor_scatter_nd_update",
     lambda x, u: T.tensor_scatter_nd_update(x, T.convert_to_tensor([[0], [2]]), u), [rand(3, 2), rand(2, 2)]),
    # linear algebra
    ("solve", linearalg.solve, [spd(3), rand(3, 2)]),
    ("solve_vector", linearalg.solve, [spd(3), rand(3)]),
    ("solve_batched", linearalg.solve, [np.stack([spd(2), spd(2)]), rand(2, 2, 1)]),
    ("inv", linearalg.inv, [spd(3)]),
    ("det", linearalg.det, [rand(3, 3) + 2 * np.eye(3)]),
    ("cholesky", lambda a: linearalg.cholesky(ops.matmul(a, a.T) + T.eye(3, dtype="float64") * 3.0),
     [rand(3, 3)]),
    ("norm", lambda x: linearalg.norm(x), [rand(3, 2)]),
    ("norm_ord1_axis", lambda x: linearalg.norm(x, ord=1, axis=1), [distinct(3, 2)]),
    ("norm_inf", lambda x: linearalg.norm(x, ord=np.inf, axis=0), [distinct(3, 2)]),
    ("diagonal", lambda x: linearalg.diagonal(x, offset=1), [rand(3, 4)]),
    ("diag_vector", lambda x: linearalg.diag(x, k=-1), [rand(3)]),
    # activations
    ("relu", activations.relu, [distinct(3, 3) + 0.025]),
    ("softmax", lambda x: activations.softmax(x, axis=-1), [rand(2, 4)]),
    ("softplus", activations.softplus, [rand(2, 4) * 5]),
    ("lecun_tanh", activations.lecun_tanh, [rand(5)]),
    # losses (compositions of the ops above)
    ("mse", lambda t, p: ops.mse(t, p), [rand(4, 3), rand(4, 3)]),
    ("mean_absolute_error", lambda t, p: ops.mean_absolute_error(t, p, reduction="sum"),
     [distinct(3, 2), distinct(3, 2) + 0.025]),
    ("binary_crossentropy", lambda p: ops.binary_crossentropy(T.convert_to_tensor(np.array([[1.0, 0.0, 1.0]])), p),
     [rand(1, 3, low=0.2, high=0.8)]),
    ("binary_crossentropy_logits",
     lambda p: ops.binary_crossentropy(T.convert_to_tensor(np.array([0.0, 1.0, 1.0])), p, from_logits=True),
     [rand(3) * 3]),
    ("categorical_crossentropy_logits",
     lambda p: ops.categorical_crossentropy(T.convert_to_tensor(np.eye(3)[[0, 2]]), p, from_logits=True),
     [rand(2, 3) * 2]),
    ("sparse_categorical_crossentropy",
     lambda p: ops.sparse_categorical_crossentropy(T.convert_to_tensor([2, 0]), p, from_logits=True,
                                                   reduction="none"), [rand(2, 3) * 2]),
    ("huber_loss", lambda t, p: ops.huber_loss(t, p, delta=0.5), [rand(5) * 2, rand(5) * 2]),
    ("log_cosh_loss", lambda t, p: ops.log_cosh_loss(t, p), [rand(2, 3), rand(2, 3)]),
    # vector helpers
    ("normalize_vector", lambda x: ops.normalize_vector(x), [rand(2, 3)]),
    ("euclidean_distance", lambda x, y: ops.euclidean_distance(x, y), [rand(4), rand(4)]),
    ("cosine_similarity", lambda x, y: ops.cosine_similarity(x, y), [rand(4), rand(4)]),
    ("gradient_op", lambda x: ops.gradient(x, 0.5), [rand(6)]),
]


@pytest.mark.parametrize("name,fn,arrays", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradient_matches_finite_differences(name: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    check_gradient(fn, *arrays)


def _gradients_on(backend: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> list[Any]:
    weights: dict[int, np.ndarray] = {}
    with em.using_backend(backend):
        inputs = [T.convert_to_tensor(np.array(a, dtype=np.float64)) for a in arrays]
        return list(ops.grad(lambda *ts: _loss(fn, list(ts), weights), argnums=tuple(range(len(inputs))))(*inputs))


@pytest.mark.parametrize("name,fn,arrays", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_opencl_gradient_matches_cpu(name: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    # The rules are ordinary ops, so the same graph runs on opencl (PoCL in CI: .ci/run installs it).
    expected = _gradients_on("cpu", fn, arrays)
    got = _gradients_on("opencl", fn, arrays)
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
