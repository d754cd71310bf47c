"""Every optimizer, several option combinations: the same parameters and the same gradients for 20
steps in ember and torch; parameters and state_dict() compared after every step."""
import io
import re

import numpy as np
import pytest
import torch

import ember

CASES = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9)),
    ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ('Adam', dict(lr=0.01, maximize=True, eps=1e-6)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ('Adagrad', dict(lr=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ('Adadelta', dict(lr=1.0)),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ('Adamax', dict(lr=0.01)),
    ('Adamax', dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ('NAdam', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)),
    ('RAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ('ASGD', dict(lr=0.05)),
    ('ASGD', dict(lr=0.05, t0=5, lambd=0.01, weight_decay=0.1)),
    ('Rprop', dict(lr=0.01)),
    ('Rprop', dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 1), maximize=True)),
]

SHAPES = [(3, 4), (4,), ()]


def _compare_state(ours, theirs, atol, rtol):
    if isinstance(theirs, torch.Tensor):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=atol, rtol=rtol)
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs), f"{sorted(ours)} != {sorted(theirs)}"
        for k in theirs:
            _compare_state(ours[k], theirs[k], atol, rtol)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _compare_state(a, b, atol, rtol)
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=rtol, abs=atol)
    else:
        assert ours == theirs


@pytest.mark.parametrize('lr_type', ['float', 'tensor'])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name,kwargs', CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_optimizer_matches_torch(name, kwargs, dtype, lr_type):
    rng = np.random.default_rng(0)
    inits = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [ember.tensor(a, requires_grad=True) for a in inits]
    theirs = [torch.tensor(a, requires_grad=True) for a in inits]

    def make(lib, params):
        # PyTorch also takes the learning rate as a tensor (lr=torch.tensor(0.01)). It computes the
        # step sizes in that tensor's dtype, ember in Python floats: the same numbers in float64
        lr = lib.tensor(kwargs['lr'], dtype=getattr(lib, dtype)) if lr_type == 'tensor' else kwargs['lr']
        # two param groups, the second with its own lr, to exercise group handling
        return getattr(lib.optim, name)([{'params': params[:2]}, {'params': params[2:], 'lr': lr / 2}],
                                        **dict(kwargs, lr=lr))
    ours_opt, theirs_opt = make(ember, ours), make(torch, theirs)
    atol, rtol = (1e-5, 1e-4) if dtype == 'float32' else (1e-10, 1e-9)
    for step in range(20):
        for o, t in zip(ours, theirs):
            g = rng.standard_normal(t.shape).astype(dtype)
            o.grad, t.grad = ember.tensor(g), torch.tensor(g)
        ours_opt.step()
        theirs_opt.step()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=atol, rtol=rtol,
                                       err_msg=f"step {step}")
        _compare_state(ours_opt.state_dict(), theirs_opt.state_dict(), atol, rtol)


def test_skips_params_without_grad_and_zero_grad():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    q = ember.tensor([3.0], requires_grad=True)
    opt = ember.optim.SGD([p, q], lr=0.1)
    p.grad = ember.tensor([1.0, 1.0])
    opt.step()
    assert p.tolist() == pytest.approx([0.9, 1.9]) and q.tolist() == [3.0]
    opt.zero_grad()
    assert p.grad is None


