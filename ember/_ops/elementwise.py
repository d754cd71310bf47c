"""Elementwise ops: arithmetic with broadcasting, unary math, comparisons and logic.

Each op is its forward function next to its backward node. A backward returns the gradient for
each input in argument order (None where an input needs none); the engine sums a gradient down to
its input's shape when the forward broadcast, so formulas here are written for the broadcast shape.
Masks in backward formulas (`pass_gradient(grad, input > 0)`) are bool tensors: constants for autograd.

At the end, `INPLACE_KERNELS` lets `Tensor._inplace` run the optimizers' in-place updates
(`p.add_(g, alpha=-lr)`, `addcmul_`, ...) straight into the tensor's memory when nothing is recorded.
"""
import math

import numpy as np
from numpy.polynomial import Chebyshev

from .. import _dtype as dtypes
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from ._util import record, result, write_out, binary_operands, broadcast_error, default_float, wrap, quietly
from ._util import ordered_maximum, ordered_minimum, select, swaps_operands
from .._tensor import Tensor, _scalar_type_name
from .complex import conj, conjugate, real, real_gradients
from .._sparse import dense_plus_sparse
from .indexing import where

_ARITHMETIC = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'floor_divide',
               'fmod', 'remainder', 'neg', 'negative', 'reciprocal', 'pow', 'float_power', 'square', 'addcmul',
               'addcdiv', 'lerp']
_UNARY_MATH = ['exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'abs', 'absolute',
               'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'asinh',
               'acosh', 'atanh', 'arcsinh', 'arccosh', 'arctanh', 'sigmoid', 'tanh', 'relu', 'erf', 'erfc',
               'erfinv', 'logit', 'deg2rad', 'rad2deg', 'nan_to_num']
_ROUNDING = ['sign', 'sgn', 'floor', 'ceil', 'round', 'trunc', 'fix', 'frac']
_BINARY_MATH = ['atan2', 'arctan2', 'hypot', 'logaddexp', 'logaddexp2', 'xlogy', 'copysign', 'heaviside']
_MIN_MAX = ['maximum', 'minimum', 'fmax', 'fmin', 'clamp', 'clip', 'clamp_min', 'clamp_max']
_COMPARISON = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal',
               'not_equal']
_LOGICAL = ['logical_and', 'logical_or', 'logical_xor', 'logical_not', 'bitwise_and', 'bitwise_or',
            'bitwise_xor', 'bitwise_not', 'bitwise_left_shift', 'bitwise_right_shift']
