"""Tensor contractions: einsum, tensordot, kron, cross and cdist.

`einsum` is the general one: every operand's gradient is itself an einsum of the output gradient
with all the other operands. tensordot and kron are written with views and a matrix product, as
PyTorch composes them.
"""
import re
import string
import warnings

import numpy as np

from ..autograd.graph import Node
from .._tensor import Tensor, _scalar_type_name
from ._util import record_any, record, result, wrap, wrap_dim, write_out, broadcast_error
from . import view as views
from .complex import conj_physical
from .linalg import mm

__all__ = ['einsum', 'tensordot', 'kron', 'cross', 'cdist']
TENSOR_METHODS = ('kron', 'cross')
INPLACE_METHODS = ()

_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # PyTorch's order for the implicit output


# ---- einsum -------------------------------------------------------------------------------------------------
def _sublist_equation(args):
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]): PyTorch's sublist form, turned into an equation."""
    def letters(sublist):
        return ''.join('...' if s is Ellipsis else _LETTERS[s] for s in sublist)
    count = len(args) // 2
    operands = args[0:2 * count:2]
    equation = ','.join(letters(s) for s in args[1:2 * count:2])
    if len(args) % 2:
        equation += '->' + letters(args[-1])
    return equation, operands


def _check_einsum_equation(equation):
    """PyTorch's checks of the equation's characters, with its messages: letters, spaces, commas,
    one '->', and at most one '...' per term."""
    arrow = equation.find('->')
    for index, c in enumerate(equation):
        if c in _LETTERS or c in ' .' or (c == ',' and (arrow < 0 or index < arrow)) or \
                (arrow >= 0 and index in (arrow, arrow + 1)):
            continue
        raise RuntimeError(f"einsum(): invalid subscript given at index {index} in the equation string, subscripts "
                           "must be in [a-zA-Z]")
    lhs, _, output = equation.partition('->')
    terms = [(f"operand {i}", term) for i, term in enumerate(lhs.split(','))] + [("output", output)]
    for name, term in terms:
        dots = re.findall(r'\.+', term)
        if any(run != '...' for run in dots):
            raise RuntimeError(f"einsum(): found '.' for {name} that is not part of any ellipsis"
                               + (" (...)" if name == "output" else ""))
        if len(dots) > 1:
            raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found"
                               if name == "output" else
                               f"einsum(): found '.' for {name} for which an ellipsis was already found")
    for c in set(output) - set(' .'):
        if output.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")


def _parse_einsum(equation, operands):
    """The subscripts of each operand and of the output, with '...' spelled out as letters the equation
    doesn't use, so every term has exactly one letter per dim."""
    _check_einsum_equation(equation)
    equation = equation.replace(' ', '')
    lhs, arrow, output = equation.partition('->')
    terms = lhs.split(',')
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    unused = [c for c in _LETTERS if c not in equation]
    ellipsis_ndim = max([t._data.ndim - len(term) + 3 for term, t in zip(terms, operands) if '...' in term],
                        default=0)
    ellipsis_letters = ''.join(unused[:ellipsis_ndim])
    explicit = []
    for i, (term, t) in enumerate(zip(terms, operands)):
        ndim = t._data.ndim
        if '...' in term:
            covered = ndim - len(term) + 3
            term = term.replace('...', ellipsis_letters[ellipsis_ndim - covered:])
        if len(term) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match "
                               f"the number of dimensions ({ndim}) for operand {i} and no ellipsis was given")
        explicit.append(term)
    if arrow:
        output = output.replace('...', ellipsis_letters)
        for c in output:
            if not any(c in term for term in explicit):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
    else:  # the broadcast dims, then every letter seen exactly once, alphabetically
        counts = ''.join(explicit)
        output = ellipsis_letters + ''.join(sorted((c for c in set(counts) if counts.count(c) == 1
                                                    and c not in ellipsis_letters), key=_LETTERS.index))
    return explicit, output


def _check_einsum_sizes(terms, operands):
    sizes = {}
    for i, (term, t) in enumerate(zip(terms, operands)):
        for c, size in zip(term, t._data.shape):
            seen = sizes.setdefault(c, size)
            if seen != size and size != 1 and seen != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} which does not "
                                   f"broadcast with previously seen size {seen}")
            if seen == 1:
                sizes[c] = size


class EinsumBackward0(Node):
    """einsum (PyTorch records the permutes and bmm it is made of; ember records one node)"""
    __slots__ = ('terms', 'output', 'shapes')

    def backward(self, grad):
        operands = self.saved_tensors
        return tuple(_einsum_operand_grad(grad, self.output, operands, self.terms, i, self.shapes)
                     if self.needs_input_grad(i) else None for i in range(len(operands)))


