"""The ``Optimizer`` base class (parameter groups, state, ``step``/``zero_grad``) and
``clip_grad_norm`` / ``clip_grad_value``.

The layout follows ``torch.optim.Optimizer``: ``param_groups`` is a list of dicts, each
holding ``'params'`` (a list of parameters) and that group's hyper-parameters;
``state`` maps a parameter to a dict of its buffers; ``state_dict()`` names parameters
by their position over all groups, so a state dict saved from one model loads into a
fresh optimizer over a model of the same structure.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Iterable

from ember_ml import _core
from ember_ml.nn.tensor import EmberTensor
from ember_ml.ops.autodiff import no_grad

__all__ = ["Optimizer", "clip_grad_norm", "clip_grad_value"]


def _check_param(p: Any, owner: str) -> EmberTensor:
    if not isinstance(p, EmberTensor):
        raise TypeError(f"[{owner}] parameters must be EmberTensors (or Parameters), got {type(p).__name__}")
    if not p.dtype.is_floating_point:
        raise TypeError(f"[{owner}] can only optimize floating-point tensors, got {p.dtype}")
    if not p.is_leaf:
        raise ValueError(f"[{owner}] can only optimize leaf tensors; got the output of '{p.grad_fn}'")
    return p


class Optimizer:
    """Base class of the optimizers: parameter groups, per-parameter state, ``zero_grad``.

    Subclasses set their defaults, validate hyper-parameters in :meth:`_check_group` and
    update one group in :meth:`_step_group`. Parameters whose ``.grad`` is None are
    skipped by :meth:`step`. Updates write into each parameter's storage (under
    ``no_grad``), so every holder of the parameter sees the new values.

    Args:
        params: an iterable of parameters (floating-point leaf EmberTensors), or of dicts
            ``{'params': [...], **hyper_parameters}`` giving per-group settings; missing
            settings take the optimizer's defaults (as in ``torch.optim``).
        defaults: the optimizer's default hyper-parameters.

    Raises:
        ValueError: an empty parameter list, a parameter in two groups, a non-leaf
            parameter, or a bad hyper-parameter (from the subclass).
        TypeError: a parameter that is not a floating-point EmberTensor, or a group that
            is not a dict.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[int, dict[str, Any]] = {}  # keyed by id(parameter)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, EmberTensor):
            raise TypeError(f"[{type(self).__name__}] params must be an iterable of tensors or dicts, "
                            f"got a single EmberTensor; wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError(f"[{type(self).__name__}] got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raises ValueError for a bad hyper-parameter of ``group`` (subclasses)."""

    def _step_group(self, group: dict[str, Any], params: list[EmberTensor]) -> None:
        """Updates ``params`` (those of ``group`` with a gradient) in place (subclasses)."""
        raise NotImplementedError(f"[{type(self).__name__}] does not implement _step_group")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters with its own hyper-parameters (e.g. a new layer).

        Args:
            param_group: ``{'params': tensor or iterable of tensors, **hyper_parameters}``;
                missing hyper-parameters take the defaults.

        Raises:
            TypeError: param_group is not a dict, or holds a non-tensor parameter.
            ValueError: a parameter already in another group, or a bad hyper-parameter.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"[{name}] a parameter group must be a dict with a 'params' entry, "
                            f"got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, EmberTensor) else list(params)
        group["params"] = [_check_param(p, name) for p in group["params"]]
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in group["params"]}) != len(group["params"]) or seen & {id(p) for p in group["params"]}:
            raise ValueError(f"[{name}] a parameter appears more than once among the parameter groups")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's ``.grad``: sets it to None, or fills it with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    with no_grad():
                        g[...] = 0

    @no_grad()
    def step(self) -> None:
        """Applies one update to every parameter that has a gradient (in place)."""
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._step_group(group, params)

    def _param_state(self, p: EmberTensor) -> dict[str, Any]:
        return self.state.setdefault(id(p), {})

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{'state': {index: {name: value}}, 'param_groups': [...]}``.

        Parameters are named by their index over all groups in order; each group lists
        its hyper-parameters and ``'params'`` as those indices. State tensors are copies,
        so later steps do not change a saved state dict.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            entry = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            entry["params"] = []
            for p in group["params"]:
                index[id(p)] = len(index)
                entry["params"].append(index[id(p)])
            groups.append(entry)
        state = {index[pid]: {k: _core.copy(v) if isinstance(v, EmberTensor) else v for k, v in s.items()}
                 for pid, s in self.state.items() if pid in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores a state from :meth:`state_dict` (state tensors are copied in).

        Raises:
            ValueError: the number of groups or of parameters per group differs, the state
                names a parameter no group lists, or a state tensor's shape differs from
                its parameter's.
        """
        name = type(self).__name__
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"[{name}.load_state_dict] the state has {len(groups)} parameter groups, "
                             f"the optimizer {len(self.param_groups)}")
        params: dict[int, EmberTensor] = {}
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(f"[{name}.load_state_dict] a group of {len(saved['params'])} parameters in the "
                                 f"state does not match the optimizer's group of {len(mine['params'])}")
            params.update(zip(saved["params"], mine["params"]))
        self.state = {}
        for i, s in state_dict["state"].items():
            if i not in params:
                raise ValueError(f"[{name}.load_state_dict] the state names parameter {i}, but the groups list "
                                 f"only {sorted(params)}")
            p = params[i]
            restored = {}
            for k, v in s.items():
                if isinstance(v, EmberTensor):
                    if tuple(v.shape) != tuple(p.shape):
                        raise ValueError(f"[{name}.load_state_dict] state '{k}' of parameter {i} has shape "
                                         f"{tuple(v.shape)}, the parameter {tuple(p.shape)}")
                    v = _core.cast(v, p.dtype)  # a new tensor, so the caller's state dict stays unchanged
                restored[k] = v
            self.state[id(p)] = restored
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} params, {settings}")
        return "\n".join(lines + [")"])


