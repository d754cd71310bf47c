"""`Module.compile`, `torch._dynamo` and the backend names of `torch.compile`, against PyTorch."""
import pytest
import torch
import torch._dynamo

import ember
import ember._dynamo


def test_module_compile_in_place_keeps_the_module_working():
    outs = []
    for m in (ember, torch):
        m.manual_seed(0)
        model = m.nn.Linear(3, 2)
        assert model.compile(backend='eager') is None
        assert type(model).__name__ == 'Linear' and '_compiled_call_impl' in model.__dict__
        assert list(model.state_dict()) == ['weight', 'bias']
        outs.append(model(m.ones(1, 3)).detach().numpy())
    assert abs(outs[0] - outs[1]).max() < 1e-6


@pytest.mark.parametrize('exclude_tags', [('debug', 'experimental'), ('debug',), ('experimental',), (), None])
def test_list_backends_matches_pytorch_on_cpu(exclude_tags):
    assert ember.compiler.list_backends(exclude_tags) == torch.compiler.list_backends(exclude_tags)
    assert ember._dynamo.list_backends() == torch._dynamo.list_backends()


def test_unknown_backend_raises_invalid_backend():
    errors = []
    for m in (ember, torch):
        with pytest.raises(m._dynamo.exc.InvalidBackend) as info:
            m.compile(lambda x: x, backend='nonexistent_backend')
        assert isinstance(info.value, RuntimeError)
        errors.append(str(info.value))
        m.compile(backend='nonexistent_backend')  # (a decorator: checked when it is applied)
    assert errors[0] == errors[1]


def test_dynamo_config_and_reset():
    for m in (ember, torch):
        config = m._dynamo.config
        assert (config.suppress_errors, config.cache_size_limit, config.accumulated_cache_size_limit) == (False, 8, 256)
        config.suppress_errors = True
        assert config.suppress_errors is True
        config.suppress_errors = False
        assert m._dynamo.reset() is None
        assert m._dynamo.is_compiling() is False
        with pytest.raises(AttributeError, match='does not exist'):
            config.no_such_option
