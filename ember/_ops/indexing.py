"""Indexing: `t[...]`, `t[...] = v`, and the gather/scatter family.

Basic indexing (ints, slices, None, ...) gives views, recorded as PyTorch records them: one
select/slice/unsqueeze node per index component. Advanced indexing (index tensors, masks, lists)
copies, like NumPy's fancy indexing, whose rules PyTorch follows.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import Tensor
from ..autograd.grad_mode import GradMode
from ._util import record, result, wrap, wrap_dim
from . import view as views

__all__ = ['index_put', 'index_put_']
TENSOR_METHODS = ('index_put',)
INPLACE_METHODS = ()


# ---- turning an index into NumPy's terms ---------------------------------------------------------
def _normalize_key(index):
    """Return (components tuple, is_basic)."""
    if not isinstance(index, tuple):
        index = (index,)
    basic = True
    parts = []
    for item in index:
        if isinstance(item, Tensor):
            data = item._data
            if data.dtype.kind not in 'biu':
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            parts.append(data)
            basic = False
        elif isinstance(item, (list, np.ndarray)):
            arr = np.asarray([x.item() if isinstance(x, Tensor) else x for x in item]
                             if isinstance(item, list) else item)
            if arr.dtype.kind == 'f':
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            parts.append(arr)
            basic = False
        elif isinstance(item, (bool, np.bool_)):
            parts.append(np.asarray(item))
            basic = False
        elif isinstance(item, (int, np.integer)):
            parts.append(int(item))
        elif item is None or item is Ellipsis or isinstance(item, slice):
            if isinstance(item, slice):
                item = slice(_index_value(item.start), _index_value(item.stop), _index_value(item.step))
                if item.step is not None and item.step <= 0:
                    raise ValueError("step must be greater than zero")
            parts.append(item)
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             "are valid indices (got " + type(item).__name__ + ")")
    return tuple(parts), basic


def _index_value(v):
    if isinstance(v, Tensor):
        return int(v.item())
    return v


def _numpy_index(data, key):
    try:
        return data[key]
    except IndexError as e:
        raise IndexError(str(e).replace('axis', 'dimension')) from None


# ---- reading ---------------------------------------------------------------------------------------
def getitem(input, index):
    key, basic = _normalize_key(index)
    if basic:
        if not (GradMode.enabled and input._requires_grad):
            if Ellipsis not in key:
                key += (Ellipsis,)  # so that NumPy returns a 0-d view rather than a scalar copy
            return views.make_view(input, _numpy_index(input._data, key), None, getitem, index)
        return _basic_index_recorded(input, key)
    data = _numpy_index(input._data, key)
    node = record(IndexBackward0, input)
    if node is not None:
        node.self_sizes, node.key = input._data.shape, key
    return result(np.array(data, copy=True) if np.may_share_memory(data, input._data) else data, node)


def _basic_index_recorded(input, key):
    """Apply a basic index one component at a time, as PyTorch records it."""
    ndim = input._data.ndim
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out, dim = input, 0
    for k in key:
        if k is Ellipsis:
            dim += ndim - consumed
        elif k is None:
            out = views.unsqueeze(out, dim)
            dim += 1
        elif isinstance(k, int):
            out = views.select(out, dim, k)
        else:
            if not (k.start in (None, 0) and k.stop is None and k.step in (None, 1)):
                size = out._data.shape[dim]
                start, stop, step = k.indices(size)
                out = views.slice_dim(out, dim, start, max(stop, start), step)
            dim += 1
    if out is input:  # x[:] and x[...] are views too
        out = views.make_view(input, input._data.view(), record(views.AliasBackward0, input), getitem, key)
    return out


class IndexBackward0(Node):
    __slots__ = ('self_sizes', 'key')

    def backward(self, grad):
        from .._creation import zeros
        return (index_put(zeros(self.self_sizes, dtype=grad.dtype), self.key, grad, accumulate=True),)


# ---- writing -----------------------------------------------------------------------------------------
def setitem(input, index, value):
    """`input[index] = value`: a view and `copy_` for basic indices, `index_put_` otherwise."""
    key, basic = _normalize_key(index)
    recording = GradMode.enabled and (input._requires_grad or getattr(value, '_requires_grad', False))
    if not recording:
        data = input._data
        source = value._data if isinstance(value, Tensor) else value
        try:
            data[key] = source
        except IndexError as e:
            raise IndexError(str(e).replace('axis', 'dimension')) from None
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(source))} cannot be "
                               f"broadcast to indexing result of shape {list(np.shape(data[key]))}") from e
        input._version[0] += 1
        return
    if not isinstance(value, Tensor):
        value = wrap(np.asarray(value, dtype=input._data.dtype))
    if basic:
        getitem(input, index).copy_(value)
    else:
        input._inplace(index_put, key, value)


class IndexPutBackward0(Node):
    __slots__ = ('key', 'accumulate')

    def backward(self, grad):
        grad_input = grad_values = None
        if self.needs_input_grad(0):
            grad_input = grad if self.accumulate else index_put(grad, self.key, 0 * grad[self.key], False)
        if self.needs_input_grad(1):
            grad_values = getitem(grad, self.key)
        return grad_input, grad_values


def index_put(input, indices, values, accumulate=False):
    """A copy of `input` with `values` written (or added, with `accumulate`) at `indices`."""
    key = indices if isinstance(indices, tuple) and not any(isinstance(k, Tensor) for k in indices) \
        else _normalize_key(tuple(indices))[0]
    out = input._data.copy()
    vals = values._data if isinstance(values, Tensor) else np.asarray(values, dtype=out.dtype)
    if accumulate:
        np.add.at(out, key, vals.astype(out.dtype, copy=False))
    else:
        out[key] = vals
    node = record(IndexPutBackward0, input, values)
    if node is not None:
        node.key, node.accumulate = key, accumulate
    return result(out, node)


def index_put_(input, indices, values, accumulate=False):
    return input._inplace(index_put, indices, values, accumulate)


class SliceScatterBackward0(Node):
    __slots__ = ('dim', 'key')

    def backward(self, grad):
        region = getitem(grad, (slice(None),) * self.dim + (self.key,))
        zeroed = slice_scatter_like(grad, region * 0, self.dim, self.key) if self.needs_input_grad(0) else None
        return zeroed, region


def slice_scatter_like(input, src, dim, key):
    """A copy of `input` with `src` written at position `key` (an int or a slice) along `dim`.
    The backward of select and slice; differentiable in both arguments for double backward."""
    out = input._data.copy()
    out[(slice(None),) * dim + (key,)] = src._data
    node = record(SliceScatterBackward0, input, src)
    if node is not None:
        node.dim, node.key = dim, key
    return result(out, node)
