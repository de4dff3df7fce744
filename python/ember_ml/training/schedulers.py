"""Learning-rate schedulers with ``torch.optim.lr_scheduler``'s names and semantics, and Keras's
``ExponentialDecay``.

A scheduler wraps an :class:`~ember_ml.training.Optimizer` and writes each parameter group's
``"lr"``. As in PyTorch, constructing one records ``initial_lr`` in every group and sets the
learning rate of step 0; each :meth:`LRScheduler.step` then advances one step. Whether a
step is an epoch or a batch is the caller's choice: call ``step()`` once per epoch (after
the epoch's optimizer steps) or once per batch (after ``optimizer.step()``). The formulas
are PyTorch 2.x's (``torch/optim/lr_scheduler.py``), including the recursive ("chainable")
forms, so learning rates agree with torch's to rounding for the same settings.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from ember_ml._checks import check_min_int
from ember_ml.training.optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau",
           "ExponentialDecay"]


def _check_optimizer(owner: str, optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"[{owner}] expected an ember_ml.training Optimizer, got {type(optimizer).__name__}")
    return optimizer


class LRScheduler:
    """Base class: ``last_epoch`` counts the steps taken, :meth:`get_lr` gives each group's lr.

    Args:
        optimizer: the optimizer whose groups' ``"lr"`` is scheduled.
        last_epoch: the index of the last step; -1 (default) starts a new schedule and
            records ``initial_lr`` in each group; otherwise every group must hold ``initial_lr``
            (a resumed schedule, as torch).

    Raises:
        TypeError: optimizer is not an ember_ml Optimizer.
        KeyError: ``last_epoch != -1`` but a group has no ``initial_lr``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = _check_optimizer(type(self).__name__, optimizer)
        for group in optimizer.param_groups:
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"[{type(self).__name__}] param group has no 'initial_lr'; "
                               f"resuming with last_epoch={last_epoch} needs one")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self.step()

    def get_lr(self) -> list[float]:
        """The learning rate of every group at step ``last_epoch`` (subclasses)."""
        raise NotImplementedError(f"[{type(self).__name__}] does not implement get_lr")

    def step(self) -> None:
        """Advances one step (an epoch or a batch) and writes the new learning rates."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last :meth:`step` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (and, for :class:`LambdaLR`, the functions), as torch."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores a :meth:`state_dict` (the optimizer's own state is restored separately)."""
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """``lr = initial_lr * lr_lambda(step)`` (``torch.optim.lr_scheduler.LambdaLR``).

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the step index returning a factor, or one per group.
        last_epoch: see :class:`LRScheduler`.

    Raises:
        ValueError: a list of lambdas whose length differs from the number of groups.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        groups = len(_check_optimizer("LambdaLR", optimizer).param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"[LambdaLR] expected {groups} lr_lambdas (one per group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * fn(self.last_epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class StepLR(LRScheduler):
    """Multiplies the lr by ``gamma`` every ``step_size`` steps (``torch.optim.lr_scheduler.StepLR``).

    Args:
        optimizer: the optimizer.
        step_size: period of the decay (>= 1).
        gamma: multiplicative factor.
        last_epoch: see :class:`LRScheduler`.

    Raises:
        ValueError: step_size < 1.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size, self.gamma = check_min_int("StepLR", "step_size", step_size), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class ExponentialLR(LRScheduler):
    """Multiplies the lr by ``gamma`` every step (``torch.optim.lr_scheduler.ExponentialLR``).

    Args:
        optimizer: the optimizer.
        gamma: multiplicative factor per step.
        last_epoch: see :class:`LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``initial_lr`` to ``eta_min`` over ``T_max`` steps, then back up
    (SGDR without restarts; Loshchilov & Hutter, ICLR 2017), in the recursive form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR``.

    Args:
        optimizer: the optimizer.
        T_max: half period in steps (>= 1).
        eta_min: the minimum learning rate.
        last_epoch: see :class:`LRScheduler`.

    Raises:
        ValueError: T_max < 1.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max, self.eta_min = check_min_int("CosineAnnealingLR", "T_max", T_max), eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        groups = self.optimizer.param_groups
        if e == 0:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and e > 0:
            return [eta_min + (base - eta_min) * (1 + math.cos(e * math.pi / t_max)) / 2 for base in self.base_lrs]
        if (e - 1 - t_max) % (2 * t_max) == 0:
            return [group["lr"] + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * e / t_max)) / (1 + math.cos(math.pi * (e - 1) / t_max))
                * (group["lr"] - eta_min) + eta_min for group in groups]


class ReduceLROnPlateau:
    """Divides the lr when a metric stops improving (``torch.optim.lr_scheduler.ReduceLROnPlateau``).

    After ``patience`` steps without an improvement (better than the best by more than
    ``threshold``, relative or absolute), each group's lr becomes
    ``max(lr * factor, min_lr)`` (unchanged when the change is below ``eps``), then
    ``cooldown`` steps pass before counting again.

    Args:
        optimizer: the optimizer.
        mode: ``"min"`` (lower is better) or ``"max"``.
        factor: multiplicative factor (< 1).
        patience: steps without improvement tolerated.
        threshold: the improvement that counts.
        threshold_mode: ``"rel"`` (best * (1 -/+ threshold)) or ``"abs"`` (best -/+ threshold).
        cooldown: steps to wait after a reduction.
        min_lr: a lower bound, one float or one per group.
        eps: smallest lr change applied.

    ``step(metrics)`` takes the monitored value (a float).

    Raises:
        ValueError: factor >= 1, an unknown mode / threshold_mode, or min_lr of the wrong length.
        TypeError: optimizer is not an ember_ml Optimizer.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | list[float] = 0.0, eps: float = 1e-8) -> None:
        self.optimizer = _check_optimizer("ReduceLROnPlateau", optimizer)
        if factor >= 1.0:
            raise ValueError(f"[ReduceLROnPlateau] factor must be < 1.0, got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"[ReduceLROnPlateau] mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"[ReduceLROnPlateau] threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"[ReduceLROnPlateau] expected {groups} min_lrs (one per group), got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * groups
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _is_better(self, value: float) -> bool:
        if self.mode == "min":
            bound = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return value < bound
        bound = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return value > bound

    def step(self, metrics: float) -> None:
        """Records one value of the monitored metric and reduces the lr on a plateau."""
        value = float(metrics)
        self.last_epoch += 1
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The current learning rates, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores a :meth:`state_dict`."""
        self.__dict__.update(state_dict)


class ExponentialDecay:
    """Keras's ``optimizers.schedules.ExponentialDecay``: a function of the optimizer step.

    ``lr(step) = initial_learning_rate * decay_rate ** (step / decay_steps)``, with the
    exponent floored when ``staircase``. The CfC paper's scripts decay this way per batch with
    ``decay_steps`` = batches per epoch, i.e. by ``decay_rate`` per epoch, smoothly.

    Args:
        initial_learning_rate: the lr at step 0 (> 0).
        decay_steps: steps per decay period (> 0).
        decay_rate: factor per period (> 0).
        staircase: decay in whole periods only.

    ``schedule(step)`` returns the float lr; :meth:`scheduler` drives an optimizer with it (one
    ``step()`` per batch).

    Raises:
        ValueError: a non-positive argument.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False) -> None:
        for name, value in (("initial_learning_rate", initial_learning_rate), ("decay_steps", decay_steps),
                            ("decay_rate", decay_rate)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"[ExponentialDecay] {name} must be a number > 0, got {value!r}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = decay_steps
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step: int) -> float:
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.initial_learning_rate * self.decay_rate ** exponent

    def scheduler(self, optimizer: Optimizer, last_epoch: int = -1) -> LambdaLR:
        """A :class:`LambdaLR` that sets every group's lr to ``self(step)``; sets ``initial_lr`` first.

        Args:
            optimizer: the optimizer; its groups' lr is replaced by this schedule's.
            last_epoch: the last step taken (-1 for a new schedule).
        """
        for group in _check_optimizer("ExponentialDecay", optimizer).param_groups:
            group["lr"] = self.initial_learning_rate
            if last_epoch == -1:
                group["initial_lr"] = self.initial_learning_rate
        return LambdaLR(optimizer, lambda step: self(step) / self.initial_learning_rate, last_epoch)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (Keras's ``get_config``)."""
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase}
