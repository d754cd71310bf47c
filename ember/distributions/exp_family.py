"""ExponentialFamily: distributions with density p(x) = h(x) exp(<theta, t(x)> - F(theta)), whose
entropy (and KL between two members) follow from the log-normaliser F by autograd (Bregman divergence)."""
import ember
from .distribution import Distribution

__all__ = ['ExponentialFamily']


class ExponentialFamily(Distribution):
    """A distribution of the exponential family; subclasses give `_natural_params`, `_log_normalizer`
    and `_mean_carrier_measure` (E[log h(x)])."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        """H = F(theta) - <theta, grad F(theta)> - E[log h(x)]."""
        result = -self._mean_carrier_measure
        natural_params = [p.detach().requires_grad_() for p in self._natural_params]
        log_normalizer = self._log_normalizer(*natural_params)
        gradients = ember.autograd.grad(log_normalizer.sum(), natural_params, create_graph=True)
        result = result + log_normalizer
        for parameter, gradient in zip(natural_params, gradients):
            result = result - (parameter * gradient).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
