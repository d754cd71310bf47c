"""The meta device against PyTorch: tensors with a shape and a dtype but no values (creation, printing,
the errors where values are needed), modules built on it or moved to it and back with `to_empty`, and
`with device('meta')`."""
import copy

import pytest
import torch

import ember


def _repr(t):
    return repr(t).replace('ember.', 'torch.')


@pytest.mark.parametrize('build', [
    lambda m: m.empty(2, 3, device='meta'),
    lambda m: m.zeros(2, dtype=m.float64, device='meta'),
    lambda m: m.ones(2, dtype=m.int64, device='meta'),
    lambda m: m.empty((), device='meta'),
    lambda m: m.empty(0, 3, device='meta'),
    lambda m: m.randn(4, 5, device=m.device('meta'), requires_grad=True),
    lambda m: m.empty_like(m.empty(2, 3, device='meta')),
    lambda m: m.nn.Linear(2, 3, device='meta').weight,
    lambda m: m.nn.Linear(2, 3).to('meta').bias,
    lambda m: m.nn.BatchNorm1d(3).to('meta').num_batches_tracked,
])
def test_meta_tensors_print_and_describe_themselves_as_pytorch(build):
    ours, theirs = build(ember), build(torch)
    assert _repr(ours) == repr(theirs)
    assert str(ours.device) == str(theirs.device) == 'meta'
    assert repr(ours.device) == repr(theirs.device)
    assert ours.is_meta and not ours.is_cpu
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype)[6:] == str(theirs.dtype)[6:]
    assert ours.requires_grad == theirs.requires_grad and type(ours).__name__ == type(theirs).__name__


@pytest.mark.parametrize('read', [
    lambda t: t.item(),
    lambda t: t[0, 0].item(),
    lambda t: float(t[0, 0]),
    lambda t: t.numpy(),
    lambda t: t.tolist(),
])
def test_reading_values_of_a_meta_tensor_fails_as_in_pytorch(read):
    errors = []
    for m in (ember, torch):
        with pytest.raises(Exception) as info:
            read(m.empty(2, 3, device='meta'))
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


def test_views_and_likes_of_meta_tensors():
    for m in (ember, torch):
        t = m.empty(2, 3, device='meta')
        assert t[0].is_meta and t.t().is_meta and tuple(t.t().shape) == (3, 2)
        assert m.zeros_like(t).is_meta and not m.empty_like(t, device='cpu').is_meta


def test_module_built_on_meta_then_to_empty():
    for m in (ember, torch):
        linear = m.nn.Linear(2, 3, device='meta')
        assert linear.weight.is_meta and linear.bias.is_meta
        assert linear.to_empty(device='cpu') is linear
        assert not linear.weight.is_meta and isinstance(linear.weight, m.nn.Parameter)
        assert linear.weight.requires_grad and tuple(linear.weight.shape) == (3, 2)
        assert linear(m.ones(1, 2)).shape == (1, 3)


def test_to_empty_recurse_false_leaves_children():
    for m in (ember, torch):
        net = m.nn.Sequential(m.nn.Linear(2, 2)).to('meta')
        net.to_empty(device='cpu', recurse=False)
        assert net[0].weight.is_meta


def test_moving_a_meta_module_to_the_cpu_asks_for_to_empty():
    errors = []
    for m in (ember, torch):
        with pytest.raises(NotImplementedError) as info:
            m.nn.Linear(2, 3, device='meta').to('cpu')
        errors.append(str(info.value))
    assert errors[0] == errors[1]


def test_meta_module_dtype_conversion():
    for m in (ember, torch):
        linear = m.nn.Linear(2, 3).to('meta', m.float64)
        assert linear.weight.is_meta and linear.weight.dtype == m.float64


def test_device_context_makes_factories_use_meta():
    for m in (ember, torch):
        with m.device('meta'):
            layer = m.nn.Linear(4, 4)
            assert m.randn(3).is_meta and layer.weight.is_meta
        assert not m.randn(3).is_meta and m.get_default_device() == m.device('cpu')


def test_model_ensembling_recipe_runs_functional_calls_on_a_meta_copy():
    # the torch.func model-ensembling tutorial: a meta copy of one model, called with stacked parameters
    results = []
    for m in (ember, torch):
        m.manual_seed(0)
        models = [m.nn.Sequential(m.nn.Linear(2, 4), m.nn.Tanh(), m.nn.Linear(4, 1)) for _ in range(3)]
        params, buffers = m.func.stack_module_state(models)
        base = copy.deepcopy(models[0]).to('meta')
        assert all(p.is_meta for p in base.parameters())

        def fmodel(p, b, x):
            return m.func.functional_call(base, (p, b), (x,))
        x = m.randn(5, 2)
        results.append(m.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x).detach().numpy())
    assert results[0].shape == results[1].shape == (3, 5, 1)
    assert abs(results[0] - results[1]).max() < 1e-6
