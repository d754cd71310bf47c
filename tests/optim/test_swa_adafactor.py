"""optim.Adafactor, optim.Muon and optim.swa_utils against torch: parameter trajectories, state
dicts, learning rates per step, averaged weights and batch-norm statistics."""
import numpy as np
import pytest
import torch

import ember

SHAPES = {'Adafactor': [(3, 4), (2, 3, 4), (5,), ()], 'Muon': [(3, 4), (6, 2), (5, 5)]}
CASES = [
    ('Adafactor', dict()),
    ('Adafactor', dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ('Adafactor', dict(eps=(1e-30, 1e-3), d=2.0, beta2_decay=-0.5)),
    ('Muon', dict()),
    ('Muon', dict(lr=0.02, nesterov=False, adjust_lr_fn='match_rms_adamw')),
    ('Muon', dict(lr=0.05, momentum=0.9, weight_decay=0.0, ns_steps=3)),
]


def _compare(ours, theirs, atol, rtol):
    if isinstance(theirs, torch.Tensor):
        assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=atol, rtol=rtol)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            _compare(ours[k], theirs[k], atol, rtol)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _compare(a, b, atol, rtol)
    else:
        assert ours == theirs


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name,kwargs', CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_optimizer_trajectory_matches_torch(name, kwargs, dtype):
    rng = np.random.default_rng(0)
    inits = [rng.standard_normal(s).astype(dtype) for s in SHAPES[name]]
    ours = [ember.tensor(a, requires_grad=True) for a in inits]
    theirs = [torch.tensor(a, requires_grad=True) for a in inits]
    ours_opt = getattr(ember.optim, name)([{'params': ours[:2]}, {'params': ours[2:], 'lr': 0.03}], **kwargs)
    theirs_opt = getattr(torch.optim, name)([{'params': theirs[:2]}, {'params': theirs[2:], 'lr': 0.03}], **kwargs)
    atol, rtol = (1e-6, 1e-5) if dtype == 'float32' else (1e-12, 1e-10)
    for step in range(8):
        for o, t in zip(ours, theirs):
            g = rng.standard_normal(t.shape).astype(dtype)
            o.grad, t.grad = ember.tensor(g), torch.tensor(g)
        ours_opt.step()
        theirs_opt.step()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=atol, rtol=rtol,
                                       err_msg=f"step {step}")
        _compare(ours_opt.state_dict(), theirs_opt.state_dict(), atol, rtol)


def test_adafactor_state_dict_round_trip_resumes():
    rng = np.random.default_rng(1)
    p = ember.tensor(rng.standard_normal((3, 4)).astype('float32'), requires_grad=True)
    opt = ember.optim.Adafactor([p])
    grads = [rng.standard_normal((3, 4)).astype('float32') for _ in range(4)]
    for g in grads[:2]:
        p.grad = ember.tensor(g)
        opt.step()
    q = p.detach().clone().requires_grad_()
    resumed = ember.optim.Adafactor([q])
    resumed.load_state_dict(opt.state_dict())
    for g in grads[2:]:
        p.grad, q.grad = ember.tensor(g), ember.tensor(g)
        opt.step()
        resumed.step()
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


ERRORS = [
    lambda m, p: m.optim.Adafactor([p], lr=-1.0),
    lambda m, p: m.optim.Adafactor([p], beta2_decay=0.5),
    lambda m, p: m.optim.Adafactor([p], eps=(-1.0, 1e-3)),
    lambda m, p: m.optim.Adafactor([p], eps=(None, -1.0)),
    lambda m, p: m.optim.Adafactor([p], d=0.5),
    lambda m, p: m.optim.Adafactor([p], weight_decay=-0.1),
    lambda m, p: m.optim.Muon([p], lr=-1.0),
    lambda m, p: m.optim.Muon([p], momentum=-1.0),
    lambda m, p: m.optim.Muon([p], adjust_lr_fn='other'),
    lambda m, p: m.optim.Muon([p[0].detach().requires_grad_()]),
]


@pytest.mark.parametrize('index', range(len(ERRORS)))
def test_constructor_errors_match_torch(index):
    messages = []
    for m in (torch, ember):
        with pytest.raises(ValueError) as info:
            ERRORS[index](m, m.ones(2, 3, requires_grad=True))
        messages.append(str(info.value).replace('torch.', 'ember.'))
    assert messages[0] == messages[1]


def test_repr_and_param_groups_match_torch():
    for name in ('Adafactor', 'Muon'):
        ours = getattr(ember.optim, name)([ember.ones(2, 2, requires_grad=True)])
        theirs = getattr(torch.optim, name)([torch.ones(2, 2, requires_grad=True)])
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == theirs.state_dict()


# ---- swa_utils ---------------------------------------------------------------------------------------------
def _model(m):
    m.manual_seed(0)
    model = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4), m.nn.Linear(4, 2))
    with m.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(m.tensor(np.random.default_rng(i).standard_normal(tuple(p.shape)).astype('float32')))
    return model


