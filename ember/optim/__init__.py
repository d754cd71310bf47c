"""ember.optim: the optimizers (one file per algorithm) over the `Optimizer` base."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam, AdamW
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .asgd import ASGD
from .rprop import Rprop
from .lbfgs import LBFGS
from .sparse_adam import SparseAdam
from . import lr_scheduler
from .adafactor import Adafactor
from .muon import Muon
from . import swa_utils

__all__ = ['Optimizer', 'SGD', 'Adam', 'AdamW', 'Adagrad', 'RMSprop', 'Adadelta', 'Adamax', 'NAdam', 'RAdam',
           'ASGD', 'Rprop', 'LBFGS', 'SparseAdam', 'lr_scheduler', 'Adafactor', 'Muon', 'swa_utils']
