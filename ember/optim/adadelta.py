"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from ._functional import new_step, zeros_state, check_non_negative, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    """square_avg = rho * square_avg + (1 - rho) * g * g
    delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta;  p -= lr * delta"""
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_non_negative('learning rate', lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative('epsilon value', eps)
        check_non_negative('weight_decay value', weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['square_avg'] = zeros_state(p)
        state['acc_delta'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps = hyperparameter(group['lr']), group['rho'], group['eps']
            for p, grad, state in self._updates(group):
                grad = self._apply_weight_decay(p, grad, group)
                square_avg, acc_delta = state['square_avg'], state['acc_delta']
                square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
                std = square_avg.add(eps).sqrt_()
                delta = acc_delta.add(eps).sqrt_()
                delta.div_(std).mul_(grad)
                acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
                p.add_(delta, alpha=-lr)
        return loss
