"""View ops: results share memory with their input, as in PyTorch.

A view's data is a NumPy view of its input's data. The view also shares the input's version
counter (an in-place change through either is seen by autograd in both) and remembers how it was
made (`_view_src`), so that an in-place op on it can rewrite its base's history: `CopySlices`.
"""
import numpy as np

from ..autograd.graph import Node
from ._util import record, wrap, wrap_dim

__all__ = ['view', 'reshape', 'transpose', 'swapaxes', 'swapdims', 't', 'permute', 'squeeze',
           'unsqueeze', 'expand', 'expand_as', 'narrow', 'select', 'flatten', 'unflatten', 'unbind',
           'chunk', 'split', 'movedim', 'moveaxis', 'view_as', 'reshape_as', 'as_strided',
           'diagonal', 'unfold', 'tensor_split', 'hsplit', 'vsplit', 'dsplit', 'adjoint']
TENSOR_METHODS = ('view', 'reshape', 'transpose', 'swapaxes', 'swapdims', 't', 'permute', 'squeeze',
                  'unsqueeze', 'expand', 'expand_as', 'narrow', 'select', 'flatten', 'unflatten', 'unbind',
                  'chunk', 'split', 'movedim', 'moveaxis', 'view_as', 'reshape_as', 'as_strided', 'diagonal',
                  'unfold', 'tensor_split', 'hsplit', 'vsplit', 'dsplit', 'adjoint')
INPLACE_METHODS = ()  # squeeze_, t_, ... change the shape: Tensor defines them itself


def make_view(input, data, node, fn, *args):
    """Wrap `data` (a NumPy view of input's data) as a view tensor of `input`."""
    t = wrap(data)
    if node is not None:
        t.grad_fn = node
        t._requires_grad = True
    t._version_counter = input._version_counter
    t._base = input if input._base is None else input._base
    # the last element is the version the view's grad_fn was recorded at (see regenerate_view)
    t._view_src = (input, fn, args, input._version_counter[0])
    return t


def replay_view(view, new_base):
    """Apply to `new_base` the chain of view ops that made `view` from its base (autograd-aware)."""
    parent, fn, args, _ = view._view_src
    source = new_base if parent._base is None else replay_view(parent, new_base)
    return fn(source, *args)


def regenerate_view(view):
    """Give `view` a grad_fn that reads from its base as the base is now. Needed after any
    in-place change of the shared memory: through the view itself, or through the base or another
    view of it, which leaves this view's recorded history stale (PyTorch regenerates it too)."""
    if view.grad_fn is None:
        # a leaf that happens to be a view (made without grad, then requires_grad_()): it has no
        # history to rebuild, and its own requires_grad must survive
        view._view_src = view._view_src[:3] + (view._version_counter[0],)
        return
    from ..autograd.grad_mode import GradMode
    previous, GradMode.enabled = GradMode.enabled, True
    try:
        regenerated = replay_view(view, view._base)
    finally:
        GradMode.enabled = previous
    view.grad_fn = regenerated.grad_fn
    view._output_nr = regenerated._output_nr
    view._requires_grad = regenerated._requires_grad
    view._view_src = view._view_src[:3] + (view._version_counter[0],)


class CopySlices(Node):
    """An in-place op wrote into a view of this base: the region the view covers takes its gradient
    from the op's result; the rest of the base passes its gradient straight through."""
    __slots__ = ('view_of_base',)

    def __init__(self, base, result):
        # the base as it was before the write (its old place in the graph), then the op's result
        Node.__init__(self, base, result)

    def name(self):
        return 'torch::autograd::CopySlices'  # PyTorch's C++ name: this node is not generated from derivatives.yaml

    def backward(self, grad):
        grad_result = replay_view(self.view_of_base, grad).clone()
        # zero the region with a constant mask, not by writing into grad's memory: with
        # create_graph the zeroing must be part of the recorded graph too
        keep = np.ones(grad._data.shape, dtype=grad._data.dtype)
        replay_view(self.view_of_base, wrap(keep))._data[...] = 0
        return grad * wrap(keep), grad_result


