"""Muon (Jordan et al., 2024): momentum SGD whose update matrix is orthogonalized, as PyTorch
implements it."""
import math

import numpy as np

from .._tensor import Tensor
from ._functional import zeros_state, hyperparameter
from .optimizer import Optimizer, _use_grad

__all__ = ['Muon']

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _round_to_bfloat16(x):
    """x rounded to bfloat16 precision (kept in float32): the high 16 bits of each float32, rounded
    to nearest even. ember has no bfloat16 storage; PyTorch runs the iteration below in bfloat16, and
    rounding each intermediate the same way keeps the numbers close to its own."""
    bits = x._data.astype(np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return Tensor._wrap(rounded.view(np.float32))


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """An approximately orthogonal matrix with the singular vectors of `grad` (U S' V^T with S'
    near 1): a quintic Newton-Schulz iteration X <- a X + (b A + c A^2) X, A = X X^T, started from
    grad scaled to unit norm. Its coefficients maximize the slope at zero, which is why S' only
    lands in roughly [0.5, 1.5], which does no harm for training."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    ortho_grad = _round_to_bfloat16(grad)
    tall = grad.size(0) > grad.size(1)
    if tall:  # iterate on the wide orientation: X X^T is then the smaller Gram matrix
        ortho_grad = ortho_grad.T
    ortho_grad = _round_to_bfloat16(ortho_grad / _round_to_bfloat16(ortho_grad.norm()).clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = _round_to_bfloat16(ortho_grad @ ortho_grad.T)
        gram_update = _round_to_bfloat16(b * gram_matrix + c * (gram_matrix @ gram_matrix))
        ortho_grad = _round_to_bfloat16(a * ortho_grad + gram_update @ ortho_grad)
    return ortho_grad.T if tall else ortho_grad


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """The learning rate scaled for a rows x cols matrix, so that updates of rectangular matrices have
    comparable RMS: 'original' (Keller Jordan's) sqrt(max(1, rows / cols)), 'match_rms_adamw'
    (Moonshot's) 0.2 sqrt(max(rows, cols)), to reuse AdamW's learning rate and weight decay."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == 'original':
        adjusted_ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == 'match_rms_adamw':
        adjusted_ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        adjusted_ratio = 1.0
    return lr * adjusted_ratio


class Muon(Optimizer):
    """Muon, for the 2-d weights of hidden layers (use AdamW for biases, embeddings and the rest):

        B = mu B + (1 - mu) g                 (a lerp, as PyTorch writes it)
        U = lerp(g, B, mu) if nesterov else B
        O = NewtonSchulz(U)                   (approximately orthogonal, see above)
        p = p * (1 - lr * weight_decay) - adjusted_lr * O
    """
    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ('original', 'match_rms_adamw'):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _init_state(self, p, state, group):
        if p.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state['momentum_buffer'] = zeros_state(p)

    @_use_grad
    def step(self, closure=None):
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum = hyperparameter(group['lr']), group['momentum']
            for p, grad, state in self._updates(group):
                buf = state['momentum_buffer']
                buf.lerp_(grad, 1 - momentum)
                update = grad.lerp(buf, momentum) if group['nesterov'] else buf
                update = _zeropower_via_newtonschulz(update, group['ns_coefficients'], group['ns_steps'], group['eps'])
                p.mul_(1 - lr * group['weight_decay'])
                p.add_(update, alpha=-_adjust_lr(lr, group['adjust_lr_fn'], p.shape))
        return loss
