"""Loss ops that PyTorch computes with a kernel of their own (and so a graph node of their own):
nll_loss, mse_loss, binary_cross_entropy(_with_logits), smooth_l1_loss, huber_loss, soft_margin_loss,
multi_margin_loss, multilabel_margin_loss, ctc_loss.
`ember.nn.functional` builds the other losses from these and from ordinary ops.

`reduction` is 'none', 'mean' or 'sum' (checked once, by the functional forms in
`ember.nn.functional`); the backward divides by what the forward divided by.
"""
import numpy as np

from ..autograd.graph import Node
from .. import _dtype as dtypes
from .._tensor import Tensor, _scalar_type_name
from ._util import binary_operands, record, result, wrap

__all__ = []  # reached through ember.nn.functional, as in PyTorch
TENSOR_METHODS = ()
INPLACE_METHODS = ()

def _reduce(data, reduction):
    if reduction == 'mean':
        return np.asarray(data.mean(), dtype=data.dtype)
    if reduction == 'sum':
        return np.asarray(data.sum(), dtype=data.dtype)
    return data


def _not_implemented(kernel, np_dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_type_name(np_dtype)}\'')


def _cannot_cast(result_dtype, output_dtype):
    """PyTorch's error when a loss writes a float result into an output of the input's integer dtype."""
    return RuntimeError(f"result type {_scalar_type_name(result_dtype)} can't be cast to the desired output type "
                        f"{_scalar_type_name(output_dtype)}")


def _check_weight_dtype(weight, x):
    if weight is not None and weight._data.dtype != x.dtype:  # aten's kernels read the weight as the input's dtype
        raise RuntimeError(f"expected scalar type {_scalar_type_name(x.dtype)} but found "
                           f"{_scalar_type_name(weight._data.dtype)}")


def _promoted_operands(kernel, input, target):
    """input and target as NumPy arrays of their promoted dtype (PyTorch's result_type): aten runs
    these losses as binary ops over that dtype, for float dtypes only."""
    x, t = binary_operands(input, target)
    if x.dtype.kind != 'f':
        raise _not_implemented(kernel, x.dtype)
    return x, t


def _reduce_grad(grad, reduction, numel):
    """The gradient of each element of an unreduced loss, from the gradient of the reduced one."""
    if reduction == 'mean':
        return grad / numel
    return grad


# ---- negative log likelihood -------------------------------------------------------------------
class NllLossBackward0(Node):
    __slots__ = ('target', 'ignored', 'target_weight', 'reduction', 'total_weight', 'self_sizes')

    def backward(self, grad):
        from .._creation import zeros
        # d loss_i / d input[i, target_i] = -weight[target_i]; other entries are 0. An ignored target
        # (ignore_index may be out of range, -100 or 255) reads class 0 in `target`, and PyTorch leaves
        # its gradient untouched: +0, not -grad * 0
        scale = -grad / self.total_weight if self.reduction == 'mean' else -grad
        coef = (scale * wrap(self.target_weight)).masked_fill(self.ignored, 0.)
        full = zeros(self.self_sizes, dtype=grad.dtype)
        if len(self.self_sizes) == 1:
            return (full.index_put((self.target,), coef),)
        return (full.scatter(1, self.target.unsqueeze(1), coef.unsqueeze(1)),)


class NllLoss2DBackward0(NllLossBackward0):
    __slots__ = ()


def check_kl_div_inputs(input, target):
    """PyTorch's kl_div takes floating-point (or complex) inputs and targets only."""
    if input._data.dtype.kind not in 'fc' or target._data.dtype.kind not in 'fc':
        raise RuntimeError("kl_div: Integral inputs not supported.")


def _check_nll_loss_arguments(x, t, weight):
    """aten's checks of nll_loss (inputs (C,) and (N, C)) and nll_loss2d (inputs (N, C, H, W)),
    in aten's order; returns the number of classes."""
    spatial = x.ndim == 4
    if spatial and t.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{t.ndim}")
    if not spatial and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.dtype != np.int64 and t.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_type_name(t.dtype)}")
    if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if weight is not None and spatial and weight.numel() != n_classes:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if weight is not None and not spatial and weight._data.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight._data.shape)}")
    if spatial and t.shape != (x.shape[0],) + x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    if x.dtype.kind != 'f':
        raise _not_implemented('nll_loss2d_forward_out_frame' if spatial else 'nll_loss_out_frame', x.dtype)
    _check_weight_dtype(weight, x)
    if spatial and t.dtype != np.int64:  # the 2-d kernel reads int64 targets only
        raise RuntimeError(f"expected scalar type Long but found {_scalar_type_name(t.dtype)}")
    return n_classes


def nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean'):
    """-input[i, target_i] * weight[target_i], averaged over the weights of the non-ignored targets
    (PyTorch divides by that sum, not by N)."""
    x, t = input._data, target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    n_classes = _check_nll_loss_arguments(x, t, weight)
    if x.ndim == 1:
        t = t.reshape(())  # PyTorch squeezes a 1-element target of a 1-d input
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    # the class each loss reads: 0 stands in for ignored targets (their weight is 0)
    safe = np.where(keep, t, 0).astype(np.int64)
    if x.ndim == 1:
        picked = x[safe]
    elif x.ndim == 2:
        picked = x[np.arange(x.shape[0]), safe]
    else:
        picked = np.take_along_axis(x, safe[:, None], axis=1)[:, 0]
    # each sample's weight: weight[target], 0 where the target is ignore_index
    w = keep.astype(x.dtype) if weight is None else (weight._data[safe] * keep).astype(x.dtype, copy=False)
    losses = -(picked * w)
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
        node.target, node.ignored, node.target_weight = wrap(safe), wrap(~keep), w
        node.reduction, node.total_weight, node.self_sizes = reduction, float(total_weight), x.shape
    return result(out, node)


# ---- squared and absolute errors (input and target already broadcast to one shape) -------------
class MseLossBackward0(Node):
    __slots__ = ('reduction', 'numel')

    def backward(self, grad):
        input, target = self.saved_tensors
        g = _reduce_grad(grad, self.reduction, self.numel) * 2 * (input - target)
        return g, (-g if self.needs_input_grad(1) else None)


def mse_loss(input, target, reduction='mean'):
    """(input - target) ** 2, reduced; the result has the promoted dtype of input and target."""
    x, t = _promoted_operands('mse_cpu', input, target)
    diff = x - t
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
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, t = _promoted_operands('smooth_l1_cpu', input, target)
    d = np.abs(x - t)
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
    """0.5 d^2 where |d| <= delta, else delta * (|d| - 0.5 delta); unlike mse_loss, the result keeps
    the input's dtype (aten writes it into a tensor like the input)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, t = binary_operands(input, target)
    out_dtype = input._data.dtype
    if dtypes._category(x.dtype) > dtypes._category(out_dtype):
        raise _cannot_cast(x.dtype, out_dtype)
    if x.dtype.kind != 'f':
        raise _not_implemented('huber_cpu', x.dtype)
    d = np.abs(x - t)
    losses = np.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(out_dtype)
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
    if input._data.shape != target._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    x, t = input._data, target._data
    if t.dtype != x.dtype:  # aten's kernel takes one dtype, the input's, for input, target and loss
        raise RuntimeError(f"Found dtype {_scalar_type_name(t.dtype)} but expected {_scalar_type_name(x.dtype)}")
    if x.dtype.kind != 'f':
        raise _not_implemented('binary_cross_entropy', x.dtype)
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
    lw = 1 + (pos_weight - 1) t. The loss has the target's dtype: aten computes it in place into
    (1 - target)."""
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    x, t = input._data, target._data
    if x.dtype.kind != 'f':
        raise _not_implemented('log_sigmoid_cpu', x.dtype)
    if t.dtype == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if t.dtype.kind != 'f':
        raise _cannot_cast(dtypes.result_numpy_dtype(input, target), t.dtype)
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
    return result(_reduce(losses.astype(t.dtype, copy=False), reduction), node)



# ---- margin losses --------------------------------------------------------------------------------
class SoftMarginLossBackward0(Node):
    __slots__ = ('reduction', 'numel')

    def backward(self, grad):
        input, target = self.saved_tensors
        # d/dx log(1 + exp(-y x)) = -y exp(-y x) / (1 + exp(-y x))
        z = (-target * input).exp()
        return (_reduce_grad(grad, self.reduction, self.numel) * -target * z / (z + 1),)


