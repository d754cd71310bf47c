"""Pooling: max (with PyTorch's flat per-plane indices), average, adaptive average/max, max-unpool.

Every kernel works on the last `nd` dims and treats all leading dims (batch, channels) as planes,
so batched and unbatched inputs take the same path. Windows are visited as strided slices, one per
kernel offset (k^d vectorised steps, never a loop over pixels); backward sends the gradient
back with the same offset loop (max pooling: to each window's winning offset; average: to the
whole window), or with one `bincount` over the flat indices (adaptive max pooling). The 1-d forms are the 2-d ones
on an unsqueezed input, as in PyTorch (whose 1-d pools show `SqueezeBackward1`).

Every pool's backward is linear in the gradient. Under create_graph it is recorded as a node of its
own with edges to the gradient and to the input, as PyTorch's MaxPool2DWithIndicesBackwardBackward0,
AvgPool2DBackwardBackward0, ... (see `record_linear_backward`): the gradient of the gradient is the
adjoint of the backward (a gather, or the pool again) for the gradient, and zero for the input.
"""
import functools
import math

import numpy as np

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, result, select, wrap
from .conv import pad_spatial, crop_spatial, offset_slices
from .elementwise import LinearBackwardBackward, record_linear_backward

__all__ = []
TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _shape_text(shape, sep='x'):
    return sep.join(str(s) for s in shape)


