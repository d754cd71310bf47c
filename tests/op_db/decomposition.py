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


# ---- eig, LU, matrix_exp, triangular and Cholesky solves, Householder products, tensor equations ----------------
def _eig(m, a):
    # eigenvectors are defined up to a complex phase (LAPACK's sign choices differ between builds in float32):
    # their moduli are not
    L, V = m.linalg.eig(a)
    return m.view_as_real(L), V.abs()


def _lu_solve(m, a, b, **kwargs):
    LU, pivots = m.linalg.lu_factor(_invertible(m, a))
    return m.linalg.lu_solve(LU, pivots, b, **kwargs)


def _reflectors(m, a, tau):
    # geqrf-like input: tau in [1, 2] keeps I - tau v v^T far from a rank drop
    return a, tau.abs() + 1


OP_CASES += [
    OpCase('linalg_eigvals', lambda m, a: m.view_as_real(m.linalg.eigvals(a)), [(4, 4)]),
    OpCase('linalg_eigvals_batched', lambda m, a: m.view_as_real(m.linalg.eigvals(a)), [(2, 3, 3)]),
    OpCase('linalg_eig', lambda m, a: _eig(m, a), [(3, 3)], dtypes=('float64',)),
    OpCase('linalg_eig_symmetric', lambda m, a: _eig(m, a + a.mT), [(2, 3, 3)]),
    OpCase('linalg_eig_values', lambda m, a: m.view_as_real(m.linalg.eig(a).eigenvalues), [(3, 3)]),
    # LU: the pivots (1-based int32) are compared exactly
    OpCase('linalg_lu_factor', lambda m, a: m.linalg.lu_factor(a), [(4, 4)]),
    OpCase('linalg_lu_factor_batched', lambda m, a: m.linalg.lu_factor(a), [(2, 3, 3)]),
    OpCase('linalg_lu_factor_wide', lambda m, a: m.linalg.lu_factor(a), [(3, 5)]),
    OpCase('linalg_lu_factor_tall', lambda m, a: m.linalg.lu_factor(a), [(2, 5, 3)]),
    OpCase('linalg_lu_factor_ex', lambda m, a: m.linalg.lu_factor_ex(a), [(3, 3)]),
    OpCase('linalg_lu_factor_ex_singular', lambda m, a: m.linalg.lu_factor_ex(a),
           [Arr([[[0., 1., 2.], [0., 3., 4.], [0., 5., 6.]], [[1., 2., 3.], [2., 4., 6.], [1., 1., 1.]]])], grad=False),
    OpCase('linalg_lu', lambda m, a: m.linalg.lu(a), [(3, 3)]),
    OpCase('linalg_lu_wide', lambda m, a: m.linalg.lu(a), [(2, 3, 4)]),
    OpCase('linalg_lu_tall', lambda m, a: m.linalg.lu(a), [(4, 2)]),
    OpCase('linalg_lu_empty', lambda m, a: m.linalg.lu(a), [(2, 0, 3)], grad=False),
    OpCase('lu_old', lambda m, a: m.lu(a), [(3, 3)]),
    OpCase('lu_method_infos', lambda m, a: a.lu(get_infos=True), [(2, 3, 3)]),
    OpCase('lu_singular', lambda m, a: m.lu(a), [Arr(np.zeros((2, 2)))], grad=False),
    OpCase('lu_unpack', lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)), [(4, 3)]),
    OpCase('lu_unpack_data_only', lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a), unpack_pivots=False), [(3, 3)]),
    OpCase('linalg_lu_solve', lambda m, a, b: _lu_solve(m, a, b), [(3, 3), (3, 2)]),
    OpCase('linalg_lu_solve_adjoint', lambda m, a, b: _lu_solve(m, a, b, adjoint=True), [(2, 3, 3), (2, 3, 1)]),
    OpCase('linalg_lu_solve_right', lambda m, a, b: _lu_solve(m, a, b, left=False), [(3, 3), (2, 3)]),
    OpCase('linalg_lu_solve_right_adjoint', lambda m, a, b: _lu_solve(m, a, b, left=False, adjoint=True),
           [(3, 3), (4, 3)]),
    OpCase('linalg_lu_solve_broadcast', lambda m, a, b: _lu_solve(m, a, b), [(2, 3, 3), (3, 2)]),
    OpCase('lu_solve_old', lambda m, a, b: m.lu_solve(b, *m.linalg.lu_factor(_invertible(m, a))), [(3, 3), (3, 2)]),
    OpCase('lu_solve_method', lambda m, a, b: b.lu_solve(*m.linalg.lu_factor(_invertible(m, a))), [(3, 3), (3, 1)]),
    # matrix exponential: the larger entries take the scaling-and-squaring path
    OpCase('linalg_matrix_exp', lambda m, a: m.linalg.matrix_exp(a), [(3, 3)], gradgrad=True),
    OpCase('matrix_exp_batched', lambda m, a: m.matrix_exp(a), [(2, 4, 4)]),
    OpCase('matrix_exp_scaled', lambda m, a: a.matrix_exp(), [Float((3, 3), -4, 4)], rtol=1e-4),
    OpCase('matrix_exp_1x1', lambda m, a: m.matrix_exp(a), [(2, 1, 1)]),
    OpCase('matrix_exp_empty', lambda m, a: m.linalg.matrix_exp(a), [(0, 0)], grad=False),
    # triangular and Cholesky solves (PyTorch's gradients of the Cholesky ones treat the factor as a full matrix)
    OpCase('triangular_solve', lambda m, a, b: m.triangular_solve(b, _invertible(m, a)), [(3, 3), (3, 2)]),
    OpCase('triangular_solve_lower_transpose', lambda m, a, b: m.triangular_solve(b, _invertible(m, a), upper=False,
                                                                                 transpose=True), [(3, 3), (3, 2)]),
    OpCase('triangular_solve_unit', lambda m, a, b: b.triangular_solve(a, unitriangular=True), [unit((3, 3)), (3, 1)]),
    OpCase('triangular_solve_broadcast', lambda m, a, b: m.triangular_solve(b, _invertible(m, a)),
           [(3, 3), (2, 3, 2)]),
    OpCase('cholesky_solve', lambda m, a, b: m.cholesky_solve(b, m.linalg.cholesky(_spd(m, a))), [(3, 3), (3, 2)]),
    OpCase('cholesky_solve_upper', lambda m, a, b: b.cholesky_solve(m.linalg.cholesky(_spd(m, a), upper=True),
                                                                    upper=True), [(2, 3, 3), (2, 3, 2)]),
    OpCase('cholesky_solve_full_factor', lambda m, a, b: m.cholesky_solve(b, _invertible(m, a)), [(3, 3), (3, 2)]),
    OpCase('cholesky_solve_broadcast', lambda m, a, b: m.cholesky_solve(b, _invertible(m, a)), [(3, 3), (2, 3, 1)]),
    OpCase('cholesky_inverse', lambda m, a: m.cholesky_inverse(m.linalg.cholesky(_spd(m, a))), [(3, 3)]),
    OpCase('cholesky_inverse_upper', lambda m, a: _invertible(m, a).cholesky_inverse(upper=True), [(2, 3, 3)]),
    OpCase('cholesky_inverse_full_factor', lambda m, a: m.cholesky_inverse(_invertible(m, a)), [(3, 3)]),
    # Householder reflectors
    OpCase('geqrf', lambda m, a: m.geqrf(a), [(4, 3)], grad=False),
    OpCase('geqrf_wide_batched', lambda m, a: a.geqrf(), [(2, 3, 5)], grad=False),
    OpCase('linalg_householder_product', lambda m, a, t: m.linalg.householder_product(*_reflectors(m, a, t)),
           [(4, 3), (2,)]),
    OpCase('householder_product_batched', lambda m, a, t: m.linalg.householder_product(*_reflectors(m, a, t)),
           [(2, 3, 3), (2, 3)]),
    OpCase('householder_product_of_geqrf', lambda m, a: m.linalg.householder_product(*m.geqrf(a)), [(4, 3)],
           grad=False),
    OpCase('orgqr', lambda m, a, t: m.orgqr(*_reflectors(m, a, t)), [(3, 2), (2,)]),
    OpCase('ormqr', lambda m, a, t, c: m.ormqr(*_reflectors(m, a, t), c), [(4, 3), (3,), (4, 2)]),
    OpCase('ormqr_transpose', lambda m, a, t, c: m.ormqr(*_reflectors(m, a, t), c, transpose=True),
           [(4, 2), (2,), (4, 3)]),
    # (PyTorch's backward of ormqr wants as many reflectors as min(other.shape[-1], input.shape[-1]))
    OpCase('ormqr_right', lambda m, a, t, c: m.ormqr(*_reflectors(m, a, t), c, left=False), [(3, 3), (3,), (2, 3)]),
    OpCase('ormqr_right_transpose', lambda m, a, t, c: a.ormqr(t.abs() + 1, c, left=False, transpose=True),
           [(2, 3, 2), (2, 2), (2, 4, 3)]),
    # tensor equations
    OpCase('linalg_tensorinv', lambda m, a: m.linalg.tensorinv(_invertible(m, a).reshape(2, 3, 6)), [(6, 6)]),
    OpCase('linalg_tensorinv_ind1', lambda m, a: m.linalg.tensorinv(_invertible(m, a).reshape(4, 2, 2), ind=1),
           [(4, 4)]),
    OpCase('linalg_tensorsolve', lambda m, a, b: m.linalg.tensorsolve(_invertible(m, a).reshape(2, 3, 6), b),
           [(6, 6), (2, 3)]),
    OpCase('linalg_tensorsolve_dims', lambda m, a, b: m.linalg.tensorsolve(_invertible(m, a).reshape(6, 2, 3), b,
                                                                           dims=(0,)), [(6, 6), (2, 3)]),
    # Vandermonde matrices, norms of the singular values
    OpCase('linalg_vander', lambda m, a: m.linalg.vander(a), [(2, 3)]),
    OpCase('linalg_vander_N', lambda m, a: m.linalg.vander(a, N=5), [(3,)]),
    OpCase('linalg_vander_zero', lambda m, a: m.linalg.vander(a, N=3), [Arr([0., 1., -2.])]),
    OpCase('linalg_vander_int', lambda m, a: m.linalg.vander(a), [Int((3,), -3, 3)], grad=False),
    # (torch 2.13's backward of torch.vander fails: it writes cumprod into a slice of its result in place)
    OpCase('vander', lambda m, a: m.vander(a), [(4,)], grad=False),
    OpCase('vander_increasing', lambda m, a: m.vander(a, N=2, increasing=True), [(3,)], grad=False),
    OpCase('vander_N0', lambda m, a: m.vander(a, N=0), [(3,)], grad=False),
    OpCase('vander_int', lambda m, a: m.vander(a, N=4), [Int((3,), -3, 3, dtype=np.int32)], grad=False),
    OpCase('nuclear_norm', lambda m, a: m.nuclear_norm(a), [(3, 4)]),
    OpCase('nuclear_norm_batched', lambda m, a: m.nuclear_norm(a, keepdim=True), [(2, 3, 4)]),
    OpCase('nuclear_norm_dim', lambda m, a: m.nuclear_norm(a, dim=(0, 2)), [(3, 2, 4)]),
    OpCase('frobenius_norm', lambda m, a: m.frobenius_norm(a, dim=(0, 1)), [(2, 3, 4)]),
    OpCase('frobenius_norm_one_dim', lambda m, a: m.frobenius_norm(a, 1, keepdim=True), [(2, 3)]),
    # LDL^T by Bunch-Kaufman pivoting (not differentiable in PyTorch): a tiny diagonal forces 2x2 blocks
    OpCase('linalg_ldl_factor', lambda m, a: m.linalg.ldl_factor(a + a.mT), [(4, 4)], grad=False),
    OpCase('linalg_ldl_factor_2x2_blocks', lambda m, a: m.linalg.ldl_factor_ex(a * (1 - _eye(m, a))),
           [(2, 5, 5)], grad=False),
    OpCase('linalg_ldl_factor_ex_singular', lambda m, a: m.linalg.ldl_factor_ex(a), [Arr(np.zeros((3, 3)))],
           grad=False),
    OpCase('linalg_ldl_solve', lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a * (1 - _eye(m, a))), b),
           [(2, 4, 4), (4, 2)], grad=False),
    OpCase('norm_nuc', lambda m, a: m.norm(a, p='nuc'), [(3, 4)]),
    OpCase('norm_nuc_dim_keepdim', lambda m, a: a.norm('nuc', dim=(2, 0), keepdim=True), [(3, 2, 4)]),
]

