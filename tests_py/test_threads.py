"""Thread safety: Python threads calling Ember ops concurrently (large ops release the GIL
and fan out to Ember's worker pool) must all get NumPy-correct results."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from ember_ml import _core, ops
from ember_ml.nn import tensor as T
from ember_ml.ops import stats

N_THREADS = 4
ITERATIONS = 25


def _run_threads(worker, n_threads: int = N_THREADS) -> None:
    """Starts n_threads running worker(thread_index) at the same moment; re-raises failures."""
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            worker(i)
        except BaseException as err:  # noqa: BLE001 - re-raised in the main thread
            errors.append(err)

    threads = [threading.Thread(target=target, args=(i,), name=f"ember-test-{i}") for i in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
        assert not th.is_alive(), "a worker thread did not finish (deadlock?)"
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1234)
    a = rng.standard_normal(1_000_000).astype(np.float32)
    b = rng.standard_normal(1_000_000).astype(np.float32)
    m1 = rng.standard_normal((256, 256)).astype(np.float32)
    m2 = rng.standard_normal((256, 256)).astype(np.float32)
    ints = rng.integers(-1000, 1000, 1_000_000).astype(np.int64)
    small = rng.standard_normal((3, 4)).astype(np.float32)
    return {
        "np": dict(a=a, b=b, m1=m1, m2=m2, ints=ints, small=small),
        "em": {k: T.convert_to_tensor(v) for k, v in dict(a=a, b=b, m1=m1, m2=m2, ints=ints, small=small).items()},
        "ref": {
            "add": a + b,
            "exp": np.exp(a),
            "sum": np.sum(a.astype(np.float64)),
            "int_sum": np.sum(ints),
            "matmul": (m1.astype(np.float64) @ m2.astype(np.float64)),
            "max_axis": np.max(a.reshape(1000, 1000), axis=0),
            "strided_mul": a[::2] * b[::-2],
            "small": np.tanh(small) * 2 + 1,
        },
    }


def _check(name: str, got, want, rtol=1e-6, atol=1e-6) -> None:
    got = np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)


def test_concurrent_mixed_ops(data) -> None:
    em, ref = data["em"], data["ref"]

    def worker(i: int) -> None:
        for it in range(ITERATIONS):
            kind = (i + it) % 4
            if kind == 0:
                _check("add", ops.add(em["a"], em["b"]), ref["add"])
                _check("sum", stats.sum(em["a"]), ref["sum"], rtol=1e-4, atol=1e-2)
            elif kind == 1:
                _check("exp", ops.exp(em["a"]), ref["exp"], rtol=2e-6)
                assert stats.sum(em["ints"]).item() == ref["int_sum"]
            elif kind == 2:
                _check("matmul", ops.matmul(em["m1"], em["m2"]), ref["matmul"], rtol=1e-4, atol=1e-4)
                _check("max axis 0", stats.max(T.reshape(em["a"], (1000, 1000)), axis=0), ref["max_axis"])
            else:
                _check("strided multiply", em["a"][::2] * em["b"][::-2], ref["strided_mul"])
            # small ops interleaved (these keep the GIL)
            for _ in range(20):
                _check("small", ops.tanh(em["small"]) * 2 + 1, ref["small"])

    _run_threads(worker)


@pytest.mark.parametrize("op", ["add", "exp", "sum", "matmul"])
def test_concurrent_same_op(data, op: str) -> None:
    em, ref = data["em"], data["ref"]
    fn = {
        "add": lambda: _check("add", em["a"] + em["b"], ref["add"]),
        "exp": lambda: _check("exp", ops.exp(em["a"]), ref["exp"], rtol=2e-6),
        "sum": lambda: _check("sum", stats.sum(em["a"]), ref["sum"], rtol=1e-4, atol=1e-2),
        "matmul": lambda: _check("matmul", em["m1"] @ em["m2"], ref["matmul"], rtol=1e-4, atol=1e-4),
    }[op]

    def worker(i: int) -> None:
        for _ in range(ITERATIONS):
            fn()

    _run_threads(worker)


def test_concurrent_results_are_independent(data) -> None:
    """Each thread writes its own tensors; results must not leak between threads."""
    n = 200_000

    def worker(i: int) -> None:
        base = np.full(n, float(i + 1), np.float32)
        x = T.convert_to_tensor(base)
        for it in range(ITERATIONS):
            y = x * (it + 1) + i
            expected = base * (it + 1) + i
            np.testing.assert_array_equal(y.numpy(), expected)
            y[::2] = -1.0  # write through a strided view of this thread's tensor
            assert stats.sum(y[::2]).item() == -(n // 2)
            np.testing.assert_array_equal(x.numpy(), base)

    _run_threads(worker)


def test_concurrent_errors_do_not_poison_the_pool(data) -> None:
    """Exceptions raised inside worker-pool kernels reach the right caller; later calls still work."""
    em, ref = data["em"], data["ref"]
    big_ints = T.convert_to_tensor(np.full(200_000, 3, np.int32))
    negative = T.convert_to_tensor(np.full(200_000, -1, np.int32))

    def worker(i: int) -> None:
        for _ in range(ITERATIONS // 2):
            if i % 2 == 0:
                with pytest.raises(ValueError, match=r"^\[power\]"):
                    ops.power(big_ints, negative)
            else:
                _check("add", em["a"] + em["b"], ref["add"])

    _run_threads(worker)
    _check("exp after errors", ops.exp(em["a"]), ref["exp"], rtol=2e-6)


def test_num_threads_is_positive() -> None:
    assert isinstance(_core.num_threads(), int)
    assert _core.num_threads() >= 1
