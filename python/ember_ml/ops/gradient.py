"""``ops.gradient``: finite-difference derivatives of sampled values, as ``numpy.gradient``."""
from __future__ import annotations

from typing import Any

from ember_ml import _core
from ember_ml._checks import as_floating
from ember_ml.ops._axis import normalize_axis


def _take(f: Any, axis: int, start: int | None, stop: int | None) -> Any:
    """The view ``f[..., start:stop, ...]`` along ``axis``."""
    return f[(slice(None),) * axis + (slice(start, stop),)]


def _along(v: Any, axis: int, ndim: int) -> Any:
    """A 1-D tensor reshaped to broadcast along ``axis`` of an ``ndim``-D tensor."""
    return _core.reshape(v, tuple(-1 if i == axis else 1 for i in range(ndim)))


def _combine(coeffs: tuple, parts: tuple) -> Any:
    out = _core.multiply(parts[0], coeffs[0])
    for c, p in zip(coeffs[1:], parts[1:]):
        out = _core.add(out, _core.multiply(p, c))
    return out


def _ratio(num: float, dx: Any) -> Any:
    """num / dx, in Python arithmetic for a Python spacing so it stays a weak scalar (f's dtype)."""
    return num / dx if isinstance(dx, float) else _core.divide(num, dx)


def _uniform(f: Any, axis: int, dx: Any, edge_order: int) -> list:
    """Interior, first and last pieces for a scalar spacing ``dx``."""
    n = f.shape[axis]
    diff = _core.subtract(_take(f, axis, 2, None), _take(f, axis, None, -2))
    interior = _core.divide(diff, 2.0 * dx if isinstance(dx, float) else _core.multiply(dx, 2.0))
    if edge_order == 1:
        first = _core.divide(_core.subtract(_take(f, axis, 1, 2), _take(f, axis, 0, 1)), dx)
        last = _core.divide(_core.subtract(_take(f, axis, n - 1, n), _take(f, axis, n - 2, n - 1)), dx)
    else:
        first = _combine((_ratio(-1.5, dx), _ratio(2.0, dx), _ratio(-0.5, dx)),
                         tuple(_take(f, axis, i, i + 1) for i in range(3)))
        last = _combine((_ratio(0.5, dx), _ratio(-2.0, dx), _ratio(1.5, dx)),
                        tuple(_take(f, axis, n - 3 + i, n - 2 + i) for i in range(3)))
    return [first, interior, last]


def _coordinates(f: Any, axis: int, x: Any, edge_order: int) -> list:
    """Interior, first and last pieces for sample coordinates ``x`` along ``axis`` (second-order
    accurate non-uniform formulas of Fornberg, 1988, as numpy.gradient)."""
    n, nd = f.shape[axis], f.ndim
    dx = _core.subtract(x[1:], x[:-1])
    dx1, dx2 = _along(dx[:-1], axis, nd), _along(dx[1:], axis, nd)
    s = _core.add(dx1, dx2)
    a = _core.negative(_core.divide(dx2, _core.multiply(dx1, s)))
    b = _core.divide(_core.subtract(dx2, dx1), _core.multiply(dx1, dx2))
    c = _core.divide(dx1, _core.multiply(dx2, s))
    interior = _combine((a, b, c), (_take(f, axis, None, -2), _take(f, axis, 1, -1), _take(f, axis, 2, None)))
    if edge_order == 1:
        first = _core.divide(_core.subtract(_take(f, axis, 1, 2), _take(f, axis, 0, 1)), dx[0])
        last = _core.divide(_core.subtract(_take(f, axis, n - 1, n), _take(f, axis, n - 2, n - 1)), dx[-1])
        return [first, interior, last]
    d1, d2 = dx[0], dx[1]
    s = _core.add(d1, d2)
    first = _combine((_core.negative(_core.divide(_core.add(_core.multiply(d1, 2), d2), _core.multiply(d1, s))),
                      _core.divide(s, _core.multiply(d1, d2)),
                      _core.negative(_core.divide(d1, _core.multiply(d2, s)))),
                     tuple(_take(f, axis, i, i + 1) for i in range(3)))
    d1, d2 = dx[-2], dx[-1]
    s = _core.add(d1, d2)
    last = _combine((_core.divide(d2, _core.multiply(d1, s)),
                     _core.negative(_core.divide(s, _core.multiply(d1, d2))),
                     _core.divide(_core.add(_core.multiply(d2, 2), d1), _core.multiply(d2, s))),
                    tuple(_take(f, axis, n - 3 + i, n - 2 + i) for i in range(3)))
    return [first, interior, last]