def test_param_group_errors_match_torch():
    for lib in (torch, ember):
        p = lib.ones(2, requires_grad=True)
        with pytest.raises(ValueError):
            lib.optim.SGD([p * 2], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([{'params': [p]}, {'params': [p]}], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([p], lr=-1)
        with pytest.raises(ValueError):
            lib.optim.SGD([p], lr=0.1, nesterov=True)


def test_repr_and_state_dict_layout_match_torch():
    p = ember.ones(2, requires_grad=True)
    tp = torch.ones(2, requires_grad=True)
    for name in ['SGD', 'Adam', 'RMSprop']:
        ours = getattr(ember.optim, name)([p], lr=0.1)
        theirs = getattr(torch.optim, name)([tp], lr=0.1)
        assert repr(ours) == repr(theirs)
        assert ours.state_dict()['param_groups'] == theirs.state_dict()['param_groups']


def test_param_groups_lr_editable_and_add_param_group():
    p = ember.tensor([1.0], requires_grad=True)
    q = ember.tensor([1.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.5)
    opt.param_groups[0]['lr'] = 1.0
    opt.add_param_group({'params': [q], 'lr': 0.5})
    assert opt.param_groups[1]['momentum'] == 0.5
    p.grad = ember.tensor([1.0])
    q.grad = ember.tensor([1.0])
    opt.step()
    assert p.item() == pytest.approx(0.0) and q.item() == pytest.approx(0.5)


def test_load_state_dict_resumes_exactly():
    rng = np.random.default_rng(1)
    init = rng.standard_normal(5)
    grads = [rng.standard_normal(5) for _ in range(10)]

    def run(steps, opt_state=None, start=None):
        p = ember.tensor(init if start is None else start, requires_grad=True)
        opt = ember.optim.Adam([p], lr=0.01)
        if opt_state is not None:
            opt.load_state_dict(opt_state)
        for g in steps:
            p.grad = ember.tensor(g)
            opt.step()
        return p, opt

    full, _ = run(grads)
    half, opt = run(grads[:5])
    # through a checkpoint file, as a resumed training run does
    buffer = io.BytesIO()
    ember.save({'optimizer': opt.state_dict(), 'param': half.detach()}, buffer)
    buffer.seek(0)
    checkpoint = ember.load(buffer)
    resumed, _ = run(grads[5:], checkpoint['optimizer'], checkpoint['param'].numpy().copy())
    np.testing.assert_array_equal(resumed.detach().numpy(), full.detach().numpy())


def test_step_hooks_and_closure():
    p = ember.tensor([1.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append('pre'))
    handle = opt.register_step_post_hook(lambda o, a, k: calls.append('post'))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == 1.0 and calls == ['pre', 'post']
    handle.remove()
    opt.step(closure)
    assert calls == ['pre', 'post', 'pre']


def test_repr_of_several_groups_matches_torch():
    def make(lib, name):
        groups = [{'params': [lib.ones(2, requires_grad=True)]}, {'params': [lib.ones(1, requires_grad=True)], 'lr': 0.5}]
        return getattr(lib.optim, name)(groups, lr=0.1)
    for name in ['SGD', 'Adam', 'RMSprop']:
        assert repr(make(ember, name)) == repr(make(torch, name))


def test_step_hooks_see_the_step_arguments_like_torch():
    def run(lib):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        seen = []
        # the args are the step's own: the optimizer first
        opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(('pre', [a is o for a in args], sorted(kwargs))))
        opt.register_step_post_hook(lambda o, args, kwargs: seen.append(('post', [a is o for a in args], sorted(kwargs))))
        opt.step()
        opt.step(None)
        opt.step(closure=None)
        opt.register_step_pre_hook(lambda o, args, kwargs: (args, {'closure': lambda: 3.0}))
        seen.append(opt.step())
        opt.register_step_pre_hook(lambda o, args, kwargs: 5)
        with pytest.raises(RuntimeError) as error:
            opt.step()
        # the message names the step function (its address differs)
        seen.append(re.sub(' at 0x[0-9a-f]+', '', str(error.value)))
        return seen
    assert run(ember) == run(torch)


def test_named_parameters_match_torch():
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Linear(3, 1))
        opt = lib.optim.SGD(model[0].named_parameters(), lr=0.1, momentum=0.9)
        opt.add_param_group({'params': model[1].named_parameters(), 'lr': 0.5})
        model(lib.ones(1, 2)).sum().backward()
        opt.step()
        saved = opt.state_dict()
        # names don't matter to loading; a group without names keeps the loaded ones
        fresh = lib.optim.SGD([{'params': model[0].parameters()}, {'params': model[1].parameters()}], lr=0.1)
        fresh.load_state_dict(saved)
        return (saved['param_groups'], [{k: v for k, v in g.items() if k != 'params'} for g in fresh.param_groups],
                repr(opt), [p.detach().numpy().round(6).tolist() for p in model.parameters()])
    assert run(ember) == run(torch)


@pytest.mark.parametrize('make', [
    pytest.param(lambda m, model: m.optim.SGD([('weight', model.weight), model.bias], lr=0.1), id='some_unnamed'),
    pytest.param(lambda m, model: m.optim.SGD([{'params': [('weight', model.weight)]}, {'params': [model.bias]}],
                                              lr=0.1), id='unnamed_group'),
    pytest.param(lambda m, model: m.optim.SGD([{'params': [model.weight]}, {'params': [('bias', model.bias)]}],
                                              lr=0.1), id='named_group'),
])
def test_named_parameter_errors_match_torch(make):
    with pytest.raises(ValueError) as theirs:
        make(torch, torch.nn.Linear(2, 1))
    with pytest.raises(ValueError) as ours:
        make(ember, ember.nn.Linear(2, 1))
    assert str(ours.value) == str(theirs.value)


# ---- state dicts saved by older PyTorch versions ---------------------------------------------------
# (optimizer, options, the group options such a state dict lacks)
OLDER_STATE_DICTS = [
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True), ('nesterov', 'maximize', 'foreach', 'differentiable', 'fused')),
    ('Adam', dict(lr=0.01, amsgrad=True), ('amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused',
                                           'decoupled_weight_decay')),
    ('AdamW', dict(lr=0.01, weight_decay=0.1), ('decoupled_weight_decay', 'amsgrad')),
    ('RMSprop', dict(lr=0.01, momentum=0.5, centered=True), ('momentum', 'centered', 'capturable')),
    ('Adagrad', dict(lr=0.1), ('fused', 'maximize', 'differentiable', 'foreach')),
    ('Adadelta', dict(lr=1.0), ('capturable', 'maximize')),
    ('Adamax', dict(lr=0.01), ('capturable', 'foreach')),
    ('NAdam', dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1), ('decoupled_weight_decay', 'maximize')),
    ('RAdam', dict(lr=0.01), ('decoupled_weight_decay', 'capturable')),
    ('ASGD', dict(lr=0.05, t0=1), ('capturable', 'differentiable')),
    ('Rprop', dict(lr=0.01), ('capturable', 'maximize')),
]


