"""Standard weight initializers: constants, uniform / normal draws, Glorot and orthogonal.

Every initializer is called as ``init(shape, dtype=None, device=None, seed=None)`` and
returns an :class:`EmberTensor` of ``shape`` created directly on ``device`` (default: the
current backend's device) with ``dtype`` (default float32). ``seed=None`` draws from the
global Philox stream (``nn.tensor.set_seed``); an int gives the same values on every call.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from ember_ml.nn import tensor as T
from ember_ml.nn.tensor._shape import shape_tuple
from ember_ml.ops import linearalg


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape, with Keras's conventions.

    ``()`` gives (1, 1); ``(n,)`` gives (n, n); ``(in, out)`` gives (in, out); for three or
    more dimensions (a convolution kernel ``(*receptive_field, in_channels, out_channels)``)
    both fans are multiplied by the receptive-field size ``prod(shape[:-2])``.
    """
    shape = shape_tuple("compute_fans", shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def zeros(shape: Sequence[int], dtype: Any = None, device: str | None = None, seed: int | None = None) -> T.EmberTensor:
    """A tensor of zeros (``seed`` is accepted for the common signature and unused)."""
    return T.zeros(shape, dtype=dtype or "float32", device=device)


def ones(shape: Sequence[int], dtype: Any = None, device: str | None = None, seed: int | None = None) -> T.EmberTensor:
    """A tensor of ones (``seed`` is accepted for the common signature and unused)."""
    return T.ones(shape, dtype=dtype or "float32", device=device)


def random_uniform(shape: Sequence[int], dtype: Any = None, device: str | None = None, seed: int | None = None,
                   minval: float = -0.05, maxval: float = 0.05) -> T.EmberTensor:
    """Uniform draws in ``[minval, maxval)``; the defaults are those of ``keras.initializers.RandomUniform``.

    The initializer; the op ``nn.tensor.random_uniform(shape, minval=0.0, maxval=1.0, ...)`` puts the
    bounds second (docs/names.md).

    Raises:
        ValueError: ``[random_uniform]`` for a negative size or a bad seed.
    """
    return T.random_uniform(shape, minval, maxval, dtype=dtype, device=device, seed=seed)


def random_normal(shape: Sequence[int], dtype: Any = None, device: str | None = None, seed: int | None = None,
                  mean: float = 0.0, stddev: float = 0.05) -> T.EmberTensor:
    """Normal(mean, stddev**2) draws; the defaults are those of ``keras.initializers.RandomNormal``.

    The initializer; the op ``nn.tensor.random_normal(shape, mean=0.0, stddev=1.0, ...)`` puts the
    parameters second (docs/names.md).

    Raises:
        ValueError: ``[random_normal]`` for a negative size or a bad seed.
    """
    return T.random_normal(shape, mean, stddev, dtype=dtype, device=device, seed=seed)


def glorot_uniform(shape: Sequence[int], dtype: Any = None, device: str | None = None,
                   seed: int | None = None) -> T.EmberTensor:
    """Glorot / Xavier uniform: U(-limit, limit) with ``limit = sqrt(6 / (fan_in + fan_out))``.

    Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
    networks", AISTATS 2010, eq. 16; the variance is ``2 / (fan_in + fan_out)``. Fans as
    :func:`compute_fans`.
    """
    fan_in, fan_out = compute_fans(shape)
    limit = math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return T.random_uniform(shape, -limit, limit, dtype=dtype, device=device, seed=seed)


def glorot_normal(shape: Sequence[int], dtype: Any = None, device: str | None = None,
                  seed: int | None = None) -> T.EmberTensor:
    """Glorot / Xavier normal: Normal(0, 2 / (fan_in + fan_out)) (Glorot & Bengio, AISTATS 2010).

    This is ``torch.nn.init.xavier_normal_`` and the original Ember ML; Keras draws from a
    normal truncated at two standard deviations instead. Fans as :func:`compute_fans`.
    """
    fan_in, fan_out = compute_fans(shape)
    stddev = math.sqrt(2.0 / max(fan_in + fan_out, 1))
    return T.random_normal(shape, 0.0, stddev, dtype=dtype, device=device, seed=seed)


def orthogonal(shape: Sequence[int], gain: float = 1.0, dtype: Any = None, device: str | None = None,
               seed: int | None = None) -> T.EmberTensor:
    """A random (semi-)orthogonal matrix times ``gain`` (Saxe et al., ICLR 2014).

    ``ops.linearalg.orthogonal``: the matrix ``(prod(shape[:-1]), shape[-1])`` has
    orthonormal columns when it has at least as many rows as columns, orthonormal rows
    otherwise; it is reshaped to ``shape``.

    Raises:
        ValueError: fewer than 2 dimensions or a negative size.
        TypeError: a non-floating dtype.
    """
    return linearalg.orthogonal(shape, gain, dtype, device, seed)


__all__ = ["compute_fans", "zeros", "ones", "random_uniform", "random_normal", "glorot_uniform", "glorot_normal",
           "orthogonal"]