def _axes(axis: Any, ndim: int) -> list[int]:
    if axis is None:
        return list(range(ndim))
    raw = [axis] if not isinstance(axis, (tuple, list)) else list(axis)
    out = [normalize_axis("gradient", a, ndim) for a in raw]
    if len(set(out)) != len(out):
        raise ValueError(f"[gradient] repeated axis in {axis!r}")
    return out


def _spacings(varargs: tuple, axes: list[int], f: Any) -> list:
    """One spacing per axis: a Python/0-d scalar, or a 1-D coordinate tensor of the axis' length."""
    if len(varargs) == 0:
        return [1.0] * len(axes)
    if len(varargs) == 1 and len(axes) != 1:
        varargs = varargs * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(f"[gradient] expected 0, 1 or {len(axes)} spacing arguments, got {len(varargs)}")
    out = []
    for ax, h in zip(axes, varargs):
        if isinstance(h, (int, float)) and not isinstance(h, bool):
            out.append(float(h))
            continue
        t = as_floating(h if isinstance(h, _core.EmberTensor) else _core.EmberTensor(h, device=f.device))
        if t.ndim == 0:
            out.append(t)
        elif t.ndim != 1:
            raise ValueError(f"[gradient] spacing must be a scalar or 1-D, got shape {t.shape}")
        elif t.shape[0] != f.shape[ax]:
            raise ValueError(f"[gradient] coordinates of length {t.shape[0]} do not match axis {ax} of "
                             f"length {f.shape[ax]}")
        else:
            out.append(t)
    return out


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """Derivative estimates of sampled values along each axis (``numpy.gradient``).

    Interior points use second-order central differences: ``(f[i+1] - f[i-1]) / (2 h)`` for
    a uniform spacing ``h`` and the three-point non-uniform formula for coordinates
    (Fornberg, "Generation of finite difference formulas on arbitrarily spaced grids",
    Math. Comp. 51, 1988, as NumPy). The two boundary points use one-sided differences of
    order ``edge_order``. Deviations from NumPy: integer and bool ``f`` compute in float32
    (NumPy: float64), like Ember's other float-valued functions; a coordinate array is
    never tested for even spacing (NumPy then switches to the scalar formula; the values
    agree to rounding).

    Args:
        f: Tensor of at least ``edge_order + 1`` samples along every differentiated axis.
        *varargs: Spacing: none (1 everywhere), one for every axis, or one per axis; each
            a Python number, a 0-d tensor or a 1-D tensor of coordinates whose length is
            that axis' length.
        axis: None (every axis), an int, or a tuple of ints.
        edge_order: 1 or 2.

    Returns:
        One tensor of f's shape for a single axis, else a tuple of them (one per axis, in
        the order of ``axis``; NumPy 2 returns a tuple too), in f's floating dtype.

    Raises:
        ValueError: ``[gradient]`` for edge_order other than 1 or 2, too few samples, a
            repeated axis or coordinates of the wrong shape.
        TypeError: ``[gradient]`` for a wrong number of spacings or a non-integer axis.
        IndexError: ``[gradient]`` for an axis out of range.
    """
    if isinstance(edge_order, bool) or edge_order not in (1, 2):
        raise ValueError(f"[gradient] edge_order must be 1 or 2, got {edge_order!r}")
    t = as_floating(f)
    axes = _axes(axis, t.ndim)
    spacings = _spacings(varargs, axes, t)
    results = []
    for ax, h in zip(axes, spacings):
        if t.shape[ax] < edge_order + 1:
            raise ValueError(f"[gradient] axis {ax} has {t.shape[ax]} samples; edge_order={edge_order} needs at "
                             f"least {edge_order + 1}")
        if isinstance(h, _core.EmberTensor) and h.ndim == 1:
            pieces = _coordinates(t, ax, h, edge_order)
        else:
            pieces = _uniform(t, ax, h, edge_order)
        # With two samples there is no interior; its slice is empty and concatenates away.
        out = _core.concatenate(pieces, ax)
        # NumPy writes into an array of f's dtype, so wider coordinates only widen the arithmetic.
        results.append(out if out.dtype == t.dtype else _core.cast(out, t.dtype))
    return results[0] if len(results) == 1 else tuple(results)
