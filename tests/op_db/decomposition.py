"""Op table rows: ember.linalg's decompositions, solvers, norms and the top-level aliases (torch.det, ...).

Inputs are made well conditioned inside the row (`+ 4 I`, `a a^T + 3 I` for positive-definite ones), and
singular/eigen vectors are given a fixed sign (that of their first entry) before they are compared, since
their sign is arbitrary.
"""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401


def _eye(m, a):
    return m.eye(a.shape[-1], dtype=a.dtype)


def _invertible(m, a):
    return a + 4 * _eye(m, a)


def _spd(m, a):
    return a @ a.mT + 3 * _eye(m, a)


def _svd(m, a, full_matrices=False):
    U, S, Vh = m.linalg.svd(a, full_matrices=full_matrices)
    k = S.shape[-1]
    sign = U[..., :1, :k].sign()
    return U[..., :k] * sign, S, Vh[..., :k, :] * sign.mT


def _eigh(m, a, UPLO='L'):
    L, V = m.linalg.eigh(a, UPLO=UPLO)
    return L, V * V[..., :1, :].sign()


INF = float('inf')

OP_CASES = [
    # inverse, solve
    OpCase('linalg_inv', lambda m, a: m.linalg.inv(_invertible(m, a)), [(3, 3)]),
    OpCase('linalg_inv_batched', lambda m, a: m.linalg.inv(_invertible(m, a)), [(2, 3, 3)]),
    OpCase('linalg_inv_ex', lambda m, a: m.linalg.inv_ex(_invertible(m, a)), [(2, 2, 3, 3)]),
    OpCase('inverse', lambda m, a: m.inverse(_invertible(m, a)), [(4, 4)]),
    OpCase('inverse_method', lambda m, a: _invertible(m, a).inverse(), [(1, 1)]),
    OpCase('linalg_solve', lambda m, a, b: m.linalg.solve(_invertible(m, a), b), [(3, 3), (3, 2)]),
    OpCase('linalg_solve_vector', lambda m, a, b: m.linalg.solve(_invertible(m, a), b), [(3, 3), (3,)]),
    OpCase('linalg_solve_batched_vector', lambda m, a, b: m.linalg.solve(_invertible(m, a), b), [(2, 3, 3), (2, 3)]),
    OpCase('linalg_solve_broadcast', lambda m, a, b: m.linalg.solve(_invertible(m, a), b), [(2, 3, 3), (3, 4)]),
    OpCase('linalg_solve_broadcast_A', lambda m, a, b: m.linalg.solve(_invertible(m, a), b), [(3, 3), (2, 3, 1)]),
    OpCase('linalg_solve_right', lambda m, a, b: m.linalg.solve(_invertible(m, a), b, left=False), [(3, 3), (2, 3)]),
    OpCase('linalg_solve_ex', lambda m, a, b: m.linalg.solve_ex(_invertible(m, a), b), [(3, 3), (3, 2)]),
    OpCase('linalg_solve_triangular', lambda m, a, b: m.linalg.solve_triangular(_invertible(m, a), b, upper=True),
           [(3, 3), (3, 2)]),
    OpCase('linalg_solve_triangular_unit', lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False, left=False,
                                                                                     unitriangular=True),
           [unit((3, 3)), (2, 3)]),
    # determinants
    OpCase('linalg_det', lambda m, a: m.linalg.det(a), [(3, 3)]),
    OpCase('det_batched', lambda m, a: m.det(a), [(2, 4, 4)]),
    OpCase('det_method', lambda m, a: a.det(), [(2, 2)]),
    # (torch 2.13 gives a zero gradient for exactly singular matrices; ember the cofactor matrix, the true
    # derivative, which tests/autograd/test_functional.py checks by finite differences)
    OpCase('det_singular', lambda m, a: m.linalg.det(a), [Arr([[1., 2., 3.], [2., 4., 6.], [0., 1., 1.]])],
           grad=False),
    OpCase('det_1x1', lambda m, a: m.linalg.det(a), [(2, 1, 1)]),
    OpCase('linalg_slogdet', lambda m, a: m.linalg.slogdet(a), [(3, 3)]),
    OpCase('slogdet_batched', lambda m, a: m.slogdet(a), [(2, 3, 3)]),
    OpCase('slogdet_method', lambda m, a: a.slogdet(), [(4, 4)]),
    OpCase('logdet', lambda m, a: m.logdet(_spd(m, a)), [(3, 3)]),
    OpCase('logdet_negative', lambda m, a: m.logdet(a), [Arr([[0., 1.], [1., 0.]])]),
    OpCase('logdet_method', lambda m, a: _spd(m, a).logdet(), [(2, 3, 3)]),
    # singular values
    OpCase('linalg_svd_tall', lambda m, a: _svd(m, a), [(4, 3)]),
    OpCase('linalg_svd_wide', lambda m, a: _svd(m, a), [(3, 5)]),
    OpCase('linalg_svd_batched', lambda m, a: _svd(m, a), [(2, 3, 3)]),
    OpCase('linalg_svd_full', lambda m, a: _svd(m, a, True), [(4, 3)]),
    OpCase('linalg_svd_full_wide', lambda m, a: _svd(m, a, True), [(2, 4)]),
    OpCase('linalg_svd_S_only', lambda m, a: m.linalg.svd(a).S, [(3, 4)]),
    OpCase('linalg_svdvals', lambda m, a: m.linalg.svdvals(a), [(2, 4, 3)]),
    OpCase('svd_old', lambda m, a: (lambda U, S, V: (U * U[:1].sign(), S, V * U[:1].sign()))(*m.svd(a)), [(4, 3)]),
    OpCase('svd_method_some_false', lambda m, a: a.svd(some=False).S, [(3, 2)]),
    # symmetric eigenproblems
    OpCase('linalg_eigh', lambda m, a: _eigh(m, a + a.mT), [(3, 3)]),
    OpCase('linalg_eigh_batched', lambda m, a: _eigh(m, a + a.mT), [(2, 4, 4)]),
    OpCase('linalg_eigh_upper', lambda m, a: _eigh(m, a + a.mT, 'U'), [(3, 3)]),
    OpCase('linalg_eigh_values_only', lambda m, a: m.linalg.eigh(a + a.mT).eigenvalues, [(3, 3)]),
    OpCase('linalg_eigvalsh', lambda m, a: m.linalg.eigvalsh(a + a.mT), [(2, 3, 3)]),
    # QR
    OpCase('linalg_qr', lambda m, a: m.linalg.qr(a), [(4, 3)]),
    OpCase('linalg_qr_square', lambda m, a: m.linalg.qr(a), [(2, 3, 3)]),
    OpCase('linalg_qr_wide', lambda m, a: m.linalg.qr(a), [(3, 5)]),
    OpCase('linalg_qr_R_only_grad', lambda m, a: m.linalg.qr(a).R, [(4, 2)]),
    OpCase('linalg_qr_complete', lambda m, a: m.linalg.qr(a, mode='complete'), [(4, 3)], grad=False),
    OpCase('linalg_qr_r', lambda m, a: m.linalg.qr(a, mode='r'), [(4, 3)], grad=False),
    OpCase('qr_old', lambda m, a: m.qr(a), [(3, 2)]),
    OpCase('qr_method', lambda m, a: a.qr(), [(3, 3)]),
    # Cholesky
    OpCase('linalg_cholesky', lambda m, a: m.linalg.cholesky(_spd(m, a)), [(3, 3)]),
    OpCase('linalg_cholesky_batched', lambda m, a: m.linalg.cholesky(_spd(m, a)), [(2, 4, 4)]),
    OpCase('linalg_cholesky_upper', lambda m, a: m.linalg.cholesky(_spd(m, a), upper=True), [(3, 3)]),
    OpCase('linalg_cholesky_ex', lambda m, a: m.linalg.cholesky_ex(_spd(m, a)), [(3, 3)]),
    OpCase('cholesky_old', lambda m, a: m.cholesky(_spd(m, a)), [(3, 3)]),
    OpCase('cholesky_method_upper', lambda m, a: _spd(m, a).cholesky(upper=True), [(2, 2)]),
    # pseudo-inverse, least squares
    OpCase('linalg_pinv_tall', lambda m, a: m.linalg.pinv(a), [(4, 3)]),
    OpCase('linalg_pinv_wide', lambda m, a: m.linalg.pinv(a), [(2, 4)]),
    OpCase('linalg_pinv_batched', lambda m, a: m.linalg.pinv(a), [(2, 3, 3)]),
    OpCase('linalg_pinv_hermitian', lambda m, a: m.linalg.pinv(a + a.mT, hermitian=True), [(3, 3)]),
    OpCase('linalg_pinv_rank_deficient', lambda m, a: m.linalg.pinv(a), [Arr([[1., 2.], [2., 4.], [0., 0.]])],
           gradcheck=False),
    OpCase('pinverse', lambda m, a: m.pinverse(a), [(3, 2)]),
    OpCase('pinverse_method', lambda m, a: a.pinverse(rcond=1e-10), [(2, 3)]),
    OpCase('linalg_lstsq', lambda m, a, b: m.linalg.lstsq(a, b), [(4, 3), (4, 2)]),
    OpCase('linalg_lstsq_vector', lambda m, a, b: m.linalg.lstsq(a, b), [(5, 3), (5,)]),
    OpCase('linalg_lstsq_batched', lambda m, a, b: m.linalg.lstsq(a, b).solution, [(2, 4, 3), (2, 4, 1)]),
    OpCase('linalg_lstsq_gelsd', lambda m, a, b: m.linalg.lstsq(a, b, driver='gelsd'), [(4, 3), (4, 2)]),
    OpCase('linalg_lstsq_square', lambda m, a, b: m.linalg.lstsq(_invertible(m, a), b), [(3, 3), (3, 2)]),
    # norms
    OpCase('linalg_norm', lambda m, a: m.linalg.norm(a), [(2, 3, 4)]),
    OpCase('linalg_norm_vector_ord', lambda m, a: m.linalg.norm(a, 3), [(5,)]),
    OpCase('linalg_norm_matrix_ord', lambda m, a: m.linalg.norm(a, INF), [(3, 4)]),
    OpCase('linalg_norm_dim', lambda m, a: m.linalg.norm(a, dim=1, keepdim=True), [(2, 3, 4)]),
    OpCase('linalg_norm_dims_nuc', lambda m, a: m.linalg.norm(a, 'nuc', dim=(0, 2)), [(3, 2, 4)]),
    OpCase('linalg_vector_norm', lambda m, a: m.linalg.vector_norm(a), [(3, 4)]),
    OpCase('linalg_vector_norm_1', lambda m, a: m.linalg.vector_norm(a, 1, dim=-1), [(3, 4)]),
    OpCase('linalg_vector_norm_inf', lambda m, a: m.linalg.vector_norm(a, INF, dim=(0, 2), keepdim=True),
           [(2, 3, 4)]),
    OpCase('linalg_vector_norm_-inf', lambda m, a: m.linalg.vector_norm(a, -INF), [(5,)]),
    OpCase('linalg_vector_norm_0', lambda m, a: m.linalg.vector_norm(a, 0, dim=0), [(3, 2)]),
    OpCase('linalg_vector_norm_3', lambda m, a: m.linalg.vector_norm(a, 3.5, dim=1), [(2, 5)]),
    OpCase('linalg_vector_norm_half', lambda m, a: m.linalg.vector_norm(a, 0.5), [positive((4,))]),
    OpCase('linalg_vector_norm_dtype', lambda m, a: m.linalg.vector_norm(a, dtype=m.float64), [(4,)],
           dtypes=('float32',)),
] + [
    OpCase(f'linalg_matrix_norm_{ord}', (lambda ord: lambda m, a: m.linalg.matrix_norm(a, ord))(ord), [(2, 3, 4)])
    for ord in ('fro', 'nuc', 2, -2, 1, -1, INF, -INF)
] + [
    OpCase('linalg_matrix_norm_dims_keepdim', lambda m, a: m.linalg.matrix_norm(a, 1, dim=(2, 0), keepdim=True),
           [(3, 2, 4)]),
    OpCase('linalg_matrix_norm_inf_keepdim', lambda m, a: m.linalg.matrix_norm(a, INF, keepdim=True), [(2, 3, 4)]),
    OpCase('linalg_matrix_norm_nuc_keepdim', lambda m, a: m.linalg.matrix_norm(a, 'nuc', dim=(0, 1), keepdim=True),
           [(3, 2, 4)]),
    OpCase('linalg_cond', lambda m, a: m.linalg.cond(_invertible(m, a)), [(2, 3, 3)]),
    # torch's own backward of cond(p='fro') fails (it modifies the inverse in place), so values only
    OpCase('linalg_cond_fro', lambda m, a: m.linalg.cond(_invertible(m, a), 'fro'), [(3, 3)], grad=False),
    # rank, products
    OpCase('linalg_matrix_rank', lambda m, a: m.linalg.matrix_rank(a), [(2, 3, 4)], grad=False),
    OpCase('linalg_matrix_rank_deficient', lambda m, a: m.linalg.matrix_rank(a),
           [Arr([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])], grad=False),
    OpCase('linalg_matrix_rank_atol', lambda m, a: m.linalg.matrix_rank(a, atol=1.0), [(4, 4)], grad=False),
    OpCase('linalg_matrix_rank_rtol', lambda m, a: m.linalg.matrix_rank(a, atol=0.1, rtol=0.3), [(4, 4)], grad=False),
    OpCase('linalg_matrix_rank_hermitian', lambda m, a: m.linalg.matrix_rank(a @ a.mT, hermitian=True), [(3, 2)],
           grad=False),
    OpCase('linalg_multi_dot', lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(2, 3), (3, 4), (4, 2)]),
    OpCase('linalg_multi_dot_vectors', lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    OpCase('linalg_multi_dot_two', lambda m, a, b: m.linalg.multi_dot((a, b)), [(3,), (3, 2)]),
    OpCase('linalg_matrix_power', lambda m, a: m.linalg.matrix_power(a, 3), [(3, 3)]),
    OpCase('linalg_matrix_power_batched', lambda m, a: m.linalg.matrix_power(a, 4), [(2, 2, 2)]),
    OpCase('linalg_matrix_power_negative', lambda m, a: m.linalg.matrix_power(_invertible(m, a), -2), [(3, 3)]),
    OpCase('matrix_power_zero', lambda m, a: a.matrix_power(0), [(2, 3, 3)]),
    OpCase('matrix_power_one', lambda m, a: m.matrix_power(a, 1), [(3, 3)]),
    OpCase('linalg_vecdot', lambda m, a, b: m.linalg.vecdot(a, b), [(2, 3), (3,)]),
    OpCase('linalg_vecdot_dim', lambda m, a, b: m.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 2)]),
    OpCase('linalg_matmul', lambda m, a, b: m.linalg.matmul(a, b), [(2, 3), (3, 2)]),
    OpCase('linalg_diagonal', lambda m, a: m.linalg.diagonal(a, offset=1), [(2, 3, 4)]),
]

