"""`ember.cuda` and `ember.device`: ember runs on the CPU only. Asking for CUDA fails the way a
CPU-only PyTorch build fails, with its messages. The `meta` device, which holds shapes and dtypes but
no values, is here too (`_MetaArray`)."""

from collections import OrderedDict

import numpy as np

__all__ = ['device', 'is_available', 'device_count', 'manual_seed', 'manual_seed_all', 'seed', 'seed_all',
           'initial_seed', 'FloatTensor', 'DoubleTensor', 'LongTensor', 'IntTensor', 'ByteTensor', 'BoolTensor',
           'HalfTensor', 'synchronize', 'empty_cache', 'current_device', 'set_device', 'get_device_name',
           'get_device_capability', 'get_device_properties', 'is_initialized', 'init', 'is_bf16_supported',
           'get_arch_list', 'memory_allocated', 'max_memory_allocated', 'memory_reserved', 'max_memory_reserved',
           'memory_stats', 'reset_peak_memory_stats', 'amp']


class device:
    """A device handle: `ember.device('cpu')`. CUDA devices can be named but not used."""
    __slots__ = ('type', 'index')
    __module__ = 'ember'  # the public name, as PyTorch's <class 'torch.device'>

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        type = str(type)
        if ':' in type:
            type, idx = type.split(':', 1)
            index = int(idx)
        if type not in ('cpu', 'cuda', 'mps', 'meta'):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        # `with ember.device('meta'):` makes it the device factory functions use, as in PyTorch
        from .. import _creation
        _device_context_stack.append(_creation._default_device[0])
        _creation._default_device[0] = self
        return self

    def __exit__(self, *exc):
        from .. import _creation
        _creation._default_device[0] = _device_context_stack.pop()
        return False


# the default devices that `with device(...)` blocks replaced, innermost last
_device_context_stack = []


class _MetaArray(np.ndarray):
    """The memory of a tensor on the `meta` device: a shape and a dtype, no values. It is one element
    seen through zero strides, so a meta model of any size costs nothing; NumPy hands the subclass on
    through views and ufuncs, so what is computed from a meta tensor is a meta tensor too (its shape
    right, its values meaningless). Reading values out fails as PyTorch fails."""

    def item(self, *args):
        raise RuntimeError("Tensor.item() cannot be called on meta tensors")

    def tolist(self):
        raise NotImplementedError("Cannot copy out of meta tensor; no data!")


def meta_array(shape, dtype):
    """The memory of a new meta tensor of this shape and dtype (writable: in-place ops write into the
    one element, as initialising a meta parameter does nothing in PyTorch)."""
    element = np.zeros(1, dtype)
    return np.lib.stride_tricks.as_strided(element, tuple(shape), (0,) * len(shape), writeable=True) \
        .view(_MetaArray)


def is_meta_array(data):
    return data.__class__ is _MetaArray


def _cuda_unavailable():
    return AssertionError("Torch not compiled with CUDA enabled")


def _device_type(d, meta_allowed=True):
    """'cpu' or 'meta' for the device `d` names in any spelling; CUDA raises PyTorch's CPU-build error."""
    if isinstance(d, int):
        raise _cuda_unavailable()
    t = device(d).type
    if t == 'cpu' or (t == 'meta' and meta_allowed):
        return t
    if t == 'cuda':
        raise _cuda_unavailable()
    if t == 'meta':
        raise RuntimeError("ember makes meta tensors in factory functions (device='meta'), nn.Module.to('meta') "
                           "and `with ember.device('meta')` only; this operation cannot move a tensor there")
    raise RuntimeError(f"ember runs on the CPU only; device '{d}' is not available")


def _check_device(d):
    """Accept the CPU in any spelling; anything else raises PyTorch's CPU-build error."""
    _device_type(d, meta_allowed=False)


def is_available():
    return False


def device_count():
    return 0


def _missing_binding(name):
    # PyTorch's CPU build has no CUDA bindings in torch._C: a few helpers reach for one and fail this way
    return AttributeError(f"module 'torch._C' has no attribute '{name}'")


def _device_index(d):
    """The CUDA device number `d` names (an int, 'cuda:1', device('cuda', 1)), checked as PyTorch checks it."""
    if isinstance(d, int):
        return d
    if isinstance(d, str):
        d = device(d)
    if isinstance(d, device):
        if d.type != 'cuda':
            raise ValueError(f"Expected a cuda device, but got: {d}")
        if d.index is not None:
            return d.index
    raise ValueError(f"Expected a torch.device with a specified index or an integer, but got:{d}")


def is_initialized():
    return False


def init():
    raise _cuda_unavailable()


def current_device():
    raise _cuda_unavailable()


def set_device(device):
    """A negative index is a no-op; any other device needs CUDA."""
    if _device_index(device) >= 0:
        raise _missing_binding('_cuda_setDevice')


def get_device_properties(device=None):
    raise _cuda_unavailable()


def get_device_name(device=None):
    raise _cuda_unavailable()


def get_device_capability(device=None):
    raise _cuda_unavailable()


def is_bf16_supported(including_emulation=True):
    return False


def get_arch_list():
    return []


def manual_seed(seed):
    """Seeding CUDA is a silent no-op on a CPU build, as in PyTorch."""


manual_seed_all = manual_seed


def seed():
    """A no-op on a CPU build, as in PyTorch."""


seed_all = seed


def initial_seed():
    raise _cuda_unavailable()


def synchronize(device=None):
    raise _cuda_unavailable()


# The memory counters read an allocator that was never started: PyTorch reports zero (an empty dict)
def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def memory_stats(device=None):
    return OrderedDict()


def reset_peak_memory_stats(device=None):
    raise _missing_binding('_cuda_resetPeakMemoryStats')


def empty_cache():
    pass


class _CudaTensorType(type):
    def __call__(cls, *args, **kwargs):
        raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled.")


FloatTensor = _CudaTensorType('FloatTensor', (), {})
DoubleTensor = _CudaTensorType('DoubleTensor', (), {})
HalfTensor = _CudaTensorType('HalfTensor', (), {})
LongTensor = _CudaTensorType('LongTensor', (), {})
IntTensor = _CudaTensorType('IntTensor', (), {})
ByteTensor = _CudaTensorType('ByteTensor', (), {})
BoolTensor = _CudaTensorType('BoolTensor', (), {})

from . import amp  # noqa: E402  (torch.cuda.amp; it needs the names above)
