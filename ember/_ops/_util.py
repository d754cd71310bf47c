"""The few helpers every op uses: recording a graph node, wrapping a NumPy result, promoting the
operands of a binary op, normalising `dim` arguments. Ops call these; nothing else does."""
import functools
import numbers

import numpy as np

from .. import _dtype as dtypes
from .. import _warnings
from .._tensor import Tensor, _refuse_inplace_on_inference, _wrap_dim
from ..autograd.grad_mode import GradMode

wrap = Tensor._wrap
wrap_dim = _wrap_dim


def record(node_class, *inputs):
    """A new `node_class` node for `inputs` if autograd must record this op, else None."""
    if GradMode.enabled:
        for x in inputs:
            if isinstance(x, Tensor) and x._requires_grad:
                return node_class(*inputs)
    return None


def record_any(node_class, inputs):
    """`record` for ops with a list of tensor inputs (cat, stack, einsum)."""
    if GradMode.enabled:
        for x in inputs:
            if getattr(x, '_requires_grad', False):
                return node_class(*inputs)
    return None


def result(data, node=None):
    """Wrap an op's NumPy result, attached to `node` when the op was recorded."""
    # a ufunc on 0-d arrays returns a NumPy scalar, which is immutable: keep tensors on arrays
    return wrap(data if data.__class__ is np.ndarray else np.asarray(data), node)


# NumPy warns when a float result overflows or is invalid (1e38 * 10 in float32, inf - inf); PyTorch
# never does. `np.errstate` costs microseconds per use, so the hot arithmetic ops set NumPy's
# error-state context variable directly, which is all that errstate does inside.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _numpy_error_state, _make_extobj
    _QUIET = _make_extobj(all='ignore')
except ImportError:  # NumPy 1.x keeps its error state elsewhere
    _numpy_error_state = None


_SAME_SIZE_INTEGER = {4: np.int32, 8: np.int64}


def select(values, mask, out=None):
    """`values` where the bool array `mask` holds, +0 elsewhere -- even where `values` is inf or NaN, as
    PyTorch's backwards select a gradient rather than multiply it by a 0/1 mask (0 * inf is NaN).
    np.where does this but is ~8x slower than a multiply on random masks (a branch per element); for
    float32/float64 of the mask's shape this is a bitwise AND with all-ones or all-zeros words (~1.4x a
    multiply), written into `out` when given."""
    integer = _SAME_SIZE_INTEGER.get(values.dtype.itemsize) if values.dtype.kind == 'f' else None
    if integer is None or values.shape != mask.shape or not mask.ndim:  # (0-d: NumPy hands back scalars)
        selected = np.where(mask, values, values.dtype.type(0))
        if out is None:
            return selected
        out[...] = selected
        return out
    words = mask.astype(integer)
    np.negative(words, out=words)  # True -> all ones, False -> 0
    if out is None:
        return np.bitwise_and(words, values.view(integer), out=words).view(values.dtype)
    np.bitwise_and(words, values.view(integer), out=out.view(integer))
    return out


def quietly(function, *args):
    """`function(*args)` (a ufunc, or a function of several NumPy calls) without NumPy's
    floating-point warnings."""
    if _numpy_error_state is None:
        with np.errstate(all='ignore'):
            return function(*args)
    token = _numpy_error_state.set(_QUIET)
    try:
        return function(*args)
    finally:
        _numpy_error_state.reset(token)


def results(arrays, node):
    """Wrap the outputs of a multi-output op (split, unbind, ...), output_nr 0, 1, 2, ..."""
    outs = []
    for i, data in enumerate(arrays):
        t = wrap(data)
        if node is not None:
            t.grad_fn = node
            t._requires_grad = True
            t._output_nr = i
        outs.append(t)
    return outs