def ints_argument(positional, keyword=None, keyword_name=None, op_name=None):
    """A list of ints given as `x.view(2, 3)`, `x.view((2, 3))` or by the keyword PyTorch's signature
    names it with (`x.view(size=(2, 3))`, `x.reshape(shape=...)`, `x.permute(dims=...)`), as a tuple."""
    if keyword is not None:
        if positional:
            raise TypeError(f"{op_name}() got multiple values for argument '{keyword_name}'")
        if not isinstance(keyword, (tuple, list)):
            raise TypeError(f"{op_name}(): argument '{keyword_name}' must be tuple of ints, not "
                            f"{type(keyword).__name__}")
        positional = keyword
    elif len(positional) == 1 and isinstance(positional[0], (tuple, list)):
        positional = positional[0]
    return tuple(int(n) for n in positional)


def _infer_shape(shape, numel):
    """Resolve one -1 in a shape, with PyTorch's errors."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    total = 1
    for index, s in enumerate(shape):
        if s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {index} of shape {list(shape)}")
        total *= s
    if total != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class AliasBackward0(Node):
    def backward(self, grad):
        return (grad,)


# ---- view / reshape --------------------------------------------------------------------------
class ViewBackward0(Node):
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad.reshape(self.self_sizes),)


class UnsafeViewBackward0(ViewBackward0):
    """reshape of a copy: PyTorch's `_unsafe_view`, a view that needs no version tracking."""
    __slots__ = ()


class ReshapeAliasBackward0(ViewBackward0):
    """reshape of a non-contiguous tensor whose strides allow a view."""
    __slots__ = ()


def _check_view_as_dtype(input, dtype):
    """PyTorch's conditions for reading the bytes as a dtype of another size: the last dim is
    contiguous, and for a larger dtype its size, the offset and the other strides hold whole elements."""
    from .. import _dtype as dtypes
    from .._tensor import _scalar_type_name
    data = input._data
    target = dtypes.to_numpy_dtype(dtype)
    if target.itemsize == data.itemsize:
        return
    what = f"to view {_scalar_type_name(data.dtype)} as {_scalar_type_name(target)} (different element sizes)"
    if data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    ratio = target.itemsize // data.itemsize
    if ratio > 1:
        for name, value in [('size(-1)', data.shape[-1]), ('storage_offset()', input.storage_offset())] + \
                           [(f'stride({d})', stride) for d, stride in enumerate(strides[:-1])]:
            if value % ratio:
                raise RuntimeError(f"self.{name} must be divisible by {ratio} {what}, but got {value}")


