"""Indexing: `t[...]`, `t[...] = v`, and the gather/scatter family.

Basic indexing (ints, slices, None, ...) gives views, recorded as PyTorch records them: one
select/slice/unsqueeze node per index component. Advanced indexing (index tensors, masks, lists)
copies, like NumPy's fancy indexing, whose rules PyTorch follows.
"""
import warnings

import numpy as np

from .. import _dtype as dtypes
from .. import _warnings
from ..autograd.graph import Node
from .._tensor import Tensor, _scalar_type_name
from ..autograd.grad_mode import GradMode
from ._util import record, result, wrap, wrap_dim, write_out, binary_operands, broadcast_error
from . import view as views

__all__ = ['index_put', 'index_put_', 'index_select', 'masked_select', 'masked_fill', 'masked_scatter', 'gather',
           'scatter', 'scatter_add', 'scatter_reduce', 'index_add', 'index_copy', 'index_fill', 'take',
           'take_along_dim', 'put', 'where', 'nonzero', 'argwhere', 'diagonal_scatter', 'select_scatter',
           'slice_scatter', 'index_reduce']
TENSOR_METHODS = ('index_put', 'index_select', 'masked_select', 'masked_fill', 'masked_scatter', 'gather', 'scatter',
                  'scatter_add', 'scatter_reduce', 'index_add', 'index_copy', 'index_fill', 'take', 'take_along_dim',
                  'put', 'nonzero', 'argwhere', 'diagonal_scatter', 'select_scatter', 'slice_scatter', 'index_reduce')
INPLACE_METHODS = ('masked_fill', 'masked_scatter', 'scatter', 'scatter_add', 'scatter_reduce', 'index_add',
                   'index_copy', 'index_fill', 'put', 'index_reduce')


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
            if data.dtype == np.uint8:  # PyTorch still reads a byte tensor as a mask, with a warning
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                              "instead.", UserWarning, stacklevel=4)
                data = data.astype(np.bool_)
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
        raise _index_error(data, key, e) from None


def _index_error(data, key, error):
    """NumPy's IndexError in PyTorch's words."""
    message = str(error)
    if message.startswith('too many indices'):
        first = next((k for k in key if k is not None and k is not Ellipsis), None)
        if data.ndim == 0 and isinstance(first, int):
            message = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                       "to convert a 0-dim tensor to a number")
        elif data.ndim == 0 and isinstance(first, slice):
            message = "slice() cannot be applied to a 0-dim tensor."
        else:
            message = f"too many indices for tensor of dimension {data.ndim}"
    return IndexError(message.replace('axis', 'dimension'))


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
    if isinstance(index, Tensor) and index._data.dtype == np.uint8 and not isinstance(value, Tensor):
        # PyTorch hands `t[byte_mask] = number` to masked_fill_, which takes bool masks only
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    key, basic = _normalize_key(index)
    recording = GradMode.enabled and (input._requires_grad or getattr(value, '_requires_grad', False))
    if not recording:
        data = input._data
        source = value._data if isinstance(value, Tensor) else value
        try:
            data[key] = source
        except IndexError as e:
            raise _index_error(data, key, e) from None
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(source))} cannot be "
                               f"broadcast to indexing result of shape {list(np.shape(data[key]))}") from e
        input._version_counter[0] += 1
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


def select_scatter(input, src, dim, index):
    """A copy of `input` with `src` written as the slice at `index` along `dim`."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    return slice_scatter_like(input, src, d, index % size)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of `input` with `src` written at `start:end:step` along `dim`."""
    return slice_scatter_like(input, src, wrap_dim(dim, input._data.ndim), slice(start, end, step))


