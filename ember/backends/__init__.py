"""`ember.backends`: the switches PyTorch keeps for its compute backends (`ember.backends.cudnn`,
`ember.backends.mps`).

ember computes with NumPy on the CPU, so there is nothing for these switches to change. They exist, with
the values of PyTorch's CPU build, so that seeding and set-up code written for PyTorch runs unchanged:

    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)

This module also keeps the flag behind `ember.use_deterministic_algorithms` (PyTorch keeps it in its C++
global context); ember's kernels are deterministic either way, so the flag is only recorded.
"""
from . import cudnn, mps

__all__ = ['cudnn', 'mps', 'use_deterministic_algorithms', 'are_deterministic_algorithms_enabled',
           'is_deterministic_algorithms_warn_only_enabled']

_deterministic = {'enabled': False, 'warn_only': False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms only (`mode=True`); ember's always are."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be bool, "
                        f"not {type(mode).__name__}")
    _deterministic['enabled'], _deterministic['warn_only'] = mode, bool(warn_only) and mode


def are_deterministic_algorithms_enabled():
    return _deterministic['enabled']


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic['warn_only']
