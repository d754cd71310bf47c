"""Loss ops that PyTorch computes with a kernel of their own (and so a graph node of their own):
nll_loss, mse_loss, binary_cross_entropy(_with_logits), smooth_l1_loss, huber_loss.
`ember.nn.functional` builds the other losses from these and from ordinary ops.

`reduction` is 'none', 'mean' or 'sum'; the backward divides by what the forward divided by.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import Tensor
from ._util import record, result, wrap

__all__ = []  # reached through ember.nn.functional, as in PyTorch
TENSOR_METHODS = ()
INPLACE_METHODS = ()

_REDUCTIONS = ('none', 'mean', 'sum')


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(data, reduction):
    if reduction == 'mean':
        return np.asarray(data.mean(), dtype=data.dtype)
    if reduction == 'sum':
        return np.asarray(data.sum(), dtype=data.dtype)
    return data


def _reduce_grad(grad, reduction, numel):
    """The gradient of each element of an unreduced loss, from the gradient of the reduced one."""
    if reduction == 'mean':
        return grad / numel
    return grad


# ---- negative log likelihood -------------------------------------------------------------------
class NllLossBackward0(Node):
    __slots__ = ('target', 'weight', 'ignore_index', 'reduction', 'total_weight', 'self_sizes')

    def backward(self, grad):
        from .._creation import zeros
        # d loss_i / d input[i, target_i] = -weight[target_i] (0 where ignored); other entries are 0
        coef = self._coefficients(grad)
        target = self.target
        full = zeros(self.self_sizes, dtype=grad.dtype)
        if len(self.self_sizes) == 1:
            return (full.index_put((target,), coef),)
        return (full.scatter(1, target.unsqueeze(1), coef.unsqueeze(1)),)

    def _coefficients(self, grad):
        target = self.target._data
        keep = target != self.ignore_index
        safe = np.where(keep, target, 0)
        w = (self.weight._data[safe] if self.weight is not None else np.ones(target.shape)) * keep
        w = wrap(w.astype(grad._data.dtype))
        if self.reduction == 'none':
            return -grad * w
        scale = -grad / self.total_weight if self.reduction == 'mean' else -grad
        return scale * w


class NllLoss2DBackward0(NllLossBackward0):
    __slots__ = ()


def nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean'):
    """-input[i, target_i] * weight[target_i], averaged over the weights of the non-ignored targets
    (PyTorch divides by that sum, not by N)."""
    _check_reduction(reduction)
    x, t = input._data, target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if t.dtype.kind not in 'iu':
        raise RuntimeError(f"expected scalar type Long but found {target.dtype}")
    if x.ndim != 1 and x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    if x.ndim > 2 and t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {list((x.shape[0],) + x.shape[2:])}, got {list(t.shape)}")
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight._data.shape)}")
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    safe = np.where(keep, t, 0)
    picked = x[safe] if x.ndim == 1 else np.take_along_axis(x, safe[:, None], axis=1)[:, 0]
    w = (weight._data[safe] if weight is not None else np.ones(t.shape, dtype=x.dtype)) * keep
    losses = -(picked * w).astype(x.dtype)
    total_weight = w.sum(dtype=x.dtype)
    if reduction == 'none':
        out = losses
    elif reduction == 'sum':
        out = np.asarray(losses.sum(), dtype=x.dtype)
    else:
        with np.errstate(invalid='ignore', divide='ignore'):
            out = np.asarray(losses.sum() / total_weight, dtype=x.dtype)
    node = record(NllLoss2DBackward0 if x.ndim == 4 else NllLossBackward0, input)
    if node is not None:
        node.target, node.weight, node.ignore_index = target, weight, ignore_index
        node.reduction, node.total_weight, node.self_sizes = reduction, float(total_weight), x.shape
    return result(out, node)


# ---- squared and absolute errors ----------------------------------------------------------------
def _check_same_size(input, target, stacklevel=4):
    if input._data.shape != target._data.shape:
        import warnings
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=stacklevel)


class MseLossBackward0(Node):
    __slots__ = ('reduction', 'numel')

    def backward(self, grad):
        input, target = self.saved_tensors
        g = _reduce_grad(grad, self.reduction, self.numel) * 2 * (input - target)
        return g, (-g if self.needs_input_grad(1) else None)


def mse_loss(input, target, reduction='mean'):
    """(input - target) ** 2, reduced."""
    _check_reduction(reduction)
    _check_same_size(input, target)
    diff = input._data - target._data
    node = record(MseLossBackward0, input, target)
    if node is not None:
        node.reduction, node.numel = reduction, diff.size
        node.save_for_backward(input, target)
    return result(_reduce(diff * diff, reduction), node)


class SmoothL1LossBackward0(Node):
    __slots__ = ('reduction', 'numel', 'beta')

    def backward(self, grad):
        input, target = self.saved_tensors
        diff = input - target
        # d/d diff: diff / beta inside the quadratic zone, sign(diff) outside
        slope = (diff / self.beta).clamp(-1, 1) if self.beta > 0 else diff.sign()
        g = _reduce_grad(grad, self.reduction, self.numel) * slope
        return g, (-g if self.needs_input_grad(1) else None)


def smooth_l1_loss(input, target, reduction='mean', beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta."""
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_same_size(input, target)
    d = np.abs(input._data - target._data)
    losses = d if beta == 0 else np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(d.dtype)
    node = record(SmoothL1LossBackward0, input, target)
    if node is not None:
        node.reduction, node.numel, node.beta = reduction, d.size, beta
        node.save_for_backward(input, target)
    return result(_reduce(losses, reduction), node)


