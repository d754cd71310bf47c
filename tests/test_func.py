"""ember.func against torch.func: the same functions of the same inputs give the same values,
shapes, dtypes and errors (grad, vjp, jvp, jacrev, jacfwd, hessian, linearize, vmap,
functional_call, stack_module_state)."""
import numpy as np
import pytest
import torch

import ember


def data(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, shape).astype(np.float32)


def plain(x):
    """Nested tensors as nested numpy arrays (with dtype names) for comparison."""
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return (str(x.dtype).split('.')[-1], tuple(x.shape), x.detach().numpy().copy())
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x


def assert_close(ours, theirs, atol=1e-5, where='result'):
    if isinstance(theirs, tuple) and len(theirs) == 3 and isinstance(theirs[2], np.ndarray):
        assert ours[:2] == theirs[:2], f"{where}: {ours[:2]} != torch's {theirs[:2]}"
        np.testing.assert_allclose(ours[2], theirs[2], atol=atol, rtol=1e-5, err_msg=where)
    elif isinstance(theirs, tuple):
        assert ours[0] == theirs[0] and len(ours[1]) == len(theirs[1]), f"{where}: {ours} != torch's {theirs}"
        for i, (o, t) in enumerate(zip(ours[1], theirs[1])):
            assert_close(o, t, atol, f"{where}[{i}]")
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for k in theirs:
            assert_close(ours[k], theirs[k], atol, f"{where}[{k!r}]")
    else:
        assert ours == theirs, where


def same(fn, atol=1e-5):
    assert_close(plain(fn(ember)), plain(fn(torch)), atol)