def view(input, *shape, size=None, dtype=None):
    """The same memory seen with another shape (`view(2, 3)`, `view(size=(2, 3))`); RuntimeError if the
    strides don't allow it. `view(dtype)` reads the same bytes as another dtype."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and shape[0] is not None \
            and not isinstance(shape[0], np.integer):
        dtype = shape[0]
    if dtype is not None:
        from .conversion import view_as_dtype
        _check_view_as_dtype(input, dtype)
        return view_as_dtype(input, dtype)
    shape = _infer_shape(ints_argument(shape, size, 'size', 'view'), input._data.size)
    try:
        data = np.reshape(input._data, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    node = record(ViewBackward0, input)
    if node is not None:
        node.self_sizes = input._data.shape
    return make_view(input, data, node, view, shape)


def view_as(input, other):
    return view(input, other._data.shape)


def reshape(input, *sizes, shape=None):
    """Like `view` when the memory allows it (then the result shares memory), else a copy.
    The shape may be given as `reshape(2, 3)`, `reshape((2, 3))` or `reshape(shape=(2, 3))`."""
    shape = _infer_shape(ints_argument(sizes, shape, 'shape', 'reshape'), input._data.size)
    data = input._data
    if data.shape == shape and not input._requires_grad:
        return make_view(input, data.view(), None, reshape, shape)
    try:
        new = np.reshape(data, shape, copy=False)
    except ValueError:
        # the strides allow no view: as PyTorch, a contiguous copy (CloneBackward0) seen in the new shape
        from .conversion import contiguous
        copy = contiguous(input)
        node = record(UnsafeViewBackward0, copy)
        if node is not None:
            node.self_sizes = data.shape
        t = wrap(copy._data.reshape(shape))
        if node is not None:
            t.grad_fn = node
            t._requires_grad = True
        return t
    # (PyTorch views a contiguous tensor with `view`, a strided one with `_reshape_alias`)
    node = record(ViewBackward0 if data.flags.c_contiguous else ReshapeAliasBackward0, input)
    if node is not None:
        node.self_sizes = data.shape
    return make_view(input, new, node, reshape, shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a view when possible)."""
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    return reshape(input, shape[:start] + (-1,) + shape[end + 1:]) if input._data.size else \
        reshape(input, shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    """Split dimension `dim` into `sizes`."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        known = int(np.prod([s for s in sizes if s != -1]))
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    if int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:])


# ---- transposes ------------------------------------------------------------------------------
class TransposeBackward0(Node):
    __slots__ = ('dim0', 'dim1')

    def backward(self, grad):
        return (transpose(grad, self.dim0, self.dim1),)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    ndim = input._data.ndim
    d0, d1 = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    data = np.swapaxes(input._data, d0, d1) if ndim else input._data.view()
    node = record(TransposeBackward0, input)
    if node is not None:
        node.dim0, node.dim1 = d0, d1
    return make_view(input, data, node, transpose, dim0, dim1)


def swapaxes(input, axis0, axis1):
    """`transpose`, with NumPy's argument names."""
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    return transpose(input, dim0, dim1)


class TBackward0(Node):
    def backward(self, grad):
        return (t(grad),)


def t(input):
    """Transpose a matrix (0-d and 1-d tensors come back as they are)."""
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    node = record(TBackward0, input)
    return make_view(input, input._data.T, node, t)


def matrix_transpose(input, name, conjugate):
    """`mT`, `mH` and `adjoint`: the last two dims swapped (and conjugated for mH and adjoint), a view.
    On a 0-d tensor, as PyTorch (with its deprecation warning): the tensor itself, or its conjugate."""
    ndim = input._data.ndim
    if ndim == 1:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. Got 1-D tensor.")
    if conjugate:
        from .complex import conj
        input = conj(input)
    return transpose(input, -2, -1) if ndim else transpose(input, 0, 0)


def adjoint(input):
    """The conjugate transpose of the last two dims (a view)."""
    return matrix_transpose(input, 'adjoint()', conjugate=True)


class PermuteBackward0(Node):
    __slots__ = ('dims',)

    def backward(self, grad):
        return (permute(grad, tuple(np.argsort(self.dims))),)


def permute(input, *order, dims=None):
    """Reorder the dimensions (a view): `permute(2, 0, 1)`, `permute((2, 0, 1))`, `permute(dims=(2, 0, 1))`."""
    dims = ints_argument(order, dims, 'dims', 'permute')
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    node = record(PermuteBackward0, input)
    if node is not None:
        node.dims = dims
    return make_view(input, np.transpose(input._data, dims), node, permute, dims)


def movedim(input, source, destination):
    """Move dims from `source` to `destination` positions (a view)."""
    ndim = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [wrap_dim(s, ndim) for s in src]
    dst = [wrap_dim(d, ndim) for d in dst]
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


# ---- adding and removing size-1 dims ---------------------------------------------------------
class SqueezeBackward0(Node):
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad.reshape(self.self_sizes),)


class SqueezeBackward1(SqueezeBackward0):
    __slots__ = ()


