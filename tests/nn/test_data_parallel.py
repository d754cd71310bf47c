"""nn.DataParallel on a machine without GPUs, against a CPU-only torch: the module is kept as
`.module` and run as is; the wrapping shows in the repr, the state_dict keys and attribute access."""
import numpy as np
import pytest
import torch

import ember


def foo_net(lib):
    nn = lib.nn

    class FooNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 2)
            self.norm = nn.BatchNorm1d(2)
            self.scale = 2.0

        def forward(self, x, shift=0.0):
            return self.norm(self.linear(x)) * self.scale + shift
    return FooNet()


def both(build):
    ember.manual_seed(0)
    torch.manual_seed(0)
    return build(ember), build(torch)


@pytest.mark.parametrize('kwargs', [{}, dict(device_ids=[0, 1], output_device=1, dim=1),
                                    dict(device_ids=['cuda:0'])])
def test_wraps_and_runs_the_module(kwargs):
    ours, theirs = both(lambda lib: lib.nn.DataParallel(foo_net(lib), **kwargs))
    assert repr(ours) == repr(theirs)
    assert ours.device_ids == theirs.device_ids == []
    for name in ('output_device', 'dim', 'src_device_obj'):
        assert hasattr(ours, name) == hasattr(theirs, name)
    assert list(ours.state_dict()) == list(theirs.state_dict())   # 'module.linear.weight', ...
    assert [name for name, _ in ours.named_modules()] == [name for name, _ in theirs.named_modules()]
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    out_ours = ours(ember.tensor(x), shift=1.0)
    out_theirs = theirs(torch.tensor(x), shift=1.0)
    np.testing.assert_allclose(out_ours.detach().numpy(), out_theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    out_ours.sum().backward(), out_theirs.sum().backward()
    np.testing.assert_allclose(ours.module.linear.weight.grad.numpy(), theirs.module.linear.weight.grad.numpy(),
                               rtol=1e-5, atol=1e-6)
    assert ours.eval().module.training is theirs.eval().module.training is False


@pytest.mark.parametrize('name', ['linear', 'scale'])
def test_inner_attributes_are_reached_through_module(name):
    ours, theirs = both(lambda lib: lib.nn.DataParallel(foo_net(lib)))
    with pytest.raises(AttributeError) as theirs_error:
        getattr(theirs, name)
    with pytest.raises(AttributeError) as ours_error:
        getattr(ours, name)
    assert str(ours_error.value) == str(theirs_error.value)   # "'DataParallel' object has no attribute ..."


def test_state_dict_round_trips_through_the_prefix():
    ours, theirs = both(lambda lib: lib.nn.DataParallel(foo_net(lib)))
    for wrapped, lib in ((ours, ember), (theirs, torch)):
        plain = foo_net(lib)
        result = plain.load_state_dict({k.replace('module.', '', 1): v for k, v in wrapped.state_dict().items()})
        assert str(result) == '<All keys matched successfully>'
        assert str(lib.nn.DataParallel(foo_net(lib)).load_state_dict(wrapped.state_dict())) == str(result)


def test_names_and_the_functional_form():
    assert ember.nn.DataParallel is ember.nn.parallel.DataParallel
    assert type(ember.nn.DataParallel(foo_net(ember))).__name__ == 'DataParallel'
    for lib in (ember, torch):
        # it scatters over accelerators: with none, PyTorch can't tell which kind
        with pytest.raises(RuntimeError, match='^device type could not be determined$'):
            lib.nn.parallel.data_parallel(foo_net(lib), lib.ones(2, 3))
