"""Tensor creation: from data, filled, ranges, and random (drawing from `ember.random`)."""
import builtins
import functools
import itertools
import math

import numpy as np

from . import _dtype as dtypes
from . import random as _random
from . import _sampling
from . import _warnings
from ._legacy import get_num_threads
from ._tensor import Tensor, _scalar_type_name
from ._ops._util import numpy_dtype, sizes_from_args, write_out, wrap
from ._ops.conversion import check_memory_format, like_laid_out, new_laid_out

__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'full', 'empty', 'zeros_like',
           'ones_like', 'full_like', 'empty_like', 'arange', 'range', 'linspace', 'logspace', 'eye',
           'rand', 'randn', 'randint', 'randperm', 'rand_like', 'randn_like', 'randint_like', 'normal',
           'bernoulli', 'strided', 'layout', 'empty_strided', 'frombuffer', 'set_default_device', 'get_default_device', 'scalar_tensor', 'tril_indices',
           'triu_indices']

_builtin_range = range


class layout:
    """Memory layouts; ember tensors are always `strided`."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'ember.' + self.name


strided = layout('strided')


# the device factory functions use when given none (`set_default_device`); None is the CPU
_default_device = [None]


def set_default_device(device):
    """The device tensors are made on when a factory function is given none. ember has only the CPU:
    another device is kept, as PyTorch keeps it, and refused when a tensor is made."""
    if device is not None:
        from .cuda import device as device_type
        device = device_type(device)
    _default_device[0] = device


def get_default_device():
    from .cuda import device, _device_type
    if _default_device[0] is None:
        return device('cpu')
    _device_type(_default_device[0])
    return _default_device[0]


def _check_pin_memory(pin_memory):
    if pin_memory:
        raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
                           "allocator is available on this system.")


def _finish(data, requires_grad=False, device=None):
    if device is None:
        device = _default_device[0]
    if device is not None:
        from .cuda import _device_type, meta_array
        if _device_type(device) == 'meta':
            data = meta_array(data.shape, data.dtype)  # (a meta tensor keeps the shape and dtype only)
    t = wrap(data)
    if requires_grad:
        t._set_requires_grad(True, _FACTORY_INTEGER_REFUSAL)
    return t


_FACTORY_INTEGER_REFUSAL = "Only Tensors of floating point and complex dtype can require gradients"


def _infer_numpy_dtype(data, target=None):
    """PyTorch's dtype for Python data: bools, int64 for ints, the default dtype for floats; NumPy
    scalars and arrays inside lists keep their dtype, promoted with the other elements' by PyTorch's rules.
    `target` is the dtype the caller asked for, if any (it changes which error bad data gets)."""
    try:
        arr = np.asarray(data)
    except ValueError:  # rows of different lengths, or a number where a row should be
        _raise_unreadable(data, target)
        raise
    kind = arr.dtype.kind
    if kind in 'USO':
        _raise_unreadable(data, target)  # strings, None, dicts ... somewhere in the data
        # what is left are Python ints beyond int64, which NumPy keeps as objects: an integer tensor refuses
        # them (the caller checks), a floating one rounds them
        rank = _largest_number_rank(data)
        if rank < 2:
            return arr, np.dtype(np.int64)
        arr = arr.astype(np.complex128 if rank == 3 else np.float64)
        kind = arr.dtype.kind
    # NumPy's answer is PyTorch's for int64 and bool; otherwise a NumPy element may decide it (a list of
    # np.float64 stays float64 where one of Python floats gets the default dtype, np.int32 stays int32)
    if kind in 'fciu' and arr.dtype != np.int64 and isinstance(data, (list, tuple)):
        leaf_types = _leaf_types(data)
        if kind in 'fu' and leaf_types and leaf_types <= {int, bool}:  # NumPy's answer for ints beyond int64 (refused)
            return np.asarray(data, dtype=object), np.dtype(np.int64)
        if not leaf_types <= _PYTHON_NUMBERS:
            promoted = functools.reduce(dtypes.promote_numpy, map(_leaf_numpy_dtype, leaf_types))
            dtypes.from_numpy_dtype(promoted)  # TypeError for a type ember has no tensor for (uint16)
            return arr, promoted
    if kind == 'f':
        return arr, dtypes._default[0].numpy_type
    if kind in 'iu':
        return arr, np.dtype(np.int64)
    if kind == 'b':
        return arr, np.dtype(np.bool_)
    if kind == 'c':
        return arr, (dtypes.complex64 if dtypes._default[0] is dtypes.float32 else dtypes.complex128).numpy_type
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


# ---- PyTorch's errors for data that is not an array of numbers -----------------------------------------------
# PyTorch reads nested sequences in three passes, and the first problem found decides the error:
#   1. the shape, from the first element at each depth (a string's first element is a string again:
#      "too many dimensions 'str'");
#   2. without a dtype argument, the type of every element, depth first (a string is refused as a TypeError,
#      any other non-number as a RuntimeError);
#   3. every row's length and every number, depth first, converted as the dtype's C type is (an int dtype
#      reads Python ints: "'list' object cannot be interpreted as an integer"; a floating one reads Python
#      floats: "must be real number, not list").
# ember reads the data with NumPy and retraces these passes only when NumPy could not read it as numbers.
_SEQUENCES = (list, tuple, _builtin_range, str, bytes)
_NUMBER_RANKS = {bool: 0, int: 1, float: 2, builtins.complex: 3}  # the kind of tensor each makes, promoted


def _raise_unreadable(data, target):
    """Raise the error PyTorch gives for `data`; return if its passes find nothing wrong."""
    shape = []
    first = data
    while isinstance(first, _SEQUENCES) or (isinstance(first, np.ndarray) and first.ndim):
        if isinstance(first, str) and first:
            raise ValueError("too many dimensions 'str'")
        shape.append(len(first))
        if not len(first):
            break
        first = first[0]
    kind = target.kind if target is not None else 'bifc'[_largest_number_rank(data)]
    _check_rows(data, shape, 0, kind)


def _largest_number_rank(data):
    """Pass 2: refuse any element that is not a number; the rank of the widest kind of number found."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (list, tuple, _builtin_range)):
        return builtins.max(map(_largest_number_rank, data), default=2)  # (an empty list is a float tensor)
    if isinstance(data, (np.generic, np.ndarray)):
        return 'bifc'.index(data.dtype.kind) if data.dtype.kind in 'bifc' else 1
    if type(data) not in _NUMBER_RANKS:
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    return _NUMBER_RANKS[type(data)]


