"""The less common layers against PyTorch, for what the module and op tables cannot express: seeded
random draws (FractionalMaxPool, gumbel_softmax), AdaptiveLogSoftmaxWithLoss's extra methods,
SyncBatchNorm in one process, CrossMapLRN2d's hand-written gradient, the deprecated Container,
nn.attention and nn.grad, and the constructors' errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F


def _numpy(t):
    return t.detach().numpy()


def _same_error(ours, theirs, match=None):
    """Both calls raise the same exception type (and message, when `match` is given)."""
    with pytest.raises(Exception) as their_error:
        theirs()
    with pytest.raises(type(their_error.value), match=match):
        ours()


# ---- fractional max pooling: the random windows are drawn as PyTorch draws them ------------------
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('nd,shape,kwargs', [
    (2, (2, 3, 9, 8), dict(kernel_size=3, output_ratio=(0.5, 0.6))),
    (2, (3, 7, 7), dict(kernel_size=(2, 3), output_size=4)),
    (3, (2, 2, 7, 8, 9), dict(kernel_size=(2, 3, 2), output_size=(4, 3, 5))),
    (3, (2, 5, 6, 7), dict(kernel_size=2, output_ratio=0.5)),
])
def test_fractional_max_pool_seeded_matches_torch(nd, shape, kwargs, dtype):
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    ours_in, theirs_in = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_layer = getattr(nn, f'FractionalMaxPool{nd}d')(return_indices=True, **kwargs)
    theirs_layer = getattr(torch.nn, f'FractionalMaxPool{nd}d')(return_indices=True, **kwargs)
    assert repr(ours_layer) == repr(theirs_layer)
    ember.manual_seed(7)
    torch.manual_seed(7)
    (output, indices), (expected, expected_indices) = ours_layer(ours_in), theirs_layer(theirs_in)
    np.testing.assert_array_equal(_numpy(output), _numpy(expected))
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    assert indices.dtype == ember.int64 and type(output.grad_fn).__name__ == type(expected.grad_fn).__name__
    # the random stream moved on by the same amount
    np.testing.assert_array_equal(ember.rand(3).numpy(), torch.rand(3).numpy())
    weights = np.random.default_rng(1).uniform(size=tuple(expected.shape)).astype(dtype)
    (output * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-6)  # (overlapping windows add up)


def test_fractional_max_pool_ties_and_nan_pick_torchs_element():
    x = np.zeros((1, 2, 6, 6), dtype=np.float32)
    x[0, 1, 2, 3] = x[0, 1, 4, 1] = np.nan
    samples = np.array([[[0.3, 0.8], [0.5, 0.1]]], dtype=np.float32)
    ours = F.fractional_max_pool2d(ember.tensor(x), 3, output_size=3, return_indices=True,
                                   _random_samples=ember.tensor(samples))
    theirs = torch.nn.functional.fractional_max_pool2d(torch.tensor(x), 3, output_size=3, return_indices=True,
                                                       _random_samples=torch.tensor(samples))
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())


def test_fractional_max_pool_errors():
    x = ember.randn(2, 3, 7, 7)
    tx = torch.randn(2, 3, 7, 7)
    for kwargs in [dict(), dict(output_size=2, output_ratio=0.5), dict(output_ratio=1.5)]:
        _same_error(lambda: nn.FractionalMaxPool2d(2, **kwargs), lambda: torch.nn.FractionalMaxPool2d(2, **kwargs))
    _same_error(lambda: nn.FractionalMaxPool3d(0, output_size=2),
                lambda: torch.nn.FractionalMaxPool3d(0, output_size=2),
                'kernel_size must be greater than 0')
    _same_error(lambda: F.fractional_max_pool2d(x, 2, output_size=7),
                lambda: torch.nn.functional.fractional_max_pool2d(tx, 2, output_size=7),
                'pool height 2 too large relative to input height 7')
    _same_error(lambda: F.fractional_max_pool2d(x, 2), lambda: torch.nn.functional.fractional_max_pool2d(tx, 2),
                'requires specifying either an output_size or an output_ratio')
    for samples in [(1, 3, 2), (2, 4, 2), (2, 3, 3)]:
        _same_error(lambda: F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ember.rand(*samples)),
                    lambda: torch.nn.functional.fractional_max_pool2d(tx, 2, output_size=3,
                                                                      _random_samples=torch.rand(*samples)),
                    r'Expect _random_samples\.size')
    _same_error(lambda: F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=ember.rand(2, 3, 2).double()),
                lambda: torch.nn.functional.fractional_max_pool2d(tx, 2, output_size=3,
                                                                  _random_samples=torch.rand(2, 3, 2).double()),
                'same dtype as input')


# ---- Gumbel-softmax -----------------------------------------------------------------------------------
@pytest.mark.parametrize('hard', [False, True])
@pytest.mark.parametrize('dim', [-1, 0])
def test_gumbel_softmax_seeded_matches_torch(hard, dim):
    logits = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    ours_in, theirs_in = ember.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ember.manual_seed(11)
    torch.manual_seed(11)
    ours = F.gumbel_softmax(ours_in, tau=0.5, hard=hard, dim=dim)
    theirs = torch.nn.functional.gumbel_softmax(theirs_in, tau=0.5, hard=hard, dim=dim)
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=1e-5, atol=1e-6)
    weights = np.arange(24, dtype=np.float32).reshape(4, 6)
    (ours * ember.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-4, atol=1e-5)
    with pytest.warns(UserWarning, match='`eps` parameter is deprecated'):
        F.gumbel_softmax(ours_in, eps=1e-5)


# ---- AdaptiveLogSoftmaxWithLoss ------------------------------------------------------------------------
def _adaptive_pair(**kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10, 15], **kwargs)
    ember.manual_seed(0)
    ours = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10, 15], **kwargs)
    return ours, theirs


def test_adaptive_log_softmax_initialises_predicts_and_scores_like_torch():
    ours, theirs = _adaptive_pair(div_value=2.0, head_bias=True)
    assert repr(ours) == repr(theirs)
    for (name, p), (their_name, q) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert name == their_name
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)  # seeded init, in torch's order
    x = np.random.default_rng(3).normal(size=(7, 8)).astype(np.float32) * 3
    np.testing.assert_allclose(_numpy(ours.log_prob(ember.tensor(x))), _numpy(theirs.log_prob(torch.tensor(x))),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.predict(ember.tensor(x)).numpy(), theirs.predict(torch.tensor(x)).numpy())
    # one 1-d input and a 0-d target: outputs without the batch dim
    ours_result = ours(ember.tensor(x[0]), ember.tensor(13))
    theirs_result = theirs(torch.tensor(x[0]), torch.tensor(13))
    assert type(ours_result).__name__ == '_ASMoutput' and ours_result._fields == ('output', 'loss')
    assert ours_result.output.shape == theirs_result.output.shape == ()
    np.testing.assert_allclose(_numpy(ours_result.loss), _numpy(theirs_result.loss), rtol=1e-5)


def test_adaptive_log_softmax_errors():
    ours, theirs = _adaptive_pair(div_value=2.0)
    cases = [((3, 8), [1, 2]), ((3, 8), [1, 2, 20]), ((2, 8), [[1], [2]]), ((8,), [2]), ((2, 3, 8), [1, 2])]
    for shape, target in cases:
        _same_error(lambda: ours(ember.zeros(shape), ember.tensor(target)),
                    lambda: theirs(torch.zeros(shape), torch.tensor(target)))
    for cutoffs in [[], [3, 2], [0], [20], [3, 3], [2.5]]:
        _same_error(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs),
                    lambda: torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs), 'cutoffs should be a sequence')


# ---- SyncBatchNorm in one process -------------------------------------------------------------------------
def test_sync_batchnorm_alone_is_batchnorm():
    ours, theirs = nn.SyncBatchNorm(3, momentum=None), torch.nn.SyncBatchNorm(3, momentum=None)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32)
    for _ in range(2):
        np.testing.assert_allclose(_numpy(ours(ember.tensor(x))), _numpy(theirs(torch.tensor(x))), rtol=1e-5,
                                   atol=1e-6)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).numpy(), buffer.numpy(), rtol=1e-6, err_msg=name)
    _same_error(lambda: ours(ember.zeros(3)), lambda: theirs(torch.zeros(3)), 'expected at least 2D input')
    _same_error(lambda: nn.SyncBatchNorm(0)(ember.zeros(3, 0)), lambda: torch.nn.SyncBatchNorm(0)(torch.zeros(3, 0)),
                'number of input channels should be non-zero')


def test_convert_sync_batchnorm_replaces_nested_batchnorms_and_shares_state():
    model = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.Sequential(nn.BatchNorm1d(4, affine=False)))
    model.eval()
    batchnorm = model[1]
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model, process_group='group')
    theirs = torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), torch.nn.BatchNorm2d(3),
                            torch.nn.Sequential(torch.nn.BatchNorm1d(4, affine=False))))
    assert repr(converted) == repr(theirs)
    assert type(converted[1]) is nn.SyncBatchNorm and converted[1].process_group == 'group'
    assert converted[1].weight is batchnorm.weight and converted[1].running_mean is batchnorm.running_mean
    assert not converted[1].training and converted[2][0].weight is None
    single = nn.BatchNorm1d(2)
    assert type(nn.SyncBatchNorm.convert_sync_batchnorm(single)) is nn.SyncBatchNorm


# ---- CrossMapLRN2d: PyTorch's forward and its hand-written backward ---------------------------------------
@pytest.mark.parametrize('size', [1 + 1, 3, 4, 5])
def test_cross_map_lrn2d_matches_torch(size):
    x = np.random.default_rng(size).normal(size=(2, 7, 3, 4))
    grad = np.random.default_rng(0).normal(size=(2, 7, 3, 4))
    ours_in, theirs_in = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_layer = nn.CrossMapLRN2d(size, alpha=0.3, beta=0.8, k=1.5)
    theirs_layer = torch.nn.CrossMapLRN2d(size, alpha=0.3, beta=0.8, k=1.5)
    assert repr(ours_layer) == repr(theirs_layer)
    ours, theirs = ours_layer(ours_in), theirs_layer(theirs_in)
    np.testing.assert_allclose(_numpy(ours), _numpy(theirs), rtol=1e-12, atol=1e-12)
    ours.backward(ember.tensor(grad))
    theirs.backward(torch.tensor(grad))
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-12, atol=1e-12)
    _same_error(lambda: ours_layer(ember.zeros(2, 3, 4)), lambda: theirs_layer(torch.zeros(2, 3, 4)),
                'Expected input to be 4D, got 3D instead')


# ---- small ones -------------------------------------------------------------------------------------------------
def test_channel_shuffle_layer_and_functions():
    assert repr(nn.ChannelShuffle(3)) == repr(torch.nn.ChannelShuffle(3))
    x = np.arange(2 * 6 * 2, dtype=np.float32).reshape(2, 6, 2)
    for ours, theirs in [(nn.ChannelShuffle(3), torch.nn.ChannelShuffle(3)),
                         (ember.channel_shuffle, torch.channel_shuffle),
                         (F.native_channel_shuffle, torch.nn.functional.native_channel_shuffle)]:
        call = (lambda f, m, t: f(t)) if isinstance(ours, nn.Module) else (lambda f, m, t: f(t, 3))
        np.testing.assert_array_equal(call(ours, ember, ember.tensor(x)).numpy(),
                                      call(theirs, torch, torch.tensor(x)).numpy())


def test_container_is_deprecated_and_holds_its_keyword_modules():
    with pytest.warns(FutureWarning, match='`nn.Container` is deprecated'):
        container = nn.Container(first=nn.Linear(2, 3), second=nn.ReLU())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        theirs = torch.nn.Container(first=torch.nn.Linear(2, 3), second=torch.nn.ReLU())
    assert repr(container) == repr(theirs)
    assert list(container.state_dict()) == list(theirs.state_dict())


def test_sdpa_kernel_accepts_backends_and_changes_nothing():
    from ember.nn.attention import SDPBackend, sdpa_kernel
    from torch.nn.attention import SDPBackend as TorchBackend
    assert [(b.name, int(b)) for b in SDPBackend] == sorted(
        ((name, int(getattr(TorchBackend, name))) for name in dir(TorchBackend) if name.isupper()),
        key=lambda item: item[1])
    assert str(SDPBackend.MATH) == str(TorchBackend.MATH) and repr(SDPBackend.MATH) == repr(TorchBackend.MATH)
    q = ember.randn(1, 2, 3, 4)
    expected = F.scaled_dot_product_attention(q, q, q)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH]) as context:
        assert context == {}
        np.testing.assert_array_equal(F.scaled_dot_product_attention(q, q, q).numpy(), expected.numpy())
    with sdpa_kernel(SDPBackend.MATH, set_priority=True):
        pass
    _same_error(lambda: sdpa_kernel('math').__enter__(), lambda: torch.nn.attention.sdpa_kernel('math').__enter__(),
                'Backend must be an instance of SDPBackend')


@pytest.mark.parametrize('nd', [1, 2, 3])
def test_nn_grad_matches_torch(nd):
    rng = np.random.default_rng(nd)
    input_size, weight_size = (2, 4) + (7, 6, 5)[:nd], (6, 2) + (3, 2, 3)[:nd]
    kwargs = dict(stride=2, padding=1, dilation=1, groups=2)
    x, w = rng.normal(size=input_size), rng.normal(size=weight_size)
    out = getattr(torch.nn.functional, f'conv{nd}d')(torch.tensor(x), torch.tensor(w), **kwargs)
    g = rng.normal(size=tuple(out.shape))
    ours = getattr(nn.grad, f'conv{nd}d_input')(input_size, ember.tensor(w), ember.tensor(g), **kwargs)
    theirs = getattr(torch.nn.grad, f'conv{nd}d_input')(input_size, torch.tensor(w), torch.tensor(g), **kwargs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    ours = getattr(nn.grad, f'conv{nd}d_weight')(ember.tensor(x), weight_size, ember.tensor(g), **kwargs)
    theirs = getattr(torch.nn.grad, f'conv{nd}d_weight')(torch.tensor(x), weight_size, torch.tensor(g), **kwargs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)
    assert not ours.requires_grad


def test_common_types_names():
    from ember.nn import common_types
    from torch.nn import common_types as torch_common_types
    aliases = {name for name in dir(torch_common_types) if name.startswith(('_size', '_ratio', '_scalar_or_tuple'))}
    assert aliases <= set(dir(common_types))
