"""exp, log, tanh and sigmoid on the cpu backend: ULP error against a higher-precision
reference over a wide sweep of inputs (subnormals, overflow and underflow edges, inf,
NaN, signed zeros) no worse than NumPy's own on the same inputs, and the vectorised,
threaded path of contiguous arrays equal to the scalar path of strided ones."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from ember_ml import ops
from ember_ml.nn import tensor as T
from ember_ml.ops import activations

FUNCS: dict[str, Callable] = {"exp": ops.exp, "log": ops.log, "tanh": activations.tanh,
                              "sigmoid": activations.sigmoid}
NUMPY_FUNCS: dict[str, Callable | None] = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": None}
# Allowed where NumPy does better or has no such function (sigmoid): float32, the bound
# stated in cpp/src/backend/cpu/vector_math.h for sigmoid (evaluated in double); float64
# (Eigen's exp and log, glibc's tanh below |x| = 0.625 and 1 - 2 / (exp(2|x|) + 1) above,
# 1 / (1 + exp(-x))), glibc's documented 2 ULP for tanh
# plus the roundings of 1 / (1 + e).
STATED_ULP = {"float32": 0.51, "float64": 2.5}
MANT_BITS = {"float32": 24, "float64": 53}
MIN_EXP = {"float32": -149, "float64": -1074}  # exponent of the smallest subnormal's ulp


def reference(name: str, x: np.ndarray) -> np.ndarray:
    """The function in long double (64-bit mantissa on x86), far more precise than either input type."""
    with np.errstate(all="ignore"):  # NaN inputs
        xl = x.astype(np.longdouble)
        if name == "sigmoid":
            return 1 / (1 + np.exp(-xl))
        return getattr(np, name)(xl)


def ulp_error(y: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|y - ref| in units of the last place of y's type at ref (inf where y is wrong in kind).

    A finite ref at or beyond the overflow threshold (max + half an ulp) rounds to inf, so
    an inf of its sign scores 0; an inf next to a smaller ref counts as 2^emax+1.
    """
    name = y.dtype.name
    finfo = np.finfo(y.dtype)
    with np.errstate(invalid="ignore"):  # NaN results
        yl = y.astype(np.longdouble)
    top = np.ldexp(np.longdouble(1), finfo.maxexp)
    overflows = np.abs(ref) >= top - np.ldexp(np.longdouble(1), finfo.maxexp - MANT_BITS[name] - 1)
    yl = np.where(np.isinf(yl) & overflows & (np.sign(yl) == np.sign(ref)), ref, yl)
    yl = np.where(np.isinf(yl) & np.isfinite(ref), np.sign(yl) * top, yl)
    _, e = np.frexp(np.where(np.isfinite(ref) & (ref != 0), ref, 1))
    ulp = np.ldexp(np.longdouble(1), np.maximum(e.astype(np.int64) - MANT_BITS[name], MIN_EXP[name]))
    with np.errstate(invalid="ignore"):
        err = np.abs(yl - ref) / ulp
    nan_y, nan_ref = np.isnan(yl), np.isnan(ref)
    inf_ref = np.isinf(ref)
    err = np.where(nan_y | nan_ref, np.where(nan_y & nan_ref, 0, np.inf), err)
    err = np.where(inf_ref, np.where(yl == ref, 0, np.inf), err)
    return err.astype(np.float64)