def _check_rows(rows, shape, dim, kind):
    """Pass 3: each row as long as the shape says, each number readable as a `kind` number."""
    if dim == len(shape):
        return _check_number(rows, kind)
    try:
        rows = list(rows)
    except TypeError:
        raise TypeError("not a sequence") from None
    if len(rows) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(rows)})")
    for row in rows:
        _check_rows(row, shape, dim + 1, kind)


def _check_number(value, kind):
    is_real = isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating))
    is_number = is_real or isinstance(value, (builtins.complex, np.complexfloating))
    type_name = type(value).__name__
    if kind in 'iu' and isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")  # (PyTorch reads a Python int as a C long long)
    if kind in 'iu' and not is_real or kind == 'b' and not is_number:
        raise TypeError(f"'{type_name}' object cannot be interpreted as an integer")
    if kind == 'f' and not is_real or kind == 'c' and not is_number:
        raise TypeError(f"must be real number, not {type_name}")


_PYTHON_NUMBERS = {bool, int, float, builtins.complex}
_ROWS = {list, tuple}


def _leaf_types(sequence):
    """The types of the numbers in the nested lists/tuples `sequence` (an array inside counts as its
    dtype), one nesting level at a time so that rows are flattened by C loops."""
    found = set()
    while sequence:
        types = set(map(type, sequence))
        if types <= _ROWS:
            sequence = list(itertools.chain.from_iterable(sequence))
        elif types <= _PYTHON_NUMBERS or all(issubclass(t, np.generic) or t in _PYTHON_NUMBERS for t in types):
            return found | types
        else:  # numbers, arrays and rows mixed on one level
            rows = []
            for x in sequence:
                if isinstance(x, (list, tuple)):
                    rows.extend(x)
                else:
                    found.add(x.dtype if isinstance(x, np.ndarray) else type(x))
            sequence = rows
    return found


def _leaf_numpy_dtype(leaf_type):
    if isinstance(leaf_type, np.dtype):
        return leaf_type
    if issubclass(leaf_type, np.generic):
        return np.dtype(leaf_type)
    return dtypes._scalar_numpy_dtype(leaf_type())  # a Python number type: the dtype its values get


