"""Matrix decompositions and solvers: inv, solve, det, slogdet, svd, eigh, eig, qr, cholesky, pinv, lstsq, LU,
Householder products, matrix_exp.

The public names live in `ember.linalg` (torch.linalg); this module holds the differentiable kernels
behind them and the top-level aliases PyTorch keeps (`torch.det`, `torch.inverse`, `torch.svd`, ...).
NumPy's LAPACK bindings do the factorizations, batched over the leading dims. Each backward is the
standard result (the derivations are in PyTorch's FunctionsManual.cpp), written with ember ops so
that higher-order gradients work. A decomposition keeps its outputs for backward as tensors attached
to its own node (output_nr 0, 1, ...), so a double backward differentiates through them too.
"""
import warnings

import numpy as np

from .. import return_types
from .. import _warnings
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from .._dtype import from_numpy_dtype
from .._tensor import _scalar_type_name
from ._util import record, result, wrap, write_out
from . import view as views
from .complex import conj_physical, imag
from .elementwise import log
from .shape import cat, diag_embed

__all__ = ['det', 'inverse', 'logdet', 'slogdet', 'pinverse', 'svd', 'qr', 'cholesky', 'matrix_power', 'lu', 'lu_solve',
           'lu_unpack', 'cholesky_solve', 'cholesky_inverse', 'triangular_solve', 'matrix_exp', 'geqrf', 'orgqr',
           'ormqr', 'vander', 'nuclear_norm', 'frobenius_norm', 'solve', 'lstsq', 'eig', 'symeig', 'matrix_rank']
TENSOR_METHODS = ('det', 'inverse', 'logdet', 'slogdet', 'pinverse', 'svd', 'qr', 'cholesky', 'matrix_power', 'lu',
                  'lu_solve', 'cholesky_solve', 'cholesky_inverse', 'triangular_solve', 'matrix_exp', 'geqrf', 'orgqr',
                  'ormqr', 'solve', 'lstsq', 'eig', 'symeig')
INPLACE_METHODS = ()


class _LinAlgError(RuntimeError):
    """A factorization failed: the matrix is singular, or not positive-definite (torch.linalg.LinAlgError).
    The class carries PyTorch's own name for it (torch._C._LinAlgError), so errors print alike."""


# ---- helpers ---------------------------------------------------------------------------------------------
def _check_float(data, name):
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_scalar_type_name(data.dtype)}")


def _check_matrix(data, name):
    if data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_float(data, name)


def _check_square(A, name):
    """The NumPy data of `A` after PyTorch's checks: a float batch of square matrices."""
    data = A._data
    _check_matrix(data, name)
    _check_square_data(data, name)
    return data


def _check_square_data(data, name):
    if data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if data.shape[-1] != data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {data.shape[-2]} by "
                           f"{data.shape[-1]} matrices")


def _first_failure(info, batch_shape):
    """'(Batch element i): ' for the first failed matrix of a batch, as PyTorch starts its message."""
    first = int(np.flatnonzero(info)[0])
    return (f"(Batch element {first}): " if batch_shape else ""), int(info.reshape(-1)[first])


def _factorize(factorization, data, failure_info, message):
    """`factorization(data)` over a batch, and LAPACK's `info` per matrix (0: fine). When one fails,
    `failure_info(data)` finds which and why; then LinAlgError with `message` (formatted with the batch
    prefix and the info), or with message=None, nan for the failed matrices, as their result is meaningless."""
    try:
        return factorization(data), np.zeros(data.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        info = failure_info(data)
    if message is not None:
        raise _LinAlgError(message.format(*_first_failure(info, data.shape[:-2])))
    failed = (info > 0)[..., None, None]
    value = factorization(np.where(failed, np.eye(data.shape[-1], dtype=data.dtype), data))
    return np.where(failed, np.nan, value).astype(data.dtype), info


def _eye(n, dtype):
    return wrap(np.eye(n, dtype=dtype))


def _own_outputs(node, arrays):
    """The outputs a multi-output node kept, as tensors attached to it (output_nr 0, 1, ...) when a
    graph is being built: what `Node.saved_output` does for single-output ops."""
    tensors = [wrap(a) for a in arrays]
    if GradMode.enabled:
        for nr, t in enumerate(tensors):
            t.grad_fn, t._requires_grad, t._output_nr = node, True, nr
    return tensors


def _attach(node, arrays, differentiable):
    """Wrap a multi-output op's results; the first `differentiable` ones belong to `node`."""
    tensors = [wrap(np.asarray(a)) for a in arrays]
    if node is not None:
        for nr, t in enumerate(tensors[:differentiable]):
            t.grad_fn, t._requires_grad, t._output_nr = node, True, nr
        node.outputs = tuple(a for a in arrays[:differentiable])
    return tensors


def _solve_right(X, R):
    """X R^-T, i.e. the Y with Y R^T = X (a triangular solve in PyTorch)."""
    return views.transpose(linalg_solve(R, views.transpose(X, -1, -2)), -1, -2)


# ---- inverse ---------------------------------------------------------------------------------------------
class LinalgInvExBackward0(Node):
    def backward(self, grad_inverse, grad_info=None):
        inverse_h = self.saved_output.mH
        # d(A^-1) = -A^-1 dA A^-1, so grad_A = -A^-H grad A^-H (A^-T for real A; the conjugate for
        # complex A is PyTorch's convention: a gradient is the conjugate of the derivative)
        return (-(inverse_h @ grad_inverse @ inverse_h),)


def _pivot_info(data):
    """LAPACK's getrf `info` per matrix: 0 if invertible, else the 1-based index of the first zero pivot
    (rank + 1 for the matrices LU meets in practice)."""
    singular = np.linalg.det(data) == 0
    info = np.zeros(data.shape[:-2], dtype=np.int32)
    if singular.any():
        info[singular] = np.linalg.matrix_rank(data[singular]) + 1
    return info


def linalg_inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info) of a batch of square matrices; info > 0 marks a singular one (no error unless
    check_errors)."""
    data = _check_square(A, 'linalg.inv')
    message = "linalg.inv: {}The diagonal element {} is zero, the inversion could not be completed because the " \
              "input matrix is singular."
    inverse, info = _factorize(np.linalg.inv, data, _pivot_info, message if check_errors else None)
    node = record(LinalgInvExBackward0, A)
    inverse_t = result(inverse, node)
    if node is not None:
        node.save_output(inverse_t)
    return return_types.linalg_inv_ex(write_out(out, inverse_t), wrap(info))


def inverse(input, *, out=None):
    """The inverse of a (batch of) square matrix; LinAlgError if one is singular."""
    return write_out(out, linalg_inv_ex(input, check_errors=True)[0])


# ---- solve -----------------------------------------------------------------------------------------------
class LinalgSolveExBackward0(Node):
    __slots__ = ('vector_case',)

    def backward(self, grad_result, grad_info=None):
        A, = self.saved_tensors
        X = self.saved_output
        if self.vector_case:
            grad_result, X = views.unsqueeze(grad_result, -1), views.unsqueeze(X, -1)
        # X = A^-1 B: grad_B = A^-H grad_X, grad_A = -grad_B X^H (transposes for real A)
        grad_B = linalg_solve(A.mH, grad_result)
        grad_A = -(grad_B @ X.mH) if self.needs_input_grad(0) else None
        if self.vector_case:
            grad_B = views.squeeze(grad_B, -1)
        return grad_A, (grad_B if self.needs_input_grad(1) else None)


def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(X, info) with A X = B (X A = B when left=False); B is a vector or a batch of them when its shape
    is A's without the last dim, as in PyTorch."""
    if not left:  # X A = B  <=>  A^T X^T = B^T
        X, info = linalg_solve_ex(A.mT, B.mT, check_errors=check_errors)
        return return_types.linalg_solve_ex(write_out(out, X.mT), info)
    a = _check_square(A, 'linalg.solve')
    b = B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_scalar_type_name(a.dtype)} and B of type {_scalar_type_name(b.dtype)} instead")
    vector_case = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector_case:
        b = b[..., None]
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2] if b.ndim > 1 else b.shape[0]}x"
                           f"{b.shape[-1] if b.ndim > 1 else 1})")
    try:
        x, info = np.linalg.solve(a, b), np.zeros(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), dtype=np.int32)
    except np.linalg.LinAlgError:
        info = np.broadcast_to(_pivot_info(a), np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        if check_errors:
            prefix, _ = _first_failure(info, info.shape)
            raise _LinAlgError(f"torch.linalg.solve: {prefix}The solver failed because the input matrix is "
                               "singular.") from None
        x = np.full(np.broadcast_shapes(a.shape[:-2] + (1, 1), b.shape), np.nan, dtype=a.dtype)
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dims of A {list(a.shape[:-2])} and B {list(b.shape[:-2])} "
                           "don't broadcast") from None
    if vector_case:
        x = x[..., 0]
    node = record(LinalgSolveExBackward0, A, B)
    x_t = result(x, node)
    if node is not None:
        node.vector_case = vector_case
        node.save_for_backward(A)
        node.save_output(x_t)
    return return_types.linalg_solve_ex(write_out(out, x_t), wrap(np.array(info)))


