"""Elementwise ops: arithmetic with broadcasting, unary math, comparisons and logic.

Each op is its forward function next to its backward node. A backward returns the gradient for
each input in argument order (None where an input needs none); the engine sums a gradient down to
its input's shape when the forward broadcast, so formulas here are written for the broadcast shape.
"""
import numpy as np

from .. import _dtype as dtypes
from ..autograd.graph import Node
from ._util import (record, result, write_out, binary_operands, broadcast_error, default_float,
                    as_tensor_arg, wrap)
from .._tensor import Tensor

__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
           'negative', 'pow', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'absolute', 'sigmoid', 'tanh',
           'relu', 'sin', 'cos', 'square']
TENSOR_METHODS = ('add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg',
                  'negative', 'pow', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'absolute', 'sigmoid', 'tanh',
                  'relu', 'sin', 'cos', 'square')
INPLACE_METHODS = ('add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'neg', 'negative',
                   'pow', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'absolute', 'sigmoid', 'tanh', 'relu', 'sin',
                   'cos', 'square')


# ---- helpers shared by the ops of this file ------------------------------------------------------
def _binary(ufunc, input, other, node_class, out, save=True):
    """Forward of a broadcasting binary op: promote, compute, record (saving both operands)."""
    a, b = binary_operands(input, other)
    try:
        data = ufunc(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    node = record(node_class, input, other)
    if node is not None and save:
        node.save_for_backward(input, other)
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


# ---- arithmetic -----------------------------------------------------------------------------------
class AddBackward0(Node):
    __slots__ = ('alpha',)

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting."""
    a, b = binary_operands(input, other)
    if alpha != 1:
        b = b * alpha
    try:
        data = a + b
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    node = record(AddBackward0, input, other)
    if node is not None:
        node.alpha = alpha
    return write_out(out, result(data, node))


class SubBackward0(Node):
    __slots__ = ('alpha',)

    def backward(self, grad):
        return grad, -grad if self.alpha == 1 else grad * -self.alpha


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, broadcasting."""
    a, b = binary_operands(input, other)
    if a.dtype == np.bool_ and getattr(b, 'dtype', None) == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        b = b * alpha
    try:
        data = a - b
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
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
        return (grad * other if self.needs_input_grad(0) else None,
                grad * input if self.needs_input_grad(1) else None)


def mul(input, other, *, out=None):
    """input * other, broadcasting."""
    return _binary(np.multiply, input, other, MulBackward0, out)


multiply = mul


class DivBackward0(Node):
    __slots__ = ('rounding_mode',)

    def backward(self, grad):
        if self.rounding_mode is not None:  # floor/trunc are flat almost everywhere
            input, other = self.saved_tensors
            return (grad * 0 if self.needs_input_grad(0) else None,
                    grad * 0 if self.needs_input_grad(1) else None)
        input, other = self.saved_tensors
        grad_input = grad / other if self.needs_input_grad(0) else None
        grad_other = -grad * input / (other * other) if self.needs_input_grad(1) else None
        return grad_input, grad_other


def div(input, other, *, rounding_mode=None, out=None):
    """input / other. Integer inputs divide as floats unless `rounding_mode` is 'trunc' or 'floor'."""
    a, b = binary_operands(input, other)
    try:
        if rounding_mode is None:
            if a.dtype.kind not in 'fc':
                a = default_float(a)
                if isinstance(b, np.ndarray):
                    b = b.astype(a.dtype)
            with np.errstate(divide='ignore', invalid='ignore'):
                data = np.true_divide(a, b)
        elif rounding_mode == 'trunc':
            with np.errstate(divide='ignore', invalid='ignore'):
                if a.dtype.kind in 'iu':
                    _check_integer_division(b)
                    data = _int_trunc_div(a, b)
                else:
                    data = np.trunc(np.true_divide(a, b))
        elif rounding_mode == 'floor':
            with np.errstate(divide='ignore', invalid='ignore'):
                if a.dtype.kind in 'iu':
                    _check_integer_division(b)
                    data = np.floor_divide(a, b)
                else:
                    data = np.floor(np.true_divide(a, b))
        else:
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                               f"'{rounding_mode}'")
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    data = np.asarray(data)
    node = record(DivBackward0, input, other)
    if node is not None:
        node.rounding_mode = rounding_mode
        node.save_for_backward(input, other)
    return write_out(out, result(data, node))


