"""``BatchNormalization``: batch normalization (Ioffe & Szegedy, ICML 2015)."""
from __future__ import annotations

import math
from typing import Any, Sequence

from ember_ml import _core
from ember_ml._checks import check_features, check_min_int
from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, ones, reshape, zeros
from ember_ml.ops import stats
from ember_ml.ops.autodiff import no_grad


class BatchNormalization(Module):
    """Normalizes each feature over the batch: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    The feature axis is ``axis`` (default -1, channels last as Keras); statistics are taken
    over every other axis (axis 0 for ``(batch, features)``, axes 0 and 1 for
    ``(batch, time, features)``). In training mode ``mean`` and ``var`` are the batch's
    (``var`` biased) and the running statistics are updated::

        moving_mean     <- momentum * moving_mean     + (1 - momentum) * mean
        moving_variance <- momentum * moving_variance + (1 - momentum) * var * n / (n - 1)

    with ``n`` values per feature; in eval mode the running statistics normalize.
    Arguments follow Keras (``momentum`` weighs the old value); the running variance is
    the unbiased one of PyTorch (Keras keeps the biased one), so the numbers equal
    ``torch.nn.BatchNorm1d(num_features, eps=epsilon, momentum=1 - momentum)`` (for a
    ``(N, C, L)`` input, use ``axis=1``).

    Args:
        num_features: size of the feature axis, or None to take it from the first input.
        axis: the feature axis (not 0, the batch axis).
        momentum: in [0, 1].
        epsilon: positive number added to the variance.
        center: whether to learn the offset ``beta`` (zeros initially).
        scale: whether to learn the factor ``gamma`` (ones initially).

    Parameters / buffers (float32, shape ``(num_features,)``): ``gamma``, ``beta``;
    ``moving_mean`` (zeros), ``moving_variance`` (ones).

    Input / output: at least 2-D, same shape; integer input computes in float32.

    Raises:
        ValueError: ``[BatchNormalization]`` for bad arguments, an input of fewer than 2
            dimensions or another feature size, or a training batch with one value per feature.
    """

    def __init__(self, num_features: int | None = None, axis: int = -1, momentum: float = 0.99,
                 epsilon: float = 1e-3, center: bool = True, scale: bool = True) -> None:
        super().__init__()
        if isinstance(axis, bool) or not isinstance(axis, int) or axis == 0:
            raise ValueError(f"[BatchNormalization] axis must be an int other than 0 (the batch axis), got {axis!r}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"[BatchNormalization] momentum must be in [0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"[BatchNormalization] epsilon must be positive, got {epsilon!r}")
        self.num_features = check_min_int("BatchNormalization", "num_features", num_features, allow_none=True)
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.built = False
        if num_features is not None:
            self._create(num_features)

    def _create(self, features: int) -> None:
        if self.scale:
            self.gamma = Parameter(ones((features,), dtype="float32"))
        if self.center:
            self.beta = Parameter(zeros((features,), dtype="float32"))
        self.register_buffer("moving_mean", zeros((features,), dtype="float32"))
        self.register_buffer("moving_variance", ones((features,), dtype="float32"))
        self.built = True

    def _check_rank(self, shape: Sequence[int]) -> None:
        if len(shape) < 2 or not -len(shape) <= self.axis < len(shape):
            raise ValueError(f"[BatchNormalization] expected an input of at least 2 dimensions with feature axis "
                             f"{self.axis}, got shape {tuple(shape)}")

    def build(self, input_shape: Sequence[int]) -> None:
        """Creates the parameters and buffers for ``input_shape[axis]`` features.

        Raises:
            ValueError: ``[BatchNormalization]`` for fewer than 2 dimensions or an axis out of range.
        """
        self._check_rank(input_shape)
        self.num_features = int(input_shape[self.axis])
        self._create(self.num_features)

    def forward(self, x: Any, training: bool | None = None) -> EmberTensor:
        """Normalizes ``x`` (at least 2-D, ``num_features`` on ``axis``); same shape.

        Args:
            x: input tensor.
            training: True normalises with the batch statistics and updates the moving ones,
                False uses the moving ones (Keras's ``training`` argument); None follows
                ``module.training``.
        """
        t = convert_to_tensor(x)
        self._check_rank(t.shape)
        t = check_features("BatchNormalization", t, self.num_features, self.axis)
        feature_axis = self.axis % t.ndim
        reduce_axes = tuple(a for a in range(t.ndim) if a != feature_axis)
        stat_shape = tuple(self.num_features if a == feature_axis else 1 for a in range(t.ndim))
        if self.training if training is None else training:
            n = math.prod(t.shape[a] for a in reduce_axes)
            if n < 2:
                raise ValueError(f"[BatchNormalization] training needs more than 1 value per feature, got input "
                                 f"shape {tuple(t.shape)}")
            mean = stats.mean(t, axis=reduce_axes, keepdims=True)
            var = stats.var(t, axis=reduce_axes, keepdims=True)
            with no_grad():
                m = self.momentum
                # The running statistics keep their dtype whatever the input's (float64 input, float32 buffers).
                dtype = self.moving_mean.dtype
                flat_mean = _core.cast(reshape(mean.detach(), (self.num_features,)), dtype)
                flat_var = _core.cast(reshape(var.detach(), (self.num_features,)), dtype)
                self.moving_mean = _core.add(_core.multiply(self.moving_mean, m), _core.multiply(flat_mean, 1 - m))
                unbiased = _core.multiply(flat_var, n / (n - 1))
                self.moving_variance = _core.add(_core.multiply(self.moving_variance, m),
                                                 _core.multiply(unbiased, 1 - m))
        else:
            mean = reshape(self.moving_mean, stat_shape)
            var = reshape(self.moving_variance, stat_shape)
        y = _core.divide(_core.subtract(t, mean), _core.sqrt(_core.add(var, self.epsilon)))
        if self.scale:
            y = _core.multiply(y, reshape(self.gamma, stat_shape))
        if self.center:
            y = _core.add(y, reshape(self.beta, stat_shape))
        return y

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, axis={self.axis}, momentum={self.momentum}, "
                f"epsilon={self.epsilon}")


__all__ = ["BatchNormalization"]
