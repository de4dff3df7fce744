"""``save`` / ``load``: tensors and (nested) dicts of tensors in NumPy ``.npz`` files, without pickle.

Layout: one ``.npy`` member per tensor (``a0``, ``a1``, ...) holding its exact values,
dtype and shape, and a member ``__ember_ml__`` holding a JSON description of the object:
``{"format": "ember_ml", "version": 1, "root": node}`` with ``node`` either
``{"tensor": "a0"}`` or ``{"dict": [[key, node], ...]}`` (keys in insertion order).
Files are read with ``allow_pickle=False``, so loading never runs code. Writes are atomic:
the data goes to a temporary file ``.<name>.<pid>.<random>.tmp`` in the target's directory,
is fsynced, then ``os.replace``-d over the target, so a crash leaves the old file or the new
one. A failed save removes its temporary file; a writer killed outright cannot, so each save
also removes the temporary files of ``<name>`` whose writing process no longer exists.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any, Mapping

import numpy as np

from ember_ml.nn.tensor import EmberTensor, convert_to_tensor

_HEADER = "__ember_ml__"
_VERSION = 1
# What a damaged zip / .npy member raises inside NumPy and zipfile.
_READ_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, TypeError)


def _flatten(obj: Any, arrays: dict[str, np.ndarray], path: str) -> dict[str, Any]:
    if isinstance(obj, (EmberTensor, np.ndarray)):
        name = f"a{len(arrays)}"
        arrays[name] = np.asarray(obj.numpy() if isinstance(obj, EmberTensor) else obj)
        return {"tensor": name}
    if isinstance(obj, Mapping):
        entries = []
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"[save] dict keys must be strings, got {key!r} ({type(key).__name__}) at {path!r}")
            entries.append([key, _flatten(value, arrays, f"{path}/{key}" if path else key)])
        return {"dict": entries}
    raise TypeError(f"[save] can save an EmberTensor, a NumPy array or a (nested) dict of them; got "
                    f"{type(obj).__name__} at {path or '(root)'!r}")


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}."


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_stale_temps(directory: str, path: str) -> None:
    """Removes the temporary files of ``path`` left by writers that were killed mid-save."""
    prefix = _temp_prefix(path)
    for name in os.listdir(directory):
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        parts = name[len(prefix):-len(".tmp")].split(".")
        # Exactly "<pid>.<random>": names of other files that share the prefix have more parts.
        if len(parts) != 2 or not parts[0].isdigit():
            continue
        pid = int(parts[0])
        if pid == os.getpid() or _process_exists(pid):  # maybe a save still under way
            continue
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:  # another save removed it first
            pass


def save(filepath: str | os.PathLike, obj: Any) -> None:
    """Writes a tensor or a (nested) dict of tensors to ``filepath`` as a NumPy ``.npz`` archive.

    Values, dtypes (all 12 real dtypes and the complex ones) and shapes round-trip exactly
    through :func:`load`. The path is used as given (no ``.npz`` is appended).

    Args:
        filepath: destination path; its directory must exist.
        obj: an EmberTensor (or Parameter, or NumPy array), or a dict with string keys whose
            values are tensors or such dicts.

    Raises:
        TypeError: ``[save]`` for another object type or a non-string key.
        FileNotFoundError: ``[save]`` when the directory does not exist.
    """
    path = os.fspath(filepath)
    arrays: dict[str, np.ndarray] = {}
    root = _flatten(obj, arrays, "")
    header = json.dumps({"format": "ember_ml", "version": _VERSION, "root": root})
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"[save] directory {directory!r} of {path!r} does not exist")
    _remove_stale_temps(directory, path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{_temp_prefix(path)}{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_HEADER: np.array(header)}, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _rebuild(node: Any, npz: Any, path: str, where: str) -> Any:
    if isinstance(node, dict) and set(node) == {"tensor"} and isinstance(node["tensor"], str):
        try:
            array = npz[node["tensor"]]
        except _READ_ERRORS as err:
            raise ValueError(f"[load] {where}: the data of key {path or '(root)'!r} is missing or corrupt "
                             f"({type(err).__name__}: {err})") from None
        return convert_to_tensor(array)
    if isinstance(node, dict) and set(node) == {"dict"} and isinstance(node["dict"], list):
        result = {}
        for entry in node["dict"]:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
                raise ValueError(f"[load] {where}: malformed entry under {path or '(root)'!r}")
            key = entry[0]
            result[key] = _rebuild(entry[1], npz, f"{path}/{key}" if path else key, where)
        return result
    raise ValueError(f"[load] {where}: malformed description under {path or '(root)'!r}")


def load(filepath: str | os.PathLike) -> Any:
    """Reads a file written by :func:`save`; returns an EmberTensor or a (nested) dict of them.

    Tensors are created on the default device with the saved dtype and shape; dicts keep
    the saved key order. Nested keys in messages are joined with ``/``.

    Args:
        filepath: path of the file.

    Raises:
        FileNotFoundError: ``[load]`` when the file does not exist.
        ValueError: ``[load]`` naming the file (and the key, when one is damaged) for a
            truncated, corrupt or foreign file.
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"[load] no such file: {path!r}")
    where = f"{path!r}"
    try:
        npz = np.load(path, allow_pickle=False)
    except _READ_ERRORS as err:
        raise ValueError(f"[load] {where} is not a readable Ember ML file (truncated or corrupt?): "
                         f"{type(err).__name__}: {err}") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"[load] {where} is a bare .npy array, not an Ember ML file written by ops.save")
    with npz:
        try:
            header = json.loads(str(npz[_HEADER][()]))
        except _READ_ERRORS as err:
            raise ValueError(f"[load] {where} has no readable Ember ML header (not written by ops.save, or "
                             f"corrupt): {type(err).__name__}: {err}") from None
        if not isinstance(header, dict) or header.get("format") != "ember_ml" or header.get("version") != _VERSION:
            raise ValueError(f"[load] {where} has an unknown header {header!r}")
        return _rebuild(header.get("root"), npz, "", where)


__all__ = ["save", "load"]
