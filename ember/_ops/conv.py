"""Convolution (1-, 2- and 3-d, plain and transposed) and its two halves, im2col (`unfold`) and
col2im (`fold`).

One N-d implementation serves every spatial rank:
- im2col: every kernel window of the zero-padded input is a strided view (no copy); laid out as a
  matrix (N, C * kernel elements, output positions) it turns the convolution into one batched GEMM
  with the weight matrix (out_channels, C * kernel elements) — per group, batched over the groups.
- col2im is its adjoint: each column of a (N, C * kernel elements, positions) matrix is added back
  into the window it came from. That is a sum over the kernel offsets (k^d strided-slice adds).
- A transposed convolution is col2im of `weight^T @ input`, and it is exactly the gradient of a
  convolution with respect to its input; the gradient of a transposed convolution with respect to
  its input is in turn a convolution. The weight gradient is itself a convolution of the input with
  the output gradient (stride and dilation swap roles). So `ConvolutionBackward0` is written with
  `_convolution` itself, and higher-order gradients come for free.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, result, wrap

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


def im2col(padded, kernel_size, stride, dilation, out_size):
    """(N, C, *spatial) -> the (N, C * prod(kernel_size), prod(out_size)) matrix of its windows."""
    nd = len(kernel_size)
    windows = window_views(padded, kernel_size, stride, dilation, out_size)  # (N, C, *out, *k)
    order = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    return windows.transpose(order).reshape(padded.shape[0], -1, math.prod(out_size))


def col2im(columns, channels, kernel_size, stride, dilation, out_size, padded_size):
    """The adjoint of `im2col`: (N, C * prod(kernel_size), prod(out_size)) columns summed back into
    a zero (N, C, *padded_size) array, one strided-slice add per kernel offset."""
    blocks = columns.reshape((columns.shape[0], channels) + tuple(kernel_size) + tuple(out_size))
    image = np.zeros((columns.shape[0], channels) + tuple(padded_size), dtype=columns.dtype)
    for offset in np.ndindex(*kernel_size):
        image[offset_slices(offset, stride, dilation, out_size)] += blocks[(slice(None), slice(None)) + offset]
    return image


def _conv_forward(x, weight, stride, pad_before, pad_after, dilation, groups):
    """(N, C, *S) conv (O, C/groups, *k) -> (N, O, *out): im2col + one GEMM batched over groups."""
    kernel_size = weight.shape[2:]
    padded = pad_spatial(x, pad_before, pad_after)
    out_size = conv_out_size(padded.shape[2:], kernel_size, stride, dilation)
    columns = im2col(padded, kernel_size, stride, dilation, out_size)  # (N, C*K, L)
    n, out_channels = x.shape[0], weight.shape[0]
    if groups == 1:  # one (O, C*K) x (C*K, N*L) GEMM; a batched matmul over N is much slower in NumPy
        output = np.tensordot(weight.reshape(out_channels, -1), columns, axes=([1], [1])).transpose(1, 0, 2)
        return np.ascontiguousarray(output).reshape((n, out_channels) + out_size)
    weight_matrix = weight.reshape(groups, out_channels // groups, -1)
    output = np.matmul(weight_matrix, columns.reshape(n, groups, weight_matrix.shape[2], -1))
    return output.reshape((n, out_channels) + out_size)


def _conv_transpose_forward(x, weight, stride, pad_before, pad_after, dilation, output_padding, groups):
    """(N, C, *S) transposed conv (C, O/groups, *k) -> (N, O, *out): GEMM to columns, then col2im."""
    n, in_channels = x.shape[:2]
    in_size, kernel_size = x.shape[2:], weight.shape[2:]
    group_channels = in_channels // groups
    out_channels = weight.shape[1] * groups
    weight_t = weight.reshape(groups, group_channels, -1).transpose(0, 2, 1)  # (G, O/G * K, C/G)
    columns = np.matmul(weight_t, x.reshape(n, groups, group_channels, -1))   # (N, G, O/G * K, L)
    full = tuple((i - 1) * s + d * (k - 1) + 1 for i, k, s, d in zip(in_size, kernel_size, stride, dilation))
    out_size = tuple(f - b - a + p for f, b, a, p in zip(full, pad_before, pad_after, output_padding))
    # output_padding may reach past the last window: those positions get no contribution
    image_size = tuple(max(f, b + o) for f, b, o in zip(full, pad_before, out_size))
    image = col2im(columns.reshape(n, -1, math.prod(in_size)), out_channels, kernel_size, stride, dilation,
                   in_size, image_size)
    return np.ascontiguousarray(crop_spatial(image, pad_before, out_size))


# ---- the differentiable op -----------------------------------------------------------------------
class ConvolutionBackward0(Node):
    __slots__ = ('stride', 'pad_before', 'pad_after', 'dilation', 'transposed', 'groups')

    def backward(self, grad):
        input, weight = self.saved_tensors
        stride, pad_before, pad_after, dilation, groups = (self.stride, self.pad_before, self.pad_after,
                                                           self.dilation, self.groups)
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad(0):
            if self.transposed:  # the adjoint of a transposed convolution is the convolution
                grad_input = _convolution(grad, weight, None, stride, pad_before, pad_after, dilation, False,
                                          None, groups)
            else:
                # the transposed convolution, with the rows/cols the forward's floor dropped added back
                kernel_size = weight.shape[2:]
                reached = [(o - 1) * s + d * (k - 1) + 1 - b - a for o, k, s, d, b, a in
                           zip(grad.shape[2:], kernel_size, stride, dilation, pad_before, pad_after)]
                output_padding = tuple(i - r for i, r in zip(input.shape[2:], reached))
                grad_input = _convolution(grad, weight, None, stride, pad_before, pad_after, dilation, True,
                                          output_padding, groups)
        if self.needs_input_grad(1):
            # weight[o, c, j] meets input[c, p*stride + j*dilation] and grad[o, p]: a convolution over p
            image, response = (grad, input) if self.transposed else (input, grad)
            # create_graph needs the differentiable form; a plain backward takes the direct GEMM
            weight_grad = _weight_grad if GradMode.enabled else _weight_grad_gemm
            grad_weight = weight_grad(image, response, weight.shape[2:], stride, pad_before, pad_after, dilation,
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


def _weight_grad_gemm(image, response, kernel_size, stride, pad_before, pad_after, dilation, groups):
    """The same sum as `_weight_grad` as one GEMM per group of im2col(image) with the response."""
    columns = im2col(pad_spatial(image._data, pad_before, pad_after), kernel_size, stride, dilation,
                     response.shape[2:])  # (N, C*K, L)
    n, length = columns.shape[0], columns.shape[2]
    columns = columns.reshape(n, groups, -1, length)
    response = response._data.reshape(n, groups, -1, length)
    # one GEMM over (n, l) per group (einsum hands it to BLAS; a batched matmul over N is far slower)
    grad_weight = np.concatenate([np.einsum('nol,nkl->ok', response[:, g], columns[:, g], optimize=True)
                                  for g in range(groups)])
    return wrap(grad_weight.reshape((grad_weight.shape[0], -1) + tuple(kernel_size)))


def _convolution(input, weight, bias, stride, pad_before, pad_after, dilation, transposed, output_padding,
                 groups):
    """The one convolution op (batched input, arguments already checked and expanded per dim)."""
    if transposed:
        data = _conv_transpose_forward(input._data, weight._data, stride, pad_before, pad_after, dilation,
                                       output_padding, groups)
    else:
        data = _conv_forward(input._data, weight._data, stride, pad_before, pad_after, dilation, groups)
    if bias is not None:
        data += bias._data.reshape((-1,) + (1,) * (data.ndim - 2))
    node = record(ConvolutionBackward0, input, weight, bias)
    if node is not None:
        node.save_for_backward(input, weight)
        node.stride, node.pad_before, node.pad_after, node.dilation = stride, pad_before, pad_after, dilation
        node.transposed, node.groups = transposed, groups
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
          output_padding=0):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op_name}, but got "
                           f"input of size: {_shape_text(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions")
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
    return _conv(1, 'conv1d', input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) of (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW)."""
    return _conv(2, 'conv2d', input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) of (N, C_in, D, H, W) with weight (C_out, C_in/groups, kD, kH, kW)."""
    return _conv(3, 'conv3d', input, weight, bias, stride, padding, dilation, groups)


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
