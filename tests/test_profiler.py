"""ember.profiler against torch.profiler: the same table columns, op names as in PyTorch's traces,
user ranges, Chrome traces that parse, schedules that call on_trace_ready on the same steps; and
no trace of the profiler left in ember once it stops."""
import json
import os

import pytest
import torch
import torch.profiler

import ember
import ember.profiler
from ember.autograd import profiler as autograd_profiler


def _workload(module):
    x = module.randn(4, 4, requires_grad=True)
    w = module.randn(4, 4)
    with module.profiler.record_function("model_inference"):
        y = (x.mm(w) + 1).relu().sum()
    y.backward()


def _profiled(module, **kwargs):
    with module.profiler.profile(activities=[module.profiler.ProfilerActivity.CPU], **kwargs) as prof:
        _workload(module)
    return prof


def _header(table):
    return [line for line in table.splitlines() if 'Name' in line][0].split()


@pytest.mark.parametrize('kwargs', [{}, dict(record_shapes=True), dict(profile_memory=True),
                                    dict(record_shapes=True, profile_memory=True)])
def test_table_has_torchs_columns(kwargs):
    ours = _profiled(ember, **kwargs).key_averages().table(sort_by="cpu_time_total", row_limit=10)
    theirs = _profiled(torch, **kwargs).key_averages().table(sort_by="cpu_time_total", row_limit=10)
    assert _header(ours) == _header(theirs)
    # the same layout: columns 12 wide after the name, two spaces apart
    assert ours.splitlines()[0].split()[1:] == theirs.splitlines()[0].split()[1:]
    assert ours.splitlines()[-1].startswith("Self CPU time total: ")
    assert len([line for line in ours.splitlines() if line.strip().startswith(('aten::', 'model_', 'autograd::'))]) \
        == 10


def test_op_names_and_user_ranges_match_torchs():
    ours = {event.key for event in _profiled(ember).key_averages()}
    theirs = {event.key for event in _profiled(torch).key_averages()}
    expected = {'model_inference', 'aten::mm', 'aten::add', 'aten::relu', 'aten::sum', 'aten::randn',
                'autograd::engine::evaluate_function: MmBackward0',
                'autograd::engine::evaluate_function: ReluBackward0'}
    assert expected <= ours and expected <= theirs


def test_events_nest_and_add_up():
    prof = _profiled(ember, record_shapes=True)
    events = prof.events()
    inference = next(event for event in events if event.name == 'model_inference')
    assert {child.name for child in inference.cpu_children} == {'aten::mm', 'aten::add', 'aten::relu', 'aten::sum'}
    assert all(child.cpu_parent is inference for child in inference.cpu_children)
    assert inference.self_cpu_time_total == pytest.approx(
        inference.cpu_time_total - sum(child.cpu_time_total for child in inference.cpu_children))
    mm = next(event for event in events if event.name == 'aten::mm')
    assert mm.input_shapes == [[4, 4], [4, 4]] and mm.cpu_time_total > 0
    averages = {event.key: event for event in prof.key_averages()}
    assert averages['aten::mm'].count == 2  # the forward, and one product in MmBackward0
    assert averages['model_inference'].count == 1
    by_shape = prof.key_averages(group_by_input_shape=True).table(row_limit=-1)
    assert '[[4, 4], [4, 4]]' in by_shape


def test_every_way_of_calling_an_op_is_seen():
    x, y = ember.ones(3), ember.ones(3)
    with ember.profiler.profile() as prof:
        ember.add(x, y)
        x.add(y)
        x + y
        x.add_(y)
        ember.nn.functional.linear(ember.ones(2, 3), ember.ones(4, 3))
        ember.zeros(2)
    names = [event.name for event in prof.events()]
    assert names.count('aten::add') == 3 and 'aten::add_' in names and 'aten::zeros' in names
    assert any(name in names for name in ('aten::addmm', 'aten::matmul', 'aten::mm', 'aten::linear'))


def test_nothing_is_left_patched():
    originals = (ember.add, ember.Tensor.mm, ember.Tensor.__add__, ember.nn.functional.relu)
    _profiled(ember)
    with ember.profiler.profile():
        with ember.profiler.profile():  # (profiles nest)
            ember.ones(2) + 1
    assert (ember.add, ember.Tensor.mm, ember.Tensor.__add__, ember.nn.functional.relu) == originals
    assert not autograd_profiler._patched and not autograd_profiler._recorders
    assert not hasattr(ember.add, '_profiled')