_TESTS = ['isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'isreal', 'isclose', 'allclose', 'equal']

__all__ = (_ARITHMETIC + ['rsub', 'positive'] + _UNARY_MATH + _ROUNDING + _BINARY_MATH + _MIN_MAX + _COMPARISON
           + _LOGICAL + _TESTS + ['fill'])
TENSOR_METHODS = tuple(_ARITHMETIC + ['positive'] + _UNARY_MATH + _ROUNDING + _BINARY_MATH + _MIN_MAX
                       + _COMPARISON + _LOGICAL + _TESTS)
# PyTorch has no in-place form of these
_NO_INPLACE = {'maximum', 'minimum', 'fmax', 'fmin', 'logaddexp', 'logaddexp2'}
INPLACE_METHODS = tuple(name for name in _ARITHMETIC + _UNARY_MATH + _ROUNDING + _BINARY_MATH + _MIN_MAX
                        + _COMPARISON + _LOGICAL if name not in _NO_INPLACE) + ('zero', 'fill')


# ---- helpers shared by the ops of this file ------------------------------------------------------
def _binary(ufunc, input, other, node_class, out, save=True, to_float=False):
    """Forward of a broadcasting binary op: promote, compute, record (saving both operands, or what
    `save(node, input, other)` keeps). `to_float`: integer operands compute in the default float dtype
    (atan2, xlogy, ... do this)."""
    a, b = binary_operands(input, other)
    if to_float and a.dtype.kind not in 'fc':
        a = default_float(a)
        if b.__class__ is np.ndarray:
            b = b.astype(a.dtype)
    try:
        data = quietly(ufunc, a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    node = record(node_class, input, other)
    if node is not None and save:
        if save is True:
            node.save_for_backward(input, other)
        else:  # what the node's gradient reads, chosen by the op
            save(node, input, other)
    return write_out(out, result(data, node))


def _unary(np_function, input, node_class, out=None, save_input=False, save_output=False, to_float=True):
    """Forward of a unary op. Integer inputs become the default float dtype where PyTorch does it."""
    data = input._data
    if to_float and data.dtype.kind not in 'fc':
        data = default_float(data)
    node = record(node_class, input)
    t = result(np_function(data), node)
    if node is not None:
        if save_input:
            node.save_for_backward(input)
        if save_output:
            node.save_output(t)
    return write_out(out, t)


def _float_only(op_name, *tensors, kinds='fc'):
    """PyTorch has no integer kernel for some ops (hypot, lerp, frac, ...): the same error here. `kinds`:
    the NumPy dtype kinds the kernel has (real floats only for frac)."""
    for t in tensors:
        if isinstance(t, Tensor) and t._data.dtype.kind not in kinds:
            raise NotImplementedError(f'"{op_name}_cpu" not implemented for '
                                      f"'{_scalar_type_name(t._data.dtype)}'")


def refuse_complex(data, kernel_name):
    """Complex numbers have no order: PyTorch has no CPU kernel for the ops that need one (NumPy would
    order them lexicographically). `data` is the array the kernel would run on."""
    if data.dtype.kind == 'c':
        raise NotImplementedError(f'"{kernel_name}" not implemented for \'{_scalar_type_name(data.dtype)}\'')


def _zeros_like(grad):
    """The gradient of an op that is flat almost everywhere (floor, sign, ...): zeros, as PyTorch."""
    return wrap(np.zeros_like(grad._data))


def _tensor_only(op_name, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{op_name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def _real_tensors_only(op_name, input, other):
    """maximum, minimum, fmax, fmin take two tensors, which must be real: complex numbers have no order."""
    _tensor_only(op_name, other)
    if input._data.dtype.kind == 'c' or other._data.dtype.kind == 'c':
        raise RuntimeError(f"{op_name} not implemented for complex tensors.")


# ---- arithmetic -----------------------------------------------------------------------------------
class AddBackward0(Node):
    __slots__ = ('alpha',)

    def backward(self, grad):
        grads = grad, (grad if self.alpha == 1 else grad * self.alpha)
        return real_gradients(self, grads) if grad._data.dtype.kind == 'c' else grads


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting."""
    try:
        a, b = binary_operands(input, other)
        if alpha != 1:
            b = b * alpha
        data = quietly(np.add, a, b)
    except ValueError:
        raise broadcast_error(np.shape(input), np.shape(other)) from None
    except NotImplementedError:  # NumPy met a sparse operand's stand-in array
        if getattr(input, 'is_sparse', False):
            return input.add(other, alpha=alpha)  # sparse + sparse, or PyTorch's refusal of sparse + dense
        if not getattr(other, 'is_sparse', False):
            raise
        data = dense_plus_sparse(input, other, alpha)  # dense + sparse is dense
    node = record(AddBackward0, input, other)
    if node is not None:
        node.alpha = alpha
    return write_out(out, result(data, node))


class SubBackward0(Node):
    __slots__ = ('alpha',)

    def backward(self, grad):
        grads = grad, -grad if self.alpha == 1 else grad * -self.alpha
        return real_gradients(self, grads) if grad._data.dtype.kind == 'c' else grads


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, broadcasting."""
    try:
        a, b = binary_operands(input, other)
        if a.dtype == np.bool_ and getattr(b, 'dtype', None) == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        if alpha != 1:
            b = b * alpha
        data = quietly(np.subtract, a, b)
    except ValueError:
        raise broadcast_error(np.shape(input), np.shape(other)) from None
    except NotImplementedError:  # NumPy met a sparse operand's stand-in array
        if getattr(input, 'is_sparse', False):
            return input.sub(other, alpha=alpha)
        if not getattr(other, 'is_sparse', False):
            raise
        data = dense_plus_sparse(input, other, -alpha)
    node = record(SubBackward0, input, other)
    if node is not None:
        node.alpha = alpha
    return write_out(out, result(data, node))


subtract = sub


class RsubBackward1(Node):
    def backward(self, grad):
        return (-grad,)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (what `2 - tensor` calls)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    a, b = binary_operands(input, other)
    data = b - a * alpha if alpha != 1 else b - a
    node = record(RsubBackward1, input)
    return result(np.asarray(data), node)


class MulBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        if grad._data.dtype.kind == 'c':  # PyTorch's convention for complex numbers: see _ops/complex.py
            return real_gradients(self, (grad * conjugate(other) if self.needs_input_grad(0) else None,
                                         grad * conjugate(input) if self.needs_input_grad(1) else None))
        return (grad * other if self.needs_input_grad(0) else None,
                grad * input if self.needs_input_grad(1) else None)


def mul(input, other, *, out=None):
    """input * other, broadcasting."""
    return _binary(np.multiply, input, other, MulBackward0, out, save=Node.save_crosswise)


multiply = mul


class DivBackward0(Node):
    __slots__ = ('rounding_mode',)

    def backward(self, grad):
        if self.rounding_mode is not None:  # floor/trunc are flat almost everywhere
            return (_zeros_like(grad) if self.needs_input_grad(0) else None,
                    _zeros_like(grad) if self.needs_input_grad(1) else None)
        input, other = self.saved_tensors
        if grad._data.dtype.kind == 'c':  # PyTorch's convention for complex numbers: see _ops/complex.py
            return real_gradients(self, (grad / conjugate(other) if self.needs_input_grad(0) else None,
                                         -grad * conjugate(input / (other * other)) if self.needs_input_grad(1)
                                         else None))
        grad_input = grad / other if self.needs_input_grad(0) else None
        grad_other = -grad * input / (other * other) if self.needs_input_grad(1) else None
        return grad_input, grad_other


def _divide(a, b, rounding_mode):
    """NumPy division of promoted operands with PyTorch's rounding modes and integer rules."""
    with np.errstate(divide='ignore', invalid='ignore'):
        if rounding_mode is None:
            if a.dtype.kind not in 'fc':
                a = default_float(a)
                if isinstance(b, np.ndarray):
                    b = b.astype(a.dtype)
            return np.true_divide(a, b)
        if rounding_mode == 'trunc':
            if a.dtype.kind in 'iub':
                _check_integer_division(b)
                quotient = np.floor_divide(a, b)
                # floor and trunc differ where the signs differ and the division is inexact
                return quotient + ((np.remainder(a, b) != 0) & ((a < 0) != (np.asarray(b) < 0)))
            return np.trunc(np.true_divide(a, b))
        if rounding_mode == 'floor':
            if a.dtype.kind in 'iub':
                _check_integer_division(b)
                return np.floor_divide(a, b)
            return _floor_divide_floats(a, b)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


def _floor_divide_floats(a, b):
    """PyTorch's (and Python's) float floor division, built on fmod rather than floor(a / b): so
    inf // 2 is NaN, -5 // inf is -1, and 1 // 0.1 is 9 (a / b rounds up to 10). Division by zero
    gives a / b."""
    remainder = np.fmod(a, b)
    quotient = (a - remainder) / b
    quotient = quotient - ((remainder != 0) & ((np.asarray(b) < 0) != (remainder < 0)))
    floor = np.floor(quotient)
    floor = floor + ((quotient - floor) > 0.5)
    floor = np.where(quotient != 0, floor, np.copysign(0, a / b))
    return np.asarray(np.where(np.asarray(b) == 0, a / b, floor), dtype=np.result_type(a, b))


def _check_integer_division(b):
    if np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def div(input, other, *, rounding_mode=None, out=None):
    """input / other. Integer inputs divide as floats unless `rounding_mode` is 'trunc' or 'floor'."""
    a, b = binary_operands(input, other)
    try:
        data = _divide(a, b, rounding_mode)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    node = record(DivBackward0, input, other)
    if node is not None:
        node.rounding_mode = rounding_mode
        if rounding_mode is None:  # both gradients read `other`; only `other`'s reads `input`
            node.save_for_backward(input if node.needs_input_grad(1) else None, other)
    return write_out(out, result(data, node))


divide = div
true_divide = div


class DivBackward1(Node):
    """Division by a number inside a composite op (PyTorch's at::div(Tensor, Scalar)); Python's
    `tensor / 3` records DivBackward0, as PyTorch wraps the number in a tensor first."""
    __slots__ = ('other',)

    def backward(self, grad):
        return (grad / self.other,)


def _div_by_number(input, other):
    """input / other for a Python number `other`, recorded as DivBackward1 (for the ops that divide so)."""
    node = record(DivBackward1, input)
    if node is not None:
        node.other = other
    return result(_divide(input._data, other, None), node)


class _FloorDivideBackward(Node):
    """PyTorch defines no derivative for floor_divide; its node is called NotImplemented."""

    def backward(self, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


_FloorDivideBackward.__name__ = _FloorDivideBackward.__qualname__ = 'NotImplemented'


def floor_divide(input, other, *, out=None):
    """input // other: division rounded toward negative infinity (Python's `//`)."""
    a, b = binary_operands(input, other)
    try:
        data = _divide(a, b, 'floor')
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    except TypeError:  # NumPy has no complex floor division either
        refuse_complex(a, 'div_floor_cpu')
        raise
    return write_out(out, result(data, record(_FloorDivideBackward, input, other)))


class FmodBackward0(Node):
    """fmod(tensor, number)"""

    def backward(self, grad):
        return (grad,)


class FmodBackward1(Node):
    """fmod(tensor, tensor): the result is input - trunc(input / other) * other."""

    def backward(self, grad):
        input, other = self.saved_tensors
        return (grad if self.needs_input_grad(0) else None,
                -grad * div(input, other, rounding_mode='trunc') if self.needs_input_grad(1) else None)


def _modulo(ufunc, input, other, scalar_node, tensor_node, out):
    """fmod and remainder: integer division by zero is an error, as in PyTorch."""
    if not isinstance(input, Tensor):  # `7 % tensor`
        input = wrap(np.asarray(binary_operands(other, input)[1]))
    try:
        if isinstance(other, Tensor):
            if other._data.dtype.kind in 'iub' and input._data.dtype.kind in 'iub':
                _check_integer_division(other._data)
            return _binary(ufunc, input, other, tensor_node, out)
        if other == 0 and input._data.dtype.kind in 'iub' and not isinstance(other, float):
            raise RuntimeError("ZeroDivisionError")
        a, b = binary_operands(input, other)
        with np.errstate(divide='ignore', invalid='ignore'):
            data = ufunc(a, b)
    except TypeError:  # NumPy has no complex remainder either
        refuse_complex(binary_operands(input, other)[0], f'{ufunc.__name__}_cpu')
        raise
    return write_out(out, result(data, record(scalar_node, input)))


def fmod(input, other, *, out=None):
    """C's fmod: the remainder of input / other, with the sign of input."""
    return _modulo(np.fmod, input, other, FmodBackward0, FmodBackward1, out)


class RemainderBackward0(Node):
    """remainder(tensor, number)"""

    def backward(self, grad):
        return (grad,)


class RemainderBackward1(Node):
    """remainder(tensor, tensor): the result is input - floor(input / other) * other."""

    def backward(self, grad):
        input, other = self.saved_tensors
        return (grad if self.needs_input_grad(0) else None,
                -grad * div(input, other, rounding_mode='floor') if self.needs_input_grad(1) else None)


def remainder(input, other, *, out=None):
    """Python's modulus (`%`): the remainder of input / other, with the sign of other."""
    return _modulo(np.remainder, input, other, RemainderBackward0, RemainderBackward1, out)


class NegBackward0(Node):
    def backward(self, grad):
        return (-grad,)


def neg(input, *, out=None):
    """-input."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _unary(np.negative, input, NegBackward0, out, to_float=False)


negative = neg


def positive(input):
    """+input: the tensor itself (PyTorch returns the same object)."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class ReciprocalBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (-grad * conj(out * out),)  # (holomorphic: grad times the conjugate derivative)


def reciprocal(input, *, out=None):
    """1 / input, as floats."""
    with np.errstate(divide='ignore'):
        return _unary(np.reciprocal, input, ReciprocalBackward0, out, save_output=True)


class PowBackward0(Node):
    """pow(tensor, number)"""
    __slots__ = ('exponent',)

    def backward(self, grad):
        input, = self.saved_tensors
        e = self.exponent
        if e == 0:
            return (_zeros_like(grad),)
        if input._data.dtype.kind == 'c':  # holomorphic: grad times the conjugate derivative
            return (grad * conj(e * input ** (e - 1)),)
        return (grad * e * input ** (e - 1),)


class PowBackward1(Node):
    """pow(tensor, tensor)"""

    def backward(self, grad):
        input, exponent = self.saved_tensors
        grad_input = grad_exponent = None
        if self.needs_input_grad(0):
            # d/dx x**0 is 0 even at x = 0: lowering a zero exponent by 0 instead of 1 keeps
            # 0 * 0**-1 = nan out of the formula
            grad_input = grad * exponent * input ** (exponent - (exponent != 0))
        if self.needs_input_grad(1):
            # x**y * log(x) is taken as 0 at x = 0 (for y >= 0): log(1) stands in for log(0) there
            safe_input = input + ((input == 0) & (exponent >= 0))
            grad_exponent = grad * input ** exponent * log(safe_input)
        return grad_input, grad_exponent


class PowBackward2(Node):
    """pow(number, tensor)"""
    __slots__ = ('base',)

    def backward(self, grad):
        exponent, = self.saved_tensors
        base = self.base
        return (grad * (base ** exponent) * math.log(base) if base != 0 else _zeros_like(grad),)


def pow(input, exponent, *, out=None):
    """input ** exponent; either may be a number."""
    if not isinstance(input, Tensor):
        base = input
        a, b = binary_operands(exponent, base)
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            data = _int_power(np.asarray(b, a.dtype), a) if a.dtype.kind in 'iu' else np.power(b, a)
        node = record(PowBackward2, exponent)
        if node is not None:
            node.base = base
            node.save_for_backward(exponent)
        return write_out(out, result(data, node))
    if isinstance(exponent, Tensor):
        a, b = binary_operands(input, exponent)
        try:
            with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
                data = _int_power(a, b) if a.dtype.kind in 'iu' else np.power(a, b)
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
        node = record(PowBackward1, input, exponent)
        if node is not None:
            node.save_for_backward(input, exponent)
        return write_out(out, result(data, node))
    a, e = binary_operands(input, exponent)
    if a.dtype.kind in 'iu' and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        if e == 2:
            data = a * a
        elif e == 0.5:
            data = np.sqrt(a)
        else:
            data = np.power(a, e)
    node = record(PowBackward0, input)
    if node is not None:
        node.exponent = exponent
        node.save_for_backward(input)
    return write_out(out, result(data, node))


def _int_power(base, exponent):
    """Integer power with C's rules for negative exponents, which NumPy refuses: 1 ** -n = 1,
    (-1) ** -n = +-1, and any other base ** -n truncates to 0."""
    negative = exponent < 0
    if not negative.any():
        return np.power(base, exponent)
    data = np.power(base, np.where(negative, 0, exponent))
    inverse = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (exponent & 1), 0))
    return np.where(negative, inverse, data).astype(data.dtype, copy=False)


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in double precision (the result is float64)."""
    if isinstance(input, Tensor):
        input = input.to(dtypes.float64)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(dtypes.float64)
    elif not isinstance(input, Tensor):
        exponent = float(exponent)
    return pow(input, exponent, out=out)


def square(input, *, out=None):
    """input * input (bool becomes int64, as PyTorch's pow(input, 2) does)."""
    if input._data.dtype == np.bool_:
        input = wrap(input._data.astype(np.int64))
    return pow(input, 2, out=out)


class AddcmulBackward0(Node):
    __slots__ = ('value',)

    def backward(self, grad):
        tensor1, tensor2 = self.saved_tensors
        scaled = grad * self.value if self.value != 1 else grad
        return (grad if self.needs_input_grad(0) else None,
                scaled * tensor2 if self.needs_input_grad(1) else None,
                scaled * tensor1 if self.needs_input_grad(2) else None)


def _promoted(*tensors):
    """The NumPy arrays of `tensors`, cast to their common PyTorch result dtype."""
    target = dtypes.result_numpy_dtype(*tensors)
    return [t._data if t._data.dtype == target else t._data.astype(target) for t in tensors]


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    a, b, c = _promoted(input, tensor1, tensor2)
    try:
        data = a + (b * c if value == 1 else value * b * c)
    except ValueError:
        raise broadcast_error(np.broadcast_shapes(b.shape, c.shape) if b.ndim else b.shape, a.shape) from None
    node = record(AddcmulBackward0, input, tensor1, tensor2)
    if node is not None:
        node.value = value
        node.save_for_backward(tensor1, tensor2)
    return write_out(out, result(data, node))


class AddcdivBackward0(Node):
    __slots__ = ('value',)

    def backward(self, grad):
        tensor1, tensor2 = self.saved_tensors
        scaled = grad * self.value if self.value != 1 else grad
        return (grad if self.needs_input_grad(0) else None,
                scaled / tensor2 if self.needs_input_grad(1) else None,
                -scaled * tensor1 / (tensor2 * tensor2) if self.needs_input_grad(2) else None)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    if tensor1._data.dtype.kind in 'iub' and tensor2._data.dtype.kind in 'iub':
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    a, b, c = _promoted(input, tensor1, tensor2)
    try:
        with np.errstate(divide='ignore', invalid='ignore'):
            data = a + (b / c if value == 1 else value * b / c)
    except ValueError:
        raise broadcast_error(np.broadcast_shapes(b.shape, c.shape) if b.ndim else b.shape, a.shape) from None
    node = record(AddcdivBackward0, input, tensor1, tensor2)
    if node is not None:
        node.value = value
        node.save_for_backward(tensor1, tensor2)
    return write_out(out, result(data, node))


class LerpBackward0(Node):
    """lerp with a number weight"""
    __slots__ = ('weight',)

    def backward(self, grad):
        return (grad * (1 - self.weight) if self.needs_input_grad(0) else None,
                grad * self.weight if self.needs_input_grad(1) else None)


class LerpBackward1(Node):
    """lerp with a tensor weight"""

    def backward(self, grad):
        input, end, weight = self.saved_tensors
        return (grad * (1 - weight) if self.needs_input_grad(0) else None,
                grad * weight if self.needs_input_grad(1) else None,
                grad * (end - input) if self.needs_input_grad(2) else None)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); weight is a number or a tensor."""
    _float_only('lerp_kernel_scalar', input)
    if isinstance(weight, Tensor):
        a, b, w = _promoted(input, end, weight)
        try:
            data = a + w * (b - a)
        except ValueError:
            raise broadcast_error(np.broadcast_shapes(a.shape, b.shape), w.shape) from None
        node = record(LerpBackward1, input, end, weight)
        if node is not None:
            node.save_for_backward(input, end, weight)
        return write_out(out, result(data, node))
    a, b = binary_operands(input, end)
    try:
        data = a + weight * (b - a)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    node = record(LerpBackward0, input, end)
    if node is not None:
        node.weight = weight
    return write_out(out, result(data, node))


# ---- exponentials and logarithms ------------------------------------------------------------------
# These are holomorphic for complex input: the gradient is grad times the conjugate of the derivative
# (complex.py explains PyTorch's convention); conj of a real tensor is the tensor itself.
class ExpBackward0(Node):
    def backward(self, grad):
        return (grad * conj(self.saved_output),)  # (holomorphic: grad times the conjugate derivative)


def exp(input, *, out=None):
    """e ** input."""
    with np.errstate(over='ignore'):
        return _unary(np.exp, input, ExpBackward0, out, save_output=True)


class Exp2Backward0(Node):
    def backward(self, grad):
        return (grad * conj(self.saved_output * math.log(2.0)),)


def exp2(input, *, out=None):
    """2 ** input."""
    with np.errstate(over='ignore'):
        return _unary(np.exp2, input, Exp2Backward0, out, save_output=True)


class Expm1Backward0(Node):
    def backward(self, grad):
        return (grad * conj(self.saved_output + 1),)


def expm1(input, *, out=None):
    """exp(input) - 1, accurate for small input."""
    with np.errstate(over='ignore'):
        return _unary(np.expm1, input, Expm1Backward0, out, save_output=True)


class LogBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(input),)


def log(input, *, out=None):
    """Natural logarithm."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(np.log, input, LogBackward0, out, save_input=True)


class Log2Backward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(input * math.log(2.0)),)


def log2(input, *, out=None):
    """Base-2 logarithm."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(np.log2, input, Log2Backward0, out, save_input=True)


class Log10Backward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(input * math.log(10.0)),)


def log10(input, *, out=None):
    """Base-10 logarithm."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(np.log10, input, Log10Backward0, out, save_input=True)


class Log1PBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(input + 1),)


def _log1p(data):
    if data.dtype == np.float32:
        # PyTorch's float32 log1p is correctly rounded in all but ~0.3% of inputs, NumPy's misses ~5%
        # by an ulp: computing in float64 and rounding once is as close as a cheap route gets
        return np.log1p(data.astype(np.float64)).astype(np.float32)
    return np.log1p(data)


def log1p(input, *, out=None):
    """log(1 + input), accurate for small input."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(_log1p, input, Log1PBackward0, out, save_input=True)


class SqrtBackward0(Node):
    def backward(self, grad):
        return (grad / conj(2 * self.saved_output),)


def sqrt(input, *, out=None):
    """Square root."""
    with np.errstate(invalid='ignore'):
        return _unary(np.sqrt, input, SqrtBackward0, out, save_output=True)


class RsqrtBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (-0.5 * grad * conj(out * out * out),)


def _rsqrt(data):
    root = np.asarray(np.sqrt(data))  # (of a 0-d array NumPy returns a scalar, which cannot be an `out`)
    return np.reciprocal(root, out=root)


def rsqrt(input, *, out=None):
    """1 / sqrt(input)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(_rsqrt, input, RsqrtBackward0, out, save_output=True)


class AbsBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * sgn(input),)  # (sgn, as PyTorch: its double backward shows SgnBackward0)


