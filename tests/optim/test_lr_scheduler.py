"""Every scheduler: the learning rate (and momentum, where cycled) at each of 100 epochs equals
torch's; ReduceLROnPlateau is fed the same metric sequence."""
import math
import warnings

import pytest
import torch

import ember


def _optimizers(opt_name='SGD', **kwargs):
    kwargs.setdefault('lr', 0.1)
    if opt_name == 'SGD':
        kwargs.setdefault('momentum', 0.9)
    made = []
    for lib in (ember, torch):
        params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
        groups = [{'params': params[:1]}, {'params': params[1:], 'lr': kwargs['lr'] * 2}]
        made.append(getattr(lib.optim, opt_name)(groups, **kwargs))
    return made


def _factory(name, *args, **kwargs):
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, *args, **kwargs)


SCHEDULERS = {
    'StepLR': _factory('StepLR', step_size=7, gamma=0.5),
    'MultiStepLR': _factory('MultiStepLR', milestones=[10, 30, 30, 80], gamma=0.3),
    'ExponentialLR': _factory('ExponentialLR', gamma=0.95),
    'CosineAnnealingLR': _factory('CosineAnnealingLR', T_max=20, eta_min=0.001),
    'LambdaLR': _factory('LambdaLR', lr_lambda=lambda e: 0.97 ** e),
    'LambdaLR_list': _factory('LambdaLR', lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    'MultiplicativeLR': _factory('MultiplicativeLR', lr_lambda=lambda e: 0.95),
    'LinearLR': _factory('LinearLR', start_factor=0.25, end_factor=0.9, total_iters=30),
    'ConstantLR': _factory('ConstantLR', factor=0.5, total_iters=10),
    'PolynomialLR': _factory('PolynomialLR', total_iters=60, power=2.0),
    'CosineAnnealingWarmRestarts': _factory('CosineAnnealingWarmRestarts', T_0=10, T_mult=2, eta_min=0.01),
    'CyclicLR': _factory('CyclicLR', base_lr=0.01, max_lr=0.1, step_size_up=7, step_size_down=5),
    'CyclicLR_tri2': _factory('CyclicLR', base_lr=0.01, max_lr=0.1, step_size_up=4, mode='triangular2'),
    'CyclicLR_exp': _factory('CyclicLR', base_lr=0.01, max_lr=0.1, step_size_up=4, mode='exp_range', gamma=0.98),
    'OneCycleLR': _factory('OneCycleLR', max_lr=0.5, total_steps=101),
    'OneCycleLR_3phase_linear': _factory('OneCycleLR', max_lr=[0.5, 1.0], total_steps=101, three_phase=True,
                                         anneal_strategy='linear'),
    'SequentialLR': lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
              lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[5]),
    'ChainedScheduler': lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=4),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)]),
}


@pytest.mark.parametrize('name', list(SCHEDULERS))
def test_scheduler_matches_torch(name):
    ours_opt, theirs_opt = _optimizers()
    ours = SCHEDULERS[name](ember, ours_opt)
    theirs = SCHEDULERS[name](torch, theirs_opt)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for epoch in range(100):
            for a, b in zip(ours_opt.param_groups, theirs_opt.param_groups):
                assert a['lr'] == pytest.approx(b['lr'], rel=1e-12, abs=1e-15), f"epoch {epoch}"
                if 'momentum' in b:
                    assert a['momentum'] == pytest.approx(b['momentum'], rel=1e-12)
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
            ours_opt.step()
            theirs_opt.step()
            ours.step()
            theirs.step()
    assert getattr(ours, 'last_epoch', None) == getattr(theirs, 'last_epoch', None)


@pytest.mark.parametrize('name', list(SCHEDULERS) + ['ReduceLROnPlateau'])
def test_tensor_lr_is_updated_in_place_like_torch(name):
    made = []
    for lib in (ember, torch):
        lr = lib.tensor(0.1)
        params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
        opt = lib.optim.SGD([{'params': params[:1]}, {'params': params[1:], 'lr': lr * 2}], lr=lr, momentum=0.9)
        if name == 'ReduceLROnPlateau':
            scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
        else:
            scheduler = SCHEDULERS[name](lib, opt)
        made.append((lr, opt, scheduler))
    (ours_lr, ours_opt, ours), (theirs_lr, theirs_opt, theirs) = made
    for epoch in range(30):
        # the tensor given as lr is the group's lr, changed in place
        assert ours_opt.param_groups[0]['lr'] is ours_lr
        assert theirs_opt.param_groups[0]['lr'] is theirs_lr
        assert ours_lr.item() == pytest.approx(theirs_lr.item(), rel=1e-6), f"epoch {epoch}"
        assert [float(lr) for lr in ours.get_last_lr()] == pytest.approx([float(lr) for lr in theirs.get_last_lr()],
                                                                         rel=1e-6)
        ours_opt.step(), theirs_opt.step()
        if name == 'ReduceLROnPlateau':
            ours.step(1.0), theirs.step(1.0)
        else:
            ours.step(), theirs.step()


def test_scheduler_with_adam_cycles_beta1():
    ours_opt, theirs_opt = _optimizers('Adam', lr=0.01)
    ours = ember.optim.lr_scheduler.OneCycleLR(ours_opt, max_lr=0.1, total_steps=20)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, max_lr=0.1, total_steps=20)
    for _ in range(19):
        ours_opt.step(), theirs_opt.step(), ours.step(), theirs.step()
        assert ours_opt.param_groups[0]['betas'] == pytest.approx(theirs_opt.param_groups[0]['betas'])


