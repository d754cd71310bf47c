"""Small pieces the optimizers share."""
from .. import _dtype as dtypes
from .._creation import full_like, tensor, zeros_like
from .._ops.complex import view_as_real
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


def as_real(value):
    """A complex tensor as its `view_as_real` view (shape (..., 2): real and imaginary parts side by
    side, sharing its memory); anything else as it is."""
    return view_as_real(value) if isinstance(value, Tensor) and value.is_complex() else value


def real_views(p, grad, state):
    """A complex parameter, its gradient and its state tensors as real views (`as_real`). PyTorch's
    optimizers update complex parameters this way, so every formula works per component (a complex
    `g * g` would mix them, where Adam wants the squares of the real and imaginary parts) while the
    state stays complex. The state comes back as a new dict whose other entries (the step counter)
    are the same objects."""
    return as_real(p), as_real(grad), {key: as_real(value) for key, value in state.items()}


def full_state(p, value):
    """A state tensor like `p` filled with `value`; for a complex parameter `value + value j`, since
    its state is updated per real component (see `real_views`), as PyTorch does."""
    return full_like(p, complex(value, value) if p.is_complex() else value)


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