def _average(m, **kwargs):
    model = _model(m)
    averaged = m.optim.swa_utils.AveragedModel(model, **kwargs)
    rng = np.random.default_rng(5)
    for _ in range(4):
        model(m.tensor(rng.standard_normal((6, 3)).astype('float32')))  # moves the batch-norm statistics
        with m.no_grad():
            for p in model.parameters():
                p.add_(m.tensor(rng.standard_normal(tuple(p.shape)).astype('float32')))
        averaged.update_parameters(model)
    return averaged


AVERAGING = {
    'swa': dict(),
    'swa-use_buffers': dict(use_buffers=True),
    'ema-multi': dict(multi_avg_fn='ema-multi'),
    'swa-multi': dict(multi_avg_fn='swa-multi'),
    'ema-avg_fn': dict(avg_fn='ema'),
    'swa-avg_fn': dict(avg_fn='swa'),
}


def _averaging_kwargs(m, spec):
    swa = m.optim.swa_utils
    makers = {'ema-multi': lambda: swa.get_ema_multi_avg_fn(0.9), 'swa-multi': swa.get_swa_multi_avg_fn,
              'ema': lambda: swa.get_ema_avg_fn(0.9), 'swa': swa.get_swa_avg_fn}
    return {k: makers[v]() if isinstance(v, str) else v for k, v in spec.items()}


@pytest.mark.parametrize('case', AVERAGING)
def test_averaged_model_matches_torch(case):
    ours = _average(ember, **_averaging_kwargs(ember, AVERAGING[case]))
    theirs = _average(torch, **_averaging_kwargs(torch, AVERAGING[case]))
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)  # 'n_averaged', then 'module.0.weight' ...
    _compare(ours_state, theirs_state, atol=1e-5, rtol=1e-5)
    x = np.random.default_rng(9).standard_normal((5, 3)).astype('float32')
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(ember.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               atol=1e-5, rtol=1e-5)


def test_avg_fn_errors_match_torch():
    for m in (ember, torch):
        with pytest.raises(ValueError):
            m.optim.swa_utils.get_ema_multi_avg_fn(1.5)
        with pytest.raises(ValueError):
            m.optim.swa_utils.get_ema_avg_fn(-0.1)
        with pytest.raises(AssertionError):
            m.optim.swa_utils.AveragedModel(m.nn.Linear(2, 2), avg_fn=m.optim.swa_utils.get_swa_avg_fn(),
                                            multi_avg_fn=m.optim.swa_utils.get_swa_multi_avg_fn())


def test_update_bn_matches_torch():
    def run(m):
        model = _model(m)
        model.eval()
        rng = np.random.default_rng(3)
        loader = [(m.tensor(rng.standard_normal((4, 3)).astype('float32')), m.zeros(4)) for _ in range(3)]
        m.optim.swa_utils.update_bn(loader, model)
        bn = model[1]
        return model.training, bn.momentum, bn.running_mean, bn.running_var, bn.num_batches_tracked
    ours, theirs = run(ember), run(torch)
    assert ours[:2] == theirs[:2]
    for o, t in zip(ours[2:], theirs[2:]):
        np.testing.assert_allclose(o.numpy(), t.numpy(), atol=1e-5, rtol=1e-5)


SWALR_CASES = [
    dict(swa_lr=0.05),
    dict(swa_lr=0.05, anneal_epochs=3, anneal_strategy='linear'),
    dict(swa_lr=[0.05, 0.2], anneal_epochs=4),
    dict(swa_lr=0.01, anneal_epochs=0),
]


@pytest.mark.parametrize('kwargs', SWALR_CASES)
def test_swalr_learning_rates_match_torch(kwargs):
    def run(m):
        p, q = m.ones(2, requires_grad=True), m.ones(2, requires_grad=True)
        opt = m.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 0.3}], lr=0.5)
        scheduler = m.optim.swa_utils.SWALR(opt, **kwargs)
        lrs = [scheduler.get_last_lr()]
        for _ in range(12):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        state = {k: v for k, v in scheduler.state_dict().items() if k != '_last_lr'}
        return lrs, state
    (ours, ours_state), (theirs, theirs_state) = run(ember), run(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert ours_state.keys() == theirs_state.keys()
    assert ours_state['_anneal_strategy'] == theirs_state['_anneal_strategy']


def test_swalr_errors_and_state_dict_round_trip():
    for m in (ember, torch):
        opt = m.optim.SGD([m.ones(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError):
            m.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_strategy='step')
        with pytest.raises(ValueError):
            m.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=-1)
    opt = ember.optim.SGD([ember.ones(1, requires_grad=True)], lr=0.1)
    scheduler = ember.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_strategy='linear')
    restored = ember.optim.swa_utils.SWALR(opt, swa_lr=0.01)
    restored.load_state_dict(scheduler.state_dict())
    assert restored.anneal_func is ember.optim.swa_utils.SWALR._linear_anneal
