"""torch._foreach_*: one op applied to every tensor of a list, the form optimizers and EMA code use
to update all parameters in one call (`torch._foreach_lerp_(ema_params, params, 1 - decay)`).

On GPUs PyTorch fuses each into a multi-tensor kernel for speed; on the CPU its "slow" kernels loop over
the per-tensor op, and so does ember: each function here is a loop over the Tensor method it is named
after, whose values, dtypes, errors and autograd it therefore shares. As in PyTorch 2.13,
`_foreach_op(tensors, ...)` returns a tuple of new tensors, and `_foreach_op_(tensors, ...)` updates
the tensors in place and returns the list it was given.

The argument after the tensors of a binary op is, as in PyTorch's overloads, one of
    a number                         the same for every tensor           (.Scalar)
    a list of numbers                one per tensor                      (.ScalarList)
    a list of tensors                one per tensor                      (.List)
    a 0-d tensor                     the same for every tensor           (.Tensor)
addcmul/addcdiv's `value` may also be a 1-d tensor holding one number per tensor.
"""
import numbers

from ._tensor import Tensor, _scalar_type_name
from .linalg import vector_norm
from ._ops.elementwise import pow as _pow

__all__ = []


# ---- checking and spreading the arguments -----------------------------------------------------------
def _check_tensor_list(function, tensors, argument='self', position=1):
    if not isinstance(tensors, (list, tuple)) or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"{function}(): argument '{argument}' (position {position}) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    if argument == 'self' and len(tensors) == 0:
        raise RuntimeError("Tensor list must have at least one tensor.")


def _per_tensor(function, tensors, other, position=2, scalar_tensor=True):
    """`other` spread over `tensors`: one value for each (see the module docstring). `scalar_tensor`:
    whether the op has PyTorch's .Tensor overload (a 1-d tensor is then refused at run time rather
    than by the argument parser)."""
    count = len(tensors)
    if isinstance(other, Tensor):
        if other.dim() != 0:
            if not scalar_tensor:
                raise TypeError(f"{function}(): argument 'other' (position {position}) must be tuple of Tensors, "
                                "not Tensor")
            raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {other.dim()} dimensions and "
                               f"{other.numel()} elements.")
        return [other] * count
    if isinstance(other, numbers.Number):
        return [other] * count
    if not isinstance(other, (list, tuple)):
        raise TypeError(f"{function}(): argument {position} must be a Number, a tuple of Scalars or a tuple of "
                        f"Tensors, not {type(other).__name__}")
    if any(isinstance(value, Tensor) for value in other):
        for index, value in enumerate(other):
            if not isinstance(value, Tensor):
                raise TypeError(f"expected Tensor as element {index} in argument {position - 1}, but got "
                                f"{type(value).__name__}")
        return list(_same_length(tensors, other))
    if len(other) != count:
        raise RuntimeError("Tensor list must have same number of elements as scalar list.")
    return list(other)


def _packed_scalars(function, tensors, scalars):
    """addcmul/addcdiv's `value`: a number, a list of numbers, or a 1-d tensor of one number per tensor."""
    if isinstance(scalars, Tensor):
        if scalars.dim() != 1:
            raise RuntimeError(f"Expected packed scalar Tensor to be of dimension 1. Got {scalars.dim()} instead.")
        if scalars.numel() != len(tensors):
            raise RuntimeError(f"Expected length of scalars to match input of length {len(tensors)} but got "
                               f"{scalars.numel()} instead.")
        return scalars.tolist()
    return _per_tensor(function, tensors, scalars, position=4)


def _same_length(tensors, others):
    if len(others) != len(tensors):
        raise RuntimeError(f"Tensor lists must have the same number of tensors, got {len(tensors)} and "
                           f"{len(others)}")
    return others


# ---- the argument forms, each spread to one (args, kwargs) per tensor ----------------------------------
def _no_arguments(function, self):
    return [((), {})] * len(self)


def _binary(function, self, other=None, *, alpha=None, scalar=None, scalars=None, scalar_tensor=True):
    # PyTorch names the second argument after the overload: other, scalar or scalars
    given = [value for value in (other, scalar, scalars) if value is not None]
    if len(given) != 1:
        raise TypeError(f"{function}() takes the tensors and one other argument (got {len(given)})")
    others = _per_tensor(function, self, given[0], scalar_tensor=scalar_tensor)
    if alpha is None:
        return [((value,), {}) for value in others]
    if not isinstance(others[0], Tensor):
        # as in PyTorch, whose .Scalar and .ScalarList overloads have no alpha
        raise TypeError(f"{function}() received an invalid combination of arguments: alpha is only accepted "
                        "with a tensor or a list of tensors")
    return [((value,), {'alpha': alpha}) for value in others]


def _binary_without_tensor(function, self, other=None, **kwargs):
    return _binary(function, self, other, scalar_tensor=False, **kwargs)


def _exponent(function, self, exponent):
    return _binary(function, self, exponent, scalar_tensor=False)


def _pointwise(function, self, tensor1, tensor2, value=1, scalars=None):
    """addcmul / addcdiv: self + value * tensor1 (op) tensor2."""
    _check_tensor_list(function, tensor1, 'tensor1', 2)
    _check_tensor_list(function, tensor2, 'tensor2', 3)
    values = _packed_scalars(function, self, value if scalars is None else scalars)
    return [((first, second), {'value': v})
            for first, second, v in zip(_same_length(self, tensor1), _same_length(self, tensor2), values)]


