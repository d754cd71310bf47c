"""`nn.init`: fill a tensor in place with the values a weight should start from.

Every function writes outside autograd (a parameter that requires grad can be initialised) and
returns the tensor. Random ones draw from `generator` (default: the global generator) with
`Tensor.uniform_`/`normal_`, or, when they work on whole arrays, with the same `ember._sampling`
functions, so after `manual_seed` they consume the stream as PyTorch's do.
"""
import math
import warnings

import numpy as np

from .. import _sampling, random as _random
from ..autograd.grad_mode import no_grad

__all__ = ['calculate_gain', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_',
           'dirac_', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_', 'orthogonal_',
           'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform', 'xavier_normal',
           'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse']

_LINEAR_FNS = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
               'conv_transpose3d')


# ---- writing values -----------------------------------------------------------------------------
def _draw(sampler, generator, shape, dtype, a, b):
    """`sampler(generator, shape, dtype, a, b)` from `generator` or the global one."""
    return sampler(generator if generator is not None else _random.default_generator, shape, dtype, a, b)


def _assign(tensor, values):
    """Write `values` (an array or number, broadcast to the tensor) into its memory, outside autograd."""
    with no_grad():
        tensor._write(np.asarray(values, dtype=tensor._data.dtype))
    return tensor


def _no_grad_uniform_(tensor, a, b, generator=None):
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def _no_grad_normal_(tensor, mean, std, generator=None):
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


# ---- gains and fans ------------------------------------------------------------------------------
def calculate_gain(nonlinearity, param=None):
    """The recommended scale of the weights before `nonlinearity` (`'relu'`: sqrt(2),
    `'leaky_relu'` with slope `param`: sqrt(2 / (1 + slope^2)), `'tanh'`: 5/3, `'selu'`: 3/4, ...)."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == 'sigmoid':
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4  # found empirically by PyTorch (pull 50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel): in (out) times the kernel size."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = math.prod(tensor.shape[2:])
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ['fan_in', 'fan_out']
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


# ---- the initialisers --------------------------------------------------------------------------
def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples from U(a, b)."""
    return _no_grad_uniform_(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples from N(mean, std^2)."""
    return _no_grad_normal_(tensor, mean, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with samples from N(mean, std^2) restricted to [a, b], by rejection sampling as
    PyTorch 2.13 does: redraw out-of-range values from the normal when [a, b] holds much of the
    mass (p > 0.3), otherwise propose uniformly on [a, b] and accept with the normal's density."""
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    shape, dtype = tensor.shape, tensor._data.dtype
    if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
        low, high = dtype.type(a), dtype.type(b)
        result = _draw(_sampling.normal, generator, shape, dtype, mean, std)
        rejected = (result < low) | (result > high)
        while rejected.any():
            result = np.where(rejected, _draw(_sampling.normal, generator, shape, dtype, mean, std), result)
            rejected = (result < low) | (result > high)
        return _assign(tensor, result)

    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_acceptance_gap(x):  # log density relative to its peak on [a, b]
        return (((x - mean) / std) ** 2 * -0.5 - log_peak).astype(dtype)

    result = _draw(_sampling.uniform, generator, shape, dtype, a, b)
    pending = np.log(_draw(_sampling.uniform, generator, shape, dtype, 0.0, 1.0)) > log_acceptance_gap(result)
    while pending.any():
        candidates = _draw(_sampling.uniform, generator, shape, dtype, a, b)
        result = np.where(pending, candidates, result)
        accept_draw = np.log(_draw(_sampling.uniform, generator, shape, dtype, 0.0, 1.0))
        pending = np.where(pending, accept_draw > log_acceptance_gap(candidates), pending)
    return _assign(tensor, result)


def constant_(tensor, val):
    """Fill with the value `val`."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fill with zeros."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _assign(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a 3/4/5-D conv weight with the Dirac delta: the convolution keeps the identity of as many
    input channels as possible (per group)."""
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_group = sizes[0] // groups
    channels = np.arange(min(out_chans_per_group, sizes[1]))
    out_channels = (np.arange(groups)[:, None] * out_chans_per_group + channels).ravel()
    in_channels = np.tile(channels, groups)
    centre = tuple(s // 2 for s in sizes[2:])
    values = np.zeros(sizes, dtype=tensor._data.dtype)
    values[(out_channels, in_channels) + centre] = 1
    return _assign(tensor, values)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # a uniform on [-bound, bound] has this std
    return _no_grad_uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _no_grad_normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """He uniform: U(-bound, bound), bound = gain * sqrt(3 / fan) (nn.Linear uses a=sqrt(5))."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return _no_grad_uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """He normal: N(0, std^2), std = gain / sqrt(fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    return _no_grad_normal_(tensor, 0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix (the tensor seen as rows x rest) times `gain`: the Q of the QR
    decomposition of a normal sample, with signs fixed by R's diagonal so Q is uniformly distributed."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = _draw(_sampling.normal, generator, (rows, cols), tensor._data.dtype, 0.0, 1.0)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diagonal(r))
    if rows < cols:
        q = q.T
    return _assign(tensor, (q * gain).reshape(tensor.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """A 2-D N(0, std^2) sample with a fraction `sparsity` of each column set to zero."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    values = _draw(_sampling.normal, generator, (rows, cols), tensor._data.dtype, 0.0, std)
    # one permutation per column from the global generator, in column order, as PyTorch draws them
    zero_rows = np.stack([_sampling.permutation(_random.default_generator, rows)[:num_zeros]
                          for _ in range(cols)], axis=1) if cols else np.zeros((num_zeros, 0), dtype=np.int64)
    values[zero_rows, np.arange(cols)] = 0
    return _assign(tensor, values)


def _make_deprecate(method):
    new_name = method.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return method(*args, **kwargs)
    deprecated_init.__doc__ = f"Deprecated: use `nn.init.{new_name}`."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