def soft_margin_loss(input, target, reduction='mean'):
    """log(1 + exp(-y x)), the two-class logistic loss (PyTorch's kernel uses exactly this formula).
    aten computes it in place in a tensor like the input, so the loss keeps the input's dtype."""
    x, y = input._data, target._data
    if x.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    if x.dtype.kind != 'f':
        promoted = dtypes.result_numpy_dtype(input, target)
        raise _cannot_cast(promoted if promoted.kind == 'f' else dtypes.get_default_dtype().numpy_type, x.dtype)
    losses = np.log1p(np.exp(-y * x))
    node = record(SoftMarginLossBackward0, input)  # PyTorch gives the target no gradient
    if node is not None:
        node.reduction, node.numel = reduction, losses.size
        node.save_for_backward(input, target)
    return result(_reduce(losses.astype(x.dtype, copy=False), reduction), node)


class MultiMarginLossBackward0(Node):
    __slots__ = ('target', 'p', 'margin', 'weight', 'reduction', 'active', 'one_hot')

    def backward(self, grad):
        input, = self.saved_tensors
        x = input if input.dim() == 2 else input.unsqueeze(0)
        n_samples, n_classes = x.shape
        g = _reduce_grad(grad, self.reduction, n_samples)
        g = g.reshape(-1, 1) if g.dim() else g
        # each active margin term z_j = margin - x_y + x_j adds dz^p / n_classes to x_j and takes it from x_y
        slope = wrap(self.active.astype(x._data.dtype) / n_classes)
        if self.p == 2:
            target_score = x.gather(1, self.target.reshape(-1, 1))
            slope = slope * 2 * (x - target_score + self.margin)
        if self.weight is not None:
            slope = slope * self.weight.gather(0, self.target.reshape(-1)).reshape(-1, 1)
        slope = slope * g
        grad_x = slope - wrap(self.one_hot) * slope.sum(1, keepdim=True)
        return (grad_x if input.dim() == 2 else grad_x.reshape(input.shape),)


def _check_margin_loss_input(x):
    """The inputs aten's multi_margin_loss and multilabel_margin_loss take: a non-empty vector, a
    matrix of non-empty rows (the batch may be empty), or a 0-d tensor (one sample, one class)."""
    if not (x.ndim == 2 and x.shape[1] != 0 or x.ndim == 1 and x.shape[0] != 0 or x.ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(x.shape)}")


def _check_long_target(t):
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_type_name(t.dtype)}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction='mean'):
    """sum over j != y of max(0, margin - x[y] + x[j]) ** p * weight[y], divided by the number of classes."""
    x, t = input._data, target._data
    _check_margin_loss_input(x)
    x2 = x if x.ndim == 2 else x.reshape(1, -1)
    n_samples, n_classes = x2.shape
    if t.ndim > 1 or t.size != n_samples:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n_samples}], but got {list(t.shape)}. "
                           f"Input has shape {list(x.shape)}.")
    if weight is not None and weight._data.size != n_classes:
        raise RuntimeError(f"inconsistent weight size, expected {n_classes} but got {list(weight._data.shape)}")
    if x.size:  # aten returns before its kernel reads any data when there is none
        if x.dtype.kind != 'f':
            raise _not_implemented('multi_margin_loss_cpu_kernel', x.dtype)
        _check_long_target(t)
        _check_weight_dtype(weight, x)
    t1 = t.reshape(-1).astype(np.int64, copy=False)
    if ((t1 < 0) | (t1 >= n_classes)).any():
        raise RuntimeError("target out of range")
    one_hot = np.zeros(x2.shape, dtype=bool)
    one_hot[np.arange(n_samples), t1] = True
    z = margin - np.take_along_axis(x2, t1[:, None], axis=1) + x2
    active = (z > 0) & ~one_hot
    terms = np.where(active, z if p == 1 else z * z, 0)
    if weight is not None:
        terms = terms * weight._data[t1][:, None]
    losses = (terms.sum(1) / n_classes).astype(x.dtype, copy=False)
    if reduction == 'none':
        out = losses.reshape(t.shape) if x.ndim == 2 or t.ndim else losses.reshape(())
    else:
        out = _reduce(losses, reduction)
    node = record(MultiMarginLossBackward0, input)
    if node is not None:
        node.target, node.p, node.margin, node.weight, node.reduction = target, p, margin, weight, reduction
        node.active, node.one_hot = active, one_hot.astype(x.dtype)
        node.save_for_backward(input)
    return result(out, node)


