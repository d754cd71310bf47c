"""Attention and Transformer behaviour the module table can't express: repr, parameter names and
default initialisation against torch, the causal-mask helper, node names, errors and warnings."""
import warnings

import numpy as np
import pytest
import torch

import ember

CONFIGS = [
    ('MultiheadAttention', lambda nn: nn.MultiheadAttention(8, 2)),
    ('MultiheadAttention_kdim', lambda nn: nn.MultiheadAttention(8, 4, kdim=3, vdim=5, add_bias_kv=True)),
    ('MultiheadAttention_no_bias', lambda nn: nn.MultiheadAttention(6, 3, bias=False, batch_first=True)),
    ('TransformerEncoderLayer', lambda nn: nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, bias=False)),
    ('TransformerDecoderLayer', lambda nn: nn.TransformerDecoderLayer(8, 2, 16, activation='gelu')),
    ('TransformerEncoder', lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, nn.LayerNorm(8),
                                                            enable_nested_tensor=False)),
    ('Transformer', lambda nn: nn.Transformer(8, 2, 1, 2, 16)),
]


@pytest.mark.parametrize('make', [pytest.param(make, id=name) for name, make in CONFIGS])
def test_repr_names_and_init_match_torch(make):
    torch.manual_seed(0)
    theirs = make(torch.nn)
    ember.manual_seed(0)
    ours = make(ember.nn)
    assert repr(ours) == repr(theirs)
    theirs_state, ours_state = theirs.state_dict(), ours.state_dict()
    assert list(ours_state) == list(theirs_state)
    for name, value in theirs_state.items():
        # ember's RNG reproduces torch's streams, so the default initialisation is the same numbers
        np.testing.assert_array_equal(ours_state[name].numpy(), value.numpy(), err_msg=name)


def test_out_proj_is_a_linear():
    mha = ember.nn.MultiheadAttention(8, 2)
    assert isinstance(mha.out_proj, ember.nn.Linear)
    assert type(mha.out_proj).__name__ == 'NonDynamicallyQuantizableLinear'


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_generate_square_subsequent_mask(dtype):
    ours = ember.nn.Transformer.generate_square_subsequent_mask(5, dtype=getattr(ember, dtype))
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=getattr(torch, dtype))
    assert str(ours.dtype) == str(theirs.dtype).replace('torch', 'ember')
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_sdpa_node_name_and_double_backward():
    # PyTorch's fused CPU kernel has no double backward (it raises); ember's is twice differentiable
    # and gives the second derivatives of PyTorch's math kernel
    from torch.nn.attention import sdpa_kernel, SDPBackend
    arrays = [np.random.default_rng(i).uniform(-1, 1, (1, 2, 3, 4)) for i in range(3)]

    def first_derivative(lib):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = lib.nn.functional.scaled_dot_product_attention(q, k * 0.5, v)
        grad_q, = lib.autograd.grad((out * out).sum(), q, create_graph=True)
        return type(out.grad_fn).__name__, (q, k, v), grad_q.pow(2).sum()
    for lib in (torch, ember):
        assert first_derivative(lib)[0] == 'ScaledDotProductFlashAttentionForCpuBackward0'
    with pytest.raises(RuntimeError, match='not implemented'):
        first_derivative(torch)[2].backward()
    with sdpa_kernel(SDPBackend.MATH):
        _, inputs, total = first_derivative(torch)
        expected = torch.autograd.grad(total, inputs)
    _, inputs, total = first_derivative(ember)
    for ours, theirs in zip(ember.autograd.grad(total, inputs), expected):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-12)


def test_mha_weights_node_names():
    for lib in (torch, ember):
        mha = lib.nn.MultiheadAttention(8, 2)
        x = lib.ones(3, 2, 8)
        out, weights = mha(x, x, x)
        assert type(weights.grad_fn).__name__ == 'MeanBackward1'
        assert tuple(weights.shape) == (2, 3, 3)


