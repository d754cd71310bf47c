"""dtypes: PyTorch's names over NumPy's types, and PyTorch's type-promotion rules.

Inside ember a tensor's dtype is its NumPy array's dtype; `ember.float32` and friends are the public
handles a user passes around. Promotion follows PyTorch, which differs from NumPy in two places:
an integer tensor combined with a float Python scalar (or 0-dim float tensor) becomes the *default*
float dtype, and a float tensor beats an integer tensor of any width (int64 + float16 -> float16).
"""
import numpy as np

__all__ = ['dtype', 'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16',
           'int64', 'long', 'int32', 'int', 'int16', 'short', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'bool',
           'complex64', 'cfloat', 'complex128', 'cdouble',
           'set_default_dtype', 'get_default_dtype', 'promote_types', 'result_type', 'can_cast',
           'finfo', 'iinfo']


class dtype:
    """A tensor element type, e.g. `ember.float32`. Compares equal only to itself."""
    __slots__ = ('name', 'numpy_type', 'is_floating_point', 'is_complex', 'is_signed', 'itemsize')
    __module__ = 'ember'  # the public name, as PyTorch's <class 'torch.dtype'>

    def __init__(self, name, numpy_type):
        self.name = name
        self.numpy_type = np.dtype(numpy_type)
        self.is_floating_point = self.numpy_type.kind == 'f'
        self.is_complex = self.numpy_type.kind == 'c'
        self.is_signed = self.numpy_type.kind in 'fic'
        self.itemsize = self.numpy_type.itemsize

    def __repr__(self):
        return 'ember.' + self.name

    def __reduce__(self):
        # dtypes are singletons: unpickle to the same object
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)

    def to_complex(self):
        return {'float32': complex64, 'float64': complex128}.get(self.name, self)


float32 = float = dtype('float32', np.float32)
float64 = double = dtype('float64', np.float64)
float16 = half = dtype('float16', np.float16)
# NumPy has no bfloat16; the name exists so code that mentions it imports, but tensors can't use it.
bfloat16 = dtype('bfloat16', np.float32)
int64 = long = dtype('int64', np.int64)
int32 = int = dtype('int32', np.int32)
int16 = short = dtype('int16', np.int16)
int8 = dtype('int8', np.int8)
uint8 = dtype('uint8', np.uint8)
# PyTorch's "barebones" unsigned types: tensors of them can be made, converted and printed, but few ops
# take them and they promote with no other integer type (see promote_numpy)
uint16 = dtype('uint16', np.uint16)
uint32 = dtype('uint32', np.uint32)
uint64 = dtype('uint64', np.uint64)
bool = dtype('bool', np.bool_)
complex64 = cfloat = dtype('complex64', np.complex64)
complex128 = cdouble = dtype('complex128', np.complex128)

_ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, uint16, uint32, uint64, bool, complex64,
        complex128)
_BY_NUMPY = {d.numpy_type: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL + (bfloat16,)}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(numpy_dtype):
    """The ember dtype of a NumPy dtype; TypeError for types PyTorch has no tensor for."""
    try:
        return _BY_NUMPY[numpy_dtype]
    except KeyError:
        # named by NumPy's scalar type, as PyTorch does: numpy.str_, numpy.object_, numpy.longdouble
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(numpy_dtype).type.__name__}. The only "
                        "supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.") from None


def to_numpy_dtype(d):
    """Accept an ember dtype, a NumPy dtype or a Python type and return the NumPy dtype."""
    if d.__class__ is dtype:
        return d.numpy_type
    if d is builtins_float:  # PyTorch reads Python's float as double, whatever the default dtype
        return np.dtype(np.float64)
    if d is builtins_int:
        return np.dtype(np.int64)
    if d is builtins_bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


import builtins as _builtins  # noqa: E402  (names above shadow float/int/bool on purpose)
builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool

# The default dtype is a one-element list so other modules can read it without a function call.
_default = [float32]


def set_default_dtype(d):
    """Set the dtype of new floating-point tensors (float32 or float64, as in PyTorch)."""
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def get_default_dtype():
    return _default[0]


def _category(np_dtype):
    """0 for bool, 1 for integers, 2 for floats, 3 for complex: PyTorch promotes across categories."""
    return {'b': 0, 'u': 1, 'i': 1, 'f': 2, 'c': 3}[np_dtype.kind]


_BAREBONES_UNSIGNED = frozenset(np.dtype(t) for t in (np.uint16, np.uint32, np.uint64))


