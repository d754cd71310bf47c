"""Scaled dot-product attention as one kernel: `softmax(q @ k^T * scale + mask) @ v`.

PyTorch's CPU runs this as a fused kernel (`_scaled_dot_product_flash_attention_for_cpu`) whose backward
node is `ScaledDotProductFlashAttentionForCpuBackward0`; ember does the same with batched NumPy matmuls
over (..., heads, L, S). The backward uses the FlashAttention identity
`sum_j dP_ij P_ij = sum_e dO_ie O_ie`, so it never reduces over the (L, S) attention matrix twice.
With `create_graph=True` the same formulas run on ember ops, so attention is twice differentiable
(PyTorch's fused CPU kernel is not: its double backward raises; ember's always works).
"""
import math

import numpy as np

from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from .._dtype import cpp_type_name
from .._tensor import Tensor
from ._util import record, result, broadcast_error
from .reduction import _finite_max
from .indexing import where

__all__ = []
TENSOR_METHODS = ()
INPLACE_METHODS = ()

class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """Saves q, k, v, the float mask (if it needs a gradient) and the output; keeps the softmax
    probabilities, the positions a bool mask or `is_causal` let take part, and the dropout's scaled
    keep-mask as arrays."""
    __slots__ = ('scale', 'kv_group', 'probs', 'allowed', 'keep')

    def backward(self, grad):
        if GradMode.enabled:
            return self._differentiable_backward(grad)
        query, key, value, _ = self.saved_tensors
        q, k, v = query._data, key._data, value._data
        if self.kv_group > 1:  # grouped-query attention: each k/v head serves `kv_group` query heads
            k, v = np.repeat(k, self.kv_group, axis=-3), np.repeat(v, self.kv_group, axis=-3)
        grad_output, output = grad._data, self.saved_output._data
        probs, keep = self.probs, self.keep
        weights = probs if keep is None else probs * keep   # what multiplied v in the forward
        grad_value = np.matmul(np.swapaxes(weights, -1, -2), grad_output) if self.needs_input_grad(2) else None
        grad_weights = np.matmul(grad_output, np.swapaxes(v, -1, -2))
        if keep is not None:
            grad_weights *= keep
        # softmax backward: dS = P * (dP - sum_j dP_j P_j), and sum_j dP_j P_j = sum_e dO_e O_e
        grad_weights -= np.sum(grad_output * output, axis=-1, keepdims=True)
        grad_scores = np.multiply(grad_weights, probs, out=grad_weights)
        grad_query = np.matmul(grad_scores, k) * self.scale if self.needs_input_grad(0) else None
        grad_key = np.matmul(np.swapaxes(grad_scores, -1, -2), q) * self.scale if self.needs_input_grad(1) else None
        if grad_key is not None and self.kv_group > 1:
            grad_key = _sum_groups(grad_key, self.kv_group)
        if grad_value is not None and self.kv_group > 1:
            grad_value = _sum_groups(grad_value, self.kv_group)
        grad_mask = grad_scores if self.needs_input_grad(3) else None
        return tuple(None if g is None else Tensor._wrap(g) for g in (grad_query, grad_key, grad_value, grad_mask))

    def _differentiable_backward(self, grad):
        """create_graph: the formulas above on ember ops. The probabilities are recomputed from q and
        k in the graph, since the second derivative needs theirs."""
        query, key, value, float_mask = self.saved_tensors
        key_heads, value_heads = _repeat_heads(key, self.kv_group), _repeat_heads(value, self.kv_group)
        scores = query.matmul(key_heads.transpose(-2, -1)) * self.scale
        if float_mask is not None:
            scores = scores + float_mask
        if self.allowed is not None:
            scores = _where(self.allowed, scores, -math.inf)
        # rows with nothing to attend to are zeros (the forward's safe softmax): keep their scores
        # finite so that their zero gradient is not 0 * NaN
        alive = np.sum(self.probs, axis=-1, keepdims=True) != 0
        probs = _where(alive, scores, 0.0).softmax(-1) * Tensor._wrap(alive)
        keep = None if self.keep is None else Tensor._wrap(self.keep)
        weights = probs if keep is None else probs * keep
        grad_value = weights.transpose(-2, -1).matmul(grad) if self.needs_input_grad(2) else None
        grad_weights = grad.matmul(value_heads.transpose(-2, -1))
        if keep is not None:
            grad_weights = grad_weights * keep
        grad_scores = probs * (grad_weights - (grad_weights * probs).sum(-1, keepdim=True))
        grad_query = grad_scores.matmul(key_heads) * self.scale if self.needs_input_grad(0) else None
        grad_key = grad_scores.transpose(-2, -1).matmul(query) * self.scale if self.needs_input_grad(1) else None
        if self.kv_group > 1:
            grad_key = None if grad_key is None else _sum_groups(grad_key, self.kv_group)
            grad_value = None if grad_value is None else _sum_groups(grad_value, self.kv_group)
        return grad_query, grad_key, grad_value, grad_scores if self.needs_input_grad(3) else None


def _where(condition, x, value):
    return where(Tensor._wrap(condition), x, value)


