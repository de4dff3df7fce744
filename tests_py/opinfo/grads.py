"""Gradient cases of the op rows: a function of float64 tensors and the inputs to check it at."""
from __future__ import annotations

import dataclasses
import zlib
from typing import Any, Callable

import numpy as np


class GradInputs:
    """Float64 input makers with a generator seeded by the case name (each case's inputs are fixed)."""

    def __init__(self, name: str) -> None:
        self.rng = np.random.default_rng(zlib.crc32(f"grad|{name}".encode()))

    def rand(self, *shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
        return self.rng.uniform(low, high, size=shape)

    def distinct(self, *shape: int) -> np.ndarray:
        """Values with no ties and gaps of at least 0.05, so max/min/sort are differentiable there."""
        n = int(np.prod(shape))
        return (self.rng.permutation(n) * 0.1 - n * 0.05 + self.rng.uniform(-0.02, 0.02, n)).reshape(shape)

    def spd(self, n: int) -> np.ndarray:
        a = self.rand(n, n)
        return a @ a.T + n * np.eye(n)


@dataclasses.dataclass(frozen=True)
class GradCase:
    """A function of float64 tensors whose reverse-mode gradient test_autograd.py checks at ``inputs``."""

    name: str
    fn: Callable[..., Any]
    inputs: Callable[[GradInputs], list]

    def arrays(self) -> list[np.ndarray]:
        return self.inputs(GradInputs(self.name))
