"""nn.utils: gradient clipping and parameter vectors, compared with torch."""
import math

import numpy as np
import pytest
import torch

import ember


def _params(lib, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    params = []
    for shape in [(3, 4), (4,), (2, 2)]:
        p = lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        p.grad = lib.tensor((scale * rng.standard_normal(shape)).astype(np.float32))
        params.append(p)
    params.append(lib.tensor(np.ones(2, np.float32), requires_grad=True))  # no grad: skipped
    return params


@pytest.mark.parametrize('max_norm,norm_type', [(1.0, 2.0), (100.0, 2), (0.5, 1), (0.3, math.inf), (2, 3.0),
                                                (0.1, 'inf')])
def test_clip_grad_norm_(max_norm, norm_type):
    norm_type = float(norm_type)
    ours, theirs = _params(ember), _params(torch)
    ours_norm = ember.nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    theirs_norm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type, foreach=False)
    assert isinstance(ours_norm, ember.Tensor) and ours_norm.dtype == ember.float32 and ours_norm.dim() == 0
    np.testing.assert_allclose(ours_norm.item(), theirs_norm.item(), rtol=1e-6)
    for o, t in zip(ours, theirs):
        if t.grad is not None:
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_single_tensor_and_empty():
    ours, theirs = _params(ember)[0], _params(torch)[0]
    np.testing.assert_allclose(ember.nn.utils.clip_grad_norm_(ours, 0.5, foreach=True).item(),
                               torch.nn.utils.clip_grad_norm_(theirs, 0.5).item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    assert ember.nn.utils.clip_grad_norm_([], 1.0).item() == torch.nn.utils.clip_grad_norm_([], 1.0).item()


def test_clip_grad_norm_nonfinite():
    for lib in (ember, torch):
        params = _params(lib)
        params[0].grad[0, 0] = float('inf')
        with pytest.raises(RuntimeError, match='non-finite'):
            lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    ours, theirs = _params(ember), _params(torch)
    ours[1].grad[0] = float('nan')
    theirs[1].grad[0] = float('nan')
    assert math.isnan(ember.nn.utils.clip_grad_norm_(ours, 1.0).item())
    assert math.isnan(torch.nn.utils.clip_grad_norm_(theirs, 1.0).item())


def test_clip_grad_value_():
    ours, theirs = _params(ember, scale=3), _params(torch, scale=3)
    assert ember.nn.utils.clip_grad_value_(ours, 1.5) is None
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for o, t in zip(ours, theirs):
        if t.grad is not None:
            np.testing.assert_array_equal(o.grad.numpy(), t.grad.numpy())


def test_parameters_to_vector_and_back():
    ours, theirs = _params(ember), _params(torch)
    ours_vec = ember.nn.utils.parameters_to_vector(ours)
    theirs_vec = torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(ours_vec.detach().numpy(), theirs_vec.detach().numpy())
    (ours_vec * ours_vec).sum().backward()
    (theirs_vec * theirs_vec).sum().backward()
    np.testing.assert_array_equal(ours[0].grad.numpy(), theirs[0].grad.numpy())
    new = np.arange(ours_vec.numel(), dtype=np.float32)
    ember.nn.utils.vector_to_parameters(ember.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy())
    with pytest.raises(TypeError):
        ember.nn.utils.vector_to_parameters(new, ours)
    with pytest.raises(TypeError):
        torch.nn.utils.vector_to_parameters(new, theirs)