ERROR_CASES += [
    ErrorCase('linalg_eig_not_square', lambda m: m.linalg.eig(m.ones(2, 3))),
    ErrorCase('linalg_eig_1d', lambda m: m.linalg.eig(m.ones(3))),
    ErrorCase('linalg_eig_int', lambda m: m.linalg.eig(m.ones(3, 3, dtype=m.long))),
    ErrorCase('linalg_eigvals_not_square', lambda m: m.linalg.eigvals(m.ones(2, 3))),
    ErrorCase('linalg_lu_factor_singular', lambda m: m.linalg.lu_factor(m.zeros(2, 3, 3))),
    ErrorCase('linalg_lu_factor_ex_check', lambda m: m.linalg.lu_factor_ex(m.zeros(3, 3), check_errors=True)),
    ErrorCase('linalg_lu_factor_1d', lambda m: m.linalg.lu_factor(m.ones(3))),
    ErrorCase('linalg_lu_factor_int', lambda m: m.linalg.lu_factor(m.ones(3, 3, dtype=m.long))),
    ErrorCase('linalg_lu_no_pivot', lambda m: m.linalg.lu(m.ones(3, 3), pivot=False)),
    ErrorCase('linalg_lu_solve_shapes', lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(4, 2))),
    ErrorCase('linalg_lu_solve_1d', lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(3))),
    ErrorCase('linalg_lu_solve_dtype', lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)),
                                                                  m.ones(3, 1, dtype=m.float64))),
    ErrorCase('matrix_exp_int', lambda m: m.matrix_exp(m.ones(2, 2, dtype=m.long))),
    ErrorCase('matrix_exp_not_square', lambda m: m.linalg.matrix_exp(m.ones(2, 3))),
    ErrorCase('triangular_solve_1d', lambda m: m.triangular_solve(m.ones(3, 2), m.ones(3))),
    ErrorCase('triangular_solve_shapes', lambda m: m.triangular_solve(m.ones(4, 2), m.eye(3))),
    ErrorCase('cholesky_solve_shapes', lambda m: m.cholesky_solve(m.ones(4, 2), m.eye(3))),
    ErrorCase('cholesky_solve_1d', lambda m: m.cholesky_solve(m.ones(3), m.eye(3))),
    ErrorCase('cholesky_inverse_not_square', lambda m: m.cholesky_inverse(m.ones(2, 3))),
    ErrorCase('householder_product_wide', lambda m: m.linalg.householder_product(m.ones(2, 3), m.ones(1))),
    ErrorCase('householder_product_tau', lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(3))),
    ErrorCase('householder_product_tau_dims', lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(2, 1))),
    ErrorCase('geqrf_1d', lambda m: m.geqrf(m.ones(3))),
    ErrorCase('ormqr_rows', lambda m: m.ormqr(m.ones(3, 2), m.ones(2), m.ones(4, 3))),
    ErrorCase('ormqr_right_columns', lambda m: m.ormqr(m.ones(3, 2), m.ones(2), m.ones(3, 4), left=False)),
    ErrorCase('tensorinv_ind', lambda m: m.linalg.tensorinv(m.ones(4, 4), ind=0)),
    ErrorCase('tensorinv_shape', lambda m: m.linalg.tensorinv(m.ones(4, 6), ind=1)),
    ErrorCase('tensorsolve_shape', lambda m: m.linalg.tensorsolve(m.ones(2, 3, 6), m.ones(3))),
    ErrorCase('linalg_vander_N1', lambda m: m.linalg.vander(m.ones(3), N=1)),
    ErrorCase('linalg_vander_bool', lambda m: m.linalg.vander(m.ones(3, dtype=m.bool))),
    ErrorCase('vander_2d', lambda m: m.vander(m.ones(2, 2))),
    ErrorCase('vander_negative_N', lambda m: m.vander(m.ones(3), N=-1)),
    ErrorCase('nuclear_norm_1d', lambda m: m.nuclear_norm(m.ones(3))),
    ErrorCase('linalg_ldl_factor_singular', lambda m: m.linalg.ldl_factor(m.zeros(2, 2))),
    ErrorCase('linalg_ldl_factor_not_square', lambda m: m.linalg.ldl_factor(m.ones(2, 3))),
    ErrorCase('linalg_ldl_solve_shapes', lambda m: m.linalg.ldl_solve(*m.linalg.ldl_factor(m.eye(3)), m.ones(4, 1))),
    ErrorCase('norm_nuc_3d', lambda m: m.norm(m.ones(2, 3, 4), p='nuc')),
    ErrorCase('norm_unknown_name', lambda m: m.norm(m.ones(2, 3), p='abc')),
    ErrorCase('frobenius_norm_3_dims', lambda m: m.frobenius_norm(m.ones(2, 3, 4), dim=(0, 1, 2))),
] + [
    # the functions PyTorch removed in 1.9 and keeps only to raise
    ErrorCase(f'removed_{name}', (lambda name: lambda m: getattr(m, name)(m.eye(2), m.eye(2)))(name))
    for name in ('solve', 'lstsq', 'eig', 'symeig', 'matrix_rank')
] + [
    ErrorCase(f'removed_method_{name}', (lambda name: lambda m: getattr(m.eye(2), name)(m.eye(2)))(name))
    for name in ('solve', 'lstsq', 'eig', 'symeig')
]
