"""Op table rows: weight normalization, `_weight_norm(v, g, dim)` and `norm_except_dim(v, pow, dim)`.

dim 0 and the last dim run ember's own kernel and backward (WeightNormInterfaceBackward0, as in
PyTorch); other dims are composites; dim=-1 is PyTorch's "norm over the whole tensor"."""
from ._spec import OpCase, ErrorCase, positive

OP_CASES = [
    OpCase('norm_except_dim_0', lambda m, v: m.norm_except_dim(v, 2, 0), [(3, 4, 2)], gradgrad=True),
    OpCase('norm_except_dim_last', lambda m, v: m.norm_except_dim(v, 2, 2), [(3, 4, 2)]),
    OpCase('norm_except_dim_middle', lambda m, v: m.norm_except_dim(v, 2, 1), [(3, 4, 2)]),
    OpCase('norm_except_dim_whole', lambda m, v: m.norm_except_dim(v, 2, -1), [(3, 4)]),
    OpCase('norm_except_dim_pow3', lambda m, v: m.norm_except_dim(v, 3, 0), [(3, 4)]),
    OpCase('norm_except_dim_vector', lambda m, v: m.norm_except_dim(v, 2, 0), [(5,)]),
    *[OpCase(f'_weight_norm_{name}', lambda m, v, g, dim=dim: m._weight_norm(v, g, dim), [(3, 4, 2), positive(g_shape)],
             gradgrad=True)
      for name, dim, g_shape in [('dim0', 0, (3, 1, 1)), ('last_dim', 2, (1, 1, 2)), ('middle_dim', 1, (1, 4, 1)),
                                 ('whole', -1, ()), ('negative_dim', -2, (1, 4, 1))]],
    OpCase('_weight_norm_matrix', lambda m, v, g: m._weight_norm(v, g, 0), [(4, 3), positive((4, 1))], gradgrad=True),
    OpCase('_weight_norm_vector', lambda m, v, g: m._weight_norm(v, g, 0), [(5,), positive((5,))]),
    OpCase('_weight_norm_flat_g', lambda m, v, g: m._weight_norm(v, g, 0), [(3, 4), positive((3,))]),
    OpCase('_weight_norm_no_grad_g', lambda m, v, g: m._weight_norm(v, g, 1), [(3, 4), positive((1, 4), grad=False)]),
    OpCase('_weight_norm_no_grad_v', lambda m, v, g: m._weight_norm(v, g, 0),
           [positive((3, 4), grad=False), positive((3, 1))]),
]

ERROR_CASES = [
    ErrorCase('norm_except_dim_bad_dim', lambda m: m.norm_except_dim(m.ones(2, 3), 2, 3)),
]
