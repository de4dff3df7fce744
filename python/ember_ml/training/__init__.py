"""Training: gradient tapes, optimizers, loss classes and metrics."""
from ember_ml.training.tape import GradientTape

from ember_ml.training.optimizer import Optimizer, clip_grad_norm
from ember_ml.training.optimizers import SGD, Adam, AdamW, RMSprop

from ember_ml.training.losses import BCELoss, CrossEntropyLoss, HuberLoss, Loss, MAELoss, MSELoss

from ember_ml.training.metrics import classification_metrics, confusion_matrix, regression_metrics
from ember_ml.training.binary_metrics import (
    average_precision_score, binary_classification_metrics, precision_recall_curve, roc_auc,
)

__all__ = [
    "GradientTape",
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "clip_grad_norm",
    "Loss", "MSELoss", "MAELoss", "HuberLoss", "BCELoss", "CrossEntropyLoss",
    "classification_metrics", "regression_metrics", "confusion_matrix",
    "binary_classification_metrics", "roc_auc", "precision_recall_curve", "average_precision_score",
]
