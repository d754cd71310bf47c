"""Complex parameters: PyTorch's optimizers update them as the (real, imag) pairs of `view_as_real`,
so each adaptive formula works per component while the state stays complex. Each optimizer gets a
group with complex and real parameters mixed, 5 steps of the same gradients as torch; parameters
and state compared after every step."""
import numpy as np
import pytest
import torch

import ember

CASES = [
    ('SGD', dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    ('Adam', dict(lr=0.1)),
    ('Adam', dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True)),
    ('AdamW', dict(lr=0.1)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ('Adagrad', dict(lr=0.1, initial_accumulator_value=0.5)),
    ('Adamax', dict(lr=0.1)),
    ('NAdam', dict(lr=0.1)),
    ('RAdam', dict(lr=0.1)),
    ('Adadelta', dict(lr=1.0)),
    ('ASGD', dict(lr=0.05, t0=2)),
    ('Rprop', dict(lr=0.1)),
]


def _random(rng, shape, dtype):
    if dtype == 'complex64':
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _assert_state_equal(ours, theirs):
    assert set(ours) == set(theirs), f"{sorted(ours)} != {sorted(theirs)}"
    for key, value in theirs.items():
        assert ours[key].dtype == getattr(ember, str(value.dtype).split('.')[1]), key
        np.testing.assert_allclose(ours[key].numpy(), value.numpy(), rtol=1e-4, atol=1e-5, err_msg=key)


@pytest.mark.parametrize('name,kwargs', CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_complex_and_real_parameters_match_torch(name, kwargs):
    rng = np.random.default_rng(0)
    layout = [((3, 2), 'complex64'), ((4,), 'float32'), ((), 'complex64')]
    inits = [_random(rng, shape, dtype) for shape, dtype in layout]
    ours = [ember.tensor(a, requires_grad=True) for a in inits]
    theirs = [torch.tensor(a, requires_grad=True) for a in inits]
    ours_opt, theirs_opt = getattr(ember.optim, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    for _ in range(5):
        for o, t, (shape, dtype) in zip(ours, theirs, layout):
            g = _random(rng, shape, dtype)
            o.grad, t.grad = ember.tensor(g), torch.tensor(g)
        ours_opt.step()
        theirs_opt.step()
        for o, t in zip(ours, theirs):
            assert o.dtype == getattr(ember, str(t.dtype).split('.')[1])
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-4, atol=1e-5)
            _assert_state_equal(ours_opt.state[o], theirs_opt.state[t])


def test_adam_complex_update_is_per_component():
    # the probe's numbers: |g|^2 in the second moment would leave the imaginary part unmoved
    p = ember.nn.Parameter(ember.tensor([1 + 2j]))
    optimizer = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.tensor([1 + 1j])
    optimizer.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9 + 1.9j], rtol=1e-6)
    np.testing.assert_allclose(optimizer.state[p]['exp_avg_sq'].numpy(), [0.001 + 0.001j], rtol=1e-5)


@pytest.mark.parametrize('line_search_fn', [None, 'strong_wolfe'])
def test_lbfgs_complex_parameter_matches_torch(line_search_fn):
    target = np.array([0.5 - 1j, 2 + 0.25j, -1 + 1j], dtype=np.complex64)
    weight = np.array([1.5, -0.5], dtype=np.float32)

    def run(lib):
        z = lib.tensor(np.array([1 + 2j, -1 + 0.5j, 0j], dtype=np.complex64), requires_grad=True)
        w = lib.tensor(weight.copy(), requires_grad=True)
        optimizer = lib.optim.LBFGS([z, w], lr=0.5, max_iter=5, line_search_fn=line_search_fn)

        def closure():
            optimizer.zero_grad()
            loss = (z - lib.tensor(target)).abs().pow(2).sum() + (w * w).sum() * (z.abs().sum())
            loss.backward()
            return loss
        losses = [optimizer.step(closure).item() for _ in range(2)]
        return losses, z.detach().numpy(), w.detach().numpy()
    (ours_losses, ours_z, ours_w), (their_losses, their_z, their_w) = run(ember), run(torch)
    np.testing.assert_allclose(ours_losses, their_losses, rtol=1e-4)
    np.testing.assert_allclose(ours_z, their_z, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours_w, their_w, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('name,kwargs', [('Adafactor', {}), ('Muon', {})])
def test_complex_parameters_refused_like_torch(name, kwargs):
    for lib in (ember, torch):
        p = lib.zeros(2, 2, dtype=lib.complex64, requires_grad=True)
        optimizer = getattr(lib.optim, name)([p], **kwargs)
        p.grad = lib.ones(2, 2, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="does not support complex parameters"):
            optimizer.step()


def test_load_state_dict_keeps_complex_state():
    # PyTorch casts loaded state to the parameter's dtype only for floating-point parameters
    for lib in (ember, torch):
        p = lib.zeros(2, dtype=lib.complex64, requires_grad=True)
        optimizer = lib.optim.Adam([p])
        p.grad = lib.ones(2, dtype=lib.complex64)
        optimizer.step()
        state = optimizer.state_dict()
        state['state'][0]['exp_avg'] = lib.ones(2, dtype=lib.float64)
        optimizer.load_state_dict(state)
        assert optimizer.state[p]['exp_avg'].dtype == lib.float64
        assert optimizer.state[p]['exp_avg_sq'].dtype == lib.complex64
