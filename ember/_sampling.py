"""How a generator's raw stream becomes samples of each distribution.

Every sampler takes a `Generator`, an output shape and a NumPy dtype, and returns a new array.
"""
import numpy as np


def uniform(generator, shape, dtype, low, high):
    """Uniform samples in [low, high)."""
    return (generator._state.random_sample(shape) * (high - low) + low).astype(dtype)


def normal(generator, shape, dtype, mean, std):
    """Normal samples with the given mean and std."""
    return (generator._state.standard_normal(shape) * std + mean).astype(dtype)


def random_range(generator, shape, dtype, low, high):
    """Integers uniformly from [low, high)."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return generator._state.randint(low, high, size=shape, dtype=np.int64).astype(dtype)


def permutation(generator, n):
    """A random permutation of 0..n-1 as int64."""
    return generator._state.permutation(n).astype(np.int64)