def squeeze(input, dim=None):
    """Remove size-1 dims (all, or those named in `dim`)."""
    shape = input._data.shape
    if dim is None:
        new_shape = tuple(s for s in shape if s != 1)
        node = record(SqueezeBackward0, input)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {wrap_dim(d, len(shape)) for d in dims}
        new_shape = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
        node = record(SqueezeBackward1, input)
    if node is not None:
        node.self_sizes = shape
    return make_view(input, input._data.reshape(new_shape), node, squeeze, dim)


class UnsqueezeBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        return (squeeze(grad, self.dim),)


def unsqueeze(input, dim):
    """Insert a size-1 dim at `dim`."""
    d = wrap_dim(dim, input._data.ndim + 1)
    node = record(UnsqueezeBackward0, input)
    if node is not None:
        node.dim = d
    return make_view(input, np.expand_dims(input._data, d), node, unsqueeze, d)


class ExpandBackward0(Node):
    __slots__ = ('self_sizes',)

    def backward(self, grad):
        return (grad.sum_to_size(self.self_sizes),)


def expand(input, *sizes, size=None, implicit=False):
    """Broadcast to a larger shape without copying (-1 keeps a size): `expand(4, 3)`, `expand(size=(4, 3))`.
    The result is read-only, as writing through it would write one element many times. (`implicit`
    only marks expansions PyTorch's tracer inserted.)"""
    sizes = ints_argument(sizes, size, 'size', 'expand')
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            target.append(s)
        else:
            old = shape[i - lead]
            if s == -1:
                target.append(old)
            elif old == 1 or old == s:
                target.append(s)
            else:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({old}) "
                                   f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                                   f"{list(shape)}")
    target = tuple(target)
    node = record(ExpandBackward0, input)
    if node is not None:
        node.self_sizes = shape
    return make_view(input, np.broadcast_to(input._data, target), node, expand, target)


def expand_as(input, other):
    return expand(input, other._data.shape)


# ---- selecting parts ---------------------------------------------------------------------------
class SelectBackward0(Node):
    __slots__ = ('self_sizes', 'dim', 'index')

    def backward(self, grad):
        from .._creation import zeros
        full = zeros(self.self_sizes, dtype=grad.dtype)
        return (_scatter_into(full, grad, self.dim, self.index),)


def _scatter_into(full, grad, dim, index):
    """`full` with `grad` written at `index` along `dim`, differentiable in `grad`."""
    from .indexing import slice_scatter_like
    return slice_scatter_like(full, grad, dim, index)


def select(input, dim, index):
    """The slice at `index` along `dim`, with that dim removed (a view)."""
    shape = input._data.shape
    if len(shape) == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    if index < 0:
        index += size
    key = (slice(None),) * d + (index, Ellipsis)  # the Ellipsis makes NumPy return a 0-d view, not a scalar
    node = record(SelectBackward0, input)
    if node is not None:
        node.self_sizes, node.dim, node.index = shape, d, index
    return make_view(input, input._data[key], node, select, d, index)


class SliceBackward0(Node):
    __slots__ = ('self_sizes', 'dim', 'key')

    def backward(self, grad):
        from .._creation import zeros
        full = zeros(self.self_sizes, dtype=grad.dtype)
        return (_scatter_into(full, grad, self.dim, self.key),)


def slice_dim(input, dim, start=None, stop=None, step=1):
    """input[..., start:stop:step, ...] along `dim` (a view); what basic slicing records."""
    if step is not None and step <= 0:
        raise ValueError("step must be greater than zero")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    key = slice(start, stop, step)
    node = record(SliceBackward0, input)
    if node is not None:
        node.self_sizes, node.dim, node.key = shape, d, key
    return make_view(input, input._data[(slice(None),) * d + (key,)], node, slice_dim, d, start, stop, step)