def sweep(dtype: str, name: str) -> np.ndarray:
    """Every 4099th float32 bit pattern (or a spread of float64 exponents and mantissas), a
    dense grid over the function's interesting range, and the special values."""
    rng = np.random.default_rng(0)
    if dtype == "float32":
        patterns = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32).view(np.float32)
    else:
        high = np.arange(0, 2**32, 4099, dtype=np.uint64) << np.uint64(32)
        patterns = (high | rng.integers(0, 2**32, high.size, dtype=np.uint64)).view(np.float64)
    lo, hi = {"exp": (-110, 100), "log": (0, 4), "tanh": (-12, 12), "sigmoid": (-120, 40)}[name]
    if dtype == "float64":
        lo, hi = {"exp": (-760, 720), "log": (0, 4), "tanh": (-25, 25), "sigmoid": (-760, 50)}[name]
    finfo = np.finfo(np.dtype(dtype))
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, finfo.tiny, -finfo.tiny,
               finfo.smallest_subnormal, -finfo.smallest_subnormal, finfo.max, -finfo.max,
               np.log(finfo.max), np.log(finfo.tiny), np.log(finfo.smallest_subnormal)]
    edges = np.asarray(special, dtype=dtype)
    with np.errstate(over="ignore"):  # next to +-max
        near = np.concatenate([np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf)])
    grid = np.linspace(lo, hi, 300_001).astype(dtype)
    return np.concatenate([patterns, grid, edges, near])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_ulp_error_is_no_worse_than_numpys(name: str, dtype: str) -> None:
    x = sweep(dtype, name)
    ref = reference(name, x)
    got = FUNCS[name](T.convert_to_tensor(x)).numpy()
    assert got.dtype == np.dtype(dtype)
    ours = ulp_error(got, ref)
    worst = int(np.argmax(ours))
    bound = STATED_ULP[dtype]
    numpy_fn = NUMPY_FUNCS[name]
    if numpy_fn is not None:
        with np.errstate(all="ignore"):
            bound = max(bound, float(ulp_error(numpy_fn(x), ref).max()))
    assert ours.max() <= bound, (
        f"{name} {dtype}: {ours.max():.3f} ULP at x = {x[worst]!r} (got {got[worst]!r}, "
        f"exact {ref[worst]!r}); allowed {bound:.3f}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(FUNCS))
def test_special_values_match_numpy(name: str, dtype: str) -> None:
    """Signed zeros, infinities, NaN and (log) negative inputs, whose results are exact."""
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, -1e30], dtype=dtype)
    got = FUNCS[name](T.convert_to_tensor(x)).numpy()
    want = {"exp": [1, 1, np.inf, 0, np.nan, None, 0], "log": [-np.inf, -np.inf, np.inf, np.nan, np.nan, np.nan, np.nan],
            "tanh": [0.0, -0.0, 1, -1, np.nan, None, -1], "sigmoid": [0.5, 0.5, 1, 0, np.nan, None, 0]}[name]
    exact = np.array([w is not None for w in want])
    want = np.array([np.nan if w is None else w for w in want], dtype=dtype)
    np.testing.assert_array_equal(got[exact], want[exact])
    signed = exact & ~np.isnan(want)
    assert np.array_equal(np.signbit(got[signed]), np.signbit(want[signed]))


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("name", list(FUNCS))
@pytest.mark.parametrize("n", [1, 7, 15, 17, 33, 200_003])
def test_contiguous_path_matches_the_strided_path(name: str, dtype: str, rtol: float, n: int) -> None:
    """Contiguous runs take the SIMD kernels (split across threads from 65536 elements on);
    a strided view of the same values takes the scalar loop over the C library's functions."""
    lo, hi = (0.001, 50.0) if name == "log" else (-60.0, 60.0)
    x = np.random.default_rng(n).uniform(lo, hi, 2 * n).astype(dtype)
    x[::7] = 0.0
    x[3::11] = 1e-40  # subnormal in float32
    t = T.convert_to_tensor(x)
    strided = FUNCS[name](t[::2]).numpy()
    contiguous = FUNCS[name](T.convert_to_tensor(np.ascontiguousarray(x[::2]))).numpy()
    np.testing.assert_allclose(contiguous, strided, rtol=rtol, atol=0)


@pytest.mark.parametrize("special", [None, 0.0, 1e-40, -1.0, np.inf, np.nan])
def test_log_blocks_of_normal_numbers_match_the_strided_path(special: float | None) -> None:
    """log_f32 takes a shorter loop for blocks of 512 positive normal numbers; one special
    value sends its block (and only it) through the general loop."""
    x = np.random.default_rng(5).uniform(1e-3, 1e3, 2 * 5003).astype(np.float32)
    if special is not None:
        x[2 * 700] = special  # in the second block of the contiguous copy
    strided = ops.log(T.convert_to_tensor(x)[::2]).numpy()
    contiguous = ops.log(T.convert_to_tensor(np.ascontiguousarray(x[::2]))).numpy()
    np.testing.assert_allclose(contiguous, strided, rtol=1e-5, atol=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0), log(-1)
        want = np.log(x[::2])
    np.testing.assert_allclose(contiguous, want, rtol=1e-6, atol=0)
