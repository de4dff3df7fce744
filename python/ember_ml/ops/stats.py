"""Statistical reductions (``ember_ml.ops.stats``).

Reductions take ``axis`` as an int, a sequence of ints or None (every axis) and
``keepdims``; ``sort``/``argsort`` (stable, NaNs last) and ``cumsum`` take one axis.
"""
from __future__ import annotations

from ember_ml import _core

_STATS_OPS_LIST = ("sum", "mean", "var", "std", "max", "min", "prod", "argmax", "argmin",
                   "sort", "argsort", "cumsum", "median", "percentile")

_globals = globals()
for _name in _STATS_OPS_LIST:
    _globals[_name] = getattr(_core, _name)
del _globals, _name

__all__ = list(_STATS_OPS_LIST)