def narrow(input, dim, start, length):
    """`length` elements of `dim` from `start` (a view)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    start = int(start)
    if start < 0:
        start += shape[d]
    if start < 0 or start + length > shape[d] or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({shape[d]}).")
    return slice_dim(input, d, start, start + length, 1)


# ---- splitting into several views ----------------------------------------------------------------
class _MultiViewBackward(Node):
    """Backward of ops that return several views along one dim: grads of unused outputs are zeros."""
    __slots__ = ('self_sizes', 'dim', 'keys', 'keep_dim')

    def backward(self, *grads):
        from .._creation import zeros
        from .shape import stack, cat
        pieces = []
        for key, g in zip(self.keys, list(grads) + [None] * (len(self.keys) - len(grads))):
            if g is None:
                piece_shape = list(self.self_sizes)
                piece_shape[self.dim] = len(range(*key.indices(self.self_sizes[self.dim])))
                ref_dtype = next(x for x in grads if x is not None).dtype
                g = zeros(piece_shape, dtype=ref_dtype)
                if not self.keep_dim:
                    g = g.squeeze(self.dim)
            pieces.append(g)
        return (cat(pieces, self.dim) if self.keep_dim else stack(pieces, self.dim),)


class UnbindBackward0(_MultiViewBackward):
    __slots__ = ()


class SplitBackward0(_MultiViewBackward):
    __slots__ = ()


class SplitWithSizesBackward0(_MultiViewBackward):
    __slots__ = ()


def _split_views(input, d, keys, node_class, keep_dim):
    data = input._data
    node = record(node_class, input)
    if node is not None:
        node.self_sizes, node.dim, node.keys, node.keep_dim = data.shape, d, keys, keep_dim
    lead = (slice(None),) * d
    outs = []
    for i, key in enumerate(keys):
        piece = data[lead + (key,)]
        if not keep_dim:
            piece = piece.reshape(piece.shape[:d] + piece.shape[d + 1:])
        t = make_view(input, piece, node, _select_piece, d, key, keep_dim)
        t._output_nr = i
        outs.append(t)
    return tuple(outs)


def _select_piece(input, d, key, keep_dim):
    """Replays one piece of a split/unbind for CopySlices."""
    if keep_dim:
        return slice_dim(input, d, key.start, key.stop, 1)
    return select(input, d, key.start)


def unbind(input, dim=0):
    """All slices along `dim`, as a tuple of views."""
    d = wrap_dim(dim, input._data.ndim)
    keys = [slice(i, i + 1) for i in range(input._data.shape[d])]
    return _split_views(input, d, keys, UnbindBackward0, keep_dim=False)


def split(input, split_size_or_sections, dim=0):
    """Pieces of `split_size` along `dim` (the last may be smaller), or of the listed sizes."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        starts = range(0, size, step) if step else [0]
        keys = [slice(s, min(s + step, size)) for s in starts]
        return _split_views(input, d, keys, SplitBackward0, keep_dim=True)
    sections = [int(s) for s in split_size_or_sections]
    if sum(sections) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                           f"at dimension {d}), but got split_sizes={sections}")
    keys, start = [], 0
    for s in sections:
        keys.append(slice(start, start + s))
        start += s
    return _split_views(input, d, keys, SplitWithSizesBackward0, keep_dim=True)


