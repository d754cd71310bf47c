"""Normalization kernels: batch norm, layer norm, group norm; instance norm (batch norm on a reshaped
input) and RMS norm (a composite of elementwise ops) are built as PyTorch builds them.

All three kernels do the same thing on a different grouping of the input's elements: compute a
mean and an inverse standard deviation `invstd = 1 / sqrt(var + eps)` (biased variance) over some
axes, normalise `x_hat = (x - mean) * invstd`, then scale and shift by `weight` and `bias`:

    batch norm   statistics per channel, over the batch and spatial axes    (N, C, *) -> C
    layer norm   statistics per sample, over the last `len(normalized_shape)` axes
    group norm   statistics per (sample, group of channels)                  (N, G, C/G * ...)

so they share one backward (`_NormBackward`), the closed form of the chain rule through the
statistics:

    grad_input = invstd * (g - mean(g) - x_hat * mean(g * x_hat)),   g = grad_output * weight

with the means over the same axes as the statistics (for batch norm, whose weight is constant over
each statistic's elements, the means reuse the sums that are the weight and bias gradients). Under
`create_graph` the backward recomputes the statistics with ember ops, so second derivatives see that
they depend on the input.
"""
import numpy as np

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from .._tensor import _scalar_type_name
from ._util import record, result, wrap

__all__ = ['native_batch_norm', 'batch_norm', 'instance_norm', 'native_layer_norm', 'layer_norm',
           'native_group_norm', 'group_norm', 'rms_norm']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


