"""Ops that build new tensors from pieces or rearrange elements (copies, not views):
cat, stack, flip, roll, repeat, tril/triu ..."""
import numpy as np

from .. import _dtype as dtypes
from .. import _warnings
from .._size import Size
from .._tensor import Tensor
from ..autograd.graph import Node
from ._util import record, record_any, result, results, wrap, wrap_dim, write_out, reduce_dims
from . import view as views
from .indexing import slice_scatter_like, index_select, diagonal_scatter

__all__ = ['cat', 'concat', 'concatenate', 'stack', 'flip', 'fliplr', 'flipud', 'roll', 'tile', 'repeat_interleave',
           'tril', 'triu', 'broadcast_to', 'broadcast_tensors', 'broadcast_shapes', 'meshgrid', 'atleast_1d',
           'atleast_2d', 'atleast_3d', 'hstack', 'vstack', 'dstack', 'column_stack', 'row_stack', 'diag',
           'diag_embed', 'diagflat', 'trace', 'rot90', 'narrow_copy', 'cartesian_prod', 'split_with_sizes',
           'unsafe_split', 'unsafe_split_with_sizes', 'unsafe_chunk']
TENSOR_METHODS = ('flip', 'fliplr', 'flipud', 'roll', 'repeat', 'tile', 'repeat_interleave', 'tril', 'triu',
                  'broadcast_to', 'diag', 'diag_embed', 'diagflat', 'trace', 'rot90', 'narrow_copy', 'split_with_sizes',
                  'unsafe_split', 'unsafe_split_with_sizes', 'unsafe_chunk')
INPLACE_METHODS = ('tril', 'triu')


class CatBackward0(Node):
    __slots__ = ('dim', 'sizes', 'skipped')

    def backward(self, grad):
        from .view import split
        pieces = split(grad, list(self.sizes), self.dim)
        if self.skipped:  # an empty 1-d input that the forward skipped gets an empty gradient
            from .._creation import zeros
            pieces = tuple(zeros(0, dtype=grad.dtype) if i in self.skipped else p for i, p in enumerate(pieces))
        return pieces


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # PyTorch skips 1-d empty tensors when joining (legacy behaviour)
    arrays = [t._data for t in tensors]
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = next((a for a in arrays if not (a.ndim == 1 and a.size == 0)), arrays[0])
    d = wrap_dim(dim, ref.ndim)
    from .. import _dtype as dtypes
    target = dtypes.result_numpy_dtype(*[t for t in tensors if t._data.ndim]) if len(tensors) > 1 else ref.dtype
    try:
        data = np.concatenate([a for a in arrays if not (a.ndim == 1 and a.size == 0 and ref.ndim != 1)],
                              axis=d, dtype=target)
    except ValueError:
        for i, a in enumerate(arrays):
            if a.ndim != ref.ndim:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}") from None
            for k in range(a.ndim):
                if k != d and a.shape[k] != ref.shape[k]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                       f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in the "
                                       "list.") from None
        raise
    node = record_any(CatBackward0, tensors)
    if node is not None:
        node.dim, node.sizes = d, [a.shape[d] if a.ndim == ref.ndim else 0 for a in arrays]
        node.skipped = {i for i, a in enumerate(arrays) if a.ndim != ref.ndim}
    from ._util import write_out
    return write_out(out, result(data, node))


concat = concatenate = cat


class StackBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        from .view import unbind
        return unbind(grad, self.dim)


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    from .. import _dtype as dtypes
    target = dtypes.result_numpy_dtype(*tensors)
    data = np.stack([t._data for t in tensors], axis=d).astype(target, copy=False)
    node = record_any(StackBackward0, tensors)
    if node is not None:
        node.dim = d
    from ._util import write_out
    return write_out(out, result(data, node))


# ---- reordering elements ----------------------------------------------------------------------------
class FlipBackward0(Node):
    __slots__ = ('dims',)

    def backward(self, grad):
        return (flip(grad, self.dims),)


def flip(input, *positional_dims, dims=None):
    """A copy with the order of elements reversed along `dims` (`flip(0, 1)`, `flip((0, 1))`, `flip(dims=(0, 1))`)."""
    data = input._data
    dims = reduce_dims(views.ints_argument(positional_dims, dims, 'dims', 'flip'), data.ndim) or ()
    node = record(FlipBackward0, input)
    if node is not None:
        node.dims = dims
    return result(np.flip(data, dims).copy() if data.ndim else data.copy(), node)


