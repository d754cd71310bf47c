"""ember.autograd.functional against torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp on
several functions, with their tuple nesting, create_graph and strict behaviour. Also the parts of
ember.linalg that a row of the op table can't express (exception classes, node names, higher-order
gradients through decompositions)."""
import numpy as np
import pytest

import ember
from _compare import same, raises_same, data, leaf


# ---- functions of one and of several tensors --------------------------------------------------------
def exp_reducer(x):
    return x.exp().sum(dim=1)


def cube_sum(x):
    return (x ** 3).sum()


def pow_adder(x, y):
    return 2 * x.pow(2) + 3 * y * x


def two_outputs(x, y):
    return (x * y).sum(0), (x.sin() + y).exp()


def scalar_of_two(x, y):
    return (x.exp() * y.pow(2)).sum() + (x * y).sum() ** 2


def matrix_function(a):
    return ember_or_torch(a).linalg.inv(a @ a.mT + 3 * ember_or_torch(a).eye(a.shape[-1], dtype=a.dtype)).sum()


def ember_or_torch(t):
    return ember if isinstance(t, ember.Tensor) else __import__('torch')


FUNCTIONS_ONE = [exp_reducer, cube_sum, lambda x: x.tanh(), lambda x: x @ x.mT, lambda x: x.max()]


@pytest.mark.parametrize('fn', FUNCTIONS_ONE)
@pytest.mark.parametrize('create_graph', [False, True])
def test_jacobian_one_input(fn, create_graph):
    same(lambda m: m.autograd.functional.jacobian(fn, m.tensor(data(3, 4)), create_graph=create_graph))


@pytest.mark.parametrize('vectorize', [False, True])
def test_jacobian_tuples(vectorize):
    same(lambda m: m.autograd.functional.jacobian(two_outputs, (m.tensor(data(2, 3)), m.tensor(data(2, 3, seed=1))),
                                                  vectorize=vectorize))
    same(lambda m: m.autograd.functional.jacobian(pow_adder, (m.tensor(data(3)), m.tensor(data(3, seed=1)))))


def test_jacobian_unused_input_is_zero_and_strict_raises():
    same(lambda m: m.autograd.functional.jacobian(lambda x, y: x * 2, (m.tensor(data(2)), m.tensor(data(3)))))
    raises_same(lambda m: m.autograd.functional.jacobian(lambda x, y: x * 2, (m.tensor(data(2)), m.tensor(data(3))),
                                                         strict=True))


def test_jacobian_of_linalg():
    same(lambda m: m.autograd.functional.jacobian(lambda a: m.linalg.det(a), m.tensor(data(3, 3, dtype=np.float64))))
    same(lambda m: m.autograd.functional.jacobian(matrix_function, m.tensor(data(2, 2, dtype=np.float64))))


@pytest.mark.parametrize('create_graph', [False, True])
def test_hessian(create_graph):
    same(lambda m: m.autograd.functional.hessian(cube_sum, m.tensor(data(2, 2)), create_graph=create_graph))
    same(lambda m: m.autograd.functional.hessian(scalar_of_two, (m.tensor(data(3)), m.tensor(data(3, seed=1)))),
         atol=1e-4)


def test_hessian_through_linalg():
    same(lambda m: m.autograd.functional.hessian(matrix_function, m.tensor(data(2, 2, dtype=np.float64))),
         atol=1e-8)
    same(lambda m: m.autograd.functional.hessian(lambda a: m.linalg.slogdet(a + 4 * m.eye(3, dtype=a.dtype))[1],
                                                 m.tensor(data(3, 3, dtype=np.float64))), atol=1e-8)


def test_hessian_rejects_non_scalar():
    raises_same(lambda m: m.autograd.functional.hessian(lambda x: x * 2, m.tensor(data(3))))


def test_vjp():
    same(lambda m: m.autograd.functional.vjp(exp_reducer, m.tensor(data(4, 4)), m.ones(4)))
    same(lambda m: m.autograd.functional.vjp(cube_sum, m.tensor(data(2, 3))))
    same(lambda m: m.autograd.functional.vjp(two_outputs, (m.tensor(data(2, 3)), m.tensor(data(2, 3, seed=1))),
                                             (m.tensor(data(3, seed=2)), m.tensor(data(2, 3, seed=3)))))
    same(lambda m: [t.requires_grad for t in m.autograd.functional.vjp(
        exp_reducer, m.tensor(data(4, 4)), m.ones(4), create_graph=True)])


def test_vjp_checks_v():
    raises_same(lambda m: m.autograd.functional.vjp(exp_reducer, m.tensor(data(4, 4))))
    raises_same(lambda m: m.autograd.functional.vjp(exp_reducer, m.tensor(data(4, 4)), m.ones(3)))
    raises_same(lambda m: m.autograd.functional.vjp(exp_reducer, [m.tensor(data(4, 4))], m.ones(4)))