# ---- shared forward and backward --------------------------------------------------------------------
def _moments(data, axes, eps):
    """The centered input, the mean, the biased variance and `1 / sqrt(var + eps)` over `axes`
    (statistics keep the reduced axes, so they broadcast against the input)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        mean = data.mean(axes, keepdims=True)
        centered = data - mean
        # the sum of squares in one einsum pass, without a squared copy of the input
        letters = 'abcdefghijklmnopqrstuvwxyz'[:data.ndim]
        kept = ''.join(letter for i, letter in enumerate(letters) if i not in axes)
        sum_of_squares = np.einsum(f'{letters},{letters}->{kept}', centered, centered).reshape(mean.shape)
        var = sum_of_squares / (data.size // max(mean.size, 1))
        invstd = 1 / np.sqrt(var + eps)
    return centered, mean, var, invstd


def _sum_over(t, axes):
    """`t.sum(axes)`, where an empty `axes` means nothing to sum (not everything)."""
    return t.sum(axes) if axes else t


class _NormBackward(Node):
    """Backward of the normalization kernels (see the module docstring).

    `layout`: the shape the statistics are computed in (None: the input's own shape);
    `stat_axes`: the axes of that layout the statistics reduce; `weight_shape`: how weight and
    bias broadcast against the input; `param_axes`: the input axes summed for their gradients;
    `batch_stats`: False when the statistics were given (batch norm in eval mode), i.e. constants.
    """
    __slots__ = ('layout', 'stat_axes', 'weight_shape', 'param_axes', 'mean', 'invstd', 'eps', 'batch_stats')

    def backward(self, grad):
        input, weight = self.saved_tensors
        x = input if self.layout is None else input.reshape(self.layout)
        axes = self.stat_axes
        if self.batch_stats and GradMode.enabled:
            # double backward: mean and invstd are functions of the input, recompute them in the graph
            mean = x.mean(axes, keepdim=True)
            invstd = ((x - mean).square().mean(axes, keepdim=True) + self.eps).rsqrt()
        else:
            mean, invstd = wrap(self.mean), wrap(self.invstd)
        normalized = (x - mean) * invstd
        if self.layout is None and axes == self.param_axes:
            return self._per_channel_backward(grad, weight, normalized, invstd)
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad(0):
            g = grad if weight is None else grad * weight.reshape(self.weight_shape)
            if self.layout is not None:
                g = g.reshape(self.layout)
            if self.batch_stats:
                g = g - g.mean(axes, keepdim=True) - normalized * (g * normalized).mean(axes, keepdim=True)
            grad_input = g * invstd
            if self.layout is not None:
                grad_input = grad_input.reshape(input.shape)
        if self.needs_input_grad(1):
            if self.layout is not None:
                normalized = normalized.reshape(input.shape)
            grad_weight = _sum_over(grad * normalized, self.param_axes)
        if self.needs_input_grad(2):
            grad_bias = _sum_over(grad, self.param_axes)
        return grad_input, grad_weight, grad_bias

    def _per_channel_backward(self, grad, weight, normalized, invstd):
        """Batch norm: the weight is constant over each statistic's elements, so mean(grad * weight)
        is weight * mean(grad) and the input gradient reuses the sums of the parameter gradients."""
        axes = self.stat_axes
        needs_input, batch_stats = self.needs_input_grad(0), self.batch_stats
        sum_grad = grad_input = None
        if self.needs_input_grad(2) or (needs_input and batch_stats):
            sum_grad = grad.sum(axes, keepdim=True)
        sum_grad_normalized = None
        if self.needs_input_grad(1) or (needs_input and batch_stats):
            sum_grad_normalized = (grad * normalized).sum(axes, keepdim=True)
        if needs_input:
            scale = invstd if weight is None else invstd * weight.reshape(self.weight_shape)
            if batch_stats:
                count = normalized.numel() // sum_grad.numel()
                grad = grad - (normalized * (sum_grad_normalized / count) + sum_grad / count)
            grad_input = grad * scale
        return (grad_input,
                sum_grad_normalized.reshape(-1) if self.needs_input_grad(1) else None,
                sum_grad.reshape(-1) if self.needs_input_grad(2) else None)


def _record(node_class, input, weight, bias, layout, stat_axes, weight_shape, param_axes, mean, invstd, eps,
            batch_stats=True):
    node = record(node_class, input, weight, bias)
    if node is not None:
        node.save_for_backward(input, weight)
        node.layout, node.stat_axes, node.weight_shape, node.param_axes = layout, stat_axes, weight_shape, param_axes
        node.mean, node.invstd, node.eps, node.batch_stats = mean, invstd, eps, batch_stats
    return node


def _check_float(kernel_name, data):
    if data.dtype.kind not in 'fc':
        raise NotImplementedError(f'"{kernel_name}" not implemented for \'{_scalar_type_name(data.dtype)}\'')


def _check_same_dtype(data, *tensors):
    for t in tensors:
        if t is not None and t._data.dtype != data.dtype:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


# ---- batch norm ---------------------------------------------------------------------------------------
class NativeBatchNormBackward0(_NormBackward):
    __slots__ = ()


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch norm over (N, C, *) with statistics per channel; returns `(output, save_mean, save_invstd)`.
    In training, `running_mean`/`running_var` (when given) move towards the batch statistics by
    `momentum`, the variance unbiased there (n / (n - 1)) though the input is normalised with the
    biased one."""
    data = input._data
    _check_float('batch_norm', data)
    if data.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(data.ndim, 1)}, "
                         f"{max(data.ndim, 1) - 1}], but got 1)")
    num_channels = data.shape[1]
    for name, t in (('running_mean', running_mean), ('running_var', running_var), ('weight', weight),
                    ('bias', bias)):
        if t is not None and t._data.size != num_channels:
            raise RuntimeError(f"{name} should contain {num_channels} elements not {t._data.size}")
    _check_same_dtype(data, weight, bias, running_mean, running_var)
    axes = (0,) + tuple(range(2, data.ndim))
    param_shape = (num_channels,) + (1,) * (data.ndim - 2)
    if training:
        centered, mean, var, invstd = _moments(data, axes, eps)
        if running_mean is not None:
            count = data.size // max(num_channels, 1)
            _running_update(running_mean, mean, momentum)
            _running_update(running_var, var * (count / max(count - 1, 1)), momentum)
        save_mean, save_invstd = mean.reshape(num_channels), invstd.reshape(num_channels)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(f"{'running_mean' if running_mean is None else 'running_var'} must be defined "
                               "in evaluation mode")
        # copies: the buffers may change in place before backward runs
        mean = running_mean._data.reshape(param_shape).copy()
        invstd = 1 / np.sqrt(running_var._data.reshape(param_shape) + eps)
        centered = data - mean
        save_mean = save_invstd = np.empty(0, dtype=data.dtype)
    # PyTorch's CPU kernel: output = (x - mean) * (invstd * weight) + bias
    scale = invstd if weight is None else invstd * weight._data.reshape(param_shape)
    output = np.multiply(centered, scale, out=centered)
    if bias is not None:
        output += bias._data.reshape(param_shape)
    node = _record(NativeBatchNormBackward0, input, weight, bias, None, axes, param_shape, axes, mean, invstd, eps,
                   batch_stats=training)
    return result(output, node), wrap(save_mean), wrap(save_invstd)


