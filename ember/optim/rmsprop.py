"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
from ._functional import new_step, zeros_state, check_non_negative, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    """square_avg = alpha * square_avg + (1 - alpha) * g * g
    avg = sqrt(square_avg - grad_avg^2) if centered else sqrt(square_avg), plus eps
    with momentum: buf = momentum * buf + g / avg; p -= lr * buf;  else p -= lr * g / avg"""
    _option_fallbacks = dict(momentum=0, centered=False, foreach=None, maximize=False, differentiable=False,
                             capturable=False)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_non_negative('learning rate', lr)
        check_non_negative('epsilon value', eps)
        check_non_negative('momentum value', momentum)
        check_non_negative('weight_decay value', weight_decay)
        check_non_negative('alpha value', alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['square_avg'] = zeros_state(p)
        if group['momentum'] > 0:
            state['momentum_buffer'] = zeros_state(p)
        if group['centered']:
            state['grad_avg'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps, momentum = hyperparameter(group['lr']), group['alpha'], group['eps'], group['momentum']
            for p, grad, state in self._updates(group):
                grad = self._apply_weight_decay(p, grad, group)
                square_avg = state['square_avg']
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                if group['centered']:
                    grad_avg = state['grad_avg']
                    grad_avg.lerp_(grad, 1 - alpha)
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)
                if momentum > 0:
                    buf = state['momentum_buffer']
                    buf.mul_(momentum).addcdiv_(grad, avg)
                    p.add_(buf, alpha=-lr)
                else:
                    p.addcdiv_(grad, avg, value=-lr)
        return loss
