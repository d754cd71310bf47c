"""The older spellings the course still teaches: `FloatTensor(...)`, `LongTensor(...)`, and small
module-level helpers and settings (`is_tensor`, `numel`, `set_printoptions`, thread counts, matmul
precision, warnings, `set_default_tensor_type`)."""


from . import _dtype as dtypes
from . import _warnings
from ._tensor import Tensor


class _LegacyTensorType(type):
    """`FloatTensor(2, 3)` makes a float32 tensor; `isinstance(t, FloatTensor)` checks the dtype."""

    def __call__(cls, *args, **kwargs):
        from ._creation import _legacy_new
        return _legacy_new(Tensor, cls._ember_dtype.numpy_type, args, kwargs, exact_dtype=True)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._ember_dtype.numpy_type

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_type(name, d):
    return _LegacyTensorType(name, (), {'_ember_dtype': d, 'dtype': d})


FloatTensor = _legacy_type('FloatTensor', dtypes.float32)
DoubleTensor = _legacy_type('DoubleTensor', dtypes.float64)
HalfTensor = _legacy_type('HalfTensor', dtypes.float16)
LongTensor = _legacy_type('LongTensor', dtypes.int64)
IntTensor = _legacy_type('IntTensor', dtypes.int32)
ShortTensor = _legacy_type('ShortTensor', dtypes.int16)
CharTensor = _legacy_type('CharTensor', dtypes.int8)
ByteTensor = _legacy_type('ByteTensor', dtypes.uint8)
BoolTensor = _legacy_type('BoolTensor', dtypes.bool)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_storage(obj):
    from .storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


def is_floating_point(input):
    return input._data.dtype.kind == 'f'


def numel(input):
    return input._data.size


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__name__


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Change how tensors print (digits, summarisation threshold, line width, scientific notation)."""
    from ._tensor_str import set_printoptions as _set
    _set(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
         profile=profile, sci_mode=sci_mode)


_num_threads = [None]


def get_num_threads():
    """The number of threads NumPy's BLAS uses (as far as ember can tell)."""
    if _num_threads[0] is None:
        try:
            from threadpoolctl import threadpool_info
            _num_threads[0] = max((p['num_threads'] for p in threadpool_info()), default=1)
        except ImportError:
            import os
            _num_threads[0] = os.cpu_count() or 1
    return _num_threads[0]


def set_num_threads(n):
    """Limit BLAS threads (needs threadpoolctl; otherwise only recorded)."""
    _num_threads[0] = int(n)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(int(n))
    except ImportError:
        pass




_num_interop_threads = [None]


def get_num_interop_threads():
    """Threads for running independent ops side by side: ember runs one op at a time, PyTorch defaults
    to the number of cores."""
    if _num_interop_threads[0] is None:
        import os
        _num_interop_threads[0] = os.cpu_count() or 1
    return _num_interop_threads[0]


def set_num_interop_threads(n):
    """Only recorded: ember runs one op at a time."""
    if int(n) <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    _num_interop_threads[0] = int(n)


_FLOAT32_MATMUL_PRECISIONS = ('highest', 'high', 'medium')
_float32_matmul_precision = ['highest']


def get_float32_matmul_precision():
    return _float32_matmul_precision[0]


def set_float32_matmul_precision(precision):
    """Allow faster, less precise float32 matmuls ('high', 'medium'). Recorded only: NumPy's BLAS always
    computes in full float32, which is what 'highest' means."""
    if precision not in _FLOAT32_MATMUL_PRECISIONS:
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _float32_matmul_precision[0] = precision


def set_flush_denormal(mode):
    """Whether flushing denormal floats to zero could be turned on: NumPy has no such mode, so never."""
    return False


def set_warn_always(b):
    """Repeat the warnings PyTorch gives once per process (e.g. TypedStorage's deprecation) every time."""
    _warnings.warn_always = bool(b)


def is_warn_always_enabled():
    return _warnings.warn_always


_DEBUG_MODES = ('default', 'warn', 'error')


def set_deterministic_debug_mode(debug_mode):
    """`use_deterministic_algorithms` by level: 'default' (0) off, 'warn' (1) on with warnings only,
    'error' (2) on."""
    from .backends import use_deterministic_algorithms
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    elif debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    from .backends import are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def set_default_tensor_type(t):
    """Deprecated: `set_default_tensor_type(ember.DoubleTensor)` is `set_default_dtype(ember.float64)`."""
    import warnings
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if isinstance(t, str):
        legacy = {cls.__name__: cls for cls in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                                ShortTensor, CharTensor, ByteTensor, BoolTensor)}
        name = t.split('.')[-1]
        if not t.startswith(('torch.', 'ember.')) or name not in legacy or '.cuda.' in t:
            reason = " Torch not compiled with CUDA enabled." if '.cuda.' in t else ""
            raise TypeError(f"type {t} not available.{reason}")
        t = legacy[name]
    if not isinstance(t, _LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if not t._ember_dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.set_default_dtype(t._ember_dtype)
