"""Embedding lookups: `embedding` (rows of a weight matrix picked by index), its in-place max-norm
renormalisation, and `embedding_bag` (sums / means / maxima of bags of rows).

The weight gradient is an `index_add` of the output gradient into zeros, written with ember ops so
it is itself differentiable. With `sparse=True` it is instead a sparse COO tensor holding one row per
looked-up index, duplicates kept, in lookup order (PyTorch's uncoalesced embedding gradient).
"""
import numpy as np

from ..autograd.graph import Node
from ._util import record, result, wrap
from .indexing import index_add, index_select
from .._tensor import _scalar_type_name
from .._sparse import _sparse_grad

# torch.embedding_bag returns four tensors (offsets, bag sizes, max indices); ember's returns the bags only
__all__ = ['embedding', 'embedding_renorm_']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _indices(indices, op_name):
    """The NumPy array of an index tensor, which must be int64 or int32, as PyTorch requires."""
    data = indices._data
    if data.dtype != np.int64 and data.dtype != np.int32:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{_scalar_type_name(data.dtype)}Tensor instead (while checking "
                           f"arguments for {op_name})")
    return data


def _check_rows(positions, num_rows):
    if positions.size and (positions.min() < 0 or positions.max() >= num_rows):
        raise IndexError("index out of range in self")


# ---- embedding -----------------------------------------------------------------------------------
class EmbeddingBackward0(Node):
    __slots__ = ('indices', 'num_weights', 'padding_idx', 'scale_grad_by_freq', 'sparse')

    def backward(self, grad):
        from .._creation import zeros
        positions = self.indices._data.reshape(-1)
        if self.sparse:
            return (_sparse_rows_grad(positions, grad._data, self.num_weights, self.padding_idx),)
        grad_rows = grad.reshape(positions.size, grad.shape[-1])
        # rows looked up at padding_idx get no gradient; with scale_grad_by_freq each row's gradient
        # is divided by how often its index occurs in this batch
        scale = None
        if self.padding_idx >= 0 or self.scale_grad_by_freq:
            scale = np.ones(positions.size, dtype=grad._data.dtype)
            if self.scale_grad_by_freq:
                counts = np.bincount(positions, minlength=self.num_weights)
                scale = scale / counts[positions]
            if self.padding_idx >= 0:
                scale = np.where(positions == self.padding_idx, 0, scale)
            grad_rows = grad_rows * wrap(scale.astype(grad._data.dtype)[:, None])
        return (index_add(zeros((self.num_weights, grad.shape[-1]), dtype=grad.dtype), 0,
                          wrap(positions), grad_rows),)


def _sparse_rows_grad(positions, grad_rows, num_weights, padding_idx=-1):
    """The sparse weight gradient: entry k is row `positions[k]` with value `grad_rows[k]`; lookups
    of `padding_idx` get no entry at all, as in PyTorch."""
    grad_rows = grad_rows.reshape(positions.size, grad_rows.shape[-1])
    if padding_idx is not None and padding_idx >= 0:
        keep = positions != padding_idx
        positions, grad_rows = positions[keep], grad_rows[keep]
    return _sparse_grad(positions.astype(np.int64)[None, :], grad_rows, (num_weights, grad_rows.shape[1]))


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """`weight[indices]`: one row of `weight` (num_embeddings, embedding_dim) per index; with
    `sparse=True` the weight's gradient is a sparse COO tensor."""
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if sparse and scale_grad_by_freq and weight.requires_grad:
        # PyTorch raises this from the backward; ember knows it already
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    positions = _indices(indices, 'embedding')
    table = weight._data
    _check_rows(positions, table.shape[0])
    out = table[positions]
    node = record(EmbeddingBackward0, weight)
    if node is not None:
        node.indices, node.num_weights = indices, table.shape[0]
        node.padding_idx, node.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        node.sparse = sparse
    return result(out, node)


