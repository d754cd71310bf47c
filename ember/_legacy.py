"""The older spellings the course still teaches: `FloatTensor(...)`, `LongTensor(...)`, and small
module-level helpers (`is_tensor`, `numel`, `set_printoptions`, thread counts)."""


from . import _dtype as dtypes
from ._tensor import Tensor


class _LegacyTensorType(type):
    """`FloatTensor(2, 3)` makes a float32 tensor; `isinstance(t, FloatTensor)` checks the dtype."""

    def __call__(cls, *args, **kwargs):
        from ._creation import _legacy_new
        return _legacy_new(Tensor, cls._ember_dtype.numpy_type, args, kwargs)

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
    return False


def is_floating_point(input):
    return input._data.dtype.kind == 'f'


def is_nonzero(input):
    if input._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()))


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


