"""ember.linalg: PyTorch's torch.linalg. Matrix functions batched over leading dims.

The differentiable kernels (inv, solve, det, svd, eigh, eig, qr, cholesky, pinv, lstsq, lu, matrix_exp, ...) live in
`ember._ops.decomposition`, the cross product in `ember._ops.contraction`; this module names them as
torch.linalg does and composes the rest (norms, rank, multi_dot, cond, ...) from them.
"""
import numbers

import numpy as np

from ._ops import decomposition as _decomposition
from ._ops.decomposition import (  # noqa: F401
    _LinAlgError, linalg_inv_ex as inv_ex, linalg_solve_ex as solve_ex, linalg_solve as solve,
    linalg_lstsq as lstsq, det, linalg_slogdet as slogdet, linalg_svd as svd, linalg_svdvals as svdvals,
    linalg_eigh as eigh, linalg_eigvalsh as eigvalsh, linalg_qr as qr, linalg_cholesky as cholesky,
    linalg_cholesky_ex as cholesky_ex, linalg_pinv as pinv, matrix_power, linalg_eig as eig, linalg_eigvals as eigvals,
    linalg_lu as lu, linalg_lu_factor as lu_factor, linalg_lu_factor_ex as lu_factor_ex, linalg_lu_solve as lu_solve,
    linalg_matrix_exp as matrix_exp, linalg_householder_product as householder_product, solve_triangular,
    linalg_tensorinv as tensorinv, linalg_tensorsolve as tensorsolve, linalg_vander as vander,
    linalg_ldl_factor as ldl_factor, linalg_ldl_factor_ex as ldl_factor_ex, linalg_ldl_solve as ldl_solve)
from ._ops.contraction import linalg_cross as cross  # noqa: F401
from ._ops.linalg import matmul, mm  # noqa: F401
from ._ops.reduction import _vector_norm
from ._ops.view import diagonal as _diagonal, movedim as _movedim
from ._ops._util import wrap as _wrap, wrap_dim as _wrap_dim, write_out as _write_out

__all__ = ['LinAlgError', 'inv', 'inv_ex', 'solve', 'solve_ex', 'solve_triangular', 'lstsq', 'det', 'slogdet',
           'norm', 'vector_norm', 'matrix_norm', 'matrix_rank', 'cond', 'pinv', 'qr', 'svd', 'svdvals', 'eigh',
           'eigvalsh', 'cholesky', 'cholesky_ex', 'multi_dot', 'matrix_power', 'cross', 'matmul', 'vecdot',
           'diagonal', 'eig', 'eigvals', 'lu', 'lu_factor', 'lu_factor_ex', 'lu_solve', 'matrix_exp',
           'householder_product', 'tensorinv', 'tensorsolve', 'vander', 'ldl_factor', 'ldl_factor_ex', 'ldl_solve']

# PyTorch's class is torch._C._LinAlgError, exported under this name
LinAlgError = _LinAlgError


def inv(A, *, out=None):
    """The inverse of a (batch of) square matrix; LinAlgError if one is singular."""
    return _decomposition.inverse(A, out=out)


# ---- norms ---------------------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ord-norm of the elements over `dim` (all of them by default): sum(|x|^ord)^(1/ord); inf/-inf are
    the largest/smallest |x|, 0 counts the nonzeros."""
    if not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    return _write_out(out, _vector_norm(x, float(ord), dim, keepdim, dtype))


_MATRIX_ORDS = ('fro', 'nuc', 2, -2, 1, -1, float('inf'), float('-inf'))


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm over the two dims `dim`: 'fro' (of the elements), 'nuc' (sum of singular values),
    2/-2 (largest/smallest singular value), 1/-1 (max/min column abs sum), inf/-inf (the same over rows)."""
    data = A._data
    if data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = (_wrap_dim(d, data.ndim) for d in dim)
    if ord == 'fro':
        return _write_out(out, _vector_norm(A, 2.0, (rows, cols), keepdim, None))
    if ord in ('nuc', 2, -2):  # functions of the singular values
        singular = svdvals(_movedim(A, (rows, cols), (-2, -1)))
        value = singular.sum(-1) if ord == 'nuc' else singular.amax(-1) if ord == 2 else singular.amin(-1)
    else:  # the largest/smallest abs sum: 1 sums each column (over rows), inf each row (over columns)
        summed, picked = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        value = sums.amax(picked, keepdim=True) if ord > 0 else sums.amin(picked, keepdim=True)
        value = value.squeeze(max(rows, cols)).squeeze(min(rows, cols))
    if keepdim:
        value = value.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols))
    return _write_out(out, value)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """A vector norm or a matrix norm, by the number of dims in `dim` (or of A when dim is None and ord is
    given); without ord and dim, the 2-norm of all the elements."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 2:
            return matrix_norm(A, 'fro' if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.dim() == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if A.dim() != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    """The condition number ||A|| ||A^-1|| in the norm `p` (the 2-norm, the singular value ratio, by
    default)."""
    if p in (None, 2, -2):
        singular = svdvals(A)
        ratio = singular[..., 0] / singular[..., -1]
        return _write_out(out, ratio if p != -2 else 1 / ratio)
    return _write_out(out, matrix_norm(A, p) * matrix_norm(inv(A), p))


# ---- rank and products -------------------------------------------------------------------------------------
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    """The number of singular values above max(atol, rtol * the largest); rtol defaults to eps * max(m, n)
    (0 when only atol is given). `tol` is the old name of atol."""
    data = A._data
    if data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _decomposition._check_float(data, 'linalg.matrix_rank')
    if tol is not None:
        atol = tol
    m, n = data.shape[-2:]
    atol_value, rtol_value = _decomposition._tolerances(atol, rtol, m, n, data.dtype)
    if hermitian:
        singular = -np.sort(-np.abs(np.linalg.eigvalsh(data)), axis=-1)
    else:
        singular = np.linalg.svd(data, compute_uv=False)
    rank = _decomposition._kept(singular, atol_value, rtol_value).sum(-1).astype(np.int64)
    return _write_out(out, _wrap(np.asarray(rank)))


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices; the first may be a row vector and the last a column vector
    (1-D), which the result then drops."""
    count = len(tensors)
    if count < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {count}")
    first, last = tensors[0], tensors[-1]
    if first.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.dim()}D")
    if last.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.dim()}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    matrices = [first.unsqueeze(0) if first.dim() == 1 else first] + list(tensors[1:-1]) + \
               [last.unsqueeze(-1) if last.dim() == 1 else last]
    product = matrices[0]
    for i, matrix in enumerate(matrices[1:], 1):
        if product.shape[-1] != matrix.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes {list(tensors[i - 1].shape)} and "
                               f"{list(tensors[i].shape)} cannot be multiplied")
        product = mm(product, matrix)
    if last.dim() == 1:
        product = product.squeeze(-1)
    if first.dim() == 1:
        product = product.squeeze(0)
    return _write_out(out, product)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of the vectors along `dim`, broadcasting the other dims."""
    return _write_out(out, (x * y).sum(dim))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view), over the last two dims by default."""
    return _diagonal(A, offset, dim1, dim2)
