"""Discrete Fourier transform of real rows, composed of real front-end ops (for ``ops.vector``).

``half_spectrum`` returns the bins ``X[k] = sum_n x[n] exp(-2 pi i k n / L)``, ``k = 0 .. L//2``
(what ``numpy.fft.rfft`` returns) as real and imaginary parts. A length that factors as
``L = p q`` uses one Cooley-Tukey step (Cooley & Tukey, Math. Comp. 19, 1965; the "four-step"
arrangement of Bailey, J. Supercomputing 4, 1990): a size-p DFT down the columns of x seen
as a (p, q) matrix, twiddle factors, a size-q DFT along the rows, each DFT a matrix
product, so the cost is O(L (p + q)). A prime length falls back to the direct O(L^2)
matrix product, built in column blocks so memory stays bounded. ``ops.rfft`` can replace
this module once it exists.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember_ml import _core

# Elements of one block of the direct method's cosine / sine basis.
_BASIS_BLOCK = 1 << 21


def _cos_sin(rows: Any, cols: Any, length: int, dtype: Any) -> tuple[Any, Any]:
    """``cos`` and ``-sin`` of ``2 pi (r c mod length) / length`` for int64 index vectors; shape (R, C).

    Reducing ``r c`` modulo the length in integers keeps every angle in [0, 2 pi) exactly
    before float64 rounds it once.
    """
    m = _core.mod(_core.multiply(_core.expand_dims(rows, 1), cols), length)
    angle = _core.multiply(_core.cast(m, "float64"), 2.0 * math.pi / length)
    return _core.cast(_core.cos(angle), dtype), _core.cast(_core.negative(_core.sin(angle)), dtype)


def _index(stop: int, like: Any, start: int = 0) -> Any:
    return _core.arange(start, stop, dtype="int64", device=like.device)


def _direct(frames: Any, bins: int) -> tuple[Any, Any]:
    """Bins ``0 .. bins-1`` by products with the DFT matrix, O(L * bins)."""
    length = frames.shape[-1]
    n = _index(length, frames)
    block = max(1, _BASIS_BLOCK // length)
    parts_re, parts_im = [], []
    for k0 in range(0, bins, block):
        cos_b, sin_b = _cos_sin(n, _index(min(bins, k0 + block), frames, k0), length, frames.dtype)
        parts_re.append(_core.matmul(frames, cos_b))
        parts_im.append(_core.matmul(frames, sin_b))
    if len(parts_re) == 1:
        return parts_re[0], parts_im[0]
    return _core.concatenate(parts_re, -1), _core.concatenate(parts_im, -1)


def _four_step(frames: Any, p: int, q: int) -> tuple[Any, Any]:
    """All L = p q bins: with ``n = q n1 + n2`` and ``k = k1 + p k2``,
    ``X[k] = sum_n2 w_q^(n2 k2) w_L^(n2 k1) sum_n1 w_p^(n1 k1) x[n1, n2]`` (``w_m = exp(-2 pi i / m)``)."""
    lead = frames.shape[:-1]
    x = _core.reshape(frames if frames.is_contiguous() else _core.copy(frames), lead + (p, q))
    jp, jq = _index(p, frames), _index(q, frames)
    cos_p, sin_p = _cos_sin(jp, jp, p, frames.dtype)
    a_re, a_im = _core.matmul(cos_p, x), _core.matmul(sin_p, x)  # [k1, n2]; x is real
    tw_re, tw_im = _cos_sin(jp, jq, p * q, frames.dtype)
    b_re = _core.subtract(_core.multiply(a_re, tw_re), _core.multiply(a_im, tw_im))
    b_im = _core.add(_core.multiply(a_re, tw_im), _core.multiply(a_im, tw_re))
    cos_q, sin_q = _cos_sin(jq, jq, q, frames.dtype)
    c_re = _core.subtract(_core.matmul(b_re, cos_q), _core.matmul(b_im, sin_q))  # [k1, k2]
    c_im = _core.add(_core.matmul(b_re, sin_q), _core.matmul(b_im, cos_q))
    swap = tuple(range(len(lead))) + (len(lead) + 1, len(lead))  # to [k2, k1], i.e. k in order

    def in_order(c: Any) -> Any:
        return _core.reshape(_core.copy(_core.transpose(c, swap)), lead + (p * q,))

    return in_order(c_re), in_order(c_im)


def _balanced_factor(length: int) -> int:
    """The largest divisor of length not above its square root (1 for a prime)."""
    for p in range(math.isqrt(length), 1, -1):
        if length % p == 0:
            return p
    return 1


def half_spectrum(frames: Any) -> tuple[Any, Any]:
    """Real and imaginary parts of the DFT bins ``0 .. L//2`` of each row of ``frames`` (..., L).

    Parts within ``8 eps log2(L + 1) sum|x|`` of 0 (eps of the dtype; the rounding error of
    the products measured at most ``7 eps sum|x|`` for lengths up to 1024) are set to +0, so
    a bin that is 0 or real in exact arithmetic has the phase ``numpy.angle`` gives an
    exact 0 or real value (0, or +pi when negative), not one decided by rounding noise.
    Snapping one part moves the phase by at most the threshold over the other part, so
    only bins that are small in both parts, whose phase is noise anyway, change visibly.

    Args:
        frames: Floating tensor (..., L), L >= 1.

    Returns:
        (re, im), each (..., L//2 + 1) in the dtype of frames.
    """
    length = frames.shape[-1]
    bins = length // 2 + 1
    p = _balanced_factor(length)
    if p == 1:
        re, im = _direct(frames, bins)
    else:
        re, im = _four_step(frames, p, length // p)
        re, im = re[..., :bins], im[..., :bins]
    eps = float(np.finfo(str(frames.dtype)).eps)
    tol = _core.multiply(_core.sum(_core.abs(frames), -1, True), 8.0 * eps * math.log2(length + 1))
    return (_core.where(_core.less_equal(_core.abs(re), tol), 0, re),
            _core.where(_core.less_equal(_core.abs(im), tol), 0, im))
