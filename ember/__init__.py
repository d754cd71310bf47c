"""ember: PyTorch's API on NumPy. `import ember as torch`.

This file only gathers the public names; each lives in the module that defines it.
"""
from . import _allocator  # noqa: F401  (malloc thresholds: see the module)
from ._dtype import (dtype, float32, float, float64, double, float16, half, bfloat16, int64, long, int32, int,
                     int16, short, int8, uint8, uint16, uint32, uint64, bool, complex64, cfloat, complex128, cdouble,
                     set_default_dtype,
                     get_default_dtype, promote_types, result_type, can_cast, finfo, iinfo)
from ._size import Size
from ._tensor import Tensor
from ._ops import *  # noqa: F401,F403
from ._ops import flatten as ravel  # noqa: F401  (see Tensor.ravel)
from ._ops.conversion import memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d
from ._creation import *  # noqa: F401,F403
from ._sparse import sparse_coo, sparse_coo_tensor
from .random import manual_seed, seed, initial_seed, get_rng_state, set_rng_state, Generator, default_generator
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
                                 is_inference_mode_enabled)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled
from .cuda import device
from . import autograd, cuda, cpu, amp, random, version
from .amp.autocast_mode import autocast, is_autocast_enabled, get_autocast_dtype
from . import return_types
from ._legacy import (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor,
                      ByteTensor, BoolTensor, is_tensor, is_storage, is_floating_point, numel, set_printoptions,
                      get_num_threads, set_num_threads, typename, get_num_interop_threads, set_num_interop_threads,
                      get_float32_matmul_precision, set_float32_matmul_precision, set_flush_denormal, set_warn_always,
                      is_warn_always_enabled, set_deterministic_debug_mode, get_deterministic_debug_mode,
                      set_default_tensor_type)
from ._tensor_functions import *  # noqa: F401,F403  (torch.abs_(x), torch.detach(x), ...)
from . import storage
from .storage import (UntypedStorage, TypedStorage, FloatStorage, DoubleStorage, HalfStorage, LongStorage, IntStorage,
                      ShortStorage, CharStorage, ByteStorage, BoolStorage, ComplexFloatStorage, ComplexDoubleStorage)
from .torch_version import __version__
from .serialization import save, load
# The Python Array API constants PyTorch re-exports (`torch.pi` is `math.pi`; `newaxis` indexes like None)
from math import e, inf, nan, pi
newaxis = None
from .backends import (use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                       is_deterministic_algorithms_warn_only_enabled)
from . import nn, optim, utils
from . import linalg
from ._foreach import *  # noqa: F401,F403  (torch._foreach_add_(tensors, ...) and the rest)
from ._lowrank import svd_lowrank, pca_lowrank
from . import special
from . import sparse
from . import distributed
from . import backends
from . import compiler
from . import _dynamo
from .compiler import compile

# Subpackages a script may never touch are imported on first use (`ember.distributions.Normal` works
# after `import ember` all the same): together they would add about a third to `import ember`.
_LAZY_SUBMODULES = ('distributions', 'fft', 'func', 'testing', 'signal', 'hub', 'profiler')
_LAZY_ATTRIBUTES = {'vmap': 'func'}


def __getattr__(name):
    import importlib
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f'{__name__}.{name}')
    if name in _LAZY_ATTRIBUTES:
        return getattr(importlib.import_module(f'{__name__}.{_LAZY_ATTRIBUTES[name]}'), name)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


__all__ = [name for name in dir() if not name.startswith('_')] + list(_LAZY_SUBMODULES) + list(_LAZY_ATTRIBUTES)


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_ATTRIBUTES))
