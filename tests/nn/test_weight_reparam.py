"""Weight reparametrizations — nn.utils.parametrize, nn.utils.parametrizations.weight_norm /
spectral_norm and the hook-based nn.utils.weight_norm / spectral_norm — compared with torch: module
reprs, state_dict keys and metadata, parametrized values, gradients, optimizer steps, the power
iteration buffers from a seeded RNG, removal and errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

MODULES = {
    'linear': lambda lib: lib.nn.Linear(5, 4),
    'tall_linear': lambda lib: lib.nn.Linear(3, 6),
    'conv1d': lambda lib: lib.nn.Conv1d(3, 4, 2),
    'conv2d': lambda lib: lib.nn.Conv2d(2, 3, 3),
    'conv_transpose2d': lambda lib: lib.nn.ConvTranspose2d(2, 3, 3),
}
INPUT_SHAPES = {'linear': (2, 5), 'tall_linear': (2, 3), 'conv1d': (2, 3, 6), 'conv2d': (2, 2, 5, 5), 'conv_transpose2d': (2, 2, 3, 3)}


def _pair(kind):
    """The same module in both libraries, ember's weights copied from torch's."""
    theirs = MODULES[kind](torch)
    ours = MODULES[kind](ember)
    ours.load_state_dict({key: ember.tensor(value.numpy()) for key, value in theirs.state_dict().items()})
    return ours, theirs


def _input(kind, seed=0):
    x = np.random.default_rng(seed).standard_normal(INPUT_SHAPES[kind]).astype(np.float32)
    return ember.tensor(x), torch.tensor(x)


def _close(ours, theirs, atol=1e-6, rtol=1e-5):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace('torch', 'ember')
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=atol, rtol=rtol)


def _same_state(ours, theirs, atol=1e-6):
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    for key in theirs_state:
        _close(ours_state[key], theirs_state[key], atol=atol)


def _same_grads(ours, theirs, atol=1e-5):
    ours_params, theirs_params = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, param in theirs_params.items():
        _close(ours_params[name].grad, param.grad, atol=atol)


def _backward(ours, theirs, kind):
    x_ours, x_theirs = _input(kind)
    y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
    _close(y_ours, y_theirs, atol=1e-5)
    (y_ours * y_ours).sum().backward()
    (y_theirs * y_theirs).sum().backward()


def _train(ours, theirs, kind, optimizer_name, steps=3, **options):
    """A few optimizer steps on the same data in both libraries, gradients compared at each."""
    ours_optimizer = getattr(ember.optim, optimizer_name)(ours.parameters(), **options)
    theirs_optimizer = getattr(torch.optim, optimizer_name)(theirs.parameters(), **options)
    for _ in range(steps):
        ours_optimizer.zero_grad()
        theirs_optimizer.zero_grad()
        _backward(ours, theirs, kind)
        _same_grads(ours, theirs, atol=1e-4)
        ours_optimizer.step()
        theirs_optimizer.step()
    _same_state(ours, theirs, atol=1e-5)


# ---- parametrizations.weight_norm ------------------------------------------------------------------
@pytest.mark.parametrize('kind,dim', [('linear', 0), ('linear', 1), ('linear', None), ('linear', -1),
                                      ('conv2d', 0), ('conv2d', 1), ('conv2d', 3), ('conv2d', None),
                                      ('conv_transpose2d', 1), ('conv1d', -2)])
def test_weight_norm_parametrization(kind, dim):
    ours, theirs = _pair(kind)
    assert ember.nn.utils.parametrizations.weight_norm(ours, dim=dim) is ours
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    assert repr(ours) == repr(theirs)
    assert type(ours).__name__ == type(theirs).__name__
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    _same_state(ours, theirs)  # original0 = g (its shape depends on dim), original1 = v
    _close(ours.weight, theirs.weight)
    assert type(ours.weight.grad_fn).__name__ == type(theirs.weight.grad_fn).__name__
    _backward(ours, theirs, kind)
    _same_grads(ours, theirs)


def test_weight_norm_parametrization_trains_like_torch():
    ours, theirs = _pair('conv2d')
    ember.nn.utils.parametrizations.weight_norm(ours)
    torch.nn.utils.parametrizations.weight_norm(theirs)
    _train(ours, theirs, 'conv2d', 'SGD', lr=0.1, momentum=0.9)
    _close(ours.weight, theirs.weight, atol=1e-5)


def test_weight_norm_parametrization_loads_hook_based_state_dict():
    # a checkpoint of the deprecated weight_norm (weight_g, weight_v) loads into the parametrization
    source, _ = _pair('linear')
    with pytest.warns(FutureWarning):
        ember.nn.utils.weight_norm(source)
    ours, theirs = _pair('linear')
    ember.nn.utils.parametrizations.weight_norm(ours)
    torch.nn.utils.parametrizations.weight_norm(theirs)
    state = source.state_dict()
    assert list(state) == ['bias', 'weight_g', 'weight_v']
    ours.load_state_dict(state)
    theirs.load_state_dict({key: torch.tensor(value.numpy()) for key, value in state.items()})
    _same_state(ours, theirs)
    _close(ours.weight, theirs.weight)


def test_remove_weight_norm_parametrization():
    ours, theirs = _pair('linear')
    ember.nn.utils.parametrizations.weight_norm(ours)
    torch.nn.utils.parametrizations.weight_norm(theirs)
    with torch.no_grad():
        theirs.parametrizations.weight.original0.mul_(2)
    with ember.no_grad():
        ours.parametrizations.weight.original0.mul_(2)
    ember.nn.utils.parametrize.remove_parametrizations(ours, 'weight')
    torch.nn.utils.parametrize.remove_parametrizations(theirs, 'weight')
    assert type(ours) is ember.nn.Linear and repr(ours) == repr(theirs)
    assert isinstance(ours.weight, ember.nn.Parameter) and ours.weight.requires_grad
    _same_state(ours, theirs)
    assert not hasattr(ours, 'parametrizations')
    # several originals: they cannot be left unparametrized
    for lib, module in zip((ember, torch), _pair('linear')):
        lib.nn.utils.parametrizations.weight_norm(module)
        with pytest.raises(ValueError, match=r"Cannot leave unparametrized \(`leave_parametrized=False`\)"):
            lib.nn.utils.parametrize.remove_parametrizations(module, 'weight', leave_parametrized=False)


# ---- parametrizations.spectral_norm ----------------------------------------------------------------
@pytest.mark.parametrize('kind', list(MODULES))
def test_spectral_norm_parametrization(kind):
    ours, theirs = _pair(kind)
    ember.manual_seed(7)
    torch.manual_seed(7)
    assert ember.nn.utils.parametrizations.spectral_norm(ours) is ours
    torch.nn.utils.parametrizations.spectral_norm(theirs)
    assert repr(ours) == repr(theirs)
    # _u and _v: drawn from the seeded RNG, then 15 power iterations
    _same_state(ours, theirs)
    ours_norm, theirs_norm = ours.parametrizations.weight[0], theirs.parametrizations.weight[0]
    for step in range(3):
        # each training-mode access is one more power iteration
        _close(ours.weight, theirs.weight, atol=1e-6)
        _close(ours_norm._u, theirs_norm._u)
        _close(ours_norm._v, theirs_norm._v)
    ours.zero_grad()
    theirs.zero_grad()
    _backward(ours, theirs, kind)
    _same_grads(ours, theirs)
    # eval mode leaves the estimates alone
    ours.eval()
    theirs.eval()
    u_before = ours_norm._u.clone()
    _close(ours.weight, theirs.weight)
    np.testing.assert_array_equal(ours_norm._u.numpy(), u_before.numpy())
    _same_state(ours, theirs)


def test_spectral_norm_parametrization_options_and_vector():
    for dim, n_power_iterations in ((1, 1), (-1, 3)):
        ours, theirs = _pair('conv1d')
        ember.manual_seed(1)
        torch.manual_seed(1)
        ember.nn.utils.parametrizations.spectral_norm(ours, n_power_iterations=n_power_iterations, dim=dim, eps=1e-6)
        torch.nn.utils.parametrizations.spectral_norm(theirs, n_power_iterations=n_power_iterations, dim=dim, eps=1e-6)
        _same_state(ours, theirs)
        _close(ours.weight, theirs.weight)
        _same_state(ours, theirs)
    # a 1-D tensor is simply normalized: no buffers
    ours, theirs = _pair('linear')
    ember.nn.utils.parametrizations.spectral_norm(ours, 'bias')
    torch.nn.utils.parametrizations.spectral_norm(theirs, 'bias')
    _same_state(ours, theirs)
    _close(ours.bias, theirs.bias)


def test_spectral_norm_parametrization_trains_like_torch():
    ours, theirs = _pair('linear')
    ember.manual_seed(3)
    torch.manual_seed(3)
    ember.nn.utils.parametrizations.spectral_norm(ours)
    torch.nn.utils.parametrizations.spectral_norm(theirs)
    _train(ours, theirs, 'linear', 'Adam', lr=0.05)


def test_spectral_norm_parametrization_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'weights'"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 3), 'weights')
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got n_power_iterations=0"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 3), n_power_iterations=0)
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\] but got 2\)"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 3), dim=2)


# ---- parametrize: the general mechanism --------------------------------------------------------------
def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

    return Symmetric()


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, X):
            return X / 2

    return Scale()


def _shift(lib):
    class Shift(lib.nn.Module):
        def forward(self, X):
            return X + 1

        def right_inverse(self, X):
            return X - 1

    return Shift()


def _rank_one(lib):
    class RankOne(lib.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0].clone()  # not a projection, but two tensors

    return RankOne()


def _square_pair():
    theirs = torch.nn.Linear(4, 4)
    ours = ember.nn.Linear(4, 4)
    ours.load_state_dict({key: ember.tensor(value.numpy()) for key, value in theirs.state_dict().items()})
    return ours, theirs


def test_register_chained_parametrizations():
    ours, theirs = _square_pair()
    ours_weight, theirs_weight = ours.weight, theirs.weight
    for lib, module in ((ember, ours), (torch, theirs)):
        P = lib.nn.utils.parametrize
        assert not P.is_parametrized(module)
        P.register_parametrization(module, 'weight', _scale(lib))
        P.register_parametrization(module, 'weight', _shift(lib))
        assert P.is_parametrized(module) and P.is_parametrized(module, 'weight')
        assert not P.is_parametrized(module, 'bias')
        assert P.type_before_parametrizations(module) is lib.nn.Linear
    # the original Parameter object is kept (an optimizer built earlier still trains it)
    assert ours.parametrizations.weight.original is ours_weight
    assert repr(ours) == repr(theirs)
    _same_state(ours, theirs)
    _close(ours.weight, theirs.weight)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    ours(ember.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    _same_grads(ours, theirs)
    # assigning goes through right_inverse, into the same original object
    value = np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32)
    ours.weight = ember.tensor(value)
    theirs.weight = torch.tensor(value)
    assert ours.parametrizations.weight.original is ours_weight
    _same_state(ours, theirs)
    _close(ours.weight, theirs.weight)


@pytest.mark.parametrize('leave_parametrized', [True, False])
def test_remove_parametrizations(leave_parametrized):
    ours, theirs = _square_pair()
    ours_weight = ours.weight
    for lib, module in ((ember, ours), (torch, theirs)):
        P = lib.nn.utils.parametrize
        P.register_parametrization(module, 'weight', _scale(lib))
        P.register_parametrization(module, 'bias', _scale(lib))
        P.remove_parametrizations(module, 'weight', leave_parametrized=leave_parametrized)
    assert type(ours).__name__ == 'ParametrizedLinear' and repr(ours) == repr(theirs)
    assert ours.weight is ours_weight and isinstance(ours.weight, ember.nn.Parameter)
    _same_state(ours, theirs)
    ember.nn.utils.parametrize.remove_parametrizations(ours, 'bias', leave_parametrized)
    torch.nn.utils.parametrize.remove_parametrizations(theirs, 'bias', leave_parametrized)
    assert type(ours) is ember.nn.Linear and not hasattr(ours, 'parametrizations')
    assert 'weight' not in type(ours).__dict__
    _same_state(ours, theirs)


def test_parametrization_with_two_originals():
    ours, theirs = _square_pair()
    for lib, module in ((ember, ours), (torch, theirs)):
        lib.nn.utils.parametrize.register_parametrization(module, 'weight', _rank_one(lib))
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    _same_state(ours, theirs)
    _close(ours.weight, theirs.weight)
    ours.weight.sum().backward()
    theirs.weight.sum().backward()
    _close(ours.parametrizations.weight.original0.grad, theirs.parametrizations.weight.original0.grad)
    _close(ours.parametrizations.weight.original1.grad, theirs.parametrizations.weight.original1.grad)
    ember.nn.utils.parametrize.remove_parametrizations(ours, 'weight')
    torch.nn.utils.parametrize.remove_parametrizations(theirs, 'weight')
    assert isinstance(ours.weight, ember.nn.Parameter) and ours.weight.grad_fn is None
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _close(ours.weight, theirs.weight)


def test_parametrize_buffer():
    ours, theirs = ember.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for lib, module in ((ember, ours), (torch, theirs)):
        lib.nn.utils.parametrize.register_parametrization(module, 'running_var', _scale(lib))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    _close(ours.running_var, theirs.running_var)


def test_cached():
    ours, _ = _square_pair()
    P = ember.nn.utils.parametrize
    P.register_parametrization(ours, 'weight', _symmetric(ember))
    assert ours.weight is not ours.weight
    with P.cached():
        first = ours.weight
        assert ours.weight is first
        with P.cached():
            assert ours.weight is first
        assert ours.weight is first
    assert ours.weight is not first


def test_parametrized_module_copy_and_pickle():
    ours, theirs = _square_pair()
    for lib, module in ((ember, ours), (torch, theirs)):
        lib.nn.utils.parametrize.register_parametrization(module, 'weight', _scale(lib))
    replica = copy.deepcopy(ours)
    assert type(replica) is type(ours) and repr(replica) == repr(ours)
    _close(replica.weight, ours.weight)
    assert replica.parametrizations.weight.original is not ours.parametrizations.weight.original
    for module in (ours, theirs):
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through "
                                               r"state_dict\(\)"):
            pickle.dumps(module)


def test_parametrize_errors():
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize
        module = lib.nn.Linear(4, 4)
        with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with "
                                             "name 'weights'"):
            P.register_parametrization(module, 'weights', _scale(lib))
        with pytest.raises(ValueError, match="does not have a parametrization on weight"):
            P.remove_parametrizations(module, 'weight')

        class Flatten(lib.nn.Module):
            def forward(self, X):
                return X.reshape(-1)

        with pytest.raises(ValueError, match="may not change the shape of the tensor, unless `unsafe` flag is "
                                             "enabled.\nunparametrized shape: .*4, 4.*\nparametrized shape: .*16"):
            P.register_parametrization(module, 'weight', Flatten())
        assert not P.is_parametrized(module)  # a failed registration leaves the module as it was
        P.register_parametrization(module, 'weight', Flatten(), unsafe=True)
        assert tuple(module.weight.shape) == (16,)

        class ToDouble(lib.nn.Module):
            def forward(self, X):
                return X.double()

        module = lib.nn.Linear(4, 4)
        with pytest.raises(ValueError, match="may not change the dtype"):
            P.register_parametrization(module, 'weight', ToDouble())
        P.register_parametrization(module, 'weight', _scale(lib))
        with pytest.raises(ValueError, match="may not change the dtype of the tensor, unless the `unsafe` flag"):
            P.register_parametrization(module, 'weight', ToDouble())
        with pytest.raises(RuntimeError, match="parametrization Symmetric does not implement right_inverse"):
            P.register_parametrization(module, 'weight', _symmetric(lib))
            module.weight = lib.zeros(4, 4)

        class NotATensor(lib.nn.Module):
            def forward(self, X):
                return X

            def right_inverse(self, X):
                return 3

        with pytest.raises(ValueError, match="'right_inverse' must return a Tensor or a Sequence of tensors "
                                             r"\(list, tuple...\). Got int"):
            P.register_parametrization(lib.nn.Linear(2, 2), 'weight', NotATensor())
        # a parametrized tensor cannot be replaced by a Parameter
        with pytest.raises(KeyError, match="attribute 'weight' already exists"):
            module.weight = lib.nn.Parameter(lib.zeros(4, 4))


# ---- the hook-based nn.utils.weight_norm ----------------------------------------------------------
@pytest.mark.parametrize('kind,dim', [('linear', 0), ('linear', None), ('conv2d', 1), ('conv2d', 0),
                                      ('conv_transpose2d', 2)])
def test_hook_weight_norm(kind, dim):
    ours, theirs = _pair(kind)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated in favor of "
                                           "`torch.nn.utils.parametrizations.weight_norm`."):
        assert ember.nn.utils.weight_norm(ours, dim=dim) is ours
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        torch.nn.utils.weight_norm(theirs, dim=dim)
    assert repr(ours) == repr(theirs)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    _same_state(ours, theirs)
    # weight is a plain attribute, there before the first forward
    assert not isinstance(ours.weight, ember.nn.Parameter)
    _close(ours.weight, theirs.weight)
    _train(ours, theirs, kind, 'SGD', steps=2, lr=0.1)
    assert ember.nn.utils.remove_weight_norm(ours) is ours
    torch.nn.utils.remove_weight_norm(theirs)
    assert isinstance(ours.weight, ember.nn.Parameter)
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    _same_state(ours, theirs, atol=1e-5)
    assert not ours._forward_pre_hooks


def test_hook_weight_norm_errors():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        for lib in (ember, torch):
            module = lib.nn.utils.weight_norm(lib.nn.Linear(2, 3))
            with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
                lib.nn.utils.weight_norm(module)
            with pytest.raises(ValueError, match="weight_norm of 'bias' not found in Linear"):
                lib.nn.utils.remove_weight_norm(module, 'bias')
            with pytest.raises(AttributeError):
                lib.nn.utils.weight_norm(lib.nn.Linear(2, 3), 'weights')


# ---- the hook-based nn.utils.spectral_norm --------------------------------------------------------
@pytest.mark.parametrize('kind', list(MODULES))
def test_hook_spectral_norm(kind):
    ours, theirs = _pair(kind)
    ember.manual_seed(11)
    torch.manual_seed(11)
    assert ember.nn.utils.spectral_norm(ours) is ours
    torch.nn.utils.spectral_norm(theirs)
    assert repr(ours) == repr(theirs)
    state = ours.state_dict()
    assert state._metadata == theirs.state_dict()._metadata  # spectral_norm: {'weight.version': 1}
    _same_state(ours, theirs)  # weight_orig, weight_u, weight_v (random, not yet iterated)
    _close(ours.weight, theirs.weight)
    for _ in range(3):
        # training: one power iteration per forward, weight_u and weight_v updated in place
        _backward(ours, theirs, kind)
        _same_state(ours, theirs)
        _close(ours.weight, theirs.weight)
    _same_grads(ours, theirs, atol=1e-4)
    ours.eval()
    theirs.eval()
    u_before = ours.weight_u.clone()
    _backward(ours, theirs, kind)
    np.testing.assert_array_equal(ours.weight_u.numpy(), u_before.numpy())
    # a state dict round trip (with its version metadata) into a fresh spectral-normed module
    fresh, _ = _pair(kind)
    ember.nn.utils.spectral_norm(fresh)
    fresh.load_state_dict(ours.state_dict())
    fresh.eval()
    _close(fresh(_input(kind)[0]), ours(_input(kind)[0]))
    assert ember.nn.utils.remove_spectral_norm(ours) is ours
    torch.nn.utils.remove_spectral_norm(theirs)
    assert isinstance(ours.weight, ember.nn.Parameter)
    _same_state(ours, theirs)
    assert ours.state_dict()._metadata == theirs.state_dict()._metadata
    assert not ours._forward_pre_hooks and not ours._state_dict_hooks and not ours._load_state_dict_pre_hooks


def test_hook_spectral_norm_loads_version_0_state_dict():
    # before version 1 the state dict held `weight` (W_orig / sigma) instead of `weight_v`, which is
    # then solved for (through pinverse(W^T W): a tall weight keeps that well conditioned)
    states = []
    for lib, module in zip((ember, torch), _pair('tall_linear')):
        lib.manual_seed(2)
        lib.nn.utils.spectral_norm(module)
        module(_input('tall_linear')[0 if lib is ember else 1])
        state = module.state_dict()
        state['weight'] = module.weight.detach()
        del state['weight_v']
        del state._metadata['']['spectral_norm']
        fresh = MODULES['tall_linear'](lib)
        lib.nn.utils.spectral_norm(fresh)
        fresh.load_state_dict(state)
        states.append(fresh.state_dict())
    for key in states[1]:
        _close(states[0][key], states[1][key], atol=1e-5)


def test_hook_spectral_norm_errors():
    for lib in (ember, torch):
        module = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3))
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on the same parameter weight"):
            lib.nn.utils.spectral_norm(module)
        with pytest.raises(ValueError, match="spectral_norm of 'bias' not found in Linear"):
            lib.nn.utils.remove_spectral_norm(module, 'bias')
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3), n_power_iterations=0)
        with pytest.raises(ValueError, match="`SpectralNorm` cannot be applied as parameter `bias` is None"):
            lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3, bias=False), 'bias')
        with pytest.raises(KeyError):
            lib.nn.utils.spectral_norm(lib.nn.Linear(2, 3), 'weights')


def test_nn_utils_exports():
    for name in ('weight_norm', 'remove_weight_norm', 'spectral_norm', 'remove_spectral_norm', 'parametrize',
                 'parametrizations'):
        assert name in ember.nn.utils.__all__
    assert callable(ember.nn.utils.weight_norm) and callable(ember.nn.utils.spectral_norm)
    assert ember.nn.utils.parametrizations.weight_norm is not ember.nn.utils.weight_norm
    for name in torch.nn.utils.parametrize.__all__:
        assert hasattr(ember.nn.utils.parametrize, name), name