class DiagonalScatterBackward0(Node):
    __slots__ = ('offset', 'dim1', 'dim2')

    def backward(self, grad):
        grad_input = diagonal_scatter(grad, views.diagonal(grad, self.offset, self.dim1, self.dim2) * 0,
                                      self.offset, self.dim1, self.dim2) if self.needs_input_grad(0) else None
        return grad_input, views.diagonal(grad, self.offset, self.dim1, self.dim2)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of `input` with `src` written on its diagonal (the backward of `diagonal`)."""
    out = input._data.copy()
    region = np.diagonal(out, offset, dim1, dim2)
    region.setflags(write=True)  # NumPy hands out diagonals read-only; this one is our own copy
    region[...] = src._data
    node = record(DiagonalScatterBackward0, input, src)
    if node is not None:
        node.offset, node.dim1, node.dim2 = offset, dim1, dim2
    return result(out, node)


# ---- index checks shared by the ops below ---------------------------------------------------------
def _int_index(index, refusal, allow_int32=True, error=RuntimeError):
    """The NumPy array of an index tensor, which must hold int64 (or int32, where the op allows it); else
    `error` with the op's own message `refusal` (PyTorch words it per op), in which {dtype} is the index's."""
    data = index._data
    if data.dtype != np.int64 and not (allow_int32 and data.dtype == np.int32):
        raise error(refusal.format(dtype=_scalar_type_name(data.dtype)))
    return data


def _check_range(index, low, size, dim, error=RuntimeError):
    """PyTorch checks every index value; NumPy would silently wrap negative ones."""
    if index.size:
        low_value, high_value = index.min(), index.max()
        if low_value < low or high_value >= size:
            bad = low_value if low_value < low else high_value
            raise error(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _along(dim, index):
    """The NumPy key that picks `index` along `dim` and everything along the other dims."""
    return (slice(None),) * dim + (index,)


def _same_dtype(input, other, message):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(message.format(self=_scalar_type_name(input._data.dtype),
                                          other=_scalar_type_name(other._data.dtype)))


# ---- index_select / index_add / index_copy / index_fill: whole slices along one dim -------------
class IndexSelectBackward0(Node):
    __slots__ = ('self_sizes', 'dim')

    def backward(self, grad):
        from .._creation import zeros
        index, = self.saved_tensors
        return (index_add(zeros(self.self_sizes, dtype=grad.dtype), self.dim, index, grad),)


def index_select(input, dim, index, *, out=None):
    """The slices of `input` at positions `index` (a 1-d integer tensor) along `dim`."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    positions = _int_index(index, "index_select(): Expected dtype int32 or int64 for index")
    if positions.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    positions = positions.reshape(-1)
    size = data.shape[d] if data.ndim else 1
    if positions.size and (positions.min() < 0 or positions.max() >= size):
        raise IndexError("index out of range in self")
    value = np.take(data, positions, axis=d) if data.ndim else data.reshape(1)[positions].reshape(())
    node = record(IndexSelectBackward0, input)
    if node is not None:
        node.self_sizes, node.dim = data.shape, d
        node.save_for_backward(index)  # as PyTorch: changing the index in place before backward is an error
    return write_out(out, result(value, node))


def _check_source(input, d, positions, source, op_name):
    shape, source_shape = input._data.shape, source._data.shape
    expected = shape[:d] + (positions.size,) + shape[d + 1:] if shape else ()
    if source_shape != expected and not (source._data.size == positions.size == 1 and len(shape) <= 1):
        raise RuntimeError(f"{op_name}: source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(shape)} source.shape = {list(source_shape)}")


class IndexAddBackward0(Node):
    __slots__ = ('dim', 'alpha', 'source_sizes')

    def backward(self, grad):
        grad_source = None
        if self.needs_input_grad(1):
            index, _ = self.saved_tensors
            grad_source = index_select(grad, self.dim, index).reshape(self.source_sizes)
            if self.alpha != 1:
                grad_source = grad_source * self.alpha
        return grad, grad_source


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of `input` with `alpha * source` added at positions `index` along `dim`
    (repeated positions add up)."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    positions = _int_index(index, "index_add_(): Expected dtype int32/int64 for index but got: {dtype}").reshape(-1)
    _same_dtype(input, source, "index_add_(): self ({self}) and source ({other}) must have the same scalar type")
    _check_source(input, d, positions, source, 'index_add_()')
    size = data.shape[d] if data.ndim else 1
    if data.ndim <= 1 and positions.size and (positions.min() < 0 or positions.max() >= size):
        raise IndexError("index out of range in self")
    _check_range(positions, 0, size, d)
    value = data.copy()
    added = source._data if alpha == 1 else source._data * alpha
    if data.ndim:
        np.add.at(value, _along(d, positions), added)
    else:
        value += added.sum(dtype=data.dtype)
    node = record(IndexAddBackward0, input, source)
    if node is not None:
        node.dim, node.alpha, node.source_sizes = d, alpha, source._data.shape
        # only the source's gradient reads the index, and the source (its `expand_as`): PyTorch keeps them then
        if node.needs_input_grad(1):
            node.save_for_backward(index, source)
    return write_out(out, result(value, node))


