"""``BinomialInitializer``: 0/1 masks, as in the original Ember ML (``uniform < probability``)."""
from __future__ import annotations

from typing import Any, Sequence

from ember_ml.nn import tensor as T


class BinomialInitializer:
    """Initializer of Bernoulli(probability) masks: each element is 1 with ``probability``, else 0.

    Unlike the original, a seed does not reseed the global stream: it selects an
    independent stream, so the same seed gives the same mask on every call.

    Args:
        probability: chance of a 1, in [0, 1].
        seed: optional non-negative int.

    Raises:
        ValueError: ``[BinomialInitializer]`` for a probability outside [0, 1].
    """

    def __init__(self, probability: float = 0.5, seed: int | None = None) -> None:
        if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise ValueError(f"[BinomialInitializer] probability must be a number in [0, 1], got {probability!r}")
        self.probability = float(probability)
        self.seed = seed

    def __call__(self, shape: Sequence[int], dtype: Any = None, device: str | None = None,
                 seed: int | None = None) -> T.EmberTensor:
        """A 0/1 tensor of ``shape`` and ``dtype`` (default float32) on ``device``; ``seed`` overrides self.seed."""
        return T.random_bernoulli(shape, p=self.probability, dtype=dtype or "float32", device=device,
                                  seed=self.seed if seed is None else seed)

    def get_config(self) -> dict[str, Any]:
        """``{"probability": ..., "seed": ...}``: the constructor arguments."""
        return {"probability": self.probability, "seed": self.seed}


def binomial(shape: Sequence[int], probability: float = 0.5, seed: int | None = None, dtype: Any = None,
             device: str | None = None) -> T.EmberTensor:
    """``BinomialInitializer(probability, seed)(shape, dtype, device)``: a 0/1 mask of ``shape``."""
    return BinomialInitializer(probability, seed)(shape, dtype=dtype, device=device)


__all__ = ["BinomialInitializer", "binomial"]
