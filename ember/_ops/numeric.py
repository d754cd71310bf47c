"""Numerical helpers built from the other ops: statistics (cov, corrcoef), integration (trapezoid,
cumulative_trapezoid), finite differences (gradient), renorm, block_diag, combinations, unravel_index and
histogramdd.

Most are compositions of differentiable ops, as in PyTorch (which writes them in C++ from its own ops),
so their gradients are those of the composition.
"""
import functools
import numbers

import numpy as np

from .. import _dtype as dtypes, return_types
from ..autograd.graph import Node
from .._tensor import Tensor, _scalar_type_name
from ._util import record_any, result, wrap, wrap_dim, write_out
from .view import unsqueeze
from .shape import cat

__all__ = ['cov', 'corrcoef', 'trapezoid', 'trapz', 'cumulative_trapezoid', 'gradient', 'renorm', 'block_diag',
           'combinations', 'unravel_index', 'histogramdd']
TENSOR_METHODS = ('cov', 'corrcoef', 'renorm')
INPLACE_METHODS = ('renorm',)


# ---- covariance, correlation ------------------------------------------------------------------------------
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of `input` (observations in the columns), with
    integer frequency weights and float observation weights; a 1-d input is one variable (a 0-d result)."""
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with {data.ndim} "
                           "dimensions")
    if data.dtype == np.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    observations = input.reshape(1, -1) if data.ndim < 2 else input
    count = observations.shape[1]
    weights = None
    if fweights is not None:
        _check_weights(fweights, 'fweights', count, 'iu', 'integral')
        weights = fweights
    if aweights is not None:
        _check_weights(aweights, 'aweights', count, 'f', 'floating point')
        weights = aweights if weights is None else weights * aweights
    total = weights.sum() if weights is not None else count
    if weights is not None and not np.all(total._data != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    mean = (observations * weights if weights is not None else observations).sum(1) / total
    # with observation weights, the unbiased normaliser is sum(w) - correction * sum(w * a) / sum(w)
    if weights is not None and aweights is not None and correction != 0:
        normaliser = total - correction * (weights * aweights).sum() / total
    else:
        normaliser = total - correction
    if np.all(np.asarray(getattr(normaliser, '_data', normaliser)) <= 0):
        import warnings
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        normaliser = normaliser * 0
    centred = observations - unsqueeze(mean, 1)
    product = centred.mm((centred * weights if weights is not None else centred).t())
    return (product / normaliser).squeeze()


def _check_weights(weights, name, count, kinds, kind_name):
    data = weights._data
    if data.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {data.ndim} "
                           "dimensions")
    if data.dtype.kind not in kinds:
        raise RuntimeError(f"cov(): expected {name} to have {kind_name} dtype but got {name} with "
                           f"{_scalar_type_name(data.dtype)} dtype")
    if data.size != count:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input but "
                           f"got {data.size} != {count}")
    if count and data.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def corrcoef(input):
    """Pearson's correlation coefficients of the rows of `input`: cov divided by the outer product of the
    standard deviations, clipped to [-1, 1]."""
    if input._data.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input._data.ndim} dimensions")
    covariance = cov(input)
    if covariance.dim() == 0:  # one variable: 1, or nan where its variance is 0, nan or inf
        return covariance / covariance
    deviation = covariance.diagonal().sqrt()
    covariance = covariance / unsqueeze(deviation, 1)
    covariance = covariance / unsqueeze(deviation, 0)
    return covariance.clip(-1, 1)


# ---- integration ------------------------------------------------------------------------------------------
def _sample_spacing(y, x, dim, name):
    """The differences of the sample points x along `dim`, shaped to broadcast against y's differences
    (x is 1-d along dim, or has y's trailing dims), as NumPy and PyTorch broadcast them."""
    data = x._data
    if data.ndim == 1:
        if data.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = data.shape[0]
        x = x.reshape(shape)
    elif data.ndim < y.dim():
        x = x.reshape((1,) * (y.dim() - data.ndim) + data.shape)
    size = x.shape[dim]
    return x.narrow(dim, 1, size - 1) - x.narrow(dim, 0, size - 1)


def _neighbour_sums(y, dim):
    size = y.shape[dim]
    return y.narrow(dim, 1, size - 1) + y.narrow(dim, 0, size - 1)


def _check_integrand(y, x, dx, name):
    if y._data.dtype == np.bool_ or (x is not None and x._data.dtype == np.bool_):
        raise RuntimeError(f"{name}: received a bool input for `{'y' if y._data.dtype == np.bool_ else 'x'}`, but "
                           "bool is not supported")
    if x is not None and dx is not None:
        raise RuntimeError(f"{name}: received both `x` and `dx`, but only one of them may be given")


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of y along `dim` by the trapezoidal rule, at the sample points x (a tensor) or with the
    spacing dx (1 by default)."""
    if x is not None and not isinstance(x, Tensor):  # trapezoid(y, 0.5): a number is the spacing
        x, dx = None, x
    _check_integrand(y, x, dx, 'trapezoid')
    dim = wrap_dim(dim, y.dim())
    if y.shape[dim] == 0:  # no samples: 0, as NumPy
        shape = tuple(y.shape[:dim]) + tuple(y.shape[dim + 1:])
        return wrap(np.zeros(shape, dtype=y._data.dtype))
    if x is not None:
        return (_sample_spacing(y, x, dim, 'trapezoid') * _neighbour_sums(y, dim) / 2.).sum(dim)
    dx = 1 if dx is None else dx
    # with a constant spacing: (sum(y) - (y_first + y_last) / 2) dx
    return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx


def trapz(y, x=None, *, dx=None, dim=-1):
    """The older name of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral of y along `dim` (one element fewer than y there)."""
    if x is not None and not isinstance(x, Tensor):
        x, dx = None, x
    _check_integrand(y, x, dx, 'cumulative_trapezoid')
    dim = wrap_dim(dim, y.dim())
    if y.shape[dim] == 0:
        return y.clone()
    spacing = _sample_spacing(y, x, dim, 'cumulative_trapezoid') if x is not None else (1 if dx is None else dx)
    return (spacing / 2. * _neighbour_sums(y, dim)).cumsum(dim)


# ---- finite differences -----------------------------------------------------------------------------------
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of `input` estimated along each dim of `dim` (all by default) by central differences
    inside and one-sided ones (of order edge_order) at the ends; one tensor per dim. `spacing` is one number
    for all dims, one per dim, or one 1-d tensor of coordinates per dim."""
    data = input._data
    if data.dtype == np.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if isinstance(dim, (int, np.integer)):
        dims = [int(dim)]
    else:
        dims = None if dim is None else list(dim)
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.dim() > 0):
        spacing = [spacing] * (len(dims) if dims is not None else data.ndim)
    spacing = list(spacing)
    if dims is None and len(spacing) != data.ndim:
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
                           f"to 'self.dim() = {data.ndim}', since dim argument was not given, but got a list of length "
                           f"{len(spacing)}")
    if dims is not None and len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(spacing)} "
                           f"and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(data.ndim)) if dims is None else [wrap_dim(d, data.ndim) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    for d in dims:
        if data.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    derivatives = []
    for d, step in zip(dims, spacing):
        if isinstance(step, Tensor) and step.dim() > 0:
            derivatives.append(_gradient_at_coordinates(input, step, d, edge_order))
        else:
            derivatives.append(_gradient_uniform(input, step.item() if isinstance(step, Tensor) else step, d,
                                                 edge_order))
    return tuple(derivatives)