class IndexCopyBackward0(Node):
    __slots__ = ('dim', 'source_sizes')

    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = index_fill(grad, self.dim, index, 0) if self.needs_input_grad(0) else None
        grad_source = index_select(grad, self.dim, index).reshape(self.source_sizes) \
            if self.needs_input_grad(1) else None
        return grad_input, grad_source


def index_copy(input, dim, index, source, *, out=None):
    """A copy of `input` whose slices at positions `index` along `dim` are replaced by `source`'s."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    positions = _int_index(index, "index_copy_(): Expected a long tensor for index, but got {dtype}",
                           allow_int32=False).reshape(-1)
    _same_dtype(input, source, "index_copy_(): self and source expected to have the same dtype, but got (self) "
                               "{self} and (source) {other}")
    _check_source(input, d, positions, source, 'index_copy_()')
    size = data.shape[d] if data.ndim else 1
    if positions.size and (positions.min() < 0 or positions.max() >= size):
        bad = positions.min() if positions.min() < 0 else positions.max()
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {size}")
    value = data.copy()
    if data.ndim:
        value[_along(d, positions)] = source._data
    else:
        value[()] = source._data.reshape(())
    node = record(IndexCopyBackward0, input, source)
    if node is not None:
        node.dim, node.source_sizes = d, source._data.shape
        node.save_for_backward(index)
    return write_out(out, result(value, node))


class IndexFillBackward0(Node):
    """index_fill with a number"""
    __slots__ = ('dim',)

    def backward(self, grad):
        index, = self.saved_tensors
        return (index_fill(grad, self.dim, index, 0),)


class IndexFillBackward1(Node):
    """index_fill with a 0-d tensor value: the value receives the gradient of every filled element once"""
    __slots__ = ('dim',)

    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = index_fill(grad, self.dim, index, 0) if self.needs_input_grad(0) else None
        grad_value = None
        if self.needs_input_grad(1):
            unique = wrap(np.unique(index._data))
            grad_value = index_select(grad, self.dim, unique).sum()
        return grad_input, grad_value


def index_fill(input, dim, index, value):
    """A copy of `input` with its slices at positions `index` along `dim` set to `value`."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    positions = _int_index(index, "index_fill_(): Expected dtype int64 for index.", allow_int32=False,
                           error=IndexError).reshape(-1)
    size = data.shape[d] if data.ndim else 1
    _check_range(positions, -size, size, d, IndexError)
    value_is_tensor = isinstance(value, Tensor)
    if value_is_tensor and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    out = data.copy()
    fill = np.asarray(value._data if value_is_tensor else value).astype(data.dtype)
    if data.ndim:
        out[_along(d, positions)] = fill
    elif positions.size:
        out[()] = fill
    node = record(IndexFillBackward1, input, value) if value_is_tensor else record(IndexFillBackward0, input)
    if node is not None:
        node.dim = d
        node.save_for_backward(index)
    return result(out, node)


# ---- gather / scatter: one element per index element ----------------------------------------------
def _element_key(positions, dim):
    """The NumPy fancy index that addresses, for every element of `positions`, its value along `dim`
    and its own coordinates along every other dim: what gather reads and scatter writes."""
    key = list(np.indices(positions.shape, sparse=True))
    key[dim] = positions
    return tuple(key)


def _gather_scatter_args(input, dim, index, op_name):
    """Check `index` as gather/scatter do; return (dim, index array, key), with 0-d tensors seen as 1-d."""
    data = input._data
    d = wrap_dim(dim, data.ndim)
    positions = _int_index(index, f"{op_name}(): Expected dtype int32/int64 for index")
    if positions.ndim != data.ndim and positions.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    positions = positions.reshape(-1) if positions.ndim == 0 else positions
    shape = data.shape if data.ndim else (1,)
    for k, (n, m) in enumerate(zip(positions.shape, shape)):
        if k != d and n > m:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(index.shape)} to be no "
                               f"larger than self {list(data.shape)} apart from dimension {d}")
    _check_range(positions, 0, shape[d], d)
    return d, positions, _element_key(positions, d)


