"""The complex parts: real, imag, conj, angle (complex support of the other ops is their rows' ``complex``)."""
from __future__ import annotations

import numpy as np

from ember_ml import ops

from ..core import ALL_DTYPES, as_array, errstate
from .unary import same_dtype_unary_ref, unary_row


def _angle_ref(x):
    x = as_array(x)
    return np.angle(x if x.dtype.kind in "fc" else x.astype(np.float32))


OP_DB = [
    unary_row("real", ops.real, same_dtype_unary_ref(np.real), ALL_DTYPES, complex=True),
    unary_row("imag", ops.imag, same_dtype_unary_ref(np.imag), ALL_DTYPES, complex=True),
    unary_row("conj", ops.conj, same_dtype_unary_ref(np.conj), ALL_DTYPES, complex=True),
    unary_row("angle", ops.angle, errstate(_angle_ref), ALL_DTYPES, complex=True),
]
