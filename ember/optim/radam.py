"""RAdam: Adam whose adaptive step is switched on only once the variance estimate is reliable."""
import math

from ._functional import new_step, zeros_state, check_non_negative, check_betas, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['RAdam']


class RAdam(Optimizer):
    """rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t). While rho_t <= 5 the step is plain momentum
    SGD on the bias-corrected m; after that Adam's adaptive step times the rectification term."""
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, decoupled_weight_decay=False,
                             capturable=False)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_non_negative('learning rate', lr)
        check_non_negative('epsilon value', eps)
        check_betas(betas)
        check_non_negative('weight_decay value', weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps = hyperparameter(group['lr']), group['eps']
            rho_inf = 2 / (1 - beta2) - 1
            for p, grad, state in self._updates(group):
                step = state['step'].item()
                grad = self._apply_weight_decay(p, grad, group)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                    adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
                    p.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
                else:
                    p.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
        return loss