class GatherBackward0(Node):
    __slots__ = ('dim', 'key')

    def backward(self, grad):
        # PyTorch saves the input as well as the index: changing either in place before backward is an error
        input, index = self.saved_tensors
        if GradMode.enabled:  # create_graph: the scatter as an ember op, so that it is recorded
            from .._creation import zeros
            return (scatter_add(zeros(input._data.shape, dtype=grad.dtype), self.dim, index, grad),)
        # the same scatter in NumPy, at the positions the forward already checked and computed
        value = np.zeros(input._data.shape, dtype=grad._data.dtype)
        picked = grad._data
        np.add.at(value if value.ndim else value.reshape(1), self.key, picked if picked.ndim else picked.reshape(1))
        return (wrap(value),)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[index[i][j]][j] (for dim=0): values picked along `dim` by `index`."""
    data = input._data
    d, positions, key = _gather_scatter_args(input, dim, index, 'gather')
    value = (data if data.ndim else data.reshape(1))[key].reshape(index._data.shape)
    node = record(GatherBackward0, input)
    if node is not None:
        node.dim, node.key = d, key
        node.save_for_backward(input, index)
    return write_out(out, result(value, node))


def _source_part(source, positions):
    """The part of `source` that scatter reads: its leading block of the index's shape."""
    data = source._data.reshape(-1) if source._data.ndim == 0 else source._data
    if data.ndim != positions.ndim or any(n > m for n, m in zip(positions.shape, data.shape)):
        raise RuntimeError(f"Expected index {list(positions.shape)} to be no larger size than src "
                           f"{list(source._data.shape)}")
    return data[tuple(slice(n) for n in positions.shape)]


def _source_grad(grad, dim, index, source_sizes):
    """The gradient of a scatter source: the gradient at the positions it was written to, and zero for
    the part of the source that was never read."""
    picked = gather(grad, dim, index)
    return picked if picked._data.shape == source_sizes else _pad_to(picked, source_sizes)


class ScatterBackward0(Node):
    """scatter with a source tensor"""
    __slots__ = ('dim', 'source_sizes')

    def backward(self, grad):
        index, = self.saved_tensors
        grad_input = scatter(grad, self.dim, index, 0) if self.needs_input_grad(0) else None
        grad_src = _source_grad(grad, self.dim, index, self.source_sizes) if self.needs_input_grad(1) else None
        return grad_input, grad_src


class ScatterBackward1(Node):
    """scatter with a number"""
    __slots__ = ('dim',)

    def backward(self, grad):
        index, = self.saved_tensors
        return (scatter(grad, self.dim, index, 0),)


_SCATTER_REDUCTIONS = {'add': np.add, 'multiply': np.multiply}


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """A copy of `input` with `src[i][j]` (or the number `value`) written to position
    `[index[i][j]][j]` (for dim=0). With `reduce='add'|'multiply'` it is combined with what is there."""
    if src is None:
        src = value
    data = input._data
    d, positions, key = _gather_scatter_args(input, dim, index, 'scatter')
    src_is_tensor = isinstance(src, Tensor)
    if src_is_tensor:
        if src._data.dtype != data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        values = _source_part(src, positions)
    else:
        values = np.asarray(src).astype(data.dtype)
    value = data.copy()
    target = value if value.ndim else value.reshape(1)
    if reduce is None:
        target[key] = values
    else:
        if reduce not in _SCATTER_REDUCTIONS:
            raise RuntimeError("reduce argument must be either add or multiply.")
        _SCATTER_REDUCTIONS[reduce].at(target, key, values)
    node = record(ScatterBackward0, input, src) if src_is_tensor else record(ScatterBackward1, input)
    if node is not None:
        if reduce is not None:
            node = _NotImplementedBackward(input, src)  # PyTorch has no derivative for scatter with reduce
        else:
            node.dim = d
            node.save_for_backward(index)
            if src_is_tensor:
                node.source_sizes = src._data.shape
    return write_out(out, result(value, node))