def pool_out_size(size, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling output size: floor (or ceil) of (size + 2p - d(k-1) - 1) / s, plus 1; in
    ceil mode the last window must still start inside the input or its left padding."""
    sizes = []
    for i, k, s, p, d in zip(size, kernel_size, stride, padding, dilation):
        o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= i + p:
            o -= 1
        sizes.append(o)
    return tuple(sizes)


def _check_pool(data, nd, kernel_size, padding, dilation, out_size, half_of='effective kernel size'):
    for k, p, d in zip(kernel_size, padding, dilation):
        if p > (d * (k - 1) + 1) // 2 if half_of == 'effective kernel size' else p > k // 2:
            extra = f", kernel_size={k} and dilation={d}" if half_of == 'effective kernel size' else f", kernel_size={k}"
            raise RuntimeError(f"pad should be at most half of {half_of}, but got pad={p}{extra}")
    if any(o < 1 for o in out_size):
        planes = data.shape[-nd - 1] if data.ndim > nd else 1
        raise RuntimeError(f"Given input size: ({_shape_text((planes,) + data.shape[-nd:])}). Calculated output size: "
                           f"({_shape_text((planes,) + out_size)}). Output size is too small")


def _padded_for_windows(data, out_size, kernel_size, stride, padding, dilation, fill):
    """The input padded by `padding` before and as much as the last (ceil-mode) window needs after."""
    spatial = data.shape[-len(kernel_size):]
    after = tuple(max(0, (o - 1) * s + d * (k - 1) + 1 - p - i)
                  for o, k, s, p, d, i in zip(out_size, kernel_size, stride, padding, dilation, spatial))
    return pad_spatial(data, padding, after, fill)


def _flat_index(coordinates, spatial):
    """Row-major flat index within a plane of the given per-dim coordinate arrays."""
    index = coordinates[0]
    for coordinate, size in zip(coordinates[1:], spatial[1:]):
        index = index * size + coordinate
    return index


def _scatter_add_planes(grad, index, input_shape, nd):
    """Add each gradient into its plane at its flat index (the backward of every max-type pool)."""
    plane_size = math.prod(input_shape[-nd:])
    planes = math.prod(input_shape[:-nd])
    flat = (np.arange(planes).reshape(-1, 1) * plane_size + index.reshape(planes, -1)).ravel()
    summed = np.bincount(flat, weights=grad.ravel(), minlength=planes * plane_size)
    return summed.astype(grad.dtype, copy=False).reshape(input_shape)


def _scatter_to_windows(grad, winner, geometry):
    """The backward of max pooling: each output's gradient added at its window's winning offset,
    one masked add per kernel offset (k^d vectorised steps, never a loop over pixels)."""
    kernel_size, stride, dilation, padding, padded_shape, input_shape = geometry
    nd = len(kernel_size)
    image = np.zeros(padded_shape, dtype=grad.dtype)
    out_size = grad.shape[-nd:]
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel_size, stride, dilation))
    for position, offset in enumerate(np.ndindex(*kernel_size)):
        target = image[offset_slices(offset, stride, dilation, out_size)]
        # (selected, not multiplied by the mask: an inf or NaN gradient reaches the winner only)
        if disjoint:  # windows do not overlap: each input element gets at most one gradient
            select(grad, winner == position, out=target)
        else:
            target += select(grad, winner == position)
    return np.ascontiguousarray(crop_spatial(image, padding, input_shape[-nd:]))


class _GatherFromInputBackwardBackward(LinearBackwardBackward):
    """The backward of a max-type pool's backward: the scatter's adjoint, a gather of the gradient
    at each window's winner (PyTorch's max_pool_double_backward)."""
    __slots__ = ('indices', 'output_shape')

    def grad_output_gradient(self, grad, saved):
        planes = self.indices.shape[0]
        return grad.reshape(planes, -1).gather(1, wrap(self.indices)).reshape(self.output_shape)


class _ScatterToInputBackward(Node):
    """Backward of the max-type pools: each output's gradient goes to the input it took. Max
    pooling keeps each window's winning offset (`winner`) and its window geometry; adaptive max
    pooling, whose windows differ in size, keeps the flat indices."""
    __slots__ = ('indices', 'input_shape', 'nd', 'winner', 'geometry')

    def backward(self, grad):
        if self.winner is not None:
            grad_input = _scatter_to_windows(grad._data, self.winner, self.geometry)
        else:
            grad_input = _scatter_add_planes(grad._data, self.indices, self.input_shape, self.nd)
        # create_graph: this backward as a node of its own
        node = record_linear_backward(self.double_backward, grad, self.saved_tensors[0]) if GradMode.enabled else None
        if node is not None:
            if self.indices is None:
                self.indices = _window_indices(self.winner, self.geometry)
            node.indices = self.indices.reshape(math.prod(self.input_shape[:-self.nd]), -1)
            node.output_shape = grad._data.shape
        return (result(grad_input, node),)


def _pool_result(values, indices, input, node_class, nd, winner=None, geometry=None):
    node = record(node_class, input)
    if node is not None:
        node.save_for_backward(input)  # (read only by a create_graph backward)
        node.indices, node.input_shape, node.nd = indices, input._data.shape, nd
        node.winner, node.geometry = winner, geometry
    return result(values, node), None if indices is None else wrap(indices)


# ---- max pooling ---------------------------------------------------------------------------------
class MaxPool2DWithIndicesBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class MaxPool3DWithIndicesBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class MaxPool2DWithIndicesBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = MaxPool2DWithIndicesBackwardBackward0


class MaxPool3DWithIndicesBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = MaxPool3DWithIndicesBackwardBackward0


def _window_indices(winner, geometry):
    """The flat per-plane input index of each window's winner. It is linear in the window's corner
    and the winner's offset within the window: corner index + a table lookup of the offset."""
    kernel_size, stride, dilation, padding, _, input_shape = geometry
    nd = len(kernel_size)
    spatial, out_size = input_shape[-nd:], winner.shape[-nd:]
    corners = _flat_index([(np.arange(o) * s - p).reshape((o,) + (1,) * (nd - 1 - i))
                           for i, (o, s, p) in enumerate(zip(out_size, stride, padding))], spatial)
    offsets = _flat_index([k * d for k, d in zip(np.unravel_index(np.arange(math.prod(kernel_size)), kernel_size),
                                                    dilation)], spatial)
    return (corners + offsets[winner]).astype(np.int64, copy=False)


