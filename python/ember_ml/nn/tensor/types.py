"""Type aliases of the documented ``ember_ml.nn.tensor.types`` path.

``TensorLike``: anything the tensor functions convert (an :class:`EmberTensor`, a NumPy
array, a Python scalar or a nested sequence of them). ``DType``: a dtype or its name.
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from ember_ml.nn.tensor import EmberDType, EmberTensor

TensorLike = Union[EmberTensor, np.ndarray, bool, int, float, complex, Sequence]
DType = Union[EmberDType, str, np.dtype, type]

__all__ = ["TensorLike", "DType"]
