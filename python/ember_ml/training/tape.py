"""``GradientTape``: TensorFlow's tape API on Ember's reverse-mode engine."""
from __future__ import annotations

from types import TracebackType
from typing import Any

from ember_ml import _core
from ember_ml.nn.tensor import EmberTensor, convert_to_tensor, ones_like, zeros_like
from ember_ml.ops.autodiff import _flatten


class GradientTape:
    """Records the ops run inside its ``with`` block so gradients can be taken afterwards.

    Mirrors ``tf.GradientTape``: tensors that require grad (``Parameter`` objects) are
    watched automatically, others with :meth:`watch`. Unlike TensorFlow, recording is the
    engine's ordinary graph recording, so ``backward()`` and ``ops.grad`` see the same graph.

    Args:
        persistent: allow several :meth:`gradient` calls (the graph is kept until the tape
            is dropped); otherwise a second call raises RuntimeError.

    Example:
        >>> with GradientTape() as tape:
        ...     loss = ops.stats.sum(w * x)
        >>> dw, = tape.gradient(loss, [w])
    """

    def __init__(self, persistent: bool = False) -> None:
        self.persistent = persistent
        self._used = False
        self._previous_mode: bool | None = None

    def __enter__(self) -> "GradientTape":
        self._previous_mode = _core.is_grad_enabled()
        _core.set_grad_enabled(True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        _core.set_grad_enabled(bool(self._previous_mode))

    def watch(self, tensor: Any) -> None:
        """Makes a leaf tensor (or a nested list / tuple / dict of them) require grad.

        Raises:
            TypeError: a non-floating-point tensor or something that is not an EmberTensor.
        """
        for t in _flatten(tensor)[0]:
            if not isinstance(t, EmberTensor):
                raise TypeError(f"[GradientTape.watch] expected EmberTensors, got {type(t).__name__}")
            if not t.requires_grad:
                t.requires_grad = True

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """Gradient of ``target`` (summed over its elements) with respect to ``sources``.

        Args:
            target: EmberTensor computed inside the tape, any shape (non-scalar targets are
                summed, as TensorFlow does, unless output_gradients is given).
            sources: a tensor or a nested list / tuple / dict of tensors.
            output_gradients: d(loss)/d(target) with target's shape, or None.
            unconnected_gradients: 'none' (None for sources target does not depend on) or
                'zero' (zeros of the source's shape).

        Returns:
            Gradients in the structure of ``sources``, each with its source's shape and dtype.

        Raises:
            RuntimeError: second call on a non-persistent tape.
            ValueError: bad unconnected_gradients.
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"[GradientTape.gradient] unconnected_gradients must be 'none' or 'zero', "
                             f"got {unconnected_gradients!r}")
        if self._used and not self.persistent:
            raise RuntimeError("[GradientTape.gradient] a non-persistent GradientTape can compute gradients only "
                               "once; create it with persistent=True")
        self._used = True
        flat, rebuild = _flatten(sources)
        if output_gradients is None:
            output_gradients = ones_like(target)
        else:
            output_gradients = convert_to_tensor(output_gradients)
        # Sources that were never watched are unconnected, as in TensorFlow.
        watched = [i for i, s in enumerate(flat) if isinstance(s, EmberTensor) and s.requires_grad]
        grads: list[Any] = [None] * len(flat)
        if target.requires_grad and watched:
            found = _core.autograd_grad([target], [flat[i] for i in watched], [output_gradients],
                                        retain_graph=self.persistent, allow_unused=True)
            for i, g in zip(watched, found):
                grads[i] = g
        if unconnected_gradients == "zero":
            grads = [zeros_like(s) if g is None else g for g, s in zip(grads, flat)]
        return rebuild(grads)
