"""Lazy modules against PyTorch's: the seeded parameters drawn at the first forward, the class they
become, reprs and state_dicts before and after, loading in both directions, and the errors of an
uninitialized parameter."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn


def _numpy(t):
    return t.detach().numpy()


# (constructor, input shape): the in-size is read from dim -1 (Linear) or the channel dim
LAZY_CASES = [
    (lambda nn: nn.LazyLinear(5), (3, 4)),
    (lambda nn: nn.LazyLinear(2, bias=False), (2, 3, 6)),
    (lambda nn: nn.LazyConv1d(4, 3, padding=1), (2, 3, 7)),
    (lambda nn: nn.LazyConv2d(6, (3, 2), stride=2, groups=2), (2, 4, 7, 6)),
    (lambda nn: nn.LazyConv2d(3, 3), (2, 5, 5)),  # unbatched: in_channels from dim 0
    (lambda nn: nn.LazyConv3d(2, 2, bias=False), (1, 2, 3, 4, 4)),
    (lambda nn: nn.LazyConvTranspose1d(3, 2, stride=2), (2, 4, 5)),
    (lambda nn: nn.LazyConvTranspose2d(4, 3, groups=2), (1, 2, 4, 4)),
    (lambda nn: nn.LazyConvTranspose3d(2, 2), (1, 3, 2, 3, 3)),
    (lambda nn: nn.LazyBatchNorm1d(), (4, 3)),
    (lambda nn: nn.LazyBatchNorm2d(momentum=None, affine=False), (3, 2, 4, 4)),
    (lambda nn: nn.LazyBatchNorm3d(track_running_stats=False), (2, 3, 2, 2, 2)),
    (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 6)),
    (lambda nn: nn.LazyInstanceNorm2d(track_running_stats=False), (2, 3, 4, 4)),
    (lambda nn: nn.LazyInstanceNorm3d(bias=False), (2, 2, 3, 3, 3)),
]


@pytest.mark.parametrize('make,shape', LAZY_CASES, ids=[f"case{i}" for i in range(len(LAZY_CASES))])
def test_first_forward_initialises_like_torch(make, shape):
    theirs, ours = make(torch.nn), make(nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [type(v).__name__ for v in ours.state_dict().values()] == \
        [type(v).__name__ for v in theirs.state_dict().values()]
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    torch.manual_seed(3)
    expected = theirs(torch.tensor(x, requires_grad=True))
    ember.manual_seed(3)
    output = ours(ember.tensor(x, requires_grad=True))
    assert type(ours).__name__ == type(theirs).__name__ and not type(ours).__name__.startswith('Lazy')
    assert repr(ours) == repr(theirs)
    assert not hasattr(ours, '_initialize_hook') and not ours._forward_pre_hooks
    for (name, p), (their_name, q) in zip(ours.state_dict(keep_vars=True).items(),
                                          theirs.state_dict(keep_vars=True).items()):
        assert name == their_name and type(p).__name__ == type(q).__name__
        if isinstance(q, torch.nn.Parameter):
            np.testing.assert_array_equal(_numpy(p), _numpy(q), err_msg=name)  # the same seeded draws
        else:  # the running statistics, updated by the forward
            np.testing.assert_allclose(_numpy(p), _numpy(q), rtol=1e-6, atol=1e-7, err_msg=name)
    np.testing.assert_allclose(_numpy(output), _numpy(expected), rtol=1e-5, atol=1e-5)
    output.sum().backward()
    expected.sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_parameters_keep_their_identity_so_an_early_optimizer_trains_them():
    model = nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(1))
    their_model = torch.nn.Sequential(torch.nn.LazyLinear(3), torch.nn.ReLU(), torch.nn.LazyLinear(1))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)  # before the first forward, as PyTorch allows
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    ember.manual_seed(0)
    torch.manual_seed(0)
    for _ in range(2):
        optimizer.zero_grad()
        model(ember.tensor(x)).square().mean().backward()
        optimizer.step()
        their_model.zero_grad()
        their_model(torch.tensor(x)).square().mean().backward()
        with torch.no_grad():  # plain SGD by hand (importing torch.optim costs seconds)
            for q in their_model.parameters():
                q -= 0.1 * q.grad
    for p, q in zip(model.parameters(), their_model.parameters()):
        np.testing.assert_allclose(_numpy(p), _numpy(q), rtol=1e-5, atol=1e-6)


def test_uninitialized_parameter_behaviour():
    param, their_param = nn.LazyLinear(3).weight, torch.nn.LazyLinear(3).weight
    assert isinstance(param, nn.UninitializedParameter) and isinstance(param, nn.Parameter)
    assert repr(param) == repr(their_param) == '<UninitializedParameter>'
    assert param.requires_grad and param.dtype == ember.float32 and str(param.device) == 'cpu'
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        param.shape
    for use in (lambda p: p.exp(), lambda p: p.sum(), lambda p: p.matmul(p)):
        with pytest.raises(ValueError, match='Attempted to use an uninitialized parameter'):
            use(param)
        with pytest.raises(ValueError, match='Attempted to use an uninitialized parameter'):
            use(their_param)
    param.materialize((2, 3), dtype=ember.float64)
    assert type(param) is nn.Parameter and param.shape == (2, 3) and param.dtype == ember.float64
    buffer = nn.UninitializedBuffer()
    assert isinstance(buffer, nn.Buffer) and not buffer.requires_grad
    buffer.materialize((4,))
    assert type(buffer) is ember.Tensor and buffer.shape == (4,)


def test_dtype_conversion_copy_and_pickle_before_the_first_forward():
    model = nn.LazyLinear(2).double()
    assert isinstance(model.weight, nn.UninitializedParameter) and model.weight.dtype == ember.float64
    clone = copy.deepcopy(model)
    assert isinstance(clone.weight, nn.UninitializedParameter) and clone.weight is not model.weight
    assert clone.weight.dtype == ember.float64
    restored = pickle.loads(pickle.dumps(nn.LazyLinear(2).weight))
    assert isinstance(restored, nn.UninitializedParameter)
    assert model(ember.ones(1, 3, dtype=ember.float64)).dtype == ember.float64


def test_state_dict_loads_both_ways():
    torch.manual_seed(0)
    their_conv = torch.nn.Conv2d(3, 4, 3)
    lazy = nn.LazyConv2d(4, 3)
    lazy.load_state_dict({k: ember.tensor(v.numpy()) for k, v in their_conv.state_dict().items()})
    # loading materializes the parameters; the module turns into Conv2d at its first forward
    assert type(lazy.weight) is nn.Parameter and lazy.weight.shape == (4, 3, 3, 3)
    x = np.random.default_rng(2).normal(size=(1, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(_numpy(lazy(ember.tensor(x))), _numpy(their_conv(torch.tensor(x))), rtol=1e-5,
                               atol=1e-6)
    assert type(lazy) is nn.Conv2d
    their_lazy = torch.nn.LazyConv2d(4, 3)
    their_lazy.load_state_dict({k: torch.tensor(v.numpy()) for k, v in lazy.state_dict().items()})
    np.testing.assert_array_equal(_numpy(their_lazy.weight), _numpy(lazy.weight))
    # an uninitialized state_dict cannot be loaded into an initialized module
    with pytest.raises(RuntimeError, match="Can't access the shape"):
        nn.Linear(2, 3).load_state_dict(nn.LazyLinear(3).state_dict())
    with pytest.raises(RuntimeError, match="Can't access the shape"):
        torch.nn.Linear(2, 3).load_state_dict(torch.nn.LazyLinear(3).state_dict())


def test_lazy_batchnorm_state_dict_and_errors():
    norm = nn.LazyBatchNorm1d()
    assert [type(v).__name__ for v in norm.state_dict().values()] == \
        ['UninitializedParameter', 'UninitializedParameter', 'UninitializedBuffer', 'UninitializedBuffer', 'Tensor']
    with pytest.raises(RuntimeError, match=r'Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d'):
        nn.LazyConv2d(2, 1)(ember.ones(2, 3))
    with pytest.raises(RuntimeError, match=r'Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d'):
        torch.nn.LazyConv2d(2, 1)(torch.ones(2, 3))
    with pytest.raises(ValueError, match='in_channels must be divisible by groups'):
        nn.LazyConv1d(4, 1, groups=2)(ember.ones(1, 3, 4))
    with pytest.raises(ValueError, match='in_channels must be divisible by groups'):
        torch.nn.LazyConv1d(4, 1, groups=2)(torch.ones(1, 3, 4))
    with pytest.raises(RuntimeError, match="can't be used with `DataParallel`"):
        nn.LazyLinear(2)._replicate_for_data_parallel()
