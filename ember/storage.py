"""Storages: the memory behind a tensor, as PyTorch shows it.

A tensor is a view (sizes, strides, offset) of a storage; a tensor and its views share one. In
ember a tensor's memory is a NumPy array, and views are NumPy views of it: the storage is the memory
of the array at the start of that chain of views (its *owner*), seen as bytes.

- `x.untyped_storage()` is an `UntypedStorage`: the bytes.
- `x.storage()` is a `TypedStorage`: the same bytes read as `x.dtype` (deprecated in PyTorch,
  which warns once; still what `print(x.storage())` shows a learner).
- `FloatStorage`, `LongStorage`, ...: the older names; calling one makes a `TypedStorage`.
"""
import weakref

import numpy as np

from . import _dtype as dtypes
from . import _warnings

__all__ = ['UntypedStorage', 'TypedStorage', 'FloatStorage', 'DoubleStorage', 'HalfStorage', 'LongStorage',
           'IntStorage', 'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage',
           'ComplexDoubleStorage']

# owners whose memory `share_memory_()` marked shared, by address (an entry goes when its array does)
_shared_owners = weakref.WeakValueDictionary()


def _owner(array):
    """The array whose memory `array` looks into: the start of its chain of NumPy views."""
    while True:
        base = array.base
        if isinstance(base, np.ndarray):
            array = base
        elif isinstance(getattr(base, 'base', None), np.ndarray):
            array = base.base  # (np.lib.stride_tricks.as_strided wraps the array it reads in a helper object)
        else:
            return array


# (NumPy 2 moved byte_bounds into numpy.lib.array_utils)
_byte_bounds = getattr(getattr(np.lib, 'array_utils', np), 'byte_bounds')


def _address(array):
    return array.__array_interface__['data'][0]


