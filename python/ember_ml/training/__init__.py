"""Training: gradient tapes, optimizers, learning-rate schedulers, gradient clipping, loss classes and metrics."""
from ember_ml.training.tape import GradientTape

from ember_ml.training.optimizer import Optimizer, clip_grad_norm, clip_grad_value
from ember_ml.training.optimizers import SGD, Adam, AdamW, RMSprop
from ember_ml.training.schedulers import (CosineAnnealingLR, ExponentialDecay, ExponentialLR, LambdaLR, LRScheduler,
                                          ReduceLROnPlateau, StepLR)

from ember_ml.training.losses import BCELoss, CrossEntropyLoss, HuberLoss, Loss, MAELoss, MSELoss

from ember_ml.training.metrics import classification_metrics, confusion_matrix, regression_metrics
from ember_ml.training.binary_metrics import (
    average_precision_score, binary_classification_metrics, precision_recall_curve, roc_auc,
)

__all__ = [
    "GradientTape",
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "clip_grad_norm", "clip_grad_value",
    "LRScheduler", "LambdaLR", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau", "ExponentialDecay",
    "Loss", "MSELoss", "MAELoss", "HuberLoss", "BCELoss", "CrossEntropyLoss",
    "classification_metrics", "regression_metrics", "confusion_matrix",
    "binary_classification_metrics", "roc_auc", "precision_recall_curve", "average_precision_score",
]
