"""Adagrad: per-element learning rates from the running sum of squared gradients."""
from .._sparse import SparseCooTensor
from ._functional import new_step, check_non_negative, full_state, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    """sum += g * g;  p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)

    A sparse gradient (from `Embedding(sparse=True)`) updates only the rows it names, as in
    PyTorch: it is coalesced first, since the update is not linear in the gradient."""
    _sparse_grads = True
    _option_fallbacks = dict(foreach=None, maximize=False, differentiable=False, fused=None)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_non_negative('learning rate', lr)
        check_non_negative('lr_decay value', lr_decay)
        check_non_negative('weight_decay value', weight_decay)
        check_non_negative('initial_accumulator_value value', initial_accumulator_value)
        check_non_negative('epsilon value', eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # unlike the other optimizers, Adagrad creates its state up front (PyTorch does too)
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state['step'] = new_step()
        state['sum'] = full_state(p, group['initial_accumulator_value'])

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = hyperparameter(group['lr']), group['lr_decay'], group['eps']
            for p, grad, state in self._updates(group):
                if grad.is_sparse and group['weight_decay'] != 0:
                    raise RuntimeError("weight_decay option is not compatible with sparse gradients")
                grad = self._apply_weight_decay(p, grad, group)
                clr = lr / (1 + (state['step'].item() - 1) * lr_decay)
                if grad.is_sparse:
                    _sparse_update(p, grad.coalesce(), state['sum'], clr, eps)
                    continue
                state['sum'].addcmul_(grad, grad, value=1)
                std = state['sum'].sqrt().add_(eps)
                p.addcdiv_(grad, std, value=-clr)
        return loss


def _sparse_update(p, grad, state_sum, clr, eps):
    """The update of the rows a coalesced sparse gradient names (PyTorch's `_single_tensor_adagrad`
    with `grad.is_sparse`): sum[rows] += v * v;  p[rows] -= clr * v / (sqrt(sum[rows]) + eps)."""
    values = grad._values()
    state_sum.add_(_like_sparse(grad, values.pow(2)))
    std_values = state_sum.sparse_mask(grad)._values().sqrt_().add_(eps)
    p.add_(_like_sparse(grad, values / std_values), alpha=-clr)


def _like_sparse(grad, values):
    """A sparse tensor with the (coalesced) coordinates of `grad` and other values (PyTorch's `_make_sparse`)."""
    return SparseCooTensor._make(grad._sparse_indices, values._data, grad.shape, coalesced=True)