def _raises_like_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert type(ours.value).__name__ == type(theirs.value).__name__, \
        f"ember raised {type(ours.value).__name__}: {ours.value}; torch {type(theirs.value).__name__}"


@pytest.mark.parametrize('fn', [
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 3), id='heads_do_not_divide'),
    pytest.param(lambda m: m.nn.MultiheadAttention(0, 2), id='zero_embed_dim'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 6), m.ones(3, 2, 6), m.ones(3, 2, 6)),
                 id='wrong_embed_dim'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                                         is_causal=True), id='causal_without_mask'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(4, 2, 8), m.ones(4, 2, 8),
                                                         attn_mask=m.zeros(3, 3)), id='attn_mask_2d_shape'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(4, 2, 8), m.ones(4, 2, 8),
                                                         attn_mask=m.zeros(2, 3, 4)), id='attn_mask_3d_shape'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(4, 2, 8), m.ones(4, 2, 8),
                                                         key_padding_mask=m.zeros(2, 4, dtype=m.int64)),
                 id='int_padding_mask'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(4, 8), m.ones(4, 8)),
                 id='batched_query_unbatched_key'),
    pytest.param(lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 2, 8), m.ones(4, 8), m.ones(4, 8)),
                 id='4d_query'),
    pytest.param(lambda m: m.nn.TransformerEncoderLayer(8, 2, activation='tanh'), id='unknown_activation'),
    pytest.param(lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(m.ones(3, 2, 8), m.ones(3, 3, 8)), id='batch_mismatch'),
    pytest.param(lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(m.ones(3, 2, 8), m.ones(3, 2, 6)), id='d_model_mismatch'),
])
def test_errors_match_torch(fn):
    _raises_like_torch(fn)


def test_sdpa_mask_with_causal_raises_as_torch_math_kernel():
    # PyTorch documents an error when both are given; its math kernel raises it (the fused CPU one doesn't check)
    from torch.nn.attention import sdpa_kernel, SDPBackend

    def call(m):
        return m.nn.functional.scaled_dot_product_attention(m.ones(1, 3, 4), m.ones(1, 5, 4), m.ones(1, 5, 4),
                                                            attn_mask=m.ones(3, 5, dtype=m.bool), is_causal=True)
    with sdpa_kernel(SDPBackend.MATH):
        _raises_like_torch(call)


def _warning_messages(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        fn()
    return [str(w.message) for w in caught]


def test_nested_tensor_warning_matches_torch():
    def build(nn):
        return lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)
    assert _warning_messages(build(ember.nn)) == _warning_messages(build(torch.nn))


def test_mismatched_mask_types_warn_like_torch():
    def run(m):
        mha = m.nn.MultiheadAttention(8, 2)
        x = m.ones(3, 2, 8)
        return lambda: mha(x, x, x, key_padding_mask=m.zeros(2, 3, dtype=m.bool), attn_mask=m.zeros(3, 3))
    assert _warning_messages(run(ember)) == _warning_messages(run(torch))


def test_eval_mode_is_deterministic_and_train_mode_drops():
    ember.manual_seed(0)
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.randn(4, 2, 8)
    assert not ember.equal(layer(x), layer(x))
    layer.eval()
    assert ember.equal(layer(x), layer(x))


def test_torch_state_dict_loads_into_transformer():
    torch.manual_seed(1)
    theirs = torch.nn.Transformer(8, 2, 2, 2, 16, batch_first=True).eval()
    ours = ember.nn.Transformer(8, 2, 2, 2, 16, batch_first=True).eval()
    ours.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    src, tgt = rng.standard_normal((3, 6, 8)).astype(np.float32), rng.standard_normal((3, 5, 8)).astype(np.float32)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    with torch.no_grad():
        expected = theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=mask, tgt_is_causal=True)
    got = ours(ember.tensor(src), ember.tensor(tgt), tgt_mask=ember.tensor(mask.numpy()), tgt_is_causal=True)
    np.testing.assert_allclose(got.detach().numpy(), expected.numpy(), atol=1e-5, rtol=1e-4)
