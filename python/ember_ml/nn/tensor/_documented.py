"""The documented Ember ML surface of :class:`EmberTensor` and :class:`EmberDType`, added to the C++ classes.

``EmberTensor(data, dtype=None, device=None, requires_grad=False)``, ``.backend``,
``.to_numpy()``, ``.to_backend_tensor()`` and pickling; ``EmberDType.dtype`` (the NumPy
dtype), so that NumPy accepts Ember dtypes (``array.astype(tensor.float32)``). A pickle holds the values as
NumPy ``.npy`` bytes written and read with ``allow_pickle=False``, the device name and the
``requires_grad`` flag, so unpickling a tensor runs no code but this module's rebuild.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from ember_ml import _core

EmberTensor = _core.EmberTensor
EmberDType = _core.EmberDType
_engine_init = EmberTensor.__init__


def _init(self: EmberTensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> None:
    """``EmberTensor(data, dtype=None, device=None, requires_grad=False)``.

    Args:
        data: a tensor, Python scalar, nested sequence or NumPy array.
        dtype: target dtype (default: inferred, Python floats float32).
        device: target device (default: the tensor's own, else the backend's).
        requires_grad: make the tensor a leaf that records gradients (floating dtypes only).

    Raises:
        TypeError: unsupported data or dtype, or ``requires_grad`` with a non-floating dtype.
    """
    _engine_init(self, data, dtype=dtype, device=device)
    if requires_grad:
        self.requires_grad_(True)


def _backend(self: EmberTensor) -> str:
    """The backend of the tensor's device: the active backend's name (e.g. ``'numpy'``) when it owns the device."""
    from ember_ml import backend

    engine = "opencl" if self.device.startswith("opencl") else "cpu"
    active = backend.get_backend()
    return active if backend._ALIASES.get(active) == engine else engine


def _to_numpy(self: EmberTensor) -> np.ndarray:
    """The values as a NumPy array (a copy for device tensors); same as ``numpy()``."""
    return self.numpy()


def _to_backend_tensor(self: EmberTensor) -> EmberTensor:
    """The tensor the backend computes with: the EmberTensor itself (one engine serves every backend)."""
    return self


def _reduce(self: EmberTensor) -> tuple[Any, tuple[Any, ...]]:
    buffer = io.BytesIO()
    np.save(buffer, self.numpy(), allow_pickle=False)
    kind = "Parameter" if type(self).__name__ == "Parameter" else "EmberTensor"
    return rebuild_tensor, (kind, buffer.getvalue(), self.device, bool(self.requires_grad))


def rebuild_tensor(kind: str, payload: bytes, device: str, requires_grad: bool) -> EmberTensor:
    """The tensor a pickle describes (see the module docstring); ``kind`` is ``EmberTensor`` or ``Parameter``.

    Raises:
        ValueError: another ``kind``, or ``payload`` is not an ``.npy`` array of plain values.
    """
    if kind not in ("EmberTensor", "Parameter"):
        raise ValueError(f"[rebuild_tensor] unknown tensor kind {kind!r}")
    values = np.load(io.BytesIO(payload), allow_pickle=False)
    if kind == "Parameter":
        from ember_ml.nn.modules.parameter import Parameter

        param = Parameter(values, requires_grad=requires_grad)
        return param if device == param.device else param.to(device)
    return EmberTensor(values, device=device, requires_grad=requires_grad)


def _numpy_dtype(self: EmberDType) -> np.dtype:
    """The NumPy dtype of the same name (NumPy reads it when given an EmberDType as a dtype)."""
    return np.dtype(self.name)


EmberTensor.__init__ = _init
EmberTensor.backend = property(_backend)
EmberTensor.to_numpy = _to_numpy
EmberTensor.to_backend_tensor = _to_backend_tensor
EmberTensor.__reduce__ = _reduce
EmberDType.dtype = property(_numpy_dtype)
