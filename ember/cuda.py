"""`ember.cuda` and `ember.device`: ember runs on the CPU only. Asking for CUDA fails the way a
CPU-only PyTorch build fails, with its messages."""

__all__ = ['device', 'is_available', 'device_count', 'manual_seed', 'manual_seed_all', 'FloatTensor',
           'DoubleTensor', 'LongTensor', 'IntTensor', 'ByteTensor', 'BoolTensor', 'HalfTensor',
           'synchronize', 'empty_cache', 'current_device']


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
        return self

    def __exit__(self, *exc):
        return False


def _cuda_unavailable():
    return AssertionError("Torch not compiled with CUDA enabled")


def _check_device(d):
    """Accept the CPU in any spelling; anything else raises PyTorch's CPU-build error."""
    if isinstance(d, int):
        raise _cuda_unavailable()
    t = device(d).type
    if t != 'cpu':
        if t == 'cuda':
            raise _cuda_unavailable()
        raise RuntimeError(f"ember runs on the CPU only; device '{d}' is not available")


def is_available():
    return False


def device_count():
    return 0


def current_device():
    raise _cuda_unavailable()


def manual_seed(seed):
    """Seeding CUDA is a silent no-op on a CPU build, as in PyTorch."""


manual_seed_all = manual_seed


def synchronize(device=None):
    raise _cuda_unavailable()


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