def write_out(out, value):
    """Implement `out=`: resize `out` to the result's shape and store the result in it."""
    if out is None:
        return value
    if out.is_inference() and not GradMode.inference:  # writing into `out` is an in-place update of it
        _refuse_inplace_on_inference()
    if out._requires_grad and GradMode.enabled and (value._requires_grad or out.grad_fn is None):
        raise RuntimeError(f"{'out='} arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    data = value._data
    if out._data.shape != data.shape:
        if out._data.size:
            _warnings.warn(f"An output with one or more elements was resized since it had shape "
                           f"{list(out._data.shape)}, which does not match the required output shape "
                           f"{list(data.shape)}. This behavior is deprecated, and in a future PyTorch release "
                           "outputs will not be resized unless they have zero elements. You can explicitly reuse an "
                           "out tensor t by resizing it, inplace, to zero elements with t.resize_(0).")
        out._data = np.empty(data.shape, dtype=out._data.dtype)
    if out._data.dtype != data.dtype and not dtypes._category(data.dtype) <= dtypes._category(out._data.dtype):
        raise RuntimeError(f"result type {data.dtype} can't be cast to the desired output type {out._data.dtype}")
    out._data[...] = data
    out._version_counter[0] += 1
    return out


def to_array(x, dtype=None):
    """A NumPy array for a Tensor, a NumPy array or a Python number/list."""
    if isinstance(x, Tensor):
        data = x._data
    elif isinstance(x, np.ndarray):
        data = x
    else:
        data = np.asarray(x, dtype=dtype if dtype is not None else _python_value_dtype(x))
    if dtype is not None and data.dtype != dtype:
        data = data.astype(dtype)
    return data


def _python_value_dtype(x):
    if isinstance(x, bool):
        return np.bool_
    if isinstance(x, numbers.Integral):
        return np.int64
    if isinstance(x, numbers.Real):
        return dtypes._default[0].numpy_type
    return None


def as_tensor_arg(x, like=None):
    """Turn a Python number (or array) argument into a tensor; tensors pass through."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)):
        return wrap(np.asarray(x, dtype=dtypes.result_numpy_dtype(like, x)))
    return wrap(to_array(x))


def binary_operands(input, other):
    """The NumPy operands of a binary op, cast to PyTorch's promoted result type.

    Python numbers stay Python numbers when NumPy's own (NEP 50) rules already give PyTorch's
    answer, so `float32_tensor * 2.5` costs no conversion at all.
    """
    if not isinstance(input, Tensor):
        input = as_tensor_arg(input, other if isinstance(other, Tensor) else None)
    a = input._data
    if isinstance(other, Tensor):
        b = other._data
        if a.dtype == b.dtype:
            return a, b
        if b.dtype == np.bool_ and a.dtype.kind in 'fc':
            # a bool mask (`grad * (x > 0)`) needs no cast: NumPy's ufunc loop converts it as it
            # goes, to the float dtype PyTorch's promotion gives too
            return a, b
        target = dtypes.result_numpy_dtype(input, other)
        return (a if a.dtype == target else a.astype(target)), (b if b.dtype == target else b.astype(target))
    kind = a.dtype.kind
    cls = other.__class__
    if cls is float:
        if kind in 'fc':
            return a, other
        return a.astype(dtypes._default[0].numpy_type), other
    if cls is int:
        if kind == 'b':
            return a.astype(np.int64), other
        if kind in 'iu' and not _fits(other, a.dtype):
            # NumPy refuses out-of-range Python ints; PyTorch wraps them like C does
            return a, np.array(other).astype(a.dtype)
        return a, other
    if cls is bool:
        return a, other
    if cls is complex:
        # a real tensor becomes complex: of its own precision for floats (float64 + 1j is complex128),
        # the default complex dtype otherwise
        target = dtypes.result_numpy_dtype(input, other)
        return (a if a.dtype == target else a.astype(target)), other
    if isinstance(other, np.ndarray) or isinstance(other, np.generic):
        other_t = wrap(np.asarray(other)) if isinstance(other, np.ndarray) else other.item()
        return binary_operands(input, other_t)
    if isinstance(other, numbers.Number):
        return binary_operands(input, complex(other) if isinstance(other, complex) else
                               (float(other) if not isinstance(other, numbers.Integral) else int(other)))
    raise TypeError(f"unsupported operand type for a tensor operation: '{type(other).__name__}'")


def _fits(value, np_dtype):
    info = np.iinfo(np_dtype)
    return info.min <= value <= info.max


def broadcast_error(shape_a, shape_b):
    """PyTorch's message for shapes that don't broadcast, naming the first dimension that fails."""
    a, b = list(shape_a), list(shape_b)
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                                f"at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast together")


def shape_of(x):
    return x._data.shape if isinstance(x, Tensor) else np.shape(x)


def default_float(data):
    """Integers and bools become the default float dtype (true division, sqrt, exp, ... do this)."""
    if data.dtype.kind in 'fc':
        return data
    return data.astype(dtypes._default[0].numpy_type)


def reduce_dims(dim, ndim):
    """Normalise a reduction's `dim` (None, an int, or a sequence of ints) to a tuple or None."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        repeated = next(d for i, d in enumerate(dims) if d in dims[:i])  # (PyTorch names the first one it meets again)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return dims if dims else None


def numpy_dtype(d):
    """The NumPy dtype for a `dtype=` argument (None stays None)."""
    return None if d is None else dtypes.to_numpy_dtype(d)


def sizes_from_args(size, function_name='empty', position=1):
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(ember.Size([2, 3]))` all mean shape (2, 3). Anything else
    (a float size is a common mistake: `nn.Conv2d(16, 16 / 4, 1)`) gets the TypeError of PyTorch's argument
    parser, which names the function and the position of its `size` argument."""
    where = f"{function_name}(): argument 'size'"
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif size and (not _is_int(size[0]) or isinstance(size[0], (bool, np.bool_))):
        if len(size) == 1:  # one argument that is neither a size nor a sequence of sizes
            raise TypeError(f"{where} (position {position}) must be tuple of ints, not {_type_name(size[0])}")
        raise TypeError(f"{function_name}() takes {position} positional argument but {len(size)} were given")
    for i, s in enumerate(size):
        if _is_int(s) and not (i == 0 and isinstance(s, (bool, np.bool_))):  # (a bool is a size, but not first)
            continue
        if i == 0:  # the first element decides whether the argument is a tuple of ints at all
            raise TypeError(f"{where} (position {position}) must be tuple of ints, but found element of type "
                            f"{_type_name(s)} at pos 0")
        raise TypeError(f'{where} failed to unpack the object at pos {i + 1} with error "type must be tuple of '
                        f'ints,but got {_type_name(s)}"')
    shape = tuple(int(s) for s in size)
    if shape and min(shape) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    return shape


def _is_int(value):
    """Whether PyTorch reads `value` as an int: Python and NumPy ints and bools, one-element integer tensors."""
    if isinstance(value, Tensor):
        return value._data.size == 1 and value._data.dtype.kind in 'biu'
    return isinstance(value, (int, np.integer, np.bool_))


def _type_name(value):
    """A type as PyTorch's messages name it: C types by their qualified name (`numpy.float64`)."""
    name = type(value).__name__
    return f"numpy.{name}" if isinstance(value, np.generic) else name


# Where the input equals a number bound, PyTorch's clamp, relu, relu6 and hardtanh give the input,
# which decides the sign of a zero result: relu(-0.) is -0. NumPy's maximum and minimum leave the
# choice between equal operands to the loop: its vectorised float32/float64 loops on x86 give the
# second operand, its float16 loop the first. Which order keeps the first is probed once per ufunc and
# dtype, over a length that runs both a vector loop and its scalar tail. (Between two tensors
# PyTorch's maximum is not consistent itself: its vectorised loop gives the second operand, its last
# few elements the first. ember keeps NumPy's choice there.)
@functools.cache
def swaps_operands(ufunc, dtype):
    """Whether `ufunc` (np.maximum or np.minimum) must be given its operands in reverse order to
    return the first of two equal operands for `dtype`."""
    if dtype.kind != 'f':
        return False  # equal integers are one value
    negative_zero, zero = np.full(37, -0.0, dtype), np.zeros(37, dtype)
    return not np.signbit(ufunc(negative_zero, zero)).all() and bool(np.signbit(ufunc(zero, negative_zero)).all())


def ordered_maximum(first, second, out=None):
    """np.maximum(first, second) that keeps `first` where the two are equal, as PyTorch does
    (`first` is an array; `second` an array or a number of its dtype's kind)."""
    if swaps_operands(np.maximum, first.dtype):
        return np.maximum(second, first, out=out)
    return np.maximum(first, second, out=out)


def ordered_minimum(first, second, out=None):
    """np.minimum(first, second) that keeps `first` where the two are equal, as PyTorch does."""
    if swaps_operands(np.minimum, first.dtype):
        return np.minimum(second, first, out=out)
    return np.minimum(first, second, out=out)


def check_tensor_arguments(op_name, **arguments):
    """PyTorch's argument parser's TypeError for a tensor argument given something else (a NumPy
    array, a list); None is accepted only for `bias`."""
    for position, (name, value) in enumerate(arguments.items(), start=1):
        if not isinstance(value, Tensor) and not (name == 'bias' and value is None):
            kind = type(value)
            kind_name = kind.__name__ if kind.__module__ == 'builtins' else f"{kind.__module__}.{kind.__qualname__}"
            raise TypeError(f"{op_name}(): argument '{name}' (position {position}) must be Tensor, not {kind_name}")
