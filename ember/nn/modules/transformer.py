"""The Transformer of "Attention Is All You Need": encoder and decoder layers, their stacks, and the
whole encoder-decoder model, with PyTorch's parameter names so a torch state_dict loads."""
import copy
import warnings

from ... import _creation
from ...autograd.grad_mode import is_grad_enabled
from .. import functional as F
from ..init import xavier_uniform_
from .activation import ReLU, GELU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ['Transformer', 'TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderLayer',
           'TransformerDecoderLayer']


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """The causal mask: -inf above the diagonal (a position can't see later ones), 0 elsewhere."""
    return _creation.full((sz, sz), float('-inf'), dtype=dtype, device=device).triu(diagonal=1)


def _get_seq_len(src, batch_first):
    if src.dim() == 2:
        return src.size(0)
    return src.size(1 if batch_first else 0)


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """`is_causal` if given; otherwise whether `mask` equals the causal mask of its size."""
    if is_causal is not None or mask is None:
        return is_causal is True
    size = size if size is not None else mask.size(-2)
    causal = _generate_square_subsequent_mask(size, dtype=mask.dtype)
    return mask.size() == causal.size() and bool((mask == causal).all())


def _fused_kernel_needs_grad(layer, src):
    """PyTorch's fused encoder-layer kernel has no backward: it is skipped when grad mode is on and
    `src` or one of the layer's parameters it takes requires grad."""
    attention = layer.self_attn
    tensors = (src, attention.in_proj_weight, attention.in_proj_bias, attention.out_proj.weight,
               attention.out_proj.bias, layer.norm1.weight, layer.norm1.bias, layer.norm2.weight, layer.norm2.bias,
               layer.linear1.weight, layer.linear1.bias, layer.linear2.weight, layer.linear2.bias)
    return is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def _get_clones(module, N):
    return ModuleList([copy.deepcopy(module) for _ in range(N)])


def _get_activation_fn(activation):
    if activation == 'relu':
        return F.relu
    if activation == 'gelu':
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _add_sublayers(layer, num_blocks, d_model, dim_feedforward, dropout, layer_norm_eps, bias, factory_kwargs):
    """The parts encoder and decoder layers share, registered in PyTorch's order (state_dict and repr follow
    it): the feed-forward network, then one LayerNorm and one Dropout per residual block."""
    layer.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory_kwargs)
    layer.dropout = Dropout(dropout)
    layer.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory_kwargs)
    for i in range(1, num_blocks + 1):
        setattr(layer, f'norm{i}', LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory_kwargs))
    for i in range(1, num_blocks + 1):
        setattr(layer, f'dropout{i}', Dropout(dropout))


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward network (linear1, activation, linear2), each wrapped in a
    residual connection and a LayerNorm — after the sum (default) or before the block (`norm_first`)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory_kwargs = {'device': device, 'dtype': dtype}
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory_kwargs)
        _add_sublayers(self, 2, d_model, dim_feedforward, dropout, layer_norm_eps, bias, factory_kwargs)
        self.norm_first = norm_first
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        # PyTorch records which activation it is (its fused inference path needs relu or gelu)
        if activation is F.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is F.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'activation'):
            self.activation = F.relu

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """src: (S, N, E), (N, S, E) with batch_first, or (S, E). Bool masks: True = masked out; float
        masks are added to the scores, except in PyTorch's inference fast path, where any non-zero
        entry masks out and a position that may attend to nothing gives NaN."""
        src_key_padding_mask = F._canonical_mask(src_key_padding_mask, 'src_key_padding_mask',
                                                 F._none_or_dtype(src_mask), 'src_mask', src.dtype)
        src_mask = F._canonical_mask(src_mask, 'src_mask', None, '', src.dtype, check_other=False)
        if self._fast_path_applies(src):
            # PyTorch runs its fused kernel (torch._transformer_encoder_layer_fwd) here: the same blocks,
            # with MultiheadAttention's fused attention over the merged masks (see `_fused_forward`;
            # `is_causal` is not passed on, the mask says it all)
            merged_mask, _ = self.self_attn.merge_masks(src_mask, src_key_padding_mask, src)

            def attention_block(x):
                return self.self_attn._fused_forward(x, merged_mask)[0]
        else:
            def attention_block(x):
                return self._sa_block(x, src_mask, src_key_padding_mask, is_causal=is_causal)
        x = src
        if self.norm_first:
            x = x + attention_block(self.norm1(x))
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + attention_block(x))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _fast_path_applies(self, src):
        """Whether PyTorch's `forward` would run its fused inference kernel: batched batch-first input
        in eval mode with no gradient needed, a layer the kernel can express, and no hooks to call."""
        attention = self.self_attn
        if src.dim() != 3 or self.training or not attention.batch_first:
            return False
        if attention.in_proj_bias is None or not attention._qkv_same_embed_dim:
            return False
        if not self.activation_relu_or_gelu or self.norm1.eps != self.norm2.eps or attention.num_heads % 2:
            return False
        if any(module._forward_hooks or module._forward_pre_hooks for module in self.modules()):
            return False
        return not _fused_kernel_needs_grad(self, src)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention from the target to the encoder's output (`memory`),
    then a feed-forward network; each with a residual connection and a LayerNorm."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=F.relu, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory_kwargs = {'device': device, 'dtype': dtype}
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                            **factory_kwargs)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                                 **factory_kwargs)
        _add_sublayers(self, 3, d_model, dim_feedforward, dropout, layer_norm_eps, bias, factory_kwargs)
        self.norm_first = norm_first
        self.activation = _get_activation_fn(activation) if isinstance(activation, str) else activation

    def __setstate__(self, state):
        if 'activation' not in state:
            state['activation'] = F.relu
        super().__setstate__(state)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """tgt: (T, N, E), memory: (S, N, E) (batch first with batch_first). Bool masks: True = masked out."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerEncoder(Module):
    """`num_layers` deep copies of `encoder_layer` applied in turn, then the optional `norm`.
    With `enable_nested_tensor`, in inference PyTorch drops the padding of `src_key_padding_mask`
    (a nested tensor) and returns zeros there; ember has no nested tensors but gives the same values."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why_not = _why_not_nested_tensor(encoder_layer)
        if enable_nested_tensor and why_not:
            # PyTorch's warning, so course output that shows it matches
            warnings.warn(f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why_not}",
                          stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """Pass `src` through every layer (with the same masks), then `norm`."""
        src_key_padding_mask = F._canonical_mask(src_key_padding_mask, 'src_key_padding_mask',
                                                 F._none_or_dtype(mask), 'mask', src.dtype)
        mask = F._canonical_mask(mask, 'mask', None, '', src.dtype, check_other=False)
        output = src
        padding = None
        if self._nested_fast_path_applies(src, mask, src_key_padding_mask):
            # PyTorch packs the batch into a nested tensor: each sequence cut to its first `length`
            # tokens, `length` being its number of zero mask entries (any other value, of either sign,
            # is padding). The layers then see no padding at all, and their output is padded back with
            # zeros. ember keeps the padded layout: the padding positions are zeroed, hidden from the
            # layers as keys, and zeroed again at the end (before `norm`, as in PyTorch).
            lengths = (src_key_padding_mask == 0).sum(-1, keepdim=True)
            padding = _creation.arange(src.size(1)) >= lengths
            output = src.masked_fill(padding.unsqueeze(-1), 0.0)
            src_key_padding_mask = padding
        seq_len = _get_seq_len(src, self.layers[0].self_attn.batch_first)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if padding is not None:
            output = output.masked_fill(padding.unsqueeze(-1), 0.0)
        if self.norm is not None:
            output = self.norm(output)
        return output

    def _nested_fast_path_applies(self, src, mask, src_key_padding_mask):
        """Whether PyTorch's `forward` would convert `src` to a nested tensor (`use_nested_tensor`, set
        in __init__, already covers the layer's own conditions): eval mode, a batched input with only
        a key padding mask, no gradient needed and, if `mask_check`, each sequence's tokens all before
        its padding."""
        layer = self.layers[0]
        if not self.use_nested_tensor or layer.training or src.dim() != 3:
            return False
        if src_key_padding_mask is None or mask is not None:
            return False
        if self.mask_check:
            keep = src_key_padding_mask == 0
            if bool((keep[:, 1:] & ~keep[:, :-1]).any()):   # a token after padding: not left-aligned
                return False
        return not _fused_kernel_needs_grad(layer, src)