def chunk(input, chunks, dim=0):
    """Split into `chunks` nearly equal pieces (fewer if the dim is too short), as PyTorch does."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = -(-size // chunks) if size else 1
    return split(input, step, d) if size else split(input, [0] * chunks, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into n nearly equal parts (first ones larger), or at the given indices."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        base, extra = divmod(size, n)
        sizes = [base + 1] * extra + [base] * (n - extra)
    else:
        bounds = [0] + [min(max(int(i), 0), size) for i in indices_or_sections] + [size]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sizes, d)


def hsplit(input, sections):
    return tensor_split(input, sections, 1 if input._data.ndim > 1 else 0)


def vsplit(input, sections):
    return tensor_split(input, sections, 0)


def dsplit(input, sections):
    return tensor_split(input, sections, 2)


# ---- strided views ---------------------------------------------------------------------------------
class AsStridedBackward0(Node):
    __slots__ = ('self_sizes', 'size', 'stride', 'offset')

    def backward(self, grad):
        # scatter-add every element of grad back to the input position it was read from
        numel = int(np.prod(self.self_sizes))
        positions = np.lib.stride_tricks.as_strided(
            np.arange(max(numel, 1), dtype=np.int64)[self.offset:], shape=self.size,
            strides=tuple(s * 8 for s in self.stride))
        flat = np.zeros(numel, dtype=grad._data.dtype)
        np.add.at(flat, positions.reshape(-1), grad._data.reshape(-1))
        return (wrap(flat.reshape(self.self_sizes)),)


def as_strided(input, size, stride, storage_offset=0):
    """A view with explicit sizes and element strides over the input's (contiguous) memory."""
    data = input._data
    flat = np.reshape(data, -1)  # a view when the input is contiguous, as as_strided expects
    out = np.lib.stride_tricks.as_strided(flat[storage_offset:], shape=tuple(size),
                                          strides=tuple(s * data.itemsize for s in stride))
    node = record(AsStridedBackward0, input)
    if node is not None:
        node.self_sizes, node.size, node.stride, node.offset = data.shape, tuple(size), tuple(stride), storage_offset
    return make_view(input, out, node, as_strided, size, stride, storage_offset)


class DiagonalBackward0(Node):
    __slots__ = ('self_sizes', 'offset', 'dim1', 'dim2')

    def backward(self, grad):
        from .._creation import zeros
        from .indexing import diagonal_scatter
        full = zeros(self.self_sizes, dtype=grad.dtype)
        return (diagonal_scatter(full, grad, self.offset, self.dim1, self.dim2),)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal with respect to dims dim1 and dim2, as the last dim (a view)."""
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    data = np.diagonal(input._data, offset, d1, d2)
    if input._data.flags.writeable:
        data.setflags(write=True)  # NumPy returns a read-only view; PyTorch's diagonal is writable
    node = record(DiagonalBackward0, input)
    if node is not None:
        node.self_sizes, node.offset, node.dim1, node.dim2 = input._data.shape, offset, d1, d2
    return make_view(input, data, node, diagonal, offset, dim1, dim2)


class UnfoldBackward0(Node):
    __slots__ = ('self_sizes', 'dim', 'size', 'step')

    def backward(self, grad):
        full = np.zeros(self.self_sizes, dtype=grad._data.dtype)
        n = grad._data.shape[self.dim]
        moved = np.moveaxis(full, self.dim, -1)
        g = np.moveaxis(grad._data, self.dim, -2)
        for i in range(self.size):  # a loop over the window length, not over elements
            moved[..., i:i + n * self.step:self.step] += g[..., i]
        node = record(UnfoldBackwardBackward0, grad)  # create_graph: this backward is linear in grad
        if node is not None:
            node.dim, node.size, node.step = self.dim, self.size, self.step
        return (wrap(full, node),)


class UnfoldBackwardBackward0(Node):
    """The backward of unfold's backward: that one adds the windows' gradients back into place,
    so its adjoint cuts the same windows out again."""
    __slots__ = ('dim', 'size', 'step')

    def backward(self, grad):
        return (unfold(grad, self.dim, self.size, self.step),)


def unfold(input, dimension, size, step):
    """All windows of `size` elements along `dimension`, `step` apart, as a new last dim (a view)."""
    data = input._data
    d = wrap_dim(dimension, data.ndim)
    windows = np.lib.stride_tricks.sliding_window_view(data, size, axis=d)
    windows = windows[(slice(None),) * d + (slice(None, None, step),)]
    node = record(UnfoldBackward0, input)
    if node is not None:
        node.self_sizes, node.dim, node.size, node.step = data.shape, d, size, step
    return make_view(input, windows, node, unfold, dimension, size, step)

