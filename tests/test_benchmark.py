"""ember.utils.benchmark against torch.utils.benchmark: given the same raw times, Measurement's
statistics and repr and Compare's table print the same; live timings run and are well formed."""
import pytest
import torch
import torch.utils.benchmark as torch_benchmark

import ember
import ember.utils.benchmark as benchmark

RAW_TIMES = {
    'one block': (100, [1.9e-4]),
    'two blocks': (10000, [0.0373, 0.0380]),
    'steady': (1000, [2.01e-3, 2.00e-3, 2.02e-3, 2.00e-3, 2.01e-3, 1.99e-3]),
    'noisy': (10000, [0.034, 0.029, 0.041, 0.037, 0.030, 0.052]),
    'very noisy': (10, [1.0, 2.0, 3.0, 4.0, 9.0]),
    'nanoseconds': (1000000, [0.35, 0.36, 0.351, 0.349]),
    'milliseconds': (10, [0.052, 0.051, 0.050, 0.053]),
}
TASKS = [
    dict(stmt='x + y', setup='x = torch.ones(3)', label='add', sub_label='small', description='float32'),
    dict(stmt='x + y', setup='pass'),
    dict(stmt='for _ in range(3):\n    x + y', setup='x = 1\ny = 2', sub_label='loop'),
    dict(stmt='x * y', setup='', label='mul', num_threads=4),
]


def _measurements(module, number, raw_times, task):
    return module.Measurement(number, list(raw_times), module.TaskSpec(**task))


@pytest.mark.parametrize('task', range(len(TASKS)))
@pytest.mark.parametrize('case', list(RAW_TIMES))
def test_measurement_matches_torch(case, task):
    ours = _measurements(benchmark, *RAW_TIMES[case], TASKS[task])
    theirs = _measurements(torch_benchmark, *RAW_TIMES[case], TASKS[task])
    for name in ('mean', 'median', 'iqr'):
        assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-12)
    assert ours.times == theirs.times
    assert (ours.has_warnings, ours.significant_figures, ours.title, ours.env, ours.as_row_name) == \
        (theirs.has_warnings, theirs.significant_figures, theirs.title, theirs.env, theirs.as_row_name)
    # everything but the first line, which names the class and its address
    assert repr(ours).split('\n')[1:] == repr(theirs).split('\n')[1:]


def _compare_output(module, trim=False, colorize=False, highlight=False):
    measurements = []
    for description, scale in (('ember', 1.0), ('numpy', 0.7)):
        for sub_label, base in (('small', 2e-6), ('medium', 4.5e-5), ('large', 1.2e-3)):
            for threads in (1, 2):
                task = module.TaskSpec('f(x)', 'pass', label='ops', sub_label=sub_label, description=description,
                                       num_threads=threads)
                times = [base * scale * threads * factor for factor in (1.0, 1.01, 0.99, 1.2 if trim else 1.0)]
                measurements.append(module.Measurement(1, times, task))
    measurements.append(module.Measurement(1, [3e-6, 3.1e-6], module.TaskSpec('g(x)', 'pass', label='other', description='d')))
    compare = module.Compare(measurements)
    if trim:
        compare.trim_significant_figures()
    if colorize:
        compare.colorize(rowwise=colorize == 'rowwise')
    if highlight:
        compare.highlight_warnings()
    return str(compare)


@pytest.mark.parametrize('options', [{}, dict(trim=True), dict(colorize=True), dict(colorize='rowwise'),
                                     dict(trim=True, highlight=True)])
def test_compare_prints_torchs_table(options):
    assert _compare_output(benchmark, **options) == _compare_output(torch_benchmark, **options)


def test_compare_refuses_other_objects():
    with pytest.raises(ValueError, match='Expected an instance of `Measurement`'):
        benchmark.Compare([1.0])


def test_live_timer():
    x = ember.ones(8)
    timer = benchmark.Timer('x + y', setup='y = torch.ones(8)', globals={'x': x}, label='add', description='d')
    measurement = timer.timeit(50)
    assert measurement.number_per_run == 50 and len(measurement.times) == 1 and measurement.mean > 0
    blocked = timer.blocked_autorange(min_run_time=0.02)
    assert len(blocked.times) >= 1 and sum(blocked.raw_times) >= 0.02 and blocked.median > 0
    adaptive = timer.adaptive_autorange(min_run_time=0.01, max_run_time=0.1)
    assert len(adaptive.times) >= 1 and adaptive.median > 0
    assert 'Times are in' in str(benchmark.Compare([measurement, blocked]))
    with pytest.raises(ValueError, match='only a `str` stmt'):
        benchmark.Timer(lambda: None)
    with pytest.raises(ValueError, match='global_setup is C\\+\\+ only'):
        benchmark.Timer('pass', global_setup='int x;')


def test_timer_uses_the_given_clock():
    ticks = iter(range(0, 1000, 2))
    measurement = benchmark.Timer('pass', timer=lambda: float(next(ticks))).timeit(10)
    assert measurement.raw_times == [2.0] and measurement.times == [0.2]