def _einsum_operand_grad(grad, output, operands, terms, i, shapes):
    """d out / d operand_i contracted with grad: the einsum of grad with all the other operands, written
    out to operand i's subscripts. A letter repeated in operand i (a diagonal) gets a fresh letter per
    repeat joined to the first by an identity matrix; a letter found only in operand i (summed away) is
    brought back by a vector of ones. A letter of size 1 in operand i that other operands broadcast is
    computed at the broadcast size (a vector of ones forces it) and summed back to size 1."""
    target, shape = terms[i], shapes[i]
    dtype = grad._data.dtype
    broadcast_size = {}
    for term, operand_shape in zip(terms, shapes):
        for c, size in zip(term, operand_shape):
            broadcast_size[c] = max(broadcast_size.get(c, 1), size)
    in_terms = [output] + [t for j, t in enumerate(terms) if j != i]
    # for complex operands the gradient reads the other operands conjugated (PyTorch's conjugate
    # Wirtinger convention: the gradient of a @ b with respect to a is grad @ b^H)
    in_operands = [grad] + [conj_physical(t) for j, t in enumerate(operands) if j != i]
    present_size = {}  # each letter's size among the einsum's inputs (0: absent)
    for term, operand in zip(in_terms, in_operands):
        for c, size in zip(term, operand.shape):
            present_size[c] = max(present_size.get(c, 0), size)
    unused = iter(c for c in _LETTERS if c not in present_size and c not in target)
    renamed = ''
    broadcast_dims = []
    for dim, (c, size) in enumerate(zip(target, shape)):
        if c in renamed:
            fresh = next(unused)
            in_terms.append(c + fresh)
            in_operands.append(wrap(np.eye(size, dtype=dtype)))
            renamed += fresh
            continue
        full_size = broadcast_size[c]
        if present_size.get(c, 0) < full_size:
            in_terms.append(c)
            in_operands.append(wrap(np.ones(full_size, dtype=dtype)))
            present_size[c] = full_size
        if size < full_size:
            broadcast_dims.append(dim)
        renamed += c
    operand_grad = einsum(','.join(in_terms) + '->' + renamed, *in_operands)
    return operand_grad.sum(tuple(broadcast_dims), keepdim=True) if broadcast_dims else operand_grad


def einsum(equation, *operands):
    """Sums of products of the operands' elements, in Einstein notation: 'ij,jk->ik' is a matrix
    product, 'ii' a trace, 'bij->bji' a transpose; '...' stands for any leading/broadcast dims.
    Operands may be given one by one or as a list."""
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation,) + operands)
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _parse_einsum(equation, operands)
    arrays = [t._data for t in operands]
    for t in operands[1:]:
        if t._data.dtype != arrays[0].dtype:
            raise RuntimeError(f"expected scalar type {_scalar_type_name(arrays[0].dtype)} but found "
                               f"{_scalar_type_name(t._data.dtype)}")
    _check_einsum_sizes(terms, operands)
    explicit = ','.join(terms) + '->' + output
    # with more than two operands, or big ones, let NumPy pick the contraction order and use BLAS
    optimize = len(arrays) > 2 or sum(a.size for a in arrays) > 4096
    data = np.einsum(explicit, *arrays, optimize=optimize)
    node = record_any(EinsumBackward0, operands)
    if node is not None:
        node.terms, node.output = terms, output
        node.shapes = [a.shape for a in arrays]  # (an operand no gradient reads is not saved)
        # operand j is read by the other operands' gradients only (as PyTorch's products keep it)
        needed = [node.needs_input_grad(i) for i in range(len(operands))]
        node.save_for_backward(*(t if any(needed[:j] + needed[j + 1:]) else None for j, t in enumerate(operands)))
    return result(np.asarray(data), node)


