"""Copies and dtype conversions: `clone`, `contiguous`, `to`, `type`, `copy_`."""
import numpy as np

from .. import _dtype as dtypes
from ..autograd.graph import Node
from .._tensor import Tensor
from ._util import record, result

__all__ = ['clone', 'contiguous', 'to', 'type_as', 'copy_']
TENSOR_METHODS = ('clone', 'contiguous', 'to', 'type', 'type_as')
INPLACE_METHODS = ()

_LEGACY_TYPES = {
    'torch.FloatTensor': dtypes.float32, 'torch.DoubleTensor': dtypes.float64, 'torch.HalfTensor': dtypes.float16,
    'torch.LongTensor': dtypes.int64, 'torch.IntTensor': dtypes.int32, 'torch.ShortTensor': dtypes.int16,
    'torch.CharTensor': dtypes.int8, 'torch.ByteTensor': dtypes.uint8, 'torch.BoolTensor': dtypes.bool,
}
_TYPE_NAMES = {d: name for name, d in _LEGACY_TYPES.items()}


class CloneBackward0(Node):
    def backward(self, grad):
        return (grad,)


def clone(input, *, memory_format=None):
    """A copy with its own memory, still connected to the graph."""
    return result(input._data.copy(), record(CloneBackward0, input))


def contiguous(input, memory_format=None):
    """The tensor itself if its memory is C-ordered, else a C-ordered copy."""
    if input._data.flags.c_contiguous:
        return input
    return result(np.ascontiguousarray(input._data), record(CloneBackward0, input))


class ToCopyBackward0(Node):
    __slots__ = ('self_dtype',)

    def backward(self, grad):
        return (to(grad, self.self_dtype),)


def _cast(input, target, copy=False):
    """`input` as NumPy dtype `target` (the tensor itself when nothing changes and copy is False)."""
    if input._data.dtype == target and not copy:
        return input
    node = record(ToCopyBackward0, input)
    if node is not None:
        if target.kind not in 'fc':
            node = None  # integer results can't carry gradients
        else:
            node.self_dtype = dtypes._BY_NUMPY[input._data.dtype]
    return result(input._data.astype(target), node)


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other_tensor)`; ember only has the CPU."""
    from ..cuda import _check_device
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None:
            _check_device(a)
    if device is not None:
        _check_device(device)
    if dtype is None:
        return input if not copy else clone(input)
    return _cast(input, dtypes.to_numpy_dtype(dtype), copy)


def type(input, dtype=None, non_blocking=False, **kwargs):
    """`t.type()` names the legacy tensor type ('torch.FloatTensor'); `t.type(x)` converts."""
    if dtype is None:
        return _TYPE_NAMES[input.dtype]
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


