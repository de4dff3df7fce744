"""The documented ``ember_ml.nn.tensor.common`` path: :class:`EmberTensor` and the dtypes (the same objects)."""
from ember_ml.nn.tensor.common.dtypes import EmberDType, from_dtype_str, get_dtype, to_dtype_str
from ember_ml.nn.tensor.common.ember_tensor import EmberTensor

__all__ = ["EmberTensor", "EmberDType", "get_dtype", "to_dtype_str", "from_dtype_str"]
