"""ember.sparse: the small part of PyTorch's torch.sparse that course code meets with COO tensors:
`mm` (sparse @ dense, differentiable in both) and `sum`.

The tensor type itself, its constructor and its arithmetic live in `ember._sparse`.
"""
import numpy as np

from ._sparse import SparseCooTensor, _not_on_backend
from ._tensor import Tensor, _scalar_type_name
from ._ops._util import record, result, wrap
from ._ops.linalg import mm as _dense_mm
from .autograd.graph import Node

__all__ = ['mm', 'sum']


def _segment_sum(keys, rows, length):
    """out[k] = the sum of the `rows` whose key is k, for k < length (one reduceat over the rows
    sorted by key, in place of a slow per-row np.add.at)."""
    out = np.zeros((length,) + rows.shape[1:], dtype=rows.dtype)
    if keys.size == 0:
        return out
    order = np.argsort(keys, kind='stable')
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
    out[sorted_keys[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


class SparseAddmmBackward0(Node):
    """mm(S, D) for sparse S with (coalesced) entries (r, c, v): out[r] += v * D[c]."""
    __slots__ = ('rows', 'columns', 'values', 'sparse_size')

    def backward(self, grad):
        dense, = self.saved_tensors
        g = grad._data
        grad_sparse = grad_dense = None
        if self.needs_input_grad(0):
            # PyTorch's gradient of the sparse matrix is sparse, on the matrix's own coalesced pattern
            # (though not flagged coalesced)
            values = np.einsum('kp,kp->k', g[self.rows], dense._data[self.columns])
            grad_sparse = SparseCooTensor._make(np.stack([self.rows, self.columns]), values, self.sparse_size)
        if self.needs_input_grad(1):  # S^T @ grad
            grad_dense = wrap(_segment_sum(self.columns, self.values[:, None] * g[self.rows],
                                           dense._data.shape[0]))
        return grad_sparse, grad_dense


def mm(mat1, mat2):
    """`mat1 @ mat2` for a sparse 2-D `mat1` and a dense 2-D `mat2` (a dense result); two dense
    matrices are multiplied as `ember.mm` does."""
    if not mat1.is_sparse:
        return _dense_mm(mat1, mat2)
    if mat2.is_sparse:
        raise _not_on_backend('mm (sparse @ sparse)')
    if mat1.sparse_dim() != 2 or mat1.dense_dim() != 0:
        raise RuntimeError(f"addmm: matrices expected, got {mat1.sparse_dim()}D tensor")
    if mat2.dim() != 2:
        raise RuntimeError(f"addmm: matrices expected, got {mat2.dim()}D tensor")
    if mat2.shape[0] != mat1.shape[1]:
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {mat1.shape[1]}, got {mat2.shape[0]}")
    if mat1.dtype != mat2.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type_name(mat1._data.dtype)} but found "
                           f"{_scalar_type_name(mat2._data.dtype)}")
    coalesced = mat1.coalesce()
    rows, columns = coalesced._sparse_indices
    values = coalesced._sparse_values
    out = _segment_sum(rows, values[:, None] * mat2._data[columns], mat1.shape[0])
    node = record(SparseAddmmBackward0, mat1, mat2)
    if node is not None:
        node.rows, node.columns, node.values, node.sparse_size = rows, columns, values, tuple(mat1.shape)
        node.save_for_backward(mat2)
    return result(out, node)


def sum(input, dim=None, dtype=None):
    """The sum of a sparse tensor's elements over `dim` (all dims when None). Summing every sparse
    dim gives a dense tensor; otherwise the result is sparse (coalesced), as in PyTorch. (ember
    records no gradient through it.)"""
    if not isinstance(input, Tensor) or not input.is_sparse:
        raise RuntimeError("coalesce expected sparse coordinate tensor layout but got Strided")
    return input.sum(dim, dtype=dtype)