def _as_ember(value):
    if isinstance(value, torch.Tensor):
        return ember.tensor(value.numpy())
    if isinstance(value, dict):
        return {k: _as_ember(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_ember(v) for v in value]
    return value


@pytest.mark.parametrize('name,kwargs,missing', OLDER_STATE_DICTS, ids=[case[0] for case in OLDER_STATE_DICTS])
def test_loading_an_older_state_dict_matches_torch(name, kwargs, missing):
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(4)]
    theirs = [torch.tensor(rng.standard_normal(s), requires_grad=True) for s in SHAPES]
    trained = getattr(torch.optim, name)(theirs, **kwargs)
    for t, g in zip(theirs, grads[0]):
        t.grad = torch.tensor(g)
    trained.step()
    saved = trained.state_dict()
    # older PyTorch kept the step counters (and NAdam's, ASGD's scalars) as Python numbers, and had
    # fewer options
    for param_state in saved['state'].values():
        for key in ('step', 'mu_product', 'eta', 'mu'):
            if key in param_state:
                param_state[key] = param_state[key].item()
    for group in saved['param_groups']:
        for key in missing:
            del group[key]
    ours = [ember.tensor(t.detach().numpy().copy(), requires_grad=True) for t in theirs]
    ours_opt, theirs_opt = getattr(ember.optim, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    ours_opt.load_state_dict(_as_ember(saved))
    theirs_opt.load_state_dict(saved)
    for step_grads in grads[1:]:
        for o, t, g in zip(ours, theirs, step_grads):
            o.grad, t.grad = ember.tensor(g), torch.tensor(g)
        ours_opt.step()
        theirs_opt.step()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), atol=1e-10, rtol=1e-9)
    _compare_state(ours_opt.state_dict(), theirs_opt.state_dict(), 1e-10, 1e-9)


def _lbfgs_run(lib, line_search_fn, dtype):
    # a smooth, well-conditioned problem: the iterates don't amplify rounding differences
    rng = np.random.default_rng(3)
    A = lib.tensor(rng.standard_normal((8, 5)).astype(dtype))
    b = lib.tensor(rng.standard_normal(8).astype(dtype))
    x = lib.tensor(np.zeros(5, dtype=dtype), requires_grad=True)
    opt = lib.optim.LBFGS([x], lr=0.5, max_iter=7, history_size=3, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = ((A @ x - b) ** 2).sum() + (x ** 4).sum() * 0.1
        loss.backward()
        return loss
    losses = [float(opt.step(closure).detach()) for _ in range(4)]
    return x.detach().numpy().copy(), losses, opt.state[x]['func_evals'], opt.state[x]['n_iter']


@pytest.mark.parametrize('line_search_fn', [None, 'strong_wolfe'])
def test_lbfgs_matches_torch(line_search_fn):
    ours = _lbfgs_run(ember, line_search_fn, 'float64')
    theirs = _lbfgs_run(torch, line_search_fn, 'float64')
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-7, atol=1e-9)
    assert ours[2:] == theirs[2:]


def test_sparse_adam_rejects_dense_gradients_like_torch():
    for lib in (torch, ember):
        p = lib.zeros(3, requires_grad=True)
        opt = lib.optim.SparseAdam([p])
        p.grad = lib.ones(3)
        with pytest.raises(RuntimeError, match="dense gradients"):
            opt.step()
