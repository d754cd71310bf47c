"""Rprop: per-element step sizes that grow while the gradient keeps its sign and shrink when it flips."""
from ._functional import new_step, zeros_state, check_non_negative, full_state, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Rprop']


class Rprop(Optimizer):
    """step_size *= etaplus where g * prev > 0, etaminus where < 0 (and that element's update is
    skipped), clamped to step_sizes; p -= sign(g) * step_size"""
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_non_negative('learning rate', lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['prev'] = zeros_state(p)
        state['step_size'] = full_state(p, hyperparameter(group['lr']))

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            step_size_min, step_size_max = group['step_sizes']
            for p, grad, state in self._updates(group):
                prev, step_size = state['prev'], state['step_size']
                sign = grad.mul(prev).sign()
                sign[sign.gt(0)] = etaplus
                sign[sign.lt(0)] = etaminus
                sign[sign.eq(0)] = 1
                step_size.mul_(sign).clamp_(step_size_min, step_size_max)
                grad = grad.clone()
                grad[sign.eq(etaminus)] = 0  # after a sign change the step is skipped
                p.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss
