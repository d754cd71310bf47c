"""Matrix products and linear algebra: matmul, mm, bmm, dot, outer, ..."""
import numpy as np

from ..autograd.graph import Node
from ._util import record, result, write_out

__all__ = ['matmul', 'mm']
TENSOR_METHODS = ('matmul', 'mm')
INPLACE_METHODS = ()


class MmBackward0(Node):
    def backward(self, grad):
        input, mat2 = self.saved_tensors
        return (grad.mm(mat2.t()) if self.needs_input_grad(0) else None,
                input.t().mm(grad) if self.needs_input_grad(1) else None)


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-d tensors."""
    a, b = input._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != {mat2.dtype}")
    node = record(MmBackward0, input, mat2)
    if node is not None:
        node.save_for_backward(input, mat2)
    return write_out(out, result(a @ b, node))


class MatmulBackward0(Node):
    __slots__ = ('self_ndim', 'other_ndim')

    def backward(self, grad):
        input, other = self.saved_tensors
        a, b = input, other
        # promote 1-d operands to matrices as the forward did, then undo it on the gradients
        if a.dim() == 1:
            a = a.unsqueeze(0)
            grad = grad.unsqueeze(-2)
        if b.dim() == 1:
            b = b.unsqueeze(-1)
            grad = grad.unsqueeze(-1)
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = grad.matmul(b.transpose(-1, -2))
            if input.dim() == 1:
                grad_a = grad_a.reshape(grad_a.shape[:-2] + grad_a.shape[-1:]) if grad_a.dim() > 1 else grad_a
                grad_a = grad_a.sum_to_size(input.shape) if grad_a.shape != input.shape else grad_a
        if self.needs_input_grad(1):
            grad_b = a.transpose(-1, -2).matmul(grad)
            if other.dim() == 1:
                grad_b = grad_b.squeeze(-1)
                grad_b = grad_b.sum_to_size(other.shape) if grad_b.shape != other.shape else grad_b
        return grad_a, grad_b


def matmul(input, other, *, out=None):
    """Matrix product with NumPy's rules for 1-d operands and batch broadcasting."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype} != {other.dtype}")
    try:
        data = np.matmul(a, b)
    except ValueError:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                               "have the same number of elements, but got "
                               f"{a.shape[0]} and {b.shape[0]} elements respectively") from None
        a2 = a.reshape(1, -1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a2.shape[0]}x{a2.shape[1]} and "
                           f"{b.shape[-2] if b.ndim > 1 else b.shape[0]}x{b.shape[-1] if b.ndim > 1 else 1})") from None
    node = record(MatmulBackward0 if a.ndim != 2 or b.ndim != 2 else MmBackward0, input, other)
    if node is not None:
        node.save_for_backward(input, other)
    return write_out(out, result(np.asarray(data), node))
