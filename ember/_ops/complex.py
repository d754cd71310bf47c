"""Complex numbers: the real and imaginary parts as views, conjugation, the angle, and building a complex
tensor from real ones (`complex`, `polar`).

Gradients follow PyTorch's convention for complex numbers (the conjugate Wirtinger derivative): for a
real loss L of z = x + iy, z's gradient is dL/dx + i dL/dy, so a holomorphic f passes back
`grad * conj(f'(z))`, and a real input that met a complex one keeps the real part of its gradient
(PyTorch's `handle_r_to_c`; `real_gradients` below).

`view_as_real(z)` is z's memory seen as (..., 2) floats, each (real, imaginary) pair adjacent, and
`z.real`/`z.imag` select from it, so all three write into z, as in PyTorch. ember has no lazy
conjugate bit: `conj` computes the conjugate (a new tensor), which `is_conj()` still reports as
PyTorch's conjugate view would.
"""
import math

import numpy as np

from ..autograd.graph import Node
from .._tensor import _scalar_type_name
from ._util import record, result, write_out, broadcast_error, check_tensor_arguments, default_float
from .view import make_view, select

__all__ = ['real', 'imag', 'view_as_real', 'view_as_complex', 'conj', 'conj_physical', 'resolve_conj',
           'resolve_neg', 'is_conj', 'is_neg', 'is_complex', 'angle', 'complex', 'polar']
# (Tensor.real and .imag are properties: see the end of _tensor.py)
TENSOR_METHODS = ('view_as_real', 'conj', 'conj_physical', 'resolve_conj', 'resolve_neg', 'is_conj', 'is_neg',
                  'angle')
INPLACE_METHODS = ('conj_physical',)

_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128)}


def real_gradients(node, grads):
    """The gradients of `node`'s inputs with PyTorch's handle_r_to_c applied: a real input that met a
    complex operand (x * 1j) receives the real part of its complex gradient."""
    return tuple(real(grad) if grad is not None and meta is not None and meta[1].kind != 'c'
                 and grad._data.dtype.kind == 'c' else grad
                 for grad, meta in zip(grads, node.input_meta))


def conjugate(value):
    """conj of a tensor or of a Python number (the saved operands of a product may be either)."""
    return conj(value) if hasattr(value, '_data') else value.conjugate()


def is_complex(input):
    """Whether `input` has a complex dtype."""
    return input._data.dtype.kind == 'c'


# ---- the real view and its parts -------------------------------------------------------------------
class ViewAsRealBackward0(Node):
    def backward(self, grad):
        return (view_as_complex(grad.contiguous()),)


def view_as_real(input):
    """A complex tensor's memory as floats: shape (*shape, 2), real and imaginary parts side by side."""
    if input._data.dtype.kind != 'c':
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if is_conj(input):
        raise RuntimeError("view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate "
                           "tensor so you can view it as real, use self.resolve_conj(); however, be warned that the "
                           "resulting tensor will NOT alias the original.")
    return _real_view(input)


def _real_view(input):
    """`view_as_real` for ember's own use: ember's conj results hold their values, so they need no resolving."""
    data = input._data
    real_part = data.real  # a float view with the complex array's strides
    pairs = np.lib.stride_tricks.as_strided(real_part, data.shape + (2,), data.strides + (real_part.itemsize,))
    return make_view(input, pairs, record(ViewAsRealBackward0, input), _real_view)


class ViewAsComplexBackward0(Node):
    def backward(self, grad):
        return (_real_view(grad),)


