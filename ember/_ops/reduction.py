"""Reductions, scans, sorting and softmax.

A reduction's backward broadcasts the gradient back over the reduced dims (restoring them as
size-1 dims first when keepdim=False). Ops whose outputs are input elements picked by an index
(max(dim), sort, topk, median, ...) send each gradient back to the element it was picked from.
"""
import builtins
import math

import numpy as np

from .. import return_types
from .. import _warnings
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, result, results, reduce_dims, numpy_dtype, write_out, wrap, wrap_dim, default_float, quietly
from .elementwise import refuse_complex

__all__ = ['sum', 'mean', 'sum_to_size', 'prod', 'nansum', 'nanmean', 'max', 'min', 'amax', 'amin', 'aminmax',
           'argmax', 'argmin', 'var', 'std', 'var_mean', 'std_mean', 'norm', 'dist', 'logsumexp', 'softmax',
           'log_softmax', 'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'all', 'any',
           'count_nonzero', 'sort', 'argsort', 'msort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode']
TENSOR_METHODS = ('sum', 'mean', 'sum_to_size', 'prod', 'nansum', 'nanmean', 'max', 'min', 'amax', 'amin',
                  'aminmax', 'argmax', 'argmin', 'var', 'std', 'norm', 'dist', 'logsumexp', 'softmax', 'log_softmax',
                  'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'all', 'any', 'count_nonzero', 'sort',
                  'argsort', 'msort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode')
INPLACE_METHODS = ('cumsum', 'cumprod')


# ---- helpers shared by the ops of this file ------------------------------------------------------
def _axes(dim, ndim):
    """`dim` as NumPy axes: a tuple, or None for all of them. A 0-d tensor's dim 0 is all of it."""
    dims = reduce_dims(dim, ndim)
    return None if ndim == 0 else dims


def _one_dim(input, dim):
    """The data and axis of an op along one dim; a 0-d tensor is seen as 1-d (its results go back to 0-d)."""
    data = input._data
    axis = wrap_dim(dim, data.ndim)
    return (data.reshape(1), 0) if data.ndim == 0 else (data, axis)


def _check_nonempty_dim(data, axis, name):
    if data.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def _check_no_empty_reduction(data, dims, name):
    """Reductions without an identity (max, min) refuse to reduce over nothing, as PyTorch does."""
    if data.size == 0:
        if dims is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                               "the reduction dim with the 'dim' argument.")
        for d in dims:
            _check_nonempty_dim(data, d, name)