def promote_numpy(a, b):
    """PyTorch's promote_types on NumPy dtypes."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if (a in _BAREBONES_UNSIGNED and cb != 2) or (b in _BAREBONES_UNSIGNED and ca != 2):
        # PyTorch promotes uint16/32/64 only with floating-point types
        from ._tensor import _scalar_type_name
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{_scalar_type_name(a)} and {_scalar_type_name(b)}")
    if ca != cb:
        # the higher category wins outright (int64 + float16 -> float16), except that complex
        # absorbs the float's precision
        if ca == 3 and cb == 2 or cb == 3 and ca == 2:
            return np.promote_types(a, b)
        return a if ca > cb else b
    return np.promote_types(a, b)


# the C++ type names that some of PyTorch's messages give a dtype (others give its scalar type: Float, Long)
_CPP_TYPE_NAMES = {'float16': 'c10::Half', 'float32': 'float', 'float64': 'double', 'int64': 'long int',
                   'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
                   'uint16': 'short unsigned int', 'uint32': 'unsigned int', 'uint64': 'long unsigned int',
                   'bool': 'bool', 'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>'}


def cpp_type_name(np_dtype):
    """`float` for float32, `c10::Half` for float16, ...: a NumPy dtype as PyTorch's messages name it."""
    name = np.dtype(np_dtype).name
    return _CPP_TYPE_NAMES.get(name, name)


def promote_types(type1, type2):
    """The smallest dtype both can be converted to, by PyTorch's rules."""
    return _BY_NUMPY[promote_numpy(type1.numpy_type, type2.numpy_type)]


def _scalar_numpy_dtype(value):
    if isinstance(value, _builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(value, _builtins.int):
        return np.dtype(np.int64)
    if isinstance(value, complex):
        return complex64.numpy_type if _default[0] is float32 else complex128.numpy_type
    return _default[0].numpy_type


def result_numpy_dtype(*operands):
    """PyTorch's result_type over tensors and Python numbers, as a NumPy dtype.

    Operands fall in three priority classes: tensors with dimensions, 0-dim tensors, and Python
    numbers. A lower class only matters when it is of a higher *category* (bool < int < float):
    `float32_tensor * float64_scalar_tensor` stays float32, `int_tensor * 2.5` becomes the default
    float dtype.
    """
    dim_result = zero_result = wrapped_result = None
    for x in operands:
        data = getattr(x, '_data', None)
        if data is not None:
            if data.ndim:
                dim_result = data.dtype if dim_result is None else promote_numpy(dim_result, data.dtype)
            else:
                zero_result = data.dtype if zero_result is None else promote_numpy(zero_result, data.dtype)
        elif isinstance(x, np.ndarray):
            dim_result = x.dtype if dim_result is None else promote_numpy(dim_result, x.dtype)
        else:
            d = _scalar_numpy_dtype(x)
            wrapped_result = d if wrapped_result is None else promote_numpy(wrapped_result, d)
    return _combine(dim_result, _combine(zero_result, wrapped_result))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    ch, cl = _category(higher), _category(lower)
    if ch >= cl:
        return higher
    # the lower class wins its category; a float scalar with an int tensor gives the scalar's type
    if ch == 2 and cl == 3:
        return np.promote_types(higher, lower)
    return lower


def result_type(tensor1, tensor2):
    """`ember.result_type`: the dtype an arithmetic op on these operands returns."""
    return _BY_NUMPY[result_numpy_dtype(tensor1, tensor2)]


def can_cast(from_, to):
    """PyTorch's casting rule for in-place ops: no float -> int, no int -> bool, no complex -> real."""
    return _category(from_.numpy_type) <= _category(to.numpy_type)


class finfo:
    """Machine limits of a floating-point dtype (as `torch.finfo`)."""

    def __init__(self, type=None):
        type = type or _default[0]
        info = np.finfo(type.numpy_type)
        self.bits, self.eps, self.max, self.min = info.bits, _builtins.float(info.eps), _builtins.float(info.max), _builtins.float(info.min)
        self.tiny = self.smallest_normal = _builtins.float(info.tiny)
        self.resolution = _builtins.float(info.resolution)
        self.dtype = type.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:e}, max={self.max:e}, eps={self.eps:e}, "
                f"smallest_normal={self.tiny:e}, tiny={self.tiny:e}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (as `torch.iinfo`)."""

    def __init__(self, type):
        info = np.iinfo(type.numpy_type)
        self.bits, self.max, self.min, self.dtype = info.bits, _builtins.int(info.max), _builtins.int(info.min), type.name

    def __repr__(self):
        # PyTorch prints the limits as C++ streams a double: six significant digits
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
