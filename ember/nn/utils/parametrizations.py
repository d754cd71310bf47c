"""Weight normalization and spectral normalization as parametrizations (see `parametrize`): the
module's `weight` becomes a property computed from `module.parametrizations.weight.original*`.
These are the current forms of `nn.utils.weight_norm` / `nn.utils.spectral_norm`, which use hooks."""
from ... import _ops
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ['spectral_norm', 'weight_norm']


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
