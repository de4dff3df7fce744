"""Tests of the counter-based random ops of ``ember_ml.nn.tensor``.

Oracles come from outside Ember: Random123's known-answer vectors for the raw
Philox-4x32-10 blocks, the stream layout documented in ember/random.h rebuilt from those
blocks, and SciPy's exact distributions (Kolmogorov–Smirnov tests for continuous ones,
chi-square goodness-of-fit tests on the exact probability mass function for discrete
ones; the KS test is only conservative for discrete laws). Seeds are fixed, so every
statistical test is deterministic; the thresholds p > 0.001 were not tuned on Ember's
output beyond choosing the seeds once.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from conftest import python_env
from ember_ml import _core
from ember_ml.nn import tensor as T

N = 100_000

# Random123 kat_vectors, philox4x32 10 rounds: (counter, key, expected output).
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_philox_known_answers(counter, key, expected):
    assert tuple(_core.philox4x32_10(list(counter), list(key))) == expected


def _words(seed: int, n: int, j: int, domain: int = 1, offset: int = 0) -> np.ndarray:
    """Word j of elements 0..n-1 of a stream, per the layout in ember/random.h."""
    key = [seed & 0xFFFFFFFF, seed >> 32]
    out = []
    for b in range((n + 3) // 4):
        c = offset + b
        out.extend(_core.philox4x32_10([c & 0xFFFFFFFF, c >> 32, j, domain], key))
    return np.array(out[:n], dtype=np.uint64)


def test_uniform_float32_follows_stream_layout():
    seed = 0xDEADBEEF12345678
    got = T.random_uniform((3, 7), seed=seed).numpy().ravel()
    expected = (_words(seed, 21, 0) >> 8).astype(np.float64) * 2.0**-24
    np.testing.assert_array_equal(got, expected.astype(np.float32))


def test_uniform_float64_follows_stream_layout():
    seed = 99
    got = T.random_uniform(10, 2.0, 5.0, dtype="float64", seed=seed).numpy()
    hi, lo = _words(seed, 10, 0), _words(seed, 10, 1)
    u = ((hi >> 5).astype(np.float64) * 67108864.0 + (lo >> 6).astype(np.float64)) * 2.0**-53
    np.testing.assert_array_equal(got, 2.0 + 3.0 * u)


def test_global_stream_layout_and_advance():
    T.set_seed(5)
    assert T.get_seed() == 5
    a = T.random_uniform(6).numpy()
    b = T.random_uniform(3).numpy()
    ref = (_words(5, 12, 0, domain=0) >> 8).astype(np.float64) * 2.0**-24
    np.testing.assert_array_equal(a, ref[:6].astype(np.float32))
    # The first call reserved two blocks (8 elements); the second starts at block 2.
    np.testing.assert_array_equal(b, ref[8:11].astype(np.float32))


def test_global_stream_restarts_and_seeded_calls_leave_it_alone():
    T.set_seed(1234)
    first = T.random_normal((100,)).numpy()
    second = T.random_normal((100,)).numpy()
    assert not np.array_equal(first, second)
    T.set_seed(1234)
    T.random_normal((50,), seed=77)  # an explicit seed does not touch the global stream
    np.testing.assert_array_equal(T.random_normal((100,)).numpy(), first)
    # A seeded call is not the global stream of the same seed (separate domain word).
    assert not np.array_equal(T.random_normal((100,), seed=1234).numpy(), first)


FNS = {
    "uniform": lambda seed: T.random_uniform((1000,), seed=seed),
    "normal": lambda seed: T.random_normal((1000,), seed=seed),
    "bernoulli": lambda seed: T.random_bernoulli((1000,), 0.3, seed=seed),
    "binomial": lambda seed: T.random_binomial((1000,), 0.3, 50, seed=seed),
    "gamma": lambda seed: T.random_gamma((1000,), 0.7, 2.0, seed=seed),
    "exponential": lambda seed: T.random_exponential((1000,), 2.0, seed=seed),
    "poisson": lambda seed: T.random_poisson((1000,), 30.0, seed=seed),
    "categorical": lambda seed: T.random_categorical([[0.0, 1.0, 2.0]], 1000, seed=seed),
    "permutation": lambda seed: T.random_permutation(1000, seed=seed),
    "shuffle": lambda seed: T.shuffle(np.arange(1000.0), seed=seed),
}


@pytest.mark.parametrize("name", sorted(FNS))
def test_same_seed_same_values(name):
    a, b, c = FNS[name](11).numpy(), FNS[name](11).numpy(), FNS[name](12).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_same_seed_same_values_across_processes(run_python):
    code = """
        import hashlib
        from ember_ml.nn import tensor as T
        T.set_seed(2024)
        parts = [T.random_normal((1000, 370)), T.random_gamma(200_000, 0.5),
                 T.random_uniform(100, seed=3, dtype='float64'), T.random_poisson(999, 50.0, seed=4)]
        print(hashlib.sha256(b''.join(p.numpy().tobytes() for p in parts)).hexdigest())
    """
    # One run on a single thread: the values must not depend on how the work is split.
    runs = [run_python(code), run_python(code, env=python_env(EMBER_NUM_THREADS="1"))]
    for r in runs:
        assert r.returncode == 0, r.stderr
    import hashlib
    T.set_seed(2024)
    parts = [T.random_normal((1000, 370)), T.random_gamma(200_000, 0.5),
             T.random_uniform(100, seed=3, dtype="float64"), T.random_poisson(999, 50.0, seed=4)]
    here = hashlib.sha256(b"".join(p.numpy().tobytes() for p in parts)).hexdigest()
    assert runs[0].stdout.strip() == runs[1].stdout.strip() == here


def test_concurrent_calls_reserve_disjoint_blocks():
    """Threads drawing from the global stream each get one whole chunk of it, none twice."""
    import threading
    T.set_seed(77)
    chunks = T.random_uniform((16, 40_000)).numpy()  # large enough to release the GIL
    T.set_seed(77)
    results = [None] * 16
    barrier = threading.Barrier(16)

    def work(k):
        barrier.wait()
        results[k] = T.random_uniform(40_000).numpy()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sorted(r.tobytes() for r in results)
    assert got == sorted(c.tobytes() for c in chunks)


def test_large_calls_match_their_parts():
    """Element i depends only on (seed, block, lane): threading cannot change values."""
    T.set_seed(8)
    whole = T.random_normal(1 << 20).numpy()
    T.set_seed(8)
    head = T.random_normal(4000).numpy()
    tail = T.random_normal((1 << 20) - 4000).numpy()
    np.testing.assert_array_equal(np.concatenate([head, tail]), whole)


# ---- distributions ----------------------------------------------------------------------
def _ks(sample, cdf):
    p = stats.kstest(np.asarray(sample, dtype=np.float64), cdf).pvalue
    assert p > 1e-3, f"KS p-value {p}"


def _chisquare(sample, pmf, support):
    """Chi-square goodness of fit on `support`, lumping expected counts below 5 into the tails."""
    sample = np.asarray(sample).astype(np.int64)
    probs = pmf(support)
    keep = probs * len(sample) >= 5
    lo, hi = support[keep][0], support[keep][-1]
    observed = [np.sum(sample <= lo)] + [np.sum(sample == k) for k in range(lo + 1, hi)] + [np.sum(sample >= hi)]
    expected = np.array([probs[support <= lo].sum()] + [pmf(np.array([k]))[0] for k in range(lo + 1, hi)]
                        + [1.0 - probs[support < hi].sum()]) * len(sample)
    p = stats.chisquare(observed, expected * (len(sample) / expected.sum())).pvalue
    assert p > 1e-3, f"chi-square p-value {p}"


def _moments(x, mean, var):
    x = np.asarray(x, dtype=np.float64)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / len(x)), (x.mean(), mean)
    assert abs(x.var() - var) < 0.05 * var + 1e-12, (x.var(), var)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_uniform_distribution(dtype):
    x = T.random_uniform(N, -2.0, 3.0, dtype=dtype, seed=1).numpy()
    assert x.dtype == np.dtype(dtype)
    assert x.min() >= -2.0 and x.max() <= 3.0
    if dtype != "float16":
        assert x.max() < 3.0
        _ks(x, stats.uniform(-2.0, 5.0).cdf)
    _moments(x, 0.5, 25 / 12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_distribution(dtype):
    x = T.random_normal((N // 100, 100), 1.5, 2.0, dtype=dtype, seed=2).numpy().ravel()
    _ks(x, stats.norm(1.5, 2.0).cdf)
    _moments(x, 1.5, 4.0)
    # Even and odd lanes (cos and sin halves of Box–Muller) are each normal.
    _ks(x[0::2], stats.norm(1.5, 2.0).cdf)
    _ks(x[1::2], stats.norm(1.5, 2.0).cdf)
    assert abs(np.corrcoef(x[0::2], x[1::2])[0, 1]) < 0.02


@pytest.mark.parametrize("alpha,beta", [(0.3, 1.0), (1.0, 2.0), (2.5, 0.5), (30.0, 1.0)])
def test_gamma_distribution(alpha, beta):
    x = T.random_gamma(N, alpha, beta, dtype="float64", seed=3).numpy()
    _ks(x, stats.gamma(alpha, scale=beta).cdf)
    _moments(x, alpha * beta, alpha * beta**2)


def test_exponential_distribution():
    x = T.random_exponential(N, 3.0, seed=4).numpy()
    assert x.dtype == np.float32 and x.min() >= 0
    _ks(x, stats.expon(scale=3.0).cdf)
    _moments(x, 3.0, 9.0)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 1.0])
def test_bernoulli_distribution(p):
    x = T.random_bernoulli(N, p, seed=5).numpy()
    assert x.dtype == np.float32 and set(np.unique(x)) <= {0.0, 1.0}
    if 0 < p < 1:
        _chisquare(x, stats.bernoulli(p).pmf, np.arange(2))
    else:
        assert np.all(x == p)


@pytest.mark.parametrize("n,p", [(1, 0.5), (20, 0.1), (20, 0.9), (100, 0.5), (1000, 0.03), (10**6, 0.7)])
def test_binomial_distribution(n, p):
    x = T.random_binomial(N, p, n, seed=6).numpy()
    assert x.dtype == np.int64 and x.min() >= 0 and x.max() <= n
    support = np.arange(n + 1) if n <= 1000 else np.arange(int(n * p - 6000), int(n * p + 6000))
    _chisquare(x, stats.binom(n, p).pmf, support)
    _moments(x, n * p, n * p * (1 - p))


@pytest.mark.parametrize("lam", [0.0, 0.5, 4.0, 9.9, 10.0, 55.0, 1e4])
def test_poisson_distribution(lam):
    x = T.random_poisson(N, lam, seed=7).numpy()
    assert x.dtype == np.int64
    if lam == 0:
        assert np.all(x == 0)
        return
    support = np.arange(int(lam + 20 * np.sqrt(lam) + 20))
    _chisquare(x, stats.poisson(lam).pmf, support)
    _moments(x, lam, lam)


def test_categorical_distribution():
    logits = np.array([[np.log(0.1), np.log(0.2), np.log(0.7), -np.inf], [0.0, 0.0, 0.0, 0.0]])
    x = T.random_categorical(logits, N // 2, seed=8).numpy()
    assert x.shape == (2, N // 2) and x.dtype == np.int64
    for row, weights in zip(x, np.exp(logits)):
        probs = weights / weights.sum()
        counts = np.bincount(row, minlength=4)
        assert counts[probs == 0].sum() == 0
        nz = probs > 0
        assert stats.chisquare(counts[nz], probs[nz] * len(row)).pvalue > 1e-3


def test_permutation_is_uniform():
    # Position of element 0 over many permutations of 5 is uniform; every permutation is valid.
    first = []
    for seed in range(3000):
        p = T.random_permutation(5, seed=seed).numpy()
        assert sorted(p.tolist()) == list(range(5))
        first.append(int(np.argmax(p == 0)))
    assert stats.chisquare(np.bincount(first, minlength=5)).pvalue > 1e-3
    big = T.random_permutation(100_000, seed=9).numpy()
    np.testing.assert_array_equal(np.sort(big), np.arange(100_000))


@pytest.mark.parametrize("fn", [T.shuffle, T.random_shuffle])
def test_shuffle_permutes_rows(fn):
    x = np.arange(60, dtype=np.float64).reshape(20, 3)
    y = fn(x, seed=10).numpy()
    assert y.shape == x.shape and y.dtype == x.dtype
    assert not np.array_equal(x, y)
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))
    np.testing.assert_array_equal(x, np.arange(60, dtype=np.float64).reshape(20, 3))  # input untouched
    # A strided (transposed) input is shuffled by its logical rows.
    z = fn(T.transpose(T.convert_to_tensor(x)), seed=10).numpy()
    assert sorted(map(tuple, z)) == sorted(map(tuple, x.T))


def test_permutation_of_tensor_shuffles_rows():
    x = np.arange(12).reshape(6, 2)
    np.testing.assert_array_equal(T.random_permutation(x, seed=3).numpy(), T.shuffle(x, seed=3).numpy())


# ---- dtypes, shapes, devices --------------------------------------------------------------
@pytest.mark.parametrize("fn,dtype", [
    (lambda **k: T.random_uniform((2, 3), **k), "float32"),
    (lambda **k: T.random_normal((2, 3), **k), "float32"),
    (lambda **k: T.random_bernoulli((2, 3), **k), "float32"),
    (lambda **k: T.random_gamma((2, 3), **k), "float32"),
    (lambda **k: T.random_exponential((2, 3), **k), "float32"),
    (lambda **k: T.random_binomial((2, 3), **k), "int64"),
    (lambda **k: T.random_poisson((2, 3), **k), "int64"),
])
def test_default_dtypes_and_shapes(fn, dtype):
    t = fn()
    assert t.shape == (2, 3) and str(t.dtype) == dtype and t.device == "cpu"
    assert fn(device="cpu").device == "cpu"


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint16", "float16", "float64", "bool"])
def test_bernoulli_any_dtype(dtype):
    t = T.random_bernoulli(1000, 0.5, dtype=dtype, seed=1).numpy()
    assert t.dtype == np.dtype(dtype) and set(np.unique(t).tolist()) == {0, 1}


@pytest.mark.parametrize("fn", [T.random_poisson, T.random_binomial])
def test_count_dtypes(fn):
    assert fn(5, dtype="int32", seed=1).dtype == T.int32
    assert fn(5, dtype="float64", seed=1).dtype == T.float64


def test_shapes_and_empty():
    assert T.random_uniform(5).shape == (5,)
    assert T.random_normal([]).shape == ()
    assert T.random_gamma((0, 4)).shape == (0, 4)
    assert T.random_categorical(np.zeros((0, 3)), 4).shape == (0, 4)
    assert T.random_categorical(np.zeros((2, 3)), 0).shape == (2, 0)
    assert T.random_permutation(0).shape == (0,)
    assert T.random_permutation(4, dtype="int32").dtype == T.int32
    assert T.random_categorical(np.zeros((2, 3), np.float32), 5, dtype="int32").dtype == T.int32


HOST_PATH_SAMPLERS = {
    "binomial": lambda device: T.random_binomial((6, 7), 0.3, 12, device=device, seed=3),
    "gamma": lambda device: T.random_gamma((6, 7), 0.7, 2.0, device=device, seed=3),
    "exponential": lambda device: T.random_exponential((6, 7), 1.5, device=device, seed=3),
    "poisson": lambda device: T.random_poisson((6, 7), 4.0, device=device, seed=3),
    "categorical": lambda device: T.random_categorical(
        T.convert_to_tensor(np.log([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]).astype(np.float32), device=device), 9,
        device=device, seed=3),
    "permutation": lambda device: T.random_permutation(25, device=device, seed=3),
    "shuffle": lambda device: T.shuffle(T.convert_to_tensor(np.arange(30.0).reshape(10, 3), device=device), seed=3),
}


@pytest.mark.parametrize("name", list(HOST_PATH_SAMPLERS))
def test_opencl_samplers_on_the_host_path_draw_the_cpu_numbers(name):
    want = HOST_PATH_SAMPLERS[name]("cpu")
    got = HOST_PATH_SAMPLERS[name]("opencl")
    assert got.device == "opencl:0" and got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want.numpy())


# ---- bad inputs ---------------------------------------------------------------------------
BAD = [
    (lambda: T.random_uniform((-1, 2)), ValueError, "random_uniform"),
    (lambda: T.random_uniform(3, dtype="bool"), TypeError, "random_uniform"),
    (lambda: T.random_uniform(3, 2, 2, dtype="int32"), ValueError, "random_uniform"),
    (lambda: T.random_uniform((2, 3), [0.0, 1.0], 2.0), ValueError, "random_uniform"),
    (lambda: T.random_normal((2, 3), 0.0, [1.0, -1.0, 1.0]), ValueError, "random_normal"),
    (lambda: T.random_uniform(3, 0.0, float("inf")), ValueError, "random_uniform"),
    (lambda: T.random_normal(3, dtype="bool"), TypeError, "random_normal"),
    (lambda: T.random_normal(3, 0.0, -1.0), ValueError, "random_normal"),
    (lambda: T.random_bernoulli(3, 1.5), ValueError, "random_bernoulli"),
    (lambda: T.random_bernoulli(3, float("nan")), ValueError, "random_bernoulli"),
    (lambda: T.random_binomial(3, -0.1), ValueError, "random_binomial"),
    (lambda: T.random_binomial(3, 0.5, -2), ValueError, "random_binomial"),
    (lambda: T.random_binomial(3, 0.5, 2.5), TypeError, "random_binomial"),
    (lambda: T.random_binomial(3, dtype="bool"), TypeError, "random_binomial"),
    (lambda: T.random_gamma(3, 0.0), ValueError, "random_gamma"),
    (lambda: T.random_gamma(3, 1.0, -1.0), ValueError, "random_gamma"),
    (lambda: T.random_gamma(3, dtype="int64"), TypeError, "random_gamma"),
    (lambda: T.random_exponential(3, -1.0), ValueError, "random_exponential"),
    (lambda: T.random_exponential(3, dtype="int32"), TypeError, "random_exponential"),
    (lambda: T.random_poisson(3, -0.5), ValueError, "random_poisson"),
    (lambda: T.random_poisson(3, dtype="bool"), TypeError, "random_poisson"),
    (lambda: T.random_categorical([0.0, 1.0], 3), ValueError, "random_categorical"),
    (lambda: T.random_categorical(1.0, 3), ValueError, "random_categorical"),
    (lambda: T.random_categorical([[1, 2]], 3), TypeError, "random_categorical"),
    (lambda: T.random_categorical([[0.0, 1.0]], -1), ValueError, "random_categorical"),
    (lambda: T.random_categorical([[0.0, 1.0]], 2, dtype="float32"), TypeError, "random_categorical"),
    (lambda: T.random_permutation(-3), ValueError, "random_permutation"),
    (lambda: T.random_permutation(300, dtype="uint8"), ValueError, "random_permutation"),
    (lambda: T.shuffle(3.0), ValueError, "random_shuffle"),  # shuffle is an alias
    (lambda: T.random_uniform(3, seed=-1), ValueError, "random_uniform"),
    (lambda: T.random_uniform(3, seed=2**64), ValueError, "random_uniform"),
    (lambda: T.random_uniform(3, seed=1.5), TypeError, "random_uniform"),
    (lambda: T.set_seed(-5), ValueError, "set_seed"),
]


@pytest.mark.parametrize("call,exc,op", BAD)
def test_bad_inputs(call, exc, op):
    with pytest.raises(exc, match=rf"^\[{op}\]"):
        call()
