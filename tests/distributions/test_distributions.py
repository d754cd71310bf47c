"""ember.distributions against torch.distributions: the same parameters give the same samples under
the same seed, and the same densities, moments, entropies, KL divergences, errors and reprs."""
import numpy as np
import pytest
import torch

import ember

E, T = ember.distributions, torch.distributions
needs_lgamma = pytest.mark.skipif(not hasattr(ember, 'lgamma') or not hasattr(ember, 'digamma'),
                                  reason="ember.lgamma / ember.digamma not available yet")


def _pair(values, dtype=np.float32, requires_grad=False):
    array = np.asarray(values, dtype=dtype)
    return (ember.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad))


def _close(ember_value, torch_value, rtol=1e-5, atol=1e-6):
    torch_value = torch_value.detach().numpy()
    ember_value = ember_value.detach().numpy()
    assert ember_value.shape == torch_value.shape and ember_value.dtype == torch_value.dtype
    np.testing.assert_allclose(ember_value, torch_value, rtol=rtol, atol=atol)


def _same_or_both_unimplemented(ember_method, ember_args, torch_method, torch_args):
    """Call both; the results match, or both raise NotImplementedError (Poisson has no entropy)."""
    try:
        expected = torch_method(*torch_args)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ember_method(*ember_args)
    else:
        _close(ember_method(*ember_args), expected)