ERROR_CASES = [
    ErrorCase('linalg_inv_singular', lambda m: m.linalg.inv(m.zeros(3, 3))),
    ErrorCase('linalg_inv_singular_batched', lambda m: m.linalg.inv(m.stack([m.eye(2), m.ones(2, 2)]))),
    ErrorCase('linalg_inv_not_square', lambda m: m.linalg.inv(m.ones(2, 3))),
    ErrorCase('linalg_inv_1d', lambda m: m.linalg.inv(m.ones(3))),
    ErrorCase('linalg_inv_int', lambda m: m.linalg.inv(m.ones(3, 3, dtype=m.long))),
    ErrorCase('linalg_solve_singular', lambda m: m.linalg.solve(m.ones(3, 3), m.ones(3))),
    ErrorCase('linalg_solve_shapes', lambda m: m.linalg.solve(m.eye(3), m.ones(4))),
    ErrorCase('linalg_solve_dtype', lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64))),
    ErrorCase('linalg_solve_not_square', lambda m: m.linalg.solve(m.ones(3, 2), m.ones(3))),
    ErrorCase('linalg_det_not_square', lambda m: m.linalg.det(m.ones(2, 3))),
    ErrorCase('det_1d', lambda m: m.det(m.ones(3))),
    ErrorCase('slogdet_not_square', lambda m: m.slogdet(m.ones(2, 2, 3))),
    ErrorCase('linalg_cholesky_not_pd', lambda m: m.linalg.cholesky(-m.eye(3))),
    ErrorCase('linalg_cholesky_not_pd_batched',
              lambda m: m.linalg.cholesky(m.stack([m.eye(2), m.ones(2, 2) * 2 - m.eye(2) * 3]))),
    ErrorCase('linalg_cholesky_not_square', lambda m: m.linalg.cholesky(m.ones(2, 3))),
    ErrorCase('linalg_eigh_not_square', lambda m: m.linalg.eigh(m.ones(2, 3))),
    ErrorCase('linalg_eigh_uplo', lambda m: m.linalg.eigh(m.eye(2), UPLO='X')),
    ErrorCase('linalg_qr_mode', lambda m: m.linalg.qr(m.ones(3, 3), mode='x')),
    ErrorCase('linalg_qr_r_backward', lambda m: m.linalg.qr(m.ones(3, 3, requires_grad=True), mode='r')[1].sum()
              .backward()),
    ErrorCase('linalg_qr_complete_backward', lambda m: m.linalg.qr(m.rand(4, 3, requires_grad=True),
                                                                   mode='complete')[0].sum().backward()),
    ErrorCase('linalg_svd_1d', lambda m: m.linalg.svd(m.ones(3))),
    ErrorCase('linalg_matrix_power_singular', lambda m: m.linalg.matrix_power(m.zeros(2, 2), -1)),
    ErrorCase('linalg_matrix_power_not_square', lambda m: m.linalg.matrix_power(m.ones(2, 3), 2)),
    ErrorCase('linalg_multi_dot_one', lambda m: m.linalg.multi_dot([m.ones(2, 3)])),
    ErrorCase('linalg_multi_dot_shapes', lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(4, 2)])),
    ErrorCase('linalg_multi_dot_3d', lambda m: m.linalg.multi_dot([m.ones(2, 3, 1), m.ones(1, 2)])),
    ErrorCase('linalg_multi_dot_middle_1d', lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3), m.ones(2)])),
    ErrorCase('linalg_lstsq_rows', lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(4, 2))),
    ErrorCase('linalg_lstsq_dims', lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(2, 2, 4, 2))),
    ErrorCase('linalg_matrix_norm_ord', lambda m: m.linalg.matrix_norm(m.ones(2, 3), 3)),
    ErrorCase('linalg_matrix_norm_1d', lambda m: m.linalg.matrix_norm(m.ones(3))),
    ErrorCase('linalg_norm_3d_ord', lambda m: m.linalg.norm(m.ones(2, 3, 4), 2)),
    ErrorCase('linalg_vector_norm_str', lambda m: m.linalg.vector_norm(m.ones(3), 'fro')),
    ErrorCase('linalg_vector_norm_int', lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.long))),
    ErrorCase('linalg_matrix_rank_1d', lambda m: m.linalg.matrix_rank(m.ones(3))),
]