def embedding_renorm_(weight, indices, max_norm, norm_type):
    """Scale, in place and without recording, each row of `weight` named in `indices` whose
    `norm_type`-norm exceeds `max_norm` down to norm `max_norm` (PyTorch adds 1e-7 to the norm)."""
    rows = np.unique(_indices(indices, 'embedding_renorm_'))
    _check_rows(rows, weight._data.shape[0])
    table = weight._data
    picked = table[rows]
    norms = np.linalg.norm(picked, ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = (max_norm / (norms[too_long] + 1e-7)).astype(table.dtype)
        table[rows[too_long]] = picked[too_long] * scale[:, None]
        weight._version_counter[0] += 1
    return weight


# ---- embedding_bag -------------------------------------------------------------------------------
class EmbeddingBagBackward0(Node):
    __slots__ = ('positions', 'bag_of', 'row_scale', 'keep', 'max_rows', 'num_weights', 'mode', 'sparse_entries')

    def backward(self, grad):
        from .._creation import zeros
        dim = grad.shape[-1]
        grad_weight = grad_per_sample = None
        if self.mode == 'max':
            # each (bag, column) maximum came from one row: its gradient goes back there
            bags, columns = np.nonzero(self.max_rows >= 0)
            flat = self.max_rows[bags, columns] * dim + columns
            grad_weight = index_add(zeros(self.num_weights * dim, dtype=grad.dtype), 0, wrap(flat),
                                    grad[wrap(bags), wrap(columns)]).reshape(self.num_weights, dim)
            return grad_weight, None
        grad_rows = index_select(grad, 0, wrap(self.bag_of))
        if self.needs_input_grad(0):
            scaled = grad_rows * self.row_scale.unsqueeze(1) if self.row_scale is not None else grad_rows
            if self.sparse_entries is not None:
                # sparse=True: one entry per looked-up row that went into a bag, in lookup order
                # (padding rows and rows outside every bag get none, as in PyTorch)
                entries = self.sparse_entries
                grad_weight = _sparse_rows_grad(self.positions[entries], scaled._data[entries], self.num_weights)
            else:
                grad_weight = index_add(zeros((self.num_weights, dim), dtype=grad.dtype), 0, wrap(self.positions),
                                        scaled)
        if self.needs_input_grad(1):
            weight, = self.saved_tensors
            grad_per_sample = (grad_rows * index_select(weight, 0, wrap(self.positions))).sum(1)
            if self.keep is not None:  # rows left out of every bag (padding) contributed nothing
                grad_per_sample = grad_per_sample * self.keep
        return grad_weight, grad_per_sample


def embedding_bag(weight, indices, offsets, mode='mean', per_sample_weights=None, include_last_offset=False,
                  padding_idx=None, sparse=False):
    """Reduce (sum / mean / max) the rows `weight[indices[offsets[b]:offsets[b+1]]]` of each bag b.
    `indices` is 1-D here; 2-D inputs are flattened by the functional form. Rows at `padding_idx`
    are left out of their bag; empty bags give zeros. With `sparse=True` (sum and mean) the
    weight's gradient is a sparse COO tensor."""
    positions = _indices(indices, 'embedding_bag').reshape(-1)
    starts = offsets._data.astype(np.int64).reshape(-1)
    table = weight._data
    num_weights, dim = table.shape
    _check_rows(positions, num_weights)
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}")
    if starts.size and starts[-1] > positions.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length ({positions.size}), but got "
                           f"offsets[-1] of {starts[-1]}")
    num_bags = starts.size - 1 if include_last_offset else starts.size
    bag_of = np.searchsorted(starts[:num_bags], np.arange(positions.size), side='right') - 1
    if include_last_offset and starts.size:  # entries past the last offset belong to no bag
        bag_of = np.where(np.arange(positions.size) < starts[-1], bag_of, -1)
    keep = bag_of >= 0
    if padding_idx is not None and padding_idx >= 0:
        keep &= positions != padding_idx
    counts = np.bincount(bag_of[keep], minlength=num_bags)[:num_bags]
    rows = table[positions]
    node = record(EmbeddingBagBackward0, weight, per_sample_weights)
    if mode == 'max':
        out = np.full((num_bags, dim), -np.inf, dtype=table.dtype)
        np.maximum.at(out, bag_of[keep], rows[keep])
        out[counts == 0] = 0
        if node is not None:
            # which weight row gave each (bag, column) maximum: the first entry of the bag equal to it
            # (-1 for empty bags, which send no gradient anywhere)
            kept = np.nonzero(keep)[0]
            hits = rows[kept] == out[bag_of[kept]]
            first = np.full((num_bags, dim), positions.size, dtype=np.int64)
            np.minimum.at(first, bag_of[kept], np.where(hits, kept[:, None], positions.size))
            node.max_rows = np.where(first < positions.size, positions[np.minimum(first, positions.size - 1)], -1)
    else:
        scale = keep.astype(table.dtype)
        if per_sample_weights is not None:
            scale = scale * per_sample_weights._data
        if mode == 'mean':
            scale = scale / np.maximum(counts, 1)[np.maximum(bag_of, 0)]
        out = np.zeros((num_bags, dim), dtype=table.dtype)
        np.add.at(out, bag_of[keep], rows[keep] * scale[keep, None].astype(table.dtype))
        if node is not None:
            # padding rows and rows outside every bag get a zero gradient
            if per_sample_weights is not None:
                node.row_scale = _per_sample_scale(per_sample_weights, keep)
                node.keep = None if keep.all() else wrap(keep.astype(table.dtype))
                node.save_for_backward(weight)
            elif mode == 'sum' and keep.all():
                node.row_scale = None
            else:
                node.row_scale = wrap(np.where(keep, scale, 0).astype(table.dtype))
    if node is not None:
        node.positions, node.bag_of = positions, np.maximum(bag_of, 0)
        node.num_weights, node.mode = num_weights, mode
        node.sparse_entries = keep if sparse else None
    return result(out, node)


def _per_sample_scale(per_sample_weights, keep):
    """The weight-gradient scale of each looked-up row in 'sum' mode with per-sample weights: the
    weights themselves (a tensor, so double backward sees them), zero where a row was left out."""
    if keep.all():
        return per_sample_weights.reshape(-1)
    return per_sample_weights.reshape(-1) * wrap(keep.astype(per_sample_weights._data.dtype))
