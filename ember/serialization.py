"""`ember.save` / `ember.load`: checkpoints in PyTorch's file format, so ember and torch read each other's.

A checkpoint is a zip archive of uncompressed records, all under one folder (the file's name without
its extension, or `archive` for a file object):

    <name>/data.pkl                   the object, pickled (protocol 2); each tensor is a call
                                      `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
                                      requires_grad, OrderedDict())`, and `storage` is a persistent id
                                      ('storage', torch.FloatStorage, key, 'cpu', numel)
    <name>/.format_version            '1'
    <name>/.storage_alignment         '64': every record's data starts at a multiple of 64 bytes
    <name>/byteorder                  'little' or 'big': how the storages' numbers are laid out
    <name>/data/<key>                 the raw bytes of one storage, shared by every tensor viewing it
    <name>/version                    '3\\n'
    <name>/.data/serialization_id     a random 40-digit id

ember never imports torch: the pickle names torch's functions and classes (`torch._utils.
_rebuild_tensor_v2`, `torch.FloatStorage`, `torch.Size`, `torch.float32`) through `_TorchName`
stand-ins that the pickler writes as GLOBAL opcodes, and that the unpickler maps back to ember's own
objects. Loading is safe by construction: the unpickler resolves only the globals listed in
`_SAFE_GLOBALS` and those the user allowlisted (`add_safe_globals`), so a checkpoint cannot make
`load` call anything else (`os.system`, `eval`, ...).

`load` also reads PyTorch's format from before 1.6 (see `_load_legacy`); `save` writes only the zip one.
"""
import codecs
import io
import os
import pickle
import secrets
import struct
import sys
import zipfile
from collections import Counter, OrderedDict

import numpy as np

from . import _dtype as dtypes
from ._size import Size
from ._tensor import Tensor
from .cuda import device

__all__ = ['save', 'load', 'add_safe_globals', 'safe_globals', 'get_safe_globals', 'clear_safe_globals']


class _TorchName:
    """A global of torch's namespace (`torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, ...).

    Checkpoints refer to these by name. ember writes the names without importing torch, and reading
    a checkpoint maps each name to an ember object (see `_SAFE_GLOBALS`).
    """
    __slots__ = ('module', 'name')

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __repr__(self):
        return f'{self.module}.{self.name}'

    def __call__(self, *args):
        # only here because pickle accepts just callables as the function of a reduce tuple
        raise TypeError(f"{self!r} is torch's name in a checkpoint; ember never calls it")


_REBUILD_TENSOR_V2 = _TorchName('torch._utils', '_rebuild_tensor_v2')
_REBUILD_PARAMETER = _TorchName('torch._utils', '_rebuild_parameter')
_TORCH_SIZE = _TorchName('torch', 'Size')
_TORCH_DEVICE = _TorchName('torch', 'device')
_TORCH_DTYPES = {d: _TorchName('torch', d.name) for d in dtypes._ALL + (dtypes.bfloat16,)}

# A storage's pickled type says which numbers its bytes hold (PyTorch's legacy typed-storage names).
_STORAGE_TYPES = {np.dtype(numpy_type): _TorchName('torch', name) for numpy_type, name in (
    (np.float64, 'DoubleStorage'), (np.float32, 'FloatStorage'), (np.float16, 'HalfStorage'),
    (np.int64, 'LongStorage'), (np.int32, 'IntStorage'), (np.int16, 'ShortStorage'),
    (np.int8, 'CharStorage'), (np.uint8, 'ByteStorage'), (np.bool_, 'BoolStorage'),
    (np.complex64, 'ComplexFloatStorage'), (np.complex128, 'ComplexDoubleStorage'))}
# NumPy has no bfloat16: such storages are read as their 16-bit patterns and widened to float32.
_BFLOAT16_STORAGE = _TorchName('torch', 'BFloat16Storage')
_DTYPE_OF_STORAGE = {name: numpy_type for numpy_type, name in _STORAGE_TYPES.items()}
_DTYPE_OF_STORAGE[_BFLOAT16_STORAGE] = np.dtype(np.uint16)

_ALIGNMENT = 64


def _parameter_class():
    from .nn.parameter import Parameter  # imported late: ember imports this module before ember.nn
    return Parameter


