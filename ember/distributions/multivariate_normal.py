"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)."""
import math

import ember
from . import constraints
from .distribution import Distribution
from .utils import _standard_normal, lazy_property

__all__ = ['MultivariateNormal']


def _batch_mv(matrices, vectors):
    """Matrix-vector products over broadcast batch dims."""
    return ember.matmul(matrices, vectors.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(scale_tril, x):
    """x^T (L L^T)^-1 x over broadcast batch dims: the squared norm of L^-1 x (one triangular solve)."""
    batch_shape = ember.broadcast_shapes(scale_tril.shape[:-2], x.shape[:-1])
    n = x.size(-1)
    solved = ember.linalg.solve_triangular(scale_tril.expand(batch_shape + (n, n)),
                                           x.expand(batch_shape + (n,)).unsqueeze(-1), upper=False)
    return solved.squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(precision):
    """The lower Cholesky factor of the inverse of `precision`, without inverting it: with the flip
    J (reversing rows and columns), chol(J P J) = Lf gives P^-1 = L L^T for L = (J Lf J)^-T."""
    flipped_factor = ember.linalg.cholesky(ember.flip(precision, (-2, -1)))
    inverse_factor = ember.transpose(ember.flip(flipped_factor, (-2, -1)), -2, -1)
    identity = ember.eye(precision.shape[-1], dtype=precision.dtype)
    return ember.linalg.solve_triangular(inverse_factor, identity, upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution with mean vector `loc` and a covariance given by exactly
    one of `covariance_matrix`, `precision_matrix` (its inverse) or `scale_tril` (its lower Cholesky
    factor, the cheapest: the others are factorised into it)."""
    arg_constraints = {'loc': constraints.real_vector, 'covariance_matrix': constraints.positive_definite,
                       'precision_matrix': constraints.positive_definite, 'scale_tril': constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {name: matrix for name, matrix in (('scale_tril', scale_tril), ('covariance_matrix', covariance_matrix),
                                                   ('precision_matrix', precision_matrix)) if matrix is not None}
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        (name, matrix), = given.items()
        if matrix.dim() < 2:
            described = 'scale_tril matrix' if name == 'scale_tril' else name
            raise ValueError(f"{described} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = ember.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(MultivariateNormal, batch_shape, _instance,
                             ('loc', 'covariance_matrix', 'scale_tril', 'precision_matrix'))
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    def _matrix_shape(self):
        return self._batch_shape + self._event_shape + self._event_shape

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return ember.matmul(factor, factor.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        # (L L^T)^-1 = L^-T L^-1
        identity = ember.eye(self._event_shape[0], dtype=self.loc.dtype)
        inverse_factor = ember.linalg.solve_triangular(self._unbroadcasted_scale_tril, identity, upper=False)
        return ember.matmul(inverse_factor.mT, inverse_factor).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=ember.Size()):
        eps = _standard_normal(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        mahalanobis = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self):
        entropy = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return entropy.expand(self._batch_shape) if len(self._batch_shape) else entropy