def linalg_solve(A, B, *, left=True, out=None):
    """X with A X = B (X A = B when left=False); LinAlgError if A is singular."""
    return linalg_solve_ex(A, B, left=left, check_errors=True, out=out)[0]


# ---- determinants ----------------------------------------------------------------------------------------
class LinalgDetBackward0(Node):
    def backward(self, grad):
        A, = self.saved_tensors
        det = self.saved_output
        # d det(A) = det(A) tr(A^-1 dA), so grad_A = grad * det(A) A^-T = grad * cofactor(A), conjugated
        # for complex A; the cofactor matrix exists for singular A too, where it comes from the SVD
        if np.any(det._data == 0):
            cofactor = _cofactor(A)
        else:
            cofactor = views.unsqueeze(views.unsqueeze(det, -1), -1) * inverse(A).mT
        return (views.unsqueeze(views.unsqueeze(grad, -1), -1) * conj_physical(cofactor),)


def _cofactor(A):
    """det(A) A^-T without inverting A: with A = U S Vh it is det(U) det(Vh) U diag(prod_{j!=i} S_j) Vh."""
    U, S, Vh = linalg_svd(A, full_matrices=False)
    n = S.shape[-1]
    others = views.unsqueeze(S, -2).expand(*S.shape[:-1], n, n)
    from .indexing import where
    products = where(wrap(np.eye(n, dtype=bool)), 1.0, others).prod(-1)
    sign = det(U) * det(Vh)
    return views.unsqueeze(views.unsqueeze(sign, -1), -1) * ((U * views.unsqueeze(products, -2)) @ Vh)


def det(input, *, out=None):
    """The determinant of a (batch of) square matrix."""
    data = _check_square(input, 'linalg.det')
    node = record(LinalgDetBackward0, input)
    value = result(np.asarray(np.linalg.det(data), dtype=data.dtype), node)
    if node is not None:
        node.save_for_backward(input)
        node.save_output(value)
    return write_out(out, value)


class LinalgSlogdetBackward0(Node):
    __slots__ = ('outputs',)

    def backward(self, grad_sign=None, grad_logabsdet=None):
        A, = self.saved_tensors
        # d log|det A| = Re tr(A^-1 dA), and for complex A the sign (the phase of det A) moves by
        # i Im tr(A^-1 dA): both gradients are a number times A^-H (PyTorch's slogdet_backward)
        g = grad_logabsdet
        if grad_sign is not None and A._data.dtype.kind == 'c':  # (the sign of a real determinant is flat)
            sign = wrap(self.outputs[0])
            phase = imag(grad_sign * conj_physical(sign)) * -1j
            g = phase if g is None else g + phase
        if g is None:
            return (None,)
        return (views.unsqueeze(views.unsqueeze(conj_physical(g), -1), -1) * inverse(A).mH,)


def linalg_slogdet(A, *, out=None):
    """(sign, logabsdet): det(A) = sign * exp(logabsdet), computed without over/underflow."""
    data = _check_square(A, 'linalg.slogdet')
    sign, logabsdet = np.linalg.slogdet(data)
    node = record(LinalgSlogdetBackward0, A)
    if node is not None:
        node.save_for_backward(A)
    # logabsdet is real: float for complex64, double for complex128
    real_dtype = np.finfo(data.dtype).dtype
    value = return_types.linalg_slogdet(*_attach(node, (sign.astype(data.dtype), logabsdet.astype(real_dtype)), 2))
    if out is not None:
        write_out(out[0], value[0]), write_out(out[1], value[1])
    return value


def slogdet(input, *, out=None):
    """(sign, logabsdet) of a (batch of) square matrix; see linalg.slogdet."""
    return return_types.slogdet(*linalg_slogdet(input, out=out))


def logdet(input):
    """log(det(A)): nan where the determinant is negative, -inf where it is 0; for complex A the
    principal complex logarithm, log(sign) + log|det A|."""
    sign, logabsdet = slogdet(input)
    if sign._data.dtype.kind == 'c':
        return log(sign) + logabsdet
    from .indexing import where
    return where(wrap(sign._data < 0), float('nan'), logabsdet)


# ---- singular value decomposition ------------------------------------------------------------------------
class LinalgSvdBackward0(Node):
    __slots__ = ('outputs', 'full_matrices')

    def backward(self, grad_U=None, grad_S=None, grad_Vh=None):
        U, S, Vh = _own_outputs(self, self.outputs)
        m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
        if self.full_matrices and m != n:  # only the first k singular vectors enter the derivative
            U, Vh = U[..., :k], Vh[..., :k, :]
            grad_U = None if grad_U is None else grad_U[..., :k]
            grad_Vh = None if grad_Vh is None else grad_Vh[..., :k, :]
        if grad_U is None and grad_Vh is None:  # singular values only: dS_i = u_i^T dA v_i
            return ((U * views.unsqueeze(grad_S, -2)) @ Vh,)
        S_row, S_col = views.unsqueeze(S, -2), views.unsqueeze(S, -1)
        squares = S * S
        # E_ij = S_j^2 - S_i^2 (1 on the diagonal, which the skew-symmetric numerators zero anyway)
        E = views.unsqueeze(squares, -2) - views.unsqueeze(squares, -1) + _eye(k, S._data.dtype)
        if grad_U is not None:
            UhgU = U.mT @ grad_U
            UhgU = UhgU - UhgU.mT
        if grad_Vh is not None:
            VhgV = Vh @ grad_Vh.mT
            VhgV = VhgV - VhgV.mT
        if grad_U is not None and grad_Vh is not None:
            inner = (UhgU * S_row + S_col * VhgV) / E
        elif grad_U is not None:
            inner = UhgU / E * S_row
        else:
            inner = S_col * (VhgV / E)
        if grad_S is not None:
            inner = inner + diag_embed(grad_S)
        if m > n and grad_U is not None:  # the part of grad_U outside span(U): (I - U U^T) gU S^-1 Vh
            grad_U_scaled = grad_U / S_row
            inner = U @ inner + grad_U_scaled - U @ (U.mT @ grad_U_scaled)
            return (inner @ Vh,)
        if m < n and grad_Vh is not None:  # likewise for the rows of Vh: U S^-1 gVh (I - V Vh)
            grad_Vh_scaled = grad_Vh / S_col
            inner = inner @ Vh + grad_Vh_scaled - (grad_Vh_scaled @ Vh.mT) @ Vh
            return (U @ inner,)
        return (U @ inner @ Vh,)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh, singular values in descending order."""
    data = A._data
    _check_matrix(data, 'linalg.svd')
    U, S, Vh = np.linalg.svd(data, full_matrices=full_matrices)
    node = record(LinalgSvdBackward0, A)
    if node is not None:
        node.full_matrices = full_matrices
    return return_types.linalg_svd(*_attach(node, (U, S, Vh), 3))


def linalg_svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending."""
    data = A._data
    _check_matrix(data, 'linalg.svd')
    if record(Node, A) is None:  # no gradient: skip the singular vectors
        return write_out(out, wrap(np.linalg.svd(data, compute_uv=False)))
    return write_out(out, linalg_svd(A, full_matrices=False)[1])


def svd(input, some=True, compute_uv=True, *, out=None):
    """The old torch.svd: (U, S, V) with V (not Vh), reduced unless some=False."""
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:  # PyTorch returns zero-filled U and V then
        return return_types.svd(U.detach() * 0, S, Vh.mT.detach() * 0)
    return return_types.svd(U, S, Vh.mT)


# ---- symmetric eigendecomposition ------------------------------------------------------------------------
class LinalgEighBackward0(Node):
    __slots__ = ('outputs',)

    def backward(self, grad_L=None, grad_V=None):
        L, V = _own_outputs(self, self.outputs)
        if grad_V is None:  # eigenvalues only: dL_i = v_i^T dA v_i
            return ((V * views.unsqueeze(grad_L, -2)) @ V.mT,)
        # grad_A = V (diag(gL) + skew(V^T gV) / E) V^T with E_ij = L_j - L_i
        VhgV = V.mT @ grad_V
        VhgV = 0.5 * (VhgV - VhgV.mT)
        n = L.shape[-1]
        E = views.unsqueeze(L, -2) - views.unsqueeze(L, -1) + _eye(n, L._data.dtype)
        inner = VhgV / E
        if grad_L is not None:
            inner = inner + diag_embed(grad_L)
        return (V @ inner @ V.mT,)