def fliplr(input):
    """Reverse the columns (dim 1)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Reverse the rows (dim 0)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ('shifts', 'dims')

    def backward(self, grad):
        return (roll(grad, tuple(-s for s in self.shifts), self.dims),)


def roll(input, shifts, dims=None):
    """Shift elements cyclically along `dims`; with no dims, along the flattened tensor."""
    data = input._data
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    if dims is not None:
        dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        dims = tuple(wrap_dim(d, data.ndim) for d in dims)
        value = np.roll(data, shifts, dims)
    elif len(shifts) != 1:
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
    else:
        value = np.roll(data, shifts[0])
    node = record(RollBackward0, input)
    if node is not None:
        node.shifts, node.dims = shifts, dims
    return result(value, node)


class Rot90Backward0(Node):
    __slots__ = ('k', 'dims')

    def backward(self, grad):
        return (rot90(grad, -self.k, self.dims),)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `dims`, from the first dim towards the second."""
    data = input._data
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if data.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {data.ndim}")
    d0, d1 = wrap_dim(dims[0], data.ndim), wrap_dim(dims[1], data.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    node = record(Rot90Backward0, input)
    if node is not None:
        node.k, node.dims = k, (d0, d1)
    return result(np.rot90(data, k, (d0, d1)).copy(), node)


# ---- repeating ------------------------------------------------------------------------------------------
class RepeatBackward0(Node):
    __slots__ = ('self_sizes', 'repeats')

    def backward(self, grad):
        # view the result as (repeat_0, size_0, repeat_1, size_1, ...) and sum out the repeats
        sizes = (1,) * (len(self.repeats) - len(self.self_sizes)) + self.self_sizes
        interleaved = [n for pair in zip(self.repeats, sizes) for n in pair]
        grad = grad.reshape(interleaved)
        if self.repeats:
            grad = grad.sum(tuple(range(0, len(interleaved), 2)))
        return (grad.reshape(self.self_sizes),)


def repeat(input, *sizes, repeats=None):
    """Tile the tensor `sizes[i]` times along dim i (extra leading sizes add dims); the sizes may also
    be given as `repeats=`."""
    data = input._data
    repeats = views.ints_argument(sizes, repeats, 'repeats', 'repeat')
    if len(repeats) < data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    if any(r < 0 for r in repeats):
        padded = (1,) * (len(repeats) - data.ndim) + data.shape
        shape = [r * n for r, n in zip(repeats, padded)]
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {shape}")
    node = record(RepeatBackward0, input)
    if node is not None:
        node.self_sizes, node.repeats = data.shape, repeats
    return result(np.tile(data, repeats) if repeats else data.copy(), node)


def tile(input, *positional_dims, dims=None):
    """`repeat`, with missing leading repeats taken as 1."""
    repeats = views.ints_argument(positional_dims, dims, 'dims', 'tile')
    return repeat(input, (1,) * (input._data.ndim - len(repeats)) + repeats)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along `dim`) `repeats` times, consecutively.
    `repeat_interleave(counts)` alone gives `arange(len(counts))` repeated by counts."""
    if repeats is None:  # the one-argument form: input holds the counts
        counts = input._data
        return wrap(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    if dim is None:
        input = views.reshape(input, -1)
        d = 0
    else:
        d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.ndim and counts.size != 1 and counts.size != size:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{counts.size} and input.size({d}) = {size}")
    if np.any(counts < 0):
        raise RuntimeError("repeats can not be negative")
    positions = np.repeat(np.arange(size, dtype=np.int64), counts.reshape(-1) if counts.size != 1 else counts.item())
    return index_select(input, d, wrap(positions))


# ---- triangles and diagonals ------------------------------------------------------------------------------
class TrilBackward0(Node):
    __slots__ = ('diagonal',)

    def backward(self, grad):
        return (tril(grad, self.diagonal),)


class TriuBackward0(Node):
    __slots__ = ('diagonal',)

    def backward(self, grad):
        return (triu(grad, self.diagonal),)


def _triangle(np_function, node_class, input, diagonal, name):
    data = input._data
    if data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    node = record(node_class, input)
    if node is not None:
        node.diagonal = diagonal
    return result(np_function(data, diagonal), node)


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (elements on and below `diagonal`), zeros elsewhere."""
    return write_out(out, _triangle(np.tril, TrilBackward0, input, diagonal, 'tril'))


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims (elements on and above `diagonal`), zeros elsewhere."""
    return write_out(out, _triangle(np.triu, TriuBackward0, input, diagonal, 'triu'))


class DiagEmbedBackward0(Node):
    __slots__ = ('offset', 'dim1', 'dim2')

    def backward(self, grad):
        return (views.diagonal(grad, self.offset, self.dim1, self.dim2),)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims `dim1`, `dim2` of the result) whose `offset` diagonal is the last dim of `input`."""
    data = input._data
    ndim = data.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (data.shape[-1] if data.ndim else 1) + abs(offset)
    shape = list(data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    out = np.zeros(shape, dtype=data.dtype)
    region = np.diagonal(out, offset, d1, d2)
    region.setflags(write=True)  # NumPy hands out diagonals read-only; this one is our own new array
    region[...] = data
    node = record(DiagEmbedBackward0, input)
    if node is not None:
        node.offset, node.dim1, node.dim2 = offset, d1, d2
    return result(out, node)


class DiagonalBackward0_copy(Node):
    """diag of a matrix: a copy of its diagonal (PyTorch's name for the node)"""
    __slots__ = ('self_sizes', 'offset')

    def backward(self, grad):
        from .._creation import zeros
        return (diagonal_scatter(zeros(self.self_sizes, dtype=grad.dtype), grad, self.offset, 0, 1),)


def diag(input, diagonal=0, *, out=None):
    """A 1-d tensor becomes a matrix with it on the `diagonal`; a matrix gives a copy of its `diagonal`."""
    data = input._data
    if data.ndim == 1:
        return write_out(out, diag_embed(input, diagonal))
    if data.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {data.ndim}D")
    node = record(DiagonalBackward0_copy, input)
    if node is not None:
        node.self_sizes, node.offset = data.shape, diagonal
    return write_out(out, result(np.diagonal(data, diagonal).copy(), node))


def diagflat(input, offset=0):
    """A matrix with the flattened `input` on diagonal `offset`."""
    return diag_embed(views.reshape(input, -1), offset)


class TraceBackward0(Node):
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad * wrap(np.eye(*self.self_sizes, dtype=grad._data.dtype)),)