def _restore_dims(grad, dims, keepdim):
    """Put back the reduced dims as size 1 so that `grad` broadcasts against the input."""
    if keepdim or dims is None:
        return grad
    shape = list(grad._data.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return grad.reshape(shape)


def _count(shape, dims):
    """How many elements a reduction over `dims` combines."""
    count = 1
    for d in (range(len(shape)) if dims is None else dims):
        count *= shape[d]
    return count


def _constant(array, dtype):
    """A mask or weights computed in NumPy, as a tensor outside the graph (its derivative is 0)."""
    return wrap(array.astype(dtype, copy=False))


def _divide_where_nonzero(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (PyTorch masks those gradients)."""
    zero = denominator._data == 0
    if not zero.any():
        return numerator / denominator
    dtype = denominator._data.dtype
    return numerator / (denominator + _constant(zero, dtype)) * _constant(~zero, dtype)


def _index_along(indices, axis):
    """The NumPy index that reads `np.take_along_axis(data, indices, axis)`."""
    key = list(np.ix_(*[np.arange(n) for n in indices.shape]))
    key[axis] = indices
    return tuple(key)


def _scatter_to_input(grad, self_sizes, axis, indices, accumulate=False):
    """The gradient of ops whose outputs are input elements picked by `indices` along `axis`:
    each output's gradient goes back to the element it was picked from (PyTorch's
    value_selecting_reduction_backward), summed where several outputs picked one element (cummax)."""
    from .indexing import index_put
    zeros = wrap(np.zeros(self_sizes if self_sizes else (1,), grad._data.dtype))
    grad_input = index_put(zeros, _index_along(indices, axis), grad.reshape(indices.shape), accumulate)
    return grad_input if self_sizes else grad_input.reshape(())


def _split_among_ties(grad, data, extreme, dims, keepdim):
    """The gradient of amax/amin/full max: shared evenly by the elements equal to the result
    (`extreme`, with the reduced dims kept), as PyTorch's evenly_distribute_backward does."""
    mask = data == extreme
    if data.dtype.kind == 'f' and np.isnan(extreme).any():
        mask |= np.isnan(data) & np.isnan(extreme)
    with np.errstate(invalid='ignore', divide='ignore'):
        weights = mask / np.sum(mask, axis=dims, keepdims=True)
    return _restore_dims(grad, dims, keepdim) * _constant(weights, data.dtype)


def _result_saved(value, node):
    """Wrap `value` as the op's output; `node` (when recorded) keeps it for backward."""
    out = result(value, node)
    if node is not None:
        node.save_output(out)
    return out


def _flip(t, dim):
    """`t` reversed along `dim`, recorded (an index with a reversed range)."""
    return t[(slice(None),) * dim + (np.arange(t._data.shape[dim] - 1, -1, -1),)]


def _reverse_cumsum(t, dim):
    """Sums from each position to the end along `dim`: the gradient of cumsum."""
    if t._data.ndim == 0:
        return t
    return _flip(cumsum(_flip(t, dim), dim), dim)


def _sum_dtype(data, dtype, name):
    if dtype is not None:
        if isinstance(dtype, str):  # (NumPy would read 'float' as float64; PyTorch's argument parser refuses it)
            raise TypeError(f"{name}() received an invalid combination of arguments - got (dtype=str, ), but "
                            "expected 'dtype' to be a torch.dtype")
        return numpy_dtype(dtype)
    # PyTorch sums and multiplies bools and integers as int64
    if data.dtype.kind in 'biu':
        return np.dtype(np.int64)
    return data.dtype


def _type_name(np_dtype):
    from .._tensor import _scalar_type_name
    return _scalar_type_name(np_dtype)


# ---- sum, mean, prod ------------------------------------------------------------------------------
# PyTorch's CPU sum of float32 adds in float32, in a fixed order (ATen's cascade_sum): with AVX2, 8-lane
# vectors in 4 independent accumulators, whose partial sums are carried up a 4-level cascade every
# `2**level_power` rows. Summing in the same order gives PyTorch's bits, including where a large sum
# overflows to inf (or to nan, when partial sums overflow with opposite signs). Emulating that order
# costs 10-30x NumPy's own pairwise sum, whose result differs only in the last bits, so ember sums with
# NumPy and replays PyTorch's order only when the sum of finite values overflowed: then the order decides
# between inf and nan (the course's exploding-init demo prints PyTorch's nan).
_VECTOR_LANES = 8
_ILP_FACTOR = 4
_CASCADE_LEVELS = 4


def _sequential_sum(values, axis):
    """values[0] + values[1] + ... along `axis`, left to right. (NumPy adds whole slices one after
    another when the summed axis is not the innermost one, which it never is here.)"""
    return np.add.reduce(values, axis=axis)


def _multi_row_sum(rows):
    """ATen's `multi_row_sum` for `rows` of shape (R, size, lanes): per lane, the float32 sum over `size`
    in the cascade order. Returns (R, lanes)."""
    count, size, lanes = rows.shape
    level_power = builtins.max(4, (size - 1).bit_length() // _CASCADE_LEVELS)
    step = 1 << level_power
    blocks = size // step
    if blocks == 0:  # short rows never leave the first level
        return _sequential_sum(rows, 1)
    accumulators = [_sequential_sum(rows[:, blocks * step:], 1)]  # level 0 ends with the leftover rows
    sums = _sequential_sum(rows[:, :blocks * step].reshape(count, blocks, step, lanes), 2)
    for _ in range(1, _CASCADE_LEVELS - 1):
        # a level passes each complete group of `step` sums up; an incomplete last group stays behind
        groups = sums.shape[1] // step
        accumulators.append(_sequential_sum(sums[:, groups * step:], 1))
        sums = _sequential_sum(sums[:, :groups * step].reshape(count, groups, step, lanes), 2)
    accumulators.append(_sequential_sum(sums, 1))
    return _sequential_sum(np.stack(accumulators, axis=1), 1)  # level 0 += level 1, += level 2, += level 3


def _row_sum(items):
    """ATen's `row_sum` over `items` (R, size, lanes): 4 interleaved accumulators, then the leftover
    items and the other accumulators are added to the first. Returns (R, lanes)."""
    count, size, lanes = items.shape
    size_ilp = size // _ILP_FACTOR
    partial = _multi_row_sum(items[:, :size_ilp * _ILP_FACTOR].reshape(count, size_ilp, _ILP_FACTOR * lanes))
    partial = partial.reshape(count, _ILP_FACTOR, lanes)
    in_order = np.concatenate([partial[:, :1], items[:, size_ilp * _ILP_FACTOR:], partial[:, 1:]], axis=1)
    return _sequential_sum(in_order, 1)


def _cascade_row_sums(rows):
    """PyTorch's float32 sum of each row of `rows` (R, L): `vectorized_inner_sum` for rows of at least one
    vector (vector sums, then a scalar accumulator takes the tail and then the 8 lanes in order),
    `scalar_inner_sum` below."""
    count, length = rows.shape
    if length < _VECTOR_LANES:
        return _row_sum(rows[:, :, None])[:, 0]
    vectors = length // _VECTOR_LANES
    lane_sums = _row_sum(rows[:, :vectors * _VECTOR_LANES].reshape(count, vectors, _VECTOR_LANES))
    in_order = np.concatenate([rows[:, vectors * _VECTOR_LANES:], lane_sums], axis=1)
    return np.add.accumulate(in_order, axis=1)[:, -1]


def _memory_rows(data):
    """`data` as rows in the order PyTorch's TensorIterator visits them for a full reduction: memory order,
    dims merged where their strides allow, the innermost run of contiguous elements being one row."""
    if data.ndim == 0 or data.size == 0 or data.flags.c_contiguous or builtins.any(st < 0 for st in data.strides):
        return np.ascontiguousarray(data).reshape(1, -1)
    axes = sorted((axis for axis in range(data.ndim) if data.shape[axis] != 1), key=lambda axis: data.strides[axis])
    run = 1
    for axis in axes:
        if data.strides[axis] != run * data.itemsize:
            break
        run *= data.shape[axis]
    return np.transpose(data, axes[::-1] + [a for a in range(data.ndim) if data.shape[a] == 1]).reshape(-1, run)


def _cascade_sum(data):
    """The sum of all elements of a float32 array, added in PyTorch's (single-threaded) order: each row's
    sum is added to the output in turn."""
    with np.errstate(over='ignore', invalid='ignore'):
        row_sums = _cascade_row_sums(_memory_rows(data))
        return np.add.accumulate(row_sums)[-1] if row_sums.size > 1 else row_sums[0]


def _float32_sum(data):
    """The float32 sum of all elements of a float32 array: NumPy's, unless finite values overflowed, where
    PyTorch's order decides whether the result is inf or nan."""
    total = quietly(np.add.reduce, data, None)  # (axis None: all elements)
    if np.isfinite(total) or not np.isfinite(data).all():
        return total
    return _cascade_sum(data)


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


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over `dim` (an int or a tuple of ints)."""
    data = input._data
    target = _sum_dtype(data, dtype, 'sum')
    if dim is None and not keepdim:
        value = np.asarray(_float32_sum(data) if data.dtype == target == np.float32 else data.sum(dtype=target))
        node = record(SumBackward0, input)
        if node is not None:
            node.self_sizes = data.shape
        return write_out(out, result(value, node))
    dims = _axes(dim, data.ndim)
    value = np.asarray(data.sum(axis=dims, dtype=target, keepdims=keepdim))
    node = record(SumBackward1, input)
    if node is not None:
        node.self_sizes, node.dims, node.keepdim = data.shape, dims, keepdim
    return write_out(out, result(value, node))


def _mean_backward(grad, self_sizes, dims, keepdim, count):
    if dims is None and not GradMode.enabled and math.prod(self_sizes) <= _SMALL_FILL:
        # the mean of everything, not recorded: one share for every element, filled in directly
        return wrap(np.full(self_sizes, grad._data / count, dtype=grad._data.dtype))
    return (_restore_dims(grad, dims, keepdim) / count).expand(self_sizes)


_SMALL_FILL = 1 << 16  # up to this many elements a filled array is cheaper than an expanded view


class MeanBackward0(Node):
    __slots__ = ('self_sizes', 'numel')

    def backward(self, grad):
        return (_mean_backward(grad, self.self_sizes, None, False, self.numel),)


class MeanBackward1(Node):
    __slots__ = ('self_sizes', 'dims', 'keepdim', 'count')

    def backward(self, grad):
        return (_mean_backward(grad, self.self_sizes, self.dims, self.keepdim, self.count),)


def _check_float(data, name):
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_type_name(data.dtype)}")


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean of all elements, or over `dim`."""
    data = input._data
    if dtype is not None:
        data = data.astype(numpy_dtype(dtype))
    _check_float(data, 'mean')
    dims = _axes(dim, data.ndim)
    count = _count(data.shape, dims)
    with np.errstate(invalid='ignore', divide='ignore'):
        # sum / count rather than np.mean: an empty input gives NaN without NumPy's warning
        if data.dtype == np.float32 and (dims is None or len(dims) == data.ndim):
            total = _float32_sum(data) if data.size else np.float32(0)
            value = np.asarray(total / np.float32(count), dtype=data.dtype).reshape((1,) * data.ndim if keepdim else ())
        else:
            value = np.asarray(data.sum(axis=dims, keepdims=keepdim) / count, dtype=data.dtype)
    if dim is None and not keepdim:
        node = record(MeanBackward0, input)
        if node is not None:
            node.self_sizes, node.numel = data.shape, count
    else:
        node = record(MeanBackward1, input)
        if node is not None:
            node.self_sizes, node.dims, node.keepdim, node.count = data.shape, dims, keepdim, count
    return write_out(out, result(value, node))


class NansumBackward0(Node):
    __slots__ = ('dims', 'keepdim')

    def backward(self, grad):
        input, = self.saved_tensors
        data = input._data
        return (_restore_dims(grad, self.dims, self.keepdim) * _constant(~np.isnan(data), data.dtype),)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    data = input._data
    dims = _axes(dim, data.ndim)
    value = np.asarray(np.nansum(data, axis=dims, dtype=_sum_dtype(data, dtype, 'nansum'), keepdims=keepdim))
    node = record(NansumBackward0, input)
    if node is not None:
        node.dims, node.keepdim = dims, keepdim
        node.save_for_backward(input)
    return write_out(out, result(value, node))


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the elements that are not NaN (NaN where all are)."""
    data = input._data
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_type_name(data.dtype)}")
    dims = _axes(dim, data.ndim)
    count = np.sum(~np.isnan(data), axis=dims, keepdims=keepdim, dtype=data.dtype)
    with np.errstate(invalid='ignore', divide='ignore'):
        return write_out(out, nansum(input, dim, keepdim, dtype=dtype) / wrap(np.asarray(count)))


def _exclusive_cumprod(t, dim):
    """[1, t0, t0*t1, ...] along `dim`: the product of the elements before each one."""
    from .shape import cat
    shape = list(t._data.shape)
    shape[dim] = 1
    ones = wrap(np.ones(shape, t._data.dtype))
    return cumprod(cat([ones, t.narrow(dim, 0, t._data.shape[dim] - 1)], dim), dim)


def _prod_backward(grad, input, result, dim):
    """d prod / d x_i is the product of the other elements: prod / x_i when no element is 0, else
    the product of the elements before x_i times the product of those after it."""
    from .complex import conj  # (holomorphic: grad times the conjugate derivative)
    if input._data.all():
        return grad * conj(result / input)
    before = _exclusive_cumprod(input, dim)
    after = _flip(_exclusive_cumprod(_flip(input, dim), dim), dim)
    return grad * conj(before * after)


class ProdBackward0(Node):
    """prod of all elements"""

    def backward(self, grad):
        input, = self.saved_tensors
        flat = input.reshape(-1)
        return (_prod_backward(grad, flat, self.saved_output, 0).reshape(input._data.shape),)


class ProdBackward1(Node):
    """prod along one dim"""
    __slots__ = ('dim', 'keepdim')

    def backward(self, grad):
        input, = self.saved_tensors
        if input._data.ndim == 0:
            return (grad,)
        restore = (self.dim,)
        return (_prod_backward(_restore_dims(grad, restore, self.keepdim), input,
                               _restore_dims(self.saved_output, restore, self.keepdim), self.dim),)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along the one dim `dim`."""
    data = input._data
    target = _sum_dtype(data, dtype, 'prod')
    if dim is None:
        node = record(ProdBackward0, input)
        out_tensor = result(np.asarray(data.prod(dtype=target)), node)
    else:
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
        axis = wrap_dim(dim, data.ndim)
        node = record(ProdBackward1, input)
        out_tensor = result(np.asarray(data.prod(axis=axis if data.ndim else None, dtype=target,
                                                 keepdims=keepdim)), node)
        if node is not None:
            node.dim, node.keepdim = axis, keepdim
    if node is not None:
        node.save_for_backward(input)
        node.save_output(out_tensor)
    return write_out(out, out_tensor)


# ---- max, min and friends ---------------------------------------------------------------------------
class _PickBackward(Node):
    """Outputs are input elements picked by `indices` along `dim`; each gradient goes back there."""
    __slots__ = ('self_sizes', 'dim', 'indices')
    accumulate = False

    def backward(self, grad, grad_indices=None):
        return (_scatter_to_input(grad, self.self_sizes, self.dim, self.indices, self.accumulate),)


class MaxBackward0(_PickBackward):
    """max along a dim"""
    __slots__ = ()


class MinBackward0(_PickBackward):
    """min along a dim"""
    __slots__ = ()


def _picked(input, axis, indices, keepdim, node_class, return_type):
    """(values, indices) of an op whose outputs are input elements picked by `indices` along `axis`
    (one per slice, with the reduced dim kept, for max/median/...; a whole slice for sort/cummax)."""
    data = input._data
    values = np.take_along_axis(data if data.ndim else data.reshape(1), indices, axis)
    node = record(node_class, input)
    if node is not None:
        node.self_sizes, node.dim, node.indices = data.shape, axis, indices
    if data.ndim == 0:
        values, indices = values.reshape(()), indices.reshape(())
    elif not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return return_type(result(values, node), wrap(indices.astype(np.int64, copy=False)))


class _SplitAmongTiesBackward(Node):
    """Full max/min/median: the gradient is split evenly among the elements equal to the result."""
    __slots__ = ('value',)

    def backward(self, grad):
        from .indexing import where
        data = self.saved_tensors[0]._data
        ties = data == self.value
        if data.dtype.kind == 'f' and np.isnan(self.value):
            ties = np.isnan(data)
        # PyTorch fills the ties with grad / count (its evenly_distribute_backward), unlike amax's
        # product with a mask: the other elements get 0 even from an inf or NaN gradient
        return (where(wrap(ties), grad / int(np.count_nonzero(ties)), 0.),)


class MaxBackward1(_SplitAmongTiesBackward):
    """max of all elements"""
    __slots__ = ()


class MinBackward1(_SplitAmongTiesBackward):
    """min of all elements"""
    __slots__ = ()


def _full_reduction(input, value, node_class):
    node = record(node_class, input)
    if node is not None:
        node.value = value
        node.save_for_backward(input)
    return result(np.asarray(value), node)


def _extreme(input, dim, keepdim, out, name):
    """max or min: of everything, or (values, indices) along `dim`, or elementwise with a tensor."""
    from .._tensor import Tensor
    if isinstance(dim, Tensor):
        from . import elementwise
        return getattr(elementwise, 'maximum' if name == 'max' else 'minimum')(input, dim, out=out)
    is_max = name == 'max'
    data = input._data
    if dim is None:
        if data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        refuse_complex(data, f'{name}_all')
        value = data.max() if is_max else data.min()
        return write_out(out, _full_reduction(input, value, MaxBackward1 if is_max else MinBackward1))
    data, axis = _one_dim(input, dim)
    _check_nonempty_dim(data, axis, name)
    if data.dtype.kind == 'c':
        raise RuntimeError(f"{name}(): does not support complex input")
    # argmax/argmin return the first of equal extremes and the position of a NaN, as PyTorch does
    indices = (np.argmax if is_max else np.argmin)(data, axis=axis, keepdims=True)
    picked = _picked(input, axis, indices, keepdim, MaxBackward0 if is_max else MinBackward0,
                     return_types.max if is_max else return_types.min)
    if out is not None:  # out=(values, indices)
        return type(picked)(write_out(out[0], picked[0]), write_out(out[1], picked[1]))
    return picked


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with `dim`, (values, indices) of the largest along it; with a tensor
    in place of `dim`, the elementwise `maximum`."""
    return _extreme(input, dim, keepdim, out, 'max')


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with `dim`, (values, indices) of the smallest along it; with a tensor
    in place of `dim`, the elementwise `minimum`."""
    return _extreme(input, dim, keepdim, out, 'min')


class _AmaxBackward(Node):
    __slots__ = ('dims', 'keepdim', 'value')

    def backward(self, grad):
        input, = self.saved_tensors
        return (_split_among_ties(grad, input._data, self.value, self.dims, self.keepdim),)


class AmaxBackward0(_AmaxBackward):
    __slots__ = ()


class AminBackward0(_AmaxBackward):
    __slots__ = ()


def _amax(input, dim, keepdim, out, np_function, node_class, name):
    data = input._data
    dims = _axes(dim, data.ndim)
    _check_no_empty_reduction(data, dims, name)
    refuse_complex(data, f'{name[1:]}_values_cpu')  # (max_values_cpu for amax)
    extreme = np_function(data, axis=dims, keepdims=True)
    node = record(node_class, input)
    if node is not None:
        node.dims, node.keepdim, node.value = dims, keepdim, extreme
        node.save_for_backward(input)
    value = extreme if keepdim else extreme.reshape(_reduced_shape(data.shape, dims))
    return write_out(out, result(value, node))


def _reduced_shape(shape, dims):
    return () if dims is None else tuple(s for d, s in enumerate(shape) if d not in dims)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The largest values over `dim` (all dims by default); ties share the gradient."""
    return _amax(input, dim, keepdim, out, np.amax, AmaxBackward0, 'amax')


def amin(input, dim=(), keepdim=False, *, out=None):
    """The smallest values over `dim` (all dims by default); ties share the gradient."""
    return _amax(input, dim, keepdim, out, np.amin, AminBackward0, 'amin')


class AminmaxBackward0(Node):
    __slots__ = ('dims', 'keepdim', 'min', 'max')

    def backward(self, grad_min=None, grad_max=None):
        input, = self.saved_tensors
        data = input._data
        grad_input = None
        if grad_min is not None:
            grad_input = _split_among_ties(grad_min, data, self.min, self.dims, self.keepdim)
        if grad_max is not None:
            grad_from_max = _split_among_ties(grad_max, data, self.max, self.dims, self.keepdim)
            grad_input = grad_from_max if grad_input is None else grad_input + grad_from_max
        return (grad_input,)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) together, over everything or along `dim`."""
    data = input._data
    dims = _axes(dim, data.ndim)
    if data.size == 0 and dims is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    _check_no_empty_reduction(data, dims, 'aminmax')
    refuse_complex(data, 'aminmax_cpu')
    low, high = np.amin(data, axis=dims, keepdims=True), np.amax(data, axis=dims, keepdims=True)
    node = record(AminmaxBackward0, input)
    if node is not None:
        node.dims, node.keepdim, node.min, node.max = dims, keepdim, low, high
        node.save_for_backward(input)
    if not keepdim:
        shape = _reduced_shape(data.shape, dims)
        low, high = low.reshape(shape), high.reshape(shape)
    return return_types.aminmax(*results([low, high], node))


def _arg_extreme(input, dim, keepdim, np_function, name):
    data = input._data
    if data.dtype.kind in 'bc':
        raise RuntimeError(f"{name}(): does not support {'bool' if data.dtype.kind == 'b' else 'complex'} input")
    if dim is None:
        if data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        index = np.asarray(np_function(data), dtype=np.int64)  # an index into the flattened input
        return wrap(index.reshape((1,) * data.ndim) if keepdim else index)
    data, axis = _one_dim(input, dim)
    _check_nonempty_dim(data, axis, name)
    index = np_function(data, axis=axis, keepdims=keepdim).astype(np.int64, copy=False)
    return wrap(index.reshape(()) if input._data.ndim == 0 else index)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened input when `dim` is None); first one of ties."""
    return _arg_extreme(input, dim, keepdim, np.argmax, 'argmax')


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened input when `dim` is None); first one of ties."""
    return _arg_extreme(input, dim, keepdim, np.argmin, 'argmin')


# ---- variance and standard deviation -------------------------------------------------------------
def _var_backward(grad, input, dims, keepdim, dof):
    # d var / d x_i = 2 (x_i - mean) / (N - correction)
    centered = input - mean(input, dims, keepdim=True) if dims is not None else input - mean(input)
    scale = 2.0 / dof if dof > 0 else float('inf')
    return _restore_dims(grad, dims, keepdim) * centered * scale


def _std_backward(grad, std, input, dims, keepdim, dof):
    # std = sqrt(var): d std = d var / (2 std), taken as 0 where std is 0, as PyTorch does
    return _var_backward(_divide_where_nonzero(grad, std) / 2, input, dims, keepdim, dof)


class _MomentBackward(Node):
    __slots__ = ('self_sizes', 'dims', 'keepdim', 'dof', 'count')


class VarBackward0(_MomentBackward):
    __slots__ = ()

    def backward(self, grad):
        input, = self.saved_tensors
        return (_var_backward(grad, input, self.dims, self.keepdim, self.dof),)


class StdBackward0(_MomentBackward):
    __slots__ = ()

    def backward(self, grad):
        input, = self.saved_tensors
        std = _restore_dims(self.saved_output, self.dims, self.keepdim)
        return (_std_backward(_restore_dims(grad, self.dims, self.keepdim), std, input, self.dims, True, self.dof),)


class VarMeanBackward0(_MomentBackward):
    __slots__ = ()

    def backward(self, grad_var=None, grad_mean=None):
        input, = self.saved_tensors
        grad_input = None
        if grad_var is not None:
            grad_input = _var_backward(grad_var, input, self.dims, self.keepdim, self.dof)
        return (_add_mean_grad(self, grad_input, grad_mean),)


class StdMeanBackward0(_MomentBackward):
    __slots__ = ()

    def backward(self, grad_std=None, grad_mean=None):
        input, = self.saved_tensors
        grad_input = None
        if grad_std is not None:
            std = _restore_dims(self.saved_output, self.dims, self.keepdim)
            grad_input = _std_backward(_restore_dims(grad_std, self.dims, self.keepdim), std, input, self.dims,
                                       True, self.dof)
        return (_add_mean_grad(self, grad_input, grad_mean),)


def _add_mean_grad(node, grad_input, grad_mean):
    if grad_mean is None:
        return grad_input
    grad_from_mean = _mean_backward(grad_mean, node.self_sizes, node.dims, node.keepdim, node.count)
    return grad_from_mean if grad_input is None else grad_input + grad_from_mean


def _moments(input, dim, unbiased, keepdim, correction, node_class, with_mean, take_sqrt):
    """var or std (and the mean, for var_mean/std_mean) over `dim`, dividing by N - correction."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    data = input._data
    if data.dtype.kind not in 'fc':
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _axes(dim, data.ndim)
    count = _count(data.shape, dims)
    dof = builtins.max(0, count - correction)
    # PyTorch's reduction factor is input numel / output numel, so 0 for an empty input
    if (count if data.size else 0) - correction <= 0:
        name = ('std' if take_sqrt else 'var') + ('_mean' if with_mean else '')
        _warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                       "reduction factor (input numel divided by output numel).")
    # PyTorch accumulates the moments of float32/float16 in double, so the squares of large
    # values (the exploding-init demo reaches 1e18) don't overflow while they are summed ...
    wide = data.astype(np.float64) if data.dtype.kind == 'f' and data.itemsize < 8 else data
    with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
        if data.dtype == np.float32 and (dims is None or len(dims) == data.ndim) and not with_mean and data.size:
            # except over all dims, where PyTorch centres on the float32 mean (`self.mean().item()`): a sum
            # that overflows float32 makes that mean, and so the result, inf or nan
            average = np.full((1,) * data.ndim, _float32_sum(data) / np.float32(count), dtype=np.float64)
        else:
            average = wide.sum(axis=dims, keepdims=True) / count
        centered = wide - average
        value = np.sum(centered * centered, axis=dims, keepdims=keepdim) / dof
        if take_sqrt:
            value = np.sqrt(value)
        value = np.asarray(value, dtype=data.dtype)
        average = average.astype(data.dtype, copy=False)
    node = record(node_class, input)
    outputs = [value]
    if with_mean:
        outputs.append(average if keepdim else average.reshape(value.shape))
    tensors = results(outputs, node)
    if node is not None:
        node.self_sizes, node.dims, node.keepdim, node.dof, node.count = data.shape, dims, keepdim, dof, count
        node.save_for_backward(input)
        if take_sqrt:
            node.save_output(tensors[0])
    return tuple(tensors) if with_mean else tensors[0]


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over `dim` (all by default), dividing by N - correction (correction=1 unless
    unbiased=False)."""
    return write_out(out, _moments(input, dim, unbiased, keepdim, correction, VarBackward0, False, False))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over `dim` (all by default): the square root of `var`."""
    return write_out(out, _moments(input, dim, unbiased, keepdim, correction, StdBackward0, False, True))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over `dim`, computed together."""
    return _moments(input, dim, unbiased, keepdim, correction, VarMeanBackward0, True, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over `dim`, computed together."""
    return _moments(input, dim, unbiased, keepdim, correction, StdMeanBackward0, True, True)


# ---- norms ------------------------------------------------------------------------------------------
class LinalgVectorNormBackward0(Node):
    __slots__ = ('ord', 'dims', 'keepdim')

    def backward(self, grad):
        input, = self.saved_tensors
        data, p = input._data, self.ord
        grad = _restore_dims(grad, self.dims, self.keepdim)
        norm = _restore_dims(self.saved_output, self.dims, self.keepdim)
        sign = _constant(np.sign(data), data.dtype)
        if p == 0:  # counting nonzeros is flat
            return ((grad * 0).expand(data.shape),)
        if p == 1:
            return (sign * grad,)
        if p == 2:
            return (input * _divide_where_nonzero(grad, norm),)
        if p in (float('inf'), float('-inf')):  # like amax(|x|): ties share the gradient
            return (sign * _split_among_ties(grad, np.abs(data), norm._data, self.dims, True),)
        # d ||x||_p / d x_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1)
        if p < 1:  # |x|^(p-1) is infinite at 0, where PyTorch takes the gradient as 0
            magnitude = (input.abs() + _constant(data == 0, data.dtype)) ** (p - 1)
            return (sign * magnitude * grad * norm ** (1 - p),)
        return (sign * input.abs() ** (p - 1) * _divide_where_nonzero(grad, norm ** (p - 1)),)


def _vector_norm(input, p, dim, keepdim, dtype):
    """The p-norm of the elements over `dim` (all by default), as `linalg.vector_norm`."""
    data = input._data
    if dtype is not None:
        data = data.astype(numpy_dtype(dtype))
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(data.dtype)}")
    dims = _axes(dim, data.ndim)
    magnitude = np.abs(data)
    if p == 2:
        value = np.sqrt(np.sum(magnitude * magnitude, axis=dims, keepdims=keepdim))
    elif p == 1:
        value = np.sum(magnitude, axis=dims, keepdims=keepdim)
    elif p in (float('inf'), float('-inf')) and data.size == 0 and \
            _count(data.shape, dims) == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because the "
                           "operation does not have an identity")
    elif p == float('inf'):
        value = np.amax(magnitude, axis=dims, keepdims=keepdim)
    elif p == float('-inf'):
        value = np.amin(magnitude, axis=dims, keepdims=keepdim)
    elif p == 0:
        value = np.sum(magnitude != 0, axis=dims, keepdims=keepdim, dtype=magnitude.dtype)
    else:
        with np.errstate(divide='ignore'):
            value = np.sum(magnitude ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
    node = record(LinalgVectorNormBackward0, input)
    out = result(np.asarray(value, dtype=magnitude.dtype), node)
    if node is not None:
        node.ord, node.dims, node.keepdim = p, dims, keepdim
        node.save_for_backward(input)
        node.save_output(out)
    return out


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), as a 0-d tensor."""
    return _vector_norm(input - other, float(p), None, False, None)


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """The p-norm of `input` over `dim` (all elements by default). 'fro' is the 2-norm of all the
    elements; inf/-inf are the largest/smallest absolute value; 0 counts the nonzeros."""
    if p is None or p == 'fro':
        p = 2
    elif isinstance(p, str):  # 'nuc': a matrix norm over `dim`, all the dims by default (as PyTorch)
        from ..linalg import matrix_norm
        dims = tuple(range(input.dim())) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype, out=out)
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    return write_out(out, _vector_norm(input, float(p), dim, keepdim, dtype))


# ---- logsumexp and softmax ------------------------------------------------------------------------
def _finite_max(data, axis):
    """The max along `axis` (kept), 0 where it is not finite: subtracting it keeps exp() in range."""
    high = np.asarray(np.amax(data, axis=axis, keepdims=True, initial=-np.inf))
    high[~np.isfinite(high)] = 0
    return high


class LogsumexpBackward0(Node):
    __slots__ = ('dims', 'keepdim')

    def backward(self, grad):
        input, = self.saved_tensors
        out = _restore_dims(self.saved_output, self.dims, self.keepdim)
        # d logsumexp / d x_i = exp(x_i) / sum exp(x) = exp(x_i - logsumexp)
        return (_restore_dims(grad, self.dims, self.keepdim) * (input - out).exp(),)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input), dim)), computed without overflow."""
    data = default_float(input._data)
    dims = _axes(dim, data.ndim)
    shift = _finite_max(data, dims)
    with np.errstate(divide='ignore'):
        value = np.log(np.sum(np.exp(data - shift), axis=dims, keepdims=True)) + shift
    node = record(LogsumexpBackward0, input)
    result_tensor = result(value if keepdim else value.reshape(_reduced_shape(data.shape, dims)), node)
    if node is not None:
        node.dims, node.keepdim = dims, keepdim
        node.save_for_backward(input)
        node.save_output(result_tensor)
    return write_out(out, result_tensor)


def _shifted_by_max(data, axis):
    """`data` minus its max along `axis`, so exp() stays in range. Unlike logsumexp's shift, an
    infinite max is subtracted too, as PyTorch's softmax does: a slice holding +inf comes out all
    NaN (inf - inf), not a one-hot."""
    return np.asarray(data - np.amax(data, axis=axis, keepdims=True, initial=-np.inf))


def _softmax_input(input, dim, dtype, kernel):
    data = input._data
    if dtype is not None:
        data = data.astype(numpy_dtype(dtype))
    elif data.dtype.kind not in 'fc':
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(data.dtype)}\'')
    axis = wrap_dim(dim, data.ndim)
    return data, axis, (axis if data.ndim else None)


class SoftmaxBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        out = self.saved_output
        # d softmax_i / d x_j = s_i (delta_ij - s_j)
        return (out * (grad - (grad * out).sum(self.dim, keepdim=True)),)


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along `dim` (shifted by the max so nothing overflows); `dtype` casts
    the input first."""
    data, dim, axis = _softmax_input(input, dim, dtype, 'softmax_kernel_impl')
    exps = quietly(_shifted_by_max, data, axis)
    np.exp(exps, out=exps)
    quietly(np.divide, exps, np.sum(exps, axis=axis, keepdims=True), exps)
    node = record(SoftmaxBackward0, input)
    if node is not None:
        node.dim = dim
    return _result_saved(exps, node)


class LogSoftmaxBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        # d log_softmax_i / d x_j = delta_ij - softmax_j
        if GradMode.enabled or grad._data.ndim == 0:  # create_graph: recorded ops
            return (grad - self.saved_output.exp() * grad.sum(self.dim, keepdim=True),)
        data = grad._data  # the same operations in NumPy
        softmax = np.exp(self.saved_output._data)
        softmax *= data.sum(axis=self.dim, keepdims=True)
        return (wrap(np.subtract(data, softmax, out=softmax)),)


def log_softmax(input, dim, dtype=None):
    """x - logsumexp(x) along `dim`; more accurate than log(softmax(x))."""
    data, dim, axis = _softmax_input(input, dim, dtype, 'log_softmax_kernel_impl')
    shifted = quietly(_shifted_by_max, data, axis)
    with np.errstate(divide='ignore', invalid='ignore'):
        shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    node = record(LogSoftmaxBackward0, input)
    if node is not None:
        node.dim = dim
    return _result_saved(shifted, node)


# ---- scans ------------------------------------------------------------------------------------------
class CumsumBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        return (_reverse_cumsum(grad, self.dim),)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sums along `dim` (integers and bools sum as int64)."""
    data, axis = _one_dim(input, dim)
    value = np.cumsum(data, axis=axis, dtype=_sum_dtype(data, dtype, 'cumsum')).reshape(input._data.shape)
    node = record(CumsumBackward0, input)
    if node is not None:
        node.dim = axis
    return write_out(out, result(value, node))


class CumprodBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        input, = self.saved_tensors
        data, dim = input._data, self.dim
        if data.ndim == 0:
            return (grad,)
        if data.all():
            # d out_k / d x_j = out_k / x_j for k >= j
            return (_reverse_cumsum(grad * self.saved_output, dim) / input,)
        # With zeros: before the first zero of a slice the formula above holds; at the first zero
        # the products skip it; after it every product contains that zero, so the gradient is 0.
        dtype = data.dtype
        is_zero = data == 0
        zeros_so_far = np.cumsum(is_zero, axis=dim)
        before = _constant(zeros_so_far == 0, dtype)
        first_zero = is_zero & (zeros_so_far == 1)
        products = cumprod(input + _constant(first_zero, dtype), dim)  # the first zero taken as 1
        nonzero_input = input + _constant(is_zero, dtype)
        grad_before = before * _reverse_cumsum(grad * products * before, dim) / nonzero_input
        grad_at_zero = _constant(first_zero, dtype) * _reverse_cumsum(grad * products, dim)
        return (grad_before + grad_at_zero,)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running products along `dim` (integers and bools multiply as int64)."""
    data, axis = _one_dim(input, dim)
    value = np.cumprod(data, axis=axis, dtype=_sum_dtype(data, dtype, 'cumprod')).reshape(input._data.shape)
    node = record(CumprodBackward0, input)
    if node is not None:
        node.dim = axis
        node.save_for_backward(input)
    return write_out(out, _result_saved(value, node))


