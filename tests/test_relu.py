"""ReLU's two NumPy paths (contiguous float arrays a block at a time against zeros, anything else
against the scalar 0) and its backward's two paths (NumPy, and recorded ops for create_graph)."""
import numpy as np
import pytest
import torch

import ember

SPECIALS = np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, -1e-30, 1e-30], dtype=np.float64)


def assert_same(got, expected):
    """Equal values, NaN where torch has NaN, and the same sign on every zero (relu(-0.) is -0.)."""
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got) & (got == 0), np.signbit(expected) & (expected == 0))


def values(shape, dtype, seed=0):
    data = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    flat = data.reshape(-1)
    flat[:min(flat.size, SPECIALS.size)] = SPECIALS[:flat.size].astype(dtype)
    return data


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.float16])
@pytest.mark.parametrize('shape', [(5,), (3, 4), (1 << 16,), (3, 1 << 16), (2, 3, 40001)])  # one block, several, ragged
def test_relu_matches_torch(shape, dtype):
    data = values(shape, dtype)
    got = ember.tensor(data).relu().numpy()
    expected = torch.tensor(data).relu().numpy()
    assert got.dtype == expected.dtype
    assert_same(got, expected)


def test_relu_of_views_integers_and_scalars():
    data = values((300, 500), np.float32)
    for view in (data.T, data[::2, 1::3]):
        assert_same(ember.tensor(view).relu().numpy(), torch.tensor(view.copy()).relu().numpy())
    # (a NumPy array with negative strides is refused at creation, as in torch; flip makes the reversed data)
    assert_same(ember.tensor(data).flip(1).relu().numpy(), torch.tensor(data).flip(1).relu().numpy())
    transposed = ember.tensor(data).t()  # a non-contiguous ember view
    assert_same(transposed.relu().numpy(), torch.tensor(data).t().relu().numpy())
    ints = np.arange(-5, 5, dtype=np.int64)
    assert ember.tensor(ints).relu().tolist() == torch.tensor(ints).relu().tolist()
    assert ember.tensor(-2.0).relu().item() == 0.0 and np.isnan(ember.tensor(float('nan')).relu().item())


@pytest.mark.parametrize('shape', [(7, 9), (3, 1 << 16)])
def test_relu_backward_matches_torch(shape):
    data = values(shape, np.float32)
    grad = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    x = ember.tensor(data, requires_grad=True)
    x.relu().backward(ember.tensor(grad))
    tx = torch.tensor(data, requires_grad=True)
    tx.relu().backward(torch.tensor(grad))
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_relu_double_backward_records_the_mask():
    x = ember.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    y = (x.relu() ** 2).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)  # 2 relu(x) * mask
    assert g.tolist() == [0.0, 1.0, 4.0] and g.grad_fn is not None
    g.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]
