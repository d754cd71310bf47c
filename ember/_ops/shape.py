"""Ops that build new tensors from pieces or rearrange elements (copies, not views):
cat, stack, flip, roll, repeat, tril/triu ..."""
import numpy as np

from ..autograd.graph import Node
from ._util import record_any, result, wrap_dim

__all__ = ['cat', 'concat', 'concatenate', 'stack']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


class CatBackward0(Node):
    __slots__ = ('dim', 'sizes')

    def backward(self, grad):
        from .view import split
        return split(grad, list(self.sizes), self.dim)


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    # PyTorch skips 1-d empty tensors when joining (legacy behaviour)
    arrays = [t._data for t in tensors]
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
