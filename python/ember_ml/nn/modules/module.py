"""The ``Module`` base class: parameter, buffer and sub-module registration, training mode and calls.

Assigning a ``Parameter`` or a ``Module`` to an attribute both registers it *and* sets the
attribute (the original Ember ML registered it but left a stale ``None`` attribute). The
hierarchy follows ``torch.nn.Module``: ``children()`` are the directly assigned modules in
assignment order, ``named_modules()`` walks the tree depth-first, ``named_parameters()``
and ``named_buffers()`` give dotted paths, and ``train()`` / ``eval()`` set the
``training`` flag of every module in it.

A non-empty list, tuple or dict whose items are all Modules (or all Parameters) assigned to
an attribute is converted to a :class:`ModuleList` / :class:`ModuleDict` (or
:class:`ParameterList` / :class:`ParameterDict`) and registered, nested lists included; the
attribute then holds that container (a tuple becomes a mutable list). Mixing Modules or
Parameters with other values in one list raises TypeError rather than silently leaving
some unregistered.

State: :meth:`state_dict` maps dotted names to parameters and buffers;
:meth:`load_state_dict` checks every key, shape and dtype before it changes anything;
:meth:`save_weights` / :meth:`load_weights` store the state dict in a ``.npz`` file through
``ember_ml.ops.save`` / ``load``. Layers whose input size is unknown until the first call
set ``built = False``; ``__call__`` then runs :meth:`build` with the first input's shape.
"""
from __future__ import annotations

import collections
import inspect
import os
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

from ember_ml.nn.modules.parameter import Parameter
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, copy, zeros_like
from ember_ml.ops.device import get_available_devices, is_available
from ember_ml.ops.persistence import load, save


