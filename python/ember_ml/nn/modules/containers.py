"""Containers that register their items: ``ModuleList``, ``ModuleDict``, ``ParameterList``,
``ParameterDict`` and ``Sequential`` (semantics of the ``torch.nn`` classes of the same names).

Items are registered under their index (``"0"``, ``"1"``, ...) or key, so a parameter of
``model.layers[1]`` appears in ``named_parameters()`` as ``"layers.1.weight"``.
:func:`as_container` is what ``Module.__setattr__`` uses to turn plain lists and dicts of
Modules or Parameters into these containers.
"""
from __future__ import annotations

import collections.abc
import sys
from typing import Any, Iterable, Iterator, Mapping

from ember_ml.nn.modules.module import Module
from ember_ml.nn.modules.parameter import Parameter


def as_container(value: Any, where: str) -> Any:
    """``value`` with lists / tuples / dicts of Modules (or Parameters) turned into registering containers.

    Nested lists and dicts are converted too. Values holding no Module or Parameter are
    returned unchanged (ordinary attributes).

    Args:
        value: any attribute value.
        where: ``"Owner.attribute"`` for error messages.

    Raises:
        TypeError: ``[Owner.attribute]`` when a list or dict mixes Modules or Parameters
            with other values, or Modules with Parameters.
    """
    if isinstance(value, dict):
        items = {key: as_container(item, where) for key, item in value.items()}
        values = list(items.values())
    elif isinstance(value, (list, tuple)):
        items = values = [as_container(item, where) for item in value]
    else:
        return value
    kinds = {Module if isinstance(v, Module) else Parameter if isinstance(v, Parameter) else None for v in values}
    if not values or kinds == {None}:
        return value
    if len(kinds) > 1:
        raise TypeError(f"[{where}] a {type(value).__name__} must hold only Modules or only Parameters to be "
                        "registered; found a mix (use separate attributes, or ModuleList / ParameterList)")
    if isinstance(value, dict):
        return (ModuleDict if Module in kinds else ParameterDict)(items)
    return (ModuleList if Module in kinds else ParameterList)(items)


def _coerce_module(self: Module, item: Any) -> Module:
    """An item of ModuleList / ModuleDict: a Module (lists and dicts of Modules become containers)."""
    item = as_container(item, type(self).__name__)
    if not isinstance(item, Module):
        raise TypeError(f"[{type(self).__name__}] items must be Modules, got {type(item).__name__}")
    return item


class _ListBase(Module):
    """Shared list behaviour; items live in the registry ``_kind`` under the keys "0", "1", ..."""

    _kind = ""

    def __init__(self, items: Iterable[Any] | None = None) -> None:
        super().__init__()
        if items is not None:
            self.extend(items)

    def _coerce(self, item: Any) -> Any:
        raise NotImplementedError

    def _items(self) -> list[Any]:
        return list(self.__dict__[self._kind].values())

    def _reset(self, items: list[Any]) -> None:
        registry = self.__dict__[self._kind]
        registry.clear()
        registry.update((str(i), item) for i, item in enumerate(items))

    def _index(self, index: int) -> int:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"[{type(self).__name__}] indices must be integers or slices, got {type(index).__name__}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"[{type(self).__name__}] index {index} is out of range for length {n}")
        return index % n

    def __len__(self) -> int:
        return len(self.__dict__[self._kind])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(self._items()[index])
        return self._items()[self._index(index)]

    def __setitem__(self, index: int, item: Any) -> None:
        items = self._items()
        items[self._index(index)] = self._coerce(item)
        self._reset(items)

    def __delitem__(self, index: int | slice) -> None:
        items = self._items()
        del items[index if isinstance(index, slice) else self._index(index)]
        self._reset(items)

    def append(self, item: Any) -> "_ListBase":
        """Adds ``item`` at the end; returns self."""
        self._reset(self._items() + [self._coerce(item)])
        return self

    def extend(self, items: Iterable[Any]) -> "_ListBase":
        """Adds every item of ``items`` at the end; returns self.

        Raises:
            TypeError: ``[ModuleList]`` (the class's name) when ``items`` is not iterable, or for an item of the
                wrong type.
        """
        if not isinstance(items, collections.abc.Iterable) or isinstance(items, (str, bytes)):
            raise TypeError(f"[{type(self).__name__}] expected an iterable of items, got {type(items).__name__}")
        self._reset(self._items() + [self._coerce(item) for item in items])
        return self

    def insert(self, index: int, item: Any) -> None:
        """Inserts ``item`` before position ``index`` (as ``list.insert``)."""
        items = self._items()
        items.insert(index, self._coerce(item))
        self._reset(items)


class ModuleList(_ListBase):
    """A list of sub-modules, each registered (``append extend insert``, indexing, ``len``, iteration).

    Args:
        modules: optional iterable of Modules (lists of Modules become nested ModuleLists).

    Raises:
        TypeError: ``[ModuleList]`` when an item is not a Module.
        IndexError: ``[ModuleList]`` for an index out of range.
    """

    _kind = "_modules"
    _coerce = _coerce_module

    def get_config(self) -> dict[str, Any]:
        """``{"class_name": type name, "layers": [serialized item, ...]}`` (see :func:`serialize`)."""
        return {"class_name": type(self).__name__, "layers": [serialize(module) for module in self]}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ModuleList":
        """Rebuilds the list from :meth:`get_config` (new parameters)."""
        return cls([deserialize(item) for item in config["layers"]])