def _check_uplo(UPLO):
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def linalg_eigh(A, UPLO='L', *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix; only the UPLO triangle
    is read."""
    data = _check_square(A, 'linalg.eigh')
    _check_uplo(UPLO)
    L, V = np.linalg.eigh(data, UPLO=UPLO)
    node = record(LinalgEighBackward0, A)
    return return_types.linalg_eigh(*_attach(node, (L, V), 2))


def linalg_eigvalsh(A, UPLO='L', *, out=None):
    """The eigenvalues of a symmetric matrix, ascending."""
    data = _check_square(A, 'linalg.eigh')
    _check_uplo(UPLO)
    if record(Node, A) is None:
        return write_out(out, wrap(np.linalg.eigvalsh(data, UPLO=UPLO)))
    return write_out(out, linalg_eigh(A, UPLO)[0])


# ---- QR ----------------------------------------------------------------------------------------------------
class LinalgQrBackward0(Node):
    __slots__ = ('outputs', 'mode')

    def backward(self, grad_Q=None, grad_R=None):
        if self.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        Q, R = _own_outputs(self, self.outputs)
        m, n = Q.shape[-2], R.shape[-1]
        if self.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return (_qr_backward_tall(grad_Q, grad_R, Q, R),)
        # A = [A1 | A2] = Q [X | Y]: A1 = Q X is a square QR and Y = Q^T A2
        X, Y = R[..., :m], R[..., m:]
        grad_X = grad_Y = None
        if grad_R is not None:
            grad_X, grad_Y = grad_R[..., :m], grad_R[..., m:]
            extra = (Q @ Y) @ grad_Y.mT
            grad_Q = extra if grad_Q is None else grad_Q + extra
        grad_A1 = _qr_backward_tall(grad_Q, grad_X, Q, X)
        grad_A2 = Q @ grad_Y if grad_Y is not None else wrap(np.zeros(Y.shape, dtype=Y._data.dtype))
        return (cat([grad_A1, grad_A2], -1),)


def _qr_backward_tall(grad_Q, grad_R, Q, R):
    """grad_A = (gQ + Q copyltu(M)) R^-T with M = R gR^T - Q^T gQ and copyltu the upper triangle mirrored
    (the m >= n case of PyTorch's linalg_qr_backward)."""
    M = None
    if grad_R is not None:
        M = grad_R @ R.mT
    if grad_Q is not None:
        M = -(Q.mT @ grad_Q) if M is None else M - Q.mT @ grad_Q
    M = M.triu()
    grad_A = Q @ (M + M.triu(1).mT)
    if grad_Q is not None:
        grad_A = grad_A + grad_Q
    return _solve_right(grad_A, R)


def linalg_qr(A, mode='reduced', *, out=None):
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular; mode 'reduced', 'complete' or 'r'
    (R only, Q empty)."""
    data = A._data
    _check_matrix(data, 'linalg.qr')
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    if mode == 'r':
        Q, R = np.empty((0,), dtype=data.dtype), np.linalg.qr(data, mode='r')
    else:
        Q, R = np.linalg.qr(data, mode=mode)
    node = record(LinalgQrBackward0, A)
    if node is not None:
        node.mode = mode
    return return_types.linalg_qr(*_attach(node, (Q, R), 2))


def qr(input, some=True, *, out=None):
    """The old torch.qr: reduced (Q, R) unless some=False."""
    Q, R = linalg_qr(input, 'reduced' if some else 'complete')
    return return_types.qr(Q, R)


# ---- Cholesky ----------------------------------------------------------------------------------------------
class LinalgCholeskyExBackward0(Node):
    __slots__ = ('upper',)

    def backward(self, grad, grad_info=None):
        L = self.saved_output
        if self.upper:
            L, grad = L.mT, grad.mT
        # grad_A = L^-T Phi(L^T gL) L^-1, Phi = the lower triangle with its diagonal halved, mirrored
        # (Murray, 2016); only tril(gL) matters since L^T triu(gL, 1) is strictly upper triangular
        phi = (L.mT @ grad).tril()
        phi = 0.5 * (phi + phi.tril(-1).mT)
        return (_solve_right(linalg_solve(L.mT, phi), L.mT),)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    """the old torch.cholesky"""
    __slots__ = ()


def _cholesky(node_class, A, upper, check_errors, name):
    data = _check_square(A, name)
    message = name + ": {}The factorization could not be completed because the input is not positive-definite " \
                     "(the leading minor of order {} is not positive-definite)."
    L, info = _factorize(np.linalg.cholesky, data, _positive_definite_order, message if check_errors else None)
    if upper:
        L = np.swapaxes(L, -1, -2)
    node = record(node_class, A)
    L_t = result(np.ascontiguousarray(L), node)
    if node is not None:
        node.upper = upper
        node.save_output(L_t)
    return L_t, wrap(info)


def _positive_definite_order(data):
    """LAPACK's potrf `info`: the order of the first leading minor that is not positive-definite, 0 if none.
    Only called after a failure, so a loop over the orders is fine."""
    info = np.zeros(data.shape[:-2], dtype=np.int32)
    for order in range(data.shape[-1], 0, -1):  # the smallest failing order wins
        minors = data[..., :order, :order]
        failed = np.linalg.eigvalsh(np.tril(minors) + np.swapaxes(np.tril(minors, -1), -1, -2))[..., 0] <= 0
        info[failed] = order
    return info


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): the Cholesky factor of a positive-definite matrix, A = L L^T (U^T U when upper)."""
    return return_types.linalg_cholesky_ex(*_cholesky(LinalgCholeskyExBackward0, A, upper, check_errors,
                                                      'linalg.cholesky'))


def linalg_cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L of a positive-definite matrix (A = L L^T); U = L^T when upper."""
    return write_out(out, _cholesky(LinalgCholeskyExBackward0, A, upper, True, 'linalg.cholesky')[0])


def cholesky(input, upper=False, *, out=None):
    """The old torch.cholesky (use linalg.cholesky)."""
    _warnings.warn_once("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
                        "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
                        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
                        "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
                        "all valid (symmetric positive definite) inputs.")
    return write_out(out, _cholesky(CholeskyBackward0, input, upper, True, 'linalg.cholesky')[0])


# ---- pseudo-inverse and least squares -------------------------------------------------------------------------
class LinalgPinvBackward0(Node):
    def backward(self, grad):
        A, = self.saved_tensors
        return (_pinv_backward(grad, self.saved_output, A),)


def _pinv_backward(grad, pinvA, A):
    """PyTorch's pinv_backward, arranged so the products are of the smaller dimension."""
    m, n = A.shape[-2], A.shape[-1]
    pinvAh, gradh = pinvA.mT, grad.mT
    if m <= n:
        K = gradh @ pinvA
        KpinvAh = K @ pinvAh
        return -(pinvA @ K).mT + KpinvAh - (A @ pinvA) @ KpinvAh + (pinvAh @ pinvA) @ (gradh - K @ A)
    K = pinvA @ gradh
    pinvAhK = pinvAh @ K
    return -(K @ pinvA).mT + pinvAhK - (pinvAhK @ pinvA) @ A + ((gradh - A @ K) @ pinvA) @ pinvAh


def _tolerances(atol, rtol, m, n, dtype):
    """PyTorch's rule: rtol defaults to eps * max(m, n), unless only a positive atol was given."""
    value = lambda t: t._data if hasattr(t, '_data') else t  # noqa: E731
    atol_value = 0.0 if atol is None else value(atol)
    if rtol is None:
        rtol_value = np.finfo(dtype).eps * max(m, n) if atol is None or np.all(np.asarray(atol_value) <= 0) else 0.0
    else:
        rtol_value = value(rtol)
    return np.asarray(atol_value), np.asarray(rtol_value)


def _kept(S, atol, rtol):
    """Which singular values count: S > max(atol, rtol * largest)."""
    largest = S[..., :1] if S.shape[-1] else np.zeros(S.shape[:-1] + (1,), S.dtype)
    tolerance = np.maximum(np.asarray(atol)[..., None], np.asarray(rtol)[..., None] * largest)
    return S > tolerance


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse, dropping singular values <= max(atol, rtol * largest)."""
    data = A._data
    _check_matrix(data, 'linalg.pinv')
    m, n = data.shape[-2:]
    atol, rtol = _tolerances(atol, rtol, m, n, data.dtype)
    if hermitian:  # from the eigendecomposition of the lower triangle
        L, V = np.linalg.eigh(data)
        order = np.argsort(-np.abs(L), axis=-1)
        magnitude = np.take_along_axis(np.abs(L), order, -1)
        keep = np.empty_like(magnitude, dtype=bool)
        np.put_along_axis(keep, order, _kept(magnitude, atol, rtol), -1)
        inverse_values = np.where(keep, 1 / np.where(keep, L, 1), 0)
        value = (V * inverse_values[..., None, :]) @ np.swapaxes(V, -1, -2)
    else:
        U, S, Vh = np.linalg.svd(data, full_matrices=False)
        keep = _kept(S, atol, rtol)
        inverse_values = np.where(keep, 1 / np.where(keep, S, 1), 0)
        value = (np.swapaxes(Vh, -1, -2) * inverse_values[..., None, :]) @ np.swapaxes(U, -1, -2)
    node = record(LinalgPinvBackward0, A)
    pinv_t = result(value.astype(data.dtype), node)
    if node is not None:
        node.save_for_backward(A)
        node.save_output(pinv_t)
    return write_out(out, pinv_t)


def pinverse(input, rcond=1e-15):
    """The old torch.pinverse: linalg.pinv with rtol=rcond."""
    return linalg_pinv(input, rtol=rcond)


class LinalgLstsqBackward0(Node):
    __slots__ = ('outputs', 'vector_case')

    def backward(self, grad_solution=None, grad_residuals=None, *rest):
        A, B = self.saved_tensors
        X = _own_outputs(self, self.outputs)[0]
        if self.vector_case:
            B, X = views.unsqueeze(B, -1), views.unsqueeze(X, -1)
            if grad_solution is not None:
                grad_solution = views.unsqueeze(grad_solution, -1)
            if grad_residuals is not None:
                grad_residuals = views.unsqueeze(grad_residuals, -1)
        grad_A = grad_B = None
        if grad_solution is not None:  # the solution is pinv(A) B
            pinvA = linalg_pinv(A)
            grad_A = _pinv_backward(grad_solution @ B.mT, pinvA, A)
            grad_B = pinvA.mT @ grad_solution
        if grad_residuals is not None and grad_residuals.numel():
            # residuals = ||A X - B||^2 per column; X is optimal, so only the explicit A and B count
            weighted = 2 * (A @ X - B) * views.unsqueeze(grad_residuals, -2)
            grad_A = weighted @ X.mT if grad_A is None else grad_A + weighted @ X.mT
            grad_B = -weighted if grad_B is None else grad_B - weighted
        if grad_B is not None and self.vector_case:
            grad_B = views.squeeze(grad_B, -1)
        return (grad_A if self.needs_input_grad(0) else None), (grad_B if self.needs_input_grad(1) else None)


_LSTSQ_DRIVERS = ('gels', 'gelsy', 'gelsd', 'gelss')


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B||, what LAPACK's `driver` returns
    (the CPU default 'gelsy' gives the rank only; 'gelsd'/'gelss' add the singular values, and the
    residuals when A is tall and of full rank)."""
    a, b = A._data, B._data
    _check_matrix(a, 'torch.linalg.lstsq')
    driver = 'gelsy' if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of {_LSTSQ_DRIVERS}")
    if not (a.ndim >= b.ndim and a.ndim - b.ndim <= 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vector_case = b.ndim == a.ndim - 1
    if vector_case:
        b = b[..., None]
    if a.shape[-2] != b.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_scalar_type_name(a.dtype)} and other's dtype "
                           f"{_scalar_type_name(b.dtype)}")
    m, n = a.shape[-2:]
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    rcond_value = np.finfo(a.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    keep = _kept(S, 0.0, rcond_value)
    inverse_values = np.where(keep, 1 / np.where(keep, S, 1), 0)
    solution = (np.swapaxes(Vh, -1, -2) * inverse_values[..., None, :]) @ (np.swapaxes(U, -1, -2) @ b)
    rank = keep.sum(-1).astype(np.int64)
    empty = np.empty((0,), dtype=a.dtype)
    residuals = empty
    if driver != 'gelsy' and m > n and np.all(rank == n):
        residuals = np.sum((a @ solution - b) ** 2, axis=-2)
        if vector_case:
            residuals = residuals[..., 0]
    if vector_case:
        solution = solution[..., 0]
    singular_values = S if driver in ('gelsd', 'gelss') else empty
    if driver == 'gels':
        rank = np.empty((0,), dtype=np.int64)
    node = record(LinalgLstsqBackward0, A, B)
    if node is not None:
        node.vector_case = vector_case
        node.save_for_backward(A, B)
    outputs = _attach(node, (solution.astype(a.dtype), residuals.astype(a.dtype), rank,
                             singular_values.astype(a.dtype)), 2)
    return return_types.linalg_lstsq(*outputs)


# ---- powers --------------------------------------------------------------------------------------------------
def matrix_power(input, n, *, out=None):
    """A^n for an integer n (n < 0 inverts first), by repeated squaring with matrix products."""
    data = _check_square(input, 'linalg.matrix_power')
    if n == 0:  # the identity, still connected to `input` (with a zero gradient), as in PyTorch
        from .indexing import where
        identity = np.broadcast_to(np.eye(data.shape[-1], dtype=data.dtype), data.shape)
        return write_out(out, where(wrap(np.ones(data.shape, dtype=bool)), wrap(identity), input))
    base = inverse(input) if n < 0 else input
    n = abs(n)
    power = None
    while n:
        if n & 1:
            power = base if power is None else power @ base
        n >>= 1
        if n:
            base = base @ base
    return write_out(out, power)


# ---- general eigendecomposition ----------------------------------------------------------------------------
class LinalgEigBackward0(Node):
    __slots__ = ('outputs', 'real_input')

    def backward(self, grad_eigenvalues=None, grad_eigenvectors=None):
        L, V = self.outputs
        Vh = np.conj(np.swapaxes(V, -1, -2))
        grad_L = None if grad_eigenvalues is None else grad_eigenvalues._data
        if grad_eigenvectors is None:  # eigenvalues only: grad_A = V^-H diag(gL) V^H
            grad_A = np.linalg.solve(Vh, grad_L[..., :, None] * Vh)
        else:
            # grad_A = V^-H (diag(gL) + (V^H gV - V^H V diag(re(diag(V^H gV)))) / conj(E)) V^H, E_ij = L_j - L_i
            VhgV = Vh @ grad_eigenvectors._data
            diagonal = np.diagonal(VhgV, 0, -2, -1)
            # each eigenvector is defined up to a phase e^{i phi}; a loss that sees the phase has no gradient
            if not np.allclose(diagonal.imag, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                                   "multiplication by e^{i phi}. The specified loss function depends on this "
                                   "quantity, so it is ill-defined.")
            inner = VhgV - Vh @ (V * diagonal.real[..., None, :])
            n = L.shape[-1]
            conj_L = np.conj(L)
            E = conj_L[..., None, :] - conj_L[..., :, None] + np.eye(n)
            inner = inner / E
            if grad_L is not None:
                inner = inner + grad_L[..., :, None] * np.eye(n)
            grad_A = np.linalg.solve(Vh, inner @ Vh)
        # a real input takes the real part: the imaginary one is the gradient of a direction it cannot move in
        return (wrap(grad_A.real.astype(self.input_meta[0][1]) if self.real_input else grad_A),)


def _eig_dtype(data, name):
    """The complex dtype of eig's results, after PyTorch's checks of A."""
    _check_square_data(data, name)
    if data.dtype.kind not in 'fc':
        raise RuntimeError(f"Unknown Complex ScalarType for {_scalar_type_name(data.dtype)}")
    return np.result_type(data.dtype, np.complex64)


def linalg_eig(A, *, out=None):
    """(eigenvalues, eigenvectors) of a general square matrix, both complex (LAPACK's geev: each eigenvector
    of unit norm with its largest entry real); A = V diag(L) V^-1."""
    data = A._data
    complex_dtype = _eig_dtype(data, 'linalg.eig')
    L, V = np.linalg.eig(data)  # NumPy returns real arrays when every eigenvalue is real
    L, V = L.astype(complex_dtype), V.astype(complex_dtype)
    node = record(LinalgEigBackward0, A)
    if node is not None:
        node.real_input = data.dtype.kind == 'f'
    value = return_types.linalg_eig(*_attach(node, (L, V), 2))
    if out is not None:
        write_out(out[0], value[0]), write_out(out[1], value[1])
    return value


def linalg_eigvals(A, *, out=None):
    """The eigenvalues of a general square matrix, complex, in LAPACK's order."""
    data = A._data
    complex_dtype = _eig_dtype(data, 'linalg.eigvals')
    if record(Node, A) is None:  # no gradient: skip the eigenvectors
        return write_out(out, wrap(np.linalg.eigvals(data).astype(complex_dtype)))
    return write_out(out, linalg_eig(A)[0])


# ---- LU ----------------------------------------------------------------------------------------------------
def _lu_factor_arrays(data):
    """LAPACK's getrf over a batch: the LU factorization with partial pivoting, P A = L U, as one array
    (L's strict lower triangle under U; L has a unit diagonal), the 1-based int32 pivots (row k was
    swapped with row pivots[k] before step k) and `info` (the first k with U[k, k] == 0, 1-based; 0 if none).

    Column by column: the largest |entry| at or below the diagonal becomes the pivot (the first of equal
    ones, as LAPACK's idamax), its row swaps into place, the column below is scaled into L, and the
    rank-1 update removes it from the rows below. Each step works on every matrix of the batch at once.
    """
    *batch, m, n = data.shape
    lu = data.reshape(int(np.prod(batch)), m, n).copy()
    count, steps = lu.shape[0], min(m, n)
    pivots = np.empty((count, steps), dtype=np.int32)
    info = np.zeros(count, dtype=np.int32)
    everyone = np.arange(count)
    for k in range(steps):
        pivot_row = k + np.argmax(np.abs(lu[:, k:, k]), axis=1)
        pivots[:, k] = pivot_row + 1
        pivot_rows = lu[everyone, pivot_row]  # (a copy: fancy indexing)
        lu[everyone, pivot_row] = lu[:, k]
        lu[:, k] = pivot_rows
        pivot = lu[:, k, k]
        zero = pivot == 0
        info[(info == 0) & zero] = k + 1
        # LAPACK multiplies by the reciprocal of the pivot; a zero pivot leaves its (zero) column alone
        lu[:, k + 1:, k] *= np.where(zero, 1, 1 / np.where(zero, 1, pivot))[:, None]
        lu[:, k + 1:, k + 1:] -= lu[:, k + 1:, k, None] * lu[:, None, k, k + 1:]
    return lu.reshape(data.shape), pivots.reshape(*batch, steps), info.reshape(batch)


def _permutation(pivots, m):
    """The row order that LAPACK's swaps leave (row k with row pivots[k] - 1, for k = 0, 1, ...):
    row i of P^T A is row perm[i] of A."""
    flat = pivots.reshape(int(np.prod(pivots.shape[:-1])), pivots.shape[-1]).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    everyone = np.arange(flat.shape[0])
    for k in range(flat.shape[1]):
        target = flat[:, k]
        perm[everyone, k], perm[everyone, target] = perm[everyone, target], perm[everyone, k]
    return perm.reshape(pivots.shape[:-1] + (m,))


def _check_lu_input(data, name):
    if data.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(data.shape)} instead")
    if data.dtype.kind not in 'fc':
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_scalar_type_name(data.dtype)}'")


