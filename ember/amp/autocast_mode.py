"""`torch.autocast`: regions where PyTorch runs eligible ops (matmul, linear, conv...) in a lower precision.

ember keeps the bookkeeping PyTorch shows (`is_autocast_enabled`, `get_autocast_dtype`, nesting, the
warnings that disable autocast on a CPU-only build) but runs every op in the region in float32: it has
no per-op cast lists, and NumPy has no bfloat16. Entering an enabled region says so once.
"""
import functools
import warnings

from .._dtype import bfloat16, float16
from ..cuda import device

__all__ = ['autocast', 'is_autocast_available', 'is_autocast_enabled', 'get_autocast_dtype',
           'set_autocast_enabled', 'set_autocast_dtype', 'custom_fwd', 'custom_bwd']

# per device type: is autocast on, and the dtype it would cast to (PyTorch's defaults)
_enabled = {'cpu': False, 'cuda': False, 'mps': False}
_dtype = {'cpu': bfloat16, 'cuda': float16, 'mps': float16}
_told_float32 = False


def is_autocast_available(device_type):
    """Whether autocast knows `device_type` (CUDA counts even on a CPU-only build, as in PyTorch)."""
    return device(device_type).type in _enabled


def is_autocast_enabled(device_type=None):
    """Whether an enabled autocast region is active; without an argument, for CUDA (PyTorch's default)."""
    return _enabled['cuda' if device_type is None else device_type]


def set_autocast_enabled(device_type, enabled):
    _enabled[device_type] = enabled


def get_autocast_dtype(device_type):
    return _dtype[device_type]


def set_autocast_dtype(device_type, dtype):
    _dtype[device_type] = dtype


def _say_float32_once(dtype):
    global _told_float32
    if not _told_float32:
        _told_float32 = True
        warnings.warn(f"autocast(device_type='cpu', dtype={dtype}) is enabled, but ember runs every op in the "
                      "region in float32 (it has no per-op cast lists, and NumPy has no bfloat16): outputs are "
                      "float32 where PyTorch's would be reduced precision.", UserWarning, stacklevel=3)


class autocast:
    """`with torch.autocast(device_type, dtype=None, enabled=True):` or `@torch.autocast(...)`."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == 'cuda':
                # a CPU-only PyTorch build turns CUDA autocast off rather than failing
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
                enabled = False
            elif self.fast_dtype not in (bfloat16, float16):
                name = device_type.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                              f"{name} Autocast only supports dtypes of {bfloat16}, {float16} currently.",
                              stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        if self._enabled and self.device == 'cpu':
            _say_float32_once(self.fast_dtype)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorated


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's `forward`; ember never casts, so it runs `forward` unchanged."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's `backward`; see `custom_fwd`."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


class _DeviceAutocast(autocast):
    """Base of the deprecated `torch.cuda.amp.autocast` and `torch.cpu.amp.autocast`: autocast bound to
    the subclass's `device_type`, with that device's default dtype."""
    device_type = None
    default_dtype = None

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn(f"`torch.{self.device_type}.amp.autocast(args...)` is deprecated. "
                      f"Please use `torch.amp.autocast('{self.device_type}', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__(self.device_type, dtype=self.default_dtype if dtype is None else dtype, enabled=enabled,
                         cache_enabled=cache_enabled)
