"""Training: gradient tapes (optimizers and loss classes live here too)."""
from ember_ml.training.tape import GradientTape

__all__ = ["GradientTape"]