class IncompatibleKeys(NamedTuple):
    """The result of :meth:`Module.load_state_dict`: keys the module has and the state lacks, and the reverse."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of Ember ML layers; subclasses implement :meth:`forward`.

    Attributes:
        training: True in training mode (the default), False after :meth:`eval`.
        built: False for a lazy layer until :meth:`build` has created its parameters.

    Raises:
        AttributeError: assigning a sub-module before ``Module.__init__`` has run.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "built", True)

    def _registry(self, name: str, kind: str) -> dict[str, Any]:
        registry = self.__dict__.get(f"_{kind}")
        if registry is None:
            what = {"parameters": "parameter", "buffers": "buffer", "modules": "sub-module"}[kind]
            raise AttributeError(f"[{type(self).__name__}] cannot assign {what} '{name}' before "
                                 "Module.__init__() is called")
        return registry

    def __setattr__(self, name: str, value: Any) -> None:
        # An attribute lives in at most one registry; a buffer stays a buffer when reassigned a tensor.
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, (list, tuple, dict)):
            from ember_ml.nn.modules.containers import as_container  # containers subclass Module

            value = as_container(value, f"{type(self).__name__}.{name}")
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
        if kwargs.get("return_state") and "return_state" not in inspect.signature(self.forward).parameters:
            self._reject_return_state()
        if not self.built:
            if not args:
                raise ValueError(f"[{type(self).__name__}] a layer that is not built needs an input to build from")
            self.build(tuple(convert_to_tensor(args[0]).shape))
        return self.forward(*args, **kwargs)

    def _reject_return_state(self) -> None:
        name = type(self).__name__
        if "return_state" in self.__dict__:  # a Keras-style layer: the option belongs to the constructor
            raise ValueError(f"[{name}] return_state is set when the layer is built: {name}(..., return_state=True)")
        raise ValueError(f"[{name}] return_state=True needs a module with a state (a recurrent layer or cell); "
                         f"{name} has none")

    def build(self, input_shape: Sequence[int]) -> None:
        """Creates the parameters that depend on the input shape, then sets ``built = True``.

        ``__call__`` runs it once, with the shape of the first input, when ``built`` is False.
        Lazy layers override it (creating their parameters, then calling ``super().build``).

        Args:
            input_shape: the shape of the first positional input, batch axis included.
        """
        object.__setattr__(self, "built", True)

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

    def _state_entries(self) -> Iterator[tuple[str, "Module", str, EmberTensor]]:
        """(dotted key, owning module, attribute name, tensor) for every parameter, then every buffer, each once."""
        seen: set[int] = set()
        for kind in ("parameters", "buffers"):
            for path, module in self.named_modules():
                for name, value in module.__dict__[f"_{kind}"].items():
                    if value is None or id(value) in seen:
                        continue
                    seen.add(id(value))
                    yield (f"{path}.{name}" if path else name), module, name, value

    def _require_built(self, where: str) -> None:
        for path, module in self.named_modules():
            if not module.built:
                raise ValueError(f"[{type(self).__name__}.{where}] sub-module '{path or '(self)'}' "
                                 f"({type(module).__name__}) is not built; call the model on an input or "
                                 "build(input_shape) first")

    def state_dict(self, prefix: str = "") -> "collections.OrderedDict[str, EmberTensor]":
        """Ordered ``{dotted name: tensor}`` of every parameter, then every buffer (as ``torch.nn.Module``).

        The tensors are detached and share memory with the module (as in PyTorch): copy
        them (``nn.tensor.copy``) to keep a snapshot while training continues. A parameter
        reachable along several paths appears once, under the first.

        Args:
            prefix: prepended to every key (e.g. ``"encoder."``).

        Raises:
            ValueError: ``[Name.state_dict]`` when a lazy sub-module is not built yet.
        """
        self._require_built("state_dict")
        return collections.OrderedDict(
            (prefix + key, value.detach() if isinstance(value, Parameter) else value)
            for key, _, _, value in self._state_entries())

    def _check_state(self, state: Any, strict: bool, where: str,
                     source: str = "") -> tuple[dict[str, EmberTensor], IncompatibleKeys]:
        """Validates a whole state dict against this module; raises before anything is changed."""
        if not isinstance(state, Mapping):
            raise TypeError(f"[{where}] expected a mapping of names to tensors, got {type(state).__name__}")
        problems: list[str] = []
        values: dict[str, EmberTensor] = {}
        missing: list[str] = []
        expected: set[str] = set()
        for key, module, _, current in self._state_entries():
            expected.add(key)
            owner = type(module).__name__
            if key not in state:
                missing.append(key)
                if strict:
                    problems.append(f"'{key}' ({owner}): missing, expected shape {tuple(current.shape)} "
                                    f"dtype {current.dtype}")
                continue
            try:
                value = convert_to_tensor(state[key])
            except (TypeError, ValueError) as err:
                problems.append(f"'{key}' ({owner}): cannot convert {type(state[key]).__name__} to a tensor: {err}")
                continue
            if tuple(value.shape) != tuple(current.shape) or value.dtype != current.dtype:
                problems.append(f"'{key}' ({owner}): expected shape {tuple(current.shape)} dtype {current.dtype}, "
                                f"received shape {tuple(value.shape)} dtype {value.dtype}")
            values[key] = value
        unexpected = [key for key in state if key not in expected]
        if strict:
            problems += [f"'{key}': unexpected key" for key in unexpected]
        if problems:
            raise ValueError(f"[{where}] {source}{len(problems)} problem(s), nothing was loaded: "
                             + "; ".join(problems))
        return values, IncompatibleKeys(missing, unexpected)

    def _replace(self, kind: str, name: str, value: EmberTensor) -> None:
        # Containers keep items only in their registries (names "0", "1", ...), not as attributes.
        self.__dict__[kind][name] = value
        if name in self.__dict__:
            object.__setattr__(self, name, value)

    def _assign_state(self, values: Mapping[str, EmberTensor]) -> None:
        for key, module, name, current in self._state_entries():
            if key not in values:
                continue
            if isinstance(current, Parameter):
                current.data = values[key]  # in place: optimizers and other holders keep seeing it
            else:  # a copy, so the caller's tensor is not aliased
                module._replace("_buffers", name, copy(values[key].detach().to(current.device)))

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copies ``state`` (as from :meth:`state_dict`) into the parameters and buffers.

        Everything is validated first; on any problem nothing changes. Parameters are
        overwritten in place (same objects); buffers get copies of the given values.

        Args:
            state: ``{dotted name: tensor or array}``.
            strict: when True, missing and unexpected keys are errors; when False they are
                returned. Shape and dtype mismatches are errors either way.

        Returns:
            IncompatibleKeys(missing_keys, unexpected_keys).

        Raises:
            ValueError: ``[Name.load_state_dict]`` naming every offending key, its module,
                the expected and the received shape and dtype; or a lazy sub-module not built.
            TypeError: ``[Name.load_state_dict]`` when state is not a mapping.
        """
        where = f"{type(self).__name__}.load_state_dict"
        self._require_built("load_state_dict")
        values, result = self._check_state(state, strict, where)
        self._assign_state(values)
        return result

    def save_weights(self, filepath: str | os.PathLike) -> None:
        """Writes :meth:`state_dict` to ``filepath`` with ``ember_ml.ops.save`` (NumPy ``.npz``, atomic).

        Raises:
            ValueError: ``[Name.state_dict]`` when a lazy sub-module is not built.
            FileNotFoundError: ``[save]`` when the directory does not exist.
        """
        save(filepath, self.state_dict())

    def load_weights(self, filepath: str | os.PathLike, strict: bool = True) -> IncompatibleKeys:
        """Loads a file written by :meth:`save_weights` through :meth:`load_state_dict`'s checks.

        The module is unchanged when the file is unreadable or does not match.

        Raises:
            FileNotFoundError: ``[load]`` when the file does not exist.
            ValueError: ``[load]`` for a truncated or corrupt file; ``[Name.load_weights]``
                naming the file and each offending key for wrong names, shapes or dtypes.
        """
        where = f"{type(self).__name__}.load_weights"
        self._require_built("load_weights")
        state = load(filepath)
        if not isinstance(state, dict) or not all(isinstance(v, EmberTensor) for v in state.values()):
            raise ValueError(f"[{where}] '{os.fspath(filepath)}' does not hold a flat dict of tensors")
        values, result = self._check_state(state, strict, where, f"'{os.fspath(filepath)}': ")
        self._assign_state(values)
        return result

    def to(self, device: str) -> "Module":
        """Moves every parameter and buffer to ``device``; returns self.

        Tensors already on ``device`` stay the same objects. A parameter that moves becomes
        a new :class:`Parameter` (same name, values and ``requires_grad``, no ``grad``) on
        ``device``: create optimizers after moving the model (the advice PyTorch gives too).

        Raises:
            ValueError: ``[Name.to]`` when the device is unknown or not available.
        """
        if not isinstance(device, str) or not is_available(device):
            raise ValueError(f"[{type(self).__name__}.to] device {device!r} is not available; "
                             f"available: {get_available_devices()}")
        moved: dict[int, EmberTensor] = {}
        for _, _, _, current in self._state_entries():
            target = current.detach().to(device)
            if target.device != current.device:
                moved[id(current)] = (Parameter(target, requires_grad=current.requires_grad)
                                      if isinstance(current, Parameter) else target)
        # Replace in every registry, so a tensor shared by several modules stays shared.
        for module in self.modules():
            for kind in ("_parameters", "_buffers"):
                for name, value in list(module.__dict__[kind].items()):
                    if id(value) in moved:
                        module._replace(kind, name, moved[id(value)])
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the ``grad`` of every parameter: None (default, as PyTorch) or zeros."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad = zeros_like(param.grad)

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Calls ``fn(module)`` on every sub-module (children first) and then on self; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def count_params(self) -> int:
        """The number of scalar parameters (sum of the parameters' sizes), as Keras's ``count_params``.

        Raises:
            ValueError: ``[Name.count_params]`` when a lazy sub-module is not built.
        """
        self._require_built("count_params")
        return sum(int(p.size) for p in self.parameters())

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so that ``type(m).from_config(m.get_config())`` rebuilds the layer.

        The default reads, for each argument of ``__init__``, the attribute of the same
        name; layers whose attributes differ from their arguments override it.

        Raises:
            NotImplementedError: ``[Name.get_config]`` when an argument has no attribute of
                its name (override ``get_config``).
        """
        config = {}
        for name, arg in inspect.signature(type(self).__init__).parameters.items():
            if name == "self" or arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD):
                continue
            if name not in self.__dict__:
                raise NotImplementedError(f"[{type(self).__name__}.get_config] argument '{name}' is not stored "
                                          "under its own name; override get_config")
            config[name] = self.__dict__[name]
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Module":
        """A new layer from :meth:`get_config`'s dictionary (fresh parameters, not the weights).

        Raises:
            TypeError: ``[Name.from_config]`` when the keys do not match the constructor.
        """
        try:
            return cls(**config)
        except TypeError as err:
            raise TypeError(f"[{cls.__name__}.from_config] {err}") from None

    def extra_repr(self) -> str:
        """Arguments shown inside the parentheses of ``repr``; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


BaseModule = Module