@pytest.mark.parametrize('create_graph', [False, True])
def test_jvp(create_graph):
    same(lambda m: m.autograd.functional.jvp(exp_reducer, m.tensor(data(4, 4)), m.tensor(data(4, 4, seed=1)),
                                             create_graph=create_graph))
    same(lambda m: m.autograd.functional.jvp(pow_adder, (m.tensor(data(2)), m.tensor(data(2, seed=1))),
                                             (m.ones(2), m.tensor(data(2, seed=2)))))
    same(lambda m: m.autograd.functional.jvp(lambda x: x.exp(), m.tensor(data(1)).reshape(())))


def test_hvp_and_vhp():
    for name in ('hvp', 'vhp'):
        same(lambda m: getattr(m.autograd.functional, name)(cube_sum, m.tensor(data(2, 2)), m.ones(2, 2)))
        same(lambda m: getattr(m.autograd.functional, name)(
            scalar_of_two, (m.tensor(data(3)), m.tensor(data(3, seed=1))),
            (m.tensor(data(3, seed=2)), m.tensor(data(3, seed=3)))), atol=1e-4)
        raises_same(lambda m: getattr(m.autograd.functional, name)(lambda x: x * 2, m.tensor(data(3)), m.ones(3)))


def test_strict_linear_function():
    # a linear function's jacobian is constant: strict mode refuses to build its hessian
    raises_same(lambda m: m.autograd.functional.hessian(lambda x: (2 * x).sum(), m.tensor(data(3)), strict=True))
    raises_same(lambda m: m.autograd.functional.vjp(lambda x: m.ones(2), m.tensor(data(2)), m.ones(2), strict=True))


def test_inputs_must_be_tensors():
    raises_same(lambda m: m.autograd.functional.jacobian(cube_sum, [1.0, 2.0]))


# ---- ember.linalg behaviour the op table can't express -----------------------------------------------------
def test_linalg_error_is_a_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError, match='singular'):
        ember.linalg.inv(ember.zeros(2, 2))
    with pytest.raises(RuntimeError, match='order 2 is not positive-definite'):
        ember.linalg.cholesky(ember.tensor([[1., 2.], [2., 1.]]))


def test_node_names():
    def names(m):
        a = leaf(m, data(3, 3) + 4 * np.eye(3, dtype=np.float32))
        spd = a @ a.mT
        b = leaf(m, data(3, 2, seed=1))
        outs = [m.linalg.inv(a), m.linalg.solve(a, b), m.linalg.det(a), m.linalg.slogdet(a)[1], m.linalg.svd(a).U,
                m.linalg.eigh(spd).eigenvalues, m.linalg.qr(a).Q, m.linalg.cholesky(spd), m.cholesky(spd),
                m.linalg.pinv(a), m.linalg.lstsq(a, b).solution, m.linalg.cross(a, a), m.cdist(a, b.mT),
                m.linalg.vector_norm(a), m.linalg.svdvals(a)]
        return [type(t.grad_fn).__name__ for t in outs]
    same(names)


def test_return_types():
    def fields(m):
        a = m.tensor(data(3, 3) + 4 * np.eye(3, dtype=np.float32))
        results = [m.linalg.svd(a), m.linalg.eigh(a), m.linalg.qr(a), m.linalg.slogdet(a), m.linalg.inv_ex(a),
                   m.linalg.cholesky_ex(a @ a.mT), m.linalg.lstsq(a, a), m.svd(a), m.qr(a), m.slogdet(a),
                   m.linalg.solve_ex(a, a)]
        return [(type(r).__name__, r._fields if hasattr(r, '_fields') else None) for r in results]
    ours, theirs = fields(ember), fields(__import__('torch'))
    assert [name for name, _ in ours] == [name for name, _ in theirs]


def test_det_gradient_of_singular_matrix_is_the_cofactor_matrix():
    a = ember.tensor([[1., 2., 3.], [2., 4., 6.], [0., 1., 1.]], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(ember.linalg.det, (a,))
    ember.linalg.det(a).backward()
    cofactor_row0 = [4 * 1 - 6 * 1, -(2 * 1 - 6 * 0), 2 * 1 - 4 * 0]
    np.testing.assert_allclose(a.grad.numpy()[0], cofactor_row0, atol=1e-10)


@pytest.mark.parametrize('op', ['inv', 'det', 'svdvals', 'eigvalsh', 'cholesky', 'qr', 'einsum'])
def test_second_order_gradients(op):
    def fn(a):
        spd = a @ a.mT + 3 * ember.eye(3, dtype=a.dtype)
        if op == 'inv':
            return ember.linalg.inv(spd)
        if op == 'det':
            return ember.linalg.det(spd)
        if op == 'svdvals':
            return ember.linalg.svdvals(a)
        if op == 'eigvalsh':
            return ember.linalg.eigvalsh(spd)
        if op == 'cholesky':
            return ember.linalg.cholesky(spd)
        if op == 'qr':
            return ember.linalg.qr(a + 3 * ember.eye(3, dtype=a.dtype))
        return ember.einsum('ij,jk,ki->i', a, a, a)
    a = ember.tensor(data(3, 3, dtype=np.float64), requires_grad=True)
    assert ember.autograd.gradgradcheck(fn, (a,), atol=1e-5, rtol=1e-3)
