"""Distances and similarities between vectors: `cosine_similarity`, `pairwise_distance`, `pdist`.

These are compositions of ember ops (as in ATen, where they are composite too), so autograd and
double backward come from the ops they are made of.
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ._util import wrap
from .reduction import norm
from .indexing import index_select

__all__ = ['cosine_similarity', 'pairwise_distance', 'pdist']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """`sum(x1/|x1| * x2/|x2|)` along `dim`, each norm clamped to at least `eps`."""
    x1, x2 = _broadcast(x1, x2)
    x1_norm = norm(x1, 2, dim, keepdim=True).clone()
    x2_norm = norm(x2, 2, dim, keepdim=True).clone()
    # PyTorch 2.x clamps the norms without recording it: the gradient flows as if unclamped
    with no_grad():
        x1_norm.clamp_min_(eps)
        x2_norm.clamp_min_(eps)
    return ((x1 / x1_norm) * (x2 / x2_norm)).sum(dim)


def _broadcast(x1, x2):
    if x1.shape == x2.shape:
        return x1, x2
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(x1.shape, x2.shape) from None
    return x1.expand(*shape), x2.expand(*shape)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """`||x1 - x2 + eps||_p` over the last dim of the broadcast inputs."""
    innermost_dim = max(x1.dim(), x2.dim()) - 1
    return norm(x1 - x2 + eps, p, innermost_dim, keepdim)


def pdist(input, p=2):
    """The p-norm distance between every pair of rows i < j of a 2-D input, in row-major order of
    the upper triangle."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    first, second = np.triu_indices(input.shape[0], 1)
    differences = index_select(input, 0, wrap(first)) - index_select(input, 0, wrap(second))
    return norm(differences, p, 1)
