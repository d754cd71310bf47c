"""ember.distributions against torch.distributions, second part: the families built on transforms
and the remaining ones, the transforms themselves, biject_to / transform_to, the KL table and the
Dirichlet reparameterisation gradient."""
import numpy as np
import pytest
import torch

import ember

E, T = ember.distributions, torch.distributions


def _pair(values, dtype=np.float64, requires_grad=False):
    array = np.asarray(values, dtype=dtype)
    return ember.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def _close(ember_value, torch_value, rtol=1e-10, atol=1e-12):
    ember_value, torch_value = ember_value.detach().numpy(), torch_value.detach().numpy()
    assert ember_value.shape == torch_value.shape and ember_value.dtype == torch_value.dtype
    np.testing.assert_allclose(ember_value, torch_value, rtol=rtol, atol=atol)


def _both(make, params, dtype=np.float64, requires_grad=False):
    """make(module, **tensors) for ember and torch, on the same parameter values."""
    pairs = {key: _pair(values, dtype, requires_grad) if isinstance(values, list) else (values, values)
             for key, values in params.items()}
    return (make(E, **{k: v[0] for k, v in pairs.items()}), make(T, **{k: v[1] for k, v in pairs.items()}), pairs)


def _named(name):
    return lambda module, **params: getattr(module, name)(**params)


