"""ASGD: SGD that also keeps a running average `ax` of the iterates (Polyak averaging after t0)."""
from .._creation import tensor, ones
from .. import _dtype as dtypes
from ._functional import new_step, zeros_state, check_non_negative, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['ASGD']


class ASGD(Optimizer):
    """p = p * (1 - lambd * eta) - eta * g;  ax averages p with weight mu;
    eta = lr / (1 + lambd * lr * t)^alpha;  mu = 1 / max(1, t - t0)"""
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state_keys = ('step', 'eta', 'mu')

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_non_negative('learning rate', lr)
        check_non_negative('weight_decay value', weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        scalar = dtypes.get_default_dtype()
        state['step'] = new_step()
        state['eta'] = tensor(hyperparameter(group['lr']), dtype=scalar)
        state['mu'] = ones((), dtype=scalar)
        state['ax'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = hyperparameter(group['lr']), group['lambd'], group['alpha'], group['t0']
            for p, grad, state in self._updates(group):
                grad = self._apply_weight_decay(p, grad, group)
                eta = state['eta'].item()
                p.mul_(1 - lambd * eta)
                p.add_(grad, alpha=-eta)
                ax, mu = state['ax'], state['mu']
                if mu.item() != 1:
                    ax.add_(p.sub(ax).mul_(mu))
                else:
                    ax.copy_(p)
                step = state['step'].item()
                state['eta'].copy_(tensor(lr / ((1 + lambd * lr * step) ** alpha)))
                state['mu'].copy_(tensor(1 / max(1, step - t0)))
        return loss
