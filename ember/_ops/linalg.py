"""Matrix products and linear algebra: matmul, mm, bmm, dot, outer, ...

The gradients of a product conjugate the other factor (`grad @ B.mH`, `grad * conj(other)`): PyTorch's
convention for complex tensors (see complex.py); for real tensors `mH` is the transpose and `conj` a no-op."""
import math

import numpy as np

from .. import _warnings
from ..autograd.graph import Node
from .._dtype import cpp_type_name
from .._tensor import _scalar_type_name
from ._util import broadcast_error, record, result, write_out
from . import view as views
from .complex import conj

__all__ = ['matmul', 'mm', 'bmm', 'dot', 'vdot', 'inner', 'outer', 'ger', 'mv', 'addmm', 'addmv', 'addbmm',
           'baddbmm', 'addr', 'chain_matmul']
TENSOR_METHODS = ('matmul', 'mm', 'bmm', 'dot', 'vdot', 'inner', 'outer', 'ger', 'mv', 'addmm', 'addmv', 'addbmm',
                  'baddbmm', 'addr')
INPLACE_METHODS = ('addmm', 'addmv', 'addbmm', 'baddbmm', 'addr')


class MmBackward0(Node):
    def backward(self, grad):
        input, mat2 = self.saved_tensors
        return (grad.mm(mat2.mH) if self.needs_input_grad(0) else None,
                input.mH.mm(grad) if self.needs_input_grad(1) else None)


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-d tensors."""
    a, b = input._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_type_name(a.dtype)} != "
                           f"{cpp_type_name(b.dtype)}")
    node = record(MmBackward0, input, mat2)
    if node is not None:
        node.save_crosswise(input, mat2)
    return write_out(out, result(a @ b, node))


class MatmulBackward0(Node):
    """matmul's gradient for the operand shapes that PyTorch computes by a composite of views around
    mm or bmm; subclasses carry the name of that composite's last node, which PyTorch shows."""
    __slots__ = ('self_ndim', 'other_ndim')

    def backward(self, grad):
        a, b = self.saved_tensors  # each kept only if the other's gradient is needed
        # promote 1-d operands to matrices as the forward did, then undo it on the gradients
        if self.self_ndim == 1:
            a = a.unsqueeze(0) if a is not None else None
            grad = grad.unsqueeze(-2)
        if self.other_ndim == 1:
            b = b.unsqueeze(-1) if b is not None else None
            grad = grad.unsqueeze(-1)
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            shape = self.input_meta[0][0]
            grad_a = grad.matmul(b.mH)
            if self.self_ndim == 1:
                grad_a = grad_a.reshape(grad_a.shape[:-2] + grad_a.shape[-1:])
            grad_a = grad_a.sum_to_size(shape) if grad_a.shape != shape else grad_a
        if self.needs_input_grad(1):
            shape = self.input_meta[1][0]
            grad_b = a.mH.matmul(grad)
            if self.other_ndim == 1:
                grad_b = grad_b.squeeze(-1)
            grad_b = grad_b.sum_to_size(shape) if grad_b.shape != shape else grad_b
        return grad_a, grad_b


class SqueezeBackward4(MatmulBackward0):
    """vector @ matrix: PyTorch's unsqueeze, mm, squeeze."""
    __slots__ = ()


class UnsafeViewBackward0(MatmulBackward0):
    """A batch of matrices on either side: PyTorch's folded mm or broadcast bmm, viewed back."""
    __slots__ = ()