class Sequential(ModuleList):
    """Modules applied in order: ``forward(x) = m_n(...m_2(m_1(x)))``.

    ``Sequential(m1, m2)`` and ``Sequential([m1, m2])`` (Keras style) are the same; it is a
    :class:`ModuleList` (indexing, slicing gives a Sequential, ``len``, ``append``), with
    Keras's ``layers`` and ``add``.

    Raises:
        TypeError: ``[Sequential]`` when an item is not a Module.
    """

    def __init__(self, *modules: Any) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        """Passes x through every module in order; the shape and dtype are those of the last module."""
        for module in self:
            x = module(x)
        return x

    @property
    def layers(self) -> list[Module]:
        """The modules in order, as a new list (Keras's ``Sequential.layers``)."""
        return list(self)

    def add(self, module: Module) -> "Sequential":
        """Appends ``module`` (Keras's ``Sequential.add``); returns self.

        Raises:
            TypeError: ``[Sequential]`` when ``module`` is not a Module.
        """
        return self.append(module)


class ParameterList(_ListBase):
    """A list of parameters, each registered; tensors and arrays are wrapped in :class:`Parameter`.

    Raises:
        IndexError: ``[ParameterList]`` for an index out of range.
    """

    _kind = "_parameters"

    def _coerce(self, item: Any) -> Parameter:
        return item if isinstance(item, Parameter) else Parameter(item)


class _DictBase(Module):
    """Shared dict behaviour; items live in the registry ``_kind`` under their (string) keys."""

    _kind = ""

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if items is not None:
            self.update(items)

    def _coerce(self, item: Any) -> Any:
        raise NotImplementedError

    def __setitem__(self, key: str, item: Any) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"[{type(self).__name__}] keys must be non-empty strings without '.', got {key!r}")
        self.__dict__[self._kind][key] = self._coerce(item)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.__dict__[self._kind][key]
        except KeyError:
            raise KeyError(f"[{type(self).__name__}] no key {key!r}; keys: {list(self.keys())}") from None

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(f"[{type(self).__name__}] no key {key!r}; keys: {list(self.keys())}")
        del self.__dict__[self._kind][key]

    def __len__(self) -> int:
        return len(self.__dict__[self._kind])

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.__dict__[self._kind]))

    def __contains__(self, key: object) -> bool:
        return key in self.__dict__[self._kind]

    def keys(self) -> list[str]:
        """The keys, in insertion order."""
        return list(self.__dict__[self._kind])

    def values(self) -> list[Any]:
        """The items, in insertion order."""
        return list(self.__dict__[self._kind].values())

    def items(self) -> list[tuple[str, Any]]:
        """(key, item) pairs, in insertion order."""
        return list(self.__dict__[self._kind].items())

    def update(self, items: Mapping[str, Any]) -> None:
        """Sets every (key, item) of ``items``."""
        for key, item in items.items():
            self[key] = item


class ModuleDict(_DictBase):
    """A dict of sub-modules, each registered under its key (``d["enc"]``, ``keys()``, ``items()``, ``len``).

    Raises:
        KeyError: ``[ModuleDict]`` for a missing key or a key that is not a non-empty string without '.'.
        TypeError: ``[ModuleDict]`` when an item is not a Module.
    """

    _kind = "_modules"
    _coerce = _coerce_module

    def get_config(self) -> dict[str, Any]:
        """``{"modules": {key: serialized item}}`` (see :func:`serialize`)."""
        return {"modules": {key: serialize(module) for key, module in self.items()}}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ModuleDict":
        """Rebuilds the dict from :meth:`get_config` (new parameters)."""
        return cls({key: deserialize(item) for key, item in config["modules"].items()})


class ParameterDict(_DictBase):
    """A dict of parameters, each registered under its key; tensors and arrays are wrapped in Parameter.

    Raises:
        KeyError: ``[ParameterDict]`` for a missing key or a bad key.
    """

    _kind = "_parameters"

    def _coerce(self, item: Any) -> Parameter:
        return item if isinstance(item, Parameter) else Parameter(item)


def serialize(module: Module) -> dict[str, Any]:
    """``{"module": ..., "class_name": ..., "config": module.get_config()}`` for :func:`deserialize`."""
    cls = type(module)
    return {"module": cls.__module__, "class_name": cls.__qualname__, "config": module.get_config()}


def deserialize(spec: Mapping[str, Any]) -> Module:
    """The module described by :func:`serialize`'s dictionary, built with ``from_config``.

    Only classes of already imported Python modules are looked up (nothing is imported
    because a config names it).

    Raises:
        ValueError: ``[deserialize]`` when the class is unknown or not a Module.
    """
    owner = sys.modules.get(spec.get("module", ""))
    cls: Any = owner
    for part in str(spec.get("class_name", "")).split("."):
        cls = getattr(cls, part, None)
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise ValueError(f"[deserialize] {spec.get('module')}.{spec.get('class_name')} is not an imported Module "
                         "class; import its module first")
    return cls.from_config(spec["config"])


__all__ = ["ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Sequential", "as_container", "serialize",
           "deserialize"]