def _why_not_nested_tensor(encoder_layer):
    """PyTorch's reasons why a TransformerEncoder can't use its nested-tensor fast path."""
    name = 'encoder_layer'
    if not isinstance(encoder_layer, TransformerEncoderLayer):
        return f"{name} was not TransformerEncoderLayer"
    if encoder_layer.norm_first:
        return f"{name}.norm_first was True"
    if not encoder_layer.self_attn.batch_first:
        return f"{name}.self_attn.batch_first was not True(use batch_first for better inference performance)"
    if not encoder_layer.self_attn._qkv_same_embed_dim:
        return f"{name}.self_attn._qkv_same_embed_dim was not True"
    if encoder_layer.self_attn.in_proj_bias is None:
        return f"{name}.self_attn was passed bias=False"
    if not encoder_layer.activation_relu_or_gelu:
        return f"{name}.activation_relu_or_gelu was not True"
    if encoder_layer.norm1.eps != encoder_layer.norm2.eps:
        return f"{name}.norm1.eps was not equal to {name}.norm2.eps"
    if encoder_layer.self_attn.num_heads % 2 == 1:
        return f"{name}.self_attn.num_heads is odd"
    return ''


class TransformerDecoder(Module):
    """`num_layers` deep copies of `decoder_layer` applied in turn (each attending to `memory`), then
    the optional `norm`."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        """Pass `tgt` through every layer, then `norm`."""
        seq_len = _get_seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """Encoder (`num_encoder_layers` layers + LayerNorm) and decoder (`num_decoder_layers` layers +
    LayerNorm); every weight matrix re-initialised with xavier_uniform_, as PyTorch does."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=F.relu, custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        factory_kwargs = {'device': device, 'dtype': dtype}
        super().__init__()
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                      bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_layer = TransformerEncoderLayer(*layer_args, **factory_kwargs)
            encoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory_kwargs)
            self.encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(*layer_args, **factory_kwargs)
            decoder_norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory_kwargs)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        """Encode `src`, decode `tgt` attending to the encoding; returns the decoder's output."""
        is_batched = src.dim() == 3
        if is_batched and src.size(0 if self.batch_first else 1) != tgt.size(0 if self.batch_first else 1):
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The causal mask: -inf above the diagonal, 0 elsewhere."""
        return _generate_square_subsequent_mask(sz, dtype=dtype, device=device)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                xavier_uniform_(p)
