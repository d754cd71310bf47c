"""Runs every row of tests/op_db.py against PyTorch: forward values, dtypes and shapes, the gradient
of every float input, and a float64 gradcheck of ember's backward (and, for rows marked `gradgrad`,
a gradgradcheck of its create_graph backward)."""
import numpy as np
import pytest
import torch

import ember
from op_db import OP_CASES, ERROR_CASES
from op_db._spec import Py

TOLERANCE = {'float32': (1e-5, 1e-4), 'float64': (1e-10, 1e-7)}


def _flatten(out):
    if isinstance(out, (tuple, list)):
        result = []
        for o in out:
            result.extend(_flatten(o))
        return result
    return [out]


def _inputs(case, dtype):
    rng = np.random.default_rng(case.seed)
    arrays = [None if isinstance(spec, Py) else spec.make(rng, dtype) for spec in case.args]
    return rng, arrays


def _make(lib, case, arrays, requires_grad):
    tensors = []
    for spec, arr in zip(case.args, arrays):
        if isinstance(spec, Py):
            tensors.append(spec.value)
            continue
        t = lib.tensor(arr)
        if requires_grad and spec.grad and arr.dtype.kind == 'f':
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def _compare(ours, theirs, dtype, case, what):
    atol, rtol = TOLERANCE[dtype]
    atol = case.atol if case.atol is not None else atol
    rtol = case.rtol if case.rtol is not None else rtol
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ember.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
        if case.compare_dtype:
            assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1], \
                f"{what}: dtype {ours.dtype} != {theirs.dtype}"
        expected = theirs.detach().numpy()
        got = ours.detach().numpy()
        if expected.dtype.kind in 'biu':
            np.testing.assert_array_equal(got, expected, err_msg=what)
        else:
            np.testing.assert_allclose(got, expected, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
    elif isinstance(theirs, (bool, int, float)):
        assert ours == pytest.approx(theirs, abs=atol, rel=rtol, nan_ok=True), what
    else:
        assert type(ours).__name__ == type(theirs).__name__, what


def _float_dtypes(case):
    return [pytest.param(case, d, id=f"{case.name}-{d}") for d in case.dtypes]


ALL = [p for case in OP_CASES for p in _float_dtypes(case)]


@pytest.mark.parametrize('case,dtype', ALL)
def test_op_matches_torch(case, dtype):
    rng, arrays = _inputs(case, dtype)
    ours_in = _make(ember, case, arrays, case.grad)
    theirs_in = _make(torch, case, arrays, case.grad)
    ours = _flatten(case.fn(ember, *ours_in))
    theirs = _flatten(case.fn(torch, *theirs_in))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"
    for i, (o, t) in enumerate(zip(ours, theirs)):
        _compare(o, t, dtype, case, f"output {i}")
    if not case.grad:
        return
    # backward: a weighted sum of the differentiable outputs, same weights in both
    ours_total, theirs_total = [], []
    for o, t in zip(ours, theirs):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert o.requires_grad, "output should require grad"
            weights = rng.uniform(0.5, 1.5, tuple(t.shape)).astype(dtype)
            ours_total.append((o * ember.tensor(weights)).sum())
            theirs_total.append((t * torch.tensor(weights)).sum())
    if not theirs_total:
        return
    sum(theirs_total).backward()
    sum(ours_total).backward()
    for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert o.grad is None or not np.any(o.grad.numpy()), f"input {i}: torch has no grad"
            else:
                assert o.grad is not None, f"input {i}: no gradient"
                _compare(o.grad, t.grad, dtype, case, f"grad of input {i}")


GRADCHECK = [pytest.param(c, id=c.name) for c in OP_CASES if c.grad and c.gradcheck and 'float64' in c.dtypes]


@pytest.mark.parametrize('case', GRADCHECK)
def test_op_gradcheck(case):
    _, arrays = _inputs(case, 'float64')
    inputs = _make(ember, case, arrays, True)
    if not any(getattr(t, 'requires_grad', False) for t in inputs):
        pytest.skip("no differentiable input")

    def fn(*xs):
        return tuple(o for o in _flatten(case.fn(ember, *xs)) if isinstance(o, ember.Tensor) and o.requires_grad)

    assert ember.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


GRADGRADCHECK = [pytest.param(c, id=c.name) for c in OP_CASES if c.grad and c.gradgrad and 'float64' in c.dtypes]


@pytest.mark.parametrize('case', GRADGRADCHECK)
def test_op_gradgradcheck(case):
    _, arrays = _inputs(case, 'float64')
    inputs = _make(ember, case, arrays, True)

    def fn(*xs):
        return tuple(o for o in _flatten(case.fn(ember, *xs)) if isinstance(o, ember.Tensor) and o.requires_grad)

    assert ember.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize('case', [pytest.param(c, id=c.name) for c in ERROR_CASES])
def test_error_matches_torch(case):
    with pytest.raises(Exception) as theirs:
        case.fn(torch)
    with pytest.raises(Exception) as ours:
        case.fn(ember)
    assert type(ours.value).__name__ == type(theirs.value).__name__, \
        f"ember raised {type(ours.value).__name__}: {ours.value}; torch raises {type(theirs.value).__name__}"
