"""``Parameter``: a trainable tensor."""
from __future__ import annotations

from typing import Any

from ember_ml.nn.tensor import EmberTensor, convert_to_tensor
from ember_ml.ops.autodiff import no_grad


class Parameter(EmberTensor):
    """A tensor that a module trains: an :class:`EmberTensor` leaf with ``requires_grad=True``.

    It is usable by every op (``isinstance(p, EmberTensor)`` holds); ``backward()`` fills
    its ``.grad``.

    Args:
        data: initial value (tensor, NumPy array, nested sequence or scalar), any shape;
            converted with ``convert_to_tensor`` (floats become float32).
        requires_grad: whether gradients are taken with respect to it.
        dtype: optional dtype for the conversion.

    Raises:
        TypeError: ``requires_grad=True`` with a non-floating-point dtype.
    """

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(convert_to_tensor(data, dtype=dtype).detach())
        self.requires_grad = requires_grad

    @property
    def data(self) -> EmberTensor:
        """The values, as a tensor outside the graph that shares this parameter's memory.

        Assigning ``p.data = values`` overwrites the values in place (same shape; cast to
        p's dtype), so every holder of ``p`` sees them; it raises ValueError for another
        shape.
        """
        return self.detach()

    @data.setter
    def data(self, values: Any) -> None:
        v = convert_to_tensor(values, device=self.device)
        if tuple(v.shape) != tuple(self.shape):
            raise ValueError(f"[Parameter.data] new values must have the parameter's shape {tuple(self.shape)}, "
                             f"got {tuple(v.shape)}")
        with no_grad():
            self[...] = v

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
