"""What a CPU-only PyTorch build offers a course's GPU and mixed-precision lessons, against torch 2.13+cpu:
the namespace constants, `torch.version`, the `torch.cuda` helpers (which fail, return 0 or do nothing),
`torch.autocast` and `GradScaler` (CUDA ones warn and disable themselves; a CPU GradScaler really scales)."""
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def test_namespace_constants():
    for name in ('pi', 'e', 'inf', 'nan', 'newaxis'):
        ours, theirs = getattr(ember, name), getattr(torch, name)
        assert type(ours) is type(theirs) and (ours == theirs or (math.isnan(ours) and math.isnan(theirs)))
    assert ember.zeros(2, 3)[:, ember.newaxis].shape == (2, 1, 3)


def test_version_module():
    assert ember.version.cuda is torch.version.cuda is None
    assert ember.version.hip is torch.version.hip is None
    assert ember.version.debug is torch.version.debug is False
    assert ember.version.__version__ == ember.__version__
    assert isinstance(ember.version.git_version, str)
    assert sorted(ember.version.__all__) == sorted(torch.version.__all__)


def _as_torch(outcome):
    """An outcome's text with ember's names read as torch's (`ember.bfloat16` prints as `torch.bfloat16`)."""
    return repr(outcome).replace('ember.', 'torch.')


