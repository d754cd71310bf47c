"""ember.signal.windows against torch.signal.windows: values, dtypes, graphs and argument errors."""
import numpy as np
import pytest
import torch

import ember

WINDOWS = {
    'bartlett': {}, 'blackman': {}, 'cosine': {}, 'hamming': {}, 'hann': {}, 'nuttall': {},
    'exponential': {}, 'exponential tau': dict(tau=3.0), 'exponential centred': dict(sym=False, center=1.5),
    'gaussian': {}, 'gaussian std': dict(std=0.4), 'kaiser': {}, 'kaiser beta': dict(beta=0.5),
    'general_cosine': dict(a=[0.5, 0.3, 0.2]), 'general_hamming': dict(alpha=0.6),
}


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('sym', [True, False])
@pytest.mark.parametrize('M', [0, 1, 2, 7, 16])
@pytest.mark.parametrize('case', list(WINDOWS))
def test_window_values(case, M, sym, dtype):
    name, kwargs = case.split()[0], dict(WINDOWS[case])
    if kwargs.get('center') is not None and sym:
        return
    kwargs.setdefault('sym', sym)
    ours = getattr(ember.signal.windows, name)(M, dtype=getattr(ember, dtype), **kwargs)
    theirs = getattr(torch.signal.windows, name)(M, dtype=getattr(torch, dtype), **kwargs)
    assert str(ours.dtype) == str(theirs.dtype).replace('torch', 'ember')
    # (exp, sin and i0 may round the last bit differently from PyTorch's vectorised ones)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6 if dtype == 'float32' else 1e-14,
                               atol=1e-7 if dtype == 'float32' else 1e-15)


def test_default_dtype_and_graph():
    window = ember.signal.windows.hann(5, requires_grad=True)
    assert window.dtype == ember.float32 and window.grad_fn is not None
    window.sum().backward()  # (the leaf is the linspace inside: nothing to check but that it runs)
    previous = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.signal.windows.bartlett(4).dtype == ember.float64
    finally:
        ember.set_default_dtype(previous)


@pytest.mark.parametrize('call', [
    lambda m: m.signal.windows.hann(-1),
    lambda m: m.signal.windows.hann(4, dtype=m.int64),
    lambda m: m.signal.windows.gaussian(4, std=0),
    lambda m: m.signal.windows.exponential(4, tau=-1),
    lambda m: m.signal.windows.exponential(4, center=1.0),
    lambda m: m.signal.windows.kaiser(4, beta=-1.0),
    lambda m: m.signal.windows.general_cosine(4, a=[]),
    lambda m: m.signal.windows.general_cosine(4, a=3),
])
def test_window_errors(call):
    outcomes = []
    for module in (ember, torch):
        with pytest.raises(Exception) as info:
            call(module)
        outcomes.append((type(info.value), str(info.value).replace('torch.', 'M.').replace('ember.', 'M.')))
    assert outcomes[0] == outcomes[1]
