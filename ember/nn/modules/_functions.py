"""The two layers whose gradient PyTorch writes by hand (as `autograd.Function`s, like its own
torch/nn/modules/_functions.py): the batch norm that reduces its statistics across processes, and
Lua Torch's cross-channel LRN."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.function import Function


def _per_channel(array, ndim):
    """A (C,) array shaped to broadcast against an (N, C, *) input."""
    return array.reshape((1, -1) + (1,) * (ndim - 2))


class SyncBatchNorm(Function):
    """Batch norm over the batch of every process in `process_group`: the per-channel sums (and
    then the squared deviations from the global mean) are all-reduced, so each process normalises
    with the statistics of the whole global batch, as one process holding all of it would."""

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, eps, momentum, process_group, world_size):
        from ... import distributed as dist
        x = input._data
        reduce_axes = (0,) + tuple(range(2, x.ndim))
        local_count = x.size // x.shape[1]
        # sums and the element count in one collective, then the squared deviations in a second:
        # two passes keep the variance as accurate as a single process's
        sums = Tensor._wrap(np.append(x.sum(reduce_axes), x.dtype.type(local_count)))
        dist.all_reduce(sums, group=process_group)
        total_count = int(sums._data[-1])
        if total_count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.size()}")
        mean = sums._data[:-1] / total_count
        centered = x - _per_channel(mean, x.ndim)
        squared_deviations = Tensor._wrap(np.square(centered).sum(reduce_axes))
        dist.all_reduce(squared_deviations, group=process_group)
        var = squared_deviations._data / total_count
        invstd = 1 / np.sqrt(var + eps)
        if running_mean is not None:
            # the running variance is the unbiased one, as in batch_norm
            running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean
            running_var._data[...] = (1 - momentum) * running_var._data + momentum * var * (
                total_count / (total_count - 1))
        normalized = centered * _per_channel(invstd, x.ndim)
        output = normalized
        if weight is not None:
            output = output * _per_channel(weight._data, x.ndim)
        if bias is not None:
            output = output + _per_channel(bias._data, x.ndim)
        ctx.save_for_backward(weight)
        ctx.normalized, ctx.invstd, ctx.total_count, ctx.process_group = normalized, invstd, total_count, process_group
        return Tensor._wrap(output.astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        from ... import distributed as dist
        weight, = ctx.saved_tensors
        grad = grad_output._data
        normalized, invstd = ctx.normalized, ctx.invstd
        reduce_axes = (0,) + tuple(range(2, grad.ndim))
        # this process's sums give the parameter gradients (DistributedDataParallel averages those);
        # the input gradient needs the sums over the global batch
        sum_dy = grad.sum(reduce_axes)
        sum_dy_normalized = (grad * normalized).sum(reduce_axes)
        grad_weight = Tensor._wrap(sum_dy_normalized) if ctx.needs_input_grad[1] else None
        grad_bias = Tensor._wrap(sum_dy.copy()) if ctx.needs_input_grad[2] else None
        global_sums = Tensor._wrap(np.concatenate([sum_dy, sum_dy_normalized]))
        dist.all_reduce(global_sums, group=ctx.process_group)
        mean_dy, mean_dy_normalized = np.split(global_sums._data / ctx.total_count, 2)
        scale = invstd if weight is None else invstd * weight._data
        grad_input = (grad - _per_channel(mean_dy, grad.ndim) - normalized * _per_channel(mean_dy_normalized, grad.ndim)
                      ) * _per_channel(scale, grad.ndim)
        return (Tensor._wrap(grad_input.astype(grad.dtype, copy=False)), grad_weight, grad_bias,
                None, None, None, None, None, None)


class CrossMapLRN2d(Function):
    """Lua Torch's SpatialCrossMapLRN: `x / (k + alpha / size * sum of x^2 over neighbouring
    channels) ** beta`, forward and backward computed exactly as PyTorch's port of it does,
    including its quirks: past the first `pre_pad` channels the window sum keeps channel 0's
    square, and the backward's window is shifted one channel down from the forward's. So the
    gradient is PyTorch's, not the exact derivative of the forward."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        x = input._data
        channels = x.shape[1]
        square = x * x
        pre_pad = int((size - 1) / 2 + 1)
        channel = np.arange(channels)
        window_sum = _channel_window_sums(square, np.maximum(channel - pre_pad + 1, 0),
                                          np.minimum(channel + pre_pad - 1, channels - 1))
        # (the running sum of the original never subtracts channel 0 again)
        window_sum[:, pre_pad:] += square[:, :1]
        scale = window_sum * (alpha / size) + k
        output = np.power(scale, -beta) * x
        ctx.save_for_backward(input)
        ctx.scale, ctx.output, ctx.size, ctx.alpha, ctx.beta = scale, output, size, alpha, beta
        return Tensor._wrap(output.astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        x, grad, scale, size = input._data, grad_output._data, ctx.scale, ctx.size
        channels = x.shape[1]
        ratio = grad * ctx.output / scale
        inverse_pre_pad = int(size - (size - 1) / 2)
        channel = np.arange(channels)
        accumulated = _channel_window_sums(ratio, np.maximum(channel - inverse_pre_pad, 0),
                                           np.minimum(channel + size - 1 - inverse_pre_pad, channels - 1))
        grad_input = np.power(scale, -ctx.beta) * grad - (2 * ctx.alpha * ctx.beta / size) * x * accumulated
        return Tensor._wrap(grad_input.astype(x.dtype, copy=False)), None, None, None, None


def _channel_window_sums(values, first, last):
    """For each channel c, the sum of `values` over channels first[c]..last[c] (inclusive; an
    empty window sums to 0), from one running sum over the channel dim."""
    running = np.concatenate([np.zeros_like(values[:, :1]), np.cumsum(values, axis=1)], axis=1)
    return np.where((last >= first)[:, None, None], running[:, last + 1] - running[:, first], 0)
