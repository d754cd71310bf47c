"""nn.init against PyTorch: deterministic initialisers exactly, random ones by the stream (after the
same seed) where PyTorch draws the same way, and by bounds/statistics otherwise."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import init


def _same_error(fn):
    with pytest.raises(Exception) as expected:
        fn(torch)
    with pytest.raises(type(expected.value)) as got:
        fn(ember)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize('nonlinearity, param', [
    ('linear', None), ('conv1d', None), ('conv2d', None), ('conv3d', None), ('conv_transpose1d', None),
    ('conv_transpose2d', None), ('conv_transpose3d', None), ('sigmoid', None), ('tanh', None), ('relu', None),
    ('leaky_relu', None), ('leaky_relu', 0.2), ('leaky_relu', 3), ('selu', None)])
def test_calculate_gain(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize('fn', [
    lambda m: m.nn.init.calculate_gain('leaky_relu', True),
    lambda m: m.nn.init.calculate_gain('leaky_relu', 'x'),
    lambda m: m.nn.init.calculate_gain('softmax'),
    lambda m: m.nn.init._calculate_fan_in_and_fan_out(m.ones(3)),
    lambda m: m.nn.init.kaiming_uniform_(m.ones(3, 3), mode='fan_avg'),
    lambda m: m.nn.init.xavier_normal_(m.ones(3)),
    lambda m: m.nn.init.eye_(m.ones(3)),
    lambda m: m.nn.init.dirac_(m.ones(3, 3)),
    lambda m: m.nn.init.dirac_(m.ones(3, 3, 3), groups=2),
    lambda m: m.nn.init.orthogonal_(m.ones(3)),
    lambda m: m.nn.init.sparse_(m.ones(3, 3, 3), 0.5),
])
def test_errors_match_torch(fn):
    _same_error(fn)


@pytest.mark.parametrize('shape', [(3, 4), (5, 2, 3), (4, 3, 2, 2), (2, 6, 1, 2, 3)])
def test_fans(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize('name, shape, args', [
    ('constant_', (2, 3), (0.25,)), ('ones_', (4,), ()), ('zeros_', (2, 2), ()), ('eye_', (3, 5), ()),
    ('eye_', (4, 2), ()), ('dirac_', (4, 3, 5), ()), ('dirac_', (6, 2, 3, 3), (3,)), ('dirac_', (2, 4, 3, 3, 3), (2,)),
    ('dirac_', (3, 5, 2, 4), ())])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_deterministic_initialisers_match_torch(name, shape, args, dtype):
    e = ember.full(shape, 7.0, dtype=getattr(ember, dtype), requires_grad=True)
    t = torch.full(shape, 7.0, dtype=getattr(torch, dtype), requires_grad=True)
    result = getattr(init, name)(e, *args)
    getattr(torch.nn.init, name)(t, *args)
    assert result is e and e.requires_grad and e.is_leaf
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize('name, kwargs', [
    ('uniform_', {'a': -0.5, 'b': 2.0}), ('normal_', {'mean': 1.0, 'std': 0.5}), ('xavier_uniform_', {'gain': 2.0}),
    ('xavier_normal_', {}), ('kaiming_uniform_', {'a': math.sqrt(5)}),
    ('kaiming_uniform_', {'mode': 'fan_out', 'nonlinearity': 'relu'}), ('kaiming_normal_', {}),
    ('kaiming_normal_', {'mode': 'fan_out', 'nonlinearity': 'tanh'})])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_random_initialisers_follow_the_seeded_stream(name, kwargs, dtype):
    """Same seed, same numbers as PyTorch (they are one `uniform_`/`normal_` draw each)."""
    shape = (30, 20, 3)
    ember.manual_seed(11)
    torch.manual_seed(11)
    e = getattr(init, name)(ember.empty(shape, dtype=getattr(ember, dtype)), **kwargs)
    t = getattr(torch.nn.init, name)(torch.empty(shape, dtype=getattr(torch, dtype)), **kwargs)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
    generator_e, generator_t = ember.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    e = getattr(init, name)(ember.empty(shape, dtype=getattr(ember, dtype)), generator=generator_e, **kwargs)
    t = getattr(torch.nn.init, name)(torch.empty(shape, dtype=getattr(torch, dtype)), generator=generator_t, **kwargs)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('name, kwargs, expected_std, bound', [
    ('uniform_', {'a': -3.0, 'b': 3.0}, math.sqrt(3), 3.0),
    ('normal_', {'mean': 0.0, 'std': 0.2}, 0.2, None),
    ('xavier_uniform_', {}, math.sqrt(2 / (200 + 100)), math.sqrt(6 / 300)),
    ('xavier_normal_', {'gain': 3.0}, 3 * math.sqrt(2 / 300), None),
    ('kaiming_uniform_', {'nonlinearity': 'relu'}, math.sqrt(2 / 100), math.sqrt(6 / 100)),
    ('kaiming_normal_', {'mode': 'fan_out', 'nonlinearity': 'relu'}, math.sqrt(2 / 200), None),
])
def test_random_initialisers_statistics(name, kwargs, expected_std, bound):
    values = getattr(init, name)(ember.empty(200, 100), **kwargs).numpy()
    assert abs(values.std() - expected_std) < 0.03 * expected_std
    if bound is not None:
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound


@pytest.mark.parametrize('mean, std, a, b', [(0.0, 1.0, -2.0, 2.0), (1.0, 0.5, 0.0, 1.2), (0.0, 1.0, 2.0, 2.5),
                                             (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_is_inside_bounds_with_normal_shape(mean, std, a, b):
    ember.manual_seed(0)
    values = init.trunc_normal_(ember.empty(300, 100, dtype=ember.float64), mean, std, a, b).numpy()
    assert values.min() >= a and values.max() <= b
    # compare mean and std with the truncated normal's (scipy-free formulas)
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    z = cdf(beta) - cdf(alpha)
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / z
    expected_var = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - ((pdf(alpha) - pdf(beta)) / z) ** 2)
    assert abs(values.mean() - expected_mean) < 0.02 * std
    assert abs(values.std() - math.sqrt(expected_var)) < 0.02 * std


def test_trunc_normal_warns_like_torch():
    with pytest.warns(UserWarning, match='mean is more than 2 std'):
        init.trunc_normal_(ember.empty(5), mean=10.0)


@pytest.mark.parametrize('shape', [(6, 4), (3, 8), (4, 2, 3), (5, 5)])
@pytest.mark.parametrize('gain', [1.0, 2.5])
def test_orthogonal(shape, gain):
    values = init.orthogonal_(ember.empty(shape, dtype=ember.float64), gain=gain).numpy()
    flat = values.reshape(shape[0], -1)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(gram.shape[0]), atol=1e-10)


def test_sparse():
    values = init.sparse_(ember.empty(10, 30), sparsity=0.25, std=0.5).numpy()
    assert ((values == 0).sum(axis=0) == math.ceil(0.25 * 10)).all()
    assert abs(values[values != 0].std() - 0.5) < 0.1


def test_zero_element_kaiming_warns_and_deprecated_aliases():
    with pytest.warns(UserWarning, match='Initializing zero-element tensors is a no-op'):
        init.kaiming_uniform_(ember.empty(0, 3))
    with pytest.warns(FutureWarning, match='`nn.init.constant` is now deprecated in favor of `nn.init.constant_`'):
        init.constant(ember.empty(2), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert init.constant(ember.empty(2), 1.0).tolist() == [1.0, 1.0]


def test_init_on_a_parameter_keeps_it_a_leaf():
    p = ember.nn.Parameter(ember.empty(3, 3))
    version = p._version
    init.xavier_uniform_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p._version > version
