"""The documented ``ember_ml.nn.tensor.common.dtypes`` path: the dtype objects and helpers of :mod:`ember_ml.nn.tensor`."""
from ember_ml.nn.tensor import (
    EmberDType, bool_, complex64, complex128, float16, float32, float64, from_dtype_str, get_dtype, int8, int16,
    int32, int64, to_dtype_str, uint8, uint16, uint32, uint64,
)

__all__ = ["EmberDType", "get_dtype", "to_dtype_str", "from_dtype_str", "float16", "float32", "float64", "int8",
           "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool_", "complex64", "complex128"]