def abs(input, *, out=None):
    """|input|."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _unary(np.abs, input, AbsBackward0, out, save_input=True, to_float=False)


absolute = abs


# ---- trigonometric and hyperbolic ---------------------------------------------------------------
class SinBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(cos(input)),)


def sin(input, *, out=None):
    """Sine."""
    return _unary(np.sin, input, SinBackward0, out, save_input=True)


class CosBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (-grad * conj(sin(input)),)


def cos(input, *, out=None):
    """Cosine."""
    return _unary(np.cos, input, CosBackward0, out, save_input=True)


class TanBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * conj(1 + out * out),)


def tan(input, *, out=None):
    """Tangent."""
    return _unary(np.tan, input, TanBackward0, out, save_output=True)


class AsinBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(rsqrt(1 - input * input)),)


def asin(input, *, out=None):
    """Inverse sine."""
    with np.errstate(invalid='ignore'):
        return _unary(np.arcsin, input, AsinBackward0, out, save_input=True)


class AcosBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (-grad * conj(rsqrt(1 - input * input)),)


def acos(input, *, out=None):
    """Inverse cosine."""
    with np.errstate(invalid='ignore'):
        return _unary(np.arccos, input, AcosBackward0, out, save_input=True)


class AtanBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(1 + input * input),)


def atan(input, *, out=None):
    """Inverse tangent."""
    return _unary(np.arctan, input, AtanBackward0, out, save_input=True)


class SinhBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(cosh(input)),)


def sinh(input, *, out=None):
    """Hyperbolic sine."""
    with np.errstate(over='ignore'):
        return _unary(np.sinh, input, SinhBackward0, out, save_input=True)


class CoshBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(sinh(input)),)


def cosh(input, *, out=None):
    """Hyperbolic cosine."""
    with np.errstate(over='ignore'):
        return _unary(np.cosh, input, CoshBackward0, out, save_input=True)


class AsinhBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(rsqrt(input * input + 1)),)


def asinh(input, *, out=None):
    """Inverse hyperbolic sine."""
    return _unary(np.arcsinh, input, AsinhBackward0, out, save_input=True)


class AcoshBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * conj(rsqrt(input * input - 1)),)


def acosh(input, *, out=None):
    """Inverse hyperbolic cosine (input >= 1)."""
    with np.errstate(invalid='ignore'):
        return _unary(np.arccosh, input, AcoshBackward0, out, save_input=True)


class AtanhBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / conj(1 - input * input),)


def atanh(input, *, out=None):
    """Inverse hyperbolic tangent (|input| < 1)."""
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(np.arctanh, input, AtanhBackward0, out, save_input=True)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


class Deg2RadBackward0(Node):
    def backward(self, grad):
        return (grad * (math.pi / 180),)


def deg2rad(input, *, out=None):
    """Degrees to radians."""
    return _unary(np.deg2rad, input, Deg2RadBackward0, out)


class Rad2DegBackward0(Node):
    def backward(self, grad):
        return (grad * (180 / math.pi),)


def rad2deg(input, *, out=None):
    """Radians to degrees."""
    return _unary(np.rad2deg, input, Rad2DegBackward0, out)


# ---- activations and special functions ------------------------------------------------------------
class SigmoidBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * conj(out * (1 - out)),)


def _sigmoid(a):
    # PyTorch's 1 / (1 + exp(-a)), not a rearranged form: below about -88.7 in float32 (-709.8 in
    # float64) exp(-a) overflows to inf and the result is exactly 0, not a denormal
    with np.errstate(over='ignore'):
        if a.dtype == np.float32 or a.dtype == np.float16:
            # PyTorch works in float32 here, with an expf as close to exp's double result as rounding allows
            e = np.exp(-a.astype(np.float64)).astype(np.float32)
        else:
            e = np.exp(-a)
        return (1 / (1 + e)).astype(a.dtype, copy=False)


def sigmoid(input, *, out=None):
    """1 / (1 + exp(-input))."""
    return _unary(_sigmoid, input, SigmoidBackward0, out, save_output=True)


class TanhBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * conj(1 - out * out),)


# float32 tanh, correctly rounded. NumPy's float32 tanh is off by one ulp in about a third of its
# results; PyTorch's is correctly rounded in all but ~0.04%. In a deep tanh network (the course's
# 100-layer initialisation demonstration) those ulps compound into visibly different printed
# numbers, so float32 tanh is computed here to float64 accuracy, choosing by the largest |x|:
# - |x| < 2**-12: tanh(x) = x - x**3/3 rounds to x itself;
# - |x| < 1/16: x + x * q(x**2), the Taylor series, in float32: q is below 1/768, so its rounding
#   error is far below half an ulp of the sum, which float32 then rounds once;
# - otherwise in float64, from a table and the addition theorem:
#     x = a + d,  a = k / 2048 (a table point),  |d| < 1 / 2048,
#     tanh(x) = (tanh(a) + tanh(d)) / (1 + tanh(a) tanh(d)),  tanh(d) = d - d**3/3 (+ O(d**5) < 1e-16 d).
#   Only arithmetic: NumPy has no vectorised float64 exp or tanh on AVX2 machines. Splitting
#   x * 2048 into whole and fraction is exact.
# Deep networks' activations are often small, where the first two cost what np.tanh costs. Small
# arrays take NumPy's float64 tanh (a libm call per element, correctly rounded once to float32),
# cheaper there than the table's fixed cost of ~16 NumPy calls.
_TANH_SMALL = 1024
_TANH_IDENTITY_BOUND = 2.0 ** -12
_TANH_SERIES_BOUND = 1 / 16
_TANH_SERIES = [np.float32(c) for c in (-17 / 315, 2 / 15, -1 / 3)]  # x**6, x**4, x**2 coefficients
_TANH_STEPS = 2048
_TANH_LIMIT = 9.5 * _TANH_STEPS                 # float32 tanh(x) is +-1 for |x| > 9.011
_TANH_OFFSET = int(_TANH_LIMIT) + 1             # table index of tanh(0)
_TANH_TABLE = np.tanh(np.arange(-_TANH_OFFSET, _TANH_OFFSET + 1) / _TANH_STEPS)
_TANH_TABLE[_TANH_OFFSET] = -0.0  # so that tanh(-0.) = -0. + -0. keeps its sign
try:  # the clip ufunc itself: np.clip's Python wrapper costs more than the clipping here
    from numpy._core.umath import clip as _clip
except ImportError:
    _clip = np.clip


def _tanh_series_float32(x):
    x2 = x * x
    q = x2 * _TANH_SERIES[0]
    q += _TANH_SERIES[1]
    q *= x2
    q += _TANH_SERIES[2]
    q *= x2
    q += 0.0  # -0. to +0., so that x + x * q is -0. for x = -0.
    q *= x
    q += x
    return q


def _tanh_table_float32(x):
    scaled = x.astype(np.float64)
    scaled *= _TANH_STEPS
    _clip(scaled, -_TANH_LIMIT, _TANH_LIMIT, out=scaled)
    whole = scaled.astype(np.intp)                # truncates; a NaN gives a garbage index...
    d = np.subtract(scaled, whole, out=scaled)    # exact, and -0. stays -0. (an int 0 is +0.)
    whole += _TANH_OFFSET
    table = _TANH_TABLE.take(whole, mode='clip')  # ...which take() clips; d carries the NaN
    # tanh(d / 2048) = d / 2048 - (d / 2048)**3 / 3, with the scaling folded into the coefficients
    tanh_d = d * d
    tanh_d *= -1 / (3 * _TANH_STEPS ** 3)
    tanh_d += 1 / _TANH_STEPS
    tanh_d *= d
    numerator = table + tanh_d
    tanh_d *= table
    tanh_d += 1
    numerator /= tanh_d
    return numerator.astype(np.float32)


def _tanh(data):
    if data.dtype != np.float32:
        return np.tanh(data)
    if data.size <= _TANH_SMALL:
        return np.tanh(data.astype(np.float64)).astype(np.float32)
    largest = np.maximum.reduce(np.abs(data), axis=None)  # a NaN fails both tests below
    if largest < _TANH_IDENTITY_BOUND:
        return data.copy()
    if largest < _TANH_SERIES_BOUND:
        return _tanh_series_float32(data)
    return quietly(_tanh_table_float32, data)


def tanh(input, *, out=None):
    """Hyperbolic tangent."""
    return _unary(_tanh, input, TanhBackward0, out, save_output=True)


# ---- backwards that are ops of their own ----------------------------------------------------------
# In PyTorch the backward of relu is an op of its own, threshold_backward(grad_output, self), and so
# are those of leaky_relu, hardtanh, the pools, ...: linear in grad_output, with coefficients read off
# the saved input (or result). Under create_graph such a backward is recorded as a node with two edges,
# to grad_output and to the saved tensor (PyTorch's ThresholdBackwardBackward0, ...). So the first
# gradient stays connected to the input even where the second derivative is zero, as a PINN's d2u/dt2,
# a Hessian or a gradient penalty need: they get zeros, not "appears to not have been used in the graph".
class LinearBackwardBackward(Node):
    """The backward of a backward that is linear in grad_output; its inputs are (grad_output, saved).
    Subclasses define `grad_output_gradient(grad, saved)`: the adjoint of the backward's map, applied
    to grad. The saved tensor gets zeros: the coefficients are constant between the kinks."""
    __slots__ = ()

    def backward(self, grad):
        saved, = self.saved_tensors
        return (self.grad_output_gradient(grad, saved) if self.needs_input_grad(0) else None,
                wrap(np.zeros(saved._data.shape, saved._data.dtype)) if self.needs_input_grad(1) else None)


def record_linear_backward(node_class, grad_output, saved):
    """A `node_class` node for a linear backward of `grad_output` if create_graph is recording, else None."""
    node = record(node_class, grad_output, saved)
    if node is not None:
        node.save_for_backward(saved)
    return node


class PiecewiseBackwardBackward(LinearBackwardBackward):
    """The backward of `grad_output * derivative`, a derivative constant between kinks (relu's 0/1 mask,
    leaky_relu's slopes): the same product, applied to the incoming gradient."""
    __slots__ = ('derivative',)
    # True for ops whose PyTorch kernel selects 0 where the slope is 0 (hardsigmoid's
    # `-3 < x < 3 ? grad / 6 : 0`) instead of multiplying by it (leaky_relu with slope 0 gives inf * 0)
    zero_slope_selects = False

    def grad_output_gradient(self, grad, saved):
        return piecewise_backward(grad, self.derivative, saved, type(self))


def piecewise_backward(grad_output, derivative, saved, node_class):
    """`grad_output * derivative`, the backward of an op whose derivative (a NumPy array: a bool mask,
    or slopes in grad_output's dtype) is constant between kinks, read off `saved` (its input or result).
    Under create_graph it is recorded as `node_class`, a PiecewiseBackwardBackward."""
    node = record_linear_backward(node_class, grad_output, saved)
    if node is not None:
        node.derivative = derivative
    if derivative.dtype == np.bool_:
        # PyTorch selects rather than multiplies by a mask: a blocked element gets 0 even when the
        # incoming gradient is inf or NaN (0 * inf would be NaN)
        return result(select(grad_output._data, derivative), node)
    product = quietly(np.multiply, grad_output._data, derivative)
    if node_class.zero_slope_selects:
        product = np.where(derivative == 0, product.dtype.type(0), product)
    return result(product, node)


class ThresholdBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class ReluBackward0(Node):
    def backward(self, grad):
        # PyTorch's threshold_backward: the gradient passes where the output is not <= 0 (a NaN output
        # passes it too)
        output = self.saved_output
        blocked = np.less_equal(output._data, 0)
        return (piecewise_backward(grad, ~blocked, output, ThresholdBackwardBackward0),)


# NumPy's maximum against a scalar takes a slow elementwise loop (~3x its vectorised loop for two
# arrays, on float32); against a block of zeros it is as fast as an addition. `_relu` runs a float
# array through the vectorised loop a block at a time (same results: NaN stays NaN, and -0. stays
# -0., as in PyTorch, with the operands in the order that keeps the input's sign).
_ZEROS_BLOCK = 1 << 16
_zero_blocks = {}


def _relu(data):
    if data.dtype.kind != 'f':
        if data.dtype.kind == 'c':  # (PyTorch's relu is clamp_min(0))
            raise NotImplementedError("clamp is not supported for complex types")
        return np.maximum(data, 0, dtype=data.dtype)
    if not data.flags.c_contiguous:
        return ordered_maximum(data, data.dtype.type(0))
    zeros = _zero_blocks.get(data.dtype)
    if zeros is None:
        zeros = _zero_blocks[data.dtype] = np.zeros(_ZEROS_BLOCK, dtype=data.dtype)
        zeros.flags.writeable = False
    out = np.empty_like(data)
    flat, flat_out = data.reshape(-1), out.reshape(-1)
    swap = swaps_operands(np.maximum, data.dtype)
    for start in range(0, flat.size, _ZEROS_BLOCK):
        stop = min(start + _ZEROS_BLOCK, flat.size)
        block, zero = flat[start:stop], zeros[:stop - start]
        np.maximum(*((zero, block) if swap else (block, zero)), out=flat_out[start:stop])
    return out


def relu(input):
    """max(input, 0)."""
    return _unary(_relu, input, ReluBackward0, save_output=True, to_float=False)


# NumPy has no erf. It is computed in float64 from Chebyshev series that interpolate math.erf and
# math.erfc at Chebyshev nodes (coefficients computed once, here, to full double precision):
# |x| < 2.5: erf(x) = x * S(x*x);  2.5 <= |x| < 10: erfc(|x|) = exp(-x*x) * M(|x|);
# beyond: erfc's continued fraction, which needs few terms there.
# erfc(x) for 0.5 <= x < 2.5 is not 1 - erf(x), which loses up to 8 digits to cancellation there, but
# exp(-x*x) * E(x), E a series for the scaled erfc (erfcx) of that interval.
_ERF_SPLIT, _ERFC_TAIL, _ERFC_CANCELS = 2.5, 10.0, 0.5


def _exp_minus_square(x):
    """exp(-x*x) for 0 <= x < 27, without the rounding of x*x (which exp would magnify x*x times):
    x = high + low with high on a 2**-13 grid, so high*high is exact and the rest is small."""
    high = np.round(x * 8192.0) / 8192.0
    low = x - high
    return np.exp(-high * high) * np.exp(-low * (2 * high + low))


_vector_erf, _vector_erfc = np.vectorize(math.erf), np.vectorize(math.erfc)
_ERF_OVER_X = Chebyshev.interpolate(lambda t: _vector_erf(np.sqrt(t)) / np.sqrt(t), 24,
                                    domain=[0.0, _ERF_SPLIT ** 2])
_SCALED_ERFC = Chebyshev.interpolate(lambda x: _vector_erfc(x) / _exp_minus_square(x), 40,
                                     domain=[_ERF_SPLIT, _ERFC_TAIL])
# (degree 20: its coefficients then reach rounding level; more terms only add rounding noise)
_SCALED_ERFC_NEAR = Chebyshev.interpolate(lambda x: _vector_erfc(x) / _exp_minus_square(x), 20,
                                          domain=[_ERFC_CANCELS, _ERF_SPLIT])
del _vector_erf, _vector_erfc


def _erfc_of_abs(x):
    """erfc(x) for x >= 2.5 (float64)."""
    out = np.empty_like(x)
    mid = x < _ERFC_TAIL
    out[mid] = _exp_minus_square(x[mid]) * _SCALED_ERFC(x[mid])
    tail = x[~mid]
    # sqrt(pi) exp(x^2) erfc(x) = 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
    fraction = tail.copy()
    for k in range(8, 0, -1):
        fraction = tail + (k / 2) / fraction
    out[~mid] = np.exp(-tail * tail) / (math.sqrt(math.pi) * fraction)
    return out


def _erf_erfc(data):
    """(erf, erfc) of a NumPy array, computed in float64."""
    x = data.astype(np.float64)
    erf_out = np.empty_like(x)
    erfc_out = np.empty_like(x)
    magnitude = np.abs(x)
    small = magnitude < _ERF_SPLIT
    xs = x[small]
    erf_out[small] = xs * _ERF_OVER_X(xs * xs)
    erfc_out[small] = 1 - erf_out[small]
    near = small & (x >= _ERFC_CANCELS)
    erfc_out[near] = _exp_minus_square(x[near]) * _SCALED_ERFC_NEAR(x[near])
    large = ~small & ~np.isnan(x)
    xl = x[large]
    tail = _erfc_of_abs(np.abs(xl))
    negative_side = xl < 0
    erf_out[large] = np.where(negative_side, tail - 1, 1 - tail)
    erfc_out[large] = np.where(negative_side, 2 - tail, tail)
    erf_out[np.isnan(x)] = erfc_out[np.isnan(x)] = np.nan
    return erf_out, erfc_out


class ErfBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * (2 / math.sqrt(math.pi)) * exp(-input * input),)


