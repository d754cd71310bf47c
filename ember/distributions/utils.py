"""Helpers the distributions share: broadcasting parameters, converting between logits and
probabilities, lazily computed attributes, and summing out event dims."""
import functools
import numbers

import ember
from ..nn import functional as F

__all__ = ['broadcast_all', 'logits_to_probs', 'clamp_probs', 'probs_to_logits', 'lazy_property',
           'tril_matrix_to_vec', 'vec_to_tril_matrix']

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers become tensors of the first tensor's dtype
    (the default dtype if all are numbers)."""
    if not all(isinstance(v, (ember.Tensor, int, float)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, ember.Tensor)), ember.get_default_dtype())
    return ember.broadcast_tensors(*(v if isinstance(v, ember.Tensor) else ember.tensor(v, dtype=dtype)
                                     for v in values))


def _batch_shape(given, broadcast):
    """A distribution's batch shape: () when every parameter in `given` is a Python number, else the
    shape of the broadcast parameter tensor `broadcast`."""
    return ember.Size() if all(isinstance(p, numbers.Number) for p in given) else broadcast.size()


def _standard_normal(shape, dtype, device=None):
    """Standard normal samples drawn as PyTorch's distributions draw them: `empty(shape).normal_()`."""
    return ember.empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """Sum out the rightmost `dim` dims of `value`."""
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1) if dim else value


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid for a binary variable, softmax over the last dim otherwise."""
    return ember.sigmoid(logits) if is_binary else F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Probabilities kept in [eps, 1 - eps] of their dtype, so that their logs stay finite."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities: log-odds for a binary variable, log-probabilities otherwise."""
    clamped = clamp_probs(probs)
    return clamped.log() - ember.log1p(-clamped) if is_binary else clamped.log()


class lazy_property:
    """An attribute computed on first access and then stored on the instance (with gradients
    recorded, as PyTorch does, even when first read under no_grad)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What the class sees of a lazy_property: also a property, for tools that look at class attributes."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag):
    rows = ember.arange(n)
    return rows < rows.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (below diagonal `diag`) of the last two dims, row by row, as a vector."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of `tril_matrix_to_vec`: a lower-triangular matrix from its entries."""
    # the n with n (n + 1) / 2 entries (shifted by diag) equal to the vector's length
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > ember.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + ember.Size((n, n)))
    mat[..., _tril_mask(n, diag)] = vec
    return mat
