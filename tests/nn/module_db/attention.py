"""Module table rows: MultiheadAttention and the Transformer layers (dropout 0 or eval mode, plus seeded
training rows whose dropout masks match torch's draw for draw)."""
import numpy as np

from ._spec import ModuleCase, Arr, Bool, Py  # noqa: F401

_rng = np.random.default_rng(11)
# key_padding_mask (N=2, S=5), True = padding; every row keeps some keys
PADDING = np.array([[False, False, True, False, True], [False, True, False, False, False]])
# attn_mask (L=4, S=5): bool True = may not attend; float added to the scores
BOOL_ATTN = _rng.random((4, 5)) < 0.4
BOOL_ATTN[:, 1] = False
FLOAT_ATTN = _rng.standard_normal((4, 5))
FLOAT_ATTN_3D = _rng.standard_normal((2 * 2, 4, 5))           # (N * heads, L, S)
CAUSAL = np.triu(np.full((4, 4), -np.inf), 1)                    # generate_square_subsequent_mask(4)
CAUSAL_BOOL = np.triu(np.ones((4, 4), dtype=bool), 1)
SRC_PADDING = np.array([[False, False, False, True], [False, True, False, False]])   # (N=2, S=4)


def _mask(array):
    return Arr(array, grad=False)


def _self(module, x, *rest, **kwargs):
    return module(x, x, x, *rest, **kwargs)


def _cross(module, q, kv, **kwargs):
    return module(q, kv, kv, **kwargs)


def _encoder_layer(nn, **kwargs):
    return nn.TransformerEncoderLayer(8, 2, 16, **{'dropout': 0.0, **kwargs})


def _decoder_layer(nn, **kwargs):
    return nn.TransformerDecoderLayer(8, 2, 16, **{'dropout': 0.0, **kwargs})