def _erf(data):
    return _erf_erfc(data)[0].astype(data.dtype)


def erf(input, *, out=None):
    """The error function, 2/sqrt(pi) * integral of exp(-t^2) from 0 to input."""
    return _unary(_erf, input, ErfBackward0, out, save_input=True)


class ErfcBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * (-2 / math.sqrt(math.pi)) * exp(-input * input),)


def _erfc(data):
    return _erf_erfc(data)[1].astype(data.dtype)


def erfc(input, *, out=None):
    """1 - erf(input), accurate where erf(input) is close to 1."""
    return _unary(_erfc, input, ErfcBackward0, out, save_input=True)


def _erfinv(data):
    y = data.astype(np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        # Winitzki's closed-form approximation (relative error < 2e-3), then Newton steps on
        # erf(x) = y, each of which squares the error
        a = 0.147
        log_term = np.log1p(-y * y)
        first = 2 / (math.pi * a) + log_term / 2
        x = np.copysign(np.sqrt(np.sqrt(first * first - log_term / a) - first), y)
        for _ in range(3):
            x = x - (_erf_erfc(x)[0] - y) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(np.abs(y) == 1, np.copysign(np.inf, y), x)
    return x.astype(data.dtype)


class ErfinvBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * (math.sqrt(math.pi) / 2) * exp(out * out),)


