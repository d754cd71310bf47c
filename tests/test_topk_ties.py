"""topk among equal values: the same indices as torch's CPU kernel, in the same order.

torch picks and orders ties with libstdc++'s unstable std::nth_element / std::sort / std::partial_sort,
so every path is exercised: k * 64 <= n (partial_sort), larger k (nth_element then sort), k == n,
NaNs, signed zeros, several dims, integer dtypes."""
import numpy as np
import pytest
import torch

import ember


def _tied(rng, n, levels, dtype):
    values = rng.integers(-levels, levels + 1, n).astype(dtype)
    if values.dtype.kind == 'f':
        values[rng.random(n) < 0.1] = np.nan
        values[values == 0] = np.where(rng.random(np.count_nonzero(values == 0)) < 0.5, 0.0, -0.0)
    return values


# (n, k, how many distinct values)
ROWS = [(2, 1, 1), (3, 2, 1), (4, 3, 2), (17, 5, 2), (20, 20, 3), (40, 7, 3), (64, 1, 2), (65, 1, 1),
        (130, 2, 3), (300, 150, 4), (300, 299, 1), (1000, 15, 5), (1000, 600, 50), (5000, 78, 6), (5000, 2500, 3)]


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.int64])
@pytest.mark.parametrize('largest', [True, False])
@pytest.mark.parametrize('n,k,levels', ROWS)
def test_topk_ties_like_torch(n, k, levels, largest, dtype):
    values = _tied(np.random.default_rng(n * 7 + k), n, levels, dtype)
    theirs = torch.topk(torch.from_numpy(values), k, largest=largest)
    ours = ember.topk(ember.tensor(values), k, largest=largest)
    assert ours.indices.tolist() == theirs.indices.tolist()
    np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
    # sorted=False picks the same elements (ember lists them sorted)
    unsorted = torch.topk(torch.from_numpy(values), k, largest=largest, sorted=False)
    assert sorted(unsorted.indices.tolist()) == sorted(ours.indices.tolist())


@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('k', [1, 3])
def test_topk_ties_along_a_dim(dim, k):
    values = np.random.default_rng(dim + 5).integers(0, 3, (4, 150, 6)).astype(np.float32)
    for largest in (True, False):
        theirs = torch.topk(torch.from_numpy(values), k, dim=dim, largest=largest)
        ours = ember.topk(ember.tensor(values), k, dim=dim, largest=largest)
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


def test_topk_ties_gradient_goes_to_the_picked_elements():
    values = np.array([1., 3., 3., 2., 3., 0., 3., 3.], np.float32)
    ours, theirs = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours.topk(3).values.sum().backward()
    theirs.topk(3).values.sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
