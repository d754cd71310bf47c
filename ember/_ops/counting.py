"""Counting, binning and order-statistic ops: diff, bincount, searchsorted/bucketize, unique,
unique_consecutive, histc, quantile/nanquantile.

The differentiable ones (diff, quantile) are composed of ember ops, as PyTorch composes them, so
their gradients (and higher-order gradients) come from those ops. The rest return integer counts or
positions and never record a node.
"""
import numpy as np

from .. import _dtype as dtypes
from .._tensor import Tensor, _scalar_type_name
from ._util import wrap, wrap_dim, write_out
from .elementwise import refuse_complex

__all__ = ['diff', 'bincount', 'searchsorted', 'bucketize', 'isin', 'unique', 'unique_consecutive', 'histc',
           'histogram', 'quantile', 'nanquantile']
TENSOR_METHODS = ('diff', 'bincount', 'unique', 'unique_consecutive', 'histc', 'histogram', 'quantile', 'nanquantile')
INPLACE_METHODS = ()


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` occurs in `test_elements` (either may be a number): a bool
    tensor shaped like `elements`, negated with `invert`."""
    a, b = (x._data if isinstance(x, Tensor) else np.asarray(x) for x in (elements, test_elements))
    return wrap(np.asarray(np.isin(a, b, assume_unique=assume_unique, invert=invert)))


def _index_dtype(out_int32):
    return np.int32 if out_int32 else np.int64


# ---- diff -------------------------------------------------------------------------------------------
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim`, after joining `prepend` and `append` to `input`."""
    if input.dim() == 0:
        raise RuntimeError('diff expects input to be at least one-dimensional')
    if n < 0:
        raise RuntimeError(f'order must be non-negative but got {n}')
    dim = wrap_dim(dim, input.dim())
    from .shape import cat
    pieces = [p for p in (prepend, input, append) if p is not None]
    x = cat(pieces, dim) if len(pieces) > 1 else input
    # bool tensors have no subtraction: PyTorch takes their difference as "changed or not"
    step = Tensor.logical_xor if x.dtype is dtypes.bool else Tensor.sub
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        x = step(x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1))
    return x


# ---- counting ---------------------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-d `input` (summing `weights` instead)."""
    data = input._data
    if data.dtype.kind not in 'iub':
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_scalar_type_name(data.dtype)}\'')
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError('bincount only supports 1-d non-negative integral inputs.')
    if minlength < 0:
        raise RuntimeError('minlength should be >= 0')
    if weights is None:
        return wrap(np.bincount(data, minlength=minlength).astype(np.int64))
    if weights.shape != input.shape:
        raise RuntimeError('weights should be 1-d and have the same length as input')
    # float32 weights keep float32; every other weight dtype counts in float64, as PyTorch does
    out_dtype = np.float32 if weights._data.dtype == np.float32 else np.float64
    return wrap(np.bincount(data, weights=weights._data.astype(np.float64), minlength=minlength).astype(out_dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts of `input` in `bins` equal-width bins over [min, max] (the data's range if min == max)."""
    data = input._data
    if data.dtype.kind != 'f':
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_scalar_type_name(data.dtype)}\'')
    if bins <= 0:
        raise RuntimeError('torch.histc: bins must be > 0')
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f'torch.histc: max must be larger than min')
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f'torch.histc: range of [{low}, {high}] is not finite')
    flat = data.ravel()
    flat = flat[(flat >= low) & (flat <= high)]
    # the bin a value falls in, computed in the input's precision; the top edge belongs to the last bin
    position = (flat - data.dtype.type(low)) * data.dtype.type(bins) / (data.dtype.type(high) - data.dtype.type(low))
    index = np.minimum(position.astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins).astype(data.dtype)
    return write_out(out, wrap(counts))


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or summed `weight`) of `input` in `bins` (a count or the edges)."""
    from .. import return_types
    from .._creation import linspace
    data = input._data
    if data.dtype.kind != 'f':
        raise NotImplementedError(f'"histogramdd" not implemented for \'{_scalar_type_name(data.dtype)}\'')
    if isinstance(bins, Tensor):
        edges = bins._data.astype(data.dtype)
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError('torch.histogram(): bins tensor should have one dimension and at least 1 element')
        if edges.size > 1 and np.any(edges[1:] < edges[:-1]):
            raise ValueError('bin_edges must increase monotonically')
    else:
        if bins <= 0:
            raise RuntimeError(f'torch.histogram(): bins must be > 0, but got {bins} for dimension 0')
        if range is not None:
            low, high = float(range[0]), float(range[1])
        elif data.size:
            low, high = float(data.min()), float(data.max())
        else:
            low, high = 0.0, 0.0
        if low > high:
            raise RuntimeError(f'torch.histogramdd: min should not exceed max, but got min {low:g} max {high:g} '
                               'for dimension 0')
        if low == high:  # an empty range widens to a unit interval around it
            low, high = low - 0.5, high + 0.5
        edges = linspace(low, high, bins + 1, dtype=input.dtype)._data
    weights = None if weight is None else weight._data.ravel()
    # NumPy bins against the given edges exactly (the last bin includes its right edge), as PyTorch does
    counts, _ = np.histogram(data.ravel(), bins=edges, weights=weights)
    counts = counts.astype(data.dtype)
    if density:
        counts = counts / (counts.sum() * np.diff(edges))
    result = return_types.histogram(wrap(counts.astype(data.dtype, copy=False)), wrap(edges.copy()))
    if out is not None:
        write_out(out[0], result[0])
        write_out(out[1], result[1])
        return return_types.histogram(*out)
    return result


# ---- searchsorted / bucketize -----------------------------------------------------------------------
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Where each value of `input` would be inserted into the innermost rows of `sorted_sequence`."""
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == 'left':
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == 'right'
    boundaries = sorted_sequence._data
    if sorter is not None:
        boundaries = np.take_along_axis(boundaries, sorter._data, -1)
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input) if scalar else input._data
    np_side = 'right' if right else 'left'
    index_dtype = _index_dtype(out_int32)
    for data in (values, boundaries):
        refuse_complex(data, 'searchsorted_out_cpu')
    if boundaries.ndim <= 1:
        positions = np.searchsorted(boundaries, values, side=np_side)
    else:
        if values.ndim != boundaries.ndim or values.shape[:-1] != boundaries.shape[:-1]:
            raise RuntimeError('torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 '
                               'dimensions of boundaries tensor and input value tensor must match, but we got '
                               f'boundaries tensor {list(boundaries.shape)} and input value tensor '
                               f'{list(values.shape)}')
        # NumPy searches one row at a time; the batch of rows is small next to the searches themselves
        rows, row_values = boundaries.reshape(-1, boundaries.shape[-1]), values.reshape(-1, values.shape[-1])
        positions = np.empty(row_values.shape, dtype=np.int64)
        for i in range(rows.shape[0]):
            positions[i] = np.searchsorted(rows[i], row_values[i], side=np_side)
        positions = positions.reshape(values.shape)
    return write_out(out, wrap(np.asarray(positions, dtype=index_dtype)))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of 1-d `boundaries` that each value of `input` falls in."""
    if boundaries.dim() != 1:
        raise RuntimeError(f'boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})')
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ---- unique -----------------------------------------------------------------------------------------
def _unique_results(values, inverse, counts, return_inverse, return_counts):
    outs = (wrap(values),)
    if return_inverse:
        outs += (wrap(inverse.astype(np.int64)),)
    if return_counts:
        outs += (wrap(counts.astype(np.int64)),)
    return outs[0] if len(outs) == 1 else outs


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along `dim`) of `input`, in ascending order."""
    data = input._data
    refuse_complex(data, 'unique' if dim is None else 'unique_dim')
    if dim is None:
        # PyTorch keeps each NaN as a value of its own (NaN != NaN); NumPy would merge them
        values, inverse, counts = np.unique(data.ravel(), return_inverse=True, return_counts=True, equal_nan=False)
        inverse = inverse.reshape(data.shape)
    else:
        dim = wrap_dim(dim, data.ndim)
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True, axis=dim)
        inverse = inverse.reshape(-1)
    return _unique_results(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """`input` with each run of equal consecutive values (or slices along `dim`) collapsed to one."""
    data = input._data
    refuse_complex(data, 'unique')
    if dim is None:
        moved = data.reshape(-1)
    else:
        dim = wrap_dim(dim, data.ndim)
        moved = np.moveaxis(data, dim, 0)
    length = moved.shape[0]
    # a run starts wherever an element (a slice) differs from the one before it
    changed = moved[1:] != moved[:-1]
    if changed.ndim > 1:
        changed = changed.reshape(length - 1, -1).any(1)
    starts = np.concatenate(([True], changed)) if length else np.zeros(0, bool)
    inverse = np.cumsum(starts) - 1
    start_index = np.flatnonzero(starts)
    counts = np.diff(np.append(start_index, length))
    values = moved[start_index]
    if dim is not None:
        values = np.moveaxis(values, 0, dim)
    else:
        inverse = inverse.reshape(data.shape)
    return _unique_results(values, inverse, counts, return_inverse, return_counts)


# ---- quantile ---------------------------------------------------------------------------------------
_INTERPOLATIONS = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op_name):
    """PyTorch's quantile algorithm: sort, find fractional ranks, gather and interpolate neighbours."""
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f'{op_name}() input tensor must be either float or double dtype')
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op_name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation}")
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f'{op_name}() q must be a scalar or 1D tensor')
        if q.dtype is not input.dtype:
            raise RuntimeError(f'{op_name}() q tensor must be same dtype as the input tensor')
        q_values = q._data.reshape(-1)
        q_is_scalar = q.dim() == 0
    else:
        q_values = np.asarray([q], dtype=input._data.dtype)
        q_is_scalar = True
    if q_values.size and (q_values.min() < 0 or q_values.max() > 1):
        bad = q_values[(q_values < 0) | (q_values > 1)][0]
        raise RuntimeError(f'{op_name}() q must be in the range [0, 1] but got {float(bad)}' if not isinstance(q, Tensor)
                           else f'{op_name}() q values must be in the range [0, 1]')
    if input.numel() == 0:
        raise RuntimeError(f'{op_name}() input tensor must be non-empty')
    # the reduced values go last: x has shape (kept dims..., n)
    if dim is None:
        x = input.reshape(-1)
        kept_shape = (1,) * input.dim() if keepdim else ()
    else:
        dim = wrap_dim(dim, max(input.dim(), 1))
        x = input.movedim(dim, -1) if input.dim() else input.reshape(1)
        kept_shape = input.shape[:dim] + ((1,) if keepdim else ()) + input.shape[dim + 1:]
        if input.dim() == 0:
            kept_shape = ()
    sorted_x = x.sort(-1).values
    last_index = sorted_x.shape[-1] - 1
    is_nan = np.isnan(sorted_x._data)
    q_row = q_values  # ranks have shape (kept..., Q)
    if ignore_nan:
        valid = (~is_nan).sum(-1, keepdims=True)
        ranks = q_row * (valid - 1).astype(q_row.dtype)
        ranks = np.where(ranks < 0, 0, ranks)
    else:
        ranks = np.broadcast_to(q_row * q_row.dtype.type(last_index), sorted_x.shape[:-1] + (q_row.size,))
        ranks = np.where(is_nan.any(-1, keepdims=True), q_row.dtype.type(last_index), ranks)
    if interpolation == 'lower':
        ranks = np.floor(ranks)
    elif interpolation == 'higher':
        ranks = np.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = np.round(ranks)  # half to even, like PyTorch's round
    below = ranks.astype(np.int64)
    value = sorted_x.gather(-1, wrap(below))
    if interpolation in ('linear', 'midpoint'):
        weights = np.full_like(ranks, 0.5) if interpolation == 'midpoint' else ranks - below
        above = sorted_x.gather(-1, wrap(np.ceil(ranks).astype(np.int64)))
        value = value.lerp(above, wrap(np.ascontiguousarray(weights, dtype=ranks.dtype)))
    # (kept..., Q) -> (Q, kept...), dropping Q for a scalar q
    value = value.movedim(-1, 0).reshape((q_row.size,) + tuple(kept_shape))
    return value.squeeze(0) if q_is_scalar else value


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """The q-th quantiles of `input` (over `dim`, or all elements); NaN where a row holds a NaN."""
    return write_out(out, _quantile(input, q, dim, keepdim, interpolation, False, 'quantile'))


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    """`quantile` ignoring NaNs (NaN only where a row is all NaN)."""
    return write_out(out, _quantile(input, q, dim, keepdim, interpolation, True, 'nanquantile'))