# ---- saving -----------------------------------------------------------------------------------------
class _Storage:
    """One block of memory written as the record `data/<key>`; every saved tensor viewing it shares it."""
    __slots__ = ('key', 'memory', 'persistent_id')

    def __init__(self, key, block, dtype):
        self.key = key
        # a contiguous block read in memory order is a flat view, not a copy
        self.memory = block.reshape(-1, order='A').view(np.uint8)
        self.persistent_id = ('storage', _STORAGE_TYPES[dtype], key, 'cpu', block.nbytes // dtype.itemsize)


class _CheckpointPickler(pickle._Pickler):
    """Pickles an object the way torch.save does: tensors become `_rebuild_tensor_v2` calls on
    persistent storages, and ember's Size, dtypes, devices and Parameters take torch's names.

    This is the pure-Python pickler: it is the one that lets a subclass write a GLOBAL opcode for a
    name it cannot import (the C pickler checks every global by importing its module, i.e. torch).
    """
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # (id of the memory block, dtype) -> _Storage, keys '0', '1', ... in order
        self._parameter_class = _parameter_class()

    def persistent_id(self, obj):
        return obj.persistent_id if type(obj) is _Storage else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if isinstance(obj, self._parameter_class):
                # as torch's Parameter.__reduce_ex__: the plain data, then the flag (hooks aren't saved)
                return _REBUILD_PARAMETER, (Tensor._wrap(obj._data), obj._requires_grad, OrderedDict())
            storage, storage_offset, stride = self._storage_of(obj._data)
            return _REBUILD_TENSOR_V2, (storage, storage_offset, obj._data.shape, stride, obj._requires_grad,
                                        OrderedDict())
        if type(obj) is Size:
            return _TORCH_SIZE, (tuple(obj),)
        if type(obj) is device:
            return _TORCH_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index)
        return NotImplemented

    def _save_torch_name(self, name):
        self.write(pickle.GLOBAL + f'{name.module}\n{name.name}\n'.encode('utf-8'))
        self.memoize(name)

    def _save_dtype(self, dtype):
        self.save(_TORCH_DTYPES[dtype])

    dispatch[_TorchName] = _save_torch_name
    dispatch[dtypes.dtype] = _save_dtype

    def _storage_of(self, array):
        """The storage holding `array`, and array's offset and strides in it, counted in elements.

        The storage is the whole memory block NumPy allocated (the end of the `.base` chain), as a
        torch tensor's storage is: views of one tensor share one record, and a slice saves its
        base's storage, as in PyTorch.
        """
        block = array
        while isinstance(block.base, np.ndarray):
            block = block.base
        itemsize = array.itemsize
        offset = _address(array) - _address(block)
        describable = (array.size and (block.flags.c_contiguous or block.flags.f_contiguous)
                       and block.nbytes % itemsize == 0 and offset % itemsize == 0
                       and all(step >= 0 and step % itemsize == 0 for step in array.strides))
        if not describable:
            # memory torch's (offset, non-negative strides) can't describe, e.g. a reversed view, gets
            # a storage of its own; so does an empty tensor (its address means nothing)
            block = array = np.array(array, order='C')
            offset = 0
        key = (id(block), array.dtype)
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(str(len(self.storages)), block, array.dtype)
        return storage, offset // itemsize, tuple(step // itemsize for step in array.strides)


def _address(array):
    return array.__array_interface__['data'][0]


class _AlignedZipWriter:
    """Writes a zip archive of uncompressed records whose data starts at a multiple of 64 bytes, the
    layout PyTorch's writer produces (a loader may then map a tensor's bytes straight from the file).

    zipfile does the zip format; this class only chooses each record's padding. It hands zipfile
    itself as the output stream, counting the bytes that pass through, so it knows where the next
    record's header will start. The stream has no `seek`, so zipfile writes each record's sizes after
    its data, as PyTorch does.
    """

    def __init__(self, file, archive_name):
        self._file = file
        self._position = 0
        self._prefix = archive_name + '/'
        self._zip = zipfile.ZipFile(self, 'w', zipfile.ZIP_STORED)

    def write(self, data):
        size = memoryview(data).nbytes
        if self._file is not None:
            self._file.write(data)
        self._position += size
        return size

    def tell(self):
        return self._position

    def flush(self):
        if self._file is not None:
            self._file.flush()

    def add(self, name, data):
        """Add the record `<archive name>/<name>` holding the bytes of `data` (bytes or a uint8 array)."""
        info = zipfile.ZipInfo(self._prefix + name)
        info.file_size = size = memoryview(data).nbytes
        # a local header is 30 bytes, the name, then the extra fields: ours ('FB' + its length + padding)
        # and the 20-byte zip64 field zipfile adds to records it may need to write as zip64
        header_size = 30 + len(info.filename.encode('utf-8')) + 4 + (20 if size * 1.05 > zipfile.ZIP64_LIMIT else 0)
        padding = -(self._position + header_size) % _ALIGNMENT
        info.extra = b'FB' + struct.pack('<H', padding) + b'Z' * padding
        with self._zip.open(info, 'w') as record:
            record.write(data)

    def close(self):
        self._zip.close()

    def abandon(self):
        """Stop after a failure: the archive stays unfinished, and nothing more reaches the file (not
        even the directory zipfile would otherwise write when the ZipFile is garbage-collected)."""
        self._file = None
        self._zip.close()


