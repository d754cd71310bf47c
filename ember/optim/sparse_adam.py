"""SparseAdam: Adam for sparse gradients (e.g. from `Embedding(sparse=True)`).

ember has no sparse tensors, so every gradient it produces is dense; SparseAdam accepts the same
arguments as PyTorch's and raises PyTorch's error when it meets a dense gradient.
"""
from ._functional import check_betas
from .optimizer import Optimizer, _use_grad

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is not None and not getattr(p.grad, 'is_sparse', False):
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        return loss