# name, parameters (lists become tensors), a value in the support
CASES = [
    ('LogNormal', dict(loc=[0.0, 1.0, -0.5], scale=[1.0, 0.5, 2.0]), [0.5, 2.0, 0.1]),
    ('Gumbel', dict(loc=[0.0, 1.0, -0.5], scale=[1.0, 0.5, 2.0]), [0.5, 2.0, -3.0]),
    ('HalfNormal', dict(scale=[1.0, 0.5, 2.0]), [0.5, 2.0, 0.0]),
    ('HalfCauchy', dict(scale=[1.0, 0.5, 2.0]), [0.5, 2.0, 0.0]),
    ('Binomial', dict(total_count=[5.0, 10.0, 10.0], probs=[0.3, 0.5, 0.9]), [2.0, 5.0, 10.0]),
    ('Binomial', dict(total_count=10, logits=[-1.0, 0.0, 2.0]), [0.0, 3.0, 7.0]),
    ('Multinomial', dict(total_count=6, probs=[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), [[1.0, 2.0, 3.0], [6.0, 0.0, 0.0]]),
    ('Geometric', dict(probs=[0.2, 0.5, 0.9]), [0.0, 3.0, 1.0]),
    ('Geometric', dict(logits=[-1.0, 0.5, 3.0]), [2.0, 0.0, 1.0]),
    ('NegativeBinomial', dict(total_count=[3.0, 5.5, 1.0], probs=[0.2, 0.5, 0.7]), [0.0, 3.0, 7.0]),
    ('StudentT', dict(df=[0.8, 1.5, 6.0], loc=[0.0, 1.0, -1.0], scale=[1.0, 2.0, 0.5]), [0.3, -2.0, 1.0]),
    ('Chi2', dict(df=[0.5, 3.0, 10.0]), [0.2, 2.0, 9.0]),
    ('Weibull', dict(scale=[1.0, 2.0, 0.5], concentration=[0.5, 1.5, 3.0]), [0.5, 2.0, 0.4]),
    ('Pareto', dict(scale=[1.0, 2.0, 0.5], alpha=[0.5, 2.5, 3.0]), [1.5, 2.0, 4.0]),
    ('Kumaraswamy', dict(concentration1=[0.5, 2.0, 3.0], concentration0=[1.5, 0.7, 4.0]), [0.2, 0.5, 0.9]),
    ('FisherSnedecor', dict(df1=[1.0, 3.0, 10.0], df2=[2.0, 5.0, 12.0]), [0.5, 1.0, 3.0]),
    ('InverseGamma', dict(concentration=[0.5, 1.5, 3.0], rate=[1.0, 2.0, 0.5]), [0.5, 1.0, 3.0]),
    ('ContinuousBernoulli', dict(probs=[0.2, 0.5, 0.9]), [0.3, 0.5, 0.99]),
    ('ContinuousBernoulli', dict(logits=[-1.0, 0.001, 3.0]), [0.3, 0.5, 0.99]),
    ('GeneralizedPareto', dict(loc=[0.0, 1.0, -1.0], scale=[1.0, 2.0, 0.5], concentration=[0.0, 0.3, -0.2]),
     [0.5, 2.0, 0.1]),
    ('VonMises', dict(loc=[0.0, 1.0, -2.0], concentration=[0.5, 2.0, 10.0]), [0.3, -2.0, 3.0]),
    ('LogisticNormal', dict(loc=[[0.0, 1.0], [-1.0, 0.5]], scale=[[1.0, 0.5], [2.0, 1.0]]),
     [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]),
    ('RelaxedBernoulli', dict(temperature=[0.5], probs=[0.2, 0.5, 0.9]), [0.3, 0.5, 0.99]),
    ('RelaxedOneHotCategorical', dict(temperature=[2.0], logits=[[0.0, 1.0, -1.0], [0.5, 0.5, 0.0]]),
     [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]),
    ('LowRankMultivariateNormal', dict(loc=[[0.0, 1.0, -1.0]], cov_factor=[[[1.0, 0.0], [0.5, 2.0], [0.0, -1.0]]],
                                       cov_diag=[[1.0, 0.5, 2.0]]), [[0.3, 0.2, -1.0], [1.0, 2.0, 3.0]]),
    ('LKJCholesky', dict(dim=3, concentration=[0.5, 2.0]),
     [[[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.6, 0.8]], [[1.0, 0.0, 0.0], [-0.28, 0.96, 0.0], [0.8, 0.0, 0.6]]]),
]
_IDS = [f'{name}-{"-".join(params)}' for name, params, _ in CASES]


def _methods_match(ember_method, torch_method, *args):
    """The results match, or both raise the same kind of error (NotImplementedError for a missing cdf)."""
    try:
        expected = torch_method(*(arg[1] for arg in args))
    except (NotImplementedError, ValueError, RuntimeError) as error:
        with pytest.raises(type(error)):
            ember_method(*(arg[0] for arg in args))
    else:
        float32 = expected.dtype == torch.float32
        _close(ember_method(*(arg[0] for arg in args)), expected, rtol=1e-5 if float32 else 1e-9,
               atol=1e-7 if float32 else 1e-12)


@pytest.mark.parametrize('case', CASES, ids=_IDS)
def test_values_match(case):
    name, params, value = case
    # PyTorch's GeneralizedPareto.log_prob fails in float64 (it compares with a float32 zero)
    dtype, rtol = (np.float32, 1e-5) if name == 'GeneralizedPareto' else (np.float64, 1e-9)
    ember_dist, torch_dist, _ = _both(_named(name), params, dtype)
    value = _pair(value, dtype)
    assert ember_dist.batch_shape == torch_dist.batch_shape and ember_dist.event_shape == torch_dist.event_shape
    _close(ember_dist.log_prob(value[0]), torch_dist.log_prob(value[1]), rtol=rtol, atol=1e-7)
    for method in ('cdf', 'icdf'):
        argument = value if method == 'cdf' else _pair(np.full(value[0].shape, 0.3), dtype)
        _methods_match(getattr(ember_dist, method), getattr(torch_dist, method), argument)
    _methods_match(ember_dist.entropy, torch_dist.entropy)
    for moment in ('mean', 'variance', 'stddev', 'mode'):
        _methods_match(lambda d=ember_dist: getattr(d, moment), lambda d=torch_dist: getattr(d, moment))
    expanded = ember_dist.expand((2,) + tuple(ember_dist.batch_shape)), \
        torch_dist.expand((2,) + tuple(torch_dist.batch_shape))
    assert expanded[0].batch_shape == expanded[1].batch_shape
    _close(expanded[0].log_prob(value[0]), expanded[1].log_prob(value[1]), rtol=rtol, atol=1e-7)
    assert type(expanded[0]).__name__ == type(expanded[1]).__name__
    assert ember_dist.has_rsample == torch_dist.has_rsample
    assert repr(ember_dist) == repr(torch_dist).replace('torch.', 'ember.')
    assert repr(ember_dist.support) == repr(torch_dist.support).replace('torch.', 'ember.')


@pytest.mark.parametrize('case', CASES, ids=_IDS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_seeded_samples_match(case, dtype):
    name, params, _ = case
    ember_dist, torch_dist, _ = _both(_named(name), params, dtype)
    for sample_shape in [(), (2, 3)]:
        ember.manual_seed(5)
        torch.manual_seed(5)
        ember_sample, torch_sample = ember_dist.sample(sample_shape), torch_dist.sample(sample_shape)
        assert ember_sample.shape == torch_sample.shape
        assert str(ember_sample.dtype).split('.')[1] == str(torch_sample.dtype).split('.')[1]
        # the same draws; NumPy's and PyTorch's (SLEEF) transcendental functions differ in the last bit now and then
        np.testing.assert_allclose(ember_sample.numpy(), torch_sample.numpy(),
                                   rtol=2e-6 if dtype == np.float32 else 1e-13, atol=1e-30)
        np.testing.assert_array_equal(ember.rand(2).numpy(), torch.rand(2).numpy())  # the streams are still in step


RSAMPLE_CASES = [case for case in CASES if getattr(T, case[0]).has_rsample is True] + [
    ('Dirichlet', dict(concentration=[[0.3, 1.0, 2.0], [7.0, 8.0, 9.0], [0.5, 20.0, 0.2]]), None),
    ('Beta', dict(concentration1=[0.5, 2.0, 9.0], concentration0=[1.0, 3.0, 7.0]), None),
]


@pytest.mark.parametrize('case', RSAMPLE_CASES, ids=[case[0] for case in RSAMPLE_CASES])
def test_rsample_gradients_match(case):
    name, params, _ = case
    ember_dist, torch_dist, pairs = _both(_named(name), params, requires_grad=True)
    ember.manual_seed(3)
    torch.manual_seed(3)
    ember_sample, torch_sample = ember_dist.rsample((4,)), torch_dist.rsample((4,))
    _close(ember_sample, torch_sample, rtol=1e-12, atol=1e-14)
    weights = np.linspace(-1.0, 2.0, ember_sample.numel()).reshape(tuple(ember_sample.shape))
    (ember_sample * ember.tensor(weights)).sum().backward()
    (torch_sample * torch.tensor(weights)).sum().backward()
    for ember_param, torch_param in pairs.values():
        if isinstance(torch_param, torch.Tensor) and torch_param.grad is not None:
            _close(ember_param.grad, torch_param.grad, rtol=1e-9, atol=1e-12)


def test_dirichlet_grad_kernel():
    torch.manual_seed(0)
    for dtype, rtol in ((torch.float64, 1e-13), (torch.float32, 1e-4)):
        # every regime: near 0, near 1, both concentrations large, and the rational correction between
        alpha = torch.tensor([[0.1, 0.5, 2.0], [7.0, 8.0, 9.0], [1.0, 1.0, 30.0], [0.3, 20.0, 0.2]] * 25, dtype=dtype)
        alpha = alpha * (torch.rand(alpha.shape, dtype=dtype) * 3 + 0.2)
        x = torch._sample_dirichlet(alpha)
        total = alpha.sum(-1, True).expand_as(alpha).contiguous()
        expected = torch._dirichlet_grad(x, alpha, total)
        result = ember._dirichlet_grad(*(ember.tensor(t.numpy()) for t in (x, alpha, total)))
        _close(result, expected, rtol=rtol, atol=1e-7 if dtype == torch.float32 else 1e-15)
    with pytest.raises(RuntimeError):
        ember._dirichlet_grad(ember.ones(2), ember.ones(3), ember.ones(3))


# ---- transforms ----------------------------------------------------------------------------------------------
def _transform_cases():
    """(name, build(module, tensors...), parameter values, an x in the domain)."""
    matrix = [[[0.5, 0.3, -0.2], [1.0, -0.4, 0.7], [0.2, 0.1, 0.3]]]
    return [
        ('Exp', lambda m: m.ExpTransform(), [], [[-1.0, 0.0, 2.0]]),
        ('Power', lambda m, e: m.PowerTransform(e), [[0.5, -2.0, 3.0]], [[0.5, 1.0, 2.0]]),
        ('Sigmoid', lambda m: m.SigmoidTransform(), [], [[-3.0, 0.0, 2.0]]),
        ('Softplus', lambda m: m.SoftplusTransform(), [], [[-3.0, 0.0, 2.0]]),
        ('Tanh', lambda m: m.TanhTransform(), [], [[-3.0, 0.0, 2.0]]),
        ('Affine', lambda m, loc, scale: m.AffineTransform(loc, scale), [[1.0, -1.0, 0.0], [2.0, -0.5, 3.0]],
         [[-1.0, 0.0, 2.0]]),
        ('AffineEvent', lambda m, scale: m.AffineTransform(1.5, scale, event_dim=1), [[2.0, -0.5, 3.0]],
         [[-1.0, 0.0, 2.0]]),
        ('AffineNumber', lambda m: m.AffineTransform(1.5, -2.0), [], [[-1.0, 0.0, 2.0]]),
        ('StickBreaking', lambda m: m.StickBreakingTransform(), [], [[-1.0, 0.0, 2.0], [0.5, 0.5, -3.0]]),
        ('CorrCholesky', lambda m: m.CorrCholeskyTransform(), [], [[-1.0, 0.0, 2.0], [0.5, 0.5, -3.0]]),
        ('Compose', lambda m: m.ComposeTransform([m.ExpTransform(), m.AffineTransform(1.0, 2.0),
                                                  m.PowerTransform(0.5)]),
         [], [[-1.0, 0.0, 2.0]]),
        ('ComposeEvent', lambda m: m.ComposeTransform([m.AffineTransform(0.0, 2.0), m.StickBreakingTransform()]),
         [], [[-1.0, 0.0, 2.0]]),
        ('Independent', lambda m: m.IndependentTransform(m.SigmoidTransform(), 1), [], [[-1.0, 0.0, 2.0]]),
        ('Reshape', lambda m: m.ReshapeTransform((3,), (3, 1)), [], [[-1.0, 0.0, 2.0]]),
        ('Cat', lambda m: m.CatTransform([m.ExpTransform(), m.AffineTransform(1.0, 3.0)], dim=1, lengths=[1, 2]),
         [], [[-1.0, 0.0, 2.0]]),
        ('Stack', lambda m: m.StackTransform([m.ExpTransform(), m.TanhTransform(), m.SigmoidTransform()], dim=1),
         [], [[-1.0, 0.0, 2.0]]),
        ('LowerCholesky', lambda m: m.LowerCholeskyTransform(), [], matrix),
        ('PositiveDefinite', lambda m: m.PositiveDefiniteTransform(), [], matrix),
        ('Softmax', lambda m: m.SoftmaxTransform(), [], [[-1.0, 0.0, 2.0]]),
        ('Abs', lambda m: m.AbsTransform(), [], [[-1.0, 0.0, 2.0]]),
    ]


@pytest.mark.parametrize('case', _transform_cases(), ids=[case[0] for case in _transform_cases()])
def test_transforms_match(case):
    _, build, parameters, x = case
    parameter_pairs = [_pair(p) for p in parameters]
    ember_t = build(E.transforms, *(p[0] for p in parameter_pairs))
    torch_t = build(T.transforms, *(p[1] for p in parameter_pairs))
    x = _pair(x, requires_grad=True)
    y = ember_t(x[0]), torch_t(x[1])
    _close(*y)
    _close(ember_t.inv(y[0]), torch_t.inv(y[1]), rtol=1e-9, atol=1e-12)
    for attribute in ('bijective', 'event_dim'):
        try:
            expected = getattr(torch_t, attribute)
        except ValueError:
            with pytest.raises(ValueError):
                getattr(ember_t, attribute)
        else:
            assert getattr(ember_t, attribute) == expected
    assert repr(ember_t.domain) == repr(torch_t.domain) and repr(ember_t.codomain) == repr(torch_t.codomain)
    assert repr(ember_t) == repr(torch_t).replace('torch.', 'ember.')
    assert ember_t.forward_shape(ember.Size(x[0].shape)) == torch_t.forward_shape(x[1].shape)
    assert ember_t.inverse_shape(ember.Size(y[0].shape)) == torch_t.inverse_shape(y[1].shape)
    assert ember_t.inv.inv is ember_t and ember_t == ember_t and ember_t.inv != ember_t
    try:
        expected_sign = torch_t.sign
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            ember_t.sign
    else:
        ember_sign = ember_t.sign
        assert (ember_sign.tolist() if isinstance(ember_sign, ember.Tensor) else ember_sign) == \
            (expected_sign.tolist() if isinstance(expected_sign, torch.Tensor) else expected_sign)
    if torch_t.bijective:
        log_det = ember_t.log_abs_det_jacobian(x[0], y[0]), torch_t.log_abs_det_jacobian(x[1], y[1])
        _close(*log_det, rtol=1e-9)
        _close(ember_t.inv.log_abs_det_jacobian(y[0], x[0]), torch_t.inv.log_abs_det_jacobian(y[1], x[1]), rtol=1e-9)
        assert log_det[0].requires_grad == log_det[1].requires_grad
        if log_det[1].requires_grad:  # not for the constant log-dets of affine maps and reshapes
            log_det[0].sum().backward()
            log_det[1].sum().backward()
            _close(x[0].grad, x[1].grad, rtol=1e-9)


def test_transform_cache_and_errors():
    x = ember.tensor([0.5, 1.0])
    cached = E.transforms.ExpTransform(cache_size=1)
    y = cached(x)
    assert cached.inv(y) is x and cached(x) is y
    assert E.transforms.ExpTransform().inv(E.transforms.ExpTransform()(x)) is not x
    assert cached.with_cache(1) is cached and cached.with_cache(0)._cache_size == 0
    assert E.transforms.AffineTransform(1.0, 2.0) == E.transforms.AffineTransform(1.0, 2.0)
    assert E.transforms.AffineTransform(1.0, 2.0) != E.transforms.AffineTransform(1.0, 3.0)
    for lib in (E, T):
        with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
            lib.transforms.ExpTransform(cache_size=2)
        with pytest.raises(ValueError, match="different numbers of elements"):
            lib.transforms.ReshapeTransform((2,), (3,))
        with pytest.raises(ValueError, match="transforms must be a Transform"):
            lib.TransformedDistribution(lib.Normal(0.0, 1.0), 'exp')
    assert E.transforms.CorrCholeskyTransform().with_cache(1)._cache_size == 1

    class Scaled(E.transforms.Transform):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

    with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
        Scaled(2.0).with_cache(1)


def test_transformed_distribution():
    loc, scale = _pair([0.0, 1.0, -1.0], requires_grad=True), _pair([1.0, 0.5, 2.0])
    made = [lib.TransformedDistribution(lib.Normal(l, s), [lib.transforms.AffineTransform(1.0, -2.0),
                                                           lib.transforms.ExpTransform()])
            for lib, l, s in ((E, loc[0], scale[0]), (T, loc[1], scale[1]))]
    value = _pair([0.5, 2.0, 1.0])
    _close(made[0].log_prob(value[0]), made[1].log_prob(value[1]))
    _close(made[0].cdf(value[0]), made[1].cdf(value[1]))  # a decreasing chain: the cdf is flipped
    _close(made[0].icdf(value[0] / 3), made[1].icdf(value[1] / 3))
    assert repr(made[0].support) == repr(made[1].support)
    expanded = made[0].expand((2, 3)), made[1].expand((2, 3))
    assert expanded[0].batch_shape == expanded[1].batch_shape
    _close(expanded[0].log_prob(value[0]), expanded[1].log_prob(value[1]))
    # a transform that couples the last dim makes it the event
    coupled = [lib.TransformedDistribution(lib.Normal(l, s), lib.transforms.StickBreakingTransform())
               for lib, l, s in ((E, loc[0], scale[0]), (T, loc[1], scale[1]))]
    assert coupled[0].event_shape == coupled[1].event_shape == (4,) and coupled[0].batch_shape == ()
    simplex_value = _pair([0.1, 0.2, 0.3, 0.4])
    _close(coupled[0].log_prob(simplex_value[0]), coupled[1].log_prob(simplex_value[1]))
    ember.manual_seed(2)
    torch.manual_seed(2)
    samples = coupled[0].rsample((3,)), coupled[1].rsample((3,))
    _close(*samples)
    samples[0].pow(2).sum().backward()
    samples[1].pow(2).sum().backward()
    _close(loc[0].grad, loc[1].grad)


# ---- biject_to / transform_to --------------------------------------------------------------------------------
CONSTRAINTS = [
    ('real', lambda C: C.real, [[-1.0, 0.5, 3.0]]),
    ('positive', lambda C: C.positive, [[-1.0, 0.5, 3.0]]),
    ('nonnegative', lambda C: C.nonnegative, [[-1.0, 0.5, 3.0]]),
    ('greater_than', lambda C: C.greater_than(2.0), [[-1.0, 0.5, 3.0]]),
    ('greater_than_eq', lambda C: C.greater_than_eq(-2.0), [[-1.0, 0.5, 3.0]]),
    ('less_than', lambda C: C.less_than(1.0), [[-1.0, 0.5, 3.0]]),
    ('unit_interval', lambda C: C.unit_interval, [[-1.0, 0.5, 3.0]]),
    ('interval', lambda C: C.interval(-2.0, 5.0), [[-1.0, 0.5, 3.0]]),
    ('half_open_interval', lambda C: C.half_open_interval(1.0, 2.0), [[-1.0, 0.5, 3.0]]),
    ('simplex', lambda C: C.simplex, [[-1.0, 0.5, 3.0]]),
    ('real_vector', lambda C: C.real_vector, [[-1.0, 0.5, 3.0]]),
    ('independent_positive', lambda C: C.independent(C.positive, 1), [[-1.0, 0.5, 3.0]]),
    ('corr_cholesky', lambda C: C.corr_cholesky, [[-1.0, 0.5, 3.0]]),
    ('lower_cholesky', lambda C: C.lower_cholesky, [[[-1.0, 0.5], [3.0, 0.2]]]),
    ('positive_definite', lambda C: C.positive_definite, [[[-1.0, 0.5], [3.0, 0.2]]]),
    ('cat', lambda C: C.cat([C.positive, C.interval(0.0, 2.0)], dim=1, lengths=[2, 1]), [[-1.0, 0.5, 3.0]]),
    ('stack', lambda C: C.stack([C.positive, C.real, C.unit_interval], dim=1), [[-1.0, 0.5, 3.0]]),
]


@pytest.mark.parametrize('registry', ['biject_to', 'transform_to'])
@pytest.mark.parametrize('name, build, x', CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraint_registry_matches(registry, name, build, x):
    ember_constraint, torch_constraint = build(E.constraints), build(T.constraints)
    try:
        torch_t = getattr(T, registry)(torch_constraint)
    except NotImplementedError as error:
        with pytest.raises(NotImplementedError, match=str(error)):
            getattr(E, registry)(ember_constraint)
        return
    ember_t = getattr(E, registry)(ember_constraint)
    assert repr(ember_t) == repr(torch_t)
    x = _pair(x)
    y = ember_t(x[0]), torch_t(x[1])
    _close(*y)
    assert ember_constraint.check(y[0]).all()
    if torch_t.bijective:
        _close(ember_t.inv(y[0]), torch_t.inv(y[1]), rtol=1e-9)
        _close(ember_t.log_abs_det_jacobian(x[0], y[0]), torch_t.log_abs_det_jacobian(x[1], y[1]), rtol=1e-9)


def test_registry_errors_and_registration():
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        E.biject_to(E.constraints.boolean)
    with pytest.raises(TypeError, match="Expected constraint to be either a Constraint subclass or instance"):
        E.biject_to.register(int, lambda c: None)
    registry = E.constraint_registry.ConstraintRegistry()

    @registry.register(E.constraints.boolean)
    def _to_boolean(constraint):
        return E.transforms.SigmoidTransform()

    assert isinstance(registry(E.constraints.boolean), E.transforms.SigmoidTransform)


# ---- the remaining behaviour ---------------------------------------------------------------------------------
def test_mixture_same_family():
    logits = _pair([[0.0, 1.0, -1.0], [0.5, 0.5, 0.0]])
    loc, scale = _pair(np.arange(6.0).reshape(2, 3) - 2), _pair(np.full((2, 3), 0.7))
    made = [lib.MixtureSameFamily(lib.Categorical(logits=lg), lib.Normal(l, s))
            for lib, lg, l, s in ((E, logits[0], loc[0], scale[0]), (T, logits[1], loc[1], scale[1]))]
    value = _pair([[0.3, -1.0], [2.0, 0.0]])
    _close(made[0].log_prob(value[0]), made[1].log_prob(value[1]))
    _close(made[0].cdf(value[0]), made[1].cdf(value[1]))
    _close(made[0].mean, made[1].mean)
    _close(made[0].variance, made[1].variance)
    ember.manual_seed(4)
    torch.manual_seed(4)
    _close(made[0].sample((5,)), made[1].sample((5,)), rtol=0, atol=0)
    assert repr(made[0]) == repr(made[1]).replace('torch.', 'ember.')
    assert made[0].expand((3, 2)).batch_shape == made[1].expand((3, 2)).batch_shape
    # vector components (an event dim)
    vector = [lib.MixtureSameFamily(lib.Categorical(logits=lg), lib.Independent(lib.Normal(l, s), 1))
              for lib, lg, l, s in ((E, logits[0][0], loc[0].T, scale[0].T), (T, logits[1][0], loc[1].T, scale[1].T))]
    _close(vector[0].log_prob(value[0]), vector[1].log_prob(value[1]))
    _close(vector[0].mean, vector[1].mean)
    with pytest.raises(ValueError, match="does not equal"):
        E.MixtureSameFamily(E.Categorical(logits=logits[0][0, :2]), E.Normal(loc[0], scale[0]))
    with pytest.raises(ValueError, match="needs to be an"):
        E.MixtureSameFamily(E.Normal(0.0, 1.0), E.Normal(loc[0], scale[0]))


def test_discrete_details():
    binomial = [lib.Binomial(10, probs=p) for lib, p in zip((E, T), _pair([0.1, 0.5, 0.8]))]
    _close(binomial[0].entropy(), binomial[1].entropy())
    _close(binomial[0].enumerate_support(), binomial[1].enumerate_support())
    multinomial = [lib.Multinomial(4, logits=lg) for lib, lg in zip((E, T), _pair([[0.0, 1.0, -1.0]]))]
    _close(multinomial[0].entropy(), multinomial[1].entropy())
    for lib in (E, T):
        with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
            lib.Multinomial(ember.tensor(3) if lib is E else torch.tensor(3), probs=None)
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            lib.Binomial((ember if lib is E else torch).tensor([2.0, 3.0]), probs=(ember if lib is E else torch)
                         .tensor([0.5, 0.5])).entropy()
    for build in (lambda lib: lib.distributions.Geometric(probs=lib.tensor([0.0, 0.5])),
                  lambda lib: lib.distributions.Binomial(lib.tensor([2.5]), probs=lib.tensor([0.5])),
                  lambda lib: lib.distributions.StudentT(lib.tensor([-1.0]))):
        with pytest.raises(ValueError) as torch_error:
            build(torch)
        with pytest.raises(ValueError) as ember_error:
            build(ember)
        assert str(ember_error.value) == str(torch_error.value).replace('torch.', 'ember.')


def test_lowrank_multivariate_normal():
    loc = _pair([[0.0, 1.0, -1.0], [1.0, 0.0, 0.5]], requires_grad=True)
    factor, diag = _pair([[1.0, 0.0], [0.5, 2.0], [0.0, -1.0]]), _pair([1.0, 0.5, 2.0])
    made = [lib.LowRankMultivariateNormal(l, f, d)
            for lib, l, f, d in ((E, loc[0], factor[0], diag[0]), (T, loc[1], factor[1], diag[1]))]
    for attribute in ('scale_tril', 'covariance_matrix', 'precision_matrix', 'variance'):
        _close(getattr(made[0], attribute), getattr(made[1], attribute))
    _close(made[0].entropy(), made[1].entropy())
    with pytest.raises(ValueError, match="cov_factor must be a batch of matrices"):
        E.LowRankMultivariateNormal(loc[0], factor[0][:2], diag[0])


# ---- KL divergences ------------------------------------------------------------------------------------------
_SCALARS = dict(
    Normal=dict(loc=[0.0, 1.0], scale=[1.0, 2.0]), Laplace=dict(loc=[0.0, 1.0], scale=[1.0, 2.0]),
    Gumbel=dict(loc=[0.0, 1.0], scale=[1.0, 2.0]), Exponential=dict(rate=[0.5, 2.0]),
    Gamma=dict(concentration=[0.5, 2.0], rate=[1.0, 3.0]),
    Beta=dict(concentration1=[0.5, 2.0], concentration0=[1.0, 3.0]),
    Uniform=dict(low=[0.2, 0.1], high=[0.7, 0.9]), Pareto=dict(scale=[1.0, 2.0], alpha=[0.8, 3.0]),
    ContinuousBernoulli=dict(probs=[0.2, 0.7]), Poisson=dict(rate=[0.5, 2.0]), Bernoulli=dict(probs=[0.2, 0.7]),
    Binomial=dict(total_count=[5.0, 5.0], probs=[0.2, 0.7]), Geometric=dict(probs=[0.2, 0.7]),
    HalfNormal=dict(scale=[1.0, 2.0]), LogNormal=dict(loc=[0.0, 1.0], scale=[1.0, 2.0]),
)
_OTHER = dict(
    Normal=dict(loc=[1.0, -1.0], scale=[0.5, 3.0]), Laplace=dict(loc=[1.0, -1.0], scale=[0.5, 3.0]),
    Gumbel=dict(loc=[1.0, -1.0], scale=[0.5, 3.0]), Exponential=dict(rate=[1.0, 3.0]),
    Gamma=dict(concentration=[1.5, 2.5], rate=[2.0, 1.0]),
    Beta=dict(concentration1=[1.5, 2.5], concentration0=[2.0, 1.0]),
    Uniform=dict(low=[-1.0, 0.0], high=[2.0, 3.0]), Pareto=dict(scale=[0.5, 1.0], alpha=[2.0, 1.5]),
    ContinuousBernoulli=dict(probs=[0.6, 0.3]), Poisson=dict(rate=[1.0, 3.0]), Bernoulli=dict(probs=[0.5, 0.3]),
    Binomial=dict(total_count=[5.0, 4.0], probs=[0.5, 0.3]), Geometric=dict(probs=[0.5, 0.3]),
    HalfNormal=dict(scale=[0.5, 3.0]), LogNormal=dict(loc=[1.0, -1.0], scale=[0.5, 3.0]),
)
KL_PAIRS = sorted({(p.__name__, q.__name__) for p, q in T.kl._KL_REGISTRY
                   if p.__name__ in _SCALARS and q.__name__ in _SCALARS})


@pytest.mark.parametrize('p_name, q_name', KL_PAIRS, ids=[f'{p}-{q}' for p, q in KL_PAIRS])
def test_kl_divergence(p_name, q_name):
    p = _both(_named(p_name), _SCALARS[p_name])
    q = _both(_named(q_name), _OTHER[q_name])
    try:
        expected = T.kl_divergence(p[1], q[1])
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            E.kl_divergence(p[0], q[0])
        return
    _close(E.kl_divergence(p[0], q[0]), expected, rtol=1e-9)


def test_kl_multivariate_and_transformed():
    loc = _pair([[0.0, 1.0, -1.0]])
    factor, diag = _pair([[1.0, 0.0], [0.5, 2.0], [0.0, -1.0]]), _pair([1.0, 0.5, 2.0])
    tril = _pair([[1.0, 0.0, 0.0], [0.3, 2.0, 0.0], [-0.2, 0.1, 0.5]])
    made = []
    for i, lib in enumerate((E, T)):
        lowrank = lib.LowRankMultivariateNormal(loc[i], factor[i], diag[i])
        lowrank2 = lib.LowRankMultivariateNormal(loc[i] + 1, factor[i] * 0.5, diag[i] * 2)
        full = lib.MultivariateNormal(loc[i] * 2, scale_tril=tril[i])
        made.append([lib.kl_divergence(lowrank, lowrank2), lib.kl_divergence(full, lowrank),
                     lib.kl_divergence(lowrank, full),
                     lib.kl_divergence(lib.LogNormal(loc[i], 1.0), lib.LogNormal(loc[i] + 1, 2.0))])
    for ember_value, torch_value in zip(*made):
        _close(ember_value, torch_value, rtol=1e-9)
    with pytest.raises(NotImplementedError):
        E.kl_divergence(E.LogNormal(0.0, 1.0), E.TransformedDistribution(E.Normal(0.0, 1.0),
                                                                         E.transforms.SigmoidTransform()))