def raises_same(fn, message=True):
    """Both raise the same exception type; with `message`, the same message (torch. -> ember.)."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert ours.type is theirs.type, f"ember: {ours.type.__name__}: {ours.value}; torch: {theirs.type.__name__}"
    if message:
        assert str(ours.value) == str(theirs.value).replace('torch.', 'ember.')


X, Y, M = data(3), data(2, seed=1), data(2, 3, seed=2)


# ---- grad / grad_and_value -----------------------------------------------------------------------------
GRAD_CASES = {
    'sin-sum': lambda m: m.func.grad(lambda x: m.sin(x).sum())(m.tensor(X)),
    'argnums-tuple': lambda m: m.func.grad(lambda x, y: (x.outer(y) ** 2).sum(), argnums=(0, 1))(
        m.tensor(X), m.tensor(Y)),
    'argnums-negative': lambda m: m.func.grad(lambda x, y: (x.outer(y) ** 2).sum(), argnums=-1)(
        m.tensor(X), m.tensor(Y)),
    'dict-arg': lambda m: m.func.grad(lambda d: (d['a'] * d['b'].exp()).sum())(
        {'a': m.tensor(X), 'b': m.tensor(X[::-1].copy())}),
    'has_aux': lambda m: m.func.grad(lambda x: ((x ** 3).sum(), {'double': x * 2}), has_aux=True)(m.tensor(X)),
    'grad_and_value': lambda m: m.func.grad_and_value(lambda x: (x.tanh() ** 2).sum())(m.tensor(X)),
    'unused-input': lambda m: m.func.grad(lambda x, y: (y * 2).sum())(m.tensor(X), m.tensor(Y)),
    'constant-output': lambda m: m.func.grad(lambda x: m.tensor(1.0))(m.tensor(X)),
    'second-order': lambda m: m.func.grad(m.func.grad(lambda x: x.sin().sum() * x.sum()))(m.tensor(1.3)),
    'kwargs-not-differentiated': lambda m: m.func.grad(lambda x, *, s: (x * s).sum())(m.tensor(X), s=m.tensor(Y[0])),
    'float64': lambda m: m.func.grad(lambda x: (x ** 2).sum())(m.tensor(X, dtype=m.float64)),
}


@pytest.mark.parametrize('case', GRAD_CASES)
def test_grad_matches_torch(case):
    same(GRAD_CASES[case])


def test_grad_keeps_outer_graph_like_torch():
    for m in (ember, torch):
        x = m.tensor(X, requires_grad=True)
        g = m.func.grad(lambda x: (x ** 3).sum())(x)
        assert g.requires_grad
        (gx,) = m.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(gx.numpy(), 6 * X, rtol=1e-5)
        # without an input that requires grad, the result is a plain tensor
        assert not m.func.grad(lambda x: (x ** 3).sum())(m.tensor(X)).requires_grad


GRAD_ERRORS = {
    'not-scalar': lambda m: m.func.grad(lambda x: x)(m.tensor(X)),
    'argnum-range': lambda m: m.func.grad(lambda x: x.sum(), argnums=2)(m.tensor(X)),
    'argnums-repeat': lambda m: m.func.grad(lambda x: x.sum(), argnums=(0, 0))(m.tensor(X)),
    'argnums-type': lambda m: m.func.grad(lambda x: x.sum(), argnums=1.0)(m.tensor(X)),
    'aux-not-pair': lambda m: m.func.grad(lambda x: x.sum(), has_aux=True)(m.tensor(X)),
    'aux-not-tensor': lambda m: m.func.grad(lambda x: (x.sum(), 1), has_aux=True)(m.tensor(X)),
    'output-not-tensor': lambda m: m.func.grad(lambda x: 1.0)(m.tensor(X)),
    'input-not-tensor': lambda m: m.func.grad(lambda x: x)(1.0),
}


@pytest.mark.parametrize('case', GRAD_ERRORS)
def test_grad_errors_match_torch(case):
    raises_same(GRAD_ERRORS[case])


def test_grad_integer_input_is_an_error():
    raises_same(lambda m: m.func.grad(lambda x: x.sum())(m.arange(3)), message=False)


# ---- vjp / jvp / linearize ------------------------------------------------------------------------------
def _vjp_pair(m):
    out, vjp_fn = m.func.vjp(lambda x, y: (x.outer(y).sin(), x.exp()), m.tensor(X), m.tensor(Y))
    cotangents = (m.tensor(data(3, 2, seed=4)), m.tensor(data(3, seed=5)))
    return out, vjp_fn(cotangents), vjp_fn(cotangents)  # vjp_fn can be called again


def _vjp_aux(m):
    out, vjp_fn, aux = m.func.vjp(lambda x: (x ** 2, x.sum()), m.tensor(X), has_aux=True)
    return out, vjp_fn(m.ones(3)), aux


FORWARD_CASES = {
    'vjp': _vjp_pair,
    'vjp-aux': _vjp_aux,
    'jvp': lambda m: m.func.jvp(lambda x, y: (x.outer(y).sin(), (x * 2).sum()), (m.tensor(X), m.tensor(Y)),
                                (m.tensor(data(3, seed=6)), m.tensor(data(2, seed=7)))),
    'jvp-aux': lambda m: m.func.jvp(lambda x: (x.cos(), x * 3), (m.tensor(X),), (m.ones(3),), has_aux=True),
    'jvp-constant-output': lambda m: m.func.jvp(lambda x: m.zeros(2), (m.tensor(X),), (m.ones(3),)),
    'linearize': lambda m: (lambda out, fn: (out, fn(m.tensor(Y)), fn(m.ones(2))))(
        *m.func.linearize(lambda x: x.tanh().cumsum(0), m.tensor(Y))),
}


@pytest.mark.parametrize('case', FORWARD_CASES)
def test_vjp_jvp_linearize_match_torch(case):
    same(FORWARD_CASES[case])


VJP_JVP_ERRORS = {
    'vjp-cotangent-shape': lambda m: m.func.vjp(m.sin, m.tensor(X))[1](m.ones(2)),
    'vjp-cotangent-structure': lambda m: m.func.vjp(lambda x: (x, x * 2), m.tensor(X))[1]((m.ones(3),)),
    'vjp-output-not-tensor': lambda m: m.func.vjp(lambda x: 1.0, m.tensor(X)),
    'vjp-aux-not-pair': lambda m: m.func.vjp(lambda x: x, m.tensor(X), has_aux=True),
    'jvp-primals-not-tuple': lambda m: m.func.jvp(m.sin, m.tensor(X), m.tensor(X)),
    'jvp-structure': lambda m: m.func.jvp(m.sin, (m.tensor(X),), m.tensor(X)),
    'jvp-tangent-size': lambda m: m.func.jvp(m.sin, (m.tensor(X),), (m.tensor(Y),)),
    'jvp-no-primals': lambda m: m.func.jvp(m.sin, (), ()),
    'jvp-integer': lambda m: m.func.jvp(lambda x: x, (m.arange(3),), (m.arange(3),)),
    'linearize-tangent-shape': lambda m: m.func.linearize(m.sin, m.tensor(X))[1](m.tensor(Y)),
}


@pytest.mark.parametrize('case', VJP_JVP_ERRORS)
def test_vjp_jvp_errors_match_torch(case):
    raises_same(VJP_JVP_ERRORS[case])


# ---- jacobians ----------------------------------------------------------------------------------------------
def _jac_fn(m):
    return lambda x, y: (x.outer(y).sin(), (x ** 2).sum())


JAC_CASES = {
    'jacrev': lambda m: m.func.jacrev(m.sin)(m.tensor(M)),
    'jacfwd': lambda m: m.func.jacfwd(m.sin)(m.tensor(M)),
    'jacrev-argnums': lambda m: m.func.jacrev(_jac_fn(m), argnums=(0, 1))(m.tensor(X), m.tensor(Y)),
    'jacfwd-argnums': lambda m: m.func.jacfwd(_jac_fn(m), argnums=(0, 1))(m.tensor(X), m.tensor(Y)),
    'jacrev-dict-output': lambda m: m.func.jacrev(lambda x: {'a': x.exp(), 'b': x.sum()})(m.tensor(X)),
    'jacrev-aux': lambda m: m.func.jacrev(lambda x: (x.exp(), x.sum()), has_aux=True)(m.tensor(X)),
    'jacfwd-aux': lambda m: m.func.jacfwd(lambda x: (x.exp(), x.sum()), has_aux=True)(m.tensor(X)),
    'hessian': lambda m: m.func.hessian(lambda x: (x.sin() * x.sum()).sum())(m.tensor(X)),
    'hessian-matrix-input': lambda m: m.func.hessian(lambda w: (w @ m.tensor(X)).tanh().sum())(m.tensor(M)),
    'hessian-argnums': lambda m: m.func.hessian(lambda x, y: (x.outer(y) ** 3).sum(), argnums=1)(
        m.tensor(X), m.tensor(Y)),
    'jacrev-of-jacrev': lambda m: m.func.jacrev(m.func.jacrev(lambda x: x.exp() * x.sum()))(m.tensor(Y)),
}


@pytest.mark.parametrize('case', JAC_CASES)
def test_jacobians_match_torch(case):
    same(JAC_CASES[case], atol=1e-4)


def test_jacobian_errors_match_torch():
    raises_same(lambda m: m.func.jacrev(lambda x: 1.0)(m.tensor(X)))
    raises_same(lambda m: m.func.jacrev(lambda x: x, has_aux=True)(m.tensor(X)))
    raises_same(lambda m: m.func.jacfwd(lambda x: x)(m.arange(3)))
    # jacfwd maps its products with vmap(randomness='error'): a random op inside is refused
    raises_same(lambda m: m.func.jacfwd(lambda x: x * m.rand(3))(m.tensor(X)))


# ---- vmap ---------------------------------------------------------------------------------------------------
VMAP_CASES = {
    'dot': lambda m: m.vmap(m.dot)(m.tensor(M), m.tensor(data(2, 3, seed=3))),
    'in_dims': lambda m: m.vmap(m.mv, in_dims=(None, 1))(m.tensor(M), m.tensor(data(3, 4, seed=3))),
    'negative-in_dim': lambda m: m.vmap(lambda x: x.sum(), in_dims=-1)(m.tensor(M)),
    'out_dims': lambda m: m.vmap(lambda x: (x * 2, x.sum()), out_dims=(1, 0))(m.tensor(M)),
    'out_dims-None': lambda m: m.vmap(lambda x: (x * 2, m.ones(2)), out_dims=(0, None))(m.tensor(M)),
    'nested': lambda m: m.vmap(m.vmap(m.dot))(m.tensor(data(2, 3, 4)), m.tensor(data(2, 3, 4, seed=1))),
    'nested-in_dims': lambda m: m.vmap(m.vmap(m.mul, in_dims=(0, None)), in_dims=(None, 0))(
        m.tensor(X), m.tensor(Y)),
    'dict-in_dims': lambda m: m.vmap(lambda d: d['a'] + d['b'], in_dims=({'a': 0, 'b': None},))(
        {'a': m.tensor(M), 'b': m.tensor(X)}),
    'non-tensor-arg': lambda m: m.vmap(lambda x, s: x * s, in_dims=(0, None))(m.tensor(M), 3.0),
    'kwargs': lambda m: m.vmap(lambda x, *, w: x @ w)(m.tensor(M), w=m.tensor(X)),
    'dict-output': lambda m: m.vmap(lambda x: {'a': x, 'b': [x.exp(), x.sum()]})(m.tensor(M)),
    'constant-output': lambda m: m.vmap(lambda x: m.ones(2))(m.tensor(M)),
    'empty-batch': lambda m: m.vmap(lambda x: x.sum(0) * 2)(m.zeros(0, 3, 4)),
    'per-sample-grad': lambda m: m.vmap(m.func.grad(lambda w, x: (w * x).sin().sum()), in_dims=(None, 0))(
        m.tensor(X), m.tensor(data(4, 3, seed=8))),
    'grad-of-vmap': lambda m: m.func.grad(lambda x: m.vmap(lambda r: (r ** 3).sum())(x).sum())(m.tensor(M)),
    'jacrev-of-vmap': lambda m: m.vmap(m.func.jacrev(m.sin))(m.tensor(M)),
}


@pytest.mark.parametrize('case', VMAP_CASES)
def test_vmap_matches_torch(case):
    same(VMAP_CASES[case])


VMAP_ERRORS = {
    'mismatched-sizes': lambda m: m.vmap(m.add)(m.tensor(M), m.ones(3, 3)),
    'in_dim-range': lambda m: m.vmap(m.add, in_dims=(0, 2))(m.tensor(M), m.ones(3, 3)),
    'in_dims-structure': lambda m: m.vmap(m.add, in_dims=(0, None, 1))(m.tensor(M), m.tensor(M)),
    'in_dims-list': lambda m: m.vmap(m.add, in_dims=[0, 0])(m.tensor(M), m.tensor(M)),
    'in_dims-float': lambda m: m.vmap(lambda x: x, in_dims=1.0)(m.tensor(M)),
    'nothing-mapped': lambda m: m.vmap(m.add, in_dims=(None, None))(m.tensor(M), m.tensor(M)),
    'no-inputs': lambda m: m.vmap(lambda: m.ones(2))(),
    'non-tensor-mapped': lambda m: m.vmap(lambda x: x)(1.0),
    'scalar-mapped': lambda m: m.vmap(lambda x: x)(m.tensor(1.0)),
    'returns-int': lambda m: m.vmap(lambda x: 1)(m.tensor(M)),
    'returns-None': lambda m: m.vmap(lambda x: (x, None))(m.tensor(M)),
    'out_dims-structure': lambda m: m.vmap(lambda x: x, out_dims=(1, 0))(m.tensor(M)),
    'out_dims-None-batched': lambda m: m.vmap(lambda x: x * 2, out_dims=None)(m.tensor(M)),
    'out_dim-range': lambda m: m.vmap(lambda x: x, out_dims=3)(m.tensor(M)),
    'randomness-error': lambda m: m.vmap(lambda x: x + m.rand(3))(m.tensor(M)),
    'randomness-error-dropout': lambda m: m.vmap(lambda x: m.nn.functional.dropout(x, 0.5))(m.tensor(M)),
    'randomness-bad-flag': lambda m: m.vmap(lambda x: x, randomness='foo')(m.tensor(M)),
    'chunk_size': lambda m: m.vmap(lambda x: x, chunk_size=0)(m.tensor(M)),
}


@pytest.mark.parametrize('case', VMAP_ERRORS)
def test_vmap_errors_match_torch(case):
    raises_same(VMAP_ERRORS[case])


def test_vmap_randomness_same_and_different():
    for m in (ember, torch):
        m.manual_seed(0)
        same_rows = m.vmap(lambda x: x * 0 + m.rand(4), randomness='same')(m.zeros(3, 4))
        assert same_rows.shape == (3, 4) and bool((same_rows == same_rows[0]).all())
        different_rows = m.vmap(lambda x: x * 0 + m.rand(4), randomness='different')(m.zeros(3, 4))
        assert not bool((different_rows == different_rows[0]).all())
    # the refusal does not leak out of vmap
    with pytest.raises(RuntimeError):
        ember.vmap(lambda x: ember.randn(2))(ember.zeros(2))
    assert ember.randn(2).shape == (2,)


def test_vmap_gradient_flows_to_inputs():
    def fn(m):
        x = m.tensor(M, requires_grad=True)
        m.vmap(lambda r: (r.exp() * r).sum(), in_dims=1)(x).sum().backward()
        return x.grad
    same(fn)


# ---- functional_call / stack_module_state -----------------------------------------------------------------
def _linear(m):
    layer = m.nn.Linear(3, 2)
    with m.no_grad():
        layer.weight.copy_(m.tensor(M))
        layer.bias.copy_(m.tensor(Y))
    return layer


def _functional_call_cases(m):
    layer = _linear(m)
    x = m.tensor(data(4, 3, seed=9))
    w = m.tensor(data(2, 3, seed=10))
    out = m.func.functional_call(layer, {'weight': w}, (x,))
    out_kwargs = m.func.functional_call(layer, ({'weight': w}, {'bias': m.zeros(2)}), args=(), kwargs={'input': x})
    single_arg = m.func.functional_call(layer, {'weight': w}, x)
    return out, out_kwargs, single_arg, layer.weight  # the layer's own weight is back


def _grad_through_functional_call(m):
    layer = _linear(m)
    x = m.tensor(data(4, 3, seed=9))
    params = {k: v.detach() for k, v in layer.named_parameters()}
    return m.func.grad(lambda p: m.func.functional_call(layer, p, (x,)).pow(2).sum())(params)


def _per_sample_grads(m):
    layer = _linear(m)
    params = {k: v.detach() for k, v in layer.named_parameters()}

    def loss(p, x, t):
        return (m.func.functional_call(layer, p, (x,)) - t).pow(2).sum()
    return m.vmap(m.func.grad(loss), in_dims=(None, 0, 0))(params, m.tensor(data(5, 3, seed=11)),
                                                          m.tensor(data(5, 2, seed=12)))


def _tied(m):
    outer = m.nn.Sequential(m.nn.Linear(3, 3, bias=False), m.nn.Linear(3, 3, bias=False))
    outer[1].weight = outer[0].weight
    with m.no_grad():
        outer[0].weight.copy_(m.tensor(data(3, 3, seed=15)))
    new = m.tensor(data(3, 3, seed=13))
    x = m.tensor(X)
    tied = m.func.functional_call(outer, {'0.weight': new}, (x,))
    untied = m.func.functional_call(outer, {'0.weight': new}, (x,), tie_weights=False)
    return tied, untied


def _ensemble(m):
    m.manual_seed(0)
    models = [m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4)) for _ in range(3)]
    params, buffers = m.func.stack_module_state(models)
    shapes = {k: (tuple(v.shape), v.requires_grad, v.is_leaf) for k, v in {**params, **buffers}.items()}
    x = m.tensor(data(5, 3, seed=14))
    models[0].eval()
    out = m.vmap(lambda p, b, x: m.func.functional_call(models[0], (p, b), (x,)), in_dims=(0, 0, None))(
        params, buffers, x)
    return list(params), list(buffers), shapes, out.shape


@pytest.mark.parametrize('fn', [_functional_call_cases, _grad_through_functional_call, _per_sample_grads, _tied])
def test_functional_call_matches_torch(fn):
    same(fn)


def test_stack_module_state_matches_torch():
    ours, theirs = _ensemble(ember), _ensemble(torch)
    assert ours[:3] == theirs[:3] and tuple(ours[3]) == tuple(theirs[3])


FUNCTIONAL_CALL_ERRORS = {
    'repeated-key': lambda m: m.func.functional_call(_linear(m), ({'bias': m.ones(2)}, {'bias': m.ones(2)}),
                                                     (m.ones(3),)),
    'not-a-dict': lambda m: m.func.functional_call(_linear(m), 3, (m.ones(3),)),
    'strict': lambda m: m.func.functional_call(_linear(m), {'weight': m.ones(2, 3), 'scale': m.ones(1)},
                                               (m.ones(3),), strict=True),
    'tied-different-values': lambda m: m.func.functional_call(
        (lambda s: (setattr(s[1], 'weight', s[0].weight), s)[1])(
            m.nn.Sequential(m.nn.Linear(2, 2, bias=False), m.nn.Linear(2, 2, bias=False))),
        {'0.weight': m.ones(2, 2), '1.weight': m.zeros(2, 2)}, (m.ones(2),)),
    'stack-empty': lambda m: m.func.stack_module_state([]),
    'stack-modes': lambda m: m.func.stack_module_state([m.nn.Linear(2, 2), m.nn.Linear(2, 2).eval()]),
    'stack-classes': lambda m: m.func.stack_module_state([m.nn.Linear(2, 2), m.nn.Bilinear(2, 2, 2)]),
}


@pytest.mark.parametrize('case', FUNCTIONAL_CALL_ERRORS)
def test_functional_call_errors_match_torch(case):
    raises_same(FUNCTIONAL_CALL_ERRORS[case])


def test_stateless_functional_call_is_deprecated_alias():
    for m in (ember, torch):
        layer = _linear(m)
        with pytest.warns(FutureWarning):
            out = m.nn.utils.stateless.functional_call(layer, {'bias': m.zeros(2)}, (m.tensor(X),))
        np.testing.assert_allclose(out.detach().numpy(), M @ X, rtol=1e-5)


# ---- results keep the caller's graph ------------------------------------------------------------------------
def tensors_in(tree):
    if isinstance(tree, (ember.Tensor, torch.Tensor)):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [t for v in tree for t in tensors_in(v)]
    if isinstance(tree, dict):
        return [t for v in tree.values() for t in tensors_in(v)]
    return []


# each case closes over (or is passed) `w`, which requires grad; as in PyTorch, a result requires
# grad exactly when it depends on `w`, and backward through it reaches `w`
OUTER_GRAPH_CASES = {
    'grad-closure': lambda m, w: m.func.grad(lambda x: w[0] * x ** 2)(m.tensor(3.0)),
    'grad_and_value-only-value-depends': lambda m, w: m.func.grad_and_value(lambda x: x.sum() + w[0])(m.tensor(X)),
    'grad-independent-of-w': lambda m, w: m.func.grad(lambda x: (x.sin() * w.detach()[0]).sum())(m.tensor(X)),
    'grad-argnums-1': lambda m, w: m.func.grad(lambda p, x: (p['w'] * x ** 3).sum(), argnums=1)(
        {'w': w}, m.tensor(X)),
    'grad-has_aux': lambda m, w: m.func.grad(lambda x: ((x * w).sin().sum(), (w * 2, x * 2)), has_aux=True)(
        m.tensor(X)),
    'grad-of-grad': lambda m, w: m.func.grad(m.func.grad(lambda x: (w * x.sin()).sum()))(m.tensor(1.3)),
    'vmap-of-grad': lambda m, w: m.vmap(m.func.grad(lambda x: (w * x.sin()).sum()))(m.tensor(M)),
    'jacrev-closure': lambda m, w: m.func.jacrev(lambda x: w * x.sin())(m.tensor(X)),
    'jacrev-of-jacrev': lambda m, w: m.func.jacrev(m.func.jacrev(lambda x: w * x.sin()))(m.tensor(X)),
    'vmap-of-jacrev': lambda m, w: m.vmap(m.func.jacrev(lambda x: (w * x).tanh()))(m.tensor(M)),
    'jacfwd-closure': lambda m, w: m.func.jacfwd(lambda x: w * x.sin())(m.tensor(X)),
    'hessian-closure': lambda m, w: m.func.hessian(lambda x: (w * x.sin()).sum())(m.tensor(X)),
    'hessian-independent-of-w': lambda m, w: m.func.hessian(lambda x: (x ** 3).sum() + w.sum())(m.tensor(X)),
    'vjp': lambda m, w: (lambda out, fn: (out, fn(m.ones(3))))(*m.func.vjp(lambda x: w * x.sin(), m.tensor(X))),
    'jvp': lambda m, w: m.func.jvp(lambda x: w * x.sin(), (m.tensor(X),), (m.ones(3),)),
    'jvp-linear-product-independent': lambda m, w: m.func.jvp(lambda x: x * 2 + w, (m.tensor(X),), (m.ones(3),)),
    # (torch's linearize traces its jvp_fn with w as a constant, so only the output is compared)
    'linearize': lambda m, w: m.func.linearize(lambda x: w * x.sin(), m.tensor(X))[0],
    'input-requires-grad': lambda m, w: m.func.grad(lambda x: (x ** 3).sum())(w),
    'sum-of-input-requires-grad': lambda m, w: m.func.grad_and_value(lambda x: x.sum())(w),
}


@pytest.mark.parametrize('case', OUTER_GRAPH_CASES)
def test_results_keep_the_outer_graph_like_torch(case):
    def run(m):
        w = m.tensor([2.0, -1.0, 0.5], requires_grad=True)
        result = OUTER_GRAPH_CASES[case](m, w)
        flags = [t.requires_grad for t in tensors_in(result)]
        connected = [t.sum() for t in tensors_in(result) if t.requires_grad]
        w_grad = m.autograd.grad(sum(connected), w)[0] if connected else None
        return plain(result), flags, plain(w_grad)
    (ours, our_flags, our_grad), (theirs, their_flags, their_grad) = run(ember), run(torch)
    assert_close(ours, theirs, atol=1e-4)
    assert our_flags == their_flags
    assert_close(our_grad, their_grad, atol=1e-4, where='w.grad')


def test_results_under_no_grad_carry_no_graph():
    for m in (ember, torch):
        w = m.tensor(2.0, requires_grad=True)
        with m.no_grad():
            gradient, value = m.func.grad_and_value(lambda x: w * x ** 2)(m.tensor(3.0))
            jacobian = m.func.jacrev(lambda x: x ** 2)(w)
        assert not (gradient.requires_grad or value.requires_grad or jacobian.requires_grad)
        assert float(gradient) == 12.0


def test_backward_through_grad_reaches_the_parameter():
    for m in (ember, torch):
        w = m.tensor(2.0, requires_grad=True)
        g = m.func.grad(lambda x: w * x ** 2)(m.tensor(3.0))
        g.backward()
        assert float(w.grad) == 6.0


def _pinn_losses(m):
    """A physics-informed net fitting u'' = -u on [0, 1] with u(0) = 0, u'(0) = 1: the residual is
    taken through vmap(grad(grad(u))), so the parameters learn only if the transforms keep their
    graph."""
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    net = m.nn.Sequential(m.nn.Linear(1, 8), m.nn.Tanh(), m.nn.Linear(8, 1))
    with m.no_grad():
        for ours, theirs in zip(net.parameters(), reference.parameters()):
            ours.copy_(m.tensor(theirs.detach().numpy()))
    optimizer = m.optim.SGD(net.parameters(), lr=0.05)
    u = lambda t: net(t.reshape(1, 1)).reshape(())
    u_t = m.func.grad(u)
    u_tt = m.func.grad(u_t)
    points = m.linspace(0, 1, 5)
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        residual = m.vmap(u_tt)(points) + m.vmap(u)(points)
        start = m.zeros(())
        loss = (residual ** 2).mean() + u(start) ** 2 + (u_t(start) - 1) ** 2
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_pinn_training_through_transforms_matches_torch():
    ours, theirs = _pinn_losses(ember), _pinn_losses(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    assert theirs[2] < theirs[0]  # it learns


# ---- integer outputs and in-place changes inside vmap -------------------------------------------------------
INTEGER_OUTPUT_CASES = {
    'grad': lambda m: m.func.grad(lambda x: (x > 0).long().sum())(m.tensor(X)),
    'jvp': lambda m: m.func.jvp(lambda x: ((x > 0).long(), x * 2), (m.tensor(X),), (m.ones(3),)),
    'jacfwd': lambda m: m.func.jacfwd(lambda x: (x > 0).long())(m.tensor(X)),
}


@pytest.mark.parametrize('case', INTEGER_OUTPUT_CASES)
def test_integer_outputs_match_torch(case):
    same(INTEGER_OUTPUT_CASES[case])


INTEGER_OUTPUT_ERRORS = {
    'jacrev': lambda m: m.func.jacrev(lambda x: (x > 0).long())(m.tensor(X)),
    'jacrev-bool-in-tuple': lambda m: m.func.jacrev(lambda x: (x.sin(), x > 0))(m.tensor(X)),
    'vjp': lambda m: m.func.vjp(lambda x: (x > 0).int(), m.tensor(X)),
}


@pytest.mark.parametrize('case', INTEGER_OUTPUT_ERRORS)
def test_integer_output_errors_match_torch(case):
    raises_same(INTEGER_OUTPUT_ERRORS[case])


@pytest.mark.parametrize('op', ['add_', 'mul_', 'copy_'])
def test_vmap_inplace_into_unmapped_input_is_an_error(op):
    raises_same(lambda m: m.vmap(lambda x, y: getattr(x, op)(y), in_dims=(None, 0))(m.zeros(3), m.ones(2, 3)),
                message=False)
    with pytest.raises(RuntimeError, match=r"vmap: inplace arithmetic\(self, \*extra_args\) is not possible"):
        ember.vmap(lambda x, y: getattr(x, op)(y), in_dims=(None, 0))(ember.zeros(3), ember.ones(2, 3))
    # into a mapped input it is fine
    same(lambda m: m.vmap(lambda x, y: getattr(x, op)(y), in_dims=(0, None))(m.zeros(2, 3), m.tensor(X)))


def test_vmap_in_dims_none_is_an_error():
    raises_same(lambda m: m.vmap(m.sin, in_dims=None)(m.tensor(M)))
