"""Behaviour of the linear-algebra additions that the op table cannot express: the randomized low-rank
decompositions under a seed, eig's backward for complex cotangents, LU's pivots on ties and zero columns,
and the deprecation warnings of the old spellings."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _same_up_to_column_sign(ours, theirs, atol):
    """Singular vectors are defined up to sign: flip ours to theirs column by column, then compare."""
    ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    signs = np.sign(np.sum(ours * theirs, axis=-2, keepdims=True))
    np.testing.assert_allclose(ours * signs, theirs, atol=atol)


@pytest.mark.parametrize('shape,q', [((6, 4), 3), ((3, 8), 2), ((2, 7, 5), 4)])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_svd_lowrank_matches_torch_under_a_seed(shape, q, dtype):
    a = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ember.manual_seed(7)
    torch.manual_seed(7)
    U, S, V = ember.svd_lowrank(ember.tensor(a), q=q, niter=1)
    Ut, St, Vt = torch.svd_lowrank(torch.tensor(a), q=q, niter=1)
    atol = 1e-4 if dtype == 'float32' else 1e-10
    np.testing.assert_allclose(S.numpy(), St.numpy(), atol=atol)
    assert U.dtype == ember.float32 if dtype == 'float32' else ember.float64
    _same_up_to_column_sign(U, Ut, atol)
    _same_up_to_column_sign(V, Vt, atol)
    # both drew the same random matrix, so the streams stay in step
    np.testing.assert_array_equal(ember.randn(3).numpy(), torch.randn(3).numpy())


def test_pca_lowrank_matches_torch_and_differentiates():
    a = np.random.default_rng(1).standard_normal((10, 4))
    x, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ember.manual_seed(3)
    torch.manual_seed(3)
    U, S, V = ember.pca_lowrank(x, q=2)
    Ut, St, Vt = torch.pca_lowrank(xt, q=2)
    np.testing.assert_allclose(S.detach().numpy(), St.detach().numpy(), atol=1e-10)
    _same_up_to_column_sign(V, Vt, 1e-10)
    S.sum().backward()
    St.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), atol=1e-8)


@pytest.mark.parametrize('call', [lambda m, a: m.pca_lowrank(a, q=5), lambda m, a: m.pca_lowrank(a, niter=-1)])
def test_pca_lowrank_argument_errors(call):
    with pytest.raises(ValueError) as theirs:
        call(torch, torch.ones(4, 3))
    with pytest.raises(ValueError) as ours:
        call(ember, ember.ones(4, 3))
    assert str(ours.value) == str(theirs.value)


def test_eig_backward_takes_complex_cotangents():
    """The gradient of a real A from complex output gradients: the real part of PyTorch's formula."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 4))
    grad_L = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    x, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours = ember.autograd.grad(ember.linalg.eigvals(x), x, ember.tensor(grad_L))[0]
    theirs = torch.autograd.grad(torch.linalg.eigvals(xt), xt, torch.tensor(grad_L))[0]
    assert ours.dtype == ember.float64
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-10)


def test_eig_backward_refuses_a_phase_dependent_loss():
    a = np.random.default_rng(3).standard_normal((3, 3))
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        V = lib.linalg.eig(x).eigenvectors
        with pytest.raises(RuntimeError, match='specified up to multiplication by'):
            lib.autograd.grad(lib.view_as_real(V).sum(), x)


@pytest.mark.parametrize('matrix', [
    [[1., 2.], [-2., 1.]],                         # a tie for the pivot: the first row wins, as LAPACK's idamax
    [[0., 1., 2.], [0., 3., 4.], [0., 5., 6.]],    # a zero column: no swap, info names it
    [[0., 0.], [0., 0.]],
])
def test_lu_pivots_follow_lapack(matrix):
    ours = ember.linalg.lu_factor_ex(ember.tensor(matrix))
    theirs = torch.linalg.lu_factor_ex(torch.tensor(matrix))
    for o, t in zip(ours, theirs):
        assert o.dtype == getattr(ember, str(t.dtype).split('.')[-1])
        np.testing.assert_allclose(o.numpy(), t.numpy())


def test_lu_factor_singular_message():
    with pytest.raises(RuntimeError) as theirs:
        torch.linalg.lu_factor(torch.zeros(2, 3, 3))
    with pytest.raises(RuntimeError) as ours:
        ember.linalg.lu_factor(ember.zeros(2, 3, 3))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize('call', [
    lambda m: m.lu(m.eye(2)),
    lambda m: m.lu_solve(m.ones(2, 1), *m.linalg.lu_factor(m.eye(2))),
    lambda m: m.triangular_solve(m.ones(2, 1), m.eye(2)),
])
def test_old_spellings_warn_as_torch(call):
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter('always')
        call(ember)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter('always')
        call(torch)
    assert [w.category for w in ours] == [UserWarning]
    # torch warns once per process (TORCH_WARN_ONCE): compare the text when it did here
    if theirs:
        assert str(theirs[0].message).startswith(str(ours[0].message))


@pytest.mark.parametrize('name', ['solve', 'lstsq', 'eig', 'symeig', 'matrix_rank'])
def test_removed_functions_raise_torchs_message(name):
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch, name)(*[torch.eye(2)] * (2 if name in ("solve", "lstsq") else 1))
    with pytest.raises(RuntimeError) as ours:
        getattr(ember, name)(*[ember.eye(2)] * (2 if name in ("solve", "lstsq") else 1))
    assert str(ours.value) == str(theirs.value)


def test_renorm_in_place_keeps_the_tensor():
    a = np.random.default_rng(4).standard_normal((3, 4)).astype(np.float32)
    ours, theirs = ember.tensor(a), torch.tensor(a)
    assert ours.renorm_(2, 0, 1.0) is ours
    theirs.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)


def test_histogramdd_returns_a_list_of_edges():
    a = np.random.default_rng(5).standard_normal((20, 2)).astype(np.float32)
    ours, theirs = ember.histogramdd(ember.tensor(a), [3, 2]), torch.histogramdd(torch.tensor(a), [3, 2])
    assert type(ours).__name__ == type(theirs).__name__ == 'histogramdd'
    assert isinstance(ours.bin_edges, (list, tuple)) and len(ours.bin_edges) == 2
    np.testing.assert_array_equal(ours.hist.numpy(), theirs.hist.numpy())


@pytest.mark.parametrize('name', ['solve', 'lstsq'])
def test_removed_functions_keep_their_signatures(name):
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.eye(2))
    with pytest.raises(TypeError):
        getattr(ember, name)(ember.eye(2))


@pytest.mark.parametrize('left', [True, False])
@pytest.mark.parametrize('transpose', [True, False])
def test_complex_householder_product_and_ormqr_match_torch(left, transpose):
    # a complex reflector is I - tau v v^H, and Q^H uses conj(tau)
    rng = np.random.default_rng(0)
    a_values = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    c_values = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    c_values = c_values if left else c_values.T
    a, tau = torch.geqrf(torch.tensor(a_values))
    ours_a, ours_tau = ember.tensor(a.numpy()), ember.tensor(tau.numpy())
    np.testing.assert_allclose(ember.linalg.householder_product(ours_a, ours_tau).numpy(),
                               torch.linalg.householder_product(a, tau).numpy(), atol=1e-12)
    np.testing.assert_allclose(ember.ormqr(ours_a, ours_tau, ember.tensor(c_values), left=left, transpose=transpose).numpy(),
                               torch.ormqr(a, tau, torch.tensor(c_values), left=left, transpose=transpose).numpy(),
                               atol=1e-12)