class CummaxBackward0(_PickBackward):
    __slots__ = ()
    accumulate = True  # one element can be the running max of many positions


class CumminBackward0(_PickBackward):
    __slots__ = ()
    accumulate = True


def _cumulative_extreme(input, dim, ufunc, node_class, return_type):
    data, axis = _one_dim(input, dim)
    values = ufunc.accumulate(data, axis=axis)
    # PyTorch's index is the latest position whose element became the running extreme: an equal
    # element replaces it, and so does every NaN
    candidate = data == values
    if data.dtype.kind == 'f':
        candidate |= np.isnan(data)
    elif data.dtype.kind == 'c':
        refuse_complex(data, f'{return_type.__name__}_cpu')
    positions = np.arange(data.shape[axis]).reshape((-1,) + (1,) * (data.ndim - 1 - axis))
    indices = np.maximum.accumulate(np.where(candidate, positions, 0), axis=axis)
    return _picked(input, axis, indices, True, node_class, return_type)


def cummax(input, dim):
    """(values, indices) of the running maximum along `dim`."""
    return _cumulative_extreme(input, dim, np.maximum, CummaxBackward0, return_types.cummax)


def cummin(input, dim):
    """(values, indices) of the running minimum along `dim`."""
    return _cumulative_extreme(input, dim, np.minimum, CumminBackward0, return_types.cummin)


class LogcumsumexpBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        input, = self.saved_tensors
        out, dim = self.saved_output, self.dim
        if input._data.ndim == 0:
            return (grad,)
        # d out_k / d x_j = exp(x_j - out_k) for k >= j. The sums over k are taken in log space,
        # separately for positive and negative gradients (PyTorch's logcumsumexp_backward), so
        # that nothing overflows.
        g, dtype = grad._data, input._data.dtype
        lowest = np.finfo(dtype).min / 2  # log(0) stand-in: finite, and far enough from overflowing

        def part(mask, sign):
            log_grad = (grad * sign * _constant(mask, dtype) + _constant(~mask, dtype)).log() \
                + _constant(~mask * lowest, dtype)
            return (_flip(logcumsumexp(_flip(log_grad - out, dim), dim), dim) + input).exp()
        return (part(g > 0, 1) - part(g < 0, -1),)


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along `dim`, computed without overflow."""
    data, axis = _one_dim(input, dim)
    if data.dtype.kind not in 'fc':
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{_type_name(data.dtype)}\'')
    value = np.logaddexp.accumulate(data, axis=axis).reshape(input._data.shape)
    node = record(LogcumsumexpBackward0, input)
    if node is not None:
        node.dim = axis
        node.save_for_backward(input)
    return write_out(out, _result_saved(value, node))


# ---- logical reductions -----------------------------------------------------------------------------
def _logical(np_function, input, dim, keepdim, out):
    data = input._data
    dims = _axes(dim, data.ndim)
    value = np.asarray(np_function(data, axis=dims, keepdims=keepdim))
    # PyTorch answers uint8 for uint8 inputs, bool for everything else
    return write_out(out, wrap(value.astype(np.uint8) if data.dtype == np.uint8 else value))


def all(input, dim=None, keepdim=False, *, out=None):
    """True if every element (along `dim`) is nonzero."""
    return _logical(np.all, input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """True if some element (along `dim`) is nonzero."""
    return _logical(np.any, input, dim, keepdim, out)


def count_nonzero(input, dim=None):
    """The number of nonzero elements (along `dim`), as int64."""
    data = input._data
    return wrap(np.asarray(np.count_nonzero(data, axis=_axes(dim, data.ndim)), dtype=np.int64))


# ---- sorting and order statistics -------------------------------------------------------------------
def _argsort(data, axis, descending):
    """A stable argsort; NaN counts as the largest value, as in PyTorch."""
    if data.dtype.kind == 'c':
        raise RuntimeError(" Sort does not support complex dtypes on CPU")  # (PyTorch's message starts with a space)
    if not descending:
        return np.argsort(data, axis=axis, kind='stable')
    # sort the reversed data ascending and read the result backwards: equal elements keep their
    # order and NaNs come first
    reversed_order = np.argsort(np.flip(data, axis), axis=axis, kind='stable')
    return (data.shape[axis] - 1) - np.flip(reversed_order, axis)


class SortBackward0(_PickBackward):
    __slots__ = ()


class SortBackward1(_PickBackward):
    """sort(stable=True)"""
    __slots__ = ()


def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices) of `input` sorted along `dim`; equal elements keep their order."""
    data, axis = _one_dim(input, dim)
    return _picked(input, axis, _argsort(data, axis, descending), True, SortBackward1 if stable else SortBackward0,
                   return_types.sort)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort `input` along `dim`."""
    data, axis = _one_dim(input, dim)
    indices = _argsort(data, axis, descending).astype(np.int64, copy=False)
    return wrap(indices.reshape(()) if input._data.ndim == 0 else indices)


def msort(input, *, out=None):
    """`input` sorted along its first dim."""
    return write_out(out, sort(input, 0).values)


class TopkBackward0(_PickBackward):
    __slots__ = ()


def topk(input, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the `k` largest (or smallest) elements along `dim`, largest first.
    Among equal elements, the ones PyTorch picks, listed in PyTorch's order."""
    if not hasattr(k, '__index__'):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
    k = k.__index__()
    data, axis = _one_dim(input, dim)
    if data.dtype.kind == 'c':
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    if not 0 <= k <= data.shape[axis]:
        raise RuntimeError("selected index k out of range")
    n = data.shape[axis]
    if 0 < k < n:
        # partition the k wanted elements to one end (linear time), then sort only them; NumPy's
        # partition counts NaN as the largest value, as PyTorch does
        kept = np.arange(n - k, n) if largest else np.arange(k)
        candidates = np.take(np.argpartition(data, n - k if largest else k - 1, axis=axis), kept, axis=axis)
        order = _argsort(np.take_along_axis(data, candidates, axis), axis, descending=largest)
        indices = np.take_along_axis(candidates, order, axis)
    else:
        indices = np.take(_argsort(data, axis, descending=largest), np.arange(k), axis=axis)
    if k > 0 and data.size > 0:
        indices = _with_torch_tie_choice(data, axis, indices, largest)
    return _picked(input, axis, indices, True, TopkBackward0, return_types.topk)