def _write_checkpoint(file, archive_name, pickled, storages):
    archive = _AlignedZipWriter(file, archive_name)
    try:
        # the records and versions PyTorch 2.13 writes, in its order
        archive.add('data.pkl', pickled)
        archive.add('.format_version', b'1')
        archive.add('.storage_alignment', str(_ALIGNMENT).encode())
        archive.add('byteorder', sys.byteorder.encode())
        for storage in storages:
            archive.add('data/' + storage.key, storage.memory)
        archive.add('version', b'3\n')
        archive.add('.data/serialization_id', ''.join(f'{secrets.randbits(64):020d}' for _ in range(2)).encode())
    except BaseException:
        archive.abandon()
        raise
    archive.close()


def _write_atomically(path, archive_name, pickled, storages):
    """Write the checkpoint to a new file next to `path`, sync it to disk, then rename it over `path`:
    a crash at any moment leaves either the old file or the complete new one, never a partial file."""
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    target = os.path.realpath(path)  # replace the file a symlink points to, not the link
    temporary = os.path.join(os.path.dirname(target), f'.{os.path.basename(target)}.{secrets.token_hex(8)}.tmp')
    # O_EXCL: never write into a file someone else made; mode 0o666 lets the umask decide, as open() does
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0), 0o666)
    try:
        with open(descriptor, 'wb') as file:
            _write_checkpoint(file, archive_name, pickled, storages)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save an object (a tensor, a state_dict, any nesting of containers) to a file, in torch.save's format.

    `f` is a path (written atomically: a temporary file renamed into place) or a writable binary file
    object. Tensors that view the same memory are saved once and share it again when loaded.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only PyTorch's zip format "
                                  "(_use_new_zipfile_serialization=True)")
    pickled = io.BytesIO()
    pickler = _CheckpointPickler(pickled, pickle_protocol)
    pickler.dump(obj)
    storages = pickler.storages.values()
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        archive_name = os.path.splitext(os.path.basename(path))[0] or 'archive'
        _write_atomically(path, archive_name, pickled.getbuffer(), storages)
    else:
        _write_checkpoint(f, 'archive', pickled.getbuffer(), storages)


