"""Wishart(df, covariance_matrix | precision_matrix | scale_tril): random positive definite matrices."""
import math
import warnings

import ember
from . import constraints
from .chi2 import Chi2
from .exp_family import ExponentialFamily
from .multivariate_normal import _precision_to_scale_tril
from .utils import lazy_property

__all__ = ['Wishart']

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The multivariate digamma function: sum_i digamma(x - i / 2) for i < p (the derivative of mvlgamma)."""
    if not x.gt((p - 1) / 2).all():
        raise AssertionError("Wrong domain for multivariate digamma function.")
    halves = ember.arange(p, dtype=x.dtype).div(2).expand(x.shape + (-1,))
    return ember.digamma(x.unsqueeze(-1) - halves).sum(-1)


class Wishart(ExponentialFamily):
    """The Wishart distribution with `df` degrees of freedom and scale matrix Sigma, given by exactly one of
    `covariance_matrix` (Sigma), `precision_matrix` (its inverse) or `scale_tril` (its lower Cholesky factor
    L, the cheapest: the others are factorised into it). A sample is the scatter matrix sum_k x_k x_k^T of
    df draws x_k ~ N(0, Sigma); its mean is df * Sigma."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {'covariance_matrix': constraints.positive_definite,
                'precision_matrix': constraints.positive_definite,
                'scale_tril': constraints.lower_cholesky,
                'df': constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = {name: matrix for name, matrix in (('covariance_matrix', covariance_matrix),
                                                   ('precision_matrix', precision_matrix),
                                                   ('scale_tril', scale_tril)) if matrix is not None}
        if len(given) != 1:
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                                 "specified.")
        (name, matrix), = given.items()
        if matrix.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, ember.Tensor):
            batch_shape = ember.broadcast_shapes(matrix.shape[:-2], df.shape)
            self.df = df.expand(batch_shape)
        else:
            batch_shape = ember.Size(matrix.shape[:-2])
            self.df = ember.tensor(df, dtype=matrix.dtype)
        event_shape = matrix.shape[-2:]
        if self.df.le(event_shape[-1] - 1).any():
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {event_shape[-1] - 1}.")
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        if self.df.lt(event_shape[-1]).any():
            warnings.warn("Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df "
                          "< ndim.", stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(k + 1) for k in range(len(self._batch_shape))]
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)
        self._dist_chi2 = self._bartlett_chi2(batch_shape)

    def _bartlett_chi2(self, batch_shape):
        """The chi-squared laws of the Bartlett factor's squared diagonal: df - i degrees of freedom in row i."""
        p = self._event_shape[-1]
        rows = ember.arange(p, dtype=self._unbroadcasted_scale_tril.dtype).expand(batch_shape + (-1,))
        return Chi2(self.df.unsqueeze(-1) - rows)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(Wishart, batch_shape, _instance, ('covariance_matrix', 'scale_tril', 'precision_matrix'))
        batch_shape = ember.Size(batch_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(batch_shape + self._event_shape)
        new.df = self.df.expand(batch_shape)
        new._batch_dims = [-(k + 1) for k in range(len(batch_shape))]
        new._dist_chi2 = new._bartlett_chi2(batch_shape)
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        factor = self._unbroadcasted_scale_tril
        return (factor @ factor.transpose(-2, -1)).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        identity = ember.eye(self._event_shape[-1], dtype=self._unbroadcasted_scale_tril.dtype)
        return ember.cholesky_solve(identity, self._unbroadcasted_scale_tril).expand(
            self._batch_shape + self._event_shape)

    @property
    def mean(self):
        return self.df.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def mode(self):
        # (df - p - 1) Sigma, which exists only for df > p + 1
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor[factor <= 0] = math.nan
        return factor.view(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        # Var(W_ij) = df (Sigma_ij^2 + Sigma_ii Sigma_jj)
        covariance = self.covariance_matrix
        diagonal = covariance.diagonal(dim1=-2, dim2=-1)
        return self.df.view(self._batch_shape + (1, 1)) * (
            covariance.pow(2) + ember.einsum('...i,...j->...ij', diagonal, diagonal))

    def _bartlett_sampling(self, sample_shape=ember.Size()):
        """Bartlett's decomposition: W = (L A)(L A)^T, with A lower triangular, A_ii^2 ~ chi2(df - i) and
        A_ij ~ N(0, 1) below the diagonal; the diagonal is drawn first, then the normals, as in PyTorch."""
        p = self._event_shape[-1]
        noise = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=ember.finfo(self.df.dtype).eps)
        noise = noise.diag_embed(dim1=-2, dim2=-1)
        i, j = ember.tril_indices(p, p, offset=-1)
        noise[..., i, j] = ember.randn(ember.Size(sample_shape) + self._batch_shape + (p * (p - 1) // 2,),
                                       dtype=noise.dtype)
        chol = self._unbroadcasted_scale_tril @ noise
        return chol @ chol.transpose(-2, -1)

    def rsample(self, sample_shape=ember.Size(), max_try_correction=None):
        """Bartlett samples, redrawn up to `max_try_correction` (10) times where they are singular.

        PyTorch 2.13 reads its support check the other way round here: it marks the samples that *are*
        positive definite, warns "Singular sample detected." and redraws those (once, as the redrawn ones
        are positive definite). ember does the same, so that its samples follow PyTorch's random stream."""
        if max_try_correction is None:
            max_try_correction = 10
        sample_shape = ember.Size(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        redraw = self.support.check(sample)
        if self._batch_shape:
            redraw = redraw.amax(self._batch_dims)
        if redraw.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                sample_new = self._bartlett_sampling(redraw[redraw].shape)
                sample[redraw] = sample_new
                still_singular = ~self.support.check(sample_new)
                if self._batch_shape:
                    still_singular = still_singular.amax(self._batch_dims)
                redraw[redraw.clone()] = still_singular
                if not redraw.any():
                    break
        return sample

    def _half_log_det(self):
        """log det(Sigma) / 2, from the Cholesky factor's diagonal."""
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        # log of |W|^((nu - p - 1) / 2) exp(-tr(Sigma^-1 W) / 2) / (2^(nu p / 2) |Sigma|^(nu / 2) Gamma_p(nu / 2))
        trace = ember.cholesky_solve(value, self._unbroadcasted_scale_tril).diagonal(dim1=-2, dim2=-1).sum(dim=-1)
        return (-nu * (p * _LOG_2 / 2 + self._half_log_det()) - ember.mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * ember.linalg.slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * (p * _LOG_2 / 2 + self._half_log_det()) + ember.mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self):
        nu, p = self.df, self._event_shape[-1]
        return -self.precision_matrix / 2, (nu - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-ember.linalg.slogdet(-2 * x).logabsdet + _LOG_2 * p)
                + ember.mvlgamma(y + (p + 1) / 2, p=p))