@pytest.mark.parametrize('kwargs', [dict(), dict(mode='max', factor=0.5, patience=2, cooldown=2),
                                    dict(threshold_mode='abs', threshold=0.05, min_lr=[0.01, 0.05], patience=1)])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    ours_opt, theirs_opt = _optimizers()
    ours = ember.optim.lr_scheduler.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
    for epoch in range(100):
        metric = 1.0 / (1 + epoch % 13) + 0.01 * math.sin(epoch)
        ours.step(metric)
        theirs.step(metric)
        assert [g['lr'] for g in ours_opt.param_groups] == pytest.approx([g['lr'] for g in theirs_opt.param_groups])
        assert ours.num_bad_epochs == theirs.num_bad_epochs


def test_step_with_epoch_uses_closed_form():
    ours_opt, theirs_opt = _optimizers()
    ours = ember.optim.lr_scheduler.StepLR(ours_opt, 3, 0.5)
    theirs = torch.optim.lr_scheduler.StepLR(theirs_opt, 3, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ours.step(7)
        theirs.step(7)
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr())


def test_state_dict_round_trip():
    opt, _ = _optimizers()
    sched = ember.optim.lr_scheduler.StepLR(opt, 3, 0.5)
    for _ in range(5):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert 'optimizer' not in state and state['last_epoch'] == 5
    opt2, _ = _optimizers()
    for g, g2 in zip(opt.param_groups, opt2.param_groups):
        g2['initial_lr'] = g['initial_lr']
    sched2 = ember.optim.lr_scheduler.StepLR(opt2, 3, 0.5, last_epoch=0)
    sched2.load_state_dict(state)
    assert sched2.last_epoch == 5 and sched2.base_lrs == sched.base_lrs


def test_not_an_optimizer_raises_type_error():
    for lib in (ember, torch):
        with pytest.raises(TypeError):
            lib.optim.lr_scheduler.StepLR(object(), 3)


def _printable(state):
    """A state_dict as keys in order and plain values (the lambdas of LambdaLR and the sub-schedulers of
    SequentialLR/ChainedScheduler as what they hold), the way printing a checkpoint shows it."""
    shown = []
    for key, value in state.items():
        if key == '_schedulers':
            value = [_printable(sub) for sub in value]
        elif callable(value) or (isinstance(value, list) and value and callable(value[0])):
            value = type(value).__name__
        shown.append((key, value))
    return shown


@pytest.mark.parametrize('name', list(SCHEDULERS) + ['ReduceLROnPlateau'])
def test_state_dict_keys_and_values_match_torch(name):
    # torch 2.13 keeps `_get_lr_called_within_step` in __dict__, so every checkpoint prints it
    ours_opt, theirs_opt = _optimizers()
    if name == 'ReduceLROnPlateau':
        ours, theirs = (lib.optim.lr_scheduler.ReduceLROnPlateau(opt) for lib, opt in
                        ((ember, ours_opt), (torch, theirs_opt)))
    else:
        ours, theirs = SCHEDULERS[name](ember, ours_opt), SCHEDULERS[name](torch, theirs_opt)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for _ in range(3):
            ours_opt.step(), theirs_opt.step()
            if name == 'ReduceLROnPlateau':
                ours.step(1.0), theirs.step(1.0)
            else:
                ours.step(), theirs.step()
    ours_items, theirs_items = _printable(ours.state_dict()), _printable(theirs.state_dict())
    assert [key for key, _ in ours_items] == [key for key, _ in theirs_items]
    for (key, ours_value), (_, theirs_value) in zip(ours_items, theirs_items):
        if isinstance(theirs_value, float) or (isinstance(theirs_value, list) and theirs_value
                                               and all(isinstance(v, float) for v in theirs_value)):
            assert ours_value == pytest.approx(theirs_value), key
        else:
            assert ours_value == theirs_value, key


def _warnings_of(lib, steps):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        steps(lib)
    return [(w.category.__name__, str(w.message)) for w in caught]


SCHEDULER_WARNING_CASES = {
    'scheduler_before_optimizer': lambda lib, opt: (lib.optim.lr_scheduler.StepLR(opt, 1).step(), opt.step()),
    'optimizer_first': lambda lib, opt: (lib.optim.lr_scheduler.StepLR(opt, 1), opt.step())[0].step(),
    'two_schedulers_first': lambda lib, opt: [s.step() for s in (lib.optim.lr_scheduler.StepLR(opt, 1),
                                                                  lib.optim.lr_scheduler.ExponentialLR(opt, 0.5))],
    'after_load_state_dict': lambda lib, opt: (lib.optim.lr_scheduler.StepLR(opt, 1),
                                               opt.load_state_dict(opt.state_dict()), opt.step())[0].step(),
    'sequential_first': lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.ConstantLR(opt), lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)],
        milestones=[2]).step(),
    'warm_restarts_first': lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 3).step(),
    'get_lr_outside_step': lambda lib, opt: (lib.optim.lr_scheduler.StepLR(opt, 1), opt.step())[0].get_lr(),
    'get_lr_one_cycle': lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=5).get_lr(),
    'get_lr_warm_restarts': lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 3).get_lr(),
    'get_last_lr_is_quiet': lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 1).get_last_lr(),
}


@pytest.mark.parametrize('case', list(SCHEDULER_WARNING_CASES))
def test_scheduler_warnings_match_torch(case):
    def steps(lib):
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        SCHEDULER_WARNING_CASES[case](lib, opt)
    assert _warnings_of(ember, steps) == _warnings_of(torch, steps)


def test_resuming_without_initial_lr_raises_torchs_key_error():
    messages = []
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(KeyError) as error:
            lib.optim.lr_scheduler.StepLR(opt, 3, last_epoch=4)
        messages.append(str(error.value))
    assert messages[0] == messages[1]
