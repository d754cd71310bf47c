"""Randomized low-rank decompositions: svd_lowrank and pca_lowrank (PyTorch's torch/_lowrank.py).

Halko, Martinsson and Tropp (2009): multiply A by a random Gaussian matrix to sample its range, refine the
sample by a few power iterations, and take the exact SVD of A projected onto that small basis. The random
matrix comes from ember's generator, whose stream is PyTorch's: under the same seed both draw the same R.
Everything is written with differentiable ops, so gradients flow through the decomposition.
"""
from . import _dtype as dtypes
from ._creation import randn
from ._ops.decomposition import linalg_qr, linalg_svd

__all__ = ['svd_lowrank', 'pca_lowrank']


def _floating_dtype(A):
    """A's dtype if it is floating point, else float32 (PyTorch's `get_floating_dtype`)."""
    return A.dtype if A._data.dtype.kind in 'fc' else dtypes.float32


def _approximate_basis(A, q, niter, M=None):
    """An orthonormal (..., m, q) basis Q whose span approximates the range of A - M (Algorithm 4.4 of Halko
    et al.: a random sample of the range, then `niter` power iterations re-orthonormalised by QR)."""
    R = randn(A.shape[-1], q, dtype=_floating_dtype(A))
    X = A @ R
    if M is not None:
        X = X - M @ R
    Q = linalg_qr(X).Q
    for _ in range(niter):
        X = A.mH @ Q
        if M is not None:
            X = X - M.mH @ Q
        Q = linalg_qr(X).Q
        X = A @ Q
        if M is not None:
            X = X - M @ Q
        Q = linalg_qr(X).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V), an approximate rank-q SVD of A - M (A ~ U diag(S) V^H), by randomized range finding;
    `niter` power iterations sharpen it when the singular values decay slowly."""
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:  # work with the tall side: the basis is then of the smaller range
        A = A.mH
        if M is not None:
            M = M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH @ A
    if M is not None:
        B = B - Q.mH @ M
    U, S, Vh = linalg_svd(B, full_matrices=False)
    V = Vh.mH
    U = Q @ U
    if m < n:
        U, V = V, U
    return U, S, V


def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V): the principal components of the rows of A by svd_lowrank of A with its column means
    removed (unless center=False); q defaults to min(6, m, n)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter)
