"""Optimizers ``SGD``, ``Adam``, ``AdamW`` and ``RMSprop`` with ``torch.optim``'s update rules.

Each step of each parameter is one fused C++ op (``_core.sgd_step_``, ``adam_step_``,
``rmsprop_step_``; kernels in ``cpp/src/backend/cpu/optim.cpp``) that follows the
single-tensor code of ``torch.optim`` (PyTorch 2.x) op by op in the parameter's dtype,
so trajectories agree with PyTorch's to rounding given the same gradients. Parameters
and their state are float32 or float64 and updated in place; ``maximize``, ``foreach``,
``capturable`` and ``differentiable`` of torch are not offered.
"""
from __future__ import annotations

from typing import Any, Iterable

from ember_ml import _core
from ember_ml._checks import check_real
from ember_ml.nn.tensor import EmberTensor, zeros_like
from ember_ml.training.optimizer import Optimizer

__all__ = ["SGD", "Adam", "AdamW", "RMSprop"]


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

    The algorithm box of ``torch.optim.SGD`` (PyTorch docs), per parameter p with
    gradient g at step t::

        g <- g + weight_decay * p                                if weight_decay != 0
        b <- g (t = 1),  b <- momentum * b + (1 - dampening) * g (t > 1)   if momentum != 0
        g <- g + momentum * b (nesterov)  or  g <- b
        p <- p - lr * g

    Nesterov momentum follows Sutskever et al., "On the importance of initialization and
    momentum in deep learning" (ICML 2013), in PyTorch's formulation.

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (>= 0).
        momentum: momentum factor (>= 0).
        dampening: dampening of the momentum (>= 0).
        weight_decay: L2 penalty coefficient (>= 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening = 0).

    State per parameter: ``momentum_buffer`` (param's shape and dtype) when momentum != 0.

    Raises:
        ValueError: a negative hyper-parameter, or nesterov without momentum or with dampening.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _check_group(self, group: dict[str, Any]) -> None:
        for key in ("lr", "momentum", "dampening", "weight_decay"):
            check_real("SGD", key, group[key], 0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"[SGD] nesterov momentum needs momentum > 0 and dampening = 0, got momentum="
                             f"{group['momentum']}, dampening={group['dampening']}")

    def _step_group(self, group: dict[str, Any], params: list[EmberTensor]) -> None:
        momentum = group["momentum"]
        for p in params:
            state = self._param_state(p)
            first = "momentum_buffer" not in state
            if momentum != 0 and first:
                state["momentum_buffer"] = zeros_like(p)
            _core.sgd_step_(p, p.grad, state.get("momentum_buffer"), group["lr"], momentum, group["dampening"],
                            group["weight_decay"], group["nesterov"], first)


class Adam(Optimizer):
    """Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), with
    the AMSGrad variant (Reddi et al., "On the Convergence of Adam and Beyond", ICLR 2018).

    The algorithm box of ``torch.optim.Adam`` (PyTorch docs), per parameter at step t::

        g <- g + weight_decay * p            (L2 penalty; AdamW decays p instead)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        v_max <- max(v_max, v)               (amsgrad; v_max replaces v below)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (>= 0).
        betas: (beta1, beta2), each in [0, 1).
        eps: term added to the denominator (>= 0).
        weight_decay: L2 penalty coefficient (>= 0).
        amsgrad: use AMSGrad.

    State per parameter: ``step`` (int), ``exp_avg`` and ``exp_avg_sq`` (and
    ``max_exp_avg_sq`` with amsgrad), each with the parameter's shape and dtype.

    Raises:
        ValueError: a hyper-parameter out of range (negative lr / eps / weight_decay,
            betas outside [0, 1) or not a pair).
    """

    _decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad})

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        for key in ("lr", "eps", "weight_decay"):
            check_real(name, key, group[key], 0.0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"[{name}] betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            check_real(name, f"betas[{i}]", beta, 0.0, 1.0, high_open=True)
        group["betas"] = tuple(betas)

    def _step_group(self, group: dict[str, Any], params: list[EmberTensor]) -> None:
        beta1, beta2 = group["betas"]
        amsgrad = group["amsgrad"]
        for p in params:
            state = self._param_state(p)
            if not state:
                state.update(step=0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_like(p)
            state["step"] += 1
            _core.adam_step_(p, p.grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq"),
                             state["step"], group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                             self._decoupled, amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
    Regularization", ICLR 2019), as ``torch.optim.AdamW``.

    As :class:`Adam`, except that weight decay multiplies the parameter by
    ``1 - lr * weight_decay`` before the Adam update instead of adding
    ``weight_decay * p`` to the gradient (the torch.optim.AdamW algorithm box).

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (>= 0).
        betas: (beta1, beta2), each in [0, 1).
        eps: term added to the denominator (>= 0).
        weight_decay: decoupled decay coefficient (>= 0); default 1e-2 as in torch.
        amsgrad: use AMSGrad.

    Raises:
        ValueError: as :class:`Adam`.
    """

    _decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera "Neural Networks for Machine Learning", lecture 6.5), with
    the centered variant of Graves ("Generating Sequences With Recurrent Neural
    Networks", 2013, eq. 38), as ``torch.optim.RMSprop``.

    The algorithm box of ``torch.optim.RMSprop`` (PyTorch docs), per parameter::

        g <- g + weight_decay * p
        v <- alpha * v + (1 - alpha) * g^2
        v~ <- v - gavg^2 with gavg <- alpha * gavg + (1 - alpha) * g   (centered), else v~ = v
        b <- momentum * b + g / (sqrt(v~) + eps);  p <- p - lr * b     (momentum > 0)
        p <- p - lr * g / (sqrt(v~) + eps)                             (otherwise)

    Args:
        params: parameters or parameter groups (see :class:`Optimizer`).
        lr: learning rate (>= 0).
        alpha: smoothing constant in [0, 1).
        eps: term added to the denominator (>= 0).
        weight_decay: L2 penalty coefficient (>= 0).
        momentum: momentum factor (>= 0).
        centered: normalise by the variance estimate instead of the second moment.

    State per parameter: ``step`` (int), ``square_avg``, and ``grad_avg`` (centered) and
    ``momentum_buffer`` (momentum > 0), each with the parameter's shape and dtype.

    Raises:
        ValueError: a hyper-parameter out of range.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                  "momentum": momentum, "centered": centered})

    def _check_group(self, group: dict[str, Any]) -> None:
        for key in ("lr", "eps", "weight_decay", "momentum"):
            check_real("RMSprop", key, group[key], 0.0)
        check_real("RMSprop", "alpha", group["alpha"], 0.0, 1.0, high_open=True)

    def _step_group(self, group: dict[str, Any], params: list[EmberTensor]) -> None:
        momentum, centered = group["momentum"], group["centered"]
        for p in params:
            state = self._param_state(p)
            if not state:
                state.update(step=0, square_avg=zeros_like(p))
            if centered and "grad_avg" not in state:
                state["grad_avg"] = zeros_like(p)
            if momentum > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = zeros_like(p)
            state["step"] += 1
            _core.rmsprop_step_(p, p.grad, state["square_avg"], state.get("grad_avg"), state.get("momentum_buffer"),
                                group["lr"], group["alpha"], group["eps"], group["weight_decay"], momentum, centered)
