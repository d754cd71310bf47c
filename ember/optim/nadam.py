"""NAdam: Adam with Nesterov momentum (Dozat), with the momentum-decay schedule of PyTorch."""
from .._creation import tensor
from .. import _dtype as dtypes
from ._functional import new_step, zeros_state, check_non_negative, check_betas, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['NAdam']


class NAdam(Optimizer):
    """mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)); the update mixes the current gradient
    (weighted by 1 - mu_t) and the momentum (weighted by mu_{t+1}), each bias-corrected by the
    running product of the mus."""
    _option_fallbacks = dict(maximize=False, foreach=None, capturable=False, differentiable=False,
                             decoupled_weight_decay=False)
    _scalar_state_keys = ('step', 'mu_product')

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_non_negative('learning rate', lr)
        check_non_negative('epsilon value', eps)
        check_betas(betas)
        check_non_negative('weight_decay value', weight_decay)
        check_non_negative('momentum_decay value', momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['mu_product'] = tensor(1.0, dtype=dtypes.get_default_dtype())
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps, momentum_decay = hyperparameter(group['lr']), group['eps'], group['momentum_decay']
            for p, grad, state in self._updates(group):
                step = state['step'].item()
                bias_correction2 = 1 - beta2 ** step
                grad = self._apply_weight_decay(p, grad, group)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                state['mu_product'] *= mu
                mu_product = state['mu_product'].item()
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
                p.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
                p.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product * mu_next))
        return loss
