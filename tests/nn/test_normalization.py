"""Normalization layers: behaviour the tables can't express — reprs, buffer registration, running
statistics over several steps, train/eval switches, errors and warnings, graph node names and
second derivatives, all checked against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember

LAYERS = [
    lambda nn: nn.BatchNorm1d(3),
    lambda nn: nn.BatchNorm2d(6, eps=1e-3, momentum=None, affine=False),
    lambda nn: nn.BatchNorm3d(4, track_running_stats=False, bias=False),
    lambda nn: nn.InstanceNorm1d(3),
    lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda nn: nn.InstanceNorm3d(2, momentum=0.2),
    lambda nn: nn.LayerNorm(4),
    lambda nn: nn.LayerNorm([3, 4], elementwise_affine=False),
    lambda nn: nn.LayerNorm((2, 3), eps=1e-6, bias=False),
    lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.GroupNorm(3, 6, eps=1e-3, affine=False),
    lambda nn: nn.LocalResponseNorm(2),
    lambda nn: nn.LocalResponseNorm(5, alpha=1e-3, beta=0.5, k=2.0),
    lambda nn: nn.RMSNorm(4),
    lambda nn: nn.RMSNorm([3, 4], eps=1e-5, elementwise_affine=False),
]


@pytest.mark.parametrize('make', LAYERS)
def test_repr_parameters_and_buffers_match_torch(make):
    ours, theirs = make(ember.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, mine), (_, reference) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert str(mine.dtype).split('.')[-1] == str(reference.dtype).split('.')[-1], name
        np.testing.assert_array_equal(mine.numpy(), reference.numpy(), err_msg=name)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, b in ours.named_buffers()] == [n for n, b in theirs.named_buffers()]


def _pair(make, seed=0):
    torch.manual_seed(seed)
    theirs = make(torch.nn)
    ours = make(ember.nn)
    ours.load_state_dict({k: ember.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize('make,shape', [
    (lambda nn: nn.BatchNorm2d(3), (4, 3, 2, 2)),
    (lambda nn: nn.BatchNorm1d(3, momentum=None), (5, 3)),
    (lambda nn: nn.InstanceNorm1d(3, momentum=None, track_running_stats=True), (2, 3, 4)),
    (lambda nn: nn.InstanceNorm2d(2, affine=True, track_running_stats=True), (3, 2, 2, 3)),
])
def test_running_statistics_over_several_steps_then_eval(make, shape):
    ours, theirs = _pair(make)
    rng = np.random.default_rng(0)
    for step in range(4):
        x = rng.normal(step, 1 + step, shape).astype(np.float32)
        np.testing.assert_allclose(ours(ember.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                                   atol=1e-5, rtol=1e-4)
    for (name, mine), (_, reference) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), atol=1e-5, rtol=1e-4, err_msg=name)
    # batch norm counts the batches, instance norm (like PyTorch's) does not
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)
    ours.eval()
    theirs.eval()
    x = rng.normal(0, 1, shape).astype(np.float32)
    np.testing.assert_allclose(ours(ember.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-5, rtol=1e-4)
    # eval leaves the statistics alone
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)


def test_eval_forward_does_not_touch_running_statistics():
    bn = ember.nn.BatchNorm1d(2).eval()
    bn(ember.randn(4, 2))
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0, 0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [1, 1])
    assert int(bn.num_batches_tracked) == 0


def test_old_checkpoint_without_num_batches_tracked_loads():
    bn = ember.nn.BatchNorm1d(2)
    state = bn.state_dict()
    del state['num_batches_tracked']
    state._metadata[''] = {'version': 1}
    bn.load_state_dict(state)
    assert int(bn.num_batches_tracked) == 0


@pytest.mark.parametrize('call', [
    lambda m: m.nn.BatchNorm1d(3)(m.ones(1, 3)),
    lambda m: m.nn.BatchNorm2d(3)(m.ones(2, 3, 4)),
    lambda m: m.nn.BatchNorm1d(3)(m.ones(2, 3, 4, 5)),
    lambda m: m.nn.BatchNorm3d(3)(m.ones(2, 3, 4, 5)),
    lambda m: m.nn.GroupNorm(2, 3),
    lambda m: m.nn.InstanceNorm1d(3, affine=True)(m.ones(2, 4, 5)),
    lambda m: m.nn.InstanceNorm2d(3)(m.ones(3, 4)),
    lambda m: m.nn.LayerNorm(4)(m.ones(4, 5)),
    lambda m: m.nn.LayerNorm(5)(m.ones(4, 5, dtype=m.float64)),
    lambda m: m.nn.GroupNorm(2, 4)(m.ones(2, 6, 3)),
    lambda m: m.nn.RMSNorm(3)(m.ones(2, 4)),
    lambda m: m.nn.LocalResponseNorm(2)(m.ones(2, 3)),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ember)
    assert type(ours.value) is type(theirs.value) or type(ours.value).__name__ == type(theirs.value).__name__
    # the same words; only the library's name in a printed Size may differ
    assert str(ours.value).replace('ember.', 'torch.') == str(theirs.value)


def test_instance_norm_channel_mismatch_warns_without_affine():
    with pytest.warns(UserWarning, match="does not match num_features"):
        ember.nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))


GRAPH_CASES = [
    lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, training=True),
    lambda m, x, w, b: m.nn.functional.batch_norm(x, m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64), w, b),
    lambda m, x, w, b: m.nn.functional.instance_norm(x, weight=w, bias=b),
    lambda m, x, w, b: m.nn.functional.group_norm(x, 3, w, b),
    lambda m, x, w, b: m.nn.functional.layer_norm(x, (5,), w.sum() + x[0, 0], None),
    lambda m, x, w, b: m.nn.functional.rms_norm(x, (5,)),
    lambda m, x, w, b: m.nn.functional.local_response_norm(x, 2),
]


@pytest.mark.parametrize('fn', GRAPH_CASES)
def test_grad_fn_names_and_second_derivatives_match_torch(fn):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=s) for s in ((4, 3, 5), (3,), (3,))]
    weights = rng.uniform(0.5, 1.5, (4, 3, 5))
    grads = {}
    for lib in (torch, ember):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = fn(lib, x, w, b)
        names = []
        node = out.grad_fn
        while node is not None and node.next_functions and len(names) < 3:  # the first nodes of the chain
            names.append(type(node).__name__)
            node = node.next_functions[0][0]
        loss = (out * lib.tensor(weights)).sum()
        first = lib.autograd.grad(loss, (x, w, b), create_graph=True, allow_unused=True)
        # a scalar of the first derivatives, differentiated again
        penalty = sum((g * g).sum() for g in first if g is not None and g.requires_grad)
        second = lib.autograd.grad(penalty, (x, w, b), allow_unused=True) if not isinstance(penalty, int) else ()
        grads[lib.__name__] = names, [None if g is None else g.detach().numpy() for g in first], \
            [None if g is None else g.detach().numpy() for g in second]
    assert grads['ember'][0] == grads['torch'][0]
    for mine, reference in zip(grads['ember'][1] + grads['ember'][2], grads['torch'][1] + grads['torch'][2]):
        if reference is None:
            assert mine is None or not np.any(mine)
        else:
            np.testing.assert_allclose(mine, reference, atol=1e-9, rtol=1e-7)


@pytest.mark.parametrize('fn', [
    lambda m, x, w, b: m.nn.functional.batch_norm(x, None, None, w, b, training=True),
    lambda m, x, w, b: m.nn.functional.layer_norm(x, (2, 3), w.reshape(2, 3), b.reshape(2, 3)),
    lambda m, x, w, b: m.nn.functional.group_norm(x, 3, w[:2].repeat(3), b[:2].repeat(3)),
    lambda m, x, w, b: m.nn.functional.local_response_norm(x, 3, alpha=0.1) * w.sum(),
])
def test_gradgradcheck(fn):
    rng = np.random.default_rng(2)
    inputs = [ember.tensor(rng.normal(size=s), requires_grad=True) for s in ((3, 6, 2, 3), (6,), (6,))]
    assert ember.autograd.gradgradcheck(lambda *a: fn(ember, *a), tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_float32_stays_float32():
    x = ember.randn(4, 3, 5)
    for layer in (ember.nn.BatchNorm1d(3), ember.nn.LayerNorm(5), ember.nn.GroupNorm(3, 3),
                  ember.nn.InstanceNorm1d(3), ember.nn.RMSNorm(5), ember.nn.LocalResponseNorm(2)):
        assert layer(x).dtype == ember.float32