def erfinv(input, *, out=None):
    """The inverse of erf, on (-1, 1)."""
    return _unary(_erfinv, input, ErfinvBackward0, out, save_output=True)


class LogitBackward0(Node):
    __slots__ = ('eps',)

    def backward(self, grad):
        input, = self.saved_tensors
        eps = self.eps
        if eps is None:  # PyTorch: NaN outside [0, 1], where the forward is NaN
            outside = (input < 0) | (input > 1)
            return (where(outside, float('nan'), grad / (input * (1 - input))),)
        # PyTorch: zero outside [eps, 1 - eps], where the forward clamped (a NaN input passes)
        inside = clamp(input, eps, 1 - eps)
        return (pass_gradient(grad / (inside * (1 - inside)), ~((input < eps) | (input > 1 - eps))),)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)); with `eps`, p is first clamped to [eps, 1 - eps]."""
    data = input._data if input._data.dtype.kind in 'fc' else default_float(input._data)
    if eps is not None:
        data = np.clip(data, eps, 1 - eps)
    with np.errstate(divide='ignore', invalid='ignore'):
        data = np.log(data / (1 - data))
    node = record(LogitBackward0, input)
    if node is not None:
        node.eps = eps
        node.save_for_backward(input)
    return write_out(out, result(data, node))


class NanToNumBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * isfinite(input),)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, +inf and -inf replaced by `nan`, `posinf`, `neginf` (default: the dtype's extremes)."""
    data = input._data
    if data.dtype.kind in 'fc':
        data = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    else:
        data = data.copy()
    node = record(NanToNumBackward0, input)
    if node is not None:
        node.save_for_backward(input)
    return write_out(out, result(data, node))