# name, parameters (keyword -> values), a value to score (in the support), uses lgamma
CASES = [
    ('Normal', dict(loc=[0.0, 1.5, -2.0], scale=[1.0, 0.5, 3.0]), [0.3, 1.0, -7.0], False),
    ('Uniform', dict(low=[0.0, -1.0, 2.0], high=[1.0, 3.0, 2.5]), [0.5, 0.0, 2.1], False),
    ('Exponential', dict(rate=[0.5, 1.0, 4.0]), [0.1, 2.0, 0.3], False),
    ('Laplace', dict(loc=[0.0, 1.0, -1.0], scale=[1.0, 2.0, 0.5]), [0.5, -1.0, -1.2], False),
    ('Cauchy', dict(loc=[0.0, 1.0, -1.0], scale=[1.0, 2.0, 0.5]), [0.5, -1.0, 4.0], False),
    ('Bernoulli', dict(probs=[0.1, 0.5, 0.9]), [1.0, 0.0, 1.0], False),
    ('Bernoulli', dict(logits=[-2.0, 0.0, 3.0]), [1.0, 0.0, 0.0], False),
    ('Categorical', dict(probs=[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), [2, 0], False),
    ('Categorical', dict(logits=[[0.1, -1.0, 2.0], [0.0, 0.0, 0.0]]), [1, 2], False),
    ('OneHotCategorical', dict(probs=[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), [[0, 0, 1], [1, 0, 0]], False),
    ('Gamma', dict(concentration=[0.5, 2.0, 9.0], rate=[1.0, 0.5, 2.0]), [0.2, 3.0, 4.0], True),
    ('Poisson', dict(rate=[0.5, 4.0, 30.0]), [0.0, 3.0, 28.0], True),
    ('Dirichlet', dict(concentration=[[0.5, 1.0, 2.0], [3.0, 3.0, 0.2]]), [[0.2, 0.3, 0.5], [0.4, 0.5, 0.1]], True),
    ('Beta', dict(concentration1=[0.5, 2.0, 5.0], concentration0=[1.0, 3.0, 0.7]), [0.2, 0.5, 0.9], True),
]
_IDS = [f'{name}-{"-".join(params)}' for name, params, _, _ in CASES]


def _make(case, dtype=np.float32, requires_grad=False):
    name, params, _, _ = case
    pairs = {key: _pair(values, dtype, requires_grad) for key, values in params.items()}
    return (getattr(E, name)(**{key: pair[0] for key, pair in pairs.items()}),
            getattr(T, name)(**{key: pair[1] for key, pair in pairs.items()}), pairs)


@pytest.mark.parametrize('case', CASES, ids=_IDS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_seeded_samples_match(case, dtype):
    ember_dist, torch_dist, _ = _make(case, dtype)
    for sample_shape in [(), (4,), (2, 3)]:
        ember.manual_seed(7)
        torch.manual_seed(7)
        ember_sample, torch_sample = ember_dist.sample(sample_shape), torch_dist.sample(sample_shape)
        assert ember_sample.shape == torch_sample.shape
        assert ember_sample.dtype == getattr(ember, str(torch_sample.dtype).split('.')[1])
        if case[0] == 'Laplace':
            # the draws are the same; ember's log1p (NumPy's) and PyTorch's (SLEEF) differ by an ulp now and then
            np.testing.assert_allclose(ember_sample.numpy(), torch_sample.numpy(), rtol=3e-7 if dtype == np.float32
                                       else 1e-15)
        else:
            np.testing.assert_array_equal(ember_sample.numpy(), torch_sample.numpy())
        # the generators are still in step afterwards
        np.testing.assert_array_equal(ember.rand(3).numpy(), torch.rand(3).numpy())


@pytest.mark.parametrize('case', CASES, ids=_IDS)
def test_values_match(case):
    name, _, value, uses_lgamma = case
    if uses_lgamma and not (hasattr(ember, 'lgamma') and hasattr(ember, 'digamma')):
        pytest.skip("ember.lgamma / ember.digamma not available yet")
    ember_dist, torch_dist, _ = _make(case, np.float64)
    ember_value, torch_value = _pair(value, np.float64)
    assert ember_dist.batch_shape == torch_dist.batch_shape and ember_dist.event_shape == torch_dist.event_shape
    _close(ember_dist.log_prob(ember_value), torch_dist.log_prob(torch_value))
    for method, ember_args, torch_args in (('entropy', (), ()), ('cdf', (ember_value,), (torch_value,))):
        _same_or_both_unimplemented(getattr(ember_dist, method), ember_args, getattr(torch_dist, method), torch_args)
    for moment in ('mean', 'variance', 'stddev', 'mode'):
        _close(getattr(ember_dist, moment), getattr(torch_dist, moment))
    if name in ('Normal', 'Uniform', 'Exponential', 'Laplace', 'Cauchy'):
        _close(ember_dist.icdf(ember_dist.cdf(ember_value)), torch_dist.icdf(torch_dist.cdf(torch_value)))
    expanded_ember, expanded_torch = ember_dist.expand((2,) + tuple(ember_dist.batch_shape)), \
        torch_dist.expand((2,) + tuple(torch_dist.batch_shape))
    assert expanded_ember.batch_shape == expanded_torch.batch_shape
    _close(expanded_ember.log_prob(ember_value), expanded_torch.log_prob(torch_value))
    assert repr(ember_dist) == repr(torch_dist).replace('torch.', 'ember.')
    assert ember_dist.has_rsample == torch_dist.has_rsample
    assert repr(ember_dist.support) == repr(torch_dist.support).replace('torch.', 'ember.')


@pytest.mark.parametrize('name, params', [
    ('Normal', dict(loc=[0.0, 1.5], scale=[1.0, 0.5])), ('Uniform', dict(low=[0.0, -1.0], high=[1.0, 3.0])),
    ('Exponential', dict(rate=[0.5, 4.0])), ('Laplace', dict(loc=[0.0, 1.0], scale=[1.0, 2.0])),
    ('Cauchy', dict(loc=[0.0, 1.0], scale=[1.0, 2.0])), ('Gamma', dict(concentration=[0.5, 2.0, 9.0, 20.0],
                                                                         rate=[1.0, 0.5, 2.0, 1.0]))])
def test_rsample_gradients_match(name, params):
    pairs = {key: _pair(values, np.float64, requires_grad=True) for key, values in params.items()}
    ember_dist = getattr(E, name)(**{key: pair[0] for key, pair in pairs.items()})
    torch_dist = getattr(T, name)(**{key: pair[1] for key, pair in pairs.items()})
    ember.manual_seed(3)
    torch.manual_seed(3)
    ember_sample, torch_sample = ember_dist.rsample((5,)), torch_dist.rsample((5,))
    _close(ember_sample, torch_sample, rtol=1e-14, atol=0)  # equal but for Laplace's log1p (see above)
    (ember_sample ** 2).sum().backward()
    (torch_sample ** 2).sum().backward()
    for ember_param, torch_param in pairs.values():
        _close(ember_param.grad, torch_param.grad, rtol=1e-10, atol=1e-12)


def test_multivariate_normal():
    loc, torch_loc = _pair([1.0, -1.0, 0.5], np.float64, requires_grad=True)
    factor = np.array([[2.0, 0.0, 0.0], [0.5, 1.0, 0.0], [-0.3, 0.2, 0.7]])
    covariance = factor @ factor.T
    forms = dict(scale_tril=factor, covariance_matrix=covariance, precision_matrix=np.linalg.inv(covariance))
    value = np.array([[0.3, 0.1, -0.2], [1.0, 2.0, 3.0]])
    for form, matrix in forms.items():
        ember_dist = E.MultivariateNormal(loc, **{form: ember.tensor(matrix)})
        torch_dist = T.MultivariateNormal(torch_loc, **{form: torch.tensor(matrix)})
        _close(ember_dist.log_prob(ember.tensor(value)), torch_dist.log_prob(torch.tensor(value)), rtol=1e-10)
        _close(ember_dist.entropy(), torch_dist.entropy(), rtol=1e-10)
        for attribute in ('scale_tril', 'covariance_matrix', 'precision_matrix', 'variance'):
            _close(getattr(ember_dist, attribute), getattr(torch_dist, attribute), rtol=1e-10, atol=1e-12)
        ember.manual_seed(5)
        torch.manual_seed(5)
        ember_sample, torch_sample = ember_dist.rsample((4,)), torch_dist.rsample((4,))
        _close(ember_sample, torch_sample, rtol=1e-12, atol=1e-12)
        assert repr(ember_dist) == repr(torch_dist).replace('torch.', 'ember.')
    ember_sample.sum().backward()
    torch_sample.sum().backward()
    _close(loc.grad, torch_loc.grad)
    other = dict(loc=[0.0, 0.5, 0.0], scale_tril=[[1.0, 0, 0], [0.1, 2.0, 0], [0.0, 0.3, 0.5]])
    _close(E.kl_divergence(E.MultivariateNormal(loc, scale_tril=ember.tensor(factor)),
                           E.MultivariateNormal(**{k: ember.tensor(np.array(v)) for k, v in other.items()})),
           T.kl_divergence(T.MultivariateNormal(torch_loc, scale_tril=torch.tensor(factor)),
                           T.MultivariateNormal(**{k: torch.tensor(np.array(v)) for k, v in other.items()})), rtol=1e-10)
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix"):
        E.MultivariateNormal(loc)
    with pytest.raises(ValueError):
        E.MultivariateNormal(loc, covariance_matrix=ember.tensor(-covariance))


def test_independent():
    ember_loc, torch_loc = _pair([[0.0, 1.0], [2.0, 3.0]], np.float64)
    ember_dist = E.Independent(E.Normal(ember_loc, 1.0), 1)
    torch_dist = T.Independent(T.Normal(torch_loc, 1.0), 1)
    assert ember_dist.batch_shape == (2,) and ember_dist.event_shape == (2,)
    value = _pair([[0.5, 0.5], [1.0, 4.0]], np.float64)
    _close(ember_dist.log_prob(value[0]), torch_dist.log_prob(value[1]))
    _close(ember_dist.entropy(), torch_dist.entropy())
    assert repr(ember_dist) == repr(torch_dist).replace('torch.', 'ember.')
    assert repr(ember_dist.support) == repr(torch_dist.support)
    other = (E.Independent(E.Normal(ember_loc + 1, 2.0), 1), T.Independent(T.Normal(torch_loc + 1, 2.0), 1))
    _close(E.kl_divergence(ember_dist, other[0]), T.kl_divergence(torch_dist, other[1]))


KL_PAIRS = [
    ('Normal', dict(loc=[0.0, 1.0], scale=[1.0, 2.0]), dict(loc=[1.0, -1.0], scale=[0.5, 3.0]), False),
    ('Categorical', dict(probs=[[0.2, 0.8], [0.5, 0.5]]), dict(probs=[[0.6, 0.4], [0.1, 0.9]]), False),
    ('OneHotCategorical', dict(probs=[[0.2, 0.8], [0.5, 0.5]]), dict(probs=[[0.6, 0.4], [0.1, 0.9]]), False),
    ('Bernoulli', dict(probs=[0.2, 0.0, 0.7]), dict(probs=[0.5, 0.3, 1.0]), False),
    ('Uniform', dict(low=[0.0, 0.0], high=[1.0, 2.0]), dict(low=[-1.0, 0.5], high=[2.0, 3.0]), False),
    ('Exponential', dict(rate=[0.5, 2.0]), dict(rate=[1.0, 3.0]), False),
    ('Laplace', dict(loc=[0.0, 1.0], scale=[1.0, 2.0]), dict(loc=[1.0, -1.0], scale=[0.5, 3.0]), False),
    ('Cauchy', dict(loc=[0.0, 1.0], scale=[1.0, 2.0]), dict(loc=[1.0, -1.0], scale=[0.5, 3.0]), False),
    ('Gamma', dict(concentration=[0.5, 2.0], rate=[1.0, 3.0]), dict(concentration=[1.5, 2.5], rate=[2.0, 1.0]), True),
    ('Beta', dict(concentration1=[0.5, 2.0], concentration0=[1.0, 3.0]),
     dict(concentration1=[1.5, 2.5], concentration0=[2.0, 1.0]), True),
    ('Dirichlet', dict(concentration=[[0.5, 2.0, 1.0]]), dict(concentration=[[1.5, 2.5, 0.3]]), True),
    ('Poisson', dict(rate=[0.5, 2.0]), dict(rate=[1.0, 3.0]), False),
]


@pytest.mark.parametrize('name, p_params, q_params, uses_lgamma', KL_PAIRS, ids=[pair[0] for pair in KL_PAIRS])
def test_kl_divergence(name, p_params, q_params, uses_lgamma):
    if uses_lgamma and not (hasattr(ember, 'lgamma') and hasattr(ember, 'digamma')):
        pytest.skip("ember.lgamma / ember.digamma not available yet")
    made = []
    for params in (p_params, q_params):
        pairs = {key: _pair(values, np.float64) for key, values in params.items()}
        made.append((getattr(E, name)(**{k: v[0] for k, v in pairs.items()}),
                     getattr(T, name)(**{k: v[1] for k, v in pairs.items()})))
    _close(E.kl_divergence(made[0][0], made[1][0]), T.kl_divergence(made[0][1], made[1][1]), rtol=1e-10)


def test_kl_across_families_and_registry():
    p_ember, p_torch = E.Laplace(ember.tensor([0.0, 1.0]), 1.0), T.Laplace(torch.tensor([0.0, 1.0]), 1.0)
    q_ember, q_torch = E.Normal(ember.tensor([0.5, 0.0]), 2.0), T.Normal(torch.tensor([0.5, 0.0]), 2.0)
    _close(E.kl_divergence(p_ember, q_ember), T.kl_divergence(p_torch, q_torch))
    _close(E.kl_divergence(q_ember, E.Uniform(0.0, 1.0)), T.kl_divergence(q_torch, T.Uniform(0.0, 1.0)))
    with pytest.raises(NotImplementedError, match="No KL"):
        E.kl_divergence(E.Cauchy(0.0, 1.0), E.Normal(0.0, 1.0))

    class MyNormal(E.Normal):
        pass

    @E.register_kl(MyNormal, MyNormal)
    def _always_seven(p, q):
        return ember.tensor(7.0)

    assert E.kl_divergence(MyNormal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == 7.0
    assert E.kl_divergence(MyNormal(0.0, 1.0), E.Normal(0.0, 1.0)).item() == 0.0


def test_validation_errors():
    for build in (lambda lib: lib.distributions.Normal(lib.tensor([0.0]), lib.tensor([-1.0])),
                  lambda lib: lib.distributions.Bernoulli(probs=lib.tensor([1.5])),
                  lambda lib: lib.distributions.Categorical(probs=lib.tensor([0.5, -0.1])),
                  lambda lib: lib.distributions.Uniform(lib.tensor([1.0]), lib.tensor([0.0])),
                  lambda lib: lib.distributions.Categorical(probs=lib.tensor(0.5)),
                  lambda lib: lib.distributions.Categorical(lib.tensor([0.5, 0.5]), lib.tensor([0.0, 0.0]))):
        with pytest.raises(ValueError) as torch_error:
            build(torch)
        with pytest.raises(ValueError) as ember_error:
            build(ember)
        assert str(ember_error.value) == str(torch_error.value).replace('torch.', 'ember.')
    for lib in (torch, ember):
        normal = lib.distributions.Normal(lib.zeros(2), lib.ones(2))
        with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
            normal.log_prob(0.5)
        with pytest.raises(ValueError, match="Value is not broadcastable"):
            normal.log_prob(lib.zeros(3))
        with pytest.raises(ValueError, match="Expected value argument"):
            lib.distributions.Exponential(lib.ones(2)).log_prob(lib.tensor([-1.0, 1.0]))
        # validation off: no check, as PyTorch
        assert lib.distributions.Normal(lib.zeros(1), -lib.ones(1), validate_args=False).scale.item() == -1.0
    E.Distribution.set_default_validate_args(False)
    try:
        E.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))
    finally:
        E.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        E.Distribution.set_default_validate_args('yes')


def test_categorical_details():
    logits = _pair([[0.0, 1.0, -np.inf], [2.0, 2.0, 2.0]], np.float32, requires_grad=True)
    ember_dist, torch_dist = E.Categorical(logits=logits[0]), T.Categorical(logits=logits[1])
    _close(ember_dist.entropy(), torch_dist.entropy())
    _close(ember_dist.probs, torch_dist.probs)
    _close(ember_dist.enumerate_support(), torch_dist.enumerate_support())
    ember_dist.entropy().sum().backward()
    torch_dist.entropy().sum().backward()
    _close(logits[0].grad, logits[1].grad)
    assert ember_dist.sample().shape == torch_dist.sample().shape == (2,)


def test_constraints():
    C, TC = E.constraints, T.constraints
    values = [[-1.0, 0.0, 0.5, 1.0, 2.0, float('nan')]]
    ember_value, torch_value = _pair(values)
    for name in ('real', 'positive', 'nonnegative', 'unit_interval', 'boolean', 'nonnegative_integer',
                 'positive_integer'):
        assert repr(getattr(C, name)) == repr(getattr(TC, name))
        np.testing.assert_array_equal(getattr(C, name).check(ember_value).numpy(),
                                      getattr(TC, name).check(torch_value).numpy())
    for ember_constraint, torch_constraint in ((C.interval(0.0, 1.0), TC.interval(0.0, 1.0)),
                                               (C.half_open_interval(0.0, 1.0), TC.half_open_interval(0.0, 1.0)),
                                               (C.greater_than(0.5), TC.greater_than(0.5)),
                                               (C.less_than(0.5), TC.less_than(0.5)),
                                               (C.integer_interval(0, 1), TC.integer_interval(0, 1)),
                                               (C.simplex, TC.simplex), (C.real_vector, TC.real_vector)):
        assert repr(ember_constraint) == repr(torch_constraint)
        np.testing.assert_array_equal(ember_constraint.check(ember_value).numpy(),
                                      torch_constraint.check(torch_value).numpy())
    matrix = _pair([[2.0, 0.0], [1.0, 3.0]])
    assert C.lower_cholesky.check(matrix[0]).item() == TC.lower_cholesky.check(matrix[1]).item() is True
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    assert E.Uniform.support.event_dim == 0 and C.is_dependent(E.Uniform.support)


def test_rejection_samplers_match():
    for dtype in (np.float32, np.float64):
        alpha = _pair([0.05, 0.3, 1.0, 2.5, 7.0, 100.0] * 3, dtype)
        rate = _pair([0.0, 0.5, 3.0, 9.9, 10.0, 1000.0] * 3, dtype)
        count, prob = _pair([0, 5, 20, 100, 1000, 7] * 3, dtype), _pair([0.5, 0.1, 0.7, 0.3, 0.95, 1.0] * 3, dtype)
        rows = _pair(np.tile([0.5, 1.0, 3.0], (4, 1)), dtype)
        for ember_draw, torch_draw in ((lambda: ember._standard_gamma(alpha[0]), lambda: torch._standard_gamma(alpha[1])),
                                       (lambda: ember.poisson(rate[0]), lambda: torch.poisson(rate[1])),
                                       (lambda: ember.binomial(count[0], prob[0]),
                                        lambda: torch.binomial(count[1], prob[1])),
                                       (lambda: ember._sample_dirichlet(rows[0]),
                                        lambda: torch._sample_dirichlet(rows[1]))):
            ember.manual_seed(11)
            torch.manual_seed(11)
            ember_sample, torch_sample = ember_draw(), torch_draw()
            if dtype == np.float64 and ember_draw.__code__.co_names[-1] == '_sample_dirichlet':
                _close(ember_sample, torch_sample, rtol=1e-15, atol=0)  # the row sum's order differs
            else:
                np.testing.assert_array_equal(ember_sample.numpy(), torch_sample.numpy())
            np.testing.assert_array_equal(ember.rand(2).numpy(), torch.rand(2).numpy())
    samples = torch._standard_gamma(torch.tensor([0.1, 0.7, 1.5, 5.0, 12.0, 50.0], dtype=torch.float64))
    grad = ember._standard_gamma_grad(ember.tensor(samples.numpy() * 0 + [0.1, 0.7, 1.5, 5.0, 12.0, 50.0]),
                                      ember.tensor(samples.numpy()))
    expected = torch._standard_gamma_grad(torch.tensor([0.1, 0.7, 1.5, 5.0, 12.0, 50.0], dtype=torch.float64), samples)
    _close(grad, expected, rtol=1e-12)
    with pytest.raises(RuntimeError, match="invalid Poisson rate"):
        ember.poisson(ember.tensor([-1.0]))