def view_as_complex(input):
    """The inverse of `view_as_real`: a (..., 2) float tensor's pairs read as complex numbers (a view).
    Each pair must be adjacent and every complex number aligned, so the strides are checked as PyTorch does."""
    data = input._data
    if data.dtype not in _COMPLEX_OF:
        if data.dtype == np.float16:
            raise RuntimeError("view_as_complex of a half tensor gives complex32, a dtype ember (like NumPy) "
                               "does not have")
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, but got a "
                           f"tensor of scalar type: {_scalar_type_name(data.dtype)}")
    if data.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(stride % 2 for stride in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    numbers = data.view(_COMPLEX_OF[data.dtype])[..., 0]  # (NumPy keeps the size-1 last dim of the pairs)
    return make_view(input, numbers, record(ViewAsComplexBackward0, input), view_as_complex)


def real(input):
    """The real part: a view into a complex tensor's memory; a real tensor is its own real part."""
    if input._data.dtype.kind != 'c':
        return input
    # as PyTorch, a select from the real view: its grad_fn is SelectBackward0
    return select(_real_view(input), -1, 0)


def imag(input):
    """The imaginary part of a complex tensor, as a view into its memory."""
    if input._data.dtype.kind != 'c':
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return select(_real_view(input), -1, 1)


# ---- conjugation -----------------------------------------------------------------------------------
class ConjBackward0(Node):
    def backward(self, grad):
        return (conj(grad),)


def conj(input):
    """The complex conjugate; a real tensor is returned as it is."""
    if input._data.dtype.kind != 'c':
        return input
    conjugate = result(np.conj(input._data), record(ConjBackward0, input))
    conjugate._is_conj = True  # what PyTorch's conjugate view reports (ember computes it instead)
    return conjugate


def is_conj(input):
    """Whether `input` is the result of `conj` not yet resolved (PyTorch's conjugate bit)."""
    return getattr(input, '_is_conj', False)


def resolve_conj(input):
    """A tensor without the conjugate bit: `input` itself unless it came from `conj`."""
    return input.clone() if is_conj(input) else input


def is_neg(input):
    """PyTorch's negative bit, set only by internal views; never on ember's tensors."""
    return False


def resolve_neg(input):
    return input


class ConjPhysicalBackward0(Node):
    def backward(self, grad):
        return (conj_physical(grad),)


def conj_physical(input, *, out=None):
    """The complex conjugate, always computed (no conjugate bit); a real tensor is returned as it is."""
    if input._data.dtype.kind != 'c':
        return write_out(out, input) if out is not None else input
    return write_out(out, result(np.conj(input._data), record(ConjPhysicalBackward0, input)))


# ---- angle ---------------------------------------------------------------------------------------------
class AngleBackward0(Node):
    def backward(self, grad):
        input, = self.saved_tensors
        if input._data.dtype.kind != 'c':
            return (input.new_zeros(input.shape),)  # 0 or pi: flat
        # d angle(z) = Im(dz / z): the gradient is grad * i z / |z|^2, taken as 0 at z = 0
        from .indexing import where
        return (where(input == 0, 0, grad * input / input.abs().square() * 1j),)


def angle(input, *, out=None):
    """The argument of each element in radians: atan2(imag, real) for complex numbers; for real numbers
    pi where negative, 0 elsewhere (also for -0.0), NaN for NaN."""
    data = input._data
    if data.dtype.kind == 'c':
        angles = np.angle(data)
    else:
        values = default_float(data)
        angles = np.where(values < 0, math.pi, 0).astype(values.dtype)
        np.copyto(angles, values, where=np.isnan(values))
    node = record(AngleBackward0, input)
    if node is not None:
        node.save_for_backward(input)
    return write_out(out, result(angles, node))


# ---- complex from real -------------------------------------------------------------------------------
def _complex_operands(first, second):
    """The NumPy operands of `complex` and `polar` (float tensors of one dtype), broadcast, and the
    complex dtype of the result, with PyTorch's checks."""
    a, b = first._data, second._data
    if a.dtype.kind != 'f' or b.dtype.kind != 'f':
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_scalar_type_name(a.dtype)} and {_scalar_type_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_scalar_type_name(a.dtype)} but got scalar type "
                           f"{_scalar_type_name(b.dtype)} for second argument")
    if a.dtype not in _COMPLEX_OF:
        raise RuntimeError("complex of half tensors gives complex32, a dtype ember (like NumPy) does not have")
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    return a, b, _COMPLEX_OF[a.dtype]


def _parts(grad):
    """(real part, imaginary part) of a gradient that reached a complex output (a real one has no imaginary part)."""
    if grad._data.dtype.kind == 'c':
        return real(grad), imag(grad)
    return grad, grad.new_zeros(grad.shape)


class ComplexBackward0(Node):
    def backward(self, grad):
        return _parts(grad)


def complex(real, imag, *, out=None):
    """The complex tensor real + i imag (float tensors of one dtype, broadcast together)."""
    check_tensor_arguments('complex', real=real, imag=imag)
    a, b, complex_type = _complex_operands(real, imag)
    numbers = np.empty(a.shape, complex_type)
    numbers.real, numbers.imag = a, b
    return write_out(out, result(numbers, record(ComplexBackward0, real, imag)))


class PolarBackward0(Node):
    def backward(self, grad):
        from .elementwise import sgn
        result_value = self.saved_output
        # result = abs * e^(i angle): d/d abs = sgn(result) (0 where abs is 0, as PyTorch), d/d angle = i result
        grad_conj = conj(grad)
        return real(grad_conj * sgn(result_value)), real(grad_conj * result_value * 1j)


def polar(abs, angle, *, out=None):
    """The complex tensor abs * (cos(angle) + i sin(angle)) (float tensors of one dtype, broadcast)."""
    check_tensor_arguments('polar', abs=abs, angle=angle)
    magnitude, phase, complex_type = _complex_operands(abs, angle)
    numbers = np.empty(magnitude.shape, complex_type)
    numbers.real, numbers.imag = magnitude * np.cos(phase), magnitude * np.sin(phase)
    node = record(PolarBackward0, abs, angle)
    t = result(numbers, node)
    if node is not None:
        node.save_output(t)
    return write_out(out, t)