# ---- rounding and sign ----------------------------------------------------------------------------
class _FlatBackward(Node):
    """Rounding and sign are piecewise constant: PyTorch's gradient is zeros."""

    def backward(self, grad):
        return (_zeros_like(grad),)


class FloorBackward0(_FlatBackward):
    pass


class CeilBackward0(_FlatBackward):
    pass


class TruncBackward0(_FlatBackward):
    pass


class RoundBackward0(_FlatBackward):
    pass


class RoundBackward1(_FlatBackward):
    """round(decimals=...)"""


class SignBackward0(_FlatBackward):
    pass


class SgnBackward0(_FlatBackward):
    """Flat for real input; for complex z, sgn(z) = z / |z| changes with z's direction: the gradient
    is (grad - Re(grad * conj(sgn)) * sgn) / |z|, and 0 at z = 0 (PyTorch's sgn_backward)."""

    def backward(self, grad):
        if self._saved_output is None:  # (a real input: nothing was kept)
            return (_zeros_like(grad),)
        input, = self.saved_tensors
        sign = self.saved_output
        magnitude = abs(input)
        tangential = (grad - real(grad * conj(sign)) * sign) / magnitude
        return (where(magnitude == 0, 0., tangential),)


def _rounding(np_function, op_name, input, node_class, out):
    """floor, ceil, trunc, round: integers are already whole (a copy); bool and complex have no kernel."""
    data = input._data
    if data.dtype.kind in 'bc':
        if data.dtype.kind == 'b' or op_name == 'round':
            raise NotImplementedError(f"\"{op_name}_vml_cpu\" not implemented for '{_scalar_type_name(data.dtype)}'")
        raise NotImplementedError(f"{op_name} is not supported for complex inputs")
    data = np_function(data) if data.dtype.kind == 'f' else data.copy()
    return write_out(out, result(data, record(node_class, input)))


def floor(input, *, out=None):
    """The largest integer <= input."""
    return _rounding(np.floor, 'floor', input, FloorBackward0, out)


def ceil(input, *, out=None):
    """The smallest integer >= input."""
    return _rounding(np.ceil, 'ceil', input, CeilBackward0, out)


def trunc(input, *, out=None):
    """input rounded toward zero."""
    return _rounding(np.trunc, 'trunc', input, TruncBackward0, out)


fix = trunc


def round(input, *, decimals=0, out=None):
    """input rounded to `decimals` decimal places, halves to even (as C's nearbyint)."""
    if decimals == 0:
        return _rounding(np.rint, 'round', input, RoundBackward0, out)
    _float_only('round', input, kinds='f')
    # PyTorch scales by a power of ten, rounds, and scales back
    if decimals > 0:
        scale = 10.0 ** decimals
        return _rounding(lambda data: np.rint(data * scale) / scale, 'round', input, RoundBackward1, out)
    scale = 10.0 ** -decimals
    return _rounding(lambda data: np.rint(data / scale) * scale, 'round', input, RoundBackward1, out)


def _sign(data):
    if data.dtype.kind == 'f':
        # PyTorch's (x > 0) - (x < 0): NaN and -0. give 0., where NumPy's sign keeps them
        return np.greater(data, 0).astype(data.dtype) - np.less(data, 0).astype(data.dtype)
    if data.dtype.kind == 'c':
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead.")
    return data.copy() if data.dtype == np.bool_ else np.sign(data)


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of input."""
    return write_out(out, result(_sign(input._data), record(SignBackward0, input)))


def sgn(input, *, out=None):
    """sign, extended to complex numbers (input / |input|)."""
    data = input._data
    if data.dtype.kind == 'c':
        magnitude = np.abs(data)
        with np.errstate(invalid='ignore', divide='ignore'):
            data = np.where(magnitude == 0, 0, data / magnitude).astype(data.dtype)
    else:
        data = _sign(data)
    node = record(SgnBackward0, input)
    out_tensor = result(data, node)
    if node is not None and data.dtype.kind == 'c':
        node.save_for_backward(input)
        node.save_output(out_tensor)
    return write_out(out, out_tensor)


class FracBackward0(Node):
    def backward(self, grad):
        return (grad,)


def frac(input, *, out=None):
    """The fractional part, input - trunc(input)."""
    _float_only('frac', input, kinds='f')
    return _unary(lambda data: data - np.trunc(data), input, FracBackward0, out)


# ---- binary math ----------------------------------------------------------------------------------
class Atan2Backward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        scale = grad / (input * input + other * other)
        return (scale * other if self.needs_input_grad(0) else None,
                -scale * input if self.needs_input_grad(1) else None)


def atan2(input, other, *, out=None):
    """The angle of the point (other, input): arctan(input / other) in the right quadrant."""
    _tensor_only('atan2', other)
    return _binary(np.arctan2, input, other, Atan2Backward0, out, to_float=True)


arctan2 = atan2


class HypotBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        scale = grad / self.saved_output
        return (scale * input if self.needs_input_grad(0) else None,
                scale * other if self.needs_input_grad(1) else None)


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2)."""
    _tensor_only('hypot', other)
    _float_only('hypot', input, other)
    t = _binary(np.hypot, input, other, HypotBackward0, None)
    if t.grad_fn is not None:
        t.grad_fn.save_output(t)
    return write_out(out, t)


class LogaddexpBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (grad / (1 + exp(other - input)) if self.needs_input_grad(0) else None,
                grad / (1 + exp(input - other)) if self.needs_input_grad(1) else None)


def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)), without overflow."""
    _tensor_only('logaddexp', other)
    return _binary(np.logaddexp, input, other, LogaddexpBackward0, out, to_float=True)


class Logaddexp2Backward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (grad / (1 + pow(2, other - input)) if self.needs_input_grad(0) else None,
                grad / (1 + pow(2, input - other)) if self.needs_input_grad(1) else None)


def logaddexp2(input, other, *, out=None):
    """log2(2**input + 2**other), without overflow."""
    _tensor_only('logaddexp2', other)
    return _binary(np.logaddexp2, input, other, Logaddexp2Backward0, out, to_float=True)


class XlogyBackward0(Node):
    """xlogy(tensor, tensor); a number operand is saved as a 0-d tensor"""

    def backward(self, grad):
        input, other = self.saved_tensors
        grad_input = None
        if self.needs_input_grad(0):
            # PyTorch's gradient is 0 where input == 0 and other <= 0 (log(other) is not finite
            # there): log(1) = 0 stands in for it
            hidden = (input == 0) & (other <= 0)
            grad_input = xlogy(grad, other * ~hidden + hidden)
        return grad_input, grad * input / other if self.needs_input_grad(1) else None


class XlogyBackward1(XlogyBackward0):
    """xlogy(number, tensor)"""


class XlogyBackward2(XlogyBackward0):
    """xlogy(tensor, number)"""


def _xlogy(x, y):
    # 0 * log(y) is 0 for any y but NaN
    y = np.asarray(y, dtype=x.dtype)
    return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(x.dtype, copy=False)


def xlogy(input, other, *, out=None):
    """input * log(other), taken as 0 where input is 0."""
    if not isinstance(input, Tensor):
        node_class = XlogyBackward1
    elif not isinstance(other, Tensor):
        node_class = XlogyBackward2
    else:
        node_class = XlogyBackward0
    t = _binary(_xlogy, input, other, node_class, None, save=False, to_float=True)
    if t.grad_fn is not None:
        dtype = t._data.dtype
        t.grad_fn.save_for_backward(*(x if isinstance(x, Tensor) else wrap(np.asarray(x, dtype))
                                      for x in (input, other)))
    return write_out(out, t)


class CopysignBackward0(Node):
    """copysign(tensor, tensor)"""

    def backward(self, grad):
        input, = self.saved_tensors
        # d/dx copysign(x, y) = sign(x) * sign(result), which is 0 at x = 0 as in PyTorch
        return (grad * sign(input) * sign(self.saved_output) if self.needs_input_grad(0) else None,
                _zeros_like(grad) if self.needs_input_grad(1) else None)


class CopysignBackward1(CopysignBackward0):
    """copysign(tensor, number)"""


def copysign(input, other, *, out=None):
    """|input| with the sign of other."""
    node_class = CopysignBackward0 if isinstance(other, Tensor) else CopysignBackward1
    t = _binary(np.copysign, input, other, node_class, None, save=False, to_float=True)
    if t.grad_fn is not None:
        t.grad_fn.save_for_backward(input)
        t.grad_fn.save_output(t)
    return write_out(out, t)


def heaviside(input, values, *, out=None):
    """The step function: 0 where input < 0, 1 where input > 0, `values` (broadcast) where input == 0.
    PyTorch defines no gradient for it, and needs both tensors of one dtype."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input._data.dtype.kind == 'c':
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    x, v = input._data, values._data
    try:
        data = np.where(x == 0, v, x > 0).astype(x.dtype)
    except ValueError:
        raise broadcast_error(x.shape, v.shape) from None
    return write_out(out, wrap(data))