class LinalgLuFactorExBackward0(Node):
    __slots__ = ('outputs', 'pivots')

    def backward(self, grad_LU, grad_pivots=None, grad_info=None):
        LU, = _own_outputs(self, self.outputs)
        P, L, U = lu_unpack(LU, wrap(self.pivots))
        k = min(LU.shape[-2:])
        # LU holds both factors: its gradient splits into L's (first k columns) and U's (first k rows)
        return (_lu_backward(grad_LU[..., :, :k], grad_LU[..., :k, :], P, L, U),)


def _lu_backward(grad_L, grad_U, P, L, U):
    """The gradient of A = P L U from those of L (m x k, unit lower) and U (k x n, upper): PyTorch's
    linalg_lu_backward. For square A: grad_A = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T; a wide
    A's extra columns of U and a tall A's extra rows of L pass their gradients through one more solve."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if m == n:
        inner = (L.mT @ grad_L).tril(-1) + (grad_U @ U.mT).triu()
        return P @ linalg_solve(L.mT, _solve_right(inner, U))
    if m < n:  # U = [U1 | U2], U1 square
        U1 = U[..., :k]
        inner = _solve_right((L.mT @ grad_L - grad_U.triu() @ U.mT).tril(-1), U1)
        inner = cat([inner + grad_U[..., :k].triu(), grad_U[..., k:]], -1)
        return P @ linalg_solve(L.mT, inner)
    L1 = L[..., :k, :]  # L = [L1; L2], L1 square
    inner = linalg_solve(L1.mT, (grad_U @ U.mT - L.mT @ grad_L.tril(-1)).triu())
    inner = cat([inner + grad_L[..., :k, :].tril(-1), grad_L[..., k:, :]], -2)
    return P @ _solve_right(inner, U)


def _lu_factor(A, pivot, check_errors, name):
    data = A._data
    _check_lu_input(data, name)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, pivots, info = _lu_factor_arrays(data)
    if check_errors and np.any(info):
        prefix, first = _first_failure(info, data.shape[:-2])
        raise RuntimeError(f"{name}: {prefix}U[{first},{first}] is zero and using it on lu_solve would result in "
                           "a division by zero. If you still want to perform the factorization, consider calling "
                           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    node = record(LinalgLuFactorExBackward0, A)
    if node is not None:
        node.pivots = pivots
    return _attach(node, (lu, pivots, info), 1)


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): the LU factorization with partial pivoting in LAPACK's compact form, its 1-based
    int32 pivots, and info > 0 where U has a zero on its diagonal (no error unless check_errors)."""
    value = return_types.linalg_lu_factor_ex(*_lu_factor(A, pivot, check_errors, 'torch.linalg.lu_factor_ex'))
    if out is not None:
        return return_types.linalg_lu_factor_ex(*(write_out(o, v) for o, v in zip(out, value)))
    return value


