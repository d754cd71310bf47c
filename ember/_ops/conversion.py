"""Copies and dtype conversions: `clone`, `contiguous`, `to`, `type`, `copy_`; memory formats.

A memory format is an order of a tensor's dims in memory. NumPy arrays have strides, so ember's
tensors really are laid out in the format asked for, and `stride()` reports it as PyTorch does: a
(1, 2, 3, 4) tensor in `channels_last` is stored as (1, 3, 4, 2), with strides (24, 1, 8, 2).
"""
import functools
import warnings

import numpy as np

from .. import _dtype as dtypes
from ..autograd.graph import Node
from .._tensor import Tensor, _scalar_type_name
from ._util import record, result
from .random import in_memory_order
from .complex import real

__all__ = ['clone', 'contiguous', 'to', 'type_as', 'copy_']
TENSOR_METHODS = ('clone', 'contiguous', 'to', 'type', 'type_as')
INPLACE_METHODS = ()

_LEGACY_TYPES = {
    'torch.FloatTensor': dtypes.float32, 'torch.DoubleTensor': dtypes.float64, 'torch.HalfTensor': dtypes.float16,
    'torch.LongTensor': dtypes.int64, 'torch.IntTensor': dtypes.int32, 'torch.ShortTensor': dtypes.int16,
    'torch.CharTensor': dtypes.int8, 'torch.ByteTensor': dtypes.uint8, 'torch.BoolTensor': dtypes.bool,
}


class memory_format:
    """How a new tensor's elements are ordered in memory: `contiguous_format` (row-major),
    `channels_last` (a 4-d NCHW tensor stored as NHWC: each position's channels side by side, the
    order convolution kernels prefer), `channels_last_3d` (NCDHW stored as NDHWC), or
    `preserve_format` (the order the input already has)."""
    __module__ = 'ember'  # prints and pickles under its public name, as torch.memory_format

    def __init__(self, name, dims_in_memory=None):
        self.name = name
        self.dims_in_memory = dims_in_memory  # outermost first; None: row-major (or, preserve, the input's)

    def __repr__(self):
        return 'ember.' + self.name

    def __reduce__(self):
        return self.name  # the one instance of that name


contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last', (0, 2, 3, 1))
channels_last_3d = memory_format('channels_last_3d', (0, 2, 3, 4, 1))


def check_memory_format(value, op_name):
    if value is not None and not isinstance(value, memory_format):
        raise TypeError(f"{op_name}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{value.__class__.__name__}")


def is_laid_out(data, memory_format):
    """Whether the array `data` is stored as `memory_format` orders it (`is_contiguous(memory_format=...)`)."""
    order = memory_format.dims_in_memory
    if order is None:
        return data.flags.c_contiguous
    # (NumPy's flag ignores the strides of size-1 dims, as PyTorch's channels-last check does)
    return data.ndim == len(order) and data.transpose(order).flags.c_contiguous


def suggest_memory_format(data):
    """The format PyTorch reads from a tensor's strides: channels_last (channels_last_3d) when a 4-d
    (5-d) tensor's strides grow in NHWC (NDHWC) order, else contiguous_format. Ambiguous strides of
    size-1 dims count as contiguous, as in PyTorch."""
    for candidate in (channels_last, channels_last_3d):
        order = candidate.dims_in_memory
        if data.ndim == len(order) and data.strides[1] != 0:
            smallest = 0
            for d in reversed(order):  # innermost (the channels) first
                stride = data.strides[d]
                if data.shape[d] == 0 or stride < smallest or (d == 0 and smallest == data.strides[1]):
                    break
                smallest = stride * max(data.shape[d], 1)
            else:
                return candidate
    return contiguous_format


def new_laid_out(shape, memory_format, make):
    """`make(shape)` (np.empty, np.zeros, ... of a shape) laid out as `memory_format` orders the dims."""
    order = memory_format.dims_in_memory if memory_format is not None else None
    if order is None:
        if memory_format is preserve_format:
            raise RuntimeError("unsupported memory format Preserve")
        return make(tuple(shape))
    if len(shape) != len(order):
        raise RuntimeError(f"required rank {len(order)} tensor to use {memory_format.name} format")
    return make(tuple(shape[d] for d in order)).transpose(np.argsort(order))


def like_laid_out(data, memory_format, make):
    """`make(shape)` shaped like `data` and laid out as `memory_format` says; by default (preserve_format)
    in `data`'s own memory order, as PyTorch's `empty_like`."""
    if memory_format is None or memory_format is preserve_format:
        return in_memory_order(data, make)
    return new_laid_out(data.shape, memory_format, make)


def _copy_laid_out(data, memory_format, dtype=None):
    empty = functools.partial(np.empty, dtype=data.dtype if dtype is None else dtype)
    copy = like_laid_out(data, memory_format, empty)
    np.copyto(copy, data, casting='unsafe')
    return copy