def _check_integer_division(b):
    if np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def _int_trunc_div(a, b):
    q = np.floor_divide(a, b)
    # floor and trunc differ when the signs differ and the division is inexact
    fix = (np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
    return q + fix.astype(q.dtype)


divide = div
true_divide = div


class NegBackward0(Node):
    def backward(self, grad):
        return (-grad,)


def neg(input, *, out=None):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _unary(np.negative, input, NegBackward0, out, to_float=False)


negative = neg


class PowBackward0(Node):
    """pow(tensor, number)"""
    __slots__ = ('exponent',)

    def backward(self, grad):
        input, = self.saved_tensors
        e = self.exponent
        if e == 0:
            return (grad * 0,)
        return (grad * e * input ** (e - 1),)


class PowBackward1(Node):
    """pow(tensor, tensor)"""

    def backward(self, grad):
        input, exponent = self.saved_tensors
        grad_input = grad_exponent = None
        if self.needs_input_grad(0):
            grad_input = grad * exponent * input ** (exponent - 1)
            grad_input = where_nonzero_exponent(exponent, grad_input)
        if self.needs_input_grad(1):
            out = input ** exponent
            grad_exponent = grad * out * log(input).masked_fill((input == 0) & (exponent >= 0), 0)
        return grad_input, grad_exponent


class PowBackward2(Node):
    """pow(number, tensor)"""
    __slots__ = ('base',)

    def backward(self, grad):
        exponent, = self.saved_tensors
        base = self.base
        return (grad * (base ** exponent) * float(np.log(base)) if base != 0 else grad * 0,)


def where_nonzero_exponent(exponent, grad_input):
    return grad_input.masked_fill(exponent == 0, 0)


def pow(input, exponent, *, out=None):
    """input ** exponent; either may be a number."""
    if not isinstance(input, Tensor):
        base = input
        exponent_t = exponent
        a, b = binary_operands(exponent_t, base)
        if a.dtype.kind in 'iu' and isinstance(base, int):
            data = np.power(b, a)
        else:
            data = np.power(b, a)
        node = record(PowBackward2, exponent_t)
        if node is not None:
            node.base = base
            node.save_for_backward(exponent_t)
        return write_out(out, result(np.asarray(data), node))
    if isinstance(exponent, Tensor):
        a, b = binary_operands(input, exponent)
        if a.dtype.kind in 'iu' and np.any(b < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                data = np.power(a, b)
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
        node = record(PowBackward1, input, exponent)
        if node is not None:
            node.save_for_backward(input, exponent)
        return write_out(out, result(data, node))
    a, e = binary_operands(input, exponent)
    if a.dtype.kind in 'iu' and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide='ignore', invalid='ignore'):
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
    return write_out(out, result(np.asarray(data, dtype=a.dtype) if np.ndim(data) == 0 else data, node))


class ExpBackward0(Node):
    def backward(self, grad):
        return (grad * self.saved_output,)


def exp(input, *, out=None):
    return _unary(np.exp, input, ExpBackward0, out, save_output=True)


class LogBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad / input,)


def log(input, *, out=None):
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(np.log, input, LogBackward0, out, save_input=True)


class SqrtBackward0(Node):
    def backward(self, grad):
        return (grad / (2 * self.saved_output),)


def sqrt(input, *, out=None):
    with np.errstate(invalid='ignore'):
        return _unary(np.sqrt, input, SqrtBackward0, out, save_output=True)


class RsqrtBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (-0.5 * grad * out * out * out,)


def rsqrt(input, *, out=None):
    with np.errstate(divide='ignore', invalid='ignore'):
        return _unary(lambda a: 1 / np.sqrt(a), input, RsqrtBackward0, out, save_output=True)


class AbsBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * input.sign(),)


def abs(input, *, out=None):
    return _unary(np.abs, input, AbsBackward0, out, save_input=True, to_float=False)


absolute = abs


class SigmoidBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * out * (1 - out),)


def _sigmoid(a):
    # exp(-|a|) never overflows; the two branches give the same value where both are finite
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def sigmoid(input, *, out=None):
    return _unary(_sigmoid, input, SigmoidBackward0, out, save_output=True)


class TanhBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * (1 - out * out),)


def tanh(input, *, out=None):
    return _unary(np.tanh, input, TanhBackward0, out, save_output=True)


class ReluBackward0(Node):
    def backward(self, grad):
        out = self.saved_output
        return (grad * (out > 0),)


def relu(input):
    return _unary(lambda a: np.maximum(a, 0, dtype=a.dtype), input, ReluBackward0, save_output=True,
                  to_float=False)


class SinBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (grad * cos(input),)


def sin(input, *, out=None):
    return _unary(np.sin, input, SinBackward0, out, save_input=True)


class CosBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        return (-grad * sin(input),)


def cos(input, *, out=None):
    return _unary(np.cos, input, CosBackward0, out, save_input=True)


def square(input, *, out=None):
    return pow(input, 2, out=out)
