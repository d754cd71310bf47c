"""ember: PyTorch's API on NumPy. `import ember as torch`.

This file only gathers the public names; each lives in the module that defines it.
"""
from . import _allocator  # noqa: F401  (malloc thresholds: see the module)
from ._dtype import (dtype, float32, float, float64, double, float16, half, bfloat16, int64, long, int32, int,
                     int16, short, int8, uint8, bool, complex64, cfloat, complex128, cdouble, set_default_dtype,
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
                      get_num_threads, set_num_threads, typename, is_nonzero)
from .torch_version import __version__
from .serialization import save, load
# The Python Array API constants PyTorch re-exports (`torch.pi` is `math.pi`; `newaxis` indexes like None)
from math import e, inf, nan, pi
newaxis = None
from .backends import (use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                       is_deterministic_algorithms_warn_only_enabled)
from . import nn, optim, utils
from . import linalg
from . import sparse
from . import distributed
from . import backends

__all__ = [name for name in dir() if not name.startswith('_')]
