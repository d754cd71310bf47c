"""The layers of `ember.nn`, one family per file."""
from .module import Module
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .activation import ReLU, Sigmoid, Tanh, Softmax, LogSoftmax

__all__ = ['Module', 'Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict', 'Identity',
           'Linear', 'Bilinear', 'Flatten', 'Unflatten', 'ReLU', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax']
