"""`nn.utils.parametrizations.orthogonal` against PyTorch: each map, with and without the trivialization,
on square, tall and wide weights (seeded: the same weights, outputs and gradients), and its errors."""
import numpy as np
import pytest
import torch

import ember


def _run(m, shape, orthogonal_map, use_trivialization):
    m.manual_seed(0)
    layer = m.nn.Linear(shape[1], shape[0], dtype=m.float64)
    m.nn.utils.parametrizations.orthogonal(layer, orthogonal_map=orthogonal_map,
                                           use_trivialization=use_trivialization)
    x = m.randn(2, shape[1], dtype=m.float64)
    y = layer(x)
    (y * y).sum().backward()
    base = getattr(layer.parametrizations.weight[0], 'base', None)
    return (layer.weight.detach().numpy(), y.detach().numpy(), layer.parametrizations.weight.original.grad.numpy(),
            None if base is None else base.numpy())


@pytest.mark.parametrize('shape', [(3, 3), (5, 3), (3, 5)])
@pytest.mark.parametrize('orthogonal_map', [None, 'matrix_exp', 'cayley', 'householder'])
@pytest.mark.parametrize('use_trivialization', [True, False])
def test_orthogonal_matches_pytorch(shape, orthogonal_map, use_trivialization):
    ours, theirs = _run(ember, shape, orthogonal_map, use_trivialization), _run(torch, shape, orthogonal_map,
                                                                               use_trivialization)
    for a, b in zip(ours, theirs):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    weight = ours[0]
    gram = weight.T @ weight if shape[0] >= shape[1] else weight @ weight.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-9)


def test_assigning_an_orthogonal_matrix_keeps_it():
    for m in (ember, torch):
        layer = m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3))
        with m.no_grad():
            layer.weight = m.eye(3).flip(0)
        np.testing.assert_allclose(layer.weight.detach().numpy(), np.eye(3)[::-1], atol=1e-6)


def test_complex_weight_defaults_to_matrix_exp():
    layer = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(3, 2, dtype=ember.complex128))
    assert layer.parametrizations.weight[0].orthogonal_map == 'matrix_exp'


def test_complex_weight_is_unitary():
    ember.manual_seed(0)
    layer = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(3, 3, dtype=ember.complex128))
    w = layer.weight.detach().numpy()
    np.testing.assert_allclose(w @ w.conj().T, np.eye(3), atol=1e-9)


@pytest.mark.parametrize('build', [
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), orthogonal_map='bad'),
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.BatchNorm1d(3)),
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), name='nothing'),
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3, dtype=m.complex64), orthogonal_map='householder'),
])
def test_orthogonal_errors_match_pytorch(build):
    errors = []
    for m in (ember, torch):
        with pytest.raises(Exception) as info:
            build(m)
        errors.append((type(info.value), str(info.value).split("'")[0]))
    assert errors[0] == errors[1]


def test_assigning_to_matrix_exp_without_trivialization_fails():
    for m in (ember, torch):
        layer = m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), use_trivialization=False)
        with pytest.raises(NotImplementedError, match='use_trivialization=False'):
            layer.weight = m.eye(3)