def _data_to_array(data, dtype):
    """A fresh NumPy array from Python data, ndarrays, tensors and (nested) lists of tensors."""
    target = numpy_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return np.array(arr, dtype=target if target is not None else arr.dtype, copy=True)
    if isinstance(data, np.ndarray):
        if data.dtype not in dtypes._BY_NUMPY:
            raise TypeError(f"can't convert np.ndarray of type numpy.{data.dtype.type.__name__}. The only supported "
                            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                            "uint64, uint32, uint16, uint8, and bool.")
        _check_strides(data)
        # (an array is converted as NumPy's astype does, wrapping integers: only Python numbers are checked)
        return np.array(data, dtype=target if target is not None else data.dtype, copy=True)
    if isinstance(data, np.generic):
        if target is not None:
            _check_fits(np.asarray(data), target)
        return np.array(data, dtype=target if target is not None else data.dtype)
    if isinstance(data, (list, tuple)) and _contains_tensor(data):
        data = _tensors_to_lists(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    arr, inferred = _infer_numpy_dtype(data, target)
    if target is None:
        target = inferred
    _check_fits(arr, target)
    return np.array(arr, dtype=target)


def _check_fits(values, target, type_name=None):
    """PyTorch refuses Python numbers that an integer dtype can't hold, where NumPy would wrap them
    (`tensor([300], dtype=uint8)`). As in PyTorch, a negative integer may wrap into an unsigned type
    (-1 is 255 as uint8) if its size fits; floats must lie in the type's range (NaN never does).
    `type_name` is the type the message names (`full` and `fill_` name C++'s, `uint8_t`)."""
    kind = values.dtype.kind
    if target.kind not in 'iu' or kind not in 'iufO' or values.size == 0:
        return
    if kind == 'O' or (kind == 'u' and values.max() > np.iinfo(np.int64).max):
        raise ValueError("Overflow when unpacking long long")  # (PyTorch reads a Python int as a C long long)
    limits = np.iinfo(target)
    lowest = -limits.max if target.kind == 'u' and kind in 'iu' else limits.min
    if not ((values >= lowest) & (values <= limits.max)).all():
        raise RuntimeError(f"value cannot be converted to type {type_name or target.name} without overflow")


# the C++ names PyTorch's checked conversion of a Python number gives each dtype in its message
_CONVERSION_TYPE_NAMES = {np.dtype(name): c_name for name, c_name in [
    ('uint8', 'uint8_t'), ('int8', 'int8_t'), ('int16', 'int16_t'), ('int32', 'int'), ('int64', 'int64_t'),
    ('float16', 'c10::Half'), ('float32', 'float'), ('float64', 'double'), ('complex64', 'c10::complex<float>'),
    ('complex128', 'c10::complex<double>')]}


def fill_scalar(value, target):
    """`value`, checked by `check_fill_value`, as a `target` scalar NumPy can fill with: a negative int
    wraps into an unsigned type as in PyTorch (-1 is 255 as uint8), where NumPy would refuse it."""
    check_fill_value(value, target)
    if target.kind == 'u' and isinstance(value, int) and value < 0:
        return np.array(value).astype(target)
    return value


def check_fill_value(value, target):
    """PyTorch's check of a Python number written into every element of a `target`-dtype tensor (`full`,
    `fill_`): integer dtypes as `tensor()` checks them, and a finite number must not overflow a
    floating dtype (inf and NaN may be written)."""
    if not isinstance(value, (int, float, builtins.complex, np.number)) or target.kind == 'b':
        return
    type_name = _CONVERSION_TYPE_NAMES.get(target, target.name)
    if target.kind in 'iu':
        _check_fits(np.asarray(value), target, type_name)
    elif target.kind in 'fc':
        largest = float(np.finfo(target).max)
        for part in (value.real, value.imag):
            if not isinstance(part, float) or math.isfinite(part):
                if abs(part) > largest:
                    raise RuntimeError(f"value cannot be converted to type {type_name} without overflow")


def _check_strides(ndarray):
    if any(stride < 0 for stride in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative strides "
                         "are not currently supported. (You can probably work around this by making a copy of your "
                         "array  with array.copy().) ")


def _contains_tensor(data):
    for x in data:
        if isinstance(x, Tensor):
            return True
        if isinstance(x, (list, tuple)) and _contains_tensor(x):
            return True
    return False


def _tensors_to_lists(data):
    out = []
    for x in data:
        if isinstance(x, Tensor):
            # as in PyTorch, a tensor inside a list is read as one number (whatever its dims)
            if x._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            out.append(x._data.reshape(-1)[0])
        elif isinstance(x, (list, tuple)):
            out.append(_tensors_to_lists(x))
        else:
            out.append(x)
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (numbers, nested lists, arrays, tensors)."""
    _check_pin_memory(pin_memory)
    return _finish(_data_to_array(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a tensor or NumPy array when the dtype allows."""
    if isinstance(data, Tensor):
        if dtype is None or data.dtype == dtype:
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == numpy_dtype(dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = t.clone()
    if requires_grad:
        t._set_requires_grad(True, _FACTORY_INTEGER_REFUSAL)
    return t


def from_numpy(ndarray):
    """A tensor that shares memory with `ndarray` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_numpy_dtype(ndarray.dtype)  # raises TypeError for unsupported types
    if ndarray.dtype.byteorder == '>':
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    _check_strides(ndarray)
    if not ndarray.flags.writeable:
        _warnings.warn_once("The given NumPy array is not writable, and PyTorch does not support non-writable "
                            "tensors. This means writing to this tensor will result in undefined behavior. You may "
                            "want to copy the array to protect its data or make it writable before converting it to "
                            "a tensor. This type of warning will be suppressed for the rest of this program.")
    return wrap(ndarray)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of a Python buffer (`bytearray`, `array.array`, ...), without copying:
    `count` elements of `dtype` from byte `offset` (all that follow, by default)."""
    try:
        length = memoryview(buffer).nbytes
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    itemsize = dtype.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length ({length} "
                         f"bytes) minus 1")
    if count < 0:
        if (length - offset) % itemsize:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({itemsize})")
        count = (length - offset) // itemsize
    elif offset + count * itemsize > length:
        raise ValueError(f"requested buffer length ({count} * {itemsize} bytes) after offset ({offset} bytes) must "
                         f"not be greater than actual buffer length ({length} bytes)")
    return _finish(np.frombuffer(buffer, dtype=dtype.numpy_type, count=count, offset=offset), requires_grad)


def _filled(size, fill, dtype, out, requires_grad, device, default, function_name):
    shape = sizes_from_args(size, function_name)
    if out is not None:
        target = out._data.dtype if dtype is None else numpy_dtype(dtype)
        return write_out(out, wrap(np.full(shape, fill_scalar(fill, target), dtype=target)))
    target = numpy_dtype(dtype) if dtype is not None else default
    if fill == 0:
        data = np.zeros(shape, dtype=target)
    elif fill is None:
        data = np.empty(shape, dtype=target)
    else:
        data = np.full(shape, fill_scalar(fill, target), dtype=target)
    return _finish(data, requires_grad, device)


def _size_argument(sizes, size, function_name):
    """The shape as `zeros(2, 3)`, `zeros((2, 3))` or, as PyTorch also accepts, `zeros(size=(2, 3))`."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{function_name}() got multiple values for argument 'size'")
    return (size,)


def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of zeros of the given shape."""
    _check_pin_memory(pin_memory)
    return _filled(_size_argument(sizes, size, 'zeros'), 0, dtype, out, requires_grad, device,
                   dtypes._default[0].numpy_type, 'zeros')


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ones of the given shape."""
    _check_pin_memory(pin_memory)
    return _filled(_size_argument(sizes, size, 'ones'), 1, dtype, out, requires_grad, device,
                   dtypes._default[0].numpy_type, 'ones')


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor of the given shape (laid out as `memory_format` says, row-major by default)."""
    _check_pin_memory(pin_memory)
    sizes = _size_argument(sizes, size, 'empty')
    check_memory_format(memory_format, 'empty')
    if memory_format is not None and out is None:
        target = numpy_dtype(dtype) if dtype is not None else dtypes._default[0].numpy_type
        data = new_laid_out(sizes_from_args(sizes), memory_format, functools.partial(np.empty, dtype=target))
        return _finish(data, requires_grad, device)
    return _filled(sizes, None, dtype, out, requires_grad, device, dtypes._default[0].numpy_type, 'empty')


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor with the given sizes and element strides, over just enough memory."""
    _check_pin_memory(pin_memory)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    target = numpy_dtype(dtype) if dtype is not None else dtypes._default[0].numpy_type
    elements = 1 + builtins.sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    memory = np.empty(elements, dtype=target)
    data = np.lib.stride_tricks.as_strided(memory, shape=size, strides=tuple(st * memory.itemsize for st in stride))
    return _finish(data, requires_grad, device)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of the given shape filled with `fill_value`; dtype inferred from the value."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (bool, int, float, builtins.complex, np.number, np.bool_)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")
    default = _infer_numpy_dtype(fill_value)[1]
    return _filled((size,), fill_value, dtype, out, requires_grad, device, default, 'full')


def _like(input, fill, dtype, requires_grad, device, memory_format, function_name):
    """A new tensor shaped like `input` and laid out as `memory_format` says; by default (PyTorch's
    preserve_format) in input's memory order (`empty_like(x.t())` is transposed too), which decides the
    order in which samplers fill it."""
    check_memory_format(memory_format, function_name)
    target = numpy_dtype(dtype) if dtype is not None else input._data.dtype
    if fill == 0:
        make = functools.partial(np.zeros, dtype=target)
    elif fill is None:
        make = functools.partial(np.empty, dtype=target)
    else:
        make = functools.partial(np.full, fill_value=fill_scalar(fill, target), dtype=target)
    if device is None and input.is_meta:
        device = 'meta'  # (a tensor made like a meta tensor is one, unless told otherwise)
    return _finish(like_laid_out(input._data, memory_format, make), requires_grad, device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, 0, dtype, requires_grad, device, memory_format, 'zeros_like')


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, 1, dtype, requires_grad, device, memory_format, 'ones_like')


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _like(input, None, dtype, requires_grad, device, memory_format, 'empty_like')


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(input, fill_value, dtype, requires_grad, device, memory_format, 'full_like')


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.array(s, dtype=numpy_dtype(dtype) or dtypes._default[0].numpy_type), requires_grad, device)


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from `start` up to (not including) `end`, `step` apart. Integer arguments give int64."""
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    if dtype is not None:
        target = numpy_dtype(dtype)
    else:
        target = np.dtype(np.int64) if all_int else dtypes._default[0].numpy_type
    count = int(np.ceil((end - start) / step))
    if all_int:
        data = (start + np.arange(count, dtype=np.int64) * step).astype(target)
    elif target in (np.float32, np.float64):
        data = _float_arange(float(start), float(step), count, target)
    else:
        # PyTorch computes start + i * step in its accumulate type and then casts
        data = (start + np.arange(count, dtype=np.float64) * step).astype(target)
    if out is not None:
        return write_out(out, wrap(data))
    return _finish(data, requires_grad, device)


_GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: elements below which a parallel_for runs as one piece
_VECTOR_BYTES = 32   # an AVX2 register: PyTorch's Vectorized<float> holds 8 floats, Vectorized<double> 4


def _float_arange(start, step, count, target):
    """PyTorch's CPU arange kernel for float32/float64, bit for bit.

    The kernel works in double. Each thread's piece of the output is filled two vectors at a time,
    each vector as `base + j * step` from its first element's `base = start + step * i` (rounded to
    the output dtype first); the piece's tail takes the scalar `start + step * i`. Both are fused
    multiply-adds in the AVX2 build. So `arange(-1, 1, 0.2)[5]` is 5.55e-17 there, not 0."""
    index = np.arange(count, dtype=np.int64)
    values = _sampling._fma64(np.float64(step), index.astype(np.float64), np.float64(start)).astype(target)
    # where each element's piece starts and how much of the piece the vector loop covers (at::parallel_for)
    threads = min(get_num_threads(), -(-count // _GRAIN_SIZE)) if count >= _GRAIN_SIZE else 1
    piece = -(-count // threads) if count else 1
    piece_start = index // piece * piece
    piece_length = np.minimum(piece_start + piece, count) - piece_start
    width = _VECTOR_BYTES // target.itemsize
    in_vectors = index - piece_start < piece_length // (2 * width) * (2 * width)
    lane = (index - piece_start) % width
    vector_base = values[index - lane]  # a vector's first element is the scalar formula at its index
    vector_values = _sampling._fma64(lane.astype(np.float64), np.float64(step), vector_base.astype(np.float64))
    return np.where(in_vectors & (lane > 0), vector_values.astype(target), values)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in PyTorch: like arange but including `end`, float by default."""
    _warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                   "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                   "[start, end).")
    if end is None:
        start, end = 0, start
    count = int(np.floor((end - start) / step)) + 1
    values = start + np.arange(count, dtype=np.float64) * step
    return _finish(values.astype(numpy_dtype(dtype) or dtypes._default[0].numpy_type), requires_grad, device)


def _multiply_add(a, b, c):
    """`c + a * b` rounded twice, as C++ computes it where the compiler doesn't fuse it."""
    return c + a * b


def _halves_from_both_ends(start, end, step, steps, multiply_add):
    """PyTorch's linspace formula: the first half counts up from `start`, the second down from `end`
    (`end - step * (steps - 1 - i)`), so both ends are exact. `multiply_add(a, b, c)` is `c + a * b`,
    fused or not as in the PyTorch loop being matched; the counts are converted to step's dtype first."""
    index = np.arange(steps)
    from_start = multiply_add(step, index.astype(step.dtype), start)
    from_end = multiply_add(-step, (steps - 1 - index).astype(step.dtype), end)
    return np.where(index < steps // 2, from_start, from_end)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, both included."""
    start, end = _number(start), _number(end)
    target = numpy_dtype(dtype) or (out._data.dtype if out is not None else dtypes._default[0].numpy_type)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps <= 1:
        data = np.full(steps, start, dtype=target)  # a single step is `start`, not `end`
    elif target in (np.float32, np.float64):
        # start, end and step are rounded to the output dtype and the arithmetic is done in it, fused
        # (the linspace kernel is built for AVX2 with FMA); so linspace(-10, 10, 7)[3] is 2.4e-07, not 0
        start, end = target.type(start), target.type(end)
        step = (end - start) / target.type(steps - 1)
        data = _halves_from_both_ends(start, end, step, steps, functools.partial(_sampling._fma, dtype=target))
    elif target.kind in 'iu':
        # integer outputs step in double from the integer ends, and truncate
        start, end = np.float64(int(start)), np.float64(int(end))
        step = (end - start) / (steps - 1)
        data = _halves_from_both_ends(start, end, step, steps, _sampling._fma64).astype(target)
    else:
        # half and complex: the same formula in the output dtype, an operation (and a rounding) at a time
        start, end = target.type(start), target.type(end)
        step = (end - start) / target.type(steps - 1)
        data = _halves_from_both_ends(start, end, step, steps, _multiply_add)
    if out is not None:
        return write_out(out, wrap(data))
    return _finish(data, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """`base ** linspace(start, end, steps)`."""
    start, end = _number(start), _number(end)
    target = numpy_dtype(dtype) or (out._data.dtype if out is not None else dtypes._default[0].numpy_type)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if target.kind == 'c':
        exponents = linspace(start, end, steps, dtype=dtypes._BY_NUMPY[target])._data
        data = np.power(target.type(base), exponents)
    else:
        if steps <= 1:
            exponents = np.full(steps, float(start))
        else:
            # PyTorch rounds the ends to the output dtype and subtracts them there; the exponents are
            # stepped (and the powers taken) in double, unfused: this loop is outside the AVX2 kernels
            start, end = np.array([start, end]).astype(target)
            step = np.float64(end - start) / (steps - 1)
            exponents = _halves_from_both_ends(np.float64(start), np.float64(end), step, steps, _multiply_add)
        data = _sampling._from_double(np.power(float(base), exponents), target)
    if out is not None:
        return write_out(out, wrap(data))
    return _finish(data, requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """An n x m matrix with ones on the diagonal."""
    for name, size in (('n', n), ('m', m)):
        if size is not None and size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    data = np.eye(n, n if m is None else m, dtype=numpy_dtype(dtype) or dtypes._default[0].numpy_type)
    if out is not None:
        return write_out(out, wrap(data))
    return _finish(data, requires_grad, device)


def _triangle_indices(name, numpy_indices, row, col, offset, dtype, device, requires_grad):
    for argument, value in (('row', row), ('col', col)):
        if value < 0:
            raise RuntimeError(f"{argument} must be non-negative, got{value}")  # (PyTorch's message, no space)
    target = numpy_dtype(dtype)
    if target not in (np.int64, np.int32):
        raise NotImplementedError(f'"{name}" not implemented for \'{_scalar_type_name(target)}\'')
    rows, cols = numpy_indices(row, offset, col)  # row by row, as PyTorch lists them
    return _finish(np.stack([rows, cols]).astype(target), requires_grad, device)


def tril_indices(row, col, offset=0, *, dtype=dtypes.int64, device=None, layout=None, requires_grad=False):
    """The coordinates of a row x col matrix's lower triangle (on and below diagonal `offset`), as a
    2 x N tensor: row indices, then column indices."""
    return _triangle_indices('tril_indices', np.tril_indices, row, col, offset, dtype, device, requires_grad)


def triu_indices(row, col, offset=0, *, dtype=dtypes.int64, device=None, layout=None, requires_grad=False):
    """The coordinates of a row x col matrix's upper triangle (on and above diagonal `offset`), as a
    2 x N tensor: row indices, then column indices."""
    return _triangle_indices('triu_indices', np.triu_indices, row, col, offset, dtype, device, requires_grad)


# ---- random -----------------------------------------------------------------------------------------------
# The samplers in `_sampling` reproduce PyTorch's CPU streams bit for bit; these are the public forms.
from ._ops.random import bernoulli  # noqa: E402,F401


def _gen(generator):
    return generator if generator is not None else _random.default_generator


def _float_target(dtype, kernel_name):
    """The dtype a float sampler fills; the error PyTorch's kernel (`kernel_name`) gives for any other."""
    target = numpy_dtype(dtype) or dtypes._default[0].numpy_type
    if target.kind not in 'fc':
        raise NotImplementedError(f"\"{kernel_name}\" not implemented for '{_scalar_type_name(target)}'")
    return target


def _complex_draw(shape, target, fill_name, generator, *args):
    """Complex samples as PyTorch draws them: an empty tensor filled in place, which samples its real
    view, the (real, imaginary) pairs in turn (see `uniform_` and `normal_` in ember._ops.random)."""
    return getattr(wrap(np.empty(shape, target)), fill_name)(*args, generator=generator)._data


def _random_result(data, out, requires_grad, device):
    return write_out(out, wrap(data)) if out is not None else _finish(data, requires_grad, device)


def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1)."""
    target = _float_target(dtype if dtype is not None or out is None else out.dtype, 'check_uniform_bounds')
    shape = sizes_from_args(_size_argument(sizes, size, 'rand'), 'rand')
    if target.kind == 'c':
        data = _complex_draw(shape, target, 'uniform_', generator)
    else:
        data = _sampling.uniform(_gen(generator), shape, target)
    return _random_result(data, out, requires_grad, device)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples."""
    target = _float_target(dtype if dtype is not None or out is None else out.dtype, 'normal_kernel_cpu')
    shape = sizes_from_args(_size_argument(sizes, size, 'randn'), 'randn')
    if target.kind == 'c':
        data = _complex_draw(shape, target, 'normal_', generator)
    else:
        data = _sampling.normal(_gen(generator), shape, target)
    return _random_result(data, out, requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Integers uniformly from [low, high); int64 by default."""
    if size is None:
        # randint(high, size) form
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    target = numpy_dtype(dtype) or np.dtype(np.int64)
    data = _sampling.random_range(_gen(generator), sizes_from_args((size,), 'randint', 2), target, low, high)
    return _random_result(data, out, requires_grad, device)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64 by default)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    data = _sampling.permutation(_gen(generator), n).astype(numpy_dtype(dtype) or np.int64)
    return _random_result(data, out, requires_grad, device)


# The *_like samplers are PyTorch's `empty_like(input).uniform_()` (normal_, random_): the new tensor
# keeps input's memory order and is filled in that order, so `rand_like(x.t())` is `rand_like(x).t()`.
def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    """Uniform [0, 1) samples with the shape (and by default the dtype) of `input`."""
    out = empty_like(input, dtype=dtype, memory_format=memory_format).uniform_(generator=generator)
    return out._set_requires_grad(True, _FACTORY_INTEGER_REFUSAL) if requires_grad else out


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    """Standard normal samples with the shape (and by default the dtype) of `input`."""
    out = empty_like(input, dtype=dtype, memory_format=memory_format).normal_(generator=generator)
    return out._set_requires_grad(True, _FACTORY_INTEGER_REFUSAL) if requires_grad else out


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """Integers from [low, high) with the shape (and by default the dtype) of `input`."""
    if high is None:
        low, high = 0, low
    out = empty_like(input, dtype=dtype, memory_format=memory_format).random_(low, high, generator=generator)
    return out._set_requires_grad(True, _FACTORY_INTEGER_REFUSAL) if requires_grad else out


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal samples; `mean` and `std` may each be a number or a tensor (broadcast together).

    Like PyTorch, the tensor forms draw standard normals for the output shape and then scale and shift
    them with tensor ops: `normal(0, 1) * std + mean`, or `normal(0, std) + mean` for a number std."""
    gen = _gen(generator)
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with float mean and std, "
                            "size is required")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        target = _float_target(dtype if dtype is not None or out is None else out.dtype, 'normal_kernel_cpu')
        if target.kind == 'c':
            data = _complex_draw(sizes_from_args((size,), 'normal'), target, 'normal_', generator, float(mean),
                                 float(std))
        else:
            data = _sampling.normal(gen, sizes_from_args((size,), 'normal'), target, float(mean), float(std))
        return _random_result(data, out, requires_grad, device)
    if std_is_tensor and std._data.size and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_is_tensor and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    reference = mean if mean_is_tensor else std
    target = reference._data.dtype if reference._data.dtype.kind == 'f' else dtypes._default[0].numpy_type
    shape = np.broadcast_shapes(mean._data.shape, std._data.shape) if mean_is_tensor and std_is_tensor \
        else reference._data.shape
    if std_is_tensor:
        samples = _sampling.normal(gen, shape, target)
        data = samples * std._data.astype(target, copy=False)
    else:
        data = _sampling.normal(gen, shape, target, 0.0, float(std))
    # (np.asarray: NumPy's arithmetic on 0-d arrays gives a NumPy scalar, not an array)
    data = np.asarray(data + (mean._data if mean_is_tensor else target.type(mean)), dtype=target)
    return _random_result(data, out, requires_grad, device)


# ---- the legacy constructor behind `Tensor(...)`, `FloatTensor(...)` -----------------------------------
def _legacy_new(cls, numpy_type, args, kwargs, exact_dtype=False):
    """The legacy constructors `Tensor(...)`, `FloatTensor(...)` and `x.new(...)`, of dtype `numpy_type`:
    no arguments (an empty tensor), sizes (uninitialised), a storage or a tensor (sharing its memory), or
    data (copied). `exact_dtype`: a tensor of another dtype is refused (`x.new`, `FloatTensor`) rather than
    returned as it is (`Tensor`)."""
    from .storage import TypedStorage, UntypedStorage, array_from_storage
    numpy_type = np.dtype(numpy_type)
    device = kwargs.pop('device', None)
    if device is not None:
        from .cuda import _check_device
        _check_device(device)
    size = kwargs.pop('size', None)
    if kwargs or (size is not None and args):
        given = ', '.join([type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
        raise TypeError(f"new() received an invalid combination of arguments - got ({given})")
    if size is not None:
        args = tuple(size)
    first = args[0] if args else None
    if not args:
        data = np.empty((0,), dtype=numpy_type)
    elif len(args) == 1 and isinstance(first, (TypedStorage, UntypedStorage)):
        if isinstance(first, TypedStorage) and first.dtype.numpy_type != numpy_type:
            raise RuntimeError(f"Expected a Storage of type {_scalar_type_name(numpy_type)} or an UntypedStorage, but "
                               f"got type {_scalar_type_name(first.dtype.numpy_type)} for argument 1 'storage'")
        data = array_from_storage(first, dtypes._BY_NUMPY[numpy_type])
    elif len(args) == 1 and isinstance(first, Tensor):
        if first._data.dtype != numpy_type:
            if not exact_dtype:
                return first
            raise TypeError(f"expected TensorOptions(dtype={dtypes.cpp_type_name(numpy_type)}, device=cpu) (got "
                            f"TensorOptions(dtype={dtypes.cpp_type_name(first._data.dtype)}, device=cpu))")
        data = first._data
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
            (len(args) == 1 and isinstance(first, tuple) and type(first).__name__ == 'Size'):
        shape = tuple(int(a) for a in (first if isinstance(first, tuple) else args))
        if builtins.any(s < 0 for s in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {builtins.min(shape)}: {list(shape)}")
        data = np.empty(shape, dtype=numpy_type)
    elif len(args) == 1:
        if not isinstance(first, (list, tuple, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
        data = _data_to_array(first, dtypes._BY_NUMPY[numpy_type])
    else:
        position = next(i for i, a in enumerate(args) if not isinstance(a, (int, np.integer)) or isinstance(a, bool))
        raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {position + 1} with error "
                        f"\"type must be tuple of ints,but got {type(args[position]).__name__}\"")
    t = wrap(data)
    if cls is not Tensor:
        t = t._make_subclass_like(cls)
    return t