class _NotImplementedBackward(Node):
    def backward(self, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


class ScatterAddBackward0(Node):
    __slots__ = ('dim', 'source_sizes')

    def backward(self, grad):
        index, = self.saved_tensors
        return grad, _source_grad(grad, self.dim, index, self.source_sizes) if self.needs_input_grad(1) else None


def scatter_add(input, dim, index, src, *, out=None):
    """A copy of `input` with every `src[i][j]` added at position `[index[i][j]][j]` (for dim=0)."""
    data = input._data
    if not isinstance(src, Tensor):  # (scatter takes a number as `value=`; scatter_add has no such form)
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
    d, positions, key = _gather_scatter_args(input, dim, index, 'scatter')  # (PyTorch's scatter_add says scatter)
    if src._data.dtype != data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    value = data.copy()
    np.add.at(value if value.ndim else value.reshape(1), key, _source_part(src, positions))
    node = record(ScatterAddBackward0, input, src)
    if node is not None:
        node.dim, node.source_sizes = d, src._data.shape
        node.save_for_backward(index)
    return write_out(out, result(value, node))


# scatter_reduce: the NumPy ufunc that combines, and the value an untouched slot starts from when
# include_self=False (the reduction's identity)
_REDUCE_UFUNCS = {'sum': (np.add, 0), 'mean': (np.add, 0), 'prod': (np.multiply, 1),
                  'amax': (np.maximum, -np.inf), 'amin': (np.minimum, np.inf)}


class ScatterReduceBackward0(Node):
    __slots__ = ('dim', 'reduce', 'include_self', 'scattered', 'counts')

    def backward(self, grad):
        input, src, index = self.saved_tensors
        dim, reduce = self.dim, self.reduce
        if reduce == 'sum':
            grad_input, grad_src = grad, gather(grad, dim, index)
        elif reduce == 'mean':
            grad_input = grad / wrap(self.counts)
            grad_src = gather(grad_input, dim, index)
        elif reduce == 'prod':
            # divide the product by one factor without dividing by zero: zeros are replaced by 1 first
            # and the product recomputed, as PyTorch does
            input_zero, src_zero = input._data == 0, src._data == 0
            ones_input = input.masked_fill(wrap(input_zero), 1)
            grad_input = grad * scatter_reduce(ones_input, dim, index, src, 'prod', include_self=self.include_self) \
                / ones_input
            zeros_at = np.zeros(input._data.shape, dtype=np.int64)
            zeros_at = gather(scatter_add(wrap(zeros_at), dim, index, wrap(src_zero.astype(np.int64))), dim, index)
            single_zero = src_zero & (zeros_at._data == 1)
            product_without = scatter_reduce(input, dim, index, src.masked_fill(wrap(single_zero), 1), 'prod',
                                             include_self=self.include_self)
            output = scatter_reduce(input, dim, index, src, 'prod', include_self=self.include_self)
            grad_src = where(wrap(single_zero), gather(grad * product_without, dim, index),
                             gather(grad * output, dim, index) / src.masked_fill(wrap(src_zero), 1))
        else:
            # amax/amin: the gradient is shared evenly by every element equal to the result
            output = scatter_reduce(input.detach(), dim, index, src.detach(), reduce,
                                    include_self=self.include_self)._data
            input_wins = (input._data == output) & (self.include_self | ~self.scattered)
            src_wins = src._data[tuple(slice(n) for n in index._data.shape)] == \
                output[_element_key(index._data, dim)]
            winners = input_wins.astype(output.dtype)
            np.add.at(winners, _element_key(index._data, dim), src_wins)
            share = grad / wrap(winners)
            grad_input = share * wrap(input_wins.astype(output.dtype))
            grad_src = gather(share, dim, index) * wrap(src_wins.astype(output.dtype))
            if grad_src._data.shape != src._data.shape:
                grad_src = _pad_to(grad_src, src._data.shape)
            return grad_input, grad_src
        if not self.include_self:
            grad_input = grad_input.masked_fill(wrap(self.scattered), 0)
        if grad_src._data.shape != src._data.shape:
            grad_src = _pad_to(grad_src, src._data.shape)
        return grad_input, grad_src


def _pad_to(part, shape):
    """`part` placed at the start of a zero tensor of `shape` (the unread rest of a scatter source)."""
    from .._creation import zeros
    return index_put(zeros(shape, dtype=part.dtype), tuple(slice(n) for n in part._data.shape), part)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """A copy of `input` where each `src` element is combined (sum, prod, mean, amax or amin) into the
    position `index` names along `dim`; `include_self=False` leaves `input`'s own values out of it."""
    if reduce not in _REDUCE_UFUNCS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    data = input._data
    d, positions, key = _gather_scatter_args(input, dim, index, 'scatter')
    if src._data.dtype != data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    values = _source_part(src, positions)
    ufunc, identity = _REDUCE_UFUNCS[reduce]
    value = data.copy()
    target = value if value.ndim else value.reshape(1)
    scattered = np.zeros(target.shape, dtype=bool)
    scattered[key] = True
    if not include_self:
        target[scattered] = identity if data.dtype.kind == 'f' or np.isfinite(identity) else \
            (np.iinfo(data.dtype).min if identity < 0 else np.iinfo(data.dtype).max)
    ufunc.at(target, key, values)
    counts = None
    if reduce == 'mean':
        counts = np.full(target.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(counts, key, 1)
        counts = np.maximum(counts, 1).reshape(data.shape)
        if data.dtype.kind == 'f':
            value /= counts
        else:
            value //= counts
    node = record(ScatterReduceBackward0, input, src)
    if node is not None:
        node.save_for_backward(input, src, index)
        node.dim, node.reduce, node.include_self = d, reduce, include_self
        node.scattered = scattered.reshape(data.shape)
        node.counts = counts.astype(data.dtype) if counts is not None else None
    return write_out(out, result(value, node))


# ---- take / put: positions in the flattened tensor ------------------------------------------------
def _flat_positions(index, numel, op_name):
    positions = index._data
    if positions.dtype != np.int64:
        raise RuntimeError(f"{op_name}(): Expected a long tensor for index, but got "
                           f"{_scalar_type_name(positions.dtype)}")
    if positions.size and (positions.min() < -numel or positions.max() >= numel):
        bad = positions.min() if positions.min() < -numel else positions.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} elements.")
    return positions


class TakeBackward0(Node):
    def backward(self, grad):
        from .._creation import zeros
        input, index = self.saved_tensors  # (PyTorch saves the input too)
        return (put(zeros(input._data.shape, dtype=grad.dtype), index, grad, accumulate=True),)


def take(input, index):
    """The elements of `input`, seen as a 1-d tensor, at positions `index` (shaped like `index`)."""
    data = input._data
    positions = _flat_positions(index, data.size, 'take')
    node = record(TakeBackward0, input)
    if node is not None:
        node.save_for_backward(input, index)
    return result(data.reshape(-1)[positions], node)


class PutBackward0(Node):
    __slots__ = ('index', 'accumulate', 'source_sizes')

    def backward(self, grad):
        from .._creation import zeros
        grad_input = grad_source = None
        if self.needs_input_grad(0):
            grad_input = grad if self.accumulate else \
                put(grad, self.index, zeros(self.source_sizes, dtype=grad.dtype))
        if self.needs_input_grad(1):
            grad_source = take(grad, self.index).reshape(self.source_sizes)
        return grad_input, grad_source


def put(input, index, source, accumulate=False):
    """A copy of `input` with `source` written (or added, with `accumulate`) at positions `index` of
    the tensor seen as 1-d."""
    data = input._data
    positions = _flat_positions(index, data.size, 'put_')
    if source._data.size != positions.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {positions.size}")
    _same_dtype(input, source, "put_(): self and source expected to have the same dtype, but got "
                               "self.dtype = {self} and source.dtype = {other}.")
    value = data.copy()
    flat = value.reshape(-1)  # a view: `value` is a fresh contiguous copy
    if accumulate:
        np.add.at(flat, positions.reshape(-1), source._data.reshape(-1))
    else:
        flat[positions.reshape(-1)] = source._data.reshape(-1)
    node = record(PutBackward0, input, source)
    if node is not None:
        node.index, node.accumulate, node.source_sizes = index, accumulate, source._data.shape
    return result(value, node)


def take_along_dim(input, indices, dim=None, *, out=None):
    """`gather` with `indices` broadcast against `input` (all dims but `dim`); with no `dim`, both are
    flattened first."""
    if dim is None:
        return write_out(out, gather(views.reshape(input, -1), 0, views.reshape(indices, -1)))
    shape, index_shape = input._data.shape, indices._data.shape
    if len(shape) != len(index_shape):
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {len(shape)} dimensions for input, and {len(index_shape)} dimensions for indices")
    _int_index(indices, "torch.take_along_dim(): dtype of indices should be Long but got {dtype}", allow_int32=False)
    d = wrap_dim(dim, len(shape))
    try:
        common = list(np.broadcast_shapes(shape[:d] + (1,) + shape[d + 1:], index_shape[:d] + (1,) + index_shape[d + 1:]))
    except ValueError:
        raise broadcast_error(shape, index_shape) from None
    input_shape, common[d] = list(common), index_shape[d]
    input_shape[d] = shape[d]
    return write_out(out, gather(views.expand(input, input_shape), d,
                                 wrap(np.broadcast_to(indices._data, common))))


# ---- masks ---------------------------------------------------------------------------------------------
def _bool_mask(mask, op_name):
    data = mask._data
    if data.dtype != np.bool_:
        # PyTorch's wording differs by op: masked_fill_ names the C++ type ('float'), masked_scatter_ the
        # scalar type ('Float')
        if op_name == 'masked_select:':
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        type_name = dtypes.cpp_type_name(data.dtype) if op_name == 'masked_fill_' else _scalar_type_name(data.dtype)
        raise RuntimeError(f"{op_name} only supports boolean masks, but got mask with dtype {type_name}")
    return data


class MaskedFillBackward0(Node):
    """masked_fill with a number"""
    __slots__ = ('mask',)

    def backward(self, grad):
        return (masked_fill(grad, self.mask, 0),)


class MaskedFillBackward1(Node):
    """masked_fill with a 0-d tensor value, which receives the gradient of every filled element"""
    __slots__ = ('mask',)

    def backward(self, grad):
        grad_input = masked_fill(grad, self.mask, 0) if self.needs_input_grad(0) else None
        grad_value = masked_select(grad, self.mask).sum() if self.needs_input_grad(1) else None
        return grad_input, grad_value


def masked_fill(input, mask, value):
    """A copy of `input` with `value` (a number or 0-d tensor) where the bool `mask` is True;
    `mask` broadcasts with `input`."""
    data = input._data
    where_true = _bool_mask(mask, 'masked_fill_')
    value_is_tensor = isinstance(value, Tensor)
    if value_is_tensor:
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        fill = value._data.astype(data.dtype)
    else:
        fill = np.asarray(value).astype(data.dtype)  # PyTorch casts the value to the tensor's dtype
    try:
        out = np.where(where_true, fill, data)
    except ValueError:
        raise broadcast_error(data.shape, where_true.shape) from None
    node = record(MaskedFillBackward1, input, value) if value_is_tensor else record(MaskedFillBackward0, input)
    if node is not None:
        node.mask = mask
    return result(out, node)


class MaskedSelectBackward0(Node):
    __slots__ = ('mask', 'shape')

    def backward(self, grad):
        from .._creation import zeros
        return (masked_scatter(zeros(self.shape, dtype=grad.dtype), self.mask, grad),)


def masked_select(input, mask, *, out=None):
    """The elements of `input` where the bool `mask` is True, as a 1-d tensor (they broadcast)."""
    data = input._data
    where_true = _bool_mask(mask, 'masked_select:')
    if where_true.shape != data.shape:
        try:
            data, where_true = np.broadcast_arrays(data, where_true)
        except ValueError:
            raise broadcast_error(input._data.shape, mask._data.shape) from None
    node = record(MaskedSelectBackward0, input)
    if node is not None:
        node.mask, node.shape = mask, data.shape
    return write_out(out, result(data[where_true], node))


class MaskedScatterBackward0(Node):
    __slots__ = ('mask', 'source_sizes')

    def backward(self, grad):
        grad_input = masked_fill(grad, self.mask, 0) if self.needs_input_grad(0) else None
        grad_source = None
        if self.needs_input_grad(1):
            from .._creation import zeros
            from .shape import cat
            picked = masked_select(grad, self.mask)
            numel = int(np.prod(self.source_sizes))
            unread = zeros(numel - picked._data.size, dtype=grad.dtype)
            grad_source = cat([picked, unread]).reshape(self.source_sizes)
        return grad_input, grad_source


def masked_scatter(input, mask, source):
    """A copy of `input` with the leading elements of `source`, in order, written where `mask` is True."""
    where_true = _bool_mask(mask, 'masked_scatter_')
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{_scalar_type_name(input._data.dtype)} and {_scalar_type_name(source._data.dtype)}")
    try:
        data, where_true = np.broadcast_arrays(input._data, where_true)
    except ValueError:
        raise broadcast_error(input._data.shape, mask._data.shape) from None
    count = int(np.count_nonzero(where_true))
    if count > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = data.copy()
    out[where_true] = source._data.reshape(-1)[:count]
    node = record(MaskedScatterBackward0, input, source)
    if node is not None:
        node.mask, node.source_sizes = mask, source._data.shape
    return result(out, node)


# ---- where / nonzero -------------------------------------------------------------------------------------
class WhereBackward0(Node):
    __slots__ = ('condition',)

    def backward(self, grad):
        condition = self.condition
        return (where(condition, grad, 0.) if self.needs_input_grad(0) else None,
                where(condition, 0., grad) if self.needs_input_grad(1) else None)


def where(condition, input=None, other=None, *, out=None):
    """Elements of `input` where `condition` is True, of `other` elsewhere (all three broadcast; either
    may be a number). `where(condition)` alone is `nonzero(condition, as_tuple=True)`."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    choose = condition._data
    if choose.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_scalar_type_name(choose.dtype)}")
    if isinstance(input, Tensor):
        a, b = binary_operands(input, other)
    elif isinstance(other, Tensor):
        b, a = binary_operands(other, input)
    else:  # two numbers: the result has the dtype of a tensor made from the first, promoted with the second
        a, b = binary_operands(wrap(np.asarray(input, dtype=dtypes._scalar_numpy_dtype(input))), other)
    try:
        data = np.where(choose, a, b)
    except ValueError:
        raise broadcast_error(np.broadcast_shapes(choose.shape, np.shape(a)) if np.ndim(a) else choose.shape,
                              np.shape(b)) from None
    node = record(WhereBackward0, input, other)
    if node is not None:
        node.condition = condition
    return write_out(out, result(data, node))


def _where_method(self, condition, other):
    """`t.where(condition, other)` is `where(condition, t, other)`."""
    return where(condition, self, other)


Tensor.where = _where_method


def nonzero(input, *, out=None, as_tuple=False):
    """The coordinates of the nonzero elements: an (n, ndim) int64 tensor, or one 1-d tensor per dim
    with `as_tuple=True`."""
    data = input._data
    if as_tuple:
        return tuple(wrap(c.astype(np.int64, copy=False)) for c in np.nonzero(np.atleast_1d(data)))
    return write_out(out, wrap(np.argwhere(data).astype(np.int64, copy=False)))


def argwhere(input):
    """`nonzero(input)`: an (n, ndim) tensor of the coordinates of the nonzero elements."""
    return nonzero(input)


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """A copy of `input` where the slices of `source` along `dim` are combined (prod, mean, amax or amin)
    into the slices `index` names; `include_self=False` leaves `input`'s own values out of it. It is
    `scatter_reduce` with `index` spread over the source's shape, which gives it its gradient too."""
    _warnings.warn_once("index_reduce() is in beta and the API may change at any time.")
    if reduce not in ('prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if index._data.dtype != np.int64 and index._data.dtype != np.int32:
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_scalar_type_name(index._data.dtype)}")
    if index._data.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index._data.ndim} with "
                         f"type: {_scalar_type_name(index._data.dtype)} and size: {list(index._data.shape)}")
    positions = index._data.reshape(-1)
    _same_dtype(input, source, "index_reduce_(): self ({self}) and source ({other}) must have the same scalar type")
    source_size = source._data.shape[d] if source._data.ndim else 1
    if positions.size != source_size:
        raise RuntimeError(f"index_reduce_(): Number of indices ({positions.size}) should be equal to source.size(dim):"
                           f" ({source_size}), for dim: {d}")
    _check_source(input, d, positions, source, 'index_reduce_()')
    size = data.shape[d] if data.ndim else 1
    if positions.size and (positions.min() < 0 or positions.max() >= size):
        raise IndexError("index out of range in self")
    along = [1] * data.ndim
    along[d] = -1
    spread = np.ascontiguousarray(np.broadcast_to(positions.reshape(along), source._data.shape))
    return write_out(out, scatter_reduce(input, d, wrap(spread.astype(np.int64)), source, reduce,
                                         include_self=include_self))