def _lerp(function, self, tensors1, weight=None, weights=None):
    _check_tensor_list(function, tensors1, 'tensors1', 2)
    weights = _per_tensor(function, self, weight if weights is None else weights, position=3)
    return [((end, w), {}) for end, w in zip(_same_length(self, tensors1), weights)]


def _copy(function, self, src, non_blocking=False):
    _check_tensor_list(function, src, 'src', 2)
    return [((source, non_blocking), {}) for source in _same_length(self, src)]


def _clone(function, self, *, memory_format=None):
    return [((), {} if memory_format is None else {'memory_format': memory_format})] * len(self)


def _matrices(function, self, mat2):
    _check_tensor_list(function, mat2, 'mat2', 2)
    return [((matrix,), {}) for matrix in _same_length(self, mat2)]


# ---- generating the functions from the Tensor methods ------------------------------------------------
def _define(name, arguments, method=None, inplace=True, out_of_place=True):
    """`_foreach_<name>`: the tuple of `t.<method>(...)` for each tensor t; `_foreach_<name>_`:
    `t.<method>_(...)` on each, returning the list. `arguments` spreads the call's arguments to one
    (args, kwargs) per tensor."""
    method = method or name

    def make(function, tensor_method, returns_new):
        def foreach(self, *args, **kwargs):
            _check_tensor_list(function, self)
            per_tensor = arguments(function, self, *args, **kwargs)
            results = tuple(getattr(t, tensor_method)(*a, **k) for t, (a, k) in zip(self, per_tensor))
            return results if returns_new else self
        foreach.__name__ = foreach.__qualname__ = function
        foreach.__doc__ = (f"torch.{function}: Tensor.{tensor_method} on each tensor of a list; "
                           + ("returns a tuple of the results." if returns_new else "returns the list."))
        globals()[function] = foreach
        __all__.append(function)

    if out_of_place:
        make(f'_foreach_{name}', method, True)
    if inplace:
        make(f'_foreach_{name}_', method + '_', False)


_UNARY = ('abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'cosh', 'erf', 'erfc', 'exp', 'expm1', 'floor', 'frac',
          'lgamma', 'log', 'log10', 'log1p', 'log2', 'neg', 'reciprocal', 'round', 'rsqrt', 'sigmoid', 'sign', 'sin',
          'sinh', 'sqrt', 'tan', 'tanh', 'trunc')
for _name in _UNARY:
    _define(_name, _no_arguments)
for _name in ('add', 'mul', 'div'):  # the ones with a .Tensor overload (a 0-d tensor for every tensor)
    _define(_name, _binary)
for _name in ('sub', 'clamp_min', 'clamp_max'):
    _define(_name, _binary_without_tensor)
# PyTorch runs maximum / minimum on its clamp kernels, which also take a number (torch.maximum does not)
_define('maximum', _binary_without_tensor, method='clamp_min')
_define('minimum', _binary_without_tensor, method='clamp_max')
_define('pow', _exponent, out_of_place=False)  # (the out-of-place form also takes a number first: below)
_define('addcmul', _pointwise)
_define('addcdiv', _pointwise)
_define('lerp', _lerp)
_define('zero', _no_arguments, out_of_place=False)
_define('copy', _copy, out_of_place=False)
_define('clone', _clone, inplace=False)
_define('mm', _matrices, inplace=False)


# ---- the ones that are not one Tensor method ------------------------------------------------------------
def _foreach_pow(self, exponent):
    """torch._foreach_pow: Tensor.pow on each tensor of a list; with a number first, `torch.pow(number, t)`
    for each tensor t of the exponent list."""
    if isinstance(self, numbers.Number):
        _check_tensor_list('_foreach_pow', exponent, 'exponent', 2)
        return tuple(_pow(self, t) for t in exponent)
    _check_tensor_list('_foreach_pow', self)
    return tuple(t.pow(*a) for t, (a, _) in zip(self, _exponent('_foreach_pow', self, exponent)))


def _foreach_norm(self, ord=2, dtype=None):
    """torch._foreach_norm: `torch.linalg.vector_norm(t, ord, dtype=dtype)` of each tensor."""
    _check_tensor_list('_foreach_norm', self)
    return tuple(vector_norm(t, ord, dtype=dtype) for t in self)


def _foreach_powsum(self, ord=2, dtype=None):
    """torch._foreach_powsum: sum(|t|^ord) of each tensor, the norm before its 1/ord root (with 0^0 = 1,
    so ord=0 counts every element)."""
    _check_tensor_list('_foreach_powsum', self)
    for t in self:
        if not (t.is_floating_point() or t.is_complex()):
            raise NotImplementedError(f"\"powsum_cpu\" not implemented for '{_scalar_type_name(t._data.dtype)}'")
    return tuple((t if dtype is None else t.to(dtype)).abs().pow(ord).sum() for t in self)


def _foreach_max(self):
    """torch._foreach_max: the largest element of each tensor (a 0-d tensor)."""
    _check_tensor_list('_foreach_max', self)
    if any(t.numel() == 0 for t in self):
        raise RuntimeError("_foreach_max cannot compute the maximum of an empty tensor; max over zero elements "
                           "is undefined.")
    return tuple(t.amax() for t in self)


__all__ += ['_foreach_pow', '_foreach_norm', '_foreach_powsum', '_foreach_max']
