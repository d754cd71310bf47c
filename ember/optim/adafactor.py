"""Adafactor (Shazeer & Stern, 2018), as PyTorch implements it."""
from .. import _dtype as dtypes
from ._functional import new_step, zeros_state, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Adafactor']


class Adafactor(Optimizer):
    """Adafactor: Adam-like steps whose second-moment estimate of a matrix gradient is stored as a
    row factor R and a column factor C (m + n numbers instead of m * n), with a relative step size.

        beta2_t = 1 - t^beta2_decay        rho_t = min(lr, 1 / sqrt(t))
        alpha_t = max(eps2, RMS(p)) * rho_t
        R = lerp(R, mean(g^2 over columns), 1 - beta2_t)     C = lerp(C, mean(g^2 over rows), 1 - beta2_t)
        V = R C / max(mean(R), eps1)            (a vector or scalar keeps the full lerp'd g^2 instead)
        U = g / sqrt(max(V, eps1^2))            p = p - alpha_t * U / max(1, RMS(U) / d)

    Matrices factor over their last two dimensions. As in PyTorch, `lr` caps rho_t and scales the
    decoupled weight decay (p = p * (1 - lr * weight_decay)); eps1 None means the dtype's epsilon.
    """
    _option_fallbacks = dict(foreach=None)
    _scalar_state_keys = ('step',)

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state['step'] = new_step()
        if p.dim() > 1:
            # the row factor keeps one number per row (last dim reduced), the column factor one per column
            state['row_var'] = p.new_zeros(p.shape[:-1] + (1,))
            state['col_var'] = p.new_zeros(p.shape[:-2] + (1, p.shape[-1]))
        else:
            state['variance'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (eps1, eps2) = hyperparameter(group['lr']), group['eps']
            beta2_decay, weight_decay, d = group['beta2_decay'], group['weight_decay'], group['d']
            for p, grad, state in self._updates(group):
                epsilon1 = dtypes.finfo(p.dtype).eps if eps1 is None else eps1
                step = state['step'].item()
                one_minus_beta2_t = step ** beta2_decay
                rho_t = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, p.norm(2).item() / p.numel() ** 0.5) * rho_t
                if weight_decay != 0:
                    p.mul_(1 - lr * weight_decay)
                if grad.dim() > 1:
                    row_var, col_var = state['row_var'], state['col_var']
                    row_var.lerp_(grad.square().mean(dim=-1, keepdim=True), one_minus_beta2_t)
                    col_var.lerp_(grad.square().mean(dim=-2, keepdim=True), one_minus_beta2_t)
                    var_estimate = (row_var @ col_var).div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=epsilon1))
                else:
                    state['variance'].lerp_(grad * grad, one_minus_beta2_t)
                    var_estimate = state['variance'].clone()
                # eps1 is squared because the square root is taken next; 1 / sqrt(V) as a power, which
                # also serves 0-d parameters (PyTorch calls rsqrt_; the two agree to an ulp)
                update = var_estimate.clamp_(min=epsilon1 * epsilon1).pow_(-0.5).mul_(grad)
                denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * d))
                p.add_(update, alpha=-alpha / denom)
        return loss
