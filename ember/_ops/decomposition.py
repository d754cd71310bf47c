"""Matrix decompositions and solvers: inv, solve, det, slogdet, svd, eigh, qr, cholesky, pinv, lstsq.

The public names live in `ember.linalg` (torch.linalg); this module holds the differentiable kernels
behind them and the top-level aliases PyTorch keeps (`torch.det`, `torch.inverse`, `torch.svd`, ...).
NumPy's LAPACK bindings do the factorizations, batched over the leading dims. Each backward is the
standard result (the derivations are in PyTorch's FunctionsManual.cpp), written with ember ops so
that higher-order gradients work. A decomposition keeps its outputs for backward as tensors attached
to its own node (output_nr 0, 1, ...), so a double backward differentiates through them too.
"""
import numpy as np

from .. import return_types
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from .._tensor import _scalar_type_name
from ._util import record, result, wrap, write_out
from . import view as views
from .shape import cat, diag_embed

__all__ = ['det', 'inverse', 'logdet', 'slogdet', 'pinverse', 'svd', 'qr', 'cholesky', 'matrix_power']
TENSOR_METHODS = ('det', 'inverse', 'logdet', 'slogdet', 'pinverse', 'svd', 'qr', 'cholesky', 'matrix_power')
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
    if data.shape[-1] != data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {data.shape[-2]} by "
                           f"{data.shape[-1]} matrices")
    return data


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
        inverse_t = self.saved_output.mT
        # d(A^-1) = -A^-1 dA A^-1, so grad_A = -A^-T grad A^-T
        return (-(inverse_t @ grad_inverse @ inverse_t),)


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
        # X = A^-1 B: grad_B = A^-T grad_X, grad_A = -grad_B X^T
        grad_B = linalg_solve(A.mT, grad_result)
        grad_A = -(grad_B @ X.mT) if self.needs_input_grad(0) else None
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
        # d det(A) = det(A) tr(A^-1 dA), so grad_A = grad * det(A) A^-T = grad * cofactor(A);
        # the cofactor matrix exists for singular A too, where it comes from the SVD
        if np.any(det._data == 0):
            cofactor = _cofactor(A)
        else:
            cofactor = views.unsqueeze(views.unsqueeze(det, -1), -1) * inverse(A).mT
        return (views.unsqueeze(views.unsqueeze(grad, -1), -1) * cofactor,)


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
        if grad_logabsdet is None:  # the sign of a real determinant is flat
            return (None,)
        # d log|det A| = tr(A^-1 dA)
        return (views.unsqueeze(views.unsqueeze(grad_logabsdet, -1), -1) * inverse(A).mT,)


def linalg_slogdet(A, *, out=None):
    """(sign, logabsdet): det(A) = sign * exp(logabsdet), computed without over/underflow."""
    data = _check_square(A, 'linalg.slogdet')
    sign, logabsdet = np.linalg.slogdet(data)
    node = record(LinalgSlogdetBackward0, A)
    if node is not None:
        node.save_for_backward(A)
    value = return_types.linalg_slogdet(*_attach(node, (sign.astype(data.dtype), logabsdet.astype(data.dtype)), 2))
    if out is not None:
        write_out(out[0], value[0]), write_out(out[1], value[1])
    return value


def slogdet(input, *, out=None):
    """(sign, logabsdet) of a (batch of) square matrix; see linalg.slogdet."""
    return return_types.slogdet(*linalg_slogdet(input, out=out))


def logdet(input):
    """log(det(A)): nan where the determinant is negative, -inf where it is 0."""
    sign, logabsdet = slogdet(input)
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