def _same_value(a, b):
    """Equal, or both NaN: the elements that neither order before the other."""
    same = a == b
    return same | (np.isnan(a) & np.isnan(b)) if a.dtype.kind in 'fc' else same


def _with_torch_tie_choice(data, axis, indices, largest):
    """`indices` (topk's picks, sorted) redone as PyTorch's CPU kernel does them in the slices where
    equal values make the choice or their order ambiguous: there the kernel's unstable C++
    algorithms decide, so they are replayed step by step (`_LibstdcxxTopk`)."""
    rows = np.moveaxis(data, axis, -1).reshape(-1, data.shape[axis])
    picks = np.moveaxis(indices, axis, -1).reshape(-1, indices.shape[axis])
    values = np.take_along_axis(rows, picks, -1)
    kth = values[:, -1:]
    # a tie across the boundary (the k-th value also left out) decides which elements are picked;
    # a tie among the picks decides their order
    tie_at_boundary = np.count_nonzero(_same_value(rows, kth), -1) > np.count_nonzero(_same_value(values, kth), -1)
    tie_inside = np.any(_same_value(values[:, 1:], values[:, :-1]), -1)
    ambiguous = np.flatnonzero(tie_at_boundary | tie_inside)
    if len(ambiguous) == 0:
        return indices
    picks = picks.copy()
    for row in ambiguous:
        picks[row] = _LibstdcxxTopk(rows[row], largest).topk(picks.shape[1])
    return np.moveaxis(picks.reshape(indices.shape[:axis] + indices.shape[axis + 1:] + (-1,)), -1, axis)


