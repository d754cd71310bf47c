"""Fractional max pooling (Graham, 2014): max over windows of a fixed size whose start positions
advance by a non-integer stride, `input_size / output_size` on average. The starts come from one
random number per plane and dim (`samples`, in [0, 1)), by ATen's formula

    alpha = (input_size - kernel_size) / (output_size - 1)
    start[i] = int((i + sample) * alpha) - int(sample * alpha),   start[last] = input_size - kernel_size

computed in the input's dtype, as ATen does, so float32 inputs land on the same windows.

The windows of a plane are gathered as one array (planes, outputs, window elements), the winner is
each row's first maximum (a NaN wins, the last one, as ATen's `val > max || isnan(val)`), and the
backward adds each gradient at its winner's flat index, as every max-type pool here does.
"""
import math

import numpy as np

from .pooling import _ScatterToInputBackward, _GatherFromInputBackwardBackward, _pool_result, _flat_index

__all__ = []
TENSOR_METHODS = ()
INPLACE_METHODS = ()


class FractionalMaxPool2DBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class FractionalMaxPool3DBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class FractionalMaxPool2DBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = FractionalMaxPool2DBackwardBackward0


class FractionalMaxPool3DBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = FractionalMaxPool3DBackwardBackward0


def _interval_starts(samples, input_size, output_size, kernel_size):
    """The window starts along one dim for every plane: samples (planes,) -> (planes, output_size)."""
    dtype = samples.dtype
    starts = np.empty(samples.shape + (output_size,), dtype=np.int64)
    if output_size > 1:
        alpha = dtype.type(input_size - kernel_size) / dtype.type(output_size - 1)
        steps = np.arange(output_size - 1).astype(dtype)
        with np.errstate(all='ignore'):
            starts[:, :-1] = ((steps + samples[:, None]) * alpha).astype(np.int64) \
                - (samples * alpha).astype(np.int64)[:, None]
    starts[:, -1] = input_size - kernel_size
    return starts


def fractional_max_pool(input, kernel_size, output_size, random_samples, name):
    """Values and flat per-plane indices of fractional max pooling over the last
    len(kernel_size) dims of an (N, C, *) or (C, *) input."""
    nd = len(kernel_size)
    data = input._data
    if data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"[{', '.join(str(s) for s in data.shape)}]")
    for dim in range(1, data.ndim):
        if data.shape[dim] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but got"
                               f"[{', '.join(str(s) for s in data.shape)}] with dimension {dim} being empty.")
    spatial = data.shape[-nd:]
    dim_names = ('height', 'width') if nd == 2 else ('time', 'height', 'width')
    for dim_name, size, out, k in zip(dim_names, spatial, output_size, kernel_size):
        if out + k - 1 > size:
            raise RuntimeError(f"{name}(): pool {dim_name} {k} too large relative to input {dim_name} {size}")
    samples = random_samples._data
    if samples.dtype != data.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    batch, channels = (1, data.shape[0]) if data.ndim == nd + 1 else data.shape[:2]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}.")
    planes = batch * channels
    samples = samples[:batch].reshape(planes, nd)
    # 2-d: sample 0 drives the width and sample 1 the height; 3-d: samples 0, 1, 2 drive t, h, w
    sample_of_dim = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [_interval_starts(samples[:, s], size, out, k)
              for s, size, out, k in zip(sample_of_dim, spatial, output_size, kernel_size)]
    # the input coordinates of every window element: (planes, o1, .., o_nd, k1, .., k_nd) per dim
    coordinates = []
    for i, (start, k) in enumerate(zip(starts, kernel_size)):
        shape = [planes] + [1] * (2 * nd)
        shape[1 + i] = start.shape[1]
        offsets_shape = [1] * (1 + 2 * nd)
        offsets_shape[1 + nd + i] = k
        coordinates.append(start.reshape(shape) + np.arange(k).reshape(offsets_shape))
    window_index = _flat_index(coordinates, spatial)
    window_index = np.broadcast_to(window_index, (planes, *output_size, *kernel_size)).reshape(
        planes, math.prod(output_size), math.prod(kernel_size))
    windows = np.take_along_axis(data.reshape(planes, 1, -1), window_index, -1)
    winner = windows.argmax(-1)  # the first maximum in row-major window order, as ATen's loop
    if data.dtype.kind == 'f':
        is_nan = np.isnan(windows)
        last_nan = is_nan.shape[-1] - 1 - is_nan[..., ::-1].argmax(-1)
        winner = np.where(is_nan.any(-1), last_nan, winner)
    indices = np.take_along_axis(window_index, winner[..., None], -1)[..., 0]
    values = np.take_along_axis(windows, winner[..., None], -1)[..., 0]
    out_shape = data.shape[:-nd] + tuple(output_size)
    node_class = FractionalMaxPool3DBackward0 if nd == 3 else FractionalMaxPool2DBackward0
    return _pool_result(values.reshape(out_shape), indices.reshape(out_shape), input, node_class, nd)