def linalg_lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots): the compact LU factorization, for lu_solve and lu_unpack; an error if U is singular."""
    LU, pivots, _ = _lu_factor(A, pivot, True, 'torch.linalg.lu_factor')
    if out is not None:
        return return_types.linalg_lu_factor(write_out(out[0], LU), write_out(out[1], pivots))
    return return_types.linalg_lu_factor(LU, pivots)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) with A = P L U from lu_factor's compact LU and pivots; the parts not asked for are empty."""
    data = LU_data._data
    m, n = data.shape[-2:]
    k = min(m, n)
    empty = wrap(np.empty((0,), dtype=data.dtype))
    L = U = empty
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + _eye_rectangle(m, k, data.dtype)
        U = LU_data[..., :k, :].triu()
    P = empty
    if unpack_pivots:
        perm = _permutation(LU_pivots._data, m)
        # A = P (P^T A): column i of P is the unit vector e_{perm[i]}
        P = wrap((perm[..., None, :] == np.arange(m)[:, None]).astype(data.dtype))
    value = return_types.lu_unpack(P, L, U)
    if out is not None:
        return return_types.lu_unpack(*(write_out(o, v) for o, v in zip(out, value)))
    return value


def _eye_rectangle(rows, columns, dtype):
    return wrap(np.eye(rows, columns, dtype=dtype))


