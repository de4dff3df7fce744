"""Loss classes: ``loss = MSELoss()(y_pred, y_true)``.

Unlike the functional losses of :mod:`ember_ml.ops.losses`, which take
``(y_true, y_pred)``, a ``Loss`` object is called as ``loss(y_pred, y_true)``, the order
of ``torch.nn`` losses (docs/names.md). Each class holds its options and delegates to the functional
loss of the same meaning, reducing over every axis (``'mean'`` / ``'sum'``) or returning
the unreduced loss (``'none'``).
"""
from __future__ import annotations

from typing import Any

from ember_ml.nn.tensor import EmberTensor, convert_to_tensor
from ember_ml.ops import losses as F

__all__ = ["Loss", "MSELoss", "MAELoss", "HuberLoss", "BCELoss", "CrossEntropyLoss"]


class Loss:
    """Base class of the loss objects.

    Args:
        reduction: 'mean' (over every element, or every sample for cross-entropy),
            'sum', or 'none' (the unreduced loss).

    Raises:
        ValueError: an unknown reduction.
    """

    def __init__(self, reduction: str = "mean") -> None:
        F.check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        """The loss of predictions ``y_pred`` against targets ``y_true`` (subclasses)."""
        raise NotImplementedError(f"[{type(self).__name__}] does not implement forward")

    def __call__(self, y_pred: Any, y_true: Any) -> EmberTensor:
        return self.forward(y_pred, y_true)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"


class MSELoss(Loss):
    """Mean squared error ``(y_pred - y_true)^2``, as ``torch.nn.MSELoss``.

    Call: ``loss(y_pred, y_true)`` with equal shapes (any); result 0-d (mean / sum) or
    y_pred's shape (none), in y_pred's floating dtype. ValueError for different shapes.
    """

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        return F.mse(y_true, y_pred, reduction=self.reduction)


class MAELoss(Loss):
    """Mean absolute error ``|y_pred - y_true|``, as ``torch.nn.L1Loss``.

    Call and result as :class:`MSELoss`.
    """

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        return F.mean_absolute_error(y_true, y_pred, reduction=self.reduction)


class HuberLoss(Loss):
    """Huber loss, as ``torch.nn.HuberLoss``: ``0.5 d^2`` for ``|d| < delta``, else
    ``delta (|d| - delta / 2)``, with ``d = y_pred - y_true`` (Huber, "Robust Estimation
    of a Location Parameter", 1964).

    Args:
        delta: threshold between the quadratic and linear parts (> 0).
        reduction: as :class:`Loss`.

    Call and result as :class:`MSELoss`.

    Raises:
        ValueError: delta <= 0 or an unknown reduction.
    """

    def __init__(self, delta: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"[HuberLoss] delta must be > 0, got {delta}")
        self.delta = delta

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        return F.huber_loss(y_true, y_pred, reduction=self.reduction, delta=self.delta)


class BCELoss(Loss):
    """Binary cross-entropy ``-(y log p + (1 - y) log(1 - p))``.

    ``torch.nn.BCELoss`` for probabilities (clipped to [1e-7, 1 - 1e-7] as Keras does), or
    ``torch.nn.BCEWithLogitsLoss`` with ``from_logits=True``.

    Args:
        from_logits: y_pred holds logits (p = sigmoid(y_pred)) instead of probabilities.
        reduction: as :class:`Loss`.

    Call: ``loss(y_pred, y_true)`` with equal shapes, targets in [0, 1]; result as
    :class:`MSELoss`.
    """

    def __init__(self, from_logits: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.from_logits = from_logits

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        return F.binary_crossentropy(y_true, y_pred, reduction=self.reduction, from_logits=self.from_logits)


class CrossEntropyLoss(Loss):
    """Multi-class cross-entropy, as ``torch.nn.CrossEntropyLoss`` with the classes on the
    last axis.

    Targets are either integer class indices of shape ``y_pred.shape[:-1]`` (sparse), or
    one-hot / probability vectors of y_pred's shape.

    Args:
        from_logits: y_pred holds logits (softmax applied inside, the torch behaviour);
            False: y_pred holds probabilities (renormalised over the classes and clipped at 1e-7, as Keras 3).
        reduction: 'mean' over samples, 'sum', or 'none' (shape ``y_pred.shape[:-1]``).

    Call: ``loss(y_pred, y_true)`` with y_pred (..., C) floating; result 0-d or per sample.

    Raises:
        ValueError: mismatched shapes or an unknown reduction.
        TypeError: targets of y_pred's shape minus one axis that are not integers.
        IndexError: a class index outside [0, C).
    """

    def __init__(self, from_logits: bool = True, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.from_logits = from_logits

    def forward(self, y_pred: Any, y_true: Any) -> EmberTensor:
        pred = convert_to_tensor(y_pred)
        true = convert_to_tensor(y_true, device=pred.device)
        sparse = true.ndim == pred.ndim - 1
        fn = F.sparse_categorical_crossentropy if sparse else F.categorical_crossentropy
        return fn(true, pred, reduction=self.reduction, from_logits=self.from_logits)