def trace(input):
    """The sum of the main diagonal of a matrix."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    node = record(TraceBackward0, input)
    if node is not None:
        node.self_sizes = data.shape
    return result(np.asarray(np.trace(data, dtype=np.int64 if data.dtype.kind in 'biu' else data.dtype)), node)


class NarrowCopyBackward0(Node):
    __slots__ = ('self_sizes', 'dim', 'start', 'length')

    def backward(self, grad):
        from .._creation import zeros
        full = zeros(self.self_sizes, dtype=grad.dtype)
        return (slice_scatter_like(full, grad, self.dim, slice(self.start, self.start + self.length)),)


def narrow_copy(input, dim, start, length):
    """A copy of `narrow(input, dim, start, length)`."""
    piece = views.narrow(input.detach(), dim, start, length)  # checks the arguments as narrow does
    d = wrap_dim(dim, input._data.ndim)
    node = record(NarrowCopyBackward0, input)
    if node is not None:
        node.self_sizes, node.dim, node.length = input._data.shape, d, length
        node.start = start + input._data.shape[d] if start < 0 else start
    return result(piece._data.copy(), node)


# ---- broadcasting ------------------------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    """The shape that tensors of all `shapes` broadcast to."""
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{', '.join(str(list(s)) for s in shapes)}") from None


def broadcast_to(input, size):
    """`input` expanded to `size` (a view)."""
    return views.expand(input, size)


def broadcast_tensors(*tensors):
    """All tensors expanded to their common broadcast shape (views); a tensor that already has that
    shape is returned itself, as in PyTorch (`broadcast_tensors(a, b)[0] is a`)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shapes = [t._data.shape for t in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(*shapes[:2]) from None
    return tuple(t if t._data.shape == shape else views.expand(t, shape) for t in tensors)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-d tensor, in order, as the rows of an (N, k) tensor
    (a single tensor is returned as it is)."""
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing='ij')
    return stack([grid.reshape(-1) for grid in grids], 1)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d tensors: output i varies along dim i ('ij', the default) or with the
    first two dims swapped ('xy', as NumPy's meshgrid)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    if indexing is None:
        _warnings.warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                            "argument.")
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    axes = list(range(len(tensors)))
    if indexing == 'xy' and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t._data.size
    grids = []
    for t, axis in zip(tensors, axes):
        along = [1] * len(tensors)
        along[axis] = -1
        grids.append(views.expand(views.reshape(t, along), shape))
    return tuple(grids)


# ---- stacking helpers built on cat -----------------------------------------------------------------------
def _at_least(tensors, ndim, grow):
    """The `atleast_Nd` family: one tensor in, one out; several (or a list) in, a tuple out."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        t = tensors[0]
        return t if t._data.ndim >= ndim else grow(t)
    if len(tensors) == 1:
        tensors = tensors[0]
    return tuple(t if t._data.ndim >= ndim else grow(t) for t in tensors)


def atleast_1d(*tensors):
    """0-d tensors become 1-d; others are returned as they are."""
    return _at_least(tensors, 1, lambda t: views.reshape(t, (1,)))


def atleast_2d(*tensors):
    """Tensors with fewer than 2 dims get leading size-1 dims."""
    return _at_least(tensors, 2, lambda t: views.reshape(t, (1, 1)) if t._data.ndim == 0 else views.unsqueeze(t, 0))


def atleast_3d(*tensors):
    """(n,) becomes (1, n, 1) and (m, n) becomes (m, n, 1), as NumPy's atleast_3d."""
    def grow(t):
        if t._data.ndim == 0:
            return views.reshape(t, (1, 1, 1))
        if t._data.ndim == 1:
            return views.unsqueeze(views.unsqueeze(t, 0), -1)
        return views.unsqueeze(t, -1)
    return _at_least(tensors, 3, grow)


def hstack(tensors, *, out=None):
    """Join along dim 1 (dim 0 for 1-d tensors)."""
    tensors = atleast_1d(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Join along dim 0, after making 1-d tensors rows."""
    return cat(atleast_2d(tensors), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Join along dim 2, after making every tensor at least 3-d."""
    return cat(atleast_3d(tensors), 2, out=out)


def column_stack(tensors, *, out=None):
    """Join along dim 1, after making 0-d and 1-d tensors columns."""
    columns = [views.reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(columns, 1, out=out)


# ---- split_with_sizes and the unsafe_ splits ------------------------------------------------------
def split_with_sizes(input, split_sizes, dim=0):
    """Views of the listed sizes along `dim` (`split` with a list)."""
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, not "
                        f"{type(split_sizes).__name__}")
    return views.split(input, list(split_sizes), dim)


class UnsafeSplitBackward0(views._MultiViewBackward):
    __slots__ = ()


class UnsafeSplitWithSizesBackward0(views._MultiViewBackward):
    __slots__ = ()


def _unsafe_pieces(input, pieces, dim, node_class):
    """The pieces of a split as tensors of their own: they share the input's memory, but autograd does not
    know them as views, so they may be changed in place (PyTorch's unsafe_ forms: the caller promises
    that doing so is safe)."""
    d = wrap_dim(dim, input._data.ndim)
    node = record(node_class, input)
    if node is not None:
        starts = np.cumsum([0] + [piece._data.shape[d] for piece in pieces])
        node.self_sizes, node.dim, node.keep_dim = input._data.shape, d, True
        node.keys = [slice(int(start), int(stop)) for start, stop in zip(starts, starts[1:])]
    return tuple(results([piece._data for piece in pieces], node))


def unsafe_split(input, split_size, dim=0):
    return _unsafe_pieces(input, views.split(input.detach(), split_size, dim), dim, UnsafeSplitBackward0)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    pieces = split_with_sizes(input.detach(), split_sizes, dim)
    return _unsafe_pieces(input, pieces, dim, UnsafeSplitWithSizesBackward0)


def unsafe_chunk(input, chunks, dim=0):
    return _unsafe_pieces(input, views.chunk(input.detach(), chunks, dim), dim, UnsafeSplitBackward0)
