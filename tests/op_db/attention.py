"""Op table rows: F.scaled_dot_product_attention (masks of each kind, causal, scale, GQA, dropout).

The `gradgrad` rows check the create_graph backward (PyTorch's fused CPU kernel has none: where
PyTorch picks it, its double backward raises; ember's is always twice differentiable)."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py  # noqa: F401
import numpy as np

_rng = np.random.default_rng(7)
# True = takes part; row 1 is fully masked (PyTorch's kernel gives zeros there, not NaN)
BOOL_MASK = _rng.random((3, 5)) < 0.6
BOOL_MASK[:, 0] = True
BOOL_MASK_ROW_OFF = BOOL_MASK.copy()
BOOL_MASK_ROW_OFF[1] = False
FLOAT_MASK = np.where(_rng.random((2, 1, 3, 5)) < 0.3, -np.inf, _rng.standard_normal((2, 1, 3, 5)))
FLOAT_MASK[..., 0] = 0.0


def _sdpa(m, *args, **kwargs):
    return m.nn.functional.scaled_dot_product_attention(*args, **kwargs)


def _seeded_sdpa(m, *args, **kwargs):
    m.manual_seed(0)  # same dropout draws in both libraries (and in every gradcheck call)
    return _sdpa(m, *args, **kwargs)


OP_CASES = [
    OpCase('sdpa', lambda m, q, k, v: _sdpa(m, q, k, v), [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)]),
    OpCase('sdpa_unbatched', lambda m, q, k, v: _sdpa(m, q, k, v), [(3, 4), (5, 4), (5, 2)],
           gradgrad=True),
    OpCase('sdpa_3d', lambda m, q, k, v: _sdpa(m, q, k, v), [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
           gradgrad=True),
    OpCase('sdpa_broadcast_batch', lambda m, q, k, v: _sdpa(m, q, k, v), [(2, 2, 3, 4), (1, 2, 5, 4), (1, 1, 5, 3)]),
    OpCase('sdpa_scale', lambda m, q, k, v: _sdpa(m, q, k, v, scale=0.7), [(2, 3, 4), (2, 5, 4), (2, 5, 4)]),
    OpCase('sdpa_causal', lambda m, q, k, v: _sdpa(m, q, k, v, is_causal=True), [(2, 4, 3), (2, 4, 3), (2, 4, 3)]),
    OpCase('sdpa_causal_rect', lambda m, q, k, v: _sdpa(m, q, k, v, is_causal=True), [(2, 5, 3), (2, 3, 3), (2, 3, 2)],
           gradgrad=True),
    OpCase('sdpa_causal_wide', lambda m, q, k, v: _sdpa(m, q, k, v, is_causal=True), [(2, 3, 3), (2, 5, 3), (2, 5, 2)]),
    OpCase('sdpa_bool_mask', lambda m, q, k, v, mask: _sdpa(m, q, k, v, attn_mask=mask),
           [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), Arr(BOOL_MASK)]),
    OpCase('sdpa_bool_mask_masked_row', lambda m, q, k, v, mask: _sdpa(m, q, k, v, attn_mask=mask),
           [(2, 3, 4), (2, 5, 4), (2, 5, 4), Arr(BOOL_MASK_ROW_OFF)], gradgrad=True),
    OpCase('sdpa_float_mask', lambda m, q, k, v, mask: _sdpa(m, q, k, v, attn_mask=mask),
           [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), Arr(FLOAT_MASK, grad=False)]),
    OpCase('sdpa_float_mask_grad', lambda m, q, k, v, mask: _sdpa(m, q, k, v, attn_mask=mask),
           [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), (3, 5)], gradgrad=True),
    OpCase('sdpa_gqa', lambda m, q, k, v: _sdpa(m, q, k, v, enable_gqa=True),
           [(2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)], gradgrad=True),
    # dropout: the same Bernoulli draws as F.dropout, so the dropped weights match torch's exactly
    OpCase('sdpa_dropout', lambda m, q, k, v: _seeded_sdpa(m, q, k, v, dropout_p=0.4),
           [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)], gradgrad=True),
]

ERROR_CASES = [
    ErrorCase('sdpa_dtype_mismatch', lambda m: _sdpa(m, m.zeros(2, 3, 4), m.zeros(2, 5, 4, dtype=m.float64),
                                                     m.zeros(2, 5, 4))),
    ErrorCase('sdpa_int_mask', lambda m: _sdpa(m, m.zeros(2, 3, 4), m.zeros(2, 5, 4), m.zeros(2, 5, 4),
                                               attn_mask=m.zeros(3, 5, dtype=m.int64))),
    ErrorCase('sdpa_size_mismatch', lambda m: _sdpa(m, m.zeros(2, 3, 4), m.zeros(2, 5, 3), m.zeros(2, 5, 4))),
    ErrorCase('sdpa_heads_mismatch', lambda m: _sdpa(m, m.zeros(2, 4, 3, 4), m.zeros(2, 2, 5, 4),
                                                     m.zeros(2, 2, 5, 4))),
]