def _running_update(running, batch_statistic, momentum):
    """running = (1 - momentum) * running + momentum * batch_statistic, in place (the buffer's version
    counts it, as PyTorch's in-place update does)."""
    data = running._data
    data[...] = ((1 - momentum) * data + momentum * batch_statistic.reshape(data.shape)).astype(data.dtype)
    running._version_counter[0] += 1


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    """`torch.batch_norm`: the output of `native_batch_norm`."""
    return native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)[0]


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    """Batch norm of each (sample, channel) on its own: PyTorch views (N, C, *) as (1, N * C, *) and
    runs batch norm on it, repeating the per-channel weight, bias and running stats N times (so the
    graph ends in ViewBackward0 <- NativeBatchNormBackward0, as PyTorch's)."""
    shape = input.shape
    batch_size, num_channels = shape[0], shape[1]
    running_mean_per_sample = _repeat(running_mean, batch_size)
    running_var_per_sample = _repeat(running_var, batch_size)
    output = batch_norm(input.reshape(1, batch_size * num_channels, *shape[2:]), _repeat(weight, batch_size),
                        _repeat(bias, batch_size), running_mean_per_sample, running_var_per_sample, use_input_stats,
                        momentum, eps)
    if use_input_stats:
        # the running statistics become the average over the samples of the per-sample updates
        for running, per_sample in ((running_mean, running_mean_per_sample), (running_var, running_var_per_sample)):
            if running is not None:
                running._data[...] = per_sample._data.reshape(batch_size, num_channels).mean(0)
                running._version_counter[0] += 1
    return output.view(shape)


def _repeat(per_channel, times):
    return None if per_channel is None else per_channel.repeat(times)


# ---- layer norm ---------------------------------------------------------------------------------------
class NativeLayerNormBackward0(_NormBackward):
    __slots__ = ()


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """Normalise over the last `len(normalized_shape)` axes, then `* weight + bias` (both of shape
    `normalized_shape`); returns `(output, mean, rstd)`."""
    data = input._data
    normalized_shape = tuple(normalized_shape)
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and t._data.shape != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t._data.shape)} and normalized_shape = {list(normalized_shape)}")
    num_axes = len(normalized_shape)
    if num_axes == 0 or data.shape[data.ndim - num_axes:] != normalized_shape or data.ndim < num_axes:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(data.shape)}")
    _check_float('LayerNormKernelImpl', data)
    _check_same_dtype(data, weight, bias)
    axes = tuple(range(data.ndim - num_axes, data.ndim))
    centered, mean, _, invstd = _moments(data, axes, eps)
    output = np.multiply(centered, invstd, out=centered)
    if weight is not None:
        output *= weight._data
    if bias is not None:
        output += bias._data
    node = _record(NativeLayerNormBackward0, input, weight, bias, None, axes, normalized_shape,
                   tuple(range(data.ndim - num_axes)), mean, invstd, eps)
    return result(output, node), wrap(mean), wrap(invstd)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """`torch.layer_norm`: the output of `native_layer_norm`."""
    return native_layer_norm(input, normalized_shape, weight, bias, eps)[0]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """`x / sqrt(mean(x^2) + eps) * weight` over the last `len(normalized_shape)` axes. A composite,
    as in PyTorch (its graph ends in MulBackward0); `eps=None` is the dtype's machine epsilon."""
    normalized_shape = tuple(normalized_shape)
    num_axes = len(normalized_shape)
    if tuple(input.shape[input.dim() - num_axes:]) != normalized_shape or input.dim() < num_axes:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*{', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-num_axes, 0))
    output = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return output if weight is None else output * weight


# ---- group norm ---------------------------------------------------------------------------------------
class NativeGroupNormBackward0(_NormBackward):
    __slots__ = ()


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Normalise (N, C, *) over each group of `C // group` channels (and all spatial positions) of each
    sample, then `* weight + bias` per channel; returns `(output, mean, rstd)` of shape (N, group)."""
    data = input._data
    _check_float('group_norm', data)
    _check_same_dtype(data, weight, bias)
    layout = (N, group, -1)
    centered, mean, _, invstd = _moments(data.reshape(layout), (2,), eps)
    output = np.multiply(centered, invstd, out=centered).reshape(data.shape)
    param_shape = (C,) + (1,) * (data.ndim - 2)
    if weight is not None:
        output *= weight._data.reshape(param_shape)
    if bias is not None:
        output += bias._data.reshape(param_shape)
    node = _record(NativeGroupNormBackward0, input, weight, bias, layout, (2,), param_shape,
                   (0,) + tuple(range(2, data.ndim)), mean, invstd, eps)
    return result(output, node), wrap(mean.reshape(N, group)), wrap(invstd.reshape(N, group))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """`torch.group_norm`: checks the channels against `num_groups` and the weight, then
    `native_group_norm`."""
    shape = tuple(input.shape)
    batch_size, num_channels = shape[0], shape[1]
    if num_channels % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(shape)} and num_groups={num_groups}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t.numel() != num_channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(shape)}")
    spatial_size = int(np.prod(shape[2:], dtype=np.int64))
    return native_group_norm(input, weight, bias, batch_size, num_channels, spatial_size, num_groups, eps)[0]