def linalg_lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U: P a permutation, L unit lower triangular (m x k), U upper (k x n)."""
    LU, pivots, _ = _lu_factor(A, pivot, False, 'linalg.lu')
    value = return_types.linalg_lu(*lu_unpack(LU, pivots))
    if out is not None:
        return return_types.linalg_lu(*(write_out(o, v) for o, v in zip(out, value)))
    return value


def lu(A, pivot=True, get_infos=False, out=None):
    """The old torch.lu: (LU, pivots), plus info when get_infos; deprecated for linalg.lu_factor /
    linalg.lu_factor_ex."""
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will "
                  "be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be "
                  "replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = "
                  "torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
                  "torch.linalg.lu_factor_ex(A, compute_pivots)", stacklevel=2)
    # (PyTorch's torch.lu never raises for a singular matrix, with or without get_infos)
    value = return_types._lu_with_info(*_lu_factor(A, pivot, False, 'torch.lu'))
    if out is not None:
        value = return_types._lu_with_info(*(write_out(o, v) for o, v in zip(out, value)))
    return value if get_infos else (value[0], value[1])


class LinalgLuSolveBackward0(Node):
    __slots__ = ('adjoint', 'pivots')

    def backward(self, grad):
        LU, = self.saved_tensors
        X = self.saved_output
        pivots = wrap(self.pivots)
        # X = A^-1 B (A^-T B when adjoint) with A = P L U
        grad_B = linalg_lu_solve(LU, pivots, grad, adjoint=not self.adjoint)
        grad_LU = None
        if self.needs_input_grad(0):
            grad_A = -(X @ grad_B.mT) if self.adjoint else -(grad_B @ X.mT)
            # dA = P (dL U + L dU), dL strictly lower and dU upper: both live in LU
            P, L, U = lu_unpack(LU, pivots)
            G = P.mT @ grad_A
            grad_LU = _sum_to_shape((G @ U.mT).tril(-1) + (L.mT @ G).triu(), self.input_meta[0][0])
        if self.needs_input_grad(1):
            grad_B = _sum_to_shape(grad_B, self.input_meta[1][0])
        return grad_LU, (grad_B if self.needs_input_grad(1) else None)


def _sum_to_shape(grad, shape):
    """Sum the batch dims that broadcasting added to an input."""
    return grad.sum_to_size(shape) if tuple(grad.shape) != tuple(shape) else grad


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B for the A that lu_factor factored (A^T X = B when adjoint, X A = B when not left),
    batch dims broadcast."""
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return write_out(out, linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT)
    lu, b = LU._data, B._data
    if b.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if lu.ndim < 2 or lu.shape[-1] != lu.shape[-2]:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but they are "
                           f"{lu.shape[-2]} by {lu.shape[-1]} matrices")
    if lu.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({lu.shape[-2]}x{lu.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    if lu.dtype != b.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{_scalar_type_name(lu.dtype)} and B of type {_scalar_type_name(b.dtype)} instead")
    n = lu.shape[-1]
    batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2], pivots._data.shape[:-1])
    L = np.tril(lu, -1) + np.eye(n, dtype=lu.dtype)
    U = np.triu(lu)
    perm = _permutation(np.broadcast_to(pivots._data, batch + (n,)), n)[..., None]
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if adjoint:  # U^T L^T (P^T X) = B: solve for P^T X, whose row i is row perm[i] of X
        y = np.linalg.solve(np.swapaxes(L, -1, -2), np.linalg.solve(np.swapaxes(U, -1, -2), b))
        x = np.take_along_axis(y, np.argsort(perm, axis=-2), -2)
    else:  # L U X = P^T B
        x = np.linalg.solve(U, np.linalg.solve(L, np.take_along_axis(b, perm, -2)))
    node = record(LinalgLuSolveBackward0, LU, B)
    x_t = result(x, node)
    if node is not None:
        node.adjoint, node.pivots = adjoint, pivots._data
        node.save_for_backward(LU)
        node.save_output(x_t)
    return write_out(out, x_t)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """The old torch.lu_solve (arguments in that order): linalg.lu_solve(LU_data, LU_pivots, b)."""
    # ("lu_solveand": PyTorch's message runs the two words together)
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                  "PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
                  "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)",
                  stacklevel=2)
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


