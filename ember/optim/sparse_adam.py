"""SparseAdam: lazy Adam for sparse gradients (e.g. from `Embedding(sparse=True)`).

Only the rows a sparse gradient names are touched: their moments and their parameter values are
updated as Adam would; every other row, and its moments, stays as it was.
"""
import math

import numpy as np

from ._functional import check_betas
from .optimizer import Optimizer, _use_grad

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    """PyTorch's SparseAdam. For each parameter p with sparse gradient g, coalesced to rows r with
    values v (negated when maximizing):

        m[r] += (1 - beta1) * (v - m[r])          v2[r] += (1 - beta2) * (v * v - v2[r])
        p[r] -= lr * sqrt(1 - beta2 ** step) / (1 - beta1 ** step) * m[r] / (sqrt(v2[r]) + eps)

    with `step` counted per parameter. Dense gradients raise, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        sparse_params = [[group_index, index] for group_index, group in enumerate(self.param_groups)
                         for index, p in enumerate(group['params']) if p.is_sparse]
        if sparse_params:
            raise ValueError(f"Sparse params at indices {sparse_params}: SparseAdam requires dense parameter tensors")
        complex_params = [[group_index, index] for group_index, group in enumerate(self.param_groups)
                          for index, p in enumerate(group['params']) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             f"parameters")

    @_use_grad
    def step(self, closure=None):
        """One lazy Adam update of the rows each parameter's sparse gradient names."""
        from .._creation import zeros_like
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps = group['lr'], group['eps']
            for p in group['params']:
                if p.grad is None:
                    continue
                if not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
                state = self.state[p]
                if not state:
                    state['step'] = 0
                    state['exp_avg'] = zeros_like(p)
                    state['exp_avg_sq'] = zeros_like(p)
                state['step'] += 1
                grad = (-p.grad if group['maximize'] else p.grad).coalesce()  # the update is not linear
                values = grad._sparse_values
                if values.size == 0:
                    continue
                rows = tuple(grad._sparse_indices)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                # PyTorch's order of operations: old += (1 - b) * (new - old), and the parameter
                # step uses old + update rather than reading the moments back (Python-float factors
                # keep the values' dtype in NumPy, as in PyTorch)
                old_exp_avg = exp_avg._data[rows]
                exp_avg_update = (values - old_exp_avg) * (1 - beta1)
                exp_avg._data[rows] += exp_avg_update
                old_exp_avg_sq = exp_avg_sq._data[rows]
                exp_avg_sq_update = (values ** 2 - old_exp_avg_sq) * (1 - beta2)
                exp_avg_sq._data[rows] += exp_avg_sq_update
                numer = exp_avg_update + old_exp_avg
                denom = np.sqrt(exp_avg_sq_update + old_exp_avg_sq) + eps
                step = state['step']
                step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
                p._data[rows] += -step_size * (numer / denom)
                for t in (exp_avg, exp_avg_sq, p):
                    t._version_counter[0] += 1
        return loss
