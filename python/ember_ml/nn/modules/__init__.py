"""Neural-network modules of Ember ML: the ``Module`` base, activation functions and modules."""
from ember_ml.nn.modules import activations
from ember_ml.nn.modules.activations import Dropout, LeCunTanh, ReLU, Sigmoid, Softmax, Softplus, Tanh
from ember_ml.nn.modules.module import BaseModule, Module

__all__ = ["activations", "Module", "BaseModule", "ReLU", "Tanh", "Sigmoid", "Softmax", "Softplus", "LeCunTanh",
           "Dropout"]
