"""Collation: turning a list of samples into a batch (`default_collate`) or converting one sample
(`default_convert`, used when automatic batching is off).

Samples are nested containers; `collate` walks them in parallel — a list of dicts becomes a dict of
batches, a list of tuples a list of batches (tuples transposed) — and hands the leaves to the
function registered for their type in `default_collate_fn_map`: tensors are stacked along a new
first dimension, NumPy arrays and numbers become tensors, strings stay lists of strings.
"""
import collections.abc
import copy
import re

import numpy

from ... import Tensor, as_tensor, float64, from_numpy, stack, tensor

__all__ = ['default_collate', 'default_convert', 'collate', 'default_collate_fn_map']

# NumPy dtypes that cannot become tensors: bytes, strings, objects
np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(value, '_fields')


def _rebuild(template, items):
    """A container like `template` (a Mapping or a Sequence) holding `items` (a dict or a list).

    PyTorch keeps the sample's own container type when it can: a shallow copy for mutable
    containers (so subclasses and their extra attributes survive), the type's constructor for
    immutable ones, and a plain dict / list when neither works.
    """
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(items)
            return clone
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(template)(items)
    except TypeError:
        return items


def default_convert(data):
    """Convert the NumPy arrays and NumPy scalars inside `data` to tensors, keeping the structure.

    Tuples become lists (as in PyTorch, for backwards compatibility); namedtuples stay namedtuples.
    """
    data_type = type(data)
    if isinstance(data, Tensor):
        return data
    if data_type.__module__ == 'numpy' and data_type.__name__ not in ('str_', 'string_'):
        if data_type.__name__ == 'ndarray' and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return data_type(*(default_convert(item) for item in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(item) for item in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate `batch` (a list of samples of one structure), with `collate_fn_map` giving the
    function for each leaf type (looked up exactly first, then by `isinstance` in insertion order)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild(elem, {key: collate([sample[key] for sample in batch], collate_fn_map=collate_fn_map)
                               for key in elem})
    if _is_namedtuple(elem):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(sample) == elem_size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return collated  # a list, not a tuple: PyTorch's backwards-compatible choice
        return _rebuild(elem, collated)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Tensors of one shape -> one tensor with a new first dimension of size `len(batch)`."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """NumPy arrays -> tensors (sharing memory), then stacked; string/object arrays are an error."""
    if np_str_obj_array_pattern.search(batch[0].dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([as_tensor(array) for array in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars -> a 1-D tensor of their dtype (`np.int32` values give an int32 tensor)."""
    if len({type(scalar) for scalar in batch}) == 1:
        # numpy.array keeps the common scalar type, which is what torch.as_tensor infers for it
        return from_numpy(numpy.array(batch))
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats -> a float64 tensor (not the default dtype: a Python float is a double)."""
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints -> an int64 tensor; bools (an int subclass) -> a bool tensor."""
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes stay as they are: the batch is the list of them."""
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    numpy.ndarray: collate_numpy_array_fn,
    (numpy.bool_, numpy.number, numpy.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Collate a list of samples into a batch, keeping their structure (the DataLoader's default).

    Tensors are stacked, NumPy arrays and numbers become tensors (float -> float64, int -> int64),
    strings are kept as lists; Mappings, namedtuples and sequences are collated field by field
    (tuples come back as lists).
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