# ---- triangular and Cholesky solves ----------------------------------------------------------------------------
def _triangle(A, upper, unitriangular):
    """The triangle of A that a triangular solver reads (its diagonal taken as ones when unitriangular)."""
    triangle = A.triu(1 if unitriangular else 0) if upper else A.tril(-1 if unitriangular else 0)
    if unitriangular:
        triangle = triangle + _eye(A.shape[-1], A._data.dtype)
    return triangle


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when left=False) reading only A's upper or lower triangle (and taking its
    diagonal as ones when unitriangular); the gradient of A stays in that triangle."""
    return linalg_solve(_triangle(A, upper, unitriangular), B, left=left, out=out)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """The old torch.triangular_solve: (solution of A X = b, or A^T X = b, with A triangular; a copy of A)."""
    warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed "
                  "in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does not "
                  "return a copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced "
                  "with\nX = torch.linalg.solve_triangular(A, B).", stacklevel=2)
    if A._data.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has "
                           f"{A._data.ndim} dimensions instead")
    if b._data.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has "
                           f"{b._data.ndim} dimensions instead")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is {A.shape[-2]} by "
                           f"{A.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    triangle = _triangle(A, upper, unitriangular)
    solution = linalg_solve(triangle.mT if transpose else triangle, b)
    batch = np.broadcast_shapes(A._data.shape[:-2], b._data.shape[:-2])
    coefficient = A.expand(*batch, *A.shape[-2:]).clone()
    if out is not None:
        return return_types.triangular_solve(write_out(out[0], solution), write_out(out[1], coefficient))
    return return_types.triangular_solve(solution, coefficient)


class CholeskySolveBackward0(Node):
    __slots__ = ('upper',)

    def backward(self, grad):
        B, L = self.saved_tensors
        X = self.saved_output
        # X = (L L^T)^-1 B: grad_B = (L L^T)^-1 gX; PyTorch's grad_L is that of the whole matrix L,
        # -(gB X^T + X gB^T) L, not only of the triangle the solver read
        grad_B = cholesky_solve(grad, L, self.upper)
        grad_L = None
        if self.needs_input_grad(1):
            common = grad_B @ X.mT
            common = common + common.mT
            grad_L = _sum_to_shape(-(L @ common) if self.upper else -(common @ L), self.input_meta[1][0])
        if self.needs_input_grad(0):
            grad_B = _sum_to_shape(grad_B, self.input_meta[0][0])
        return (grad_B if self.needs_input_grad(0) else None), grad_L


def cholesky_solve(B, L, upper=False, *, out=None):
    """X with A X = B for A = L L^T (U^T U when upper), given the Cholesky factor; batch dims broadcast."""
    b, factor = B._data, L._data
    if b.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead")
    if factor.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {factor.ndim} dimensions instead")
    if factor.shape[-1] != factor.shape[-2] or factor.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {factor.shape[-2]} by "
                           f"{factor.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    if b.dtype != factor.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_scalar_type_name(b.dtype)} and A of type {_scalar_type_name(factor.dtype)} instead")
    triangle = np.triu(factor) if upper else np.tril(factor)
    lower = np.swapaxes(triangle, -1, -2) if upper else triangle
    batch = np.broadcast_shapes(b.shape[:-2], factor.shape[:-2])
    lower = np.broadcast_to(lower, batch + lower.shape[-2:])
    x = np.linalg.solve(np.swapaxes(lower, -1, -2), np.linalg.solve(lower, np.broadcast_to(b, batch + b.shape[-2:])))
    node = record(CholeskySolveBackward0, B, L)
    x_t = result(x, node)
    if node is not None:
        node.upper = upper
        node.save_for_backward(B, L)
        node.save_output(x_t)
    return write_out(out, x_t)


class CholeskyInverseBackward0(Node):
    __slots__ = ('upper',)

    def backward(self, grad):
        L, = self.saved_tensors
        inverse = self.saved_output
        # PyTorch's formula, for the whole matrix L: -(A^-1 (g + g^T) A^-1) L (L^T (...) when upper)
        common = inverse @ (grad + grad.mT) @ inverse
        return (-(L @ common) if self.upper else -(common @ L),)


def cholesky_inverse(L, upper=False, *, out=None):
    """(L L^T)^-1 (or (U^T U)^-1 when upper) from a Cholesky factor, reading only its triangle."""
    factor = _check_square(L, 'cholesky_inverse')
    triangle = np.triu(factor) if upper else np.tril(factor)
    lower = np.swapaxes(triangle, -1, -2) if upper else triangle
    lower_inverse = np.linalg.inv(lower)
    inverse = np.swapaxes(lower_inverse, -1, -2) @ lower_inverse
    node = record(CholeskyInverseBackward0, L)
    inverse_t = result(inverse, node)
    if node is not None:
        node.upper = upper
        node.save_for_backward(L)
        node.save_output(inverse_t)
    return write_out(out, inverse_t)


# ---- matrix exponential ----------------------------------------------------------------------------------------
class LinalgMatrixExpBackward0(Node):
    def backward(self, grad):
        A, = self.saved_tensors
        # the Frechet derivative of exp at A^T in the direction g is the upper right block of
        # exp([[A^T, g], [0, A^T]]) (Mathias, 1996): PyTorch's backward for analytic matrix functions
        At = A.mT
        zeros = views.expand(wrap(np.zeros((), dtype=A._data.dtype)), tuple(At.shape))
        block = cat([cat([At, grad], -1), cat([zeros, At], -1)], -2)
        n = A.shape[-1]
        return (linalg_matrix_exp(block)[..., :n, n:],)


# Higham's (2005) [13/13] Pade approximant of exp: its coefficients, and the largest 1-norm for which it is
# accurate to double precision; larger matrices are scaled by 2^-s first and the result squared s times
_PADE_13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
            10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA_13 = 5.371920351148152


def _matrix_exp_arrays(data):
    b = _PADE_13
    norm = np.abs(data).sum(-2).max(-1, initial=0)
    with np.errstate(divide='ignore', invalid='ignore'):
        squarings = np.ceil(np.log2(norm / _THETA_13))
    squarings = np.where(np.isfinite(squarings) & (squarings > 0), squarings, 0).astype(np.int64)
    A = data / (2.0 ** squarings)[..., None, None].astype(data.dtype)
    identity = np.eye(data.shape[-1], dtype=data.dtype)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * identity)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * identity
    value = np.linalg.solve(V - U, V + U)
    for step in range(int(squarings.max(initial=0))):
        value = np.where((step < squarings)[..., None, None], value @ value, value)
    return value.astype(data.dtype)


def linalg_matrix_exp(A):
    """exp(A) = sum_k A^k / k! of a (batch of) square matrix, by scaling and squaring a Pade approximant."""
    data = _check_square(A, 'linalg.matrix_exp')
    node = record(LinalgMatrixExpBackward0, A)
    if node is not None:
        node.save_for_backward(A)
    return result(_matrix_exp_arrays(data) if data.size else data.copy(), node)


matrix_exp = linalg_matrix_exp


# ---- Householder reflectors: geqrf, householder_product (orgqr), ormqr -----------------------------------------
def geqrf(input, *, out=None):
    """(a, tau): LAPACK's compact QR. R is a's upper triangle; below the diagonal, column i holds the
    Householder vector v_i (with an implicit 1 on the diagonal) of Q = H_0 ... H_{k-1}, H_i = I - tau_i v_i v_i^T.
    Not differentiable, as in PyTorch."""
    data = input._data
    if data.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _check_float(data, 'torch.geqrf')
    h, tau = np.linalg.qr(data, mode='raw')  # LAPACK's geqrf, its result transposed (Fortran order)
    value = return_types.geqrf(wrap(np.ascontiguousarray(np.swapaxes(h, -1, -2))), wrap(tau))
    if out is not None:
        return return_types.geqrf(write_out(out[0], value[0]), write_out(out[1], value[1]))
    return value


def _apply_reflectors(input, tau, other, left, transpose):
    """Q other, Q^T other, other Q or other Q^T for the Q = H_0 ... H_{k-1} that geqrf's (input, tau) encode,
    one reflector at a time (I - tau v v^H costs a matrix-vector product, never an m x m matrix). Written with
    differentiable ops, so the gradients of all three arguments follow."""
    m = input.shape[-2]
    count = tau.shape[-1]
    rows = np.arange(m)
    dtype = input._data.dtype
    # Q C = H_0 (H_1 (... H_{k-1} C)) applies the last reflector first; Q^T C and C Q the first
    order = range(count) if left == transpose else range(count - 1, -1, -1)
    for i in order:
        below = wrap((rows > i).astype(dtype))
        v = views.unsqueeze(input[..., :, i] * below + wrap((rows == i).astype(dtype)), -1)
        scale = views.unsqueeze(views.unsqueeze(tau[..., i], -1), -1)
        if transpose and dtype.kind == 'c':  # H^H = I - conj(tau) v v^H (for complex, Q^T is Q's adjoint)
            scale = scale.conj()
        if left:
            other = other - (scale * v) @ (v.mH @ other)
        else:
            other = other - (other @ v) @ (scale * v.mH)
    return other


def linalg_householder_product(A, tau, *, out=None):
    """The first n columns of Q = H_0 ... H_{k-1} from Householder vectors (geqrf's output): LAPACK's orgqr."""
    a, t = A._data, tau._data
    name = 'torch.linalg.householder_product'
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    m, n = a.shape[-2:]
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if n < t.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if a.ndim - t.ndim != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim equal "
                           f"to {t.ndim} and input.ndim is equal to {a.ndim}")
    if a.shape[:-2] != t.shape[:-1]:
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(t.shape[:-1])}")
    if a.dtype != t.dtype:
        raise RuntimeError(f"{name}: tau dtype {_scalar_type_name(t.dtype)} does not match input dtype "
                           f"{_scalar_type_name(a.dtype)}")
    identity = wrap(np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy())
    return write_out(out, _apply_reflectors(A, tau, identity, left=True, transpose=False))


orgqr = linalg_householder_product


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """Q other (Q^T other when transpose; other Q or other Q^T when not left) for the Q that geqrf's
    (input, tau) encode, without forming Q: LAPACK's ormqr."""
    a, t, c = input._data, tau._data, other._data
    if a.ndim < 2 or c.ndim < 2:
        raise RuntimeError(f"torch.ormqr: {'input' if a.ndim < 2 else 'other'} must have at least 2 dimensions.")
    side = -2 if left else -1  # the dim of other that Q multiplies
    if c.shape[side] < t.shape[-1]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be greater than or equal to tau.shape[-1]")
    if c.shape[side] != a.shape[-2]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    if t.shape[-1] > a.shape[-1]:
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be less than or equal to input.shape[-1]")
    if a.ndim - t.ndim != 1:
        raise RuntimeError(f"torch.ormqr: Expected tau to have one dimension less than input, but got tau.ndim equal "
                           f"to {t.ndim} and input.ndim is equal to {a.ndim}")
    if a.ndim != c.ndim:
        raise RuntimeError(f"torch.ormqr: Expected other to have the same number of dimensions as input, but got "
                           f"other.ndim equal to {c.ndim} and input.ndim is equal to {a.ndim}")
    return write_out(out, _apply_reflectors(input, tau, other, left, transpose))



# ---- LDL^T (Bunch-Kaufman) ---------------------------------------------------------------------------------
_BUNCH_KAUFMAN_ALPHA = (1 + 17 ** 0.5) / 8  # the pivot threshold that bounds the growth of the entries


def _ldl_factor_matrix(a, pivots):
    """LAPACK's sytf2 (lower) on one symmetric matrix `a`, in place (the whole matrix is kept symmetric;
    the result is its lower triangle): A = P L D L^T P^T with D of 1x1 and 2x2 blocks, chosen by
    Bunch-Kaufman partial pivoting. `pivots` gets LAPACK's 1-based codes: k+1 for a 1x1 block that swapped
    row k with row pivots[k] - 1, and -(p+1) twice for a 2x2 block that brought row p next to row k.
    Returns `info`: the first zero pivot column (1-based), 0 if none."""
    n = a.shape[-1]
    info = 0
    k = 0
    while k < n:
        step = 1
        diagonal = abs(a[k, k])
        row_max = k + 1 + int(np.argmax(np.abs(a[k + 1:, k]))) if k < n - 1 else k
        column_max = abs(a[row_max, k]) if k < n - 1 else 0.0
        if max(diagonal, column_max) == 0 or np.isnan(diagonal):  # a zero column: D[k, k] = 0, nothing to do
            info = info or k + 1
            pivots[k] = k + 1
            k += 1
            continue
        swap_with = k
        if diagonal < _BUNCH_KAUFMAN_ALPHA * column_max:
            # the largest off-diagonal entry of row `row_max` decides between a swap and a 2x2 block
            others = np.abs(np.concatenate([a[row_max, k:row_max], a[row_max + 1:, row_max]]))
            other_max = others.max()
            if diagonal >= _BUNCH_KAUFMAN_ALPHA * column_max * (column_max / other_max):
                swap_with = k
            elif abs(a[row_max, row_max]) >= _BUNCH_KAUFMAN_ALPHA * other_max:
                swap_with = row_max
            else:
                swap_with, step = row_max, 2
        target = k + step - 1
        if swap_with != target:  # a symmetric swap inside the trailing matrix (L's earlier columns stay)
            order = [target, swap_with]
            a[order[::-1], k:] = a[order, k:]
            a[k:, order[::-1]] = a[k:, order]
        if step == 1:
            reciprocal = 1 / a[k, k]
            column = a[k + 1:, k].copy()
            a[k + 1:, k + 1:] -= reciprocal * np.outer(column, column)
            a[k + 1:, k] = column * reciprocal
            a[k, k + 1:] = a[k + 1:, k]
            pivots[k] = swap_with + 1
        else:
            # W = C D^-1 for the 2x2 block D and the columns C below it, in LAPACK's arithmetic
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            d21 = 1 / (d11 * d22 - 1) / d21
            C = a[k + 2:, k:k + 2].copy()
            W = np.stack([d21 * (d11 * C[:, 0] - C[:, 1]), d21 * (d22 * C[:, 1] - C[:, 0])], 1)
            a[k + 2:, k + 2:] -= C @ W.T
            a[k + 2:, k:k + 2] = W
            a[k:k + 2, k + 2:] = W.T
            pivots[k] = pivots[k + 1] = -(swap_with + 1)
        k += step
    return info


def _ldl_factor(A, hermitian, check_errors, name):
    data = _check_square(A, name)
    n = data.shape[-1]
    # only the lower triangle is read: mirror it
    lower = np.tril(data)
    work = (lower + np.swapaxes(np.tril(data, -1), -1, -2)).reshape(int(np.prod(data.shape[:-2])), n, n)
    pivots = np.zeros(work.shape[:-1], dtype=np.int32)
    # a Python loop over the matrices: each takes its own sequence of 1x1 and 2x2 steps
    info = np.array([_ldl_factor_matrix(work[i], pivots[i]) for i in range(work.shape[0])], dtype=np.int32)
    info = info.reshape(data.shape[:-2])
    if check_errors and np.any(info):
        prefix, first = _first_failure(info, data.shape[:-2])
        raise RuntimeError(f"{name}: {prefix}The factorization could not be completed because D[{first},{first}] "
                           "is exactly zero (the input matrix is singular).")
    return wrap(np.tril(work).reshape(data.shape)), wrap(pivots.reshape(data.shape[:-1])), wrap(info)


def linalg_ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """(LD, pivots, info): the compact LDL^T factorization of a symmetric matrix (only its lower triangle is
    read) by Bunch-Kaufman pivoting, as LAPACK's sytrf; info > 0 marks a zero block of D."""
    value = return_types.linalg_ldl_factor_ex(*_ldl_factor(A, hermitian, check_errors, 'torch.linalg.ldl_factor_ex'))
    if out is not None:
        return return_types.linalg_ldl_factor_ex(*(write_out(o, v) for o, v in zip(out, value)))
    return value


def linalg_ldl_factor(A, *, hermitian=False, out=None):
    """(LD, pivots): the compact LDL^T factorization, for ldl_solve; an error if D is singular."""
    LD, pivots, _ = _ldl_factor(A, hermitian, True, 'torch.linalg.ldl_factor')
    if out is not None:
        return return_types.linalg_ldl_factor(write_out(out[0], LD), write_out(out[1], pivots))
    return return_types.linalg_ldl_factor(LD, pivots)


def _ldl_solve_matrix(LD, pivots, b):
    """LAPACK's sytrs (lower) for one factored matrix: b <- A^-1 b, by the interchanges and the triangular
    and block-diagonal solves of A = P L D L^T P^T, undone in the order sytf2 made them."""
    n = LD.shape[-1]
    k = 0
    while k < n:  # L D Y = P^T b
        if pivots[k] > 0:
            p = pivots[k] - 1
            b[[k, p]] = b[[p, k]]
            b[k + 1:] -= np.outer(LD[k + 1:, k], b[k])
            b[k] /= LD[k, k]
            k += 1
        else:
            p = -pivots[k] - 1
            b[[k + 1, p]] = b[[p, k + 1]]
            b[k + 2:] -= np.outer(LD[k + 2:, k], b[k]) + np.outer(LD[k + 2:, k + 1], b[k + 1])
            d21 = LD[k + 1, k]
            d11, d22 = LD[k, k] / d21, LD[k + 1, k + 1] / d21
            denominator = d11 * d22 - 1
            first, second = b[k] / d21, b[k + 1] / d21
            b[k], b[k + 1] = (d22 * first - second) / denominator, (d11 * second - first) / denominator
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y
        if pivots[k] > 0:
            b[k] -= LD[k + 1:, k] @ b[k + 1:]
            p = pivots[k] - 1
            b[[k, p]] = b[[p, k]]
            k -= 1
        else:
            b[k] -= LD[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= LD[k + 1:, k - 1] @ b[k + 1:]
            p = -pivots[k] - 1
            b[[k, p]] = b[[p, k]]
            k -= 2
    return b


def linalg_ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """X with A X = B for the symmetric A that ldl_factor factored; batch dims broadcast."""
    ld, b = LD._data, B._data
    if ld.ndim < 2 or ld.shape[-1] != ld.shape[-2]:
        raise RuntimeError(f"torch.linalg.ldl_solve: LD must be batches of square matrices, but they are "
                           f"{ld.shape[-2] if ld.ndim > 1 else 1} by {ld.shape[-1]} matrices")
    if b.ndim < 2:
        raise RuntimeError("torch.linalg.ldl_solve: The input tensor B must have at least 2 dimensions.")
    if b.shape[-2] != ld.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({ld.shape[-2]}x{ld.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    if ld.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected LD and B to have the same dtype, but found LD of type "
                           f"{_scalar_type_name(ld.dtype)} and B of type {_scalar_type_name(b.dtype)} instead")
    n = ld.shape[-1]
    batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2], pivots._data.shape[:-1])
    count = int(np.prod(batch))
    lds = np.broadcast_to(ld, batch + (n, n)).reshape(count, n, n)
    codes = np.broadcast_to(pivots._data, batch + (n,)).reshape(count, n)
    x = np.broadcast_to(b, batch + b.shape[-2:]).reshape(count, *b.shape[-2:]).copy()
    for i in range(count):  # each matrix has its own pivot sequence
        _ldl_solve_matrix(lds[i], codes[i], x[i])
    return write_out(out, wrap(x.reshape(batch + b.shape[-2:])))

# ---- tensor equations, Vandermonde matrices ---------------------------------------------------------------------
def linalg_tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a square matrix of its first `ind` dims by the rest; the result has shape
    A.shape[ind:] + A.shape[:ind], so that tensordot(result, A, ind) is an identity."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    rows, columns = int(np.prod(shape[:ind])), int(np.prod(shape[ind:]))
    if rows != columns:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {columns} != {rows}")
    return write_out(out, inverse(A.reshape(rows, columns)).reshape(shape[ind:] + shape[:ind]))


def linalg_tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B: A seen as a matrix of B's dims by the rest (after moving `dims`
    of A to the end)."""
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        A = views.movedim(A, dims, list(range(A.dim() - len(dims), A.dim())))
    shape = tuple(A.shape)
    result_shape = shape[B.dim():]
    rows, columns = int(np.prod(shape[:B.dim()])), int(np.prod(result_shape))
    if rows != columns:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {columns} != {rows}")
    return write_out(out, linalg_solve(A.reshape(rows, columns), B.reshape(rows)).reshape(result_shape))


def linalg_vander(x, *, N=None):
    """The Vandermonde matrix of the last dim of x: x^0, x^1, ..., x^(N-1) along a new last dim (N defaults
    to x.shape[-1]); integer x stays integer."""
    data = x._data
    if data.dtype == np.bool_:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    if data.ndim < 1:
        raise RuntimeError("linalg.vander: x must be at least 1-dimensional.")
    n = data.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    # x^1 ... x^(n-1) as running products, as PyTorch computes them (so x = 0 has a finite gradient)
    powers = views.unsqueeze(x, -1).expand(*data.shape, n - 1).cumprod(-1)
    ones = wrap(np.ones(data.shape + (1,), dtype=powers._data.dtype))
    return cat([ones, powers], -1)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d x: its columns are x^(N-1), ..., x^1, x^0 (ascending when increasing);
    integer x becomes int64."""
    data = x._data
    if data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = data.dtype if data.dtype.kind in 'fc' else np.dtype(np.int64)
    if n <= 1:
        value = wrap(np.ones((data.shape[0], n), dtype=dtype))
    else:
        value = linalg_vander(x if data.dtype == dtype else x.to(from_numpy_dtype(dtype)), N=n)
    return value if increasing else value.flip(1)