def clip_grad_norm(parameters: Any, max_norm: float, norm_type: float = 2.0) -> EmberTensor:
    """Scales the gradients of ``parameters`` in place so that their joint norm is at most ``max_norm``.

    Semantics of ``torch.nn.utils.clip_grad_norm_``: the total norm is the ``norm_type``
    norm of the vector of all gradient elements (``inf`` for the largest magnitude); when
    it exceeds ``max_norm`` every gradient is multiplied by ``max_norm / (total + 1e-6)``.
    Parameters without a gradient are ignored.

    Args:
        parameters: an EmberTensor or an iterable of them.
        max_norm: the largest allowed norm (>= 0).
        norm_type: p of the p-norm (> 0, or ``math.inf``).

    Returns:
        The total norm before clipping, a 0-d float tensor (float64 if any gradient is
        float64, else float32); 0 when no parameter has a gradient.

    Raises:
        ValueError: negative max_norm or non-positive norm_type.
    """
    if not max_norm >= 0:
        raise ValueError(f"[clip_grad_norm] max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"[clip_grad_norm] norm_type must be > 0 (or inf), got {norm_type}")
    params = [parameters] if isinstance(parameters, EmberTensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    dtype = "float64" if any(g.dtype == "float64" for g in grads) else "float32"
    if not grads:
        return _core.full((), 0.0, dtype=dtype)
    with no_grad():
        flat = _core.concatenate([_core.reshape(_core.cast(g, dtype), (-1,)) for g in grads], 0)
        magnitudes = _core.abs(flat)
        if math.isinf(norm_type):
            total = _core.max(magnitudes, None, False)
        else:
            total = _core.power(_core.sum(_core.power(magnitudes, norm_type), None, False), 1.0 / norm_type)
        scale = _core.minimum(max_norm / (total + 1e-6), 1.0)
        for p, g in zip([p for p in params if p.grad is not None], grads):
            g[...] = g * _core.cast(scale, g.dtype)
    return total


def clip_grad_value(parameters: Any, clip_value: float) -> None:
    """Clamps every gradient of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Semantics of ``torch.nn.utils.clip_grad_value_`` (and of Keras's ``clipvalue``): each
    element is clipped on its own, so the gradient's direction may change (compare
    :func:`clip_grad_norm`, which scales all gradients together). Parameters without a
    gradient are ignored.

    Args:
        parameters: an EmberTensor or an iterable of them.
        clip_value: the largest allowed magnitude (>= 0).

    Raises:
        ValueError: negative (or NaN) clip_value.
    """
    if not clip_value >= 0:
        raise ValueError(f"[clip_grad_value] clip_value must be >= 0, got {clip_value}")
    params = [parameters] if isinstance(parameters, EmberTensor) else list(parameters)
    with no_grad():
        for p in params:
            g = p.grad
            if g is not None:
                g[...] = _core.clip(g, -clip_value, clip_value)
