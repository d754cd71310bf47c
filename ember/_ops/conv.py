"""Convolution (1-, 2- and 3-d, plain and transposed) and its two halves, im2col (`unfold`) and
col2im (`fold`).

One N-d implementation serves every spatial rank:
- im2col: every kernel window of the zero-padded input is a strided view (no copy); copied once
  into a (C * kernel elements, N * output positions) matrix (the batch folded into the columns), the
  convolution is one GEMM with the weight matrix (out_channels, C * kernel elements) per group.
- col2im is its adjoint: each column is added back into the window it came from, a sum over the
  kernel offsets (k^d strided-slice adds, `add_windows`).
- A transposed convolution is col2im of `weight^T @ input`, and it is exactly the gradient of a
  convolution with respect to its input; the gradient of a transposed convolution with respect to
  its input is in turn a convolution. The weight gradient is one GEMM of the output gradient with
  the forward's columns (kept by the node). Under create_graph the backward is written with
  `_convolution` itself (the weight gradient as a convolution of the input with the output
  gradient, stride and dilation swapping roles), so higher-order gradients come for free.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _warnings
from .._dtype import cpp_type_name
from .._tensor import _scalar_type_name
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, result, wrap, check_tensor_arguments

__all__ = ['convolution', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


# ---- the NumPy kernels (also used by fold/unfold and pooling) ------------------------------------
def pad_spatial(data, pad_before, pad_after, value=0):
    """`data` with its last len(pad_before) dims padded by `value` (a copy only if there is padding)."""
    if not any(pad_before) and not any(pad_after):
        return data
    lead = data.ndim - len(pad_before)
    spatial = data.shape[lead:]
    shape = data.shape[:lead] + tuple(s + b + a for s, b, a in zip(spatial, pad_before, pad_after))
    padded = np.full(shape, value, dtype=data.dtype)
    padded[(Ellipsis,) + tuple(slice(b, b + s) for b, s in zip(pad_before, spatial))] = data
    return padded


def crop_spatial(data, start, size):
    """The window `start : start + size` of each of the last len(start) dims."""
    return data[(Ellipsis,) + tuple(slice(b, b + s) for b, s in zip(start, size))]


def window_views(padded, kernel_size, stride, dilation, out_size):
    """A strided view (..., *out_size, *kernel_size) of every kernel window of `padded`: no copy."""
    nd = len(kernel_size)
    strides = padded.strides
    lead, spatial = strides[:-nd], strides[-nd:]
    return as_strided(padded, shape=padded.shape[:-nd] + tuple(out_size) + tuple(kernel_size),
                      strides=lead + tuple(st * s for st, s in zip(spatial, stride))
                      + tuple(st * d for st, d in zip(spatial, dilation)), writeable=False)


def offset_slices(offset, stride, dilation, out_size):
    """The positions that kernel element `offset` touches over all windows, as strided slices."""
    return (Ellipsis,) + tuple(slice(j * d, j * d + (o - 1) * s + 1, s)
                               for j, s, d, o in zip(offset, stride, dilation, out_size))


def conv_out_size(padded_size, kernel_size, stride, dilation):
    """floor((padded - dilation * (kernel - 1) - 1) / stride) + 1, per spatial dim."""
    return tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(padded_size, kernel_size, stride, dilation))


def _window_matrix(padded, kernel_size, stride, dilation, out_size, batch_inner):
    """The windows of `padded` (N, C, *spatial) copied into a matrix with one row per (channel,
    kernel element): (N, C*K, L) per sample, or (C*K, N*L) with the batch folded into the columns."""
    nd = len(kernel_size)
    windows = window_views(padded, kernel_size, stride, dilation, out_size)  # (N, C, *out, *k)
    kernel_axes, out_axes = tuple(range(2 + nd, 2 + 2 * nd)), tuple(range(2, 2 + nd))
    if batch_inner:
        return windows.transpose((1,) + kernel_axes + (0,) + out_axes).reshape(-1, padded.shape[0] * math.prod(out_size))
    return windows.transpose((0, 1) + kernel_axes + out_axes).reshape(padded.shape[0], -1, math.prod(out_size))


def im2col(padded, kernel_size, stride, dilation, out_size):
    """(N, C, *spatial) -> the (N, C * prod(kernel_size), prod(out_size)) matrix of its windows."""
    return _window_matrix(padded, kernel_size, stride, dilation, out_size, batch_inner=False)


def add_windows(blocks, stride, dilation, padded_size):
    """The adjoint of taking windows: `blocks` (A, *kernel_size, *out_size, B), each block added
    into the window of a zero (A, *padded_size, B) image it came from, one strided-slice add per
    kernel offset (k^d vectorised adds, never a loop over pixels). With B innermost (the batch, for
    a convolution's input gradient) a stride-1 add runs over whole rows of out * B elements at a
    time instead of rows of `out`: NumPy's cost is per row."""
    nd = len(padded_size)
    kernel_size, out_size = blocks.shape[1:1 + nd], blocks.shape[1 + nd:1 + 2 * nd]
    image = np.zeros((blocks.shape[0],) + tuple(padded_size) + (blocks.shape[-1],), dtype=blocks.dtype)
    for offset in np.ndindex(*kernel_size):
        window = offset_slices(offset, stride, dilation, out_size)[1:]
        image[(slice(None),) + window] += blocks[(slice(None),) + offset]
    return image


def col2im(columns, channels, kernel_size, stride, dilation, out_size, padded_size):
    """The adjoint of `im2col`: (N, C * prod(kernel_size), prod(out_size)) columns summed back into
    a zero (N, C, *padded_size) array."""
    n = columns.shape[0]
    blocks = columns.reshape((n * channels,) + tuple(kernel_size) + tuple(out_size) + (1,))
    return add_windows(blocks, stride, dilation, padded_size).reshape((n, channels) + tuple(padded_size))


# The convolution kernels keep the batch inside the GEMM: the columns are one (C*K, N*L) matrix, so
# a layer is a single large GEMM (per group) instead of N small ones, and the weight gradient
# `grad (O, N*L) @ columns.T` reads the same matrix transposed, without a copy. Only the (smaller)
# outputs and gradients move between the (N, C, ...) layout and this channels-first (C, N, ...) one.
def _channels_first(x, groups):
    """(N, C, *S) -> (G, C/G, N * prod(S)), a copy in the kernels' layout."""
    return x.swapaxes(0, 1).reshape(groups, x.shape[1] // groups, -1)


def _batch_first(y, shape):
    """(G, O/G, N*L) GEMM output -> a contiguous (N, O, *out) array of the given shape."""
    return np.ascontiguousarray(y.reshape((shape[1], shape[0]) + tuple(shape[2:])).swapaxes(0, 1))


def _conv_forward(x, weight, stride, pad_before, pad_after, dilation, groups):
    """(N, C, *S) conv (O, C/groups, *k) -> (N, O, *out), and the (G, C*K/G, N*L) columns (kept
    by the backward for the weight gradient)."""
    kernel_size = weight.shape[2:]
    padded = pad_spatial(x, pad_before, pad_after)
    out_size = conv_out_size(padded.shape[2:], kernel_size, stride, dilation)
    columns = _window_matrix(padded, kernel_size, stride, dilation, out_size, batch_inner=True)
    columns = columns.reshape(groups, -1, columns.shape[1])
    output = np.matmul(weight.reshape(groups, weight.shape[0] // groups, -1), columns)
    return _batch_first(output, (x.shape[0], weight.shape[0]) + out_size), columns


def _conv_transpose_forward(x, weight, stride, pad_before, pad_after, dilation, output_padding, groups):
    """(N, C, *S) transposed conv (C, O/groups, *k) -> (N, O, *out): one GEMM per group to
    columns, then the columns added into their windows. Here the batch is the innermost dim of the
    GEMM's columns (positions-major), which makes the window adds run over long rows."""
    n, in_size, kernel_size = x.shape[0], x.shape[2:], weight.shape[2:]
    group_channels = x.shape[1] // groups
    out_channels = weight.shape[1] * groups
    x_batch_last = np.moveaxis(x, 0, -1).reshape(groups, group_channels, -1)   # (G, C/G, L*N), a copy
    weight_t = weight.reshape(groups, group_channels, -1).swapaxes(1, 2)      # (G, O/G * K, C/G)
    columns = np.matmul(weight_t, x_batch_last)                               # (G, O/G * K, L*N)
    full = tuple((i - 1) * s + d * (k - 1) + 1 for i, k, s, d in zip(in_size, kernel_size, stride, dilation))
    out_size = tuple(f - b - a + p for f, b, a, p in zip(full, pad_before, pad_after, output_padding))
    # output_padding may reach past the last window: those positions get no contribution
    image_size = tuple(max(f, b + o) for f, b, o in zip(full, pad_before, out_size))
    blocks = columns.reshape((out_channels,) + tuple(kernel_size) + tuple(in_size) + (n,))
    image = add_windows(blocks, stride, dilation, image_size)  # (O, *image_size, N)
    cropped = image[(slice(None),) + tuple(slice(b, b + o) for b, o in zip(pad_before, out_size))]
    return np.ascontiguousarray(np.moveaxis(cropped, -1, 0))


# ---- the differentiable op -----------------------------------------------------------------------
class ConvolutionBackward0(Node):
    __slots__ = ('stride', 'pad_before', 'pad_after', 'dilation', 'transposed', 'groups', 'columns')

    def backward(self, grad):
        input, weight = self.saved_tensors
        if GradMode.enabled:  # create_graph: gradients built from differentiable convolutions
            return self._differentiable_backward(grad, input, weight)
        stride, pad_before, pad_after, dilation, groups = (self.stride, self.pad_before, self.pad_after,
                                                           self.dilation, self.groups)
        grad_input = grad_weight = grad_bias = None
        grad_channels_first = None if self.transposed else _channels_first(grad._data, groups)
        if self.needs_input_grad(0):
            if self.transposed:  # the adjoint of a transposed convolution is the convolution
                data = _conv_forward(grad._data, weight._data, stride, pad_before, pad_after, dilation, groups)[0]
            else:
                data = _conv_transpose_forward(grad._data, weight._data, stride, pad_before, pad_after, dilation,
                                               self._output_padding(grad, input, weight), groups)
            grad_input = wrap(data)
        if self.needs_input_grad(1):
            # weight[o, c, j] meets image[c, p*stride + j*dilation] and response[o, p]: one GEMM per
            # group of the response with the image's columns (the forward's, when it kept them)
            image, response = (grad, input) if self.transposed else (input, grad)
            columns = self.columns
            if columns is None:
                columns = _window_matrix(pad_spatial(image._data, pad_before, pad_after), weight.shape[2:], stride,
                                         dilation, response.shape[2:], batch_inner=True)
                columns = columns.reshape(groups, -1, columns.shape[1])
            if grad_channels_first is None or self.transposed:
                response_channels_first = _channels_first(response._data, groups)
            else:
                response_channels_first = grad_channels_first
            grad_weight = wrap(np.matmul(response_channels_first, columns.swapaxes(1, 2)).reshape(weight.shape))
        if self.needs_input_grad(2):  # a sum over the batch and positions: rows of the contiguous copy
            summed = grad_channels_first if grad_channels_first is not None else _channels_first(grad._data, 1)
            grad_bias = wrap(summed.sum(-1).reshape(-1))
        return grad_input, grad_weight, grad_bias

    def _release_saved(self):
        self.columns = None  # the forward's columns are saved data too: freed with the graph
        super()._release_saved()

    def _output_padding(self, grad, input, weight):
        """The rows/cols of the input the forward's floor division dropped (they get zero gradient)."""
        reached = [(o - 1) * s + d * (k - 1) + 1 - b - a for o, k, s, d, b, a in
                   zip(grad.shape[2:], weight.shape[2:], self.stride, self.dilation, self.pad_before, self.pad_after)]
        return tuple(i - r for i, r in zip(input.shape[2:], reached))

    def _differentiable_backward(self, grad, input, weight):
        stride, pad_before, pad_after, dilation, groups = (self.stride, self.pad_before, self.pad_after,
                                                           self.dilation, self.groups)
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad(0):
            if self.transposed:
                grad_input = _convolution(grad, weight, None, stride, pad_before, pad_after, dilation, False,
                                          None, groups)
            else:
                grad_input = _convolution(grad, weight, None, stride, pad_before, pad_after, dilation, True,
                                          self._output_padding(grad, input, weight), groups)
        if self.needs_input_grad(1):
            image, response = (grad, input) if self.transposed else (input, grad)
            grad_weight = _weight_grad(image, response, weight.shape[2:], stride, pad_before, pad_after, dilation,
                                       groups)
        if self.needs_input_grad(2):
            grad_bias = grad.sum((0,) + tuple(range(2, grad.dim())))
        return grad_input, grad_weight, grad_bias


def _weight_grad(image, response, kernel_size, stride, pad_before, pad_after, dilation, groups):
    """sum over n, p of image[n, c, p*stride + j*dilation - pad] * response[n, o, p], as one grouped
    convolution: batch = channels of `image`, channels = the batch, kernel = `response`."""
    n, channels = image.shape[:2]
    spatial = image.shape[2:]
    by_group = image.reshape((n, groups, channels // groups) + spatial).transpose(0, 2)
    full = _convolution(by_group.reshape((channels // groups, groups * n) + spatial), response.transpose(0, 1),
                        None, dilation, pad_before, pad_after, stride, False, None, groups)
    # the padding after may give a few more positions than the kernel has
    return full.transpose(0, 1)[(slice(None), slice(None)) + tuple(slice(0, k) for k in kernel_size)]


def _convolution(input, weight, bias, stride, pad_before, pad_after, dilation, transposed, output_padding,
                 groups):
    """The one convolution op (batched input, arguments already checked and expanded per dim)."""
    columns = None
    if transposed:
        data = _conv_transpose_forward(input._data, weight._data, stride, pad_before, pad_after, dilation,
                                       output_padding, groups)
    else:
        data, columns = _conv_forward(input._data, weight._data, stride, pad_before, pad_after, dilation, groups)
    if bias is not None:
        data += bias._data.reshape((-1,) + (1,) * (data.ndim - 2))
    node = record(ConvolutionBackward0, input, weight, bias)
    if node is not None:
        node.save_for_backward(input, weight)
        node.stride, node.pad_before, node.pad_after, node.dilation = stride, pad_before, pad_after, dilation
        node.transposed, node.groups = transposed, groups
        # the weight gradient reuses the forward's columns instead of copying the windows again
        node.columns = columns if weight.requires_grad else None
    return result(data, node)


# ---- the public forms: argument checks, unbatched inputs, padding='same' ---------------------------
def _expand(value, nd, name):
    if isinstance(value, int):
        return (value,) * nd
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * nd
    if len(value) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match the "
                           f"convolution dimensions, but got {name}={list(value)}")
    return value


def _shape_text(shape):
    return '[' + ', '.join(str(s) for s in shape) + ']'


def _conv(nd, op_name, input, weight, bias, stride, padding, dilation, groups, transposed=False,
          output_padding=0, bias_dtype_first=False):
    check_tensor_arguments(op_name, input=input, weight=weight, bias=bias)
    # conv1d/2d/3d with numeric padding compare the bias's dtype with the input's before anything else
    # (PyTorch's padding='same'/'valid' forms, transposed convolutions and `convolution` don't)
    if bias_dtype_first and bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({cpp_type_name(input._data.dtype)}) and bias type "
                           f"({cpp_type_name(bias._data.dtype)}) "
                           f"should be the same")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op_name}, but got "
                           f"input of size: {_shape_text(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have at least three dimensions")
    unbatched = input.dim() == nd + 1
    stride, dilation = _expand(stride, nd, 'stride'), _expand(dilation, nd, 'dilation')
    kernel_size = weight.shape[2:]
    if isinstance(padding, str):
        if padding == 'valid':
            pad_before = pad_after = (0,) * nd
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # PyTorch puts the odd extra padding of an even kernel after, as F.pad would
            total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            pad_before = tuple(t // 2 for t in total)
            pad_after = tuple(t - t // 2 for t in total)
            if pad_before != pad_after:
                _warnings.warn_once("Using padding='same' with even kernel lengths and odd dilation may require a "
                                    "zero-padded copy of the input be created")
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    else:
        pad_before = pad_after = _expand(padding, nd, 'padding')
    batched_shape = ((1,) + tuple(input.shape)) if unbatched else tuple(input.shape)
    channels = batched_shape[1]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        what = 'transposed=1' if transposed else f'groups={groups}'
        raise RuntimeError(f"Given {what}, weight of size {_shape_text(weight.shape)}, expected "
                           f"input{_shape_text(input.shape)} to have {expected} channels, but got {channels} "
                           f"channels instead")
    if not transposed:
        if weight.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size {_shape_text(weight.shape)} instead")
        padded = [s + b + a for s, b, a in zip(batched_shape[2:], pad_before, pad_after)]
        dilated = [d * (k - 1) + 1 for d, k in zip(dilation, kernel_size)]
        if any(p < k for p, k in zip(padded, dilated)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                               f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater than "
                               f"actual input size")
    if bias is not None and bias.shape[0] != (weight.shape[1] * groups if transposed else weight.shape[0]):
        raise RuntimeError(f"Given weight of size {_shape_text(weight.shape)}, expected bias to be 1-dimensional "
                           f"with {weight.shape[0]} elements, but got bias of size {_shape_text(bias.shape)} instead")
    # NumPy would promote a mixed pair; PyTorch's kernels take one dtype, the input's
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type_name(input._data.dtype)} but found "
                           f"{_scalar_type_name(weight._data.dtype)}")
    if unbatched:
        input = input.unsqueeze(0)
    output = _convolution(input, weight, bias, stride, pad_before, pad_after, dilation, transposed,
                          _expand(output_padding, nd, 'output_padding'), groups)
    return output.squeeze(0) if unbatched else output


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """`torch.convolution`: the op every conv layer calls (N-d from the weight's rank)."""
    nd = weight.dim() - 2
    name = f"conv_transpose{nd}d" if transposed else f"conv{nd}d"
    return _conv(nd, name, input, weight, bias, stride, padding, dilation, groups, transposed, output_padding)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) of (N, C_in, L) with weight (C_out, C_in/groups, k)."""
    return _conv(1, 'conv1d', input, weight, bias, stride, padding, dilation, groups,
                 bias_dtype_first=not isinstance(padding, str))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) of (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW)."""
    return _conv(2, 'conv2d', input, weight, bias, stride, padding, dilation, groups,
                 bias_dtype_first=not isinstance(padding, str))


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) of (N, C_in, D, H, W) with weight (C_out, C_in/groups, kD, kH, kW)."""
    return _conv(3, 'conv3d', input, weight, bias, stride, padding, dilation, groups,
                 bias_dtype_first=not isinstance(padding, str))


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution, weight (C_in, C_out/groups, k): the gradient of conv1d."""
    return _conv(1, 'conv_transpose1d', input, weight, bias, stride, padding, dilation, groups, True, output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution, weight (C_in, C_out/groups, kH, kW): the gradient of conv2d."""
    return _conv(2, 'conv_transpose2d', input, weight, bias, stride, padding, dilation, groups, True, output_padding)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution, weight (C_in, C_out/groups, kD, kH, kW): the gradient of conv3d."""
    return _conv(3, 'conv_transpose3d', input, weight, bias, stride, padding, dilation, groups, True, output_padding)


# ---- unfold / fold: im2col and col2im as ops of their own ----------------------------------------
def _pair_of(value):
    return (value, value) if isinstance(value, int) else tuple(value)


class Im2ColBackward0(Node):
    __slots__ = ('input_size', 'kernel_size', 'dilation', 'padding', 'stride')

    def backward(self, grad):
        return (fold(grad, self.input_size, self.kernel_size, self.dilation, self.padding, self.stride),)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every (kH, kW) window of a (N, C, H, W) input as a column: (N, C * kH * kW, L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {_shape_text(input.shape)}")
    kernel_size, dilation, padding, stride = (_pair_of(kernel_size), _pair_of(dilation), _pair_of(padding),
                                              _pair_of(stride))
    data = input._data if input.dim() == 4 else input._data[None]
    padded = pad_spatial(data, padding, padding)
    out_size = conv_out_size(padded.shape[2:], kernel_size, stride, dilation)
    if any(o < 1 for o in out_size):
        raise RuntimeError(f"Given input with spatial size {_shape_text(data.shape[2:])}, kernel_size="
                           f"{kernel_size}, dilation={dilation}, padding={padding}, calculated shape of the array "
                           f"of sliding blocks as {out_size}, but its components must be at least one.")
    columns = im2col(padded, kernel_size, stride, dilation, out_size)
    node = record(Im2ColBackward0, input)
    if node is not None:
        node.input_size, node.kernel_size, node.dilation = tuple(data.shape[2:]), kernel_size, dilation
        node.padding, node.stride = padding, stride
    return result(columns if input.dim() == 4 else columns[0], node)


class Col2ImBackward0(Node):
    __slots__ = ('kernel_size', 'dilation', 'padding', 'stride')

    def backward(self, grad):
        return (unfold(grad, self.kernel_size, self.dilation, self.padding, self.stride),)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of `unfold`: (N, C * kH * kW, L) columns summed into a (N, C, *output_size) image."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {_shape_text(input.shape)}")
    output_size, kernel_size, dilation, padding, stride = (_pair_of(output_size), _pair_of(kernel_size),
                                                           _pair_of(dilation), _pair_of(padding), _pair_of(stride))
    data = input._data if input.dim() == 3 else input._data[None]
    kernel_elements = math.prod(kernel_size)
    if data.shape[1] % kernel_elements:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={data.shape[1]} and kernel_size={kernel_size}")
    padded_size = tuple(o + 2 * p for o, p in zip(output_size, padding))
    blocks = conv_out_size(padded_size, kernel_size, stride, dilation)
    if data.shape[2] != math.prod(blocks):
        raise RuntimeError(f"Given output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, "
                           f"but got input.size(2)={data.shape[2]}.")
    image = col2im(data, data.shape[1] // kernel_elements, kernel_size, stride, dilation, blocks, padded_size)
    image = np.ascontiguousarray(crop_spatial(image, padding, output_size))
    node = record(Col2ImBackward0, input)
    if node is not None:
        node.kernel_size, node.dilation, node.padding, node.stride = kernel_size, dilation, padding, stride
    return result(image if input.dim() == 3 else image[0], node)
