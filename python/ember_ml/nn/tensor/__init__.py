"""Tensors, dtypes and tensor creation / manipulation (``ember_ml.nn.tensor``).

Every function returns an :class:`EmberTensor`. Creation functions take ``dtype=None``
and ``device=None``; without a device the tensor goes to the current backend's device.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ember_ml import _core

EmberTensor = _core.EmberTensor
from ember_ml.nn.tensor import _documented  # noqa: E402,F401 - the documented EmberTensor methods
EmberDType = _core.EmberDType
DType = EmberDType

float16 = _core.float16
float32 = _core.float32
float64 = _core.float64
int8 = _core.int8
int16 = _core.int16
int32 = _core.int32
int64 = _core.int64
uint8 = _core.uint8
uint16 = _core.uint16
uint32 = _core.uint32
uint64 = _core.uint64
bool_ = _core.bool_
complex64 = _core.complex64  #: std::complex<float>: float32 real and imaginary parts
complex128 = _core.complex128  #: std::complex<double>: float64 parts

_DTYPES = {
    d.name: d
    for d in (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool_)
}
_DTYPES.update({d.name: d for d in (complex64, complex128)})

# Functions bound straight to the C++ front-end ops.
_TENSOR_OPS_LIST = (
    "zeros", "ones", "eye", "arange", "linspace", "full", "meshgrid", "reshape", "transpose",
    "concatenate", "stack", "split", "expand_dims", "squeeze", "tile", "pad", "vstack", "hstack",
    "broadcast_to", "cast", "copy", "maximum",
    "gather", "scatter", "tensor_scatter_nd_update", "slice_tensor", "slice_update", "index_update", "index",
    "nonzero",
)
# Counter-based Philox-4x32-10 random ops (C++ kernels; stream layout in ember/random.h).
_RANDOM_OPS_LIST = (
    "random_uniform", "random_normal", "random_bernoulli", "random_binomial", "random_gamma",
    "random_exponential", "random_poisson", "random_categorical", "random_permutation", "shuffle",
    "random_shuffle", "set_seed", "get_seed",
)
_globals = globals()
for _name in _TENSOR_OPS_LIST + _RANDOM_OPS_LIST:
    _globals[_name] = getattr(_core, _name)
# Documented argument forms (array-valued parameters, integer uniforms) over the C++ ops.
from ember_ml.nn.tensor._random import random_normal, random_uniform  # noqa: E402
del _globals, _name


def get_dtype(name: Any) -> EmberDType:
    """The :class:`EmberDType` for a name (``'float32'``, ``'bool_'``), NumPy dtype or Python type.

    Raises:
        ValueError: ``name`` is a string that names none of the fourteen dtypes.
        TypeError: ``name`` is neither a string nor a dtype-like object of one of them.
    """
    if isinstance(name, EmberDType):
        return name
    if isinstance(name, str) and name in ("bool", "bool_"):
        return bool_
    for dtype in _DTYPES.values():
        if dtype == name:
            return dtype
    error = ValueError if isinstance(name, str) else TypeError
    raise error(f"[get_dtype] unknown dtype {name!r}; expected one of {sorted(_DTYPES)}")


def to_dtype_str(dtype: Any) -> str:
    """The canonical name of a dtype (``'float32'``, ``'bool'``)."""
    return get_dtype(dtype).name


def from_dtype_str(name: str) -> EmberDType:
    """The :class:`EmberDType` named ``name``; the inverse of :func:`to_dtype_str`.

    Raises:
        ValueError: an unknown name.
    """
    return get_dtype(name)


def convert_to_tensor(data: Any, dtype: Any = None, device: str | None = None,
                      requires_grad: bool = False) -> EmberTensor:
    """Converts ``data`` to an :class:`EmberTensor`.

    Args:
        data: a tensor, Python scalar, nested sequence or NumPy array. Python floats become
            float32, ints int32 and complex numbers complex64; NumPy arrays keep their dtype.
        dtype: optional target dtype.
        device: target device; default: the tensor's own device, else the backend's.
        requires_grad: make the result a new leaf that records gradients (the data is
            still shared; ``data``'s own graph state is left alone).

    Returns:
        EmberTensor: shares memory with ``data`` when it already is a tensor of that dtype and device.

    Raises:
        TypeError: unsupported data or dtype, or ``requires_grad=True`` for a non-floating dtype.
    """
    t = EmberTensor(data, dtype=dtype, device=device)
    return t.detach().requires_grad_(True) if requires_grad else t


array = convert_to_tensor


def zeros_like(x: Any, dtype: Any = None, device: str | None = None) -> EmberTensor:
    """Zeros with the shape of ``x`` and, by default, its dtype and device."""
    return full_like(x, 0, dtype=dtype, device=device)


def ones_like(x: Any, dtype: Any = None, device: str | None = None) -> EmberTensor:
    """Ones with the shape of ``x`` and, by default, its dtype and device."""
    return full_like(x, 1, dtype=dtype, device=device)


def full_like(x: Any, fill_value: Any, dtype: Any = None, device: str | None = None) -> EmberTensor:
    """``fill_value`` everywhere, with the shape of ``x`` and, by default, its dtype and device."""
    t = convert_to_tensor(x)
    return _core.full(t.shape, fill_value, dtype=dtype if dtype is not None else t.dtype,
                      device=device if device is not None else t.device)


def split_tensor(x: Any, num_or_size_splits: int | Sequence[int], axis: int = 0) -> list[EmberTensor]:
    """Same as :func:`split`: an int gives equal parts, a list gives parts of those sizes."""
    return _core.split(x, num_or_size_splits, axis)


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy array of ``x`` (sharing memory for CPU tensors)."""
    return convert_to_tensor(x).numpy()


def item(x: Any) -> int | float | bool | complex:
    """The single element of ``x`` as a Python scalar. ValueError unless ``x`` has one element."""
    return convert_to_tensor(x).item()


def tolist(x: Any) -> Any:
    """``x`` as nested Python lists."""
    return convert_to_tensor(x).tolist()


def shape(x: Any) -> tuple[int, ...]:
    """The shape of ``x`` as a tuple."""
    return convert_to_tensor(x).shape


def dtype(x: Any) -> EmberDType:
    """The dtype of ``x``."""
    return convert_to_tensor(x).dtype


def from_dlpack(x: Any) -> EmberTensor:
    """A tensor holding the data of a DLPack producer (CPU memory, copied into Ember storage)."""
    return convert_to_tensor(np.from_dlpack(x))


__all__ = [
    "EmberTensor", "EmberDType", "DType", "float16", "float32", "float64", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "bool_", "get_dtype", "to_dtype_str",
    "from_dtype_str", "complex64", "complex128", "array", "convert_to_tensor", "zeros_like", "ones_like",
    "full_like", "split_tensor", "to_numpy", "item", "tolist", "shape", "dtype", "from_dlpack",
    *_TENSOR_OPS_LIST, *_RANDOM_OPS_LIST,
]
