"""`MultiheadAttention` (PyTorch keeps it in activation.py; ember gives attention its own file)."""
from ..._creation import empty
from ...autograd.grad_mode import is_grad_enabled
from ..parameter import Parameter
from .. import functional as F
from ..init import xavier_uniform_, xavier_normal_, constant_
from .linear import Linear
from .module import Module

__all__ = ['MultiheadAttention']


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under another name: PyTorch names MultiheadAttention's `out_proj` so, which shows in
    the repr."""


class MultiheadAttention(Module):
    """Attention over `num_heads` heads of size embed_dim // num_heads:
    `out_proj(concat_h softmax(q_h k_h^T / sqrt(head_dim)) v_h)` with q, k, v projected from
    query, key, value. Inputs are (L, N, E), or (N, L, E) with `batch_first`, or unbatched (L, E).
    Returns (output, attention weights or None)."""

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        factory_kwargs = {'device': device, 'dtype': dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        if self._qkv_same_embed_dim:
            # q, k and v projections packed in one (3 * embed_dim, embed_dim) weight
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **factory_kwargs))
            self.register_parameter('q_proj_weight', None)
            self.register_parameter('k_proj_weight', None)
            self.register_parameter('v_proj_weight', None)
        else:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **factory_kwargs))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **factory_kwargs))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **factory_kwargs))
            self.register_parameter('in_proj_weight', None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **factory_kwargs))
        else:
            self.register_parameter('in_proj_bias', None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory_kwargs)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **factory_kwargs))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **factory_kwargs))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """PyTorch's init: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/bias_v
        (out_proj keeps Linear's default weight init)."""
        if self._qkv_same_embed_dim:
            xavier_uniform_(self.in_proj_weight)
        else:
            xavier_uniform_(self.q_proj_weight)
            xavier_uniform_(self.k_proj_weight)
            xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            constant_(self.in_proj_bias, 0.0)
            constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        # modules pickled before kdim/vdim existed
        if '_qkv_same_embed_dim' not in state:
            state['_qkv_same_embed_dim'] = True
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        """Attend from `query` to `key`/`value`. Bool masks mark with True what is masked out; float
        masks are added to the scores. Returns (output, weights), weights None unless `need_weights`."""
        is_batched = query.dim() == 3
        fast_path = self._fast_path_applies(query, key, value, key_padding_mask, attn_mask)
        key_padding_mask = F._canonical_mask(key_padding_mask, 'key_padding_mask', F._none_or_dtype(attn_mask),
                                             'attn_mask', query.dtype)
        attn_mask = F._canonical_mask(attn_mask, 'attn_mask', None, '', query.dtype, check_other=False)
        if fast_path:
            merged_mask, _ = self.merge_masks(attn_mask, key_padding_mask, query)
            return self._fused_forward(query, merged_mask, need_weights, average_attn_weights)
        if self.batch_first and is_batched:
            # the functional form works on (L, N, E); keep `key is value` so it can share projections
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        attn_output, attn_output_weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and is_batched:
            return attn_output.transpose(1, 0), attn_output_weights
        return attn_output, attn_output_weights

    def _fast_path_applies(self, query, key, value, key_padding_mask, attn_mask):
        """Whether PyTorch's `forward` would hand this call to its fused inference kernel
        (`torch._native_multi_head_attention`): batch-first self-attention in eval mode with no
        gradient needed, bool masks only, and none of the options the kernel lacks."""
        if any(mask is not None and mask.is_floating_point() for mask in (key_padding_mask, attn_mask)):
            return False
        if query.dim() != 3 or query is not key or key is not value:
            return False
        if self.in_proj_weight is None or self.in_proj_bias is None:
            return False
        if query.dtype != self.in_proj_weight.dtype or query.dtype != self.in_proj_bias.dtype:
            return False
        if self.training or self.num_heads % 2 or not self.batch_first:
            return False
        if self.bias_k is not None or self.bias_v is not None or self.add_zero_attn:
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (is_grad_enabled() and any(t.requires_grad for t in tensors))

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """PyTorch's one mask for its fused kernel, from the canonical (float) masks and the
        batch-first `query`: the key padding mask (N, S) alone (mask type 1), or the attention mask
        expanded to (N, heads, L, S) plus the key padding mask (mask type 2). Returns (mask, type)."""
        mask_type, merged_mask = None, None
        if key_padding_mask is not None:
            mask_type, merged_mask = 1, key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.dim() == 3:
                merged_mask = attn_mask.view(batch_size, -1, seq_len, seq_len)
            else:
                merged_mask = attn_mask.view(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads, -1, -1)
            if key_padding_mask is not None:
                merged_mask = merged_mask + key_padding_mask.view(batch_size, 1, 1, seq_len)
        return merged_mask, mask_type

    def _fused_forward(self, query, merged_mask, need_weights=False, average_attn_weights=True):
        """Self-attention over the batch-first `query` as PyTorch's fused kernel computes it, given the
        mask from `merge_masks`. Its results differ from the ordinary path in two ways: it masks out
        every key whose merged mask entry is not exactly 0 (a finite float mask doesn't add to the
        scores there, it hides), and without weights its softmax is not the "safe" one, so a query
        that may attend to no key gets a row of NaN (the ordinary path gives zeros)."""
        batch_size, seq_len, _ = query.shape
        masked = None if merged_mask is None else merged_mask != 0
        key_padding_mask = masked if masked is not None and masked.dim() == 2 else None
        attn_mask = None
        if masked is not None and masked.dim() == 4:
            attn_mask = masked.reshape(batch_size * self.num_heads, seq_len, seq_len)
        x = query.transpose(1, 0)
        attn_output, attn_output_weights = F.multi_head_attention_forward(
            x, x, x, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, None, None, False,
            0.0, self.out_proj.weight, self.out_proj.bias, training=False, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask, average_attn_weights=average_attn_weights)
        attn_output = attn_output.transpose(1, 0)
        if masked is not None and not need_weights:
            # (N, S) -> every query of a sequence whose keys are all padding; (N, heads, L, S) -> a
            # query that sees no key in some head (out_proj then spreads the NaN over the row)
            sees_nothing = masked.all(-1, keepdim=True) if masked.dim() == 2 else masked.all(-1).any(1)
            attn_output = attn_output.masked_fill(sees_nothing.expand(batch_size, seq_len).unsqueeze(-1),
                                                  float('nan'))
        return attn_output, attn_output_weights
