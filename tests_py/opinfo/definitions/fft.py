"""The FFT family (ops.fft ... ops.irfftn).

Deviations the references encode: the FFT family computes integer and bool input in single
precision (complex64 / float32 results; NumPy: complex128 / float64).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ember_ml import ops

from ..core import FLOAT_DTYPES, OpInfo, arr, sample_adder
from ..smoke import OPS, M, V

FFT_TOLS = {
    "float16": (5e-3, 5e-3),
    "float32": (2e-5, 2e-4), "complex64": (2e-5, 2e-4),
    "float64": (1e-12, 1e-10), "complex128": (1e-12, 1e-10),
}
FFT_REAL_DTYPES = FLOAT_DTYPES + ("int32", "uint8", "bool")


def _fft_ref(np_fn: Callable) -> Callable:
    """numpy.fft with integer and bool input computed in float32, as Ember does."""
    def ref(x, *args, **kwargs):
        x = np.asarray(x)
        return np.asarray(np_fn(x.astype(np.float32) if x.dtype.kind in "biu" else x, *args, **kwargs))
    return ref


def _add_strided_lines(add, A) -> None:
    """Inputs whose transformed lines are strided: transposed, every other row, reversed."""
    add("transposed", A((6, 5), "T"))
    add("strided axis=0", A((10, 3), "step2"), axis=0)
    add("reversed", A((11,), "rev"))
    add("last-axis strided", A((3, 8), "colstep"))
    add("empty batch", A((0, 8)))


def fft_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = sample_adder(s)
    for n in (1, 2, 3, 7, 8, 12, 13, 16, 30, 97, 128):
        add(f"length {n}", A((n,)))
    add("n crops", A((10,)), n=6)
    add("n zero-pads", A((10,)), n=16)
    add("n zero-pads to a prime", A((5,)), n=11)
    add("n=1 of a longer input", A((5,)), n=1)
    add("axis=0", A((9, 4)), axis=0)
    add("axis=-2", A((4, 6)), axis=-2)
    add("batched 3-D axis=1", A((2, 7, 3)), axis=1)
    _add_strided_lines(add, A)
    add("transposed+reversed 3-D axis=0", A((2, 3, 5), "revT"), axis=0)
    add("empty axis zero-padded", A((3, 0)), n=4)
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((3, 10)), norm=norm)
        add(f"norm={norm}, n zero-pads, axis=0", A((7, 2)), n=9, axis=0, norm=norm)
    add("many lines", A((300, 64)))
    return s


def irfft_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = sample_adder(s)
    for m in (2, 3, 5, 8, 9, 17, 65):
        add(f"{m} terms, default n", A((m,)))
    for n in (1, 2, 7, 13, 16):
        add(f"n={n} from 5 terms", A((5,)), n=n)
    add("n crops the terms", A((10,)), n=6)
    add("n zero-pads the terms", A((3,)), n=12)
    add("axis=0", A((5, 3)), axis=0)
    add("batched 3-D axis=1", A((2, 6, 3)), axis=1)
    _add_strided_lines(add, A)
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((3, 6)), norm=norm)
        add(f"norm={norm}, odd n", A((4, 6)), n=11, norm=norm)
    add("many lines", A((300, 33)))
    return s


def fftn_samples(op, dtype, rng):
    A = lambda shape, layout="contig": arr(shape, dtype, rng, layout)  # noqa: E731
    s = []
    add = sample_adder(s)
    two_d = op.name.endswith("2")
    add("2-D", A((6, 5)))
    add("3-D", A((3, 4, 5)))
    add("prime sizes", A((7, 13)))
    add("s crops and zero-pads", A((6, 5)), s=(4, 9), axes=(0, 1))
    add("s with -1", A((6, 5)), s=(-1, 3), axes=(-2, -1))
    add("axes (0, 2)", A((3, 4, 5)), axes=(0, 2))
    add("axes (-1, 0)", A((3, 4, 5)), axes=(-1, 0))
    add("s and axes", A((3, 4, 5)), s=(5, 3), axes=(1, 2))
    add("transposed", A((5, 7), "T"))
    add("reversed 3-D", A((3, 4, 5), "rev"))
    add("last-axis strided", A((4, 6), "colstep"))
    add("empty batch", A((0, 4, 6)), **({} if two_d else {"axes": (1, 2)}))
    for norm in ("backward", "ortho", "forward", None):
        add(f"norm={norm}", A((4, 6)), norm=norm)
    if not two_d:
        add("1-D", A((7,)))
        add("one axis", A((3, 4)), axes=(0,))
    if "rfft" not in op.name:
        add("repeated axis", A((4, 6)), axes=(1, 1))
    if op.name in ("fftn", "ifftn") and np.dtype(dtype).kind in "fc":
        add("no axes: the input unchanged", A((3, 4)), axes=())
    return s



OP_DB = [
    OpInfo(name, getattr(ops, name), _fft_ref(np_fn), FFT_REAL_DTYPES, samples, tols=FFT_TOLS, complex=cplx,
           module=OPS, smoke=smoke, kernels=("fft",))
    for name, np_fn, cplx, samples, smoke in (
        ("fft", np.fft.fft, True, fft_samples, lambda f: f(V())),
        ("ifft", np.fft.ifft, True, fft_samples, lambda f: f(V())),
        ("rfft", np.fft.rfft, False, fft_samples, lambda f: f(V())),
        ("irfft", np.fft.irfft, True, irfft_samples, lambda f: f(V())),
        ("fft2", np.fft.fft2, True, fftn_samples, lambda f: f(M())),
        ("ifft2", np.fft.ifft2, True, fftn_samples, lambda f: f(M())),
        ("fftn", np.fft.fftn, True, fftn_samples, lambda f: f(M())),
        ("ifftn", np.fft.ifftn, True, fftn_samples, lambda f: f(M())),
        ("rfft2", np.fft.rfft2, False, fftn_samples, lambda f: f(M())),
        ("rfftn", np.fft.rfftn, False, fftn_samples, lambda f: f(M())),
        ("irfft2", np.fft.irfft2, True, fftn_samples, lambda f: f(M())),
        ("irfftn", np.fft.irfftn, True, fftn_samples, lambda f: f(M())),
    )
]
