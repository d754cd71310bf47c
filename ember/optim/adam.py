"""Adam and AdamW (AdamW is Adam with decoupled weight decay)."""
import math

from .. import _ops
from ._functional import new_step, zeros_state, check_non_negative, check_betas, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Adam', 'AdamW']


class Adam(Optimizer):
    """Adam: running averages of the gradient (m) and its square (v), bias-corrected.

        m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    `amsgrad` uses the running maximum of v; `decoupled_weight_decay` (AdamW) shrinks p by
    `lr * weight_decay` instead of adding `weight_decay * p` to the gradient.
    """
    _option_fallbacks = dict(amsgrad=False, maximize=False, foreach=None, capturable=False, differentiable=False,
                             decoupled_weight_decay=False, fused=None)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_non_negative('learning rate', lr)
        check_non_negative('epsilon value', eps)
        check_betas(betas)
        check_non_negative('weight_decay value', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)
        if group['amsgrad']:
            state['max_exp_avg_sq'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps = hyperparameter(group['lr']), group['eps']
            for p, grad, state in self._updates(group):
                step = state['step'].item()
                grad = self._apply_weight_decay(p, grad, group)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                step_size = lr / (1 - beta1 ** step)
                bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
                if group['amsgrad']:
                    _ops.maximum(state['max_exp_avg_sq'], exp_avg_sq, out=state['max_exp_avg_sq'])
                    denom = (state['max_exp_avg_sq'].sqrt() / bias_correction2_sqrt).add_(eps)
                else:
                    denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
                p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p = p * (1 - lr * weight_decay) first."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group['decoupled_weight_decay'] = True  # whatever the loaded dict says, as in PyTorch