# ---- tensordot and kron (compositions of views and a matrix product) -----------------------------------------
def tensordot(a, b, dims=2, out=None):
    """Contract the last `dims` dims of a with the first `dims` of b, or the dims listed in the pair
    `dims = (dims_a, dims_b)`."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        for position, d in enumerate(dims[:2]):
            if isinstance(d, int):
                raise TypeError(f"tensordot(): argument '{('dims_self', 'dims_other')[position]}' (position "
                                f"{position + 3}) must be tuple of ints, not int")
        dims_a, dims_b = (list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [wrap_dim(d, a.dim()) for d in dims_a]
    dims_b = [wrap_dim(d, b.dim()) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{da - a.dim()} and second has size {b.shape[db]} in dim {db}")
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    size = int(np.prod([a.shape[d] for d in dims_a], dtype=np.int64))
    left = views.reshape(views.permute(a, free_a + dims_a), (-1, size))
    right = views.reshape(views.permute(b, dims_b + free_b), (size, -1))
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return write_out(out, views.reshape(mm(left, right), shape))


def kron(input, other, *, out=None):
    """The Kronecker product: blocks input[i, j] * other, for any number of dims."""
    ndim = max(input.dim(), other.dim())
    shape_a = (1,) * (ndim - input.dim()) + tuple(input.shape)
    shape_b = (1,) * (ndim - other.dim()) + tuple(other.shape)
    # interleave the dims: a as (a0, 1, a1, 1, ...), b as (1, b0, 1, b1, ...), then merge the pairs
    a = views.reshape(input, [s for size in shape_a for s in (size, 1)])
    b = views.reshape(other, [s for size in shape_b for s in (1, size)])
    return write_out(out, views.reshape(a * b, [sa * sb for sa, sb in zip(shape_a, shape_b)]))


# ---- cross product ---------------------------------------------------------------------------------------------
class LinalgCrossBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        input, other = self.saved_tensors
        # (a x b) . g = a . (b x g) = b . (g x a); complex operands enter conjugated
        return (linalg_cross(conj_physical(other), grad, dim=self.dim) if self.needs_input_grad(0) else None,
                linalg_cross(grad, conj_physical(input), dim=self.dim) if self.needs_input_grad(1) else None)


def linalg_cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along `dim`, broadcasting the other dims."""
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type_name(a.dtype)} but found "
                           f"{_scalar_type_name(b.dtype)}")
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. Got {a.ndim} and "
                           f"{b.ndim}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    d = wrap_dim(dim, len(shape))
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and "
                           f"{b.shape[d]}")
    node = record(LinalgCrossBackward0, input, other)
    if node is not None:
        node.dim = d
        node.save_for_backward(input, other)
    return write_out(out, result(np.cross(a, b, axis=d), node))


def cross(input, other, dim=None, *, out=None):
    """linalg.cross along `dim`; without `dim`, PyTorch (deprecated) uses the first dim of size 3."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
                      "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                      "agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        try:
            shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        except ValueError:
            raise broadcast_error(input._data.shape, other._data.shape) from None
        if 3 not in shape:
            raise RuntimeError("no dimension of size 3 in input")
        dim = shape.index(3)
    return linalg_cross(input, other, dim=dim, out=out)


# ---- pairwise distances ---------------------------------------------------------------------------------------
class CdistBackward0(Node):
    __slots__ = ('p',)

    def backward(self, grad):
        from .indexing import where
        x1, x2 = self.saved_tensors
        dist = views.unsqueeze(self.saved_output, -1)
        diff = views.unsqueeze(x1, -2) - views.unsqueeze(x2, -3)     # (..., P, R, M)
        grad = views.unsqueeze(grad, -1)
        p = self.p
        at_zero = wrap(dist._data == 0)  # a zero distance has no direction: PyTorch's gradient is 0 there
        if p == 0:
            weight = diff * 0
        elif p == 1:
            weight = grad * diff.sign()
        elif p == 2:
            weight = diff * where(at_zero, 0.0, grad / dist)
        elif p == float('inf'):  # only the coordinates where |diff| reaches the max
            weight = grad * diff.sign() * wrap(np.abs(diff._data) == dist._data)
        else:  # d/dx (sum |d|^p)^(1/p) = sign(d) |d|^(p-1) / dist^(p-1)
            magnitude = where(wrap(diff._data == 0), 0.0, diff.abs() ** (p - 1)) if p < 1 else diff.abs() ** (p - 1)
            weight = diff.sign() * magnitude * where(at_zero, 0.0, grad / dist ** (p - 1))
        return (weight.sum(-2) if self.needs_input_grad(0) else None,
                -weight.sum(-3) if self.needs_input_grad(1) else None)


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M): (..., P, R).
    `compute_mode` is accepted; ember always takes the differences (exact, no mm shortcut)."""
    a, b = x1._data, x2._data
    for name, data in (('X1', a), ('X2', b)):
        if data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {data.ndim}D")
        if data.dtype.kind != 'f':
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_scalar_type_name(data.dtype)}")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist',
                            'donot_use_mm_for_euclid_dist'):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    magnitude = np.abs(a[..., :, None, :] - b[..., None, :, :])
    p = float(p)
    if p == 2:
        value = np.sqrt(np.einsum('...m,...m->...', magnitude, magnitude))
    elif p == 1:
        value = magnitude.sum(-1)
    elif p == 0:
        value = (magnitude != 0).sum(-1).astype(a.dtype)
    elif p == float('inf'):
        value = magnitude.max(-1, initial=0)
    else:
        value = (magnitude ** p).sum(-1) ** (1 / p)
    node = record(CdistBackward0, x1, x2)
    out = result(value.astype(a.dtype, copy=False), node)
    if node is not None:
        node.p = p
        node.save_for_backward(x1, x2)
        node.save_output(out)
    return out