class _LibstdcxxTopk:
    """PyTorch's CPU topk of one slice, replayed: (value, index) pairs go through libstdc++'s
    `std::partial_sort` when k * 64 <= n, else `std::nth_element` at k - 1 followed by `std::sort` of
    the first k - 1 pairs. The pairs are compared by value only, so these unstable algorithms decide
    among equal values. Values become ranks (`key`; NaN counts as the largest value): `key[a] <
    key[b]` is the kernel's comparator. Partitions are vectorized; heaps move element by element."""
    __slots__ = ('key', 'index')

    def __init__(self, values, largest):
        rank = np.unique(values, return_inverse=True)[1].reshape(-1)  # NaNs last, all one rank
        self.key = -rank if largest else rank
        self.index = np.arange(len(values))

    def topk(self, k):
        n = len(self.key)
        if k * 64 <= n:
            self._heap_select(0, k, n)
            self._sort_heap(0, k)
        else:
            self._nth_element(0, k - 1, n)
            self._sort(0, k - 1)
        return self.index[:k]

    def _swap(self, i, j):
        key, index = self.key, self.index
        key[i], key[j] = key[j], key[i]
        index[i], index[j] = index[j], index[i]

    def _stable_sort(self, first, last):
        """What insertion sort leaves: equal keys keep their order."""
        order = np.argsort(self.key[first:last], kind='stable') + first
        self.key[first:last], self.index[first:last] = self.key[order], self.index[order]

    def _nth_element(self, first, nth, last):
        """std::nth_element: introselect, falling back to a heap after 2 log2(n) partitions."""
        depth_limit = 2 * ((last - first).bit_length() - 1)
        while last - first > 3:
            if depth_limit == 0:
                self._heap_select(first, nth + 1, last)
                self._swap(first, nth)
                return
            depth_limit -= 1
            cut = self._partition_around_median(first, last)
            if cut <= nth:
                first = cut
            else:
                last = cut
        self._stable_sort(first, last)

    def _sort(self, first, last):
        """std::sort: introsort down to ranges of 16 (heapsort past 2 log2(n) partitions), then one
        insertion sort of everything."""
        if last - first < 2:
            return
        ranges = [(first, last, 2 * ((last - first).bit_length() - 1))]
        while ranges:
            low, high, depth_limit = ranges.pop()
            while high - low > 16:
                if depth_limit == 0:
                    self._heap_select(low, high, high)
                    self._sort_heap(low, high)
                    break
                depth_limit -= 1
                cut = self._partition_around_median(low, high)
                ranges.append((cut, high, depth_limit))
                high = cut
        self._stable_sort(first, last)

    def _partition_around_median(self, first, last):
        """The median of the second, middle and last keys moves to `first` and is the pivot of a
        Hoare partition of the rest; returns where the right part starts."""
        key = self.key
        a, b, c = first + 1, first + (last - first) // 2, last - 1
        if key[a] < key[b]:
            median = b if key[b] < key[c] else c if key[a] < key[c] else a
        else:
            median = a if key[a] < key[c] else c if key[b] < key[c] else b
        self._swap(first, median)
        pivot = key[first]
        segment_key, segment_index = key[first + 1:last], self.index[first + 1:last]
        # the forward scan stops at keys not below the pivot, the backward scan at keys not above it;
        # the i-th stops of both are swapped while they have not crossed
        forward = np.nonzero(segment_key >= pivot)[0]
        backward = np.nonzero(segment_key <= pivot)[0][::-1]
        count = builtins.min(len(forward), len(backward))
        swaps = int(np.count_nonzero(forward[:count] < backward[:count]))
        left, right = forward[:swaps], backward[:swaps]
        segment_key[left], segment_key[right] = segment_key[right], segment_key[left]
        segment_index[left], segment_index[right] = segment_index[right], segment_index[left]
        # after the last swap the forward scan stops at the next key not below the pivot, or at the
        # last swapped-in one
        if swaps == 0:
            return first + 1 + int(forward[0])
        if swaps == len(forward):
            return first + 1 + int(backward[swaps - 1])
        return first + 1 + int(builtins.min(forward[swaps], backward[swaps - 1]))

    def _heap_select(self, first, middle, last):
        """std::__heap_select: a max-heap of [first, middle); each later key below its top replaces it."""
        heap_key, heap_index = self.key[first:middle].tolist(), self.index[first:middle].tolist()
        length = middle - first
        for parent in range((length - 2) // 2, -1, -1):
            self._adjust_heap(heap_key, heap_index, parent, length, heap_key[parent], heap_index[parent])
        block = 4096
        for start in range(middle, last, block):
            # only keys below the top at the block's start can enter the heap
            for i in (np.flatnonzero(self.key[start:start + block] < heap_key[0]) + start).tolist():
                if self.key[i] < heap_key[0]:
                    key, index = int(self.key[i]), int(self.index[i])
                    self.key[i], self.index[i] = heap_key[0], heap_index[0]
                    self._adjust_heap(heap_key, heap_index, 0, length, key, index)
        self.key[first:middle], self.index[first:middle] = heap_key, heap_index

    def _sort_heap(self, first, last):
        """std::__sort_heap: pop the top to the end, again and again."""
        heap_key, heap_index = self.key[first:last].tolist(), self.index[first:last].tolist()
        for end in range(last - first - 1, 0, -1):
            key, index = heap_key[end], heap_index[end]
            heap_key[end], heap_index[end] = heap_key[0], heap_index[0]
            self._adjust_heap(heap_key, heap_index, 0, end, key, index)
        self.key[first:last], self.index[first:last] = heap_key, heap_index

    @staticmethod
    def _adjust_heap(heap_key, heap_index, hole, length, key, index):
        """std::__adjust_heap: move the hole at `hole` down to a leaf along the larger children, then
        push (key, index) up from there (std::__push_heap)."""
        top = hole
        child = hole
        while child < (length - 1) // 2:
            child = 2 * (child + 1)
            if heap_key[child] < heap_key[child - 1]:
                child -= 1
            heap_key[hole], heap_index[hole] = heap_key[child], heap_index[child]
            hole = child
        if length % 2 == 0 and child == (length - 2) // 2:
            child = 2 * (child + 1)
            heap_key[hole], heap_index[hole] = heap_key[child - 1], heap_index[child - 1]
            hole = child - 1
        parent = (hole - 1) // 2
        while hole > top and heap_key[parent] < key:
            heap_key[hole], heap_index[hole] = heap_key[parent], heap_index[parent]
            hole = parent
            parent = (hole - 1) // 2
        heap_key[hole], heap_index[hole] = key, index


class KthvalueBackward0(_PickBackward):
    __slots__ = ()


def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element along `dim` (k counts from 1)."""
    data, axis = _one_dim(input, dim)
    _check_nonempty_dim(data, axis, 'kthvalue')
    refuse_complex(data, 'kthvalue_cpu')
    if not 1 <= k <= data.shape[axis]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {wrap_dim(dim, data.ndim)}")
    indices = np.take(np.argpartition(data, k - 1, axis=axis), [k - 1], axis=axis)
    return _picked(input, axis, indices, keepdim, KthvalueBackward0, return_types.kthvalue)


class MedianBackward0(_SplitAmongTiesBackward):
    """median of all elements"""
    __slots__ = ()


class MedianBackward1(_PickBackward):
    """median along a dim"""
    __slots__ = ()


class NanmedianBackward0(_SplitAmongTiesBackward):
    __slots__ = ()


class NanmedianBackward1(_PickBackward):
    __slots__ = ()


def _lower_median_index(data, axis, ignore_nan):
    """Along `axis` (kept as size 1): the index of the lower median; NaN propagates unless ignored."""
    n = data.shape[axis]
    if data.dtype.kind != 'f':
        return np.take(np.argpartition(data, (n - 1) // 2, axis=axis), [(n - 1) // 2], axis=axis)
    is_nan = np.isnan(data)
    order = np.argsort(data, axis=axis, kind='stable')  # NaNs last
    if ignore_nan:
        valid = n - np.sum(is_nan, axis=axis, keepdims=True)
        return np.take_along_axis(order, np.maximum((valid - 1) // 2, 0), axis)
    median_index = np.take(order, [(n - 1) // 2], axis=axis)
    # a slice with a NaN has median NaN, found at its first NaN
    return np.where(np.any(is_nan, axis=axis, keepdims=True), np.argmax(is_nan, axis=axis, keepdims=True),
                    median_index)


def _median(input, dim, keepdim, ignore_nan):
    data = input._data
    name = 'nanmedian' if ignore_nan else 'median'
    refuse_complex(data, 'median_cpu' if dim is None else 'median_out')
    if dim is None:
        flat = data.reshape(-1)
        if flat.size == 0:
            value = np.asarray(np.nan, dtype=data.dtype)
        else:
            value = flat[_lower_median_index(flat, 0, ignore_nan)[0]]
        return _full_reduction(input, value, NanmedianBackward0 if ignore_nan else MedianBackward0)
    data, axis = _one_dim(input, dim)
    _check_nonempty_dim(data, axis, name)
    return _picked(input, axis, _lower_median_index(data, axis, ignore_nan), keepdim,
                   NanmedianBackward1 if ignore_nan else MedianBackward1,
                   return_types.nanmedian if ignore_nan else return_types.median)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements; with `dim`, (values, indices) along it. NaN if any is NaN."""
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """Like `median`, ignoring NaNs."""
    return _median(input, dim, keepdim, True)


class ModeBackward0(_PickBackward):
    __slots__ = ()


def mode(input, dim=-1, keepdim=False):
    """(values, indices) of the most frequent value along `dim`: the smallest of equally frequent
    values, at its last position (as PyTorch)."""
    data, axis = _one_dim(input, dim)
    _check_nonempty_dim(data, axis, 'mode')
    order = np.argsort(data, axis=axis, kind='stable')
    ordered = np.take_along_axis(data, order, axis)
    n = data.shape[axis]
    positions = np.arange(n).reshape((-1,) + (1,) * (data.ndim - 1 - axis))
    # in sorted order, a run of equal values starts where the value changes
    run_start = np.ones(ordered.shape, dtype=bool)
    later, earlier = (slice(None),) * axis + (slice(1, None),), (slice(None),) * axis + (slice(None, -1),)
    run_start[later] = ordered[later] != ordered[earlier]
    start_position = np.maximum.accumulate(np.where(run_start, positions, 0), axis=axis)
    run_length = positions - start_position + 1
    # the first position reaching the longest run ends the run of the smallest most frequent value;
    # the stable sort put that value's last occurrence there
    end = np.argmax(run_length, axis=axis, keepdims=True)
    return _picked(input, axis, np.take_along_axis(order, end, axis), keepdim, ModeBackward0, return_types.mode)



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
    value = data.sum(axis=axes) if axes else data
    if value.shape != size:  # (only then: a reshaped sum is a view, which a leaf's .grad must copy)
        value = value.reshape(size)
    node = record(SumToSizeBackward0, input)
    if node is not None:
        node.self_sizes = data.shape
    return result(np.ascontiguousarray(value) if value is data else value, node)