# ---- loading ----------------------------------------------------------------------------------------
def _rebuild_tensor(storage, storage_offset, size, stride):
    """A tensor viewing `storage` (a 1-D array read from the checkpoint) from element `storage_offset`."""
    if not isinstance(storage, np.ndarray):
        raise RuntimeError(f"corrupt checkpoint: a tensor's storage is a {type(storage).__name__}")
    itemsize = storage.itemsize
    # NumPy checks that the view lies inside the storage, so a crafted size/stride can't reach other memory
    data = np.ndarray(size, storage.dtype, storage, storage_offset * itemsize, [step * itemsize for step in stride])
    return Tensor._wrap(data)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    """torch._utils._rebuild_tensor_v2: how every saved tensor is rebuilt."""
    tensor = _rebuild_tensor(storage, storage_offset, size, stride)
    if metadata:
        # PyTorch's lazy conjugate / negative views are saved as flags over the unchanged storage
        if metadata.get('conj'):
            tensor._data = np.conj(tensor._data)
        if metadata.get('neg'):
            tensor._data = np.negative(tensor._data)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """torch._utils._rebuild_parameter: a Parameter around the saved data (hooks are never saved)."""
    return _parameter_class()(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """torch._utils._rebuild_parameter_with_state: a Parameter that carried Python attributes."""
    parameter = _rebuild_parameter(data, requires_grad, backward_hooks)
    attributes = state[0] if isinstance(state, tuple) else state
    # into __dict__ only: an attribute can't overwrite the tensor's own slots (its data, grad_fn, ...)
    parameter.__dict__.update(attributes or {})
    return parameter


# Everything a checkpoint may name. PyTorch's weights_only unpickler allows the same kinds of things:
# containers, plain values, Size, device, dtypes, storage types and the tensor rebuild functions.
_SAFE_GLOBALS = {
    'collections.OrderedDict': OrderedDict,
    'collections.Counter': Counter,
    '_codecs.encode': codecs.encode,  # protocol 2 pickles bytes as encode(str, 'latin1')
    'torch.Size': Size,
    'torch.device': device,
    'torch._utils._rebuild_tensor': _rebuild_tensor,
    'torch._utils._rebuild_tensor_v2': _rebuild_tensor_v2,
    'torch._utils._rebuild_parameter': _rebuild_parameter,
    'torch._utils._rebuild_parameter_with_state': _rebuild_parameter_with_state,
}
_SAFE_GLOBALS.update({'builtins.' + builtin.__name__: builtin for builtin in (set, complex, bytearray)})
_SAFE_GLOBALS.update({repr(name): dtype for dtype, name in _TORCH_DTYPES.items()})
_SAFE_GLOBALS.update({repr(name): name for name in _DTYPE_OF_STORAGE})


# Modules a weights_only load refuses even when the user allowlisted one of their names, as PyTorch does.
_BLOCKED_MODULES = ('sys', 'os', 'posix', 'nt')

# The globals the user trusts on top of `_SAFE_GLOBALS` (torch.serialization.add_safe_globals): each
# a class or function, or a pair (global, 'module.name') giving the name the checkpoint spells it by.
_user_safe_globals = set()


def add_safe_globals(safe_globals):
    """Mark classes and functions as safe for `load(weights_only=True)`: a checkpoint may then name them.

    Each entry is the global itself (found under its `__module__.__qualname__`) or a pair
    `(global, 'module.name')` for a global the checkpoint names differently.
    """
    global _user_safe_globals
    _user_safe_globals = _user_safe_globals | set(safe_globals)


def get_safe_globals():
    """The globals `add_safe_globals` marked safe, as a list."""
    return list(_user_safe_globals)


def clear_safe_globals():
    """Forget every global `add_safe_globals` marked safe."""
    global _user_safe_globals
    _user_safe_globals = set()


class safe_globals:
    """Context manager: the given globals are safe for `load(weights_only=True)` inside the block only.

    On exit they are removed from the allowlist, even if `add_safe_globals` had added them before, as in
    PyTorch.
    """

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, exc_type, exc_value, traceback):
        global _user_safe_globals
        _user_safe_globals = _user_safe_globals - set(self.safe_globals)


def _user_allowed_globals():
    """`_user_safe_globals` as a mapping from the name a checkpoint uses to the global."""
    allowed = {}
    for entry in _user_safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(entry[1])}")
            allowed[entry[1]] = entry[0]
        else:
            allowed[f'{entry.__module__}.{entry.__qualname__}'] = entry
    return allowed


_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.")