MODULE_CASES = [
    # ---- MultiheadAttention ------------------------------------------------------------------
    ModuleCase('MHA_self', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8)], forward=_self),
    ModuleCase('MHA_no_weights', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8)],
               forward=lambda m, x: _self(m, x, need_weights=False)),
    ModuleCase('MHA_per_head_weights', lambda nn: nn.MultiheadAttention(8, 4), [(4, 2, 8)],
               forward=lambda m, x: _self(m, x, average_attn_weights=False)),
    ModuleCase('MHA_batch_first', lambda nn: nn.MultiheadAttention(8, 2, batch_first=True), [(2, 4, 8)],
               forward=_self),
    ModuleCase('MHA_batch_first_no_weights', lambda nn: nn.MultiheadAttention(8, 2, batch_first=True),
               [(2, 4, 8), (2, 5, 8)], forward=lambda m, q, kv: _cross(m, q, kv, need_weights=False)),
    ModuleCase('MHA_cross', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8)], forward=_cross),
    ModuleCase('MHA_qkv_distinct', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8), (5, 2, 8)]),
    ModuleCase('MHA_kdim_vdim', lambda nn: nn.MultiheadAttention(8, 2, kdim=3, vdim=5),
               [(4, 2, 8), (5, 2, 3), (5, 2, 5)]),
    ModuleCase('MHA_kdim_vdim_no_weights', lambda nn: nn.MultiheadAttention(8, 2, kdim=3, vdim=5, batch_first=True),
               [(2, 4, 8), (2, 5, 3), (2, 5, 5)], forward=lambda m, q, k, v: m(q, k, v, need_weights=False)),
    ModuleCase('MHA_no_bias', lambda nn: nn.MultiheadAttention(8, 2, bias=False), [(4, 2, 8)], forward=_self),
    ModuleCase('MHA_bias_kv_zero_attn', lambda nn: nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True),
               [(4, 2, 8), (5, 2, 8), _mask(PADDING), _mask(BOOL_ATTN)],
               forward=lambda m, q, kv, pad, mask: m(q, kv, kv, key_padding_mask=pad, attn_mask=mask)),
    ModuleCase('MHA_bias_kv_no_weights', lambda nn: nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True),
               [(4, 2, 8), (5, 2, 8), _mask(PADDING)],
               forward=lambda m, q, kv, pad: m(q, kv, kv, key_padding_mask=pad, need_weights=False)),
    ModuleCase('MHA_unbatched', lambda nn: nn.MultiheadAttention(8, 2), [(4, 8), (5, 8)], forward=_cross),
    ModuleCase('MHA_unbatched_no_weights', lambda nn: nn.MultiheadAttention(8, 2), [(4, 8), (5, 8)],
               forward=lambda m, q, kv: _cross(m, q, kv, need_weights=False)),
    ModuleCase('MHA_key_padding_bool', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8), _mask(PADDING)],
               forward=lambda m, q, kv, pad: m(q, kv, kv, key_padding_mask=pad)),
    ModuleCase('MHA_key_padding_no_weights', lambda nn: nn.MultiheadAttention(8, 2),
               [(4, 2, 8), (5, 2, 8), _mask(PADDING)],
               forward=lambda m, q, kv, pad: m(q, kv, kv, key_padding_mask=pad, need_weights=False)),
    ModuleCase('MHA_attn_mask_bool', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8), (5, 2, 8), _mask(BOOL_ATTN)],
               forward=lambda m, q, kv, mask: m(q, kv, kv, attn_mask=mask)),
    ModuleCase('MHA_attn_mask_float', lambda nn: nn.MultiheadAttention(8, 2),
               [(4, 2, 8), (5, 2, 8), _mask(FLOAT_ATTN)],
               forward=lambda m, q, kv, mask: m(q, kv, kv, attn_mask=mask, need_weights=False)),
    ModuleCase('MHA_attn_mask_3d', lambda nn: nn.MultiheadAttention(8, 2),
               [(4, 2, 8), (5, 2, 8), _mask(FLOAT_ATTN_3D)],
               forward=lambda m, q, kv, mask: m(q, kv, kv, attn_mask=mask)),
    ModuleCase('MHA_attn_mask_3d_no_weights', lambda nn: nn.MultiheadAttention(8, 2),
               [(4, 2, 8), (5, 2, 8), _mask(FLOAT_ATTN_3D), _mask(PADDING)],
               forward=lambda m, q, kv, mask, pad: m(q, kv, kv, attn_mask=mask, key_padding_mask=pad,
                                                     need_weights=False)),
    ModuleCase('MHA_float_masks_both', lambda nn: nn.MultiheadAttention(8, 2),
               [(4, 2, 8), (5, 2, 8), _mask(FLOAT_ATTN), _mask(np.where(PADDING, -np.inf, 0.0))],
               forward=lambda m, q, kv, mask, pad: m(q, kv, kv, attn_mask=mask, key_padding_mask=pad)),
    ModuleCase('MHA_causal_hint', lambda nn: nn.MultiheadAttention(8, 2), [(4, 2, 8), _mask(CAUSAL)],
               forward=lambda m, x, mask: _self(m, x, attn_mask=mask, is_causal=True, need_weights=False)),
    ModuleCase('MHA_eval', lambda nn: nn.MultiheadAttention(8, 2, dropout=0.5), [(4, 2, 8)], train=False,
               forward=_self),
    # seeded training: the attention-weight dropout draws the same masks as torch's
    ModuleCase('MHA_dropout_weights', lambda nn: nn.MultiheadAttention(8, 2, dropout=0.3), [(4, 2, 8)],
               forward=_self, seed=5),
    ModuleCase('MHA_dropout_no_weights', lambda nn: nn.MultiheadAttention(8, 2, dropout=0.3, batch_first=True),
               [(2, 4, 8)], forward=lambda m, x: _self(m, x, need_weights=False), seed=5),

    # ---- Transformer layers ------------------------------------------------------------------
    ModuleCase('TransformerEncoderLayer', lambda nn: _encoder_layer(nn), [(4, 2, 8)]),
    ModuleCase('TransformerEncoderLayer_masks', lambda nn: _encoder_layer(nn),
               [(4, 2, 8), _mask(CAUSAL_BOOL), _mask(SRC_PADDING)],
               forward=lambda m, x, mask, pad: m(x, src_mask=mask, src_key_padding_mask=pad)),
    ModuleCase('TransformerEncoderLayer_causal', lambda nn: _encoder_layer(nn, batch_first=True),
               [(2, 4, 8), _mask(CAUSAL)], forward=lambda m, x, mask: m(x, src_mask=mask, is_causal=True)),
    ModuleCase('TransformerEncoderLayer_norm_first_gelu',
               lambda nn: _encoder_layer(nn, norm_first=True, activation='gelu', batch_first=True), [(2, 4, 8)]),
    ModuleCase('TransformerEncoderLayer_no_bias', lambda nn: _encoder_layer(nn, bias=False, layer_norm_eps=1e-3),
               [(4, 2, 8)]),
    ModuleCase('TransformerEncoderLayer_callable_activation',
               lambda nn: _encoder_layer(nn, activation=nn.functional.tanh), [(4, 8)]),
    ModuleCase('TransformerEncoderLayer_eval', lambda nn: nn.TransformerEncoderLayer(8, 2, 16), [(4, 2, 8)],
               train=False),
    ModuleCase('TransformerEncoderLayer_eval_batch_first_padding',
               lambda nn: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), [(2, 4, 8), _mask(SRC_PADDING)],
               train=False, forward=lambda m, x, pad: m(x, src_key_padding_mask=pad)),
    ModuleCase('TransformerEncoderLayer_dropout', lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2),
               [(4, 2, 8)], seed=3),
    ModuleCase('TransformerEncoder',
               lambda nn: nn.TransformerEncoder(_encoder_layer(nn), 2, nn.LayerNorm(8), enable_nested_tensor=False),
               [(4, 2, 8), _mask(CAUSAL), _mask(SRC_PADDING)],
               forward=lambda m, x, mask, pad: m(x, mask=mask, src_key_padding_mask=pad)),
    ModuleCase('TransformerEncoder_batch_first_causal',
               lambda nn: nn.TransformerEncoder(_encoder_layer(nn, batch_first=True), 2),
               [(2, 4, 8), _mask(CAUSAL)], forward=lambda m, x, mask: m(x, mask=mask)),
    ModuleCase('TransformerDecoderLayer', lambda nn: _decoder_layer(nn), [(4, 2, 8), (5, 2, 8)]),
    ModuleCase('TransformerDecoderLayer_masks', lambda nn: _decoder_layer(nn, norm_first=True, batch_first=True),
               [(2, 4, 8), (2, 5, 8), _mask(CAUSAL), _mask(SRC_PADDING), _mask(PADDING)],
               forward=lambda m, t, mem, mask, tpad, mpad: m(t, mem, tgt_mask=mask, tgt_key_padding_mask=tpad,
                                                              memory_key_padding_mask=mpad, tgt_is_causal=True)),
    ModuleCase('TransformerDecoderLayer_eval', lambda nn: nn.TransformerDecoderLayer(8, 2, 16, activation='gelu'),
               [(4, 2, 8), (5, 2, 8)], train=False),
    ModuleCase('TransformerDecoder', lambda nn: nn.TransformerDecoder(_decoder_layer(nn), 2, nn.LayerNorm(8)),
               [(4, 2, 8), (5, 2, 8), _mask(CAUSAL)],
               forward=lambda m, t, mem, mask: m(t, mem, tgt_mask=mask)),
    ModuleCase('Transformer',
               lambda nn: nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8,
                                         dropout=0.0),
               [(5, 2, 8), (4, 2, 8), _mask(CAUSAL), _mask(PADDING)],
               forward=lambda m, s, t, mask, pad: m(s, t, tgt_mask=mask, src_key_padding_mask=pad,
                                                    memory_key_padding_mask=pad)),
    ModuleCase('Transformer_batch_first_eval',
               lambda nn: nn.Transformer(8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8,
                                         batch_first=True, norm_first=True),
               [(2, 5, 8), (2, 4, 8)], train=False, gradcheck=False),
]