class CloneBackward0(Node):
    def backward(self, grad):
        return (grad,)


def clone(input, *, memory_format=None):
    """A copy with its own memory, still connected to the graph; laid out as the input is unless
    `memory_format` says otherwise (PyTorch's preserve_format)."""
    check_memory_format(memory_format, 'clone')
    return result(_copy_laid_out(input._data, memory_format), record(CloneBackward0, input))


def contiguous(input, memory_format=None):
    """The tensor itself if its memory is C-ordered (or laid out as `memory_format` says), else such a copy."""
    check_memory_format(memory_format, 'contiguous')
    if memory_format is None or memory_format.dims_in_memory is None:  # (preserve_format: is it row-major?)
        if input._data.flags.c_contiguous:
            return input
        if memory_format is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        return result(np.ascontiguousarray(input._data), record(CloneBackward0, input))
    if is_laid_out(input._data, memory_format):
        return input
    return result(_copy_laid_out(input._data, memory_format), record(CloneBackward0, input))


class ToCopyBackward0(Node):
    __slots__ = ('self_dtype',)

    def backward(self, grad):
        if grad._data.dtype.kind == 'c' and not self.self_dtype.is_complex:
            grad = real(grad)  # a real input made complex gets the real part (PyTorch's handle_r_to_c)
        return (to(grad, self.self_dtype),)


def _cast(input, target, copy=False, memory_format=None):
    """`input` as NumPy dtype `target`, laid out as `memory_format` says (by default as the input is);
    the tensor itself when nothing changes and copy is False."""
    data = input._data
    # as PyTorch: a copy unless the format asked for is the one the strides suggest
    relayout = memory_format is not None and memory_format is not preserve_format \
        and suggest_memory_format(data) is not memory_format
    if data.dtype == target and not copy and not relayout:
        return input
    node = record(ToCopyBackward0, input)
    if node is not None:
        if target.kind not in 'fc':
            node = None  # integer results can't carry gradients
        else:
            node.self_dtype = dtypes._BY_NUMPY[data.dtype]
    if data.dtype.kind == 'c' and target.kind != 'c':
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
        data = data.real  # (NumPy would warn too, with its own ComplexWarning)
    # (astype keeps the memory order of the input, as PyTorch's preserve_format does)
    return result(_copy_laid_out(data, memory_format, target) if relayout else data.astype(target), node)


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other_tensor)`, `to(memory_format=...)`;
    ember only has the CPU."""
    from ..cuda import _check_device
    check_memory_format(memory_format, 'to')
    for a in args:
        if isinstance(a, dtypes.dtype) or a is float or a is int or a is bool:  # to(float): float64
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None:
            _check_device(a)
    if device is not None:
        _check_device(device)
    if dtype is None:
        return _cast(input, input._data.dtype, copy, memory_format)
    return _cast(input, dtypes.to_numpy_dtype(dtype), copy, memory_format)


def type(input, dtype=None, non_blocking=False, **kwargs):
    """`t.type()` names the legacy tensor type ('torch.FloatTensor'); `t.type(x)` converts."""
    if dtype is None:
        return f"torch.{_scalar_type_name(input._data.dtype)}Tensor"  # (torch.ComplexFloatTensor, torch.UInt16Tensor)
    if isinstance(dtype, str):
        if dtype.startswith('torch.cuda.'):
            from ..cuda import _cuda_unavailable
            raise _cuda_unavailable()
        if dtype not in _LEGACY_TYPES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _LEGACY_TYPES[dtype]
    elif hasattr(dtype, '_ember_dtype'):
        dtype = dtype._ember_dtype
    return _cast(input, dtypes.to_numpy_dtype(dtype))


def type_as(input, other):
    return _cast(input, other._data.dtype)


class CopyBackwards(Node):
    __slots__ = ('src_dtype',)

    def backward(self, grad):
        return grad * 0, to(grad, self.src_dtype)


def _copy_result(input, src):
    """The value `input.copy_(src)` leaves behind, as an op for the in-place machinery."""
    data = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        value = np.broadcast_to(data, input._data.shape).astype(input._data.dtype)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({input._data.shape[-1] if input._data.ndim else 1}) must match "
                           f"the size of tensor b ({data.shape[-1] if data.ndim else 1}) at non-singleton dimension "
                           f"{max(input._data.ndim - 1, 0)}") from None
    node = record(CopyBackwards, input, src)
    if node is not None:
        node.src_dtype = dtypes._BY_NUMPY[data.dtype]
    return result(value, node)


def copy_(input, src, non_blocking=False):
    """Copy `src` (broadcast, converted) into `input`'s memory."""
    return input._inplace(_copy_result, src)


def view_as_dtype(input, dtype):
    """`t.view(dtype)`: reinterpret the same bytes as another dtype."""
    from .view import make_view
    return make_view(input, input._data.view(dtypes.to_numpy_dtype(dtype)), None, view_as_dtype, dtype)


