"""Reductions: sum, mean, and the rest of the family. A reduction's backward broadcasts the
gradient back over the reduced dims (restoring them as size-1 dims first when keepdim=False)."""
import numpy as np

from .. import _dtype as dtypes
from ..autograd.graph import Node
from ._util import record, result, reduce_dims, numpy_dtype, write_out

__all__ = ['sum', 'mean', 'sum_to_size']
TENSOR_METHODS = ('sum', 'mean', 'sum_to_size')
INPLACE_METHODS = ()


def _restore_dims(grad, dims, keepdim):
    """Put back the reduced dims as size 1 so that `grad` broadcasts against the input."""
    if keepdim or dims is None:
        return grad
    shape = list(grad._data.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return grad.reshape(shape)


class SumBackward0(Node):
    """sum over all elements"""
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad.expand(self.self_sizes),)


class SumBackward1(Node):
    """sum over some dims"""
    __slots__ = ('self_sizes', 'dims', 'keepdim')

    def backward(self, grad):
        return (_restore_dims(grad, self.dims, self.keepdim).expand(self.self_sizes),)


def _sum_dtype(data, dtype):
    if dtype is not None:
        return numpy_dtype(dtype)
    # PyTorch sums bools and small ints as int64
    if data.dtype.kind in 'biu':
        return np.dtype(np.int64)
    return data.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over `dim` (an int or a tuple of ints)."""
    data = input._data
    dims = reduce_dims(dim, data.ndim) if dim is not None else None
    target = _sum_dtype(data, dtype)
    if dims is None and dim is None:
        value = np.asarray(data.sum(dtype=target))
        node = record(SumBackward0, input)
        if node is not None:
            node.self_sizes = data.shape
        return write_out(out, result(value, node))
    value = np.asarray(data.sum(axis=dims, dtype=target, keepdims=keepdim))
    node = record(SumBackward1, input)
    if node is not None:
        node.self_sizes, node.dims, node.keepdim = data.shape, dims, keepdim
    return write_out(out, result(value, node))


class MeanBackward0(Node):
    __slots__ = ('self_sizes', 'numel')

    def backward(self, grad):
        return ((grad / self.numel).expand(self.self_sizes),)


class MeanBackward1(Node):
    __slots__ = ('self_sizes', 'dims', 'keepdim', 'count')

    def backward(self, grad):
        return ((_restore_dims(grad, self.dims, self.keepdim) / self.count).expand(self.self_sizes),)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean of all elements, or over `dim`."""
    data = input._data
    if dtype is not None:
        data = data.astype(numpy_dtype(dtype))
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {dtypes._BY_NUMPY[data.dtype].name.capitalize()}")
    dims = reduce_dims(dim, data.ndim)
    with np.errstate(invalid='ignore', divide='ignore'):
        if dims is None:
            value = np.asarray(data.mean(), dtype=data.dtype) if data.size else np.asarray(np.nan, data.dtype)
            if keepdim and dim is not None:
                value = value.reshape((1,) * data.ndim)
            node = record(MeanBackward0, input)
            if node is not None:
                node.self_sizes, node.numel = data.shape, data.size
            return write_out(out, result(value, node))
        value = np.asarray(data.mean(axis=dims, keepdims=keepdim), dtype=data.dtype)
    node = record(MeanBackward1, input)
    if node is not None:
        count = 1
        for d in dims:
            count *= data.shape[d]
        node.self_sizes, node.dims, node.keepdim, node.count = data.shape, dims, keepdim, count
    return write_out(out, result(value, node))


class SumToSizeBackward0(Node):
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad.expand(self.self_sizes),)


def sum_to_size(input, *size):
    """Sum `input` down to `size`, a shape it broadcasts from: the gradient of broadcasting."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(size)
    data = input._data
    if data.shape == size:
        return input
    lead = data.ndim - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(data.shape)}}}.")
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and data.shape[lead + i] != 1)
    for i, s in enumerate(size):
        if s != 1 and s != data.shape[lead + i]:
            raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(data.shape)}}}.")
    value = data.sum(axis=axes, keepdims=True) if axes else data
    value = value.reshape(size)
    node = record(SumToSizeBackward0, input)
    if node is not None:
        node.self_sizes = data.shape
    return result(np.ascontiguousarray(value) if value is data else value, node)