def max_pool_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True):
    """Max over each window of the last len(kernel_size) dims, and the flat per-plane index of
    the winner (None unless `return_indices`: the backward needs only the window offsets). Ties go
    to the first element of the window, NaN wins, as in PyTorch."""
    nd = len(kernel_size)
    data = input._data
    spatial = data.shape[-nd:]
    out_size = pool_out_size(spatial, kernel_size, stride, padding, dilation, ceil_mode)
    _check_pool(data, nd, kernel_size, padding, dilation, out_size)
    is_float = data.dtype.kind == 'f'
    fill = -np.inf if is_float else (np.iinfo(data.dtype).min if data.dtype.kind in 'iu' else False)
    padded = _padded_for_windows(data, out_size, kernel_size, stride, padding, dilation, fill)
    # NaN must win (the last one, as PyTorch's `val > max || isnan(val)`): two more steps per
    # offset, taken only when the input has a NaN
    nan_wins = is_float and bool(np.isnan(data).any())
    best = winner = None
    for position, offset in enumerate(np.ndindex(*kernel_size)):
        candidate = padded[offset_slices(offset, stride, dilation, out_size)]
        if best is None:
            best = candidate.copy()
            winner = np.zeros(candidate.shape, dtype=np.uint8 if math.prod(kernel_size) < 256 else np.intp)
            continue
        better = candidate > best
        if nan_wins:
            better |= np.isnan(candidate)
        np.maximum(best, candidate, out=best)  # (NaN propagates, as it wins)
        # a later better candidate replaces an earlier one, so the winner is the largest position
        # that was better: a maximum, much faster in NumPy than a masked copy
        np.maximum(winner, better * winner.dtype.type(position), out=winner)
    node_class = MaxPool3DWithIndicesBackward0 if nd == 3 else MaxPool2DWithIndicesBackward0
    geometry = (kernel_size, stride, dilation, padding, padded.shape, data.shape)
    indices = _window_indices(winner, geometry) if return_indices else None
    return _pool_result(best, indices, input, node_class, nd, winner, geometry)


# ---- average pooling -----------------------------------------------------------------------------
class _PoolAgainBackwardBackward(LinearBackwardBackward):
    """The backward of an average pool's backward: the pool again, on the gradient (the adjoint of
    spreading each window's share back over it)."""
    __slots__ = ('pool',)  # the pool, its arguments bound

    def grad_output_gradient(self, grad, saved):
        return self.pool(grad)


def _avg_divisor(spatial, out_size, kernel_size, stride, padding, count_include_pad, divisor_override, dtype):
    """The number each window's sum is divided by, as an array broadcasting against the output."""
    if divisor_override:
        return np.asarray(divisor_override, dtype=dtype)
    divisor = None
    for i, k, s, p, o in zip(spatial, kernel_size, stride, padding, out_size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, i + p)  # windows are cut at the end of the padding ...
        if not count_include_pad:           # ... and at the input's edges unless padding counts
            start, end = np.maximum(start, 0), np.minimum(end, i)
        count = end - start
        divisor = count if divisor is None else np.multiply.outer(divisor, count)
    return divisor.astype(dtype)


class _AvgPoolBackward(Node):
    # `options`: ceil_mode, count_include_pad and divisor_override, for the double backward
    __slots__ = ('kernel_size', 'stride', 'padding', 'divisor', 'input_shape', 'padded_shape', 'options')

    def backward(self, grad):
        share = grad._data / self.divisor
        image = np.zeros(self.padded_shape, dtype=share.dtype)
        ones = (1,) * len(self.kernel_size)
        out_size = share.shape[-len(self.kernel_size):]
        for offset in np.ndindex(*self.kernel_size):
            image[offset_slices(offset, self.stride, ones, out_size)] += share
        # create_graph: this backward as a node of its own
        node = record_linear_backward(self.double_backward, grad, self.saved_tensors[0]) if GradMode.enabled else None
        if node is not None:
            node.pool = functools.partial(avg_pool, kernel_size=self.kernel_size, stride=self.stride,
                                          padding=self.padding, **self.options)
        return (wrap(np.ascontiguousarray(crop_spatial(image, self.padding,
                                                       self.input_shape[-len(self.kernel_size):])), node),)


class AvgPool2DBackwardBackward0(_PoolAgainBackwardBackward):
    __slots__ = ()


class AvgPool3DBackwardBackward0(_PoolAgainBackwardBackward):
    __slots__ = ()


class AvgPool2DBackward0(_AvgPoolBackward):
    __slots__ = ()
    double_backward = AvgPool2DBackwardBackward0


class AvgPool3DBackward0(_AvgPoolBackward):
    __slots__ = ()
    double_backward = AvgPool3DBackwardBackward0


def avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Mean over each window of the last len(kernel_size) dims (PyTorch's divisor rules)."""
    nd = len(kernel_size)
    data = input._data
    spatial = data.shape[-nd:]
    ones = (1,) * nd
    out_size = pool_out_size(spatial, kernel_size, stride, padding, ones, ceil_mode)
    _check_pool(data, nd, kernel_size, padding, ones, out_size, half_of='kernel size')
    padded = _padded_for_windows(data, out_size, kernel_size, stride, padding, ones, 0)
    total = None
    for offset in np.ndindex(*kernel_size):
        window_part = padded[offset_slices(offset, stride, ones, out_size)]
        total = window_part.copy() if total is None else np.add(total, window_part, out=total)
    divisor = _avg_divisor(spatial, out_size, kernel_size, stride, padding, count_include_pad, divisor_override,
                           data.dtype)
    node = record(AvgPool3DBackward0 if nd == 3 else AvgPool2DBackward0, input)
    if node is not None:
        node.save_for_backward(input)  # (read only by a create_graph backward)
        node.kernel_size, node.stride, node.padding, node.divisor = kernel_size, stride, padding, divisor
        node.input_shape, node.padded_shape = data.shape, padded.shape
        node.options = dict(ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                            divisor_override=divisor_override)
    return result(total / divisor, node)


# ---- adaptive pooling ----------------------------------------------------------------------------
def _adaptive_windows(in_size, out_size):
    """Output i pools input[floor(i * in / out) : ceil((i + 1) * in / out)]."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, ((i + 1) * in_size + out_size - 1) // out_size


def _sum_along(data, matrices, transpose=False):
    """Contract each of the last len(matrices) dims with its (out, in) 0/1 window matrix."""
    nd = len(matrices)
    for i, matrix in enumerate(matrices):
        axis = data.ndim - nd + i
        data = np.moveaxis(np.moveaxis(data, axis, -1) @ (matrix if transpose else matrix.T), -1, axis)
    return data


class _AdaptiveAvgPoolBackward(Node):
    __slots__ = ('matrices', 'counts')

    def backward(self, grad):
        # create_graph: this backward as a node of its own
        node = record_linear_backward(self.double_backward, grad, self.saved_tensors[0]) if GradMode.enabled else None
        if node is not None:
            node.pool = functools.partial(adaptive_avg_pool, output_size=tuple(m.shape[0] for m in self.matrices))
        return (wrap(np.ascontiguousarray(_sum_along(grad._data / self.counts, self.matrices, transpose=True)), node),)


class AdaptiveAvgPool2DBackwardBackward0(_PoolAgainBackwardBackward):
    __slots__ = ()


class AdaptiveAvgPool3DBackwardBackward0(_PoolAgainBackwardBackward):
    __slots__ = ()


class AdaptiveAvgPool2DBackward0(_AdaptiveAvgPoolBackward):
    __slots__ = ()
    double_backward = AdaptiveAvgPool2DBackwardBackward0


class AdaptiveAvgPool3DBackward0(_AdaptiveAvgPoolBackward):
    __slots__ = ()
    double_backward = AdaptiveAvgPool3DBackwardBackward0


def adaptive_avg_pool(input, output_size):
    """Mean over PyTorch's adaptive windows: one 0/1 window-matrix product per spatial dim, then
    a division by the window sizes."""
    nd = len(output_size)
    data = input._data
    matrices, counts = [], None
    for i, o in zip(data.shape[-nd:], output_size):
        start, end = _adaptive_windows(i, o)
        positions = np.arange(i)
        matrices.append(((positions >= start[:, None]) & (positions < end[:, None])).astype(data.dtype))
        counts = end - start if counts is None else np.multiply.outer(counts, end - start)
    counts = counts.astype(data.dtype)
    node = record(AdaptiveAvgPool3DBackward0 if nd == 3 else AdaptiveAvgPool2DBackward0, input)
    if node is not None:
        node.save_for_backward(input)  # (read only by a create_graph backward)
        node.matrices, node.counts = matrices, counts
    return result(np.ascontiguousarray(_sum_along(data, matrices) / counts), node)


class AdaptiveMaxPool2DBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class AdaptiveMaxPool3DBackwardBackward0(_GatherFromInputBackwardBackward):
    __slots__ = ()


class AdaptiveMaxPool2DBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = AdaptiveMaxPool2DBackwardBackward0


class AdaptiveMaxPool3DBackward0(_ScatterToInputBackward):
    __slots__ = ()
    double_backward = AdaptiveMaxPool3DBackwardBackward0


def adaptive_max_pool(input, output_size):
    """Max over PyTorch's adaptive windows, with flat per-plane indices. Windows of one dim can
    differ in length: each is read as the longest one, its tail clamped to its last element (a
    repeat, which changes neither the max nor, with first-wins ties, the index)."""
    nd = len(output_size)
    data = input._data
    spatial = data.shape[-nd:]
    lead = data.ndim - nd
    positions = []
    for i, (size, o) in enumerate(zip(spatial, output_size)):
        start, end = _adaptive_windows(size, o)
        length = int((end - start).max())
        pos = np.minimum(start[:, None] + np.arange(length), end[:, None] - 1)  # (o, length)
        shape = [1] * (2 * nd)
        shape[2 * i], shape[2 * i + 1] = o, length
        positions.append(pos.reshape(shape))
    gathered = data[(Ellipsis,) + tuple(positions)]  # (..., o1, L1, o2, L2, ...)
    order = tuple(range(lead)) + tuple(lead + 2 * i for i in range(nd)) + tuple(lead + 2 * i + 1 for i in range(nd))
    windows = gathered.transpose(order)
    lengths = windows.shape[-nd:]
    windows = windows.reshape(windows.shape[:lead + nd] + (-1,))
    winner = windows.argmax(-1)
    values = np.take_along_axis(windows, winner[..., None], -1)[..., 0]
    offsets = np.unravel_index(winner, lengths)
    coordinates = []
    for i, (pos, offset) in enumerate(zip(positions, offsets)):
        table = pos.reshape(pos.shape[2 * i], pos.shape[2 * i + 1])  # (o, L)
        out_index = np.arange(table.shape[0]).reshape((-1,) + (1,) * (nd - 1 - i))
        coordinates.append(table[out_index, offset])
    indices = _flat_index(coordinates, spatial).astype(np.int64, copy=False)
    node_class = AdaptiveMaxPool3DBackward0 if nd == 3 else AdaptiveMaxPool2DBackward0
    return _pool_result(np.ascontiguousarray(values), indices, input, node_class, nd)


# ---- max unpooling -------------------------------------------------------------------------------
class _MaxUnpoolBackward(Node):
    __slots__ = ('indices', 'input_shape')

    def backward(self, grad):
        planes = self.indices.shape[0]
        if GradMode.enabled:  # create_graph: the same gather as an ember op, so that it is recorded
            return (grad.reshape(planes, -1).gather(1, wrap(self.indices)).reshape(self.input_shape),)
        taken = np.take_along_axis(grad._data.reshape(planes, -1), self.indices, 1)
        return (wrap(taken.reshape(self.input_shape)),)


class MaxUnpool2DBackward0(_MaxUnpoolBackward):
    __slots__ = ()


class MaxUnpool3DBackward0(_MaxUnpoolBackward):
    __slots__ = ()


def max_unpool(input, indices, output_size):
    """Zeros of `output_size` (the last dims) with each input value put back at its index."""
    nd = len(output_size)
    data = input._data
    if indices.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    lead = data.shape[:-nd]
    planes, plane_size = math.prod(lead), math.prod(output_size)
    flat_indices = indices._data.reshape(planes, -1)
    if flat_indices.size and (flat_indices.min() < 0 or flat_indices.max() >= plane_size):
        bad = flat_indices.max() if flat_indices.max() >= plane_size else flat_indices.min()
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{_shape_text(output_size)}")
    output = np.zeros((planes, plane_size), dtype=data.dtype)
    np.put_along_axis(output, flat_indices, data.reshape(planes, -1), 1)
    node = record(MaxUnpool3DBackward0 if nd == 3 else MaxUnpool2DBackward0, input)
    if node is not None:
        node.indices, node.input_shape = flat_indices, data.shape
    return result(output.reshape(lead + tuple(output_size)), node)