class HuberLossBackward0(Node):
    __slots__ = ('reduction', 'numel', 'delta')

    def backward(self, grad):
        input, target = self.saved_tensors
        slope = (input - target).clamp(-self.delta, self.delta)
        g = _reduce_grad(grad, self.reduction, self.numel) * slope
        return g, (-g if self.needs_input_grad(1) else None)


def huber_loss(input, target, reduction='mean', delta=1.0):
    """0.5 d^2 where |d| <= delta, else delta * (|d| - 0.5 delta)."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_same_size(input, target)
    d = np.abs(input._data - target._data)
    losses = np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(d.dtype)
    node = record(HuberLossBackward0, input, target)
    if node is not None:
        node.reduction, node.numel, node.delta = reduction, d.size, delta
        node.save_for_backward(input, target)
    return result(_reduce(losses, reduction), node)


# ---- binary cross entropy ------------------------------------------------------------------------
_BCE_EPSILON = 1e-12


class BinaryCrossEntropyBackward0(Node):
    __slots__ = ('weight', 'reduction', 'numel')

    def backward(self, grad):
        input, target = self.saved_tensors
        g = _reduce_grad(grad, self.reduction, self.numel)
        if self.weight is not None:
            g = g * self.weight
        grad_input = grad_target = None
        if self.needs_input_grad(0):
            # PyTorch keeps the denominator away from 0 with an epsilon
            grad_input = g * (input - target) / ((1 - input) * input).clamp_min(_BCE_EPSILON)
        if self.needs_input_grad(1):
            grad_target = g * ((1 - input).log().clamp_min(-100) - input.log().clamp_min(-100))
        return grad_input, grad_target


def binary_cross_entropy(input, target, weight=None, reduction='mean'):
    """-w (t log x + (1 - t) log(1 - x)); the logs are clamped at -100 as PyTorch does."""
    _check_reduction(reduction)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    x, t = input._data, target._data
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide='ignore'):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    losses = -(t * log_x + (1 - t) * log_1mx)
    if weight is not None:
        losses = losses * weight._data
    node = record(BinaryCrossEntropyBackward0, input, target)
    if node is not None:
        node.weight, node.reduction, node.numel = weight, reduction, x.size
        node.save_for_backward(input, target)
    return result(_reduce(losses.astype(x.dtype, copy=False), reduction), node)


class BinaryCrossEntropyWithLogitsBackward0(Node):
    __slots__ = ('weight', 'pos_weight', 'reduction', 'numel')

    def backward(self, grad):
        input, target = self.saved_tensors
        g = _reduce_grad(grad, self.reduction, self.numel)
        if self.weight is not None:
            g = g * self.weight
        grad_input = grad_target = None
        if self.pos_weight is None:
            if self.needs_input_grad(0):
                grad_input = g * (input.sigmoid() - target)
            if self.needs_input_grad(1):
                grad_target = -g * input
        else:
            # L = (1 - t) x + (1 + (p - 1) t) softplus(-x)
            log_weight = (self.pos_weight - 1) * target + 1
            if self.needs_input_grad(0):
                grad_input = g * ((1 - target) - log_weight * (-input).sigmoid())
            if self.needs_input_grad(1):
                grad_target = g * ((self.pos_weight - 1) * _softplus(-input) - input)
        return grad_input, grad_target


def _softplus(x):
    """log(1 + exp(x)) without overflow, as a differentiable composite."""
    return x.clamp_min(0) + (-(x.abs())).exp().log1p()


def binary_cross_entropy_with_logits(input, target, weight=None, reduction='mean', pos_weight=None):
    """BCE on logits, computed stably: (1 - t) x + lw * (log(1 + exp(-|x|)) + max(-x, 0)),
    lw = 1 + (pos_weight - 1) t."""
    _check_reduction(reduction)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    x, t = input._data, target._data
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    if pos_weight is not None:
        log_weight = (pos_weight._data - 1) * t + 1
        losses = (1 - t) * x + log_weight * softplus_neg
    else:
        losses = (1 - t) * x + softplus_neg
    if weight is not None:
        losses = losses * weight._data
    node = record(BinaryCrossEntropyWithLogitsBackward0, input, target)
    if node is not None:
        node.weight, node.pos_weight, node.reduction, node.numel = weight, pos_weight, reduction, x.size
        node.save_for_backward(input, target)
    return result(_reduce(losses.astype(x.dtype, copy=False), reduction), node)


Tensor  # noqa: B018  (type used in docstrings)