class MultilabelMarginLossBackward0(Node):
    __slots__ = ('reduction', 'slope', 'n_samples')

    def backward(self, grad):
        g = _reduce_grad(grad, self.reduction, self.n_samples)
        return ((g.reshape(-1, 1) if g.dim() else g) * wrap(self.slope),)


def multilabel_margin_loss(input, target, reduction='mean'):
    """sum over target classes k and non-target classes j of max(0, 1 - (x[k] - x[j])) / C; a row's
    targets are the indices before its first -1."""
    x, t = input._data, target._data
    _check_margin_loss_input(x)
    n_classes = x.shape[-1] if x.ndim else 1
    if (t.shape != x.shape) if x.ndim == 2 else (t.ndim > 1 or t.size != n_classes):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(x.shape)}")
    x2 = x.reshape(-1, n_classes)
    t2 = t.reshape(x2.shape)
    n_samples = x2.shape[0]
    if x.size:  # aten checks every entry, also those after the first -1
        if t.min() < -1 or t.max() >= n_classes:
            raise RuntimeError("argument #2 'target' is out of range")
        if x.dtype.kind != 'f':
            raise _not_implemented('multilabel_margin_loss_forward_out_frame', x.dtype)
        _check_long_target(t)
    valid = np.cumprod(t2 >= 0, axis=1).astype(bool)  # the targets end at the first negative entry
    rows = np.arange(n_samples)[:, None]
    safe = np.where(valid, t2, 0).astype(np.int64, copy=False)
    is_target = np.zeros(x2.shape, dtype=bool)
    is_target[np.broadcast_to(rows, safe.shape)[valid], safe[valid]] = True
    # z[i, slot, j] = 1 - x[i, target slot] + x[i, j], counted for valid slots and non-target j
    z = 1 - x2[rows, safe][:, :, None] + x2[:, None, :]
    active = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
    losses = (np.where(active, z, 0).sum((1, 2)) / n_classes).astype(x.dtype, copy=False)
    out = losses.reshape(x.shape[:-1]) if reduction == 'none' else _reduce(losses, reduction)
    node = record(MultilabelMarginLossBackward0, input)
    if node is not None:
        # the loss is piecewise linear: its slope is +1/C on x_j and -1/C on x_k for each active term
        slope = active.sum(1).astype(x.dtype)
        np.add.at(slope, (np.broadcast_to(rows, safe.shape), safe), -active.sum(2).astype(x.dtype))
        node.slope, node.reduction, node.n_samples = (slope / n_classes).reshape(x.shape), reduction, n_samples
    return result(out, node)


# ---- connectionist temporal classification -------------------------------------------------------
class CtcLossBackward0(Node):
    __slots__ = ('coefficient',)

    def backward(self, grad):
        # PyTorch's CTC gradient: exp(log_probs) - occupancy, which assumes log_probs come from a
        # log_softmax (its backward then yields softmax - occupancy for the logits)
        return (grad.reshape(1, -1, 1) * wrap(self.coefficient),)


def _logsumexp3(a, b, c):
    with np.errstate(invalid='ignore'):
        return np.logaddexp(np.logaddexp(a, b), c)


