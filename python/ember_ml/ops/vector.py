"""Vector and wave-signal helpers (``ember_ml.ops`` vector functions).

Meanings follow the original Ember ML's NumPy backend (``backend/numpy/vector_ops.py``);
where its backends disagreed, the NumPy behaviour is kept and the choice is noted in the
function's docstring. Every function is a composition of front-end ops; integer and bool
inputs compute in float32 and floating inputs keep their dtype.

The wave metrics need the phases of the discrete Fourier transform of real signals. They
take the half spectrum ``k = 0 .. L//2`` from ``ops.rfft`` (Eigen's FFT module). The bins ``k`` and ``L - k`` of a real signal are complex conjugates, so a mean over all L
bins (as the original takes over ``numpy.fft.fft``) is taken over the half spectrum, with
the bins ``0 < k < L/2`` counted a second time with conjugated phases.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember_ml import _core
from ember_ml._checks import as_floating, check_min_int


def normalize_vector(input_vector: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """``x / ||x||_2`` over ``axis``; slices of norm 0 are returned unchanged.

    The original's NumPy backend took ``axis`` (its PyTorch backend normalized the whole
    tensor); that signature is kept. Its NumPy code left the zero-norm entries
    uninitialised despite documenting "the original vector is returned"; here they are
    the input values (zeros).

    Args:
        input_vector: Tensor of any shape.
        axis: Axis or axes of the norm (None: every element).

    Returns:
        Tensor of the input's shape and floating dtype.

    Raises:
        IndexError: ``[sum]`` for an axis out of range.
    """
    x = as_floating(input_vector)
    norm = _core.sqrt(_core.sum(_core.square(x), axis, True))
    return _core.divide(x, _core.where(_core.greater(norm, 0), norm, 1))


def euclidean_distance(vector1: Any, vector2: Any) -> Any:
    """``sqrt(sum((x - y)**2))`` over every element (after broadcasting).

    Args:
        vector1: Tensor.
        vector2: Tensor broadcastable with vector1.

    Returns:
        0-d tensor in the promoted floating dtype.

    Raises:
        ValueError: ``[subtract]`` when the shapes do not broadcast.
    """
    return _core.sqrt(_core.sum(_core.square(_core.subtract(as_floating(vector1), as_floating(vector2)))))


def cosine_similarity(vector1: Any, vector2: Any) -> Any:
    """``sum(x * y) / (||x|| ||y|| + 1e-8)`` over every element, in [-1, 1].

    The ``1e-8`` (from the original, every backend) makes zero vectors give 0, not NaN.

    Args:
        vector1: Tensor.
        vector2: Tensor broadcastable with vector1 (the norms are of the inputs as given).

    Returns:
        0-d tensor in the promoted floating dtype.

    Raises:
        ValueError: ``[multiply]`` when the shapes do not broadcast.
    """
    x, y = as_floating(vector1), as_floating(vector2)
    dot = _core.sum(_core.multiply(x, y))
    norms = _core.multiply(_core.sqrt(_core.sum(_core.square(x))), _core.sqrt(_core.sum(_core.square(y))))
    return _core.divide(dot, _core.add(norms, 1e-8))


def exponential_decay(initial_value: Any, decay_rate: Any, time_step: Any = None) -> Any:
    """``initial * exp(-rate * t)``.

    With ``time_step`` given, ``t = time_step`` (broadcast). Without it, ``t`` is the
    index along axis 0: ``out[i, ...] = initial[i, ...] * exp(-rate * i)``. (The
    original multiplied by the index vector along the *last* axis, which is only the
    same for 1-D input.)

    Args:
        initial_value: Tensor of starting values.
        decay_rate: Rate, scalar or tensor broadcastable with the result.
        time_step: Elapsed time, or None for index-based decay.

    Returns:
        Tensor of the broadcast shape in the promoted floating dtype.

    Raises:
        ValueError: ``[exponential_decay]`` for 0-d ``initial_value`` without
            ``time_step``; ``[multiply]`` when shapes do not broadcast.
    """
    initial = as_floating(initial_value)
    if time_step is None:
        if initial.ndim == 0:
            raise ValueError("[exponential_decay] index-based decay (time_step=None) needs at least 1-D "
                             "initial_value, got a 0-d tensor")
        t = _core.arange(initial.shape[0], dtype=initial.dtype, device=initial.device)
        t = _core.reshape(t, (initial.shape[0],) + (1,) * (initial.ndim - 1))
    else:
        t = time_step
    if _is_number(decay_rate) and _is_number(t):
        # Both Python numbers: a Python factor stays a weak scalar, keeping initial's dtype.
        return _core.multiply(initial, math.exp(-decay_rate * t))
    return _core.multiply(initial, _core.exp(_core.negative(_core.multiply(decay_rate, t))))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compute_energy_stability(input_wave: Any, window_size: int = 100) -> Any:
    """``1 / (1 + var(E) / mean(E))`` of the energies ``E_j`` of consecutive windows.

    ``E_j = sum(wave[j*W:(j+1)*W]**2)`` for the ``len // W`` whole windows along axis 0
    (a trailing partial window is ignored). The result is 1 when there are fewer than two
    windows or every energy is 0. ``var`` is the population variance (``numpy.var``,
    the original's NumPy backend; its PyTorch backend used the unbiased one).

    Args:
        input_wave: Signal of shape ``(length, ...)``; trailing axes are summed into each
            window's energy.
        window_size: Window length W, a positive int.

    Returns:
        0-d tensor in the wave's floating dtype, in (0, 1].

    Raises:
        ValueError: ``[compute_energy_stability]`` for a 0-d wave or a bad window_size.
    """
    name = "compute_energy_stability"
    check_min_int(name, "window_size", window_size)
    wave = as_floating(input_wave)
    if wave.ndim == 0:
        raise ValueError(f"[{name}] input_wave must be at least 1-D, got a 0-d tensor")
    windows = wave.shape[0] // window_size
    if windows <= 1:
        return _core.full((), 1.0, dtype=wave.dtype, device=wave.device)
    frames = wave[: windows * window_size]
    frames = _core.reshape(frames if frames.is_contiguous() else _core.copy(frames),
                           (windows, window_size) + wave.shape[1:])
    energies = _core.sum(_core.square(frames), tuple(range(1, frames.ndim)))
    mean = _core.mean(energies)
    silent = _core.equal(mean, 0)
    ratio = _core.divide(_core.var(energies), _core.where(silent, 1, mean))
    return _core.where(silent, 1, _core.divide(1, _core.add(ratio, 1)))


def _waves(name: str, input_wave1: Any, input_wave2: Any) -> tuple[Any, Any]:
    """Both waves as 1-D floating tensors cut to the shorter length."""
    a, b = as_floating(input_wave1), as_floating(input_wave2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"[{name}] waves must be 1-D, got shapes {a.shape} and {b.shape}")
    length = min(a.shape[0], b.shape[0])
    if length == 0:
        raise ValueError(f"[{name}] waves must be non-empty, got shapes {a.shape} and {b.shape}")
    return a[:length], b[:length]


def _bin_weights(length: int, like: Any) -> Any:
    """How often each half-spectrum bin occurs in the full spectrum: 1 for DC and Nyquist, else 2."""
    k = _core.arange(length // 2 + 1, dtype="int64", device=like.device)
    twice = _core.where(_core.equal(_core.mod(_core.multiply(k, 2), length), 0), 1, 2)
    return _core.cast(twice, like.dtype)


def _unit_phasor(re: Any, im: Any) -> tuple[Any, Any]:
    """``X / |X|`` as (real, imaginary); 1 where ``X = 0`` (numpy.angle(0) is 0)."""
    mag = _core.sqrt(_core.add(_core.square(re), _core.square(im)))
    zero = _core.equal(mag, 0)
    safe = _core.where(zero, 1, mag)
    return _core.where(zero, 1, _core.divide(re, safe)), _core.divide(im, safe)


def _correlation(a: Any, b: Any) -> Any:
    """Pearson correlation of the rows (last axis) of a and b, clipped to [-1, 1] as numpy.corrcoef."""
    ca = _core.subtract(a, _core.mean(a, -1, True))
    cb = _core.subtract(b, _core.mean(b, -1, True))
    cov = _core.sum(_core.multiply(ca, cb), -1)
    scale = _core.sqrt(_core.multiply(_core.sum(_core.square(ca), -1), _core.sum(_core.square(cb), -1)))
    return _core.clip(_core.divide(cov, scale), -1.0, 1.0)


def _half_spectrum(frames: Any) -> tuple[Any, Any]:
    """Real and imaginary parts of ``numpy.fft.rfft`` of each row of ``frames`` (..., L).

    Parts within ``8 eps log2(L + 1) sum|x|`` of 0 (eps of the dtype; above the rounding
    error of an FFT, which grows as ``eps log2 L sum|x|``) are set to +0, so a bin that is 0
    or real in exact arithmetic has the phase ``numpy.angle`` gives an exact 0 or real value
    (0, or +pi when negative), not one decided by rounding noise. Snapping one part moves
    the phase by at most the threshold over the other part, so only bins that are small in
    both parts, whose phase is noise anyway, change visibly.

    Args:
        frames: Floating tensor (..., L), L >= 1.

    Returns:
        (re, im), each (..., L//2 + 1) in the dtype of frames.
    """
    length = frames.shape[-1]
    spectrum = _core.fft.rfft(frames)
    re, im = _core.real(spectrum), _core.imag(spectrum)
    eps = float(np.finfo(str(frames.dtype)).eps)
    tol = _core.multiply(_core.sum(_core.abs(frames), -1, True), 8.0 * eps * math.log2(length + 1))
    return (_core.where(_core.less_equal(_core.abs(re), tol), 0, re),
            _core.where(_core.less_equal(_core.abs(im), tol), 0, im))


def _mirrored(phase: Any) -> Any:
    """Phase of the conjugate bin: ``-phase``, except that +pi (a negative real bin) stays +pi."""
    return _core.where(_core.equal(phase, math.pi), phase, _core.negative(phase))


def _interference(a: Any, b: Any) -> Any:
    """``corr * (1 - mean|phase_a - phase_b| / pi)`` per row (last axis) of a and b."""
    length = a.shape[-1]
    phase_a, phase_b = _core.arctan2(*reversed(_half_spectrum(a))), _core.arctan2(*reversed(_half_spectrum(b)))
    diff = _core.abs(_core.subtract(phase_a, phase_b))
    # Bins L - k (0 < k < L/2) are the conjugates of bins k: count them with mirrored phases.
    mirror = _core.abs(_core.subtract(_mirrored(phase_a), _mirrored(phase_b)))
    conjugates = _core.subtract(_bin_weights(length, a), 1)
    total = _core.add(_core.sum(diff, -1), _core.sum(_core.multiply(mirror, conjugates), -1))
    return _core.multiply(_correlation(a, b), _core.subtract(1, _core.divide(_core.divide(total, length), math.pi)))


def compute_interference_strength(input_wave1: Any, input_wave2: Any) -> Any:
    """Interference strength ``r * (1 - mean_k |phi1[k] - phi2[k]| / pi)``.

    ``r`` is the Pearson correlation of the two waves (``numpy.corrcoef``, clipped to
    [-1, 1]; the original's PyTorch backend added 1e-8 to the denominator, its NumPy
    backend did not: a constant wave gives NaN, as NumPy). ``phi[k] = numpy.angle`` of
    DFT bin k, in (-pi, pi], and the mean runs over all L bins. Near 1: constructive,
    near -1: destructive, near 0: incoherent. A bin that is 0 or real in exact
    arithmetic (the DC bin, the Nyquist bin of an even L, bins that cancel) gets phase 0 or
    +pi (see ``_half_spectrum``); NumPy's FFT leaves rounding noise in some of them, so
    the original's phase there could be +pi or -pi, or any angle for a vanishing bin,
    depending on the FFT's arithmetic.

    Args:
        input_wave1: 1-D signal.
        input_wave2: 1-D signal; both are cut to the shorter length L.

    Returns:
        0-d tensor in the promoted floating dtype.

    Raises:
        ValueError: ``[compute_interference_strength]`` for waves that are not 1-D or empty.
    """
    a, b = _waves("compute_interference_strength", input_wave1, input_wave2)
    return _interference(a, b)


def compute_phase_coherence(input_wave1: Any, input_wave2: Any,
                            freq_range: tuple[float, float] | None = None) -> Any:
    """Phase coherence ``|mean_k exp(i (phi1[k] - phi2[k]))|`` over the DFT bins, in [0, 1].

    ``phi`` as in :func:`compute_interference_strength`. With ``freq_range=(lo, hi)`` only
    bins with ``lo <= |f_k| <= hi`` count, ``f_k = numpy.fft.fftfreq(L)[k]`` in cycles per
    sample (the original's NumPy backend dropped the other bins; its PyTorch backend
    zeroed their phases but kept them in the mean). No bin in range gives NaN, as the
    NumPy mean of nothing. ``exp(i phi)`` is computed as ``X / |X|`` (1 for ``X = 0``,
    whose ``numpy.angle`` is 0), so no angle is needed.

    Args:
        input_wave1: 1-D signal.
        input_wave2: 1-D signal; both are cut to the shorter length L.
        freq_range: Optional ``(lo, hi)`` in cycles per sample (0 to 0.5).

    Returns:
        0-d tensor in the promoted floating dtype.

    Raises:
        ValueError: ``[compute_phase_coherence]`` for waves that are not 1-D or empty, or a
            freq_range that is not a pair.
    """
    name = "compute_phase_coherence"
    a, b = _waves(name, input_wave1, input_wave2)
    length = a.shape[0]
    ua_re, ua_im = _unit_phasor(*_half_spectrum(a))
    ub_re, ub_im = _unit_phasor(*_half_spectrum(b))
    # Conjugate bins pair exp(i d) with exp(-i d): the imaginary parts cancel, leaving cos d.
    cos_d = _core.add(_core.multiply(ua_re, ub_re), _core.multiply(ua_im, ub_im))
    weights = _bin_weights(length, a)
    if freq_range is not None:
        try:
            lo, hi = freq_range
        except (TypeError, ValueError):
            raise ValueError(f"[{name}] freq_range must be a pair (lo, hi), got {freq_range!r}") from None
        freq = _core.divide(_core.arange(length // 2 + 1, dtype="float64", device=a.device), length)
        inside = _core.logical_and(_core.greater_equal(freq, lo), _core.less_equal(freq, hi))
        weights = _core.where(inside, weights, 0.0)
    return _core.divide(_core.abs(_core.sum(_core.multiply(cos_d, weights))), _core.sum(weights))


def partial_interference(input_wave1: Any, input_wave2: Any, window_size: int = 100) -> Any:
    """:func:`compute_interference_strength` of every window ``[i, i + W)``, ``i = 0 .. L - W``.

    Windows slide by one sample (the original's NumPy backend; its PyTorch backend stepped
    by W and ran past the end).

    Args:
        input_wave1: 1-D signal.
        input_wave2: 1-D signal; both are cut to the shorter length L.
        window_size: Window length W, a positive int.

    Returns:
        1-D tensor of ``max(L - W + 1, 0)`` values in the promoted floating dtype.

    Raises:
        ValueError: ``[partial_interference]`` for waves that are not 1-D or empty, or a
            bad window_size.
    """
    name = "partial_interference"
    check_min_int(name, "window_size", window_size)
    a, b = _waves(name, input_wave1, input_wave2)
    windows = max(a.shape[0] - window_size + 1, 0)
    rows = _core.add(_core.expand_dims(_core.arange(windows, device=a.device), 1),
                     _core.arange(window_size, device=a.device))
    return _interference(_core.gather(a, rows, 0), _core.gather(b, rows, 0))


__all__ = ["normalize_vector", "euclidean_distance", "cosine_similarity", "exponential_decay",
           "compute_energy_stability", "compute_interference_strength", "compute_phase_coherence",
           "partial_interference"]
