"""Functional reverse-mode differentiation: ``grad``, ``value_and_grad``, ``stop_gradient``.

The engine is C++ (``cpp/src/autograd``): ops record a graph only while gradients are
taken (grad mode on and an input that requires grad), and every op has one gradient
rule written with ordinary ops, so the same rules run on every backend. The functional
API follows JAX (``jax.grad`` / ``jax.value_and_grad``); ``no_grad`` / ``enable_grad``
follow PyTorch.

Arguments selected by ``argnums`` may be tensors (or anything convertible), or lists,
tuples and dicts of them (for example a model's parameters); gradients come back in the
same structure. Nesting works: ``grad(grad(f))`` differentiates the first gradient:
inside an outer ``grad`` an argument that already requires grad is differentiated in
place and the inner pass records its own graph (create_graph). At the top level, a
``Parameter`` is differentiated in place too, without recording the backward pass.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Callable, Iterator, Sequence

from ember_ml import _core
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, zeros_like

__all__ = ["grad", "value_and_grad", "stop_gradient", "no_grad", "enable_grad", "is_grad_enabled"]

# How many grad / value_and_grad calls are running fn in this thread: only an inner call
# must record its backward pass so the outer one can differentiate it.
_depth = threading.local()


@contextlib.contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    previous = _core.is_grad_enabled()
    _core.set_grad_enabled(enabled)
    try:
        yield
    finally:
        _core.set_grad_enabled(previous)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager (and decorator) in which no op records a gradient graph.

    Use it for inference and for in-place parameter updates. Thread-local, like PyTorch's
    ``torch.no_grad``.
    """
    return _grad_mode(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager that turns graph recording back on (inside ``no_grad``)."""
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    """Whether ops record gradient graphs in this thread."""
    return _core.is_grad_enabled()


def stop_gradient(x: Any) -> EmberTensor:
    """``x`` (same data, no copy) cut out of the gradient graph: its gradient is zero.

    Args:
        x: tensor or anything convertible; any shape and dtype.

    Returns:
        EmberTensor sharing x's memory, with ``requires_grad=False``.
    """
    return convert_to_tensor(x).detach()


def _flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """Leaves of nested lists / tuples / dicts, and a function rebuilding the structure."""
    if isinstance(tree, (list, tuple)):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild_seq(values: list[Any]) -> Any:
            out, pos = [], 0
            for p_leaves, p_rebuild in parts:
                out.append(p_rebuild(values[pos:pos + len(p_leaves)]))
                pos += len(p_leaves)
            return type(tree)(out) if isinstance(tree, tuple) else out
        return leaves, rebuild_seq
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda values: dict(zip(keys, rebuild_values(values)))
    return [tree], lambda values: values[0]


def _as_leaf(x: Any, name: str) -> EmberTensor:
    t = convert_to_tensor(x)
    if not t.dtype.is_floating_point:
        raise TypeError(f"[{name}] can only differentiate with respect to floating-point tensors, got {t.dtype}")
    # A tensor already in a graph is differentiated in place (nested grad); others get a
    # fresh leaf that shares their data, so the caller's tensor is not modified.
    return t if t.requires_grad else t.detach().requires_grad_(True)


def _value_and_grad(fn: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool, name: str,
                    args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"[{name}] argnums {argnums} out of range for {len(args)} positional arguments")
    args = list(args)
    structures = []
    leaves: list[EmberTensor] = []
    depth = getattr(_depth, "value", 0)
    nested = depth > 0
    for i in nums:
        flat, rebuild = _flatten(args[i])
        ts = [_as_leaf(x, name) for x in flat]
        args[i] = rebuild(ts)
        structures.append((rebuild, len(ts)))
        leaves.extend(ts)
    _depth.value = depth + 1
    try:
        with enable_grad():
            out = fn(*args, **kwargs)
    finally:
        _depth.value = depth
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(f"[{name}] has_aux=True needs fn to return a (value, aux) pair, got {type(out).__name__}")
        value, aux = out
    else:
        value, aux = out, None
    if not isinstance(value, EmberTensor) or value.size != 1 or not value.dtype.is_floating_point:
        raise ValueError(f"[{name}] fn must return a one-element floating-point tensor, got "
                         f"{getattr(value, 'shape', type(value).__name__)} {getattr(value, 'dtype', '')}".rstrip())
    if value.requires_grad:
        grads = _core.autograd_grad([value], leaves, retain_graph=nested, create_graph=nested, allow_unused=True)
    else:  # fn did not use its differentiated arguments at all
        grads = [None] * len(leaves)
    grads = [zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]
    results, pos = [], 0
    for rebuild, n in structures:
        results.append(rebuild(grads[pos:pos + n]))
        pos += n
    g_out = results[0] if isinstance(argnums, int) else tuple(results)
    if not nested:
        value = value.detach()
    return ((value, aux) if has_aux else value), g_out


def value_and_grad(fn: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Callable[..., tuple[Any, Any]]:
    """Returns a function computing ``fn``'s value and its gradient (``jax.value_and_grad``).

    Args:
        fn: function of tensors returning a one-element floating-point tensor (the loss),
            or ``(loss, aux)`` when ``has_aux``.
        argnums: index (int) or indices (sequence) of the positional arguments to
            differentiate; each may be a tensor or a list / tuple / dict of tensors.
        has_aux: fn returns ``(loss, aux)``; aux is passed through undifferentiated.

    Returns:
        A function with fn's signature returning ``(value, grads)`` (``((value, aux),
        grads)`` with has_aux). ``grads`` has the structure, shapes and dtypes of the
        selected argument (a tuple of them when argnums is a sequence); arguments fn does
        not use get zeros.

    Raises:
        ValueError: fn's result is not a one-element floating-point tensor, argnums out
            of range, or a malformed aux pair.
        TypeError: a differentiated argument is not floating point.
        NotImplementedError: fn uses an op that has no gradient rule.
    """
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return _value_and_grad(fn, argnums, has_aux, "value_and_grad", args, kwargs)
    return wrapped


def grad(fn: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Returns a function computing the gradient of ``fn`` (``jax.grad``).

    Args:
        fn: function of tensors returning a one-element floating-point tensor.
        argnums: index or indices of the positional arguments to differentiate.

    Returns:
        A function with fn's signature returning the gradient: the structure, shapes and
        dtypes of the selected argument (a tuple when argnums is a sequence).

    Raises:
        As :func:`value_and_grad`.
    """
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _value_and_grad(fn, argnums, False, "grad", args, kwargs)[1]
    return wrapped
