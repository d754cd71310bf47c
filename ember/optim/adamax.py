"""Adamax: Adam with the infinity norm in place of the second moment."""
from .. import _ops
from ._functional import new_step, zeros_state, check_non_negative, check_betas, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Adamax']


class Adamax(Optimizer):
    """m = beta1 * m + (1 - beta1) * g;  u = max(beta2 * u, |g| + eps);  p -= lr / (1 - beta1^t) * m / u"""
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_non_negative('learning rate', lr)
        check_non_negative('epsilon value', eps)
        check_betas(betas)
        check_non_negative('weight_decay value', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['exp_avg'] = zeros_state(p)
        state['exp_inf'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps = hyperparameter(group['lr']), group['eps']
            for p, grad, state in self._updates(group):
                grad = self._apply_weight_decay(p, grad, group)
                exp_avg, exp_inf = state['exp_avg'], state['exp_inf']
                exp_avg.lerp_(grad, 1 - beta1)
                _ops.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
                clr = lr / (1 - beta1 ** state['step'].item())
                p.addcdiv_(exp_avg, exp_inf, value=-clr)
        return loss
