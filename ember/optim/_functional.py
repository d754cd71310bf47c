"""Small pieces the optimizers share."""
from .. import _dtype as dtypes
from .._creation import tensor, zeros_like
from .._tensor import Tensor


def scalar_state(value):
    """A number kept in per-parameter state (the step counter, NAdam's mu product ...): a 0-d
    tensor of the default float dtype, as PyTorch keeps it."""
    return tensor(float(value), dtype=dtypes.get_default_dtype())


def new_step():
    """The per-parameter step counter, starting at 0."""
    return scalar_state(0.0)


def hyperparameter(value):
    """An option the update formulas use as a Python number. PyTorch also accepts a one-element
    tensor (`lr=torch.tensor(0.01)`, which a scheduler then updates in place)."""
    return value.item() if isinstance(value, Tensor) else value


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
