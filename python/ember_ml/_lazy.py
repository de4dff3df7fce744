"""Submodules imported on first attribute access (PEP 562), so that importing a package's
lower layers does not import its upper ones: ``import ember_ml.ops`` leaves
``ember_ml.nn.modules`` unimported, as ``import scipy`` leaves ``scipy.linalg``."""
from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_submodules(package: str, names: tuple[str, ...],
                    eager: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package`` for its submodules ``names``.

    Args:
        package: the package's ``__name__``.
        names: submodule names imported on first access (``package.name``).
        eager: the package's ``globals()``, listed by ``__dir__`` with ``names``.

    Returns:
        ``(__getattr__, __dir__)``; ``__getattr__`` raises AttributeError for other names.
    """
    def __getattr__(name: str) -> Any:
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(eager) | set(names))

    return __getattr__, __dir__
