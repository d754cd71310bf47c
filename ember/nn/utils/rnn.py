"""Variable-length sequences for the recurrent layers: padding and packing.

A `PackedSequence` stores a batch of sequences time step by time step: `data` holds, for t = 0, 1,
..., the rows of the sequences that are still running at step t (the longest first), and
`batch_sizes[t]` says how many there are. The recurrent layers read it directly, so no work is
spent on padding. Every conversion here is one gather (`flat[index]`), so gradients flow back to
the padded or packed input through ember's indexing.
"""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor
from ... import _ops
from ..._creation import full

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence',
           'pad_sequence', 'unpad_sequence', 'pack_sequence', 'unpack_sequence']

_wrap = Tensor._wrap


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    perm = permutation._data
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size, dtype=perm.dtype)
    return _wrap(inverse)


class PackedSequence(namedtuple('PackedSequence_', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])):
    """A packed batch of variable-length sequences: `data` (sum of lengths, *), `batch_sizes` (an
    int64 tensor, one entry per time step), and the permutation from the caller's batch order to the
    length-sorted order (`sorted_indices`) and back (`unsorted_indices`), None when none was needed."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(data_and_batch_sizes_tuple), as PyTorch allows
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same sequence with `data` converted by `Tensor.to` (the indices stay int64)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                          self.unsorted_indices)

    def cpu(self):
        return self

    def double(self):
        return type(self)(self.data.double(), *self[1:])

    def float(self):
        return type(self)(self.data.float(), *self[1:])

    def half(self):
        return type(self)(self.data.half(), *self[1:])

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    return np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) — (B, T, *) with `batch_first` — whose sequence b has
    `lengths[b]` valid steps. With `enforce_sorted=False` the batch is sorted by length first and
    the permutation is kept in the result."""
    lengths = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lengths[:-1] < lengths[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                               "to sidestep this requirement if you do not need ONNX exportability.")
        order = np.arange(lengths.size)
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind='stable')
        sorted_indices = _wrap(order)
    lengths = lengths[order]
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                           f"(batch_size={batch})")
    if lengths[0] > steps:
        raise RuntimeError(f"Expected sequence length to be at most {steps}, but got {lengths[0]}")
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)
    # row (t, s) of the packed data is padded row t * B + order[s], for the s < batch_sizes[t]
    running = np.arange(batch)[None, :] < batch_sizes[:, None]
    index = (np.arange(lengths[0])[:, None] * batch + order[None, :])[running]
    data = input.reshape(steps * batch, *input.shape[2:])[_wrap(index)]
    return PackedSequence(data, _wrap(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of `pack_padded_sequence`: (padded batch, lengths) in the caller's batch order,
    padded to the longest sequence or to `total_length`."""
    data, batch_sizes, _, unsorted_indices = sequence
    batch_sizes = batch_sizes._data
    max_length, batch = batch_sizes.size, int(batch_sizes[0])
    if total_length is not None:
        if total_length < max_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_length}")
        max_length = total_length
    # sorted position of each caller's sequence, and the packed row of each (t, sorted position)
    position = unsorted_indices._data if unsorted_indices is not None else np.arange(batch)
    offsets = np.concatenate(([0], np.cumsum(batch_sizes)[:-1]))
    sizes = np.zeros(max_length, np.int64)
    sizes[:batch_sizes.size] = batch_sizes
    valid = position[None, :] < sizes[:, None]
    padding_row = data.shape[0]
    index = np.where(valid, np.concatenate((offsets, np.zeros(max_length - offsets.size, np.int64)))[:, None]
                     + position[None, :], padding_row)
    padding = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = _ops.cat([data, padding])[_wrap(index)]                     # (T, B, *)
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)[position]
    return (padded.transpose(0, 1) if batch_first else padded), _wrap(lengths.astype(np.int64))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Stack tensors of shape (L_i, *) into (max L, B, *) — (B, max L, *) with `batch_first` —
    filling with `padding_value` on the `padding_side`."""
    if padding_side not in ('left', 'right'):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    max_length = int(lengths.max()) if lengths.size else 0
    trailing = tuple(sequences[0].shape[1:])
    padding = full((1,) + trailing, padding_value, dtype=sequences[0].dtype)
    flat = _ops.cat(sequences + [padding])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    positions = np.arange(max_length)[None, :]
    if padding_side == 'left':
        positions = positions - (max_length - lengths)[:, None]
    valid = (positions >= 0) & (positions < lengths[:, None])
    index = np.where(valid, offsets[:, None] + positions, flat.shape[0] - 1)   # (B, max L)
    padded = flat[_wrap(index)]
    return padded if batch_first else padded.transpose(0, 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch (right padding)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) (longest first unless `enforce_sorted=False`)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences of a PackedSequence, in the caller's order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
