"""Printing tensors the way PyTorch prints them (placeholder, replaced by the full formatter)."""
import numpy as np


def tensor_repr(t):
    return f"tensor({np.array2string(t._data, precision=4, separator=', ')})"
