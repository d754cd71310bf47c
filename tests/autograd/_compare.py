"""Run the same code with ember and with torch and compare what comes out.

`same(fn)` calls `fn(ember)` and `fn(torch)`; `fn` returns any nesting of tuples/lists/dicts of
tensors, numbers, strings, bools and None. Tensors are compared by dtype, shape and values.
`raises_same(fn)` checks that both libraries raise the same exception type.
"""
import numpy as np
import pytest
import torch

import ember

LIBS = (ember, torch)


def data(*shape, seed=0, low=-2.0, high=2.0, dtype=np.float32):
    """Deterministic random values, the same for both libraries."""
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def leaf(m, array, requires_grad=True):
    """A leaf tensor of library `m` holding a copy of `array`."""
    return m.tensor(np.array(array), requires_grad=requires_grad)


def _plain(x):
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return ('tensor', str(x.dtype).split('.')[-1], tuple(x.shape), np.array(x.detach().numpy(), copy=True))
    if isinstance(x, (tuple, list)):
        return ('seq', [_plain(v) for v in x])
    if isinstance(x, dict):
        return ('dict', {k: _plain(v) for k, v in x.items()})
    if isinstance(x, (ember.dtype, torch.dtype)):
        return ('dtype', str(x).split('.')[-1])
    if isinstance(x, (ember.Size, torch.Size)):
        return ('size', tuple(x))
    return x


def assert_same(ours, theirs, atol=1e-6, rtol=1e-5, where='result'):
    ours, theirs = _plain(ours), _plain(theirs)
    _assert_plain(ours, theirs, atol, rtol, where)


def _assert_plain(ours, theirs, atol, rtol, where):
    if isinstance(theirs, tuple) and theirs and theirs[0] == 'tensor':
        assert isinstance(ours, tuple) and ours[0] == 'tensor', f"{where}: expected a tensor, got {ours!r}"
        assert ours[1] == theirs[1], f"{where}: dtype {ours[1]} != torch's {theirs[1]}"
        assert ours[2] == theirs[2], f"{where}: shape {ours[2]} != torch's {theirs[2]}"
        np.testing.assert_allclose(ours[3], theirs[3], atol=atol, rtol=rtol, err_msg=where)
    elif isinstance(theirs, tuple) and theirs and theirs[0] == 'seq':
        assert isinstance(ours, tuple) and ours[0] == 'seq', f"{where}: expected a sequence, got {ours!r}"
        assert len(ours[1]) == len(theirs[1]), f"{where}: length {len(ours[1])} != torch's {len(theirs[1])}"
        for i, (o, t) in enumerate(zip(ours[1], theirs[1])):
            _assert_plain(o, t, atol, rtol, f"{where}[{i}]")
    elif isinstance(theirs, tuple) and theirs and theirs[0] == 'dict':
        assert ours[0] == 'dict' and ours[1].keys() == theirs[1].keys(), f"{where}: keys differ"
        for k in theirs[1]:
            _assert_plain(ours[1][k], theirs[1][k], atol, rtol, f"{where}[{k!r}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, abs=atol, rel=rtol), f"{where}: {ours} != torch's {theirs}"
    else:
        assert ours == theirs, f"{where}: {ours!r} != torch's {theirs!r}"


def same(fn, atol=1e-6, rtol=1e-5):
    """fn(ember) and fn(torch) give the same result; returns both."""
    ours, theirs = fn(ember), fn(torch)
    assert_same(ours, theirs, atol, rtol)
    return ours, theirs


def raises_same(fn, match=None):
    """fn(ember) raises the exception type fn(torch) raises (and `match` is in both messages)."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert ours.type is theirs.type, f"ember raised {ours.type.__name__}: {ours.value}; " \
                                     f"torch raised {theirs.type.__name__}: {theirs.value}"
    if match is not None:
        assert match in str(theirs.value), f"torch's message changed: {theirs.value}"
        assert match in str(ours.value), f"ember's message lacks {match!r}: {ours.value}"
    return ours.value, theirs.value


def graph_structure(fn, depth=8):
    """A grad_fn as nested data: (name, [(child structure, output_nr), ...]); leaves as
    ('AccumulateGrad', variable id marker)."""
    if fn is None:
        return None
    name = type(fn).__name__
    if name == 'AccumulateGrad':
        return (name, 'leaf')
    if depth == 0:
        return (name, '...')
    return (name, [(graph_structure(child, depth - 1), nr) for child, nr in fn.next_functions])