def matmul(input, other, *, out=None):
    """Matrix product with NumPy's rules for 1-d operands and batch broadcasting. As in PyTorch, two
    vectors take `dot` and a matrix and a vector `mv` (their gradients and error messages)."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if b.ndim == 1 and a.ndim <= 2:
        return (dot if a.ndim == 1 else mv)(input, other, out=out)
    _check_matmul_shapes(a, b)  # (before the dtypes, as PyTorch)
    if a.dtype != b.dtype:
        if b.ndim == 2:  # PyTorch's mm, or a batch folded into one
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_type_name(a.dtype)} != "
                               f"{cpp_type_name(b.dtype)}")
        raise RuntimeError(f"expected scalar type {_scalar_type_name(a.dtype)} but found {_scalar_type_name(b.dtype)}")
    data = np.matmul(a, b)
    node_class = MmBackward0 if a.ndim == 2 and b.ndim == 2 else SqueezeBackward4 if a.ndim == 1 and b.ndim == 2 \
        else UnsafeViewBackward0
    node = record(node_class, input, other)
    if node is not None:
        node.save_crosswise(input, other)
        node.self_ndim, node.other_ndim = a.ndim, b.ndim
    return write_out(out, result(np.asarray(data), node))


def _check_matmul_shapes(a, b):
    """PyTorch's shape errors for matmul: those of the mm, mv or bmm it folds the operands into,
    after the batch dims are broadcast."""
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    inner = a.shape[-1]
    rows = math.prod(a.shape[:-1])
    if b.ndim == 1:
        if inner != b.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{inner}), vec ({b.shape[0]})")
    elif inner != b.shape[-2]:
        if b.ndim == 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        count = math.prod(batch)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {inner}] but "
                           f"got: [{count}, {b.shape[-2]}].")


# ---- products of batches, vectors ------------------------------------------------------------------------
def _same_dtype(first, second, message):
    if first._data.dtype != second._data.dtype:
        raise RuntimeError(message.format(_scalar_type_name(first._data.dtype), _scalar_type_name(second._data.dtype)))


class BmmBackward0(Node):
    def backward(self, grad):
        input, mat2 = self.saved_tensors
        return (grad.bmm(mat2.mH) if self.needs_input_grad(0) else None,
                input.mH.bmm(grad) if self.needs_input_grad(1) else None)


def _check_batches(batch1, batch2):
    a, b = batch1._data, batch2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _same_dtype(batch1, batch2, "expected scalar type {} but found {}")


def bmm(input, mat2, *, out=None):
    """Matrix products of two batches of matrices, (b, n, m) @ (b, m, p) -> (b, n, p)."""
    _check_batches(input, mat2)
    node = record(BmmBackward0, input, mat2)
    if node is not None:
        node.save_crosswise(input, mat2)
    return write_out(out, result(np.matmul(input._data, mat2._data), node))


class DotBackward0(Node):
    def backward(self, grad):
        input, other = self.saved_tensors
        return (grad * conj(other) if self.needs_input_grad(0) else None,
                grad * conj(input) if self.needs_input_grad(1) else None)


class VdotBackward0(DotBackward0):
    __slots__ = ()


def _dot(node_class, input, other, out):
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    _same_dtype(input, other, "dot : expected both vectors to have same dtype, but found {} and {}")  # (first)
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.size}] and src [{b.size}] to have the same "
                           f"number of elements, but got {a.size} and {b.size} elements respectively")
    node = record(node_class, input, other)
    if node is not None:
        node.save_crosswise(input, other)
    return write_out(out, result(np.asarray(np.dot(a, b)), node))


def dot(input, other, *, out=None):
    """The inner product of two 1-d tensors of the same length."""
    return _dot(DotBackward0, input, other, out)


def vdot(input, other, *, out=None):
    """`dot` with the first vector conjugated (the same as `dot` for real tensors)."""
    return _dot(VdotBackward0, conj(input), other, out)


def inner(input, other, *, out=None):
    """Sums of products over the last dim of both: shape input.shape[:-1] + other.shape[:-1]."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return write_out(out, input * other)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    size = a.shape[-1]
    product = mm(views.reshape(input, (-1, size)), views.t(views.reshape(other, (-1, size))))
    return write_out(out, views.reshape(product, a.shape[:-1] + b.shape[:-1]))


def outer(input, vec2, *, out=None):
    """The outer product of two 1-d tensors: out[i, j] = input[i] * vec2[j]."""
    for name, v in (('self', input), ('vec2', vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return write_out(out, views.unsqueeze(input, 1) * vec2)


ger = outer


class MvBackward0(Node):
    def backward(self, grad):
        input, vec = self.saved_tensors
        return (outer(grad, conj(vec)) if self.needs_input_grad(0) else None,
                input.mH.mv(grad) if self.needs_input_grad(1) else None)


def mv(input, vec, *, out=None):
    """Matrix-vector product: (n, m) @ (m,) -> (n,)."""
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                           f"vec ({v.shape[0]})")
    _same_dtype(input, vec, "expected scalar type {} but found {}")
    node = record(MvBackward0, input, vec)
    if node is not None:
        node.save_crosswise(input, vec)
    return write_out(out, result(a @ v, node))


# ---- beta * input + alpha * product ------------------------------------------------------------------------
def _scaled(grad, factor):
    """The gradient of `factor * x` (conjugated, for a complex factor)."""
    return grad if factor == 1 else grad * factor.conjugate()


def _add_scaled(input, product, beta, alpha, others):
    """`beta * input + alpha * product` (NumPy arrays out), with `input` broadcast to the product's shape.
    As PyTorch documents, beta=0 ignores input entirely, so nan and inf in it don't propagate."""
    data = input._data
    for t in others:
        if t._data.dtype != data.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_scalar_type_name(data.dtype)} "
                               f"and {_scalar_type_name(t._data.dtype)}")
    if data.shape != product.shape:
        views.expand(input.detach(), product.shape)  # raises PyTorch's error when input doesn't broadcast
    if alpha != 1:
        product = product * np.asarray(alpha, dtype=product.dtype)
    if beta == 0:
        return product
    return product + (data if beta == 1 else data * np.asarray(beta, dtype=data.dtype))