def _repeat_heads(x, group):
    """`np.repeat(x, group, axis=-3)` as a differentiable op."""
    return x if group == 1 else x.repeat_interleave(group, dim=-3)


def _sum_groups(grad, group):
    """Undo `np.repeat(x, group, axis=-3)`: sum the gradients of the copies of each head (`grad` is an
    array, or a tensor in a create_graph backward)."""
    shape = tuple(grad.shape)
    return grad.reshape(shape[:-3] + (shape[-3] // group, group) + shape[-2:]).sum(-3)


def _check_inputs(query, key, value, attn_mask, is_causal, enable_gqa):
    q, k, v = query._data, key._data, value._data
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{cpp_type_name(q.dtype)} key.dtype: {cpp_type_name(k.dtype)} and value.dtype: "
                           f"{cpp_type_name(v.dtype)} instead.")
    if q.dtype.kind != 'f':
        raise RuntimeError(f"\"scaled_dot_product_attention\" not implemented for '{cpp_type_name(q.dtype)}'")
    if attn_mask is not None:
        mask_dtype = attn_mask._data.dtype
        if mask_dtype != np.bool_ and mask_dtype != q.dtype:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {cpp_type_name(attn_mask._data.dtype)} and  query.dtype: "
                               f"{cpp_type_name(q.dtype)} instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must be at least 2-D, got "
                           f"{q.ndim}-D, {k.ndim}-D and {v.ndim}-D")
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"Expected key and value to have the same sequence length, but got key {tuple(k.shape)} "
                           f"and value {tuple(v.shape)}")
    if enable_gqa and q.ndim >= 3:
        if k.shape[-3] != v.shape[-3] or q.shape[-3] % k.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa the number of query heads "
                               f"({q.shape[-3]}) must be a multiple of the number of key/value heads "
                               f"({k.shape[-3]}), and key and value must have the same number of heads "
                               f"({v.shape[-3]})")
        return q.shape[-3] // k.shape[-3]
    return 1


def _softmax_last(scores):
    """Softmax over the last axis, in place; a row whose every score is -inf (all masked) gives zeros
    instead of NaN, as PyTorch's `_safe_softmax`."""
    scores -= _finite_max(scores, -1)
    np.exp(scores, out=scores)
    sums = np.sum(scores, axis=-1, keepdims=True)
    sums[sums == 0] = 1
    scores /= sums
    return scores


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """`softmax(query @ key^T * scale + mask) @ value` over the last two dims, batched (and broadcast) over
    the leading ones. A bool `attn_mask` marks with True the positions that take part; a float one is
    added to the scores. `is_causal` masks with the upper-left lower triangle. `scale` defaults to
    1/sqrt(E). `dropout_p` drops attention weights as `F.dropout` does (same random stream).
    `enable_gqa` lets each key/value head serve a group of query heads."""
    kv_group = _check_inputs(query, key, value, attn_mask, is_causal, enable_gqa)
    q, k, v = query._data, key._data, value._data
    if kv_group > 1:
        k, v = np.repeat(k, kv_group, axis=-3), np.repeat(v, kv_group, axis=-3)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    try:
        scores = np.matmul(q, np.swapaxes(k, -1, -2))
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention: query {tuple(q.shape)} and key {tuple(k.shape)} "
                           "cannot be multiplied") from None
    scores *= scores.dtype.type(scale)
    float_mask = allowed = None
    if is_causal:
        allowed = np.tri(*scores.shape[-2:], dtype=bool)
        scores[..., ~allowed] = -np.inf
    elif attn_mask is not None:
        mask = attn_mask._data
        if mask.dtype == np.bool_:
            allowed = mask
            scores = np.where(mask, scores, scores.dtype.type(-np.inf))
        else:
            float_mask = attn_mask
            try:
                bigger = np.broadcast_shapes(mask.shape, scores.shape) != scores.shape
            except ValueError:
                raise broadcast_error(mask.shape, scores.shape) from None
            # in place unless the mask broadcasts the scores to a bigger shape
            scores = scores + mask if bigger else np.add(scores, mask, out=scores)
    probs = _softmax_last(scores)
    keep = None
    if dropout_p >= 1.0:
        keep = np.zeros_like(probs)  # F.dropout(p=1) zeroes everything without drawing
    elif dropout_p > 0.0:
        # F.dropout's draw: a Bernoulli(1 - p) mask over the weights, scaled by 1 / (1 - p)
        noise = Tensor._wrap(np.empty(probs.shape, dtype=probs.dtype)).bernoulli_(1 - dropout_p)._data
        keep = np.divide(noise, noise.dtype.type(1 - dropout_p), out=noise)
    output = np.matmul(probs if keep is None else probs * keep, v)
    node = record(ScaledDotProductFlashAttentionForCpuBackward0, query, key, value, float_mask)
    out = result(output, node)
    if node is not None:
        node.scale, node.kv_group, node.probs, node.allowed, node.keep = scale, kv_group, probs, allowed, keep
        node.save_for_backward(query, key, value, float_mask)
        node.save_output(out)
    return out