# ---- maximum, minimum, clamp ----------------------------------------------------------------------
def pass_gradient(grad, mask):
    """`grad` where the bool tensor `mask` holds, 0 elsewhere. PyTorch's backwards of clamp, maximum,
    ... select rather than multiply by the mask: a blocked element gets 0 even when the incoming
    gradient is inf or NaN (0 * inf would be NaN)."""
    return where(mask, grad, 0.)


def _shared_by_ties(grad, input, other, loses):
    """The gradient of one operand of maximum/minimum: half of it at ties, none where it `loses`
    (where one side is NaN both get all of it)."""
    return pass_gradient(where(input == other, grad / 2, grad), ~loses)


class MaximumBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (_shared_by_ties(grad, input, other, input < other) if self.needs_input_grad(0) else None,
                _shared_by_ties(grad, input, other, input > other) if self.needs_input_grad(1) else None)


def maximum(input, other, *, out=None):
    """The elementwise larger of input and other (NaN if either is NaN)."""
    _real_tensors_only('maximum', input, other)
    return _binary(np.maximum, input, other, MaximumBackward0, out)


class MinimumBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (_shared_by_ties(grad, input, other, input > other) if self.needs_input_grad(0) else None,
                _shared_by_ties(grad, input, other, input < other) if self.needs_input_grad(1) else None)


def minimum(input, other, *, out=None):
    """The elementwise smaller of input and other (NaN if either is NaN)."""
    _real_tensors_only('minimum', input, other)
    return _binary(np.minimum, input, other, MinimumBackward0, out)


class FmaxBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        # no tie splitting here: input wins ties, and wins over a NaN other
        input_wins = (input >= other) | isnan(other)
        return (pass_gradient(grad, input_wins) if self.needs_input_grad(0) else None,
                pass_gradient(grad, ~input_wins) if self.needs_input_grad(1) else None)


def fmax(input, other, *, out=None):
    """maximum that ignores NaN: the other value is taken where one side is NaN."""
    _real_tensors_only('fmax', input, other)
    return _binary(np.fmax, input, other, FmaxBackward0, out)


class FminBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        input_wins = (input <= other) | isnan(other)
        return (pass_gradient(grad, input_wins) if self.needs_input_grad(0) else None,
                pass_gradient(grad, ~input_wins) if self.needs_input_grad(1) else None)


def fmin(input, other, *, out=None):
    """minimum that ignores NaN: the other value is taken where one side is NaN."""
    _real_tensors_only('fmin', input, other)
    return _binary(np.fmin, input, other, FminBackward0, out)


def _clamp_data(input, min, max):
    """max(input, min) then min(that, max) in the promoted dtype: where min > max the result is max."""
    bounds = [b for b in (min, max) if b is not None]
    target = dtypes.result_numpy_dtype(input, *bounds)
    if target.kind == 'c':
        raise NotImplementedError("clamp is not supported for complex types")
    data = input._data if input._data.dtype == target else input._data.astype(target)
    lower = min._data.astype(target, copy=False) if isinstance(min, Tensor) else min
    upper = max._data.astype(target, copy=False) if isinstance(max, Tensor) else max
    try:
        # number bounds keep the input where it equals the bound (the sign of a zero), as PyTorch's
        # clamp does; tensor bounds take NumPy's choice, which PyTorch's own is, except in the last few
        # elements of its vectorised loop
        if lower is not None:
            data = (np.maximum if isinstance(min, Tensor) else ordered_maximum)(data, lower)
        if upper is not None:
            data = (np.minimum if isinstance(max, Tensor) else ordered_minimum)(data, upper)
    except ValueError:
        raise broadcast_error(input._data.shape, np.broadcast_shapes(*(np.shape(b) for b in bounds))) from None
    return data


def _within(input, min, max):
    """The mask where clamp passes input through (bounds inclusive, either may be None)."""
    if max is None:
        return input >= min
    if min is None:
        return input <= max
    return (input >= min) & (input <= max)


class ClampBackward1(Node):
    """clamp with number bounds"""
    __slots__ = ('min', 'max')

    def backward(self, grad):
        input, = self.saved_tensors
        return (pass_gradient(grad, _within(input, self.min, self.max)),)


class ClampBackward0(Node):
    """clamp with tensor bounds: each bound gets the gradient where it is the result"""

    def backward(self, grad):
        input, min, max = self.saved_tensors
        grad_min = grad_max = None
        if self.needs_input_grad(1):
            below = input < min
            grad_min = pass_gradient(grad, below if max is None else below & (min <= max))
        if self.needs_input_grad(2):
            above = input > max
            grad_max = pass_gradient(grad, above if min is None else above | (max < min))
        grad_input = pass_gradient(grad, _within(input, min, max)) if self.needs_input_grad(0) else None
        return grad_input, grad_min, grad_max


def clamp(input, min=None, max=None, *, out=None):
    """input limited to [min, max]; either bound may be None, a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    data = _clamp_data(input, min, max)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        node = record(ClampBackward0, input, min, max)
        if node is not None:
            node.save_for_backward(input, min, max)
    else:
        node = record(ClampBackward1, input)
        if node is not None:
            node.min, node.max = min, max
            node.save_for_backward(input)
    return write_out(out, result(data, node))


clip = clamp


class ClampMinBackward0(Node):
    """clamp_min(tensor, number)"""
    __slots__ = ('min',)

    def backward(self, grad):
        input, = self.saved_tensors
        return (pass_gradient(grad, input >= self.min),)


class ClampMinBackward1(Node):
    """clamp_min(tensor, tensor)"""

    def backward(self, grad):
        input, min = self.saved_tensors
        return (pass_gradient(grad, input >= min) if self.needs_input_grad(0) else None,
                pass_gradient(grad, input < min) if self.needs_input_grad(1) else None)


def clamp_min(input, min, *, out=None):
    """max(input, min)."""
    data = _clamp_data(input, min, None)
    if isinstance(min, Tensor):
        node = record(ClampMinBackward1, input, min)
        if node is not None:
            node.save_for_backward(input, min)
    else:
        node = record(ClampMinBackward0, input)
        if node is not None:
            node.min = min
            node.save_for_backward(input)
    return write_out(out, result(data, node))


class ClampMaxBackward0(Node):
    """clamp_max(tensor, number)"""
    __slots__ = ('max',)

    def backward(self, grad):
        input, = self.saved_tensors
        return (pass_gradient(grad, input <= self.max),)


class ClampMaxBackward1(Node):
    """clamp_max(tensor, tensor)"""

    def backward(self, grad):
        input, max = self.saved_tensors
        return (pass_gradient(grad, input <= max) if self.needs_input_grad(0) else None,
                pass_gradient(grad, input > max) if self.needs_input_grad(1) else None)


def clamp_max(input, max, *, out=None):
    """min(input, max)."""
    data = _clamp_data(input, None, max)
    if isinstance(max, Tensor):
        node = record(ClampMaxBackward1, input, max)
        if node is not None:
            node.save_for_backward(input, max)
    else:
        node = record(ClampMaxBackward0, input)
        if node is not None:
            node.max = max
            node.save_for_backward(input)
    return write_out(out, result(data, node))


# ---- comparisons and logic: bool results, no gradient ---------------------------------------------
def _compare(ufunc, input, other, out):
    """A broadcasting comparison in the promoted dtype (so `int_tensor == 1.5` compares as floats)."""
    a, b = binary_operands(input, other)
    return write_out(out, result(_broadcasting(ufunc, a, b)))


def _order(ufunc, kernel_name, input, other, out):
    """<, <=, >, >=: a comparison that needs an order, which complex numbers don't have."""
    a, b = binary_operands(input, other)
    refuse_complex(a, kernel_name)
    return write_out(out, result(_broadcasting(ufunc, a, b)))