def _shifted(values, by, fill):
    """values[..., s - by] along the last axis (positive `by` shifts right), `fill` where it runs off."""
    out = np.full_like(values, fill)
    if by > 0:
        out[..., by:] = values[..., :-by]
    else:
        out[..., :by] = values[..., -by:]
    return out


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """Per-sample negative log likelihood of the targets under all CTC alignments (shape (N,)),
    from log_probs (T, N, C). Forward and backward run the alpha / beta recursions in log space over
    the extended label sequence (blank, l1, blank, l2, ..., blank), vectorised over the batch."""
    lp = log_probs._data
    n_steps, n_batch, n_classes = lp.shape
    tgt = targets._data
    input_lengths = np.asarray(input_lengths, dtype=np.int64).reshape(-1)
    target_lengths = np.asarray(target_lengths, dtype=np.int64).reshape(-1)
    if (input_lengths > n_steps).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {n_steps}, but got value "
                           f"{int(input_lengths.max())} (while checking arguments for ctc_loss_allocate_outputs)")
    max_target = int(target_lengths.max()) if n_batch else 0
    if tgt.ndim == 1:
        # concatenated targets: gather them into an (N, S) padded array
        starts = np.concatenate(([0], np.cumsum(target_lengths)[:-1]))
        slots = np.arange(max_target)
        padded = tgt[np.minimum(starts[:, None] + slots, max(tgt.size - 1, 0))] if tgt.size else \
            np.zeros((n_batch, max_target), dtype=np.int64)
    else:
        if tgt.shape[1] < max_target:
            raise RuntimeError(f"Expected tensor to have size at least {max_target} at dimension 1, but got size "
                               f"{tgt.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        padded = tgt[:, :max_target]
    n_ext = 2 * max_target + 1
    ext = np.full((n_batch, n_ext), blank, dtype=np.int64)
    ext[:, 1::2] = np.where(np.arange(max_target) < target_lengths[:, None], padded, blank)
    ext_len = 2 * target_lengths + 1
    in_range = np.arange(n_ext) < ext_len[:, None]
    # a step may skip the blank between two different labels
    can_skip = (ext != blank) & (ext != _shifted(ext, 2, blank))
    batch = np.arange(n_batch)[:, None]
    emit = lp[:, batch, ext]  # (T, N, S'): log prob of each extended label at each step
    neg_inf = np.array(-np.inf, dtype=lp.dtype)

    alpha = np.full((n_steps, n_batch, n_ext), neg_inf, dtype=lp.dtype)
    alpha[0, :, 0] = emit[0, :, 0]
    if n_ext > 1:
        alpha[0, :, 1] = np.where(target_lengths > 0, emit[0, :, 1], neg_inf)
    for t in range(1, n_steps):
        prev = alpha[t - 1]
        # stay on s, advance from s - 1, or skip a blank from s - 2
        skip = np.where(can_skip, _shifted(prev, 2, neg_inf), neg_inf)
        alpha[t] = _logsumexp3(prev, _shifted(prev, 1, neg_inf), skip) + emit[t]
    last = alpha[np.maximum(input_lengths - 1, 0), np.arange(n_batch)]  # (N, S')
    end = last[np.arange(n_batch), ext_len - 1]
    before_end = np.where(target_lengths > 0, last[np.arange(n_batch), np.maximum(ext_len - 2, 0)], neg_inf)
    nll = -np.logaddexp(end, before_end)

    node = record(CtcLossBackward0, log_probs)
    if node is not None:
        beta = np.full_like(alpha, neg_inf)
        position = np.arange(n_ext)
        # the last alignment step ends on the final blank or on the last label
        final = np.where((position == ext_len[:, None] - 1) | ((position == ext_len[:, None] - 2) &
                                                               (target_lengths[:, None] > 0)), 0, neg_inf)
        next_beta = np.full((n_batch, n_ext), neg_inf, dtype=lp.dtype)
        for t in range(n_steps - 1, -1, -1):
            step = _logsumexp3(next_beta, _shifted(next_beta, -1, neg_inf),
                               np.where(_shifted(can_skip, -2, False), _shifted(next_beta, -2, neg_inf), neg_inf))
            is_last = (t == input_lengths - 1)[:, None]
            before = (t < input_lengths - 1)[:, None]
            beta[t] = np.where(is_last, final, np.where(before, step, neg_inf)) + emit[t]
            beta[t][~in_range] = neg_inf
            next_beta = beta[t]
        # occupancy of class c at step t: sum over extended positions s labelled c of alpha * beta,
        # which counts the emission at t twice, hence the - log_probs
        ab = alpha + beta
        peak = ab.max(2, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        one_hot = (ext[:, :, None] == np.arange(n_classes)).astype(lp.dtype)
        with np.errstate(divide='ignore'):
            log_occupancy = np.log(np.einsum('tns,nsc->tnc', np.exp(ab - peak), one_hot, optimize=True)) + peak
        with np.errstate(invalid='ignore', over='ignore'):
            coefficient = np.exp(lp) - np.exp(log_occupancy + nll[None, :, None] - lp)
        unused = np.arange(n_steps)[:, None] >= input_lengths[None, :]
        coefficient[unused] = 0
        if zero_infinity:
            coefficient[:, np.isinf(nll)] = 0
        node.coefficient = coefficient.astype(lp.dtype, copy=False)
    return result(nll.astype(lp.dtype, copy=False), node)


Tensor  # noqa: B018  (type used in docstrings)
