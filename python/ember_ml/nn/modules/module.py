"""The ``Module`` base class: sub-module registration, training mode and calls.

Assigning a ``Module`` to an attribute both registers it as a child *and* sets the
attribute (the original Ember ML registered it but left a stale ``None`` attribute). The
hierarchy follows ``torch.nn.Module``: ``children()`` are the directly assigned modules in
assignment order, ``named_modules()`` walks the tree depth-first, and ``train()`` /
``eval()`` set the ``training`` flag of every module in it.
"""
from __future__ import annotations

from typing import Any, Iterator


class Module:
    """Base class of Ember ML layers; subclasses implement :meth:`forward`.

    Attributes:
        training: True in training mode (the default), False after :meth:`eval`.

    Raises:
        AttributeError: assigning a sub-module before ``Module.__init__`` has run.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(f"[{type(self).__name__}] cannot assign sub-module '{name}' before "
                                     "Module.__init__() is called")
            modules[name] = value
        elif modules is not None:
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.get("_modules", {}).pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; every subclass overrides it.

        Raises:
            NotImplementedError: ``[Name.forward]`` when a subclass does not override it.
        """
        raise NotImplementedError(f"[{type(self).__name__}.forward] subclasses of Module must implement forward")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def train(self, mode: bool = True) -> "Module":
        """Sets ``training = mode`` on this module and every sub-module; returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """``train(False)``: inference mode for this module and every sub-module; returns self."""
        return self.train(False)

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """(attribute name, module) of the direct sub-modules, in assignment order."""
        yield from self._modules.items()

    def children(self) -> Iterator["Module"]:
        """The direct sub-modules, in assignment order."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """(dotted path, module) for this module (path ``prefix``) and every descendant, depth-first.

        A module reachable along several paths is listed once, under the first.
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            children = [(f"{path}.{name}" if path else name, child) for name, child in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        """This module and every descendant, depth-first, each once."""
        for _, module in self.named_modules():
            yield module

    def extra_repr(self) -> str:
        """Arguments shown inside the parentheses of ``repr``; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


BaseModule = Module