def _slice(input, dim, start, stop=None):
    """input[start:stop] along dim, with Python's negative indices."""
    size = input.shape[dim]
    start = start + size if start < 0 else start
    stop = size if stop is None else (stop + size if stop < 0 else stop)
    return input.narrow(dim, start, stop - start)


def _gradient_uniform(input, step, dim, edge_order):
    """Central differences (f[i+1] - f[i-1]) / 2h inside, one-sided ones of order 1 or 2 at the ends."""
    centre = (_slice(input, dim, 2) - _slice(input, dim, 0, -2)) / step / 2
    if edge_order == 1:
        first = (_slice(input, dim, 1, 2) - _slice(input, dim, 0, 1)) / step
        last = (_slice(input, dim, -1) - _slice(input, dim, -2, -1)) / step
    else:
        first = (_slice(input, dim, 0, 1) * -1.5 + _slice(input, dim, 1, 2) * 2 - _slice(input, dim, 2, 3) * 0.5) / step
        last = (_slice(input, dim, -3, -2) * 0.5 - _slice(input, dim, -2, -1) * 2 + _slice(input, dim, -1) * 1.5) / step
    return cat([first, centre, last], dim)


def _gradient_at_coordinates(input, coordinates, dim, edge_order):
    """The second-order accurate differences for unevenly spaced samples (Fornberg's weights over the
    neighbours at distances h1 behind and h2 ahead), and one-sided ones at the ends."""
    if coordinates.dim() != 1:
        raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, but got an "
                           f"element with {coordinates.dim()} dimensions!")
    shape = [1] * input.dim()
    shape[dim] = -1
    steps = coordinates[1:] - coordinates[:-1]
    h1, h2 = steps[:-1], steps[1:]
    behind = (-h2 / (h1 * (h1 + h2))).reshape(shape)
    here = ((h2 - h1) / (h1 * h2)).reshape(shape)
    ahead = (h1 / (h2 * (h1 + h2))).reshape(shape)
    centre = behind * _slice(input, dim, 0, -2) + here * _slice(input, dim, 1, -1) + ahead * _slice(input, dim, 2)
    if edge_order == 1:
        first = (_slice(input, dim, 1, 2) - _slice(input, dim, 0, 1)) / steps[0]
        last = (_slice(input, dim, -1) - _slice(input, dim, -2, -1)) / steps[-1]
    else:
        s0, s1 = steps[0], steps[1]
        first = (-(2.0 * s0 + s1) / (s0 * (s0 + s1)) * _slice(input, dim, 0, 1)
                 + (s0 + s1) / (s0 * s1) * _slice(input, dim, 1, 2)
                 - s0 / (s1 * (s0 + s1)) * _slice(input, dim, 2, 3))
        s0, s1 = steps[-1], steps[-2]  # the last step and the one before it
        last = (s0 / (s1 * (s0 + s1)) * _slice(input, dim, -3, -2)
                - (s0 + s1) / (s0 * s1) * _slice(input, dim, -2, -1)
                + (2 * s0 + s1) / (s0 * (s0 + s1)) * _slice(input, dim, -1))
    return cat([first, centre, last], dim)


