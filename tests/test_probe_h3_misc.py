"""Small API pieces against PyTorch: resizing storages, the device times of profiler averages on a
CPU-only machine, and `hub._load_local`."""
import warnings

import pytest
import torch
import torch.autograd.profiler_util

import ember
import ember.autograd.profiler


@pytest.mark.parametrize('new_size', [5, 2, 0])
def test_typed_storage_resize_keeps_the_shared_prefix(new_size):
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for m in (ember, torch):
            storage = m.arange(3.).storage()
            assert storage.resize_(new_size) is None
            results.append((storage.size(), list(storage)[:3]))
    assert results[0] == results[1]


def test_untyped_storage_resize():
    sizes = []
    for m in (ember, torch):
        storage = m.ones(3).untyped_storage()
        assert storage.resize_(20) is storage
        sizes.append((storage.nbytes(), list(storage)[:4]))
    assert sizes[0] == sizes[1]


def test_function_event_avg_device_times_are_zero_on_cpu():
    ours, theirs = ember.autograd.profiler.FunctionEventAvg(), torch.autograd.profiler_util.FunctionEventAvg()
    for name in ('device_time_total', 'self_device_time_total', 'device_time', 'device_time_str',
                 'device_time_total_str', 'self_device_time_total_str'):
        assert getattr(ours, name) == getattr(theirs, name), name
    with ember.profiler.profile() as prof:
        ember.ones(3).sum()
    assert all(event.device_time_total == 0 for event in prof.key_averages())


def test_hub_load_local(tmp_path):
    for m in (ember, torch):
        (tmp_path / 'hubconf.py').write_text(f"import {m.__name__}\n"
                                             f"def tiny(width=2):\n    return {m.__name__}.nn.Linear(width, 1)\n")
        assert m.hub._load_local(str(tmp_path), 'tiny', width=3).in_features == 3
        with pytest.raises(RuntimeError, match='Cannot find callable nope in hubconf'):
            m.hub._load_local(str(tmp_path), 'nope')
