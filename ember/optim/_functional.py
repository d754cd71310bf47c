"""Small pieces the optimizers share."""
from .. import _dtype as dtypes
from .._creation import tensor, zeros_like


def new_step():
    """The per-parameter step counter: a 0-d float tensor, as PyTorch keeps it."""
    return tensor(0.0, dtype=dtypes.get_default_dtype())


def zeros_state(p):
    return zeros_like(p)


def check_non_negative(name, value, message=None):
    if not 0.0 <= value:
        raise ValueError(message or f"Invalid {name}: {value}")


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