# ---- norms of the singular values --------------------------------------------------------------------------------
def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """The sum of the singular values (of the matrix, or of the two dims `dim`)."""
    from ..linalg import matrix_norm
    return matrix_norm(input, 'nuc', (-2, -1) if dim is None else dim, keepdim, out=out)


def frobenius_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """The square root of the sum of the squares over `dim` (PyTorch's deprecated spelling of
    linalg.norm(ord='fro'))."""
    from ..linalg import vector_norm
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    return vector_norm(input, 2, dim, keepdim, out=out)


# ---- functions PyTorch removed in 1.9 and keeps only to say what replaces them -------------------------------------
def _raise_removed(message):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed." + message)


def solve(input, A, *, out=None):
    """Removed in PyTorch 1.9: use linalg.solve(A, B)."""
    _raise_removed(
        " `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
        "reversed and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, which can "
        "be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced "
        "with:\nX = torch.linalg.solve(A, B)")


def lstsq(input, A, *, out=None):
    """Removed in PyTorch 1.9: use linalg.lstsq(A, B)."""
    _raise_removed(
        " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments "
        "and does not return the QR decomposition in the returned tuple (although it returns other information about "
        "the problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
        "`torch.lstsq` stored the residuals of the solution in the last m - n columns of the returned value whenever "
        "m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n\n"
        "The unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced "
        "with:\nX = torch.linalg.lstsq(A, B).solution")


def eig(input, eigenvectors=False, *, e=None, v=None):
    """Removed in PyTorch 1.9: use linalg.eig or linalg.eigvals."""
    _raise_removed(
        " `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors "
        "mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = "
        "torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
        "L_complex, V_complex = torch.linalg.eig(A)")


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """Removed in PyTorch 1.9: use linalg.eigh or linalg.eigvalsh."""
    _raise_removed(
        " The default behavior has changed from using the upper triangular portion of the matrix by default to using "
        "the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\nL = "
        "torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) "
        "should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    """Removed in PyTorch 1.9: use linalg.matrix_rank."""
    _raise_removed(
        "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
        "`torch.linalg.matrix_rank()` to 'hermitian'.")
