"""nn.utils.prune compared with torch: the same seeded modules pruned by the same calls must end with
the same masks, weights, gradients, state_dict keys and hooks, and fail with the same errors."""
import numpy as np
import pytest
import torch
import torch.nn.utils.prune as torch_prune

import ember
import ember.nn.utils.prune as ember_prune

LIBS = ((torch, torch_prune), (ember, ember_prune))
INF = float('inf')


def _linear(lib):
    return lib.nn.Linear(6, 4)


def _conv(lib):
    return lib.nn.Conv2d(3, 5, 3)


def _tied_linear(lib):
    """A Linear whose weights repeat (rounded, two rows equal): ties decide what is pruned."""
    module = lib.nn.Linear(8, 6)
    with lib.no_grad():
        module.weight.copy_((module.weight * 4).round() / 4)
        module.weight[3] = module.weight[1]
    return module


def _scores(lib, module):
    """Importance scores unrelated to the weights (seeded numpy, the same for both libraries)."""
    return lib.tensor(np.random.default_rng(1).standard_normal(tuple(module.weight.shape)).astype(np.float32))


# (name, module constructor, the pruning calls made on the module, in order)
CASES = [
    ('identity', _linear, lambda m, p: p.identity(m, 'weight')),
    ('random_unstructured_fraction', _linear, lambda m, p: p.random_unstructured(m, 'weight', amount=0.3)),
    ('random_unstructured_count', _conv, lambda m, p: p.random_unstructured(m, 'weight', amount=17)),
    ('l1_unstructured', _linear, lambda m, p: p.l1_unstructured(m, 'weight', amount=0.5)),
    ('l1_unstructured_bias', _conv, lambda m, p: p.l1_unstructured(m, 'bias', amount=2)),
    ('l1_unstructured_scores', _conv,
     lambda m, p: p.l1_unstructured(m, 'weight', amount=0.4, importance_scores=_scores(_lib_of(p), m))),
    ('l1_unstructured_ties', _tied_linear, lambda m, p: p.l1_unstructured(m, 'weight', amount=0.45)),
    ('l1_unstructured_few_ties', _tied_linear, lambda m, p: p.l1_unstructured(m, 'weight', amount=3)),
    ('random_structured_dim0', _conv, lambda m, p: p.random_structured(m, 'weight', amount=2, dim=0)),
    ('random_structured_dim1', _conv, lambda m, p: p.random_structured(m, 'weight', amount=0.34, dim=1)),
    ('random_structured_dim_last', _linear, lambda m, p: p.random_structured(m, 'weight', amount=0.5, dim=-1)),
    ('ln_structured_l2', _conv, lambda m, p: p.ln_structured(m, 'weight', amount=0.4, n=2, dim=0)),
    ('ln_structured_l1', _conv, lambda m, p: p.ln_structured(m, 'weight', amount=1, n=1, dim=1)),
    ('ln_structured_neg_inf', _conv, lambda m, p: p.ln_structured(m, 'weight', amount=2, n=-INF, dim=-1)),
    ('ln_structured_fro', _linear, lambda m, p: p.ln_structured(m, 'weight', amount=0.5, n='fro', dim=1)),
    ('ln_structured_ties', _tied_linear, lambda m, p: p.ln_structured(m, 'weight', amount=4, n=INF, dim=0)),
    ('ln_structured_scores', _linear,
     lambda m, p: p.ln_structured(m, 'weight', amount=2, n=2, dim=0, importance_scores=_scores(_lib_of(p), m))),
    ('ln_structured_nothing', _linear, lambda m, p: p.ln_structured(m, 'weight', amount=0, n=2, dim=0)),
    ('custom_from_mask', _linear, lambda m, p: p.custom_from_mask(m, 'bias', mask=_lib_of(p).tensor([0, 1, 1, 0]))),
    ('class_apply', _conv, lambda m, p: p.RandomUnstructured.apply(m, 'bias', amount=0.4)),
]


def _lib_of(prune):
    return torch if prune is torch_prune else ember


def _run(module_fn, *steps, seed=0):
    """Build the module in both libraries from the same seed and apply `steps`; returns the modules."""
    modules = []
    for lib, prune in LIBS:
        lib.manual_seed(seed)
        module = module_fn(lib)
        for step in steps:
            step(module, prune)
        modules.append(module)
    return modules


def _assert_same_pruned_state(theirs, ours):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    for key, value in theirs.state_dict().items():
        assert str(ours.state_dict()[key].dtype) == str(value.dtype).replace('torch', 'ember')
        if key.endswith('_mask'):
            np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)
        else:  # equal, up to the rounding of a training step
            np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-6, atol=1e-8, err_msg=key)
    for name in ('weight', 'bias'):
        if hasattr(theirs, name + '_mask'):
            np.testing.assert_allclose(getattr(ours, name).detach().numpy(), getattr(theirs, name).detach().numpy(),
                                       rtol=1e-6, atol=1e-8)
    assert [type(hook).__name__ for hook in ours._forward_pre_hooks.values()] == \
        [type(hook).__name__ for hook in theirs._forward_pre_hooks.values()]
    assert ember_prune.is_pruned(ours) == torch_prune.is_pruned(theirs)


def _input(module, lib):
    shape = (2, module.in_features) if isinstance(module, lib.nn.Linear) else (2, module.in_channels, 6, 6)
    return lib.tensor(np.random.default_rng(2).standard_normal(shape).astype(np.float32))


def _assert_same_forward_and_grads(theirs, ours):
    their_out, our_out = theirs(_input(theirs, torch)), ours(_input(ours, ember))
    np.testing.assert_allclose(our_out.detach().numpy(), their_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    their_out.square().sum().backward()
    our_out.square().sum().backward()
    for name, param in theirs.named_parameters():
        # pruned entries get no gradient through the mask
        np.testing.assert_allclose(dict(ours.named_parameters())[name].grad.numpy(), param.grad.numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize('name,module_fn,step', CASES, ids=[case[0] for case in CASES])
def test_pruning_methods(name, module_fn, step):
    theirs, ours = _run(module_fn, step)
    _assert_same_pruned_state(theirs, ours)
    _assert_same_forward_and_grads(theirs, ours)


@pytest.mark.parametrize('amount', [0.45, 3])
def test_tied_cases_split_a_group_of_equal_magnitudes(amount):
    """The tied l1 cases prune some but not all of several equal magnitudes: torch's choice decides."""
    magnitudes = np.sort(_run(_tied_linear)[0].weight.detach().abs().flatten().numpy())
    k = amount if isinstance(amount, int) else round(amount * magnitudes.size)
    assert magnitudes[k - 1] == magnitudes[k]


ITERATIVE = [
    ('unstructured_then_structured', _conv, [
        lambda m, p: p.random_unstructured(m, 'weight', amount=0.3),
        lambda m, p: p.l1_unstructured(m, 'weight', amount=10),
        lambda m, p: p.random_structured(m, 'weight', amount=1, dim=0),
        lambda m, p: p.ln_structured(m, 'weight', amount=0.5, n=1, dim=1),
        lambda m, p: p.random_unstructured(m, 'weight', amount=0.2)]),
    ('structured_twice_same_dim', _conv, [
        lambda m, p: p.ln_structured(m, 'weight', amount=2, n=2, dim=0),
        lambda m, p: p.ln_structured(m, 'weight', amount=0.5, n=2, dim=0),
        lambda m, p: p.random_structured(m, 'weight', amount=1, dim=0)]),
    ('two_parameters', _linear, [
        lambda m, p: p.l1_unstructured(m, 'bias', amount=1),
        lambda m, p: p.random_unstructured(m, 'weight', amount=5),
        lambda m, p: p.l1_unstructured(m, 'bias', amount=0.5),
        lambda m, p: p.identity(m, 'weight')]),
    ('ties', _tied_linear, [
        lambda m, p: p.l1_unstructured(m, 'weight', amount=6),
        lambda m, p: p.l1_unstructured(m, 'weight', amount=0.3)]),
]


@pytest.mark.parametrize('name,module_fn,steps', ITERATIVE, ids=[case[0] for case in ITERATIVE])
def test_iterative_pruning(name, module_fn, steps):
    theirs, ours = _run(module_fn, *steps)
    _assert_same_pruned_state(theirs, ours)
    _assert_same_forward_and_grads(theirs, ours)
    their_container = theirs._forward_pre_hooks[next(iter(theirs._forward_pre_hooks))]
    our_container = ours._forward_pre_hooks[next(iter(ours._forward_pre_hooks))]
    assert [type(method).__name__ for method in our_container] == \
        [type(method).__name__ for method in their_container]
    assert len(our_container) == len(their_container) and our_container[-1]._tensor_name == our_container._tensor_name


def test_hook_recomputes_weight_after_an_optimizer_step():
    theirs, ours = _run(_linear, lambda m, p: p.l1_unstructured(m, 'weight', amount=0.5))
    for lib, module in ((torch, theirs), (ember, ours)):
        optimizer = lib.optim.SGD(module.parameters(), lr=0.1)
        module(_input(module, lib)).sum().backward()
        optimizer.step()
        module(_input(module, lib))  # the pre-hook rebuilds `weight` from the updated `weight_orig`
    _assert_same_pruned_state(theirs, ours)


GLOBAL = [
    ('l1_fraction', dict(pruning_method='L1Unstructured', amount=0.4)),
    ('l1_count', dict(pruning_method='L1Unstructured', amount=15)),
    ('random', dict(pruning_method='RandomUnstructured', amount=0.25)),
    ('scores', dict(pruning_method='L1Unstructured', amount=20, scores=True)),
]


def _net(lib):
    return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.Flatten(), lib.nn.Linear(8, 3))


@pytest.mark.parametrize('name,kwargs', GLOBAL, ids=[case[0] for case in GLOBAL])
def test_global_unstructured(name, kwargs):
    def prune_globally(net, prune):
        pairs = [(net[0], 'weight'), (net[2], 'weight'), (net[2], 'bias')]
        scores = {pairs[1]: _scores(_lib_of(prune), net[2])} if kwargs.get('scores') else None
        prune.global_unstructured(pairs, getattr(prune, kwargs['pruning_method']), importance_scores=scores,
                                  amount=kwargs['amount'])

    theirs, ours = _run(_net, prune_globally)
    for their_module, our_module in zip(theirs, ours):
        _assert_same_pruned_state(their_module, our_module)
    # pruned again, globally, on top of the first masks
    for net, (lib, prune) in zip((theirs, ours), LIBS):
        lib.manual_seed(3)
        prune_globally(net, prune)
    for their_module, our_module in zip(theirs, ours):
        _assert_same_pruned_state(their_module, our_module)


def test_remove_makes_pruning_permanent():
    theirs, ours = _run(_conv, lambda m, p: p.random_structured(m, 'weight', amount=2, dim=0),
                        lambda m, p: p.l1_unstructured(m, 'weight', amount=0.2),
                        lambda m, p: p.l1_unstructured(m, 'bias', amount=1))
    our_orig = ours.weight_orig
    assert torch_prune.remove(theirs, 'weight') is theirs
    assert ember_prune.remove(ours, 'weight') is ours
    _assert_same_pruned_state(theirs, ours)
    assert ours.weight is our_orig and isinstance(ours.weight, ember.nn.Parameter)
    assert 'weight' not in ours.__dict__
    _assert_same_forward_and_grads(theirs, ours)
    for module, prune in ((theirs, torch_prune), (ours, ember_prune)):
        prune.remove(module, 'bias')
        assert not prune.is_pruned(module)
    _assert_same_pruned_state(theirs, ours)


def test_is_pruned_looks_into_submodules():
    theirs, ours = _run(_net)
    assert not ember_prune.is_pruned(ours)
    ember_prune.identity(ours[2], 'bias')
    torch_prune.identity(theirs[2], 'bias')
    assert ember_prune.is_pruned(ours) and torch_prune.is_pruned(theirs)


def test_prune_method_on_a_tensor():
    data = np.random.default_rng(4).standard_normal((4, 5)).astype(np.float32)
    scores = np.random.default_rng(5).standard_normal((4, 5)).astype(np.float32)
    for make in (lambda p: p.L1Unstructured(amount=0.5), lambda p: p.LnStructured(amount=2, n=1, dim=0),
                 lambda p: p.RandomUnstructured(amount=7), lambda p: p.RandomStructured(amount=0.4, dim=1)):
        results = []
        for lib, prune in LIBS:
            lib.manual_seed(0)
            results.append(make(prune).prune(lib.tensor(data), importance_scores=lib.tensor(scores)).numpy())
        np.testing.assert_array_equal(results[1], results[0])


def test_pruning_container():
    for lib, prune in LIBS:
        first, second = prune.L1Unstructured(amount=1), prune.RandomUnstructured(amount=2)
        first._tensor_name = second._tensor_name = 'weight'
        container = prune.PruningContainer(first)
        container.add_pruning_method(second)
        assert len(container) == 2 and list(container) == [first, second] and container[1] is second
        other = prune.Identity()
        other._tensor_name = 'bias'
        with pytest.raises(ValueError, match="Can only add pruning methods acting on the parameter named 'weight'"):
            container.add_pruning_method(other)
        with pytest.raises(TypeError, match='is not a BasePruningMethod subclass'):
            container.add_pruning_method('l1')


def _message(error):
    """The message with library names ('torch.Size', <class 'torch.nn...'>) spelled as ember's."""
    return str(error).replace('torch', 'ember')


def _same_error(call):
    """`call(module, prune, lib)` raises the same exception and message in both; the module is left
    as torch leaves it."""
    outcomes = []
    for lib, prune in LIBS:
        lib.manual_seed(0)
        module = _linear(lib)
        with pytest.raises(Exception) as info:
            call(module, prune, lib)
        outcomes.append((type(info.value), _message(info.value).replace(repr(module), '<module>'), module))
    (their_type, their_message, theirs), (our_type, our_message, ours) = outcomes
    assert our_type is their_type and our_message == their_message
    _assert_same_pruned_state(theirs, ours)
    return our_type, our_message


ERRORS = [
    ('negative_amount', lambda m, p, lib: p.l1_unstructured(m, 'weight', amount=-1)),
    ('fraction_above_one', lambda m, p, lib: p.random_unstructured(m, 'weight', amount=1.5)),
    ('amount_not_a_number', lambda m, p, lib: p.random_structured(m, 'weight', amount='half', dim=0)),
    ('amount_too_large', lambda m, p, lib: p.l1_unstructured(m, 'weight', amount=25)),
    ('channels_too_many', lambda m, p, lib: p.ln_structured(m, 'weight', amount=5, n=2, dim=0)),
    ('structured_1d', lambda m, p, lib: p.random_structured(m, 'bias', amount=1, dim=0)),
    ('dim_too_large', lambda m, p, lib: p.ln_structured(m, 'weight', amount=1, n=2, dim=2)),
    ('scores_wrong_shape', lambda m, p, lib: p.l1_unstructured(m, 'weight', amount=1,
                                                             importance_scores=lib.ones(6, 4))),
    ('mask_wrong_shape', lambda m, p, lib: p.custom_from_mask(m, 'weight', mask=lib.ones(6, 4))),
    ('second_pruning_too_large', lambda m, p, lib: (p.l1_unstructured(m, 'weight', amount=20),
                                                    p.random_unstructured(m, 'weight', amount=5))),
    ('remove_unpruned', lambda m, p, lib: p.remove(m, 'weight')),
    ('global_not_iterable', lambda m, p, lib: p.global_unstructured(3, p.L1Unstructured, amount=1)),
    ('global_scores_not_dict', lambda m, p, lib: p.global_unstructured([(m, 'weight')], p.L1Unstructured,
                                                                       importance_scores=[1], amount=1)),
    ('global_structured_method', lambda m, p, lib: p.global_unstructured([(m, 'weight')], p.LnStructured,
                                                                         amount=1, n=2, dim=0)),
]


@pytest.mark.parametrize('name,call', ERRORS, ids=[case[0] for case in ERRORS])
def test_errors(name, call):
    _same_error(call)


def test_failed_first_pruning_leaves_the_module_unpruned():
    _same_error(lambda m, p, lib: p.l1_unstructured(m, 'weight', amount=25))
    module = ember.nn.Linear(6, 4)
    with pytest.raises(ValueError):
        ember_prune.l1_unstructured(module, 'weight', amount=25)
    # `weight` is a parameter again (registered last, as in torch)
    assert list(module.state_dict()) == ['bias', 'weight'] and not ember_prune.is_pruned(module)
    assert isinstance(module.weight, ember.nn.Parameter) and 'weight' not in module.__dict__