def _weights_only_message(message):
    """PyTorch's wording around a refusal of the weights_only unpickler: for a global that isn't
    allowlisted, the two ways out; otherwise the unsafe way out and a request to file an issue."""
    if 'was not an allowed global by default.' in message:
        wrapped = ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                   "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                   f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
                   "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                   + message)
    else:
        wrapped = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
        if 'is blocked.' not in message:
            wrapped += ("Please file an issue with the following so that we can make `weights_only=True` "
                        "compatible with your use case: WeightsUnpickler error: ")
        wrapped += "\n\n" + message
    return wrapped + ("\n\nCheck the documentation of torch.load to learn more about types accepted by default "
                      "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


class _ProgramError(Exception):
    """Carries an error that is the program's, not the file's, which PyTorch lets through as it is rather
    than calling the file corrupt: the AttributeError of a class the pickle names but the program does
    not define (a whole model saved from a script whose class is gone: "Can't get attribute 'Net' on
    <module '__main__' ...>"), or the ValueError / TypeError of a malformed `add_safe_globals` entry."""


class _CheckpointUnpickler(pickle.Unpickler):
    """Reads a checkpoint's pickle: globals come only from `_SAFE_GLOBALS` (unless weights_only=False),
    and each persistent storage id is read once, with `read_record(key)`, then shared by the tensors
    that view it."""

    def __init__(self, file, read_record, byteorder, map_location, weights_only, **pickle_load_args):
        super().__init__(file, **pickle_load_args)
        self._read_record = read_record  # None: the caller fills `storages` after the pickle is read
        self.byteorder = '<' if byteorder == 'little' else '>'
        self._map_location = map_location
        self._weights_only = weights_only
        self.storages = {}  # key -> (array, storage type)

    def find_class(self, module, name):
        # protocol 2 writes Python 3's builtins under Python 2's module name
        full_name = f"{'builtins' if module == '__builtin__' else module}.{name}"
        found = _SAFE_GLOBALS.get(full_name)
        if found is not None:
            return found
        if self._weights_only:
            if module in _BLOCKED_MODULES:
                raise pickle.UnpicklingError(
                    f"Trying to load unsupported GLOBAL {full_name} whose module {module} is blocked.")
            try:
                found = _user_allowed_globals().get(full_name)
            except (ValueError, TypeError) as error:
                raise _ProgramError(error) from None
            if found is not None:
                return found
            # PyTorch names a builtin without its module: `eval`, not `builtins.eval`
            shown_name = name if module in ('builtins', '__builtin__') else full_name
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {shown_name} was not an allowed global by default. "
                f"Please use `torch.serialization.add_safe_globals([{shown_name}])` or the "
                f"`torch.serialization.safe_globals([{shown_name}])` context manager to allowlist this global "
                "if you trust this class/function.")
        if module == 'torch' or module.startswith('torch.'):
            raise pickle.UnpicklingError(f"ember has no equivalent of {full_name}, which this checkpoint uses")
        try:
            return super().find_class(module, name)  # which maps Python 2's names, e.g. __builtin__.long
        except AttributeError as error:
            raise _ProgramError(error) from None

    def persistent_load(self, pid):
        # ('storage', storage type, key, location, numel), plus a view of part of the storage in the
        # legacy format, which ember reads only when there is none
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == 'storage' and pid[5:] in ((), (None,))):
            raise pickle.UnpicklingError(f"ember can't load the persistent id {pid!r}")
        _, storage_type, key, location, numel = pid[:5]
        found = self.storages.get(key)
        if found is not None:
            return found[0]
        dtype = _DTYPE_OF_STORAGE.get(storage_type) if isinstance(storage_type, _TorchName) else None
        if dtype is None:
            raise pickle.UnpicklingError(f"ember can't load a storage of type {storage_type!r}")
        _check_location(location, self._map_location)
        storage = np.empty(numel, np.float32 if storage_type is _BFLOAT16_STORAGE else dtype)
        self.storages[key] = storage, storage_type
        if self._read_record is not None:
            try:
                memory = self._read_record(key)
            except KeyError:
                raise RuntimeError(f"corrupt checkpoint: the record of storage {key} is missing") from None
            _fill_storage(storage, storage_type, memory, self.byteorder, key)
        return storage


def _fill_storage(storage, storage_type, memory, byteorder, key):
    """Copy a storage's bytes, as the file holds them, into its array."""
    file_dtype = _DTYPE_OF_STORAGE[storage_type].newbyteorder(byteorder)
    if len(memory) != storage.size * file_dtype.itemsize:
        raise RuntimeError(f"corrupt checkpoint: the record of storage {key} has {len(memory)} bytes, "
                           f"expected {storage.size} elements of {file_dtype.itemsize} bytes")
    values = np.frombuffer(memory, file_dtype)
    if storage_type is _BFLOAT16_STORAGE:
        # a bfloat16 is the upper half of a float32
        values = (values.astype(np.uint32) << 16).view(np.float32)
    storage[...] = values  # NumPy swaps the bytes of a file written in the other byte order


def _check_location(location, map_location):
    """ember keeps every tensor on the CPU: a storage bound for another device fails as it does in a
    CPU-only PyTorch build."""
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif isinstance(map_location, (str, device)):
        location = str(map_location)
    elif map_location is not None:
        # PyTorch calls a function map_location(storage, location) with the storage already on the
        # CPU; ember has nowhere else to put it
        location = 'cpu'
    location = str(location)
    if location == 'cpu' or location.startswith('cpu:'):
        return
    if location.startswith('cuda'):
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
            "If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")
    raise RuntimeError(f"ember runs on the CPU only: can't load a storage onto device '{location}'")


