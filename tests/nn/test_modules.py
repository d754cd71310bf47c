"""Runs every row of tests/nn/module_db against PyTorch: the torch layer's parameters and buffers are
copied into the ember layer through state_dict, both get the same inputs, and the outputs, the
input gradients, the parameter gradients and the buffers after the forward are compared; then a
float64 gradcheck of ember's layer (inputs and parameters)."""
import numpy as np
import pytest
import torch

import ember
from module_db import MODULE_CASES
from op_db._spec import Py

TOLERANCE = {'float32': (1e-5, 1e-4), 'float64': (1e-10, 1e-7)}


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flatten(o)]
    return [out]


def _build(case, dtype):
    torch.manual_seed(case.seed)
    theirs = case.make(torch.nn).to(getattr(torch, dtype))
    ours = case.make(ember.nn).to(getattr(ember, dtype))
    state = {k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)
    if not case.train:
        theirs.eval()
        ours.eval()
    return ours, theirs


def _inputs(lib, case, arrays, requires_grad):
    out = []
    for spec, arr in zip(case.inputs, arrays):
        if isinstance(spec, Py):
            out.append(spec.value)
            continue
        t = lib.tensor(arr)
        if requires_grad and spec.grad and arr.dtype.kind == 'f':
            t.requires_grad_(True)
        out.append(t)
    return out


def _call(case, module, inputs):
    return case.forward(module, *inputs) if case.forward else module(*inputs)


def _close(ours, theirs, dtype, case, what):
    atol, rtol = TOLERANCE[dtype]
    atol = case.atol if case.atol is not None else atol
    rtol = case.rtol if case.rtol is not None else rtol
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != {tuple(theirs.shape)}"
    assert str(ours.dtype).split('.')[-1] == str(theirs.dtype).split('.')[-1], f"{what}: {ours.dtype} != {theirs.dtype}"
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=atol, rtol=rtol,
                               equal_nan=True, err_msg=what)


@pytest.mark.parametrize('case,dtype', [pytest.param(c, d, id=f"{c.name}-{d}") for c in MODULE_CASES for d in c.dtypes])
def test_module_matches_torch(case, dtype):
    ours_module, theirs_module = _build(case, dtype)
    rng = np.random.default_rng(case.seed)
    arrays = [None if isinstance(s, Py) else s.make(rng, dtype) for s in case.inputs]
    ours_in = _inputs(ember, case, arrays, case.grad)
    theirs_in = _inputs(torch, case, arrays, case.grad)
    torch.manual_seed(case.seed)
    theirs = _flatten(_call(case, theirs_module, theirs_in))
    ember.manual_seed(case.seed)
    ours = _flatten(_call(case, ours_module, ours_in))
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if isinstance(t, torch.Tensor):
            _close(o, t, dtype, case, f"output {i}")
    for name, buf in theirs_module.named_buffers():
        _close(dict(ours_module.named_buffers())[name], buf, dtype, case, f"buffer {name}")
    if not case.grad:
        return
    ours_total, theirs_total = [], []
    for o, t in zip(ours, theirs):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            w = rng.uniform(0.5, 1.5, tuple(t.shape)).astype(dtype)
            ours_total.append((o * ember.tensor(w)).sum())
            theirs_total.append((t * torch.tensor(w)).sum())
    if not theirs_total:
        return
    sum(theirs_total).backward()
    sum(ours_total).backward()
    for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
        if isinstance(t, torch.Tensor) and t.grad is not None:
            _close(o.grad, t.grad, dtype, case, f"grad of input {i}")
    ours_params = dict(ours_module.named_parameters())
    for name, p in theirs_module.named_parameters():
        if p.grad is not None:
            assert ours_params[name].grad is not None, f"no gradient for parameter {name}"
            _close(ours_params[name].grad, p.grad, dtype, case, f"grad of {name}")


GRADCHECK = [pytest.param(c, id=c.name) for c in MODULE_CASES if c.grad and c.gradcheck and 'float64' in c.dtypes]


@pytest.mark.parametrize('case', GRADCHECK)
def test_module_gradcheck(case):
    ember.manual_seed(case.seed)
    module = case.make(ember.nn).double()
    if not case.train:
        module.eval()
    rng = np.random.default_rng(case.seed)
    arrays = [None if isinstance(s, Py) else s.make(rng, 'float64') for s in case.inputs]
    inputs = _inputs(ember, case, arrays, True)
    params = [p for p in module.parameters() if p.requires_grad]
    n_in = len(inputs)
    # parameters stay the tensors the module uses; gradcheck nudges their memory in place
    assert ember.autograd.gradcheck(lambda *a: _call_with_params(case, module, a, n_in), tuple(inputs) + tuple(params),
                                    eps=1e-6, atol=1e-5, rtol=1e-3)


def _call_with_params(case, module, args, n_in):
    ember.manual_seed(case.seed)
    return tuple(o for o in _flatten(_call(case, module, list(args[:n_in])))
                 if isinstance(o, ember.Tensor) and o.requires_grad)
