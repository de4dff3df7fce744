"""The ``Module`` base class: parameter, buffer and sub-module registration, training mode and calls.

Assigning a ``Parameter`` or a ``Module`` to an attribute both registers it *and* sets the
attribute (the original Ember ML registered it but left a stale ``None`` attribute). The
hierarchy follows ``torch.nn.Module``: ``children()`` are the directly assigned modules in
assignment order, ``named_modules()`` walks the tree depth-first, ``named_parameters()``
and ``named_buffers()`` give dotted paths, and ``train()`` / ``eval()`` set the
``training`` flag of every module in it.
"""
from __future__ import annotations

from typing import Any, Iterator

from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.tensor import EmberTensor


class Module:
    """Base class of Ember ML layers; subclasses implement :meth:`forward`.

    Attributes:
        training: True in training mode (the default), False after :meth:`eval`.

    Raises:
        AttributeError: assigning a sub-module before ``Module.__init__`` has run.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def _registry(self, name: str, kind: str) -> dict[str, Any]:
        registry = self.__dict__.get(f"_{kind}")
        if registry is None:
            raise AttributeError(f"[{type(self).__name__}] cannot assign {kind[:-1]} '{name}' before "
                                 "Module.__init__() is called")
        return registry

    def __setattr__(self, name: str, value: Any) -> None:
        # An attribute lives in at most one registry; a buffer stays a buffer when reassigned a tensor.
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Parameter):
            kind = "parameters"
        elif isinstance(value, Module):
            kind = "modules"
        elif buffers is not None and name in buffers and (value is None or isinstance(value, EmberTensor)):
            kind = "buffers"
        else:
            kind = None
        for other in ("parameters", "buffers", "modules"):
            if other != kind:
                self.__dict__.get(f"_{other}", {}).pop(name, None)
        if kind is not None:
            self._registry(name, kind)[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for kind in ("parameters", "buffers", "modules"):
            self.__dict__.get(f"_{kind}", {}).pop(name, None)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Registers ``param`` under ``name`` and sets the attribute (None: declared, no value yet).

        Raises:
            TypeError: ``[Name.register_parameter]`` when param is neither a Parameter nor None.
        """
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"[{type(self).__name__}.register_parameter] '{name}' must be a Parameter or None, "
                            f"got {type(param).__name__}")
        setattr(self, name, param)
        self._registry(name, "parameters")[name] = param

    def register_buffer(self, name: str, tensor: EmberTensor | None) -> None:
        """Registers a non-trainable tensor (a mask, running statistics) and sets the attribute.

        Buffers are saved in ``state_dict`` and move with ``to(device)``; they get no gradient.

        Raises:
            TypeError: ``[Name.register_buffer]`` when tensor is neither an EmberTensor nor None.
        """
        if tensor is not None and not isinstance(tensor, EmberTensor):
            raise TypeError(f"[{type(self).__name__}.register_buffer] '{name}' must be an EmberTensor or None, "
                            f"got {type(tensor).__name__}")
        for kind in ("parameters", "modules"):
            self.__dict__.get(f"_{kind}", {}).pop(name, None)
        self._registry(name, "buffers")[name] = tensor
        object.__setattr__(self, name, tensor)

    def _named_members(self, kind: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        owners = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for path, module in owners:
            for name, value in module.__dict__[f"_{kind}"].items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{path}.{name}" if path else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted path, parameter) of this module and (with recurse) its descendants, each once."""
        return self._named_members("parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters of :meth:`named_parameters`, in the same order."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, EmberTensor]]:
        """(dotted path, buffer) of this module and (with recurse) its descendants, each once."""
        return self._named_members("buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[EmberTensor]:
        """The buffers of :meth:`named_buffers`, in the same order."""
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

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
