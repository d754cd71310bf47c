"""Orthogonal weights, weight normalization and spectral normalization as parametrizations (see
`parametrize`): the module's `weight` becomes a property computed from
`module.parametrizations.weight.original*`. weight_norm and spectral_norm are the current forms of
`nn.utils.weight_norm` / `nn.utils.spectral_norm`, which use hooks."""
from ... import _ops, _creation, linalg
from ..._dtype import finfo
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ['orthogonal', 'spectral_norm', 'weight_norm']


# ---- orthogonal -------------------------------------------------------------------------------------
_ORTHOGONAL_MAPS = ('matrix_exp', 'cayley', 'householder')


def _is_orthogonal(Q):
    k = Q.size(-1)
    eps = 10.0 * Q.size(-2) * finfo(Q.dtype).eps
    return _ops.allclose(Q.mH @ Q, _creation.eye(k, dtype=Q.dtype), atol=eps)


def _make_orthogonal(A):
    """The Q of A = QR for a tall A, with the signs chosen so that diag(R) is real and non-negative
    (which makes Q unique)."""
    X, tau = _ops.geqrf(A)
    Q = linalg.householder_product(X, tau)
    return Q * X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """An orthogonal (unitary if complex) matrix from an unconstrained one. The maps, on X made tall:
    `matrix_exp` exp(A) and `cayley` (I - A/2)^-1 (I + A/2) of the skew-symmetric A = tril(X) - tril(X)^H
    (padded to square, then the first k columns kept); `householder` the product of the reflectors stored
    below the diagonal of X. With the trivialization (the default), Q is `base @ map(X)`: `base`, a buffer,
    holds the orthogonal matrix assigned last, so that training moves around it
    (https://arxiv.org/abs/1909.09501)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == 'householder':
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer('base', None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:  # a wide matrix gets orthonormal rows: work on its transpose
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == 'householder':
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))  # each reflector I - tau v v^T with v = (1, A[j+1:, j])
            Q = linalg.householder_product(A, tau)
            # (the diagonal of X, truncated to an integer, flips the sign of columns, as PyTorch does)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                X = _ops.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == 'matrix_exp':
                Q = _ops.matrix_exp(A)
            else:
                identity = _creation.eye(n, dtype=A.dtype)
                Q = linalg.solve(_ops.add(identity, A, alpha=-0.5), _ops.add(identity, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, 'base'):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q):
        """An X whose forward is Q. With the trivialization, Q (made orthogonal if it is not) becomes
        `base` and X is -I, which every map sends to the identity, so that forward gives base @ I = Q."""
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, 'base'):
                if self.orthogonal_map != 'householder':
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                # the Householder reflectors of Q's QR factorisation give Q back; the diagonal holds the signs
                A, tau = _ops.geqrf(Q)
                A.diagonal(dim1=-2, dim2=-1).sign_()
                A.diagonal(dim1=-2, dim2=-1)[tau == 0.0] *= -1
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:  # complete the k columns to a square orthogonal matrix with random ones
                N = _creation.randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(_ops.cat([Q, N], dim=-1))
            self.base = Q
            # (matrix_exp and cayley see A = 0 in -I; householder no reflectors, and the signs of its diagonal)
            neg_identity = _creation.zeros_like(Q_init)
            neg_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_identity


def orthogonal(module, name='weight', orthogonal_map=None, *, use_trivialization=True):
    """Make the matrix (or batch of matrices) `name` orthogonal, or unitary if complex: orthonormal columns
    if it is tall, rows if it is wide, whatever values the optimizer gives the unconstrained original.
    `orthogonal_map`: 'matrix_exp', 'cayley' or 'householder' (by default 'matrix_exp' for square or complex
    matrices, 'householder' otherwise). The initial value is the weight if it is orthogonal, else the Q of
    its QR factorisation."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = 'matrix_exp' if weight.size(-2) == weight.size(-1) or weight.is_complex() else 'householder'
    if orthogonal_map not in _ORTHOGONAL_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# ---- weight norm ------------------------------------------------------------------------------------
class _WeightNorm(Module):
    """`weight = g * v / ||v||` from `original0 = g` (the magnitude, one per slice along `dim`) and
    `original1 = v` (the direction)."""

    def __init__(self, dim=0):
        super().__init__()
        # PyTorch spells "norm over the whole tensor" as dim=-1 in its kernels
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _ops._weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        weight_g = _ops.norm_except_dim(weight, 2, self.dim)
        weight_v = weight
        return weight_g, weight_v


def weight_norm(module, name='weight', dim=0):
    """Weight normalization (https://arxiv.org/abs/1602.07868): split the parameter `name` into a
    magnitude `g` (`parametrizations.<name>.original0`, its norm over every dim but `dim`) and a
    direction `v` (`original1`), and compute `name` as `g * v / ||v||`. `dim=None`: one norm for the
    whole tensor. State dicts of the hook-based `nn.utils.weight_norm` (`<name>_g`, `<name>_v`)
    load into it."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f'{prefix}{name}_g', f'{prefix}{name}_v'
        if g_key in state_dict and v_key in state_dict:
            state_dict[f'{prefix}parametrizations.{name}.original0'] = state_dict.pop(g_key)
            state_dict[f'{prefix}parametrizations.{name}.original1'] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


# ---- spectral norm ----------------------------------------------------------------------------------
class _SpectralNorm(Module):
    """`weight / sigma`, sigma the largest singular value of the weight viewed as a matrix (`dim`
    becomes its rows), estimated by power iteration. The singular vector estimates `_u` and `_v`
    are buffers; each access in training mode refines them by `n_power_iterations` steps."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            # a vector is simply normalized (see forward): no singular vectors to estimate
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer('_u', F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer('_v', F.normalize(v, dim=0, eps=self.eps))
            # start from good estimates rather than random vectors
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # sigma = u^T W v for the first left and right singular vectors u, v; each step
        # u <- normalize(W v), v <- normalize(W^H u) brings the estimates closer. The buffers are
        # updated in place (out=), so module replicas that share them see the update.
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(_ops.mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(_ops.mv(weight_mat.H, self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            # the spectral norm of a vector is its 2-norm: exact, nothing to estimate
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # copies: the buffers change in place at the next access, and a backward through this one
        # (e.g. a GAN's loss = D(real) - D(fake)) still needs these values
        u = self._u.clone()
        v = self._v.clone()
        sigma = _ops.vdot(u, _ops.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalization (https://arxiv.org/abs/1802.05957): `name` becomes `W / sigma(W)`,
    sigma the largest singular value, estimated by power iteration on every access in training
    mode. `dim` is the output dim (default 0; 1 for ConvTranspose, whose weight is (in, out, ...))."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
