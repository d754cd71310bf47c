"""PyTorch's inference "fast path" for MultiheadAttention, TransformerEncoderLayer and TransformerEncoder
(eval mode, no gradient needed, batch_first self-attention): fused kernels and nested tensors whose results
differ from the ordinary path. ember has neither but must give the same values: zeros at padded positions
of an encoder's output, NaN for a query that may attend to no key, and a float mask that hides every key
whose entry is not 0. Each case runs torch and ember with the same weights and inputs."""
import contextlib

import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(5)
X = _rng.standard_normal((3, 4, 8)).astype(np.float32)          # (N, L, E), batch first
PAD_PARTIAL = np.array([[0, 0, 0, 0], [0, 0, 1, 1], [0, 1, 1, 1]], dtype=bool)
PAD_ONE_ROW_FULL = np.array([[0, 0, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1]], dtype=bool)
PAD_NOT_LEFT_ALIGNED = np.array([[0, 0, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0]], dtype=bool)
FLOAT_PAD = np.array([[0, 0, 0, 0], [0, 0, 0.5, -np.inf], [0, -2.0, 0, 0]], dtype=np.float32)
ATTN_ROW_MASKED = np.zeros((4, 4), dtype=bool)
ATTN_ROW_MASKED[1] = True                                          # query 1 may attend to nothing
ATTN_3D_ONE_HEAD = np.zeros((3 * 2, 4, 4), dtype=bool)
ATTN_3D_ONE_HEAD[1, 2] = True                                      # batch 0, head 1, query 2
FLOAT_ATTN = np.zeros((4, 4), dtype=np.float32)
FLOAT_ATTN[1, 2], FLOAT_ATTN[3, 0] = 3.0, -0.25
SEQ_FIRST_PAD = np.array([[0, 0, 0], [0, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=bool)   # X read as (L, N, E)
CAUSAL = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1)


def _pair(make):
    """The same module in torch and ember (torch's initial weights loaded into ember)."""
    torch.manual_seed(0)
    theirs = make(torch.nn)
    ours = make(ember.nn)
    ours.load_state_dict({name: ember.tensor(value.detach().numpy()) for name, value in theirs.state_dict().items()})
    return theirs, ours


def _run(lib, module, call, grad):
    context = contextlib.nullcontext() if grad else lib.no_grad()
    with context:
        out = call(lib, module)
    out = out[0] if isinstance(out, tuple) else out
    return out.detach().numpy()


def _check(make, call, train=False, grad=False):
    theirs, ours = _pair(make)
    theirs.train(train)
    ours.train(train)
    expected = _run(torch, theirs, call, grad)
    got = _run(ember, ours, call, grad)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    return expected


def _t(lib, array):
    return lib.tensor(array)


def _mha(nn, batch_first=True, **kwargs):
    return nn.MultiheadAttention(8, 2, batch_first=batch_first, **kwargs)


def _mha_call(need_weights=False, **masks):
    def call(lib, module):
        x = _t(lib, X)
        return module(x, x, x, need_weights=need_weights, **{k: _t(lib, v) for k, v in masks.items()})
    return call


MHA_CASES = [
    ('padding_partial', _mha, _mha_call(key_padding_mask=PAD_PARTIAL)),
    ('padding_full_row', _mha, _mha_call(key_padding_mask=PAD_ONE_ROW_FULL)),
    ('padding_full_row_weights', _mha, _mha_call(need_weights=True, key_padding_mask=PAD_ONE_ROW_FULL)),
    ('attn_row_masked', _mha, _mha_call(attn_mask=ATTN_ROW_MASKED)),
    ('attn_row_masked_and_padding', _mha, _mha_call(attn_mask=ATTN_ROW_MASKED, key_padding_mask=PAD_PARTIAL)),
    ('attn_3d_one_head', _mha, _mha_call(attn_mask=ATTN_3D_ONE_HEAD)),
    ('no_mask', _mha, _mha_call()),
    # the fused kernel refuses float masks and the options below: the ordinary path's zeros stay
    ('float_padding', _mha, _mha_call(key_padding_mask=np.where(PAD_ONE_ROW_FULL, -np.inf, 0).astype(np.float32))),
    ('odd_heads', lambda nn: nn.MultiheadAttention(8, 1, batch_first=True),
     _mha_call(key_padding_mask=PAD_ONE_ROW_FULL)),
    ('not_batch_first', lambda nn: _mha(nn, batch_first=False), _mha_call(key_padding_mask=SEQ_FIRST_PAD)),
    ('bias_kv', lambda nn: _mha(nn, add_bias_kv=True), _mha_call(key_padding_mask=PAD_ONE_ROW_FULL)),
    ('no_bias', lambda nn: _mha(nn, bias=False), _mha_call(key_padding_mask=PAD_ONE_ROW_FULL)),
]


@pytest.mark.parametrize('make, call', [pytest.param(m, c, id=name) for name, m, c in MHA_CASES])
def test_multihead_attention_eval_matches_torch(make, call):
    _check(make, call)


def test_multihead_attention_fully_masked_row_is_nan_only_on_the_fast_path():
    call = _mha_call(key_padding_mask=PAD_ONE_ROW_FULL)
    assert np.isnan(_check(_mha, call)[2]).all()
    for train, grad in ((True, False), (False, True), (True, True)):   # the ordinary path: zeros attention
        out = _check(_mha, call, train=train, grad=grad)
        assert not np.isnan(out).any()


def test_multihead_attention_cross_attention_takes_the_ordinary_path():
    def call(lib, module):
        return module(_t(lib, X), _t(lib, X * 2), _t(lib, X * 2), need_weights=False,
                      key_padding_mask=_t(lib, PAD_ONE_ROW_FULL))
    assert not np.isnan(_check(_mha, call)).any()


def _layer(nn, batch_first=True, **kwargs):
    return nn.TransformerEncoderLayer(8, 2, 16, batch_first=batch_first, **kwargs)


def _layer_call(**masks):
    def call(lib, module):
        return module(_t(lib, X), **{k: _t(lib, v) for k, v in masks.items()})
    return call


LAYER_CASES = [
    ('padding_partial', _layer, _layer_call(src_key_padding_mask=PAD_PARTIAL)),
    ('padding_full_row', _layer, _layer_call(src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('float_padding_nonzero_hides', _layer, _layer_call(src_key_padding_mask=FLOAT_PAD)),
    ('float_attn_nonzero_hides', _layer, _layer_call(src_mask=FLOAT_ATTN)),
    ('float_attn_and_padding', _layer, _layer_call(src_mask=FLOAT_ATTN, src_key_padding_mask=FLOAT_PAD)),
    ('attn_row_masked', _layer, _layer_call(src_mask=ATTN_ROW_MASKED)),
    ('causal_and_padding', _layer, _layer_call(src_mask=CAUSAL, src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('norm_first_gelu', lambda nn: _layer(nn, norm_first=True, activation='gelu'),
     _layer_call(src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('no_mask', _layer, _layer_call()),
    # no fused kernel for these: the ordinary path
    ('odd_heads', lambda nn: nn.TransformerEncoderLayer(8, 1, 16, batch_first=True),
     _layer_call(src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('not_batch_first', lambda nn: _layer(nn, batch_first=False), _layer_call(src_key_padding_mask=SEQ_FIRST_PAD)),
    ('custom_activation', lambda nn: _layer(nn, activation=lambda x: x.tanh()),
     _layer_call(src_key_padding_mask=FLOAT_PAD)),
]


@pytest.mark.parametrize('make, call', [pytest.param(m, c, id=name) for name, m, c in LAYER_CASES])
def test_encoder_layer_eval_matches_torch(make, call):
    _check(make, call)


@pytest.mark.parametrize('train, grad', [(True, False), (False, True)])
def test_encoder_layer_ordinary_path_unchanged(train, grad):
    make = lambda nn: _layer(nn, dropout=0.0)   # noqa: E731
    out = _check(make, _layer_call(src_key_padding_mask=FLOAT_PAD), train=train, grad=grad)
    assert not np.isnan(out).any()


def test_encoder_layer_hook_disables_the_fast_path():
    def call(lib, module):
        module.linear1.register_forward_hook(lambda *args: None)
        return module(_t(lib, X), src_key_padding_mask=_t(lib, PAD_ONE_ROW_FULL))
    assert not np.isnan(_check(_layer, call)).any()


def _encoder(layers=2, norm=False, layer=None, **kwargs):
    def make(nn):
        return nn.TransformerEncoder(_layer(nn, **(layer or {})), layers, norm=nn.LayerNorm(8) if norm else None,
                                     **kwargs)
    return make


def _encoder_call(**masks):
    def call(lib, module):
        return module(_t(lib, X), **{k: _t(lib, v) for k, v in masks.items()})
    return call


ENCODER_CASES = [
    # nested tensor: zeros at the padding, also for a sequence that is all padding
    ('padding_partial', _encoder(), _encoder_call(src_key_padding_mask=PAD_PARTIAL)),
    ('padding_full_row', _encoder(), _encoder_call(src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('float_padding_nonzero_is_padding', _encoder(), _encoder_call(src_key_padding_mask=FLOAT_PAD)),
    ('norm_after_padding', _encoder(norm=True), _encoder_call(src_key_padding_mask=PAD_PARTIAL)),
    ('not_left_aligned_mask_check', _encoder(), _encoder_call(src_key_padding_mask=PAD_NOT_LEFT_ALIGNED)),
    # without the check, PyTorch keeps each sequence's first `length` tokens whatever the mask's layout
    ('not_left_aligned_no_check', _encoder(mask_check=False),
     _encoder_call(src_key_padding_mask=PAD_NOT_LEFT_ALIGNED)),
    ('no_padding_mask', _encoder(), _encoder_call()),
    # no nested tensor: each layer's fused kernel (NaN for a query that sees no key, spreading to
    # every query of the next layer that reads it as a key)
    ('mask_and_padding', _encoder(), _encoder_call(mask=CAUSAL, src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('nested_disabled', _encoder(enable_nested_tensor=False), _encoder_call(src_key_padding_mask=PAD_ONE_ROW_FULL)),
    ('attn_row_masked_spreads', _encoder(enable_nested_tensor=False), _encoder_call(mask=ATTN_ROW_MASKED)),
    ('norm_first', _encoder(layer={'norm_first': True}), _encoder_call(src_key_padding_mask=FLOAT_PAD)),
]


@pytest.mark.parametrize('make, call', [pytest.param(m, c, id=name) for name, m, c in ENCODER_CASES])
def test_encoder_eval_matches_torch(make, call):
    _check(make, call)


def test_encoder_zeros_padding_only_in_inference():
    call = _encoder_call(src_key_padding_mask=PAD_PARTIAL)
    assert (_check(_encoder(), call)[PAD_PARTIAL] == 0).all()
    make = _encoder(layer={'dropout': 0.0})
    for train, grad in ((True, False), (False, True)):
        out = _check(make, call, train=train, grad=grad)
        assert (out[PAD_PARTIAL] != 0).all()


def test_encoder_drops_padding_values():
    # the padding never reaches the layers in PyTorch's nested tensor, so NaN there changes nothing
    src = X.copy()
    src[1, 3] = np.nan

    def call(lib, module):
        return module(_t(lib, src), src_key_padding_mask=_t(lib, PAD_PARTIAL))
    assert not np.isnan(_check(_encoder(), call)).any()