def bytes_of(array):
    """All the memory `array` lies in, as a 1-D uint8 array that shares it."""
    owner = _owner(array)
    low, high = _byte_bounds(owner)
    if _address(owner) != low:  # (an owner read backwards: it can't be seen from its first address)
        owner = np.ascontiguousarray(owner)
        low, high = _byte_bounds(owner)
    elements = np.lib.stride_tricks.as_strided(owner, shape=((high - low) // owner.itemsize,),
                                               strides=(owner.itemsize,), writeable=owner.flags.writeable)
    return elements.view(np.uint8)


def is_shared(array):
    owner = _owner(array)
    return _shared_owners.get(_address(owner)) is owner


def share_memory(array):
    """Mark `array`'s memory shared. A CPU tensor of one process has nothing to move: PyTorch would move
    it to shared memory for other processes, which ember's workers reach by pickling instead."""
    owner = _owner(array)
    _shared_owners[_address(owner)] = owner


def _check_cpu(device):
    if device is not None:
        from .cuda import _check_device
        _check_device(device)


def _typename(obj):
    return f"ember.storage.{type(obj).__name__}"


class _StorageBase:
    """What both storages do with their memory, `_array` (a 1-D NumPy array of their element type)."""
    __slots__ = ('_array',)
    is_sparse = False
    is_cuda = False
    device = property(lambda self: _cpu())

    def size(self):
        return self._array.size

    __len__ = size

    def nbytes(self):
        return self._array.nbytes

    def element_size(self):
        return self._array.itemsize

    def data_ptr(self):
        return _address(self._array)

    def tolist(self):
        return self._array.tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __setitem__(self, index, value):
        self._array[index] = value

    def fill_(self, value):
        self._array[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        """Copy `source` (a storage of the same size) into this memory."""
        if len(source) != len(self):
            raise RuntimeError(f"size mismatch, got target size {len(self)}, source size {len(source)}")
        self._array[...] = source._array
        return self

    def is_shared(self):
        return is_shared(self._array)

    def share_memory_(self):
        share_memory(self._array)
        return self

    def is_pinned(self, device='cuda'):
        return False

    def pin_memory(self, device='cuda'):
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def cpu(self):
        return self

    def __str__(self):
        # PyTorch's format: one element a line, then what the storage is
        info = f"[{_typename(self)}({self._describe()}device=cpu) of size {len(self)}]"
        return " " + "\n ".join(str(self[i]) for i in range(len(self))) + "\n" + info

    __repr__ = __str__

    def __reduce__(self):
        return type(self)._from_array, (self._array.copy(),) + self._reduce_args()


def _cpu():
    from .cuda import device
    return device('cpu')


class UntypedStorage(_StorageBase):
    """Memory as bytes: `UntypedStorage(n)` (uninitialised), `UntypedStorage([1, 2, 3])`, or
    `tensor.untyped_storage()`, which views of the tensor share."""
    __slots__ = ()
    dtype = dtypes.uint8

    def __init__(self, *args, device=None):
        _check_cpu(device)
        if not args:
            self._array = np.empty(0, dtype=np.uint8)
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)) and not isinstance(args[0], bool):
            self._array = np.empty(int(args[0]), dtype=np.uint8)
        elif len(args) == 1:
            self._array = np.array(args[0], dtype=np.int64).astype(np.uint8)  # (PyTorch wraps 300 to 44)
        else:
            raise TypeError(f"UntypedStorage(): too many arguments ({len(args)})")

    @classmethod
    def _from_array(cls, array):
        storage = object.__new__(cls)
        storage._array = array
        return storage

    def _reduce_args(self):
        return ()

    def _describe(self):
        return ""

    def __getitem__(self, index):
        if isinstance(index, slice):
            return UntypedStorage._from_array(self._array[index])
        return int(self._array[index])

    def untyped(self):
        return self

    def clone(self):
        return UntypedStorage._from_array(self._array.copy())

    def resize_(self, size):
        """Make the memory `size` bytes long, keeping the bytes the old and new sizes share (the new ones are
        zero). Unlike PyTorch, which reallocates the memory in place, ember gives this storage new memory:
        tensors already made over the old memory keep it."""
        array = np.zeros(size, dtype=np.uint8)
        kept = min(size, self._array.size)
        array[:kept] = self._array[:kept]
        self._array = array
        return self

    def _typed(self, dtype):
        """This memory read as elements of `dtype` (whole elements only)."""
        itemsize = np.dtype(dtype).itemsize
        return self._array[:len(self._array) // itemsize * itemsize].view(dtype)

    def __eq__(self, other):
        # PyTorch gives every storage one Python object; ember makes one per call, so compare the memory
        return isinstance(other, UntypedStorage) and self.data_ptr() == other.data_ptr() and \
            self.nbytes() == other.nbytes()

    __hash__ = object.__hash__


def _warn_typed_storage_removal():
    """PyTorch's deprecation warning, once per process unless `ember.set_warn_always(True)`."""
    _warnings.warn_once("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be "
                        "the only storage class. This should only matter to you if you are using storages directly.  "
                        "To access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()")


class TypedStorage(_StorageBase):
    """Memory read as one dtype: `TypedStorage(n, dtype=...)`, `TypedStorage([1., 2.])`, or
    `tensor.storage()`. Its bytes are `_untyped_storage`."""
    __slots__ = ('_untyped_storage', 'dtype')

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None):
        _warn_typed_storage_removal()
        _check_cpu(device)
        dtype = dtype or dtypes.get_default_dtype()
        if wrap_storage is not None:
            if args:
                raise RuntimeError("No positional arguments should be given when using `wrap_storage`")
            untyped = wrap_storage
        elif not args:
            untyped = UntypedStorage(0)
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)) and not isinstance(args[0], bool):
            untyped = UntypedStorage(int(args[0]) * dtype.itemsize)
        elif len(args) == 1:
            from ._creation import tensor
            untyped = UntypedStorage._from_array(bytes_of(tensor(args[0], dtype=dtype)._data))
        else:
            raise TypeError(f"TypedStorage(): too many arguments ({len(args)})")
        self._init(untyped, dtype)

    def _init(self, untyped, dtype):
        self._untyped_storage = untyped
        self.dtype = dtype
        self._array = untyped._typed(dtype.numpy_type)

    @classmethod
    def _wrap(cls, untyped, dtype):
        storage = object.__new__(TypedStorage)
        storage._init(untyped, dtype)
        return storage

    @classmethod
    def _from_array(cls, array, dtype):
        return cls._wrap(UntypedStorage._from_array(array.view(np.uint8)), dtype)

    def _reduce_args(self):
        return (self.dtype,)

    def _describe(self):
        return f"dtype={self.dtype}, "

    def __getitem__(self, index):
        if isinstance(index, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        return self._array[index].item()

    def untyped(self):
        return self._untyped_storage

    def resize_(self, size):
        """Make the storage `size` elements long (see `UntypedStorage.resize_`); returns None, as PyTorch's."""
        self._untyped_storage.resize_(size * self.dtype.itemsize)
        self._array = self._untyped_storage._typed(self.dtype.numpy_type)

    def clone(self):
        return TypedStorage._from_array(self._array.copy(), self.dtype)

    def type(self, dtype=None):
        """The storage's type name, or a copy as another legacy storage type (`storage.type(DoubleStorage)`)."""
        if dtype is None:
            return _LEGACY_BY_DTYPE[self.dtype].__module__ + '.' + _LEGACY_BY_DTYPE[self.dtype].__name__
        return self._to(dtype.dtype)

    def _to(self, dtype):
        if dtype is self.dtype:
            return self
        return TypedStorage._from_array(self._array.astype(dtype.numpy_type), dtype)

    def _new_wrapped_storage(self, untyped):
        return TypedStorage._wrap(untyped, self.dtype)


# storage.float(), storage.long(), ...: a copy in that dtype (the storage itself when it already is)
for _name, _dtype in (('float', dtypes.float32), ('double', dtypes.float64), ('half', dtypes.float16),
                      ('long', dtypes.int64), ('int', dtypes.int32), ('short', dtypes.int16), ('char', dtypes.int8),
                      ('byte', dtypes.uint8), ('bool', dtypes.bool), ('complex_float', dtypes.complex64),
                      ('complex_double', dtypes.complex128)):
    setattr(TypedStorage, _name, (lambda dtype: lambda self: self._to(dtype))(_dtype))


class _LegacyStorageType(type):
    """`FloatStorage(3)` makes a float32 `TypedStorage`; `isinstance(s, FloatStorage)` checks the dtype."""

    def __call__(cls, *args, **kwargs):
        return TypedStorage(*args, dtype=cls.dtype, **kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, TypedStorage) and obj.dtype is cls.dtype

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_storage(name, dtype):
    return _LegacyStorageType(name, (), {'dtype': dtype, '__module__': 'ember'})


FloatStorage = _legacy_storage('FloatStorage', dtypes.float32)
DoubleStorage = _legacy_storage('DoubleStorage', dtypes.float64)
HalfStorage = _legacy_storage('HalfStorage', dtypes.float16)
LongStorage = _legacy_storage('LongStorage', dtypes.int64)
IntStorage = _legacy_storage('IntStorage', dtypes.int32)
ShortStorage = _legacy_storage('ShortStorage', dtypes.int16)
CharStorage = _legacy_storage('CharStorage', dtypes.int8)
ByteStorage = _legacy_storage('ByteStorage', dtypes.uint8)
BoolStorage = _legacy_storage('BoolStorage', dtypes.bool)
ComplexFloatStorage = _legacy_storage('ComplexFloatStorage', dtypes.complex64)
ComplexDoubleStorage = _legacy_storage('ComplexDoubleStorage', dtypes.complex128)
_LEGACY_BY_DTYPE = {cls.dtype: cls for cls in (FloatStorage, DoubleStorage, HalfStorage, LongStorage, IntStorage,
                                               ShortStorage, CharStorage, ByteStorage, BoolStorage,
                                               ComplexFloatStorage, ComplexDoubleStorage)}


def storage_type(dtype):
    """The legacy storage class of `dtype` (`Tensor.storage_type()`)."""
    return _LEGACY_BY_DTYPE[dtype]


def array_from_storage(storage, dtype, storage_offset=0, size=None, stride=None):
    """A NumPy array of `dtype` over `storage`'s memory: its elements from `storage_offset`, in `size` and
    element `stride` (all of them, 1-D, by default). Shares the memory (`Tensor.set_`, `Tensor(storage)`)."""
    if isinstance(storage, TypedStorage):
        storage = storage._untyped_storage
    elements = storage._typed(dtype.numpy_type)
    if size is None:
        return elements[storage_offset:]
    size = tuple(int(s) for s in size)
    if stride is None:  # row-major
        stride, step = [], 1
        for s in reversed(size):
            stride.insert(0, step)
            step *= max(s, 1)
    needed = storage_offset + 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    if needed > len(elements):
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {storage_offset}, "
                           f"and itemsize {elements.itemsize} requiring a storage size of {needed * elements.itemsize} "
                           f"are out of bounds for storage of size {storage.nbytes()}")
    return np.lib.stride_tricks.as_strided(elements[storage_offset:], shape=size,
                                           strides=tuple(st * elements.itemsize for st in stride))