def test_record_function_as_decorator_and_outside_a_profile():
    @ember.profiler.record_function("my_function")
    def function(x):
        return x * 2

    function(ember.ones(2))  # (no profile: nothing to record, nothing fails)
    with ember.profiler.profile() as prof:
        function(ember.ones(2))
    event = next(event for event in prof.events() if event.name == "my_function")
    assert [child.name for child in event.cpu_children] == ['aten::mul']


def test_chrome_trace_parses(tmp_path):
    prof = _profiled(ember, record_shapes=True)
    path = str(tmp_path / 'trace.json')
    prof.export_chrome_trace(path)
    with open(path) as file:
        trace = json.load(file)
    events = trace['traceEvents']
    assert {event['ph'] for event in events} == {'X'}
    names = {event['name']: event for event in events}
    assert names['model_inference']['cat'] == 'user_annotation' and names['aten::mm']['cat'] == 'cpu_op'
    assert names['aten::mm']['args']['Input Dims'] == [[4, 4], [4, 4]]
    assert all(event['dur'] >= 0 and 'ts' in event and 'tid' in event for event in events)


def test_memory_and_stack():
    with ember.profiler.profile(profile_memory=True, with_stack=True) as prof:
        big = ember.zeros(1000, 1000)  # 4 MB
    del big
    zeros = next(event for event in prof.events() if event.name == 'aten::zeros')
    assert zeros.cpu_memory_usage >= 4_000_000
    assert zeros.stack and 'test_profiler.py' in zeros.stack[0]
    table = prof.key_averages().table(sort_by='self_cpu_memory_usage')
    assert 'CPU Mem' in table and 'MB' in table
    assert 'Source Location' in prof.events().table()


def _scheduled_steps(module, tmp_path, **schedule_kwargs):
    ready = []
    sched = module.profiler.schedule(**schedule_kwargs)
    with module.profiler.profile(activities=[module.profiler.ProfilerActivity.CPU], schedule=sched,
                                 on_trace_ready=lambda prof: ready.append(
                                     (prof.step_num, sorted({e.name for e in prof.events()
                                                             if e.name.startswith('ProfilerStep')})))) as prof:
        for _ in range(9):
            module.ones(2) * 2
            prof.step()
    return ready


@pytest.mark.parametrize('schedule_kwargs', [dict(wait=1, warmup=1, active=2), dict(wait=1, warmup=1, active=2,
                                                                                    repeat=1),
                                             dict(wait=0, warmup=1, active=1, skip_first=2)])
def test_schedule_calls_on_trace_ready_like_torch(tmp_path, schedule_kwargs):
    assert _scheduled_steps(ember, tmp_path, **schedule_kwargs) == _scheduled_steps(torch, tmp_path, **schedule_kwargs)


def test_schedule_values_and_errors():
    for kwargs in (dict(wait=1, warmup=2, active=3, repeat=2, skip_first=1), dict(wait=3, warmup=1, active=1,
                                                                                    skip_first=2, skip_first_wait=1)):
        ours, theirs = ember.profiler.schedule(**kwargs), torch.profiler.schedule(**kwargs)
        assert [ours(step).name for step in range(20)] == [theirs(step).name for step in range(20)]
    for module in (ember, torch):
        with pytest.raises(AssertionError, match='Invalid profiler schedule arguments'):
            module.profiler.schedule(wait=0, warmup=0, active=0)
        with pytest.warns(UserWarning, match="won't be using warmup"):
            module.profiler.schedule(wait=0, warmup=0, active=1)


def test_tensorboard_trace_handler(tmp_path):
    with ember.profiler.profile(schedule=ember.profiler.schedule(wait=0, warmup=1, active=1),
                                on_trace_ready=ember.profiler.tensorboard_trace_handler(str(tmp_path / 'log'),
                                                                                        worker_name='w')) as prof:
        for _ in range(4):
            ember.ones(2).sum()
            prof.step()
    files = sorted(os.listdir(tmp_path / 'log'))
    assert len(files) == 2 and all(name.startswith('w.') and name.endswith('.pt.trace.json') for name in files)
    with open(tmp_path / 'log' / files[0]) as file:
        assert any(event['name'] == 'aten::sum' for event in json.load(file)['traceEvents'])


def test_legacy_autograd_profiler():
    with ember.autograd.profiler.profile(record_shapes=True) as prof:
        ember.ones(3).exp()
    assert [event.name for event in prof.function_events] == ['aten::ones', 'aten::exp']
    assert 'aten::exp' in prof.table() and prof.self_cpu_time_total > 0
    with pytest.raises(RuntimeError, match="didn't finish"):
        ember.autograd.profiler.profile().key_averages()