def _outcome(call):
    """What `call()` returns or raises (type and message), and the warnings it gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            result = ('returns', call())
        except Exception as error:  # noqa: BLE001  (compared with torch's)
            result = (type(error).__name__, str(error))
    return result, [(w.category.__name__, str(w.message)) for w in caught]


CUDA_CALLS = {
    'get_device_name': lambda cuda: cuda.get_device_name(0),
    'get_device_name_default': lambda cuda: cuda.get_device_name(),
    'get_device_properties': lambda cuda: cuda.get_device_properties(0),
    'get_device_capability': lambda cuda: cuda.get_device_capability(),
    'set_device_0': lambda cuda: cuda.set_device(0),
    'set_device_cuda_1': lambda cuda: cuda.set_device('cuda:1'),
    'set_device_negative': lambda cuda: cuda.set_device(-1),
    'set_device_cpu': lambda cuda: cuda.set_device('cpu'),
    'set_device_no_index': lambda cuda: cuda.set_device('cuda'),
    'current_device': lambda cuda: cuda.current_device(),
    'memory_allocated': lambda cuda: cuda.memory_allocated(),
    'memory_allocated_0': lambda cuda: cuda.memory_allocated(0),
    'max_memory_allocated': lambda cuda: cuda.max_memory_allocated(),
    'memory_reserved': lambda cuda: cuda.memory_reserved(),
    'max_memory_reserved': lambda cuda: cuda.max_memory_reserved(),
    'memory_stats': lambda cuda: cuda.memory_stats(),
    'reset_peak_memory_stats': lambda cuda: cuda.reset_peak_memory_stats(),
    'empty_cache': lambda cuda: cuda.empty_cache(),
    'synchronize': lambda cuda: cuda.synchronize(),
    'manual_seed': lambda cuda: cuda.manual_seed(1),
    'manual_seed_all': lambda cuda: cuda.manual_seed_all(1),
    'seed': lambda cuda: cuda.seed(),
    'initial_seed': lambda cuda: cuda.initial_seed(),
    'is_initialized': lambda cuda: cuda.is_initialized(),
    'init': lambda cuda: cuda.init(),
    'is_bf16_supported': lambda cuda: cuda.is_bf16_supported(),
    'get_arch_list': lambda cuda: cuda.get_arch_list(),
}


@pytest.mark.parametrize('name', list(CUDA_CALLS))
def test_cuda_helpers_behave_as_on_a_cpu_build(name):
    assert _as_torch(_outcome(lambda: CUDA_CALLS[name](ember.cuda))) == \
        _as_torch(_outcome(lambda: CUDA_CALLS[name](torch.cuda)))


# ---- autocast ------------------------------------------------------------------------------------
def _autocast_region(lib, make):
    """Enter the region `make(lib)` builds: the warnings, and the autocast state inside and after."""
    def inside():
        with make(lib):
            state = [lib.is_autocast_enabled(), lib.is_autocast_enabled('cpu'), lib.is_autocast_enabled('cuda'),
                     str(lib.get_autocast_dtype('cpu')), str(lib.get_autocast_dtype('cuda'))]
        return state + [lib.is_autocast_enabled('cpu'), lib.is_autocast_enabled('cuda')]
    result, caught = _outcome(inside)
    # ember's one-time note that it computes in float32 is its own: see test_cpu_autocast_runs_in_float32
    return result, [w for w in caught if 'ember runs every op' not in w[1]]


AUTOCASTS = {
    'cuda': lambda lib: lib.autocast(device_type='cuda'),
    'cuda_float16': lambda lib: lib.autocast('cuda', dtype=lib.float16),
    'cuda_disabled': lambda lib: lib.autocast(device_type='cuda', enabled=False),
    'cpu': lambda lib: lib.autocast(device_type='cpu'),
    'cpu_bfloat16': lambda lib: lib.autocast(device_type='cpu', dtype=lib.bfloat16),
    'cpu_float16': lambda lib: lib.amp.autocast('cpu', dtype=lib.float16),
    'cpu_float32': lambda lib: lib.autocast(device_type='cpu', dtype=lib.float32),
    'cpu_float64': lambda lib: lib.autocast(device_type='cpu', dtype=lib.float64),
    'cpu_disabled': lambda lib: lib.autocast(device_type='cpu', dtype=lib.bfloat16, enabled=False),
    'cuda_amp_autocast': lambda lib: lib.cuda.amp.autocast(),
    'cuda_amp_autocast_disabled': lambda lib: lib.cuda.amp.autocast(enabled=False),
    'cpu_amp_autocast': lambda lib: lib.cpu.amp.autocast(),
    'not_a_string': lambda lib: lib.autocast(device_type=lib.device('cpu')),
    'no_device_type': lambda lib: lib.amp.autocast(),
}


@pytest.mark.parametrize('name', list(AUTOCASTS))
def test_autocast_state_and_warnings_match_torch(name):
    assert _as_torch(_autocast_region(ember, AUTOCASTS[name])) == _as_torch(_autocast_region(torch, AUTOCASTS[name]))


def test_autocast_nests_and_decorates():
    for lib in (ember, torch):
        @lib.autocast(device_type='cpu')
        def decorated():
            with lib.autocast(device_type='cpu', enabled=False):
                inner = lib.is_autocast_enabled('cpu')
            return lib.is_autocast_enabled('cpu'), inner
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            assert decorated() == (True, False)
        assert not lib.is_autocast_enabled('cpu')


def test_cpu_autocast_runs_in_float32_and_says_so_once():
    # ember has no per-op cast lists (and NumPy no bfloat16): its honest answer is float32, noted once
    from ember.amp import autocast_mode
    autocast_mode._told_float32 = False
    net = ember.nn.Linear(4, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for _ in range(2):
            with ember.autocast(device_type='cpu', dtype=ember.bfloat16):
                out = net(ember.ones(3, 4))
    assert out.dtype == ember.float32
    assert [str(w.message) for w in caught if 'ember runs every op' in str(w.message)] == [
        "autocast(device_type='cpu', dtype=ember.bfloat16) is enabled, but ember runs every op in the region in "
        "float32 (it has no per-op cast lists, and NumPy has no bfloat16): outputs are float32 where PyTorch's "
        "would be reduced precision."]


# ---- GradScaler ----------------------------------------------------------------------------------
SCALERS = {
    'cuda_amp_default': lambda lib: lib.cuda.amp.GradScaler(),
    'cuda_amp_disabled': lambda lib: lib.cuda.amp.GradScaler(enabled=False),
    'amp_default_device': lambda lib: lib.amp.GradScaler(),
    'amp_cuda': lambda lib: lib.amp.GradScaler('cuda', init_scale=8.0),
    'amp_cpu': lambda lib: lib.amp.GradScaler('cpu'),
    'cpu_amp': lambda lib: lib.cpu.amp.GradScaler(init_scale=4.0),
    'bad_growth': lambda lib: lib.amp.GradScaler('cpu', growth_factor=1.0),
    'bad_backoff': lambda lib: lib.amp.GradScaler('cpu', backoff_factor=1.0),
}


def _scaler_facts(lib, name):
    def make():
        scaler = SCALERS[name](lib)
        disabled_getters = [_outcome(scaler.get_growth_factor)[0]]
        return [scaler.is_enabled(), scaler.get_scale(), scaler.state_dict(), disabled_getters]
    return _outcome(make)


@pytest.mark.parametrize('name', list(SCALERS))
def test_grad_scaler_construction_matches_torch(name):
    assert _as_torch(_scaler_facts(ember, name)) == _as_torch(_scaler_facts(torch, name))


def _train(lib, scaler_kwargs, losses_scale, steps=6, unscale_first=False):
    """A few SGD steps through a GradScaler; the loss is multiplied by `losses_scale[i]` at step i
    (inf makes the gradients overflow). Returns per step: loss value, scale, tracker, parameters."""
    rng = np.random.default_rng(0)
    net = lib.nn.Linear(3, 2)
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.tensor(rng.normal(size=tuple(p.shape)).astype(np.float32)))
    x = lib.tensor(rng.normal(size=(5, 3)).astype(np.float32))
    opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        scaler = lib.amp.GradScaler(**scaler_kwargs)
    history = []
    for step in range(steps):
        opt.zero_grad()
        loss = (net(x) ** 2).mean() * losses_scale[step % len(losses_scale)]
        scaled = scaler.scale(loss)
        scaled.backward()
        if unscale_first:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        result = scaler.step(opt)
        scaler.update()
        history.append((float(scaled.detach()), str(scaled.dtype).split('.')[-1], result, scaler.get_scale(),
                        scaler.state_dict(), [p.detach().numpy().copy() for p in net.parameters()]))
    return history, pickle.loads(pickle.dumps(scaler)).state_dict()


@pytest.mark.parametrize('scaler_kwargs, losses_scale, unscale_first', [
    (dict(device='cuda'), [1.0], False),                                    # disabled: a pass-through
    (dict(device='cpu'), [1.0], False),
    (dict(device='cpu', growth_interval=2), [1.0], True),
    (dict(device='cpu', init_scale=2.0 ** 20, growth_interval=3), [1.0, float('inf'), 1.0], False),
])
def test_grad_scaler_training_matches_torch(scaler_kwargs, losses_scale, unscale_first):
    ours, ours_pickled = _train(ember, scaler_kwargs, losses_scale, unscale_first=unscale_first)
    theirs, theirs_pickled = _train(torch, scaler_kwargs, losses_scale, unscale_first=unscale_first)
    assert ours_pickled == theirs_pickled
    for step, (a, b) in enumerate(zip(ours, theirs)):
        # (loss, dtype name, step result, scale, state dict): compared field by field, since pytest.approx
        # does not take nested structures
        assert a[0] == pytest.approx(b[0], rel=1e-6, nan_ok=True), f"step {step}"
        assert a[1:5] == b[1:5], f"step {step}"
        for p, q in zip(a[5], b[5]):
            np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6, err_msg=f"step {step}")


def test_grad_scaler_misuse_errors_match_torch():
    def calls(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler('cpu')
        outcomes = [_outcome(lambda: scaler.step(opt)), _outcome(lambda: scaler.update())]
        scaler.scale(p.sum()).backward()
        scaler.unscale_(opt)
        outcomes += [_outcome(lambda: scaler.unscale_(opt)), _outcome(lambda: scaler.step(opt, closure=None))]
        scaler.step(opt)
        outcomes += [_outcome(lambda: scaler.step(opt)), _outcome(lambda: scaler.unscale_(opt)),
                     _outcome(lambda: pickle.dumps(scaler)), _outcome(lambda: scaler.scale(3.0)),
                     _outcome(lambda: lib.amp.GradScaler('cpu').load_state_dict({}))]
        scaler.update(new_scale=2.0)
        return outcomes + [scaler.get_scale(), [scaler.scale(t).tolist() for t in scaler.scale([lib.ones(1)])]]
    assert _as_torch(calls(ember)) == _as_torch(calls(torch))