def _broadcasting(ufunc, a, b):
    """ufunc(a, b), with PyTorch's error for shapes that don't broadcast."""
    try:
        return ufunc(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


def eq(input, other, *, out=None):
    """input == other, elementwise."""
    return _compare(np.equal, input, other, out)


def ne(input, other, *, out=None):
    """input != other, elementwise."""
    return _compare(np.not_equal, input, other, out)


def lt(input, other, *, out=None):
    """input < other, elementwise."""
    return _order(np.less, 'lt_cpu', input, other, out)


def le(input, other, *, out=None):
    """input <= other, elementwise."""
    return _order(np.less_equal, 'le_cpu', input, other, out)


def gt(input, other, *, out=None):
    """input > other, elementwise."""
    return _order(np.greater, 'gt_cpu', input, other, out)


def ge(input, other, *, out=None):
    """input >= other, elementwise."""
    return _order(np.greater_equal, 'ge_cpu', input, other, out)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(ufunc, input, other, out):
    """Logical ops read any dtype as truth values."""
    return write_out(out, result(_broadcasting(ufunc, input._data,
                                              other._data if isinstance(other, Tensor) else other)))


def logical_and(input, other, *, out=None):
    """input and other, as truth values."""
    return _logical(np.logical_and, input, other, out)


def logical_or(input, other, *, out=None):
    """input or other, as truth values."""
    return _logical(np.logical_or, input, other, out)


def logical_xor(input, other, *, out=None):
    """Exactly one of input and other true."""
    return _logical(np.logical_xor, input, other, out)


def logical_not(input, *, out=None):
    """not input, as truth values."""
    return write_out(out, result(np.logical_not(input._data)))


def _bitwise(ufunc, op_name, input, other, out):
    """Bitwise ops exist for integers and bool only."""
    if not isinstance(input, Tensor):  # `3 & tensor`
        input, other = other, input
    _integer_only(op_name, input, other)
    a, b = binary_operands(input, other)
    return write_out(out, result(_broadcasting(ufunc, a, b)))


def _integer_only(op_name, *operands):
    for x in operands:
        kind = x._data.dtype.kind if isinstance(x, Tensor) else ('f' if isinstance(x, float) else 'i')
        if kind in 'fc':
            name = _scalar_type_name(x._data.dtype) if isinstance(x, Tensor) else 'Float'
            raise NotImplementedError(f"\"{op_name}_cpu\" not implemented for '{name}'")


def bitwise_and(input, other, *, out=None):
    """Bitwise AND of integers (logical AND of bools)."""
    return _bitwise(np.bitwise_and, 'bitwise_and', input, other, out)


def bitwise_or(input, other, *, out=None):
    """Bitwise OR of integers (logical OR of bools)."""
    return _bitwise(np.bitwise_or, 'bitwise_or', input, other, out)


def bitwise_xor(input, other, *, out=None):
    """Bitwise XOR of integers (logical XOR of bools)."""
    return _bitwise(np.bitwise_xor, 'bitwise_xor', input, other, out)


def bitwise_left_shift(input, other, *, out=None):
    """input << other."""
    return _bitwise(np.left_shift, 'lshift', input, other, out)


def bitwise_right_shift(input, other, *, out=None):
    """input >> other (arithmetic shift for signed integers)."""
    return _bitwise(np.right_shift, 'rshift', input, other, out)


def bitwise_not(input, *, out=None):
    """Bitwise NOT of integers (logical NOT of bools)."""
    _integer_only('bitwise_not', input)
    return write_out(out, result(np.invert(input._data)))


def isnan(input):
    """True where input is NaN."""
    return result(np.isnan(input._data))


def isinf(input):
    """True where input is +inf or -inf."""
    return result(np.isinf(input._data))


def _infinity_test(np_function, name, data):
    try:
        return np_function(data)
    except TypeError:  # NumPy refuses complex values too, with its own message
        if data.dtype.kind == 'c':
            raise RuntimeError(f"{name} does not support complex inputs.") from None
        raise


def isposinf(input, *, out=None):
    """True where input is +inf."""
    return write_out(out, result(_infinity_test(np.isposinf, 'isposinf', input._data)))


def isneginf(input, *, out=None):
    """True where input is -inf."""
    return write_out(out, result(_infinity_test(np.isneginf, 'isneginf', input._data)))


def isfinite(input):
    """True where input is neither infinite nor NaN."""
    return result(np.isfinite(input._data))


def isreal(input):
    """True where input has no imaginary part (everywhere, for real dtypes)."""
    return result(np.isreal(input._data))


def _check_same_dtype(input, other):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_scalar_type_name(input._data.dtype)} did not match "
                           f"{_scalar_type_name(other._data.dtype)}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise."""
    _check_same_dtype(input, other)
    try:
        return result(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error(input._data.shape, other._data.shape) from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if isclose holds everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both tensors have the same shape and the same values."""
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# ---- filling (the in-place methods zero_ and fill_ run these through Tensor._inplace) -----------------
class ZeroBackward0(Node):
    def backward(self, grad):
        return (_zeros_like(grad),)


def zero(input):
    """Zeros shaped like input (what `zero_` writes)."""
    return result(np.zeros_like(input._data), record(ZeroBackward0, input))


class FillBackward2(Node):
    """fill with a number"""

    def backward(self, grad):
        return (_zeros_like(grad),)


class FillBackward3(Node):
    """fill with a 0-d tensor: the tensor receives the sum of the gradient"""

    def backward(self, grad):
        return (_zeros_like(grad) if self.needs_input_grad(0) else None,
                grad.sum() if self.needs_input_grad(1) else None)


def fill(input, value):
    """A tensor shaped like input, every element `value` (a number or a 0-d tensor), in input's dtype."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return result(np.full_like(input._data, value._data), record(FillBackward3, input, value))
    from .._creation import fill_scalar
    return result(np.full_like(input._data, fill_scalar(value, input._data.dtype)), record(FillBackward2, input))


# ---- in-place kernels: optimizer updates written straight into the tensor's memory ----------------
# `Tensor._inplace` looks an op up here when autograd records nothing. A kernel returns False when it
# can't write in place exactly as the op would (dtype change, broadcasting of self, read-only
# memory); the general path then computes the result and raises PyTorch's error if there is one.
def _operand(data, other):
    """`other` as an operand that keeps `data`'s dtype, or None."""
    cls = other.__class__
    if cls is Tensor:
        other_data = other._data
        return other_data if other_data.dtype == data.dtype else None
    if cls is float:
        return other if data.dtype.kind == 'f' else None
    if cls is int:
        return other if data.dtype.kind in 'fiu' else None
    return None


def _scaled(operand, factor, data):
    """operand * factor, or None when the factor would change data's dtype."""
    if factor == 1:
        return operand
    if factor.__class__ is float and data.dtype.kind != 'f':
        return None
    return operand * factor


def _accumulate_kernel(ufunc, data, other, alpha):
    """data = ufunc(data, alpha * other), in place: add_ and sub_."""
    operand = _operand(data, other)
    if operand is None or (operand := _scaled(operand, alpha, data)) is None:
        return False
    try:
        ufunc(data, operand, out=data)
    except ValueError:
        return False
    return True


def _add_kernel(data, other, *, alpha=1):
    return _accumulate_kernel(np.add, data, other, alpha)


def _sub_kernel(data, other, *, alpha=1):
    # np.subtract rather than adding -other: `p -= lr * grad` makes no negated temporary
    return data.dtype != np.bool_ and _accumulate_kernel(np.subtract, data, other, alpha)


def _mul_kernel(data, other):
    operand = _operand(data, other)
    if operand is None:
        return False
    try:
        np.multiply(data, operand, out=data)
    except ValueError:
        return False
    return True


def _div_kernel(data, other, *, rounding_mode=None):
    operand = _operand(data, other)
    if operand is None or rounding_mode is not None or data.dtype.kind != 'f':
        return False
    try:
        np.divide(data, operand, out=data)
    except ValueError:
        return False
    return True


def _product_kernel(ufunc):
    """addcmul and addcdiv: data += value * ufunc(tensor1, tensor2)."""
    def kernel(data, tensor1, tensor2, *, value=1):
        a, b = _operand(data, tensor1), _operand(data, tensor2)
        if a is None or b is None or data.dtype.kind != 'f':
            return False
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                term = ufunc(a, b)
                if value != 1:
                    term *= value
            np.add(data, term, out=data)
        except ValueError:
            return False
        return True
    return kernel


def _lerp_kernel(data, end, weight):
    operand = _operand(data, end)
    if operand is None or weight.__class__ is not float or data.dtype.kind != 'f':
        return False
    try:
        step = operand - data
        step *= weight
        np.add(data, step, out=data)
    except ValueError:
        return False
    return True


def _clamp_kernel(data, min=None, max=None):
    # number bounds only, of a kind that keeps data's dtype
    for bound in (min, max):
        if bound is not None and (bound.__class__ is Tensor or _operand(data, bound) is None):
            return False
    if (min is None and max is None) or not data.flags.writeable:
        return False
    if min is not None:
        ordered_maximum(data, min, out=data)
    if max is not None:
        ordered_minimum(data, max, out=data)
    return True


def _unary_kernel(ufunc):
    def kernel(data):
        if data.dtype.kind != 'f' or not data.flags.writeable:
            return False
        with np.errstate(invalid='ignore', over='ignore'):
            ufunc(data, out=data)
        return True
    return kernel


def _zero_kernel(data):
    if not data.flags.writeable:
        return False
    data.fill(0)
    return True


def _fill_kernel(data, value):
    if value.__class__ not in (int, float, bool) or not data.flags.writeable:
        return False
    from .._creation import fill_scalar
    data.fill(fill_scalar(value, data.dtype))
    return True


INPLACE_KERNELS = {
    add: _add_kernel, sub: _sub_kernel, mul: _mul_kernel, div: _div_kernel,
    addcmul: _product_kernel(np.multiply), addcdiv: _product_kernel(np.divide), lerp: _lerp_kernel,
    clamp: _clamp_kernel, sqrt: _unary_kernel(np.sqrt), exp: _unary_kernel(np.exp), zero: _zero_kernel,
    fill: _fill_kernel,
}
