"""The documented ``ember_ml.training.loss`` path: the loss classes of :mod:`ember_ml.training.losses`."""
from ember_ml.training.losses import BCELoss, CrossEntropyLoss, HuberLoss, Loss, MAELoss, MSELoss

__all__ = ["Loss", "MSELoss", "MAELoss", "HuberLoss", "BCELoss", "CrossEntropyLoss"]