# what a damaged data.pkl or record makes pickle, NumPy or zipfile raise; reported as one RuntimeError
_CORRUPTION_ERRORS = (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError, struct.error,
                      zipfile.BadZipFile)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load an object saved by `ember.save` or `torch.save` from a path or a readable binary file object.

    With weights_only=True (the default, as in PyTorch 2.6+) the file can only produce tensors,
    Parameters, containers (dict, OrderedDict, list, tuple, set) and plain values: any other global
    it names raises pickle.UnpicklingError, unless `add_safe_globals` / `safe_globals` allowlisted it.
    Tensors always load onto the CPU; `map_location` is
    accepted for compatibility (a CUDA target fails as in a CPU-only PyTorch), and so are
    `pickle_module` and `mmap`, which change nothing (the file is read into memory).
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, 'rb') as file:
            return _load(file, os.fspath(f), map_location, weights_only is not False, pickle_load_args)
    return _load(f, 'the file object', map_location, weights_only is not False, pickle_load_args)


def _load(file, description, map_location, weights_only, pickle_load_args):
    seekable = getattr(file, 'seekable', None)
    if seekable is None or not seekable():
        file = io.BytesIO(file.read())  # zipfile reads the directory at the end first
    start = file.tell()
    if file.seek(0, io.SEEK_END) == start:
        raise RuntimeError(f"{description} is empty: it is not a checkpoint written by torch.save or ember.save")
    file.seek(start)
    try:
        try:
            archive = zipfile.ZipFile(file)
        except zipfile.BadZipFile:
            file.seek(start)
            return _load_legacy(file, description, map_location, weights_only, pickle_load_args)
        with archive:
            return _load_archive(archive, description, map_location, weights_only, pickle_load_args)
    except pickle.UnpicklingError as error:
        if weights_only:
            raise pickle.UnpicklingError(_weights_only_message(str(error))) from None
        raise
    except _ProgramError as error:
        raise error.args[0] from None
    except _CORRUPTION_ERRORS as error:
        raise RuntimeError(f"{description} is a corrupt checkpoint: {type(error).__name__}: {error}") from error


def _load_archive(archive, description, map_location, weights_only, pickle_load_args):
    """PyTorch's zip format (see the top of this file)."""
    pickle_records = [name for name in archive.namelist() if name.endswith('/data.pkl') and name.count('/') == 1]
    if not pickle_records:
        raise RuntimeError(f"{description} is a zip archive but not a checkpoint: it has no data.pkl record")
    prefix = pickle_records[0][:-len('data.pkl')]
    # files from before the byteorder record were written on little-endian machines
    byteorder = archive.read(prefix + 'byteorder').decode() if prefix + 'byteorder' in archive.NameToInfo \
        else 'little'
    with archive.open(pickle_records[0]) as pickled:
        return _CheckpointUnpickler(pickled, lambda key: archive.read(f'{prefix}data/{key}'), byteorder,
                                    map_location, weights_only, **pickle_load_args).load()


_LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL_VERSION = 1001


def _load_legacy(file, description, map_location, weights_only, pickle_load_args):
    """PyTorch's format before 1.6 (`_use_new_zipfile_serialization=False`): pickles of a magic
    number, the protocol version and the writer's system info, then the object's pickle, then the
    list of storage keys, then each storage as an 8-byte element count and its bytes."""
    def read_plain_pickle():
        # the bookkeeping pickles hold only numbers, strings, lists and dicts: the safe unpickler reads them
        return _CheckpointUnpickler(file, None, 'little', map_location, True).load()

    try:
        magic_number = read_plain_pickle()
    except (pickle.UnpicklingError, *_CORRUPTION_ERRORS):
        magic_number = None
    if magic_number != _LEGACY_MAGIC_NUMBER:
        raise RuntimeError(f"{description} is not a checkpoint written by torch.save or ember.save: it is "
                           "neither a zip archive nor PyTorch's legacy format (Invalid magic number; corrupt file?)")
    if read_plain_pickle() != _LEGACY_PROTOCOL_VERSION:
        raise RuntimeError(f"{description}: unsupported legacy checkpoint protocol version")
    byteorder = 'little' if read_plain_pickle()['little_endian'] else 'big'
    unpickler = _CheckpointUnpickler(file, None, byteorder, map_location, weights_only, **pickle_load_args)
    loaded = unpickler.load()
    # the storages follow the object: the tensors already view their (still empty) arrays
    for key in read_plain_pickle():
        storage, storage_type = unpickler.storages[key]
        numel = int.from_bytes(file.read(8), byteorder)
        if numel != storage.size:
            raise RuntimeError(f"corrupt checkpoint: storage {key} has {numel} elements, expected {storage.size}")
        itemsize = _DTYPE_OF_STORAGE[storage_type].itemsize
        _fill_storage(storage, storage_type, file.read(numel * itemsize), unpickler.byteorder, key)
    return loaded
