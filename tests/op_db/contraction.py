"""Op table rows: einsum, tensordot, kron, cross, cdist."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401

_EINSUM = [
    ('matmul', 'ij,jk->ik', [(2, 3), (3, 4)]),
    ('implicit', 'ij,jk', [(2, 3), (3, 4)]),
    ('implicit_order', 'ba,ac', [(2, 3), (3, 4)]),
    ('implicit_upper', 'iA,Ab', [(2, 3), (3, 4)]),
    ('diagonal', 'ii->i', [(3, 3)]),
    ('trace', 'ii', [(3, 3)]),
    ('triple_diagonal', 'iii->i', [(2, 2, 2)]),
    ('diagonal_kept', 'iij->ij', [(3, 3, 2)]),
    ('bmm', 'bij,bjk->bik', [(2, 3, 4), (2, 4, 2)]),
    ('ellipsis_matmul', '...ij,...jk', [(2, 3, 4), (4, 2)]),
    ('ellipsis_broadcast', '...ij,...jk->...ik', [(2, 1, 3, 4), (3, 4, 2)]),
    ('ellipsis_sum', 'i...->...', [(2, 3, 4)]),
    ('ellipsis_dropped', '...i->i', [(2, 3, 4)]),
    ('ellipsis_middle', 'i...j->j...i', [(2, 3, 4, 5)]),
    ('outer', 'i,j->ij', [(3,), (4,)]),
    ('dot', 'i,i', [(5,), (5,)]),
    ('sum_all', 'ij->', [(2, 3)]),
    ('transpose', 'ij->ji', [(2, 3)]),
    ('summed_only_once', 'ij,j->j', [(2, 3), (3,)]),
    ('three_operands', 'ij,jk,kl->il', [(2, 3), (3, 4), (4, 2)]),
    ('bilinear', 'bn,anm,bm->ba', [(2, 3), (4, 3, 5), (2, 5)]),
    ('broadcast_size_one', 'ij,ij->ij', [(1, 3), (2, 3)]),
    # a size-1 letter broadcast by another operand, then summed away: its gradient sums back to size 1
    ('broadcast_size_one_summed', 'ab,ab->a', [(3, 1), (1, 4)]),
    ('broadcast_both_ways', '...k,...k->...', [(2, 1, 3), (1, 5, 3)]),
    ('broadcast_batch', 'bij,bjk->bik', [(1, 2, 3), (4, 3, 2)]),
    ('spaces', ' ij , jk -> ik ', [(2, 3), (3, 1)]),
    ('scalar', ',i->i', [(), (3,)]),
]

OP_CASES = [
    OpCase(f'einsum_{name}', (lambda eq: lambda m, *xs: m.einsum(eq, *xs))(eq), shapes)
    for name, eq, shapes in _EINSUM
] + [
    OpCase('einsum_list', lambda m, a, b: m.einsum('ij,jk->ik', [a, b]), [(2, 3), (3, 2)]),
    OpCase('einsum_sublist', lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(2, 3), (3, 2)]),
    OpCase('einsum_sublist_implicit', lambda m, a, b: m.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0]), [(2, 3), (3,)]),
    OpCase('einsum_int', lambda m, a, b: m.einsum('ij,jk->ik', a, b), [Int((2, 3), -3, 3), Int((3, 2), -3, 3)],
           grad=False),
    OpCase('einsum_double_backward', lambda m, a, b: m.autograd.grad(m.einsum('ii,ij->j', a, b).pow(2).sum(), a,
                                                                     create_graph=True)[0], [(3, 3), (3, 2)],
           gradcheck=False),
    # tensordot
    OpCase('tensordot', lambda m, a, b: m.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    OpCase('tensordot_1', lambda m, a, b: m.tensordot(a, b, 1), [(2, 3), (3, 4)]),
    OpCase('tensordot_0', lambda m, a, b: m.tensordot(a, b, dims=0), [(2,), (3,)]),
    OpCase('tensordot_lists', lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])), [(3, 2, 4), (2, 5, 3)]),
    OpCase('tensordot_tuples', lambda m, a, b: m.tensordot(a, b, dims=((0,), (1,))), [(3, 2), (4, 3)]),
    OpCase('tensordot_negative_dims', lambda m, a, b: m.tensordot(a, b, dims=([-1], [-2])), [(2, 3), (3, 4)]),
    # kron
    OpCase('kron', lambda m, a, b: m.kron(a, b), [(2, 3), (2, 2)]),
    OpCase('kron_vectors', lambda m, a, b: m.kron(a, b), [(2,), (3,)]),
    OpCase('kron_ndim', lambda m, a, b: a.kron(b), [(2,), (2, 3)]),
    OpCase('kron_3d', lambda m, a, b: m.kron(a, b), [(2, 1, 2), (1, 3, 2)]),
    OpCase('kron_int', lambda m, a, b: m.kron(a, b), [Int((2, 2)), Int((2,))], grad=False),
    # cross
    OpCase('linalg_cross', lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (4, 3)]),
    OpCase('linalg_cross_broadcast', lambda m, a, b: m.linalg.cross(a, b), [(2, 1, 3), (1, 4, 3)]),
    OpCase('linalg_cross_dim', lambda m, a, b: m.linalg.cross(a, b, dim=0), [(3, 2), (3, 2)]),
    OpCase('cross_dim', lambda m, a, b: m.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    OpCase('cross_method', lambda m, a, b: a.cross(b, dim=-1), [(3,), (3,)]),
    # cdist
    OpCase('cdist', lambda m, a, b: m.cdist(a, b), [(4, 3), (5, 3)]),
    OpCase('cdist_batched', lambda m, a, b: m.cdist(a, b), [(2, 4, 3), (2, 5, 3)]),
    OpCase('cdist_broadcast', lambda m, a, b: m.cdist(a, b), [(2, 1, 4, 3), (3, 5, 3)]),
    OpCase('cdist_p1', lambda m, a, b: m.cdist(a, b, p=1), [(4, 3), (2, 3)]),
    OpCase('cdist_p0', lambda m, a, b: m.cdist(a, b, p=0), [(4, 3), (2, 3)]),
    OpCase('cdist_pinf', lambda m, a, b: m.cdist(a, b, p=float('inf')), [(4, 3), (2, 3)]),
    OpCase('cdist_p3', lambda m, a, b: m.cdist(a, b, p=3), [(3, 2), (4, 2)]),
    OpCase('cdist_p_half', lambda m, a, b: m.cdist(a, b, p=0.5), [(3, 2), (4, 2)]),
    OpCase('cdist_compute_mode', lambda m, a, b: m.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist'),
           [(3, 2), (4, 2)]),
    OpCase('cdist_same_points', lambda m, a: m.cdist(a, a), [(3, 2)], gradcheck=False),
    OpCase('cdist_large', lambda m, a, b: m.cdist(a, b), [(30, 3), (26, 3)], gradcheck=False),
]

ERROR_CASES = [
    ErrorCase('einsum_sizes', lambda m: m.einsum('ij,jk->ik', m.ones(2, 3), m.ones(4, 2))),
    ErrorCase('einsum_output_letter', lambda m: m.einsum('ij->ijk', m.ones(2, 3))),
    ErrorCase('einsum_too_few_operands', lambda m: m.einsum('ij,jk', m.ones(2, 3))),
    ErrorCase('einsum_too_many_operands', lambda m: m.einsum('ij', m.ones(2, 3), m.ones(3))),
    ErrorCase('einsum_ndim', lambda m: m.einsum('ijk', m.ones(2, 3))),
    ErrorCase('einsum_dtype', lambda m: m.einsum('i,i->', m.ones(3), m.ones(3, dtype=m.float64))),
    ErrorCase('tensordot_negative', lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 2), -1)),
    ErrorCase('tensordot_int_pair', lambda m: m.tensordot(m.ones(3, 2), m.ones(4, 3), dims=(0, 1))),
    ErrorCase('tensordot_sizes', lambda m: m.tensordot(m.ones(2, 3), m.ones(4, 2), 1)),
    ErrorCase('cross_no_dim_3', lambda m: m.cross(m.ones(2, 2), m.ones(2, 2))),
    ErrorCase('cross_broadcast', lambda m: m.cross(m.ones(2, 3), m.ones(3, 3))),
    ErrorCase('linalg_cross_length', lambda m: m.linalg.cross(m.ones(2, 2), m.ones(2, 2))),
    ErrorCase('linalg_cross_dtype', lambda m: m.linalg.cross(m.ones(3), m.ones(3, dtype=m.float64))),
    ErrorCase('cdist_columns', lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4))),
    ErrorCase('cdist_1d', lambda m: m.cdist(m.ones(3), m.ones(3))),
    ErrorCase('cdist_negative_p', lambda m: m.cdist(m.ones(2, 3), m.ones(2, 3), p=-1)),
    ErrorCase('cdist_int', lambda m: m.cdist(m.ones(2, 3, dtype=m.long), m.ones(2, 3, dtype=m.long))),
]