class AddmmBackward0(Node):
    __slots__ = ('beta', 'alpha')

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        return (_scaled(grad, self.beta) if self.needs_input_grad(0) else None,
                _scaled(grad.mm(mat2.mH), self.alpha) if self.needs_input_grad(1) else None,
                _scaled(mat1.mH.mm(grad), self.alpha) if self.needs_input_grad(2) else None)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); `input` broadcasts to the product's shape. What nn.Linear runs."""
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'mat1' if a.ndim != 2 else 'mat2'} must be a matrix, got {a.ndim if a.ndim != 2 else b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    value = _add_scaled(input, a @ b, beta, alpha, (mat1, mat2))
    node = record(AddmmBackward0, input, mat1, mat2)
    if node is not None:
        node.save_crosswise(mat1, mat2, first_index=1)
        node.beta, node.alpha = beta, alpha
    return write_out(out, result(value, node))


class AddmvBackward0(Node):
    __slots__ = ('beta', 'alpha')

    def backward(self, grad):
        mat, vec = self.saved_tensors
        return (_scaled(grad, self.beta) if self.needs_input_grad(0) else None,
                _scaled(outer(grad, conj(vec)), self.alpha) if self.needs_input_grad(1) else None,
                _scaled(mat.mH.mv(grad), self.alpha) if self.needs_input_grad(2) else None)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    m, v = mat._data, vec._data
    if m.ndim != 2 or v.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (input._data.ndim and input._data.shape[0] not in (1, m.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), "
                           f"mat ({m.shape[0]}x{m.shape[1]}), vec ({v.shape[0]})")
    value = _add_scaled(input, m @ v, beta, alpha, (mat, vec))
    node = record(AddmvBackward0, input, mat, vec)
    if node is not None:
        node.save_crosswise(mat, vec, first_index=1)
        node.beta, node.alpha = beta, alpha
    return write_out(out, result(value, node))


class AddbmmBackward0(Node):
    __slots__ = ('beta', 'alpha')

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        # every matrix of the batch received the same output gradient
        per_batch = views.expand(views.unsqueeze(grad, 0), (batch1.shape[0],) + tuple(grad.shape))
        return (_scaled(grad, self.beta) if self.needs_input_grad(0) else None,
                _scaled(per_batch.bmm(batch2.mH), self.alpha) if self.needs_input_grad(1) else None,
                _scaled(batch1.mH.bmm(per_batch), self.alpha) if self.needs_input_grad(2) else None)


def _check_same_batches(batch1, batch2):
    a, b = batch1._data, batch2._data
    if a.ndim == 3 and b.ndim == 3 and a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {a.shape[0]} and {b.shape[0]}")
    _check_batches(batch1, batch2)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    _check_same_batches(batch1, batch2)
    product = np.matmul(batch1._data, batch2._data).sum(axis=0)
    value = _add_scaled(input, product, beta, alpha, (batch1, batch2))
    node = record(AddbmmBackward0, input, batch1, batch2)
    if node is not None:
        node.save_for_backward(batch1, batch2)
        node.beta, node.alpha = beta, alpha
    return write_out(out, result(value, node))


class BaddbmmBackward0(Node):
    __slots__ = ('beta', 'alpha')

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        return (_scaled(grad, self.beta) if self.needs_input_grad(0) else None,
                _scaled(grad.bmm(batch2.mH), self.alpha) if self.needs_input_grad(1) else None,
                _scaled(batch1.mH.bmm(grad), self.alpha) if self.needs_input_grad(2) else None)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2); `input` broadcasts to the batch of products."""
    _check_same_batches(batch1, batch2)
    value = _add_scaled(input, np.matmul(batch1._data, batch2._data), beta, alpha, (batch1, batch2))
    node = record(BaddbmmBackward0, input, batch1, batch2)
    if node is not None:
        node.save_crosswise(batch1, batch2, first_index=1)
        node.beta, node.alpha = beta, alpha
    return write_out(out, result(value, node))


class AddrBackward0(Node):
    __slots__ = ('beta', 'alpha')

    def backward(self, grad):
        vec1, vec2 = self.saved_tensors
        return (_scaled(grad, self.beta) if self.needs_input_grad(0) else None,
                _scaled(grad.mv(conj(vec2)), self.alpha) if self.needs_input_grad(1) else None,
                _scaled(views.t(grad).mv(conj(vec1)), self.alpha) if self.needs_input_grad(2) else None)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2)."""
    for name, v in (('vec1', vec1), ('vec2', vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    if input._data.dtype.kind in 'biu' and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError(f"For integral input tensors, argument {'beta' if isinstance(beta, float) else 'alpha'} "
                           "must not be a floating point number.")
    value = _add_scaled(input, np.multiply.outer(vec1._data, vec2._data), beta, alpha, (vec1, vec2))
    node = record(AddrBackward0, input, vec1, vec2)
    if node is not None:
        node.save_crosswise(vec1, vec2, first_index=1)
        node.beta, node.alpha = beta, alpha
    return write_out(out, result(value, node))


def chain_matmul(*matrices, out=None):
    """mm of all the matrices, left to right (deprecated in PyTorch in favour of linalg.multi_dot)."""
    _warnings.warn_once("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                        "multiple parameters.")
    if len(matrices) == 1 and isinstance(matrices[0], (tuple, list)):
        matrices = matrices[0]
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    product = matrices[0]
    if len(matrices) == 1:
        return write_out(out, product.clone())
    for i, m in enumerate(matrices[1:], 1):
        if product._data.shape[-1] != m._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {list(matrices[i - 1].shape)} and "
                               f"{list(m.shape)} cannot be multiplied")
        product = mm(product, m)
    return write_out(out, product)