# ---- renorm -----------------------------------------------------------------------------------------------
def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice input.select(dim, i) whose p-norm exceeds maxnorm, scaled down to norm maxnorm (by
    maxnorm / (norm + 1e-7), as PyTorch); the others unchanged."""
    from ..linalg import vector_norm
    if isinstance(maxnorm, complex):
        raise RuntimeError("renorm: maxnorm must be real-valued")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm)}")
    if input.dim() <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions")
    dim = wrap_dim(dim, input.dim())
    others = tuple(d for d in range(input.dim()) if d != dim)
    norm = vector_norm(input, p, others, keepdim=True)
    from .indexing import where
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), wrap(np.ones((), dtype=norm._data.dtype)))
    return write_out(out, input * factor)


# ---- block_diag, combinations, unravel_index ---------------------------------------------------------------
class BlockDiagBackward0(Node):
    __slots__ = ('blocks',)

    def backward(self, grad):
        # each input's gradient is its block of the output's (0-d and 1-d inputs were rows of it)
        grads = []
        for i, (row, column, shape) in enumerate(self.blocks):
            if not self.needs_input_grad(i):
                grads.append(None)
                continue
            rows, columns = _block_shape(shape)
            grads.append(grad[row:row + rows, column:column + columns].reshape(shape))
        return tuple(grads)


def _block_shape(shape):
    """The (rows, columns) a 0-d, 1-d or 2-d input fills on the diagonal."""
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape


def block_diag(*tensors):
    """A matrix with the inputs on its diagonal, in order, zeros elsewhere (a 0-d input is a 1x1 block, a
    1-d one a row); the dtype is that of all the inputs promoted together."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t._data.ndim} dimensions")
    if not tensors:  # PyTorch's result for no blocks at all
        return wrap(np.zeros((1, 0), dtype=dtypes._default[0].numpy_type))
    dtype = functools.reduce(dtypes.promote_numpy, (t._data.dtype for t in tensors))
    shapes = [_block_shape(t._data.shape) for t in tensors]
    value = np.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), dtype=dtype)
    blocks = []
    row = column = 0
    for t, (rows, columns) in zip(tensors, shapes):
        value[row:row + rows, column:column + columns] = t._data.reshape(rows, columns)
        blocks.append((row, column, t._data.shape))
        row, column = row + rows, column + columns
    node = record_any(BlockDiagBackward0, tensors)
    if node is not None:
        node.blocks = blocks
    return result(value, node)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of the elements of a 1-d tensor, as rows, in itertools' order."""
    data = input._data
    if data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.empty((0,), dtype=data.dtype))
    # every r-tuple of indices, in lexicographic order, kept when it increases (or never decreases)
    grid = np.stack(np.meshgrid(*[np.arange(data.shape[0])] * r, indexing='ij'), -1).reshape(-1, r)
    steps = np.diff(grid, axis=1)
    keep = np.all(steps >= 0 if with_replacement else steps > 0, axis=1)
    indices = grid[keep]
    return input[wrap(indices.reshape(-1))].reshape(-1, r)


