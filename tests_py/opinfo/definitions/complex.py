"""The complex parts: real, imag, conj, angle (complex support of the other ops is their rows' ``complex``)."""
from __future__ import annotations

import numpy as np

from ember_ml import ops

from ..core import ALL_DTYPES, as_array, errstate
from .unary import _unary, same_dtype_unary_ref


def _angle_ref(x):
    x = as_array(x)
    return np.angle(x if x.dtype.kind in "fc" else x.astype(np.float32))


OP_DB = [
    _unary("real", ops.real, same_dtype_unary_ref(np.real), ALL_DTYPES, complex=True),
    _unary("imag", ops.imag, same_dtype_unary_ref(np.imag), ALL_DTYPES, complex=True),
    _unary("conj", ops.conj, same_dtype_unary_ref(np.conj), ALL_DTYPES, complex=True),
    _unary("angle", ops.angle, errstate(_angle_ref), ALL_DTYPES, complex=True),
]