def unravel_index(indices, shape):
    """The coordinates, one tensor per dim of `shape`, of the flat (row-major) `indices`."""
    if not isinstance(indices, Tensor) or indices._data.dtype.kind not in 'iu':
        kind = indices.dtype if isinstance(indices, Tensor) else type(indices)
        raise TypeError(f"expected 'indices' to be integer dtype, but got {kind}")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    elif not isinstance(shape, (tuple, list)):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    for size in shape:
        if not isinstance(size, (int, np.integer)):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(size)}")
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    # coordinate i is (index // the product of the sizes after i) % size i; Python's floor rules, as PyTorch
    strides = np.cumprod((tuple(shape[1:]) + (1,))[::-1])[::-1].astype(np.int64)
    flat = indices._data.astype(np.int64)[..., None]
    coordinates = (flat // strides) % np.asarray(shape, dtype=np.int64)
    return tuple(wrap(coordinates[..., i].copy()) for i in range(len(shape)))


# ---- histogramdd --------------------------------------------------------------------------------------------
def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """(hist, bin_edges): the D-dimensional histogram of the N points in the rows of an (..., D) input. `bins`
    is one count for all dims, one count per dim, or one tensor of increasing edges per dim; range is
    (min_0, max_0, min_1, max_1, ...)."""
    from .._creation import linspace
    data = input._data
    if data.dtype.kind != 'f':
        raise NotImplementedError(f'"histogramdd" not implemented for \'{_scalar_type_name(data.dtype)}\'')
    if data.ndim < 2 and data.ndim != 1:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = data.shape[-1]
    points = data.reshape(-1, dims)
    if isinstance(bins, (int, np.integer)):
        bins = [int(bins)] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise RuntimeError(f"torch.histogramdd: expected {dims} sequences of bin edges for each of the {dims} "
                           f"dimensions of the input, but got {len(bins)}")
    edges = []
    for d, count in enumerate(bins):
        if isinstance(count, Tensor):
            edges.append(count._data.astype(data.dtype))
            continue
        if count <= 0:
            raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {count} for dimension {d}")
        if range is not None:
            low, high = float(range[2 * d]), float(range[2 * d + 1])
        elif points.shape[0]:
            low, high = float(points[:, d].min()), float(points[:, d].max())
        else:
            low = high = 0.0
        if low > high:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {low:g} max {high:g} "
                               f"for dimension {d}")
        if low == high:  # an empty range widens to a unit interval around it
            low, high = low - 0.5, high + 0.5
        edges.append(linspace(low, high, count + 1, dtype=input.dtype)._data)
    weights = None if weight is None else weight._data.reshape(-1)
    # NumPy bins against the given edges exactly (the last bin includes its right edge), as PyTorch does
    counts, _ = np.histogramdd(points, bins=edges, weights=weights)
    counts = counts.astype(data.dtype)
    if density:
        volumes = np.ones((), dtype=data.dtype)
        for d, edge in enumerate(edges):
            shape = [1] * dims
            shape[d] = -1
            volumes = volumes * np.diff(edge).reshape(shape)
        counts = (counts / (counts.sum() * volumes)).astype(data.dtype)
    return return_types.histogramdd(wrap(counts), [wrap(edge.copy()) for edge in edges])
