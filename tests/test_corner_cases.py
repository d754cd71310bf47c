"""Numeric corners (inf/NaN through softmax, masks and division; NaN in unique and sign; uint8
masks) and the exception types of common mistakes, each compared with torch."""
import warnings

import numpy as np
import pytest
import torch

import ember

inf, nan = float('inf'), float('nan')


def _same_values(fn, **tensor_kwargs):
    ours, theirs = fn(ember), fn(torch)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert str(o.dtype).split('.')[-1] == str(t.dtype).split('.')[-1]
        assert tuple(o.shape) == tuple(t.shape)
        o, t = o.detach().numpy(), t.detach().numpy()
        np.testing.assert_allclose(o, t, rtol=1e-6, atol=1e-7, equal_nan=True)
        # the sign of zeros as well: PyTorch's where-based formulas give +0 where a product gives -0
        numbers = ~np.isnan(t)
        np.testing.assert_array_equal(np.signbit(o[numbers]), np.signbit(t[numbers]))


def _raises_same(fn, match=None):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert ours.type is theirs.type, f"ember: {ours.type.__name__}: {ours.value}; torch: {theirs.type.__name__}"
    if match is not None:
        assert match in str(theirs.value) and match in str(ours.value), (str(ours.value), str(theirs.value))


# ---- inf and NaN ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('row', [[inf, 1.], [inf, inf], [-inf, -inf], [-inf, 1.], [nan, 1.], [1e30, -1e30]])
def test_softmax_and_log_softmax_of_rows_with_infinities(row):
    _same_values(lambda m: (m.softmax(m.tensor([row, [0., 1.]]), 1), m.log_softmax(m.tensor([row, [0., 1.]]), 1)))


_MASKED_OPS = {
    'relu': lambda m, x: m.relu(x),
    'relu6': lambda m, x: m.nn.functional.relu6(x),
    'hardtanh': lambda m, x: m.nn.functional.hardtanh(x, -0.5, 0.5),
    'threshold': lambda m, x: m.nn.functional.threshold(x, 0.5, 0.),
    'softshrink': lambda m, x: m.nn.functional.softshrink(x, 1.5),
    'hardshrink': lambda m, x: m.nn.functional.hardshrink(x, 1.5),
    'leaky_relu': lambda m, x: m.nn.functional.leaky_relu(x),
}


@pytest.mark.parametrize('op', list(_MASKED_OPS))
def test_blocked_gradient_stays_zero_under_inf_and_nan(op):
    def run(m):
        x = m.tensor([-1., 2., 0., -3.], requires_grad=True)
        _MASKED_OPS[op](m, x).backward(m.tensor([inf, nan, nan, -2.]))
        return x.grad
    _same_values(run)


def test_unique_keeps_each_nan():
    values = [nan, 1., nan, 1., 0.]
    _same_values(lambda m: m.unique(m.tensor(values), return_inverse=True, return_counts=True))
    _same_values(lambda m: m.unique(m.tensor(values), sorted=False))
    _same_values(lambda m: m.unique_consecutive(m.tensor([nan, nan, 1., 1.]), return_counts=True))


def test_sign_and_sgn_of_nan_and_zeros():
    values = [nan, -0., 0., -inf, 2.5, -1e-30]
    _same_values(lambda m: (m.sign(m.tensor(values)), m.sgn(m.tensor(values)),
                            m.sign(m.tensor(values, dtype=m.float64)), m.sign(m.tensor([-3, 0, 2]))))


def test_float_floor_division_corners():
    a = [inf, -inf, 5., -5., 0., nan, 1., -1., 7.5]
    for b in (2., 0., inf, -inf, -0.5, 0.1):
        _same_values(lambda m: (m.tensor(a) // b, m.floor_divide(m.tensor(a, dtype=m.float64), b),
                                m.div(m.tensor(a), b, rounding_mode='floor')))
    _same_values(lambda m: m.tensor(a) // m.tensor([2., 0., inf, -inf, -0.5, 0.1, 3., -3., 0.25]))


def test_integer_division_by_zero():
    for fn in (lambda m: m.tensor([5, -5]) // 0, lambda m: m.div(m.tensor([5, -5]), 0, rounding_mode='trunc'),
               lambda m: m.tensor([5, -5]) % 0):
        _raises_same(fn, match="ZeroDivisionError")


def test_mode_returns_the_last_index_of_the_mode():
    _same_values(lambda m: tuple(m.mode(m.tensor([1, 2, 2, 1, 3]))) + tuple(m.mode(m.tensor([[1., 2, 2, 1],
                                                                                              [5, 5, 4, 4]]), 1)))


def test_uint8_index_is_a_mask_with_a_deprecation_warning():
    def run(m):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            x = m.arange(6.).view(2, 3)
            picked = (x[m.tensor([0, 1], dtype=m.uint8)], x[:, m.tensor([0, 2, 1], dtype=m.uint8)])
            y = m.arange(4.)
            y[m.tensor([1, 0, 1, 0], dtype=m.uint8)] = m.tensor([7., 8.])
        assert any("indexing with dtype torch.uint8 is now deprecated" in str(w.message) for w in caught)
        return picked + (y,)
    _same_values(run)

    def set_number(m):
        m.arange(4.)[m.tensor([1, 0, 1, 0], dtype=m.uint8)] = 9.
    _raises_same(set_number, match="masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")


# ---- exception types of common mistakes -------------------------------------------------------------------
_ERRORS = {
    'einsum repeated output': (lambda m: m.einsum('ij->ii', m.ones(2, 3)), "output subscript i appears more than once"),
    'einsum bad character': (lambda m: m.einsum('i j 1', m.ones(2, 3)), "invalid subscript given at index 4"),
    'einsum second arrow': (lambda m: m.einsum('ij,jk->ik->', m.ones(2, 3), m.ones(3, 3)),
                            "invalid subscript given at index 9"),
    'einsum stray dot': (lambda m: m.einsum('ij.,jk', m.ones(2, 2), m.ones(2, 2)),
                         "found '.' for operand 0 that is not part of any ellipsis"),
    'einsum two ellipses': (lambda m: m.einsum('...i...->i', m.ones(2, 2)), "for which an ellipsis was already found"),
    'einsum operand count': (lambda m: m.einsum('ij,jk', m.ones(2, 3)), None),
    'einsum sizes': (lambda m: m.einsum('ij,jk->ik', m.ones(2, 3), m.ones(4, 5)), None),
    'ones(-1)': (lambda m: m.ones(-1), "Trying to create tensor with negative dimension -1: [-1]"),
    'rand(3, -2)': (lambda m: m.rand(3, -2), "Trying to create tensor with negative dimension -2: [3, -2]"),
    'zeros(-1)': (lambda m: m.zeros(-1), None),
    'full((-1,))': (lambda m: m.full((-1,), 1.), None),
    'new_zeros(-1)': (lambda m: m.ones(3).new_zeros(-1), None),
    'scatter_add number': (lambda m: m.zeros(3).scatter_add(0, m.tensor([0, 1]), 1.0),
                           "argument 'src' (position 3) must be Tensor, not float"),
    'topk(2.0)': (lambda m: m.arange(5.).topk(2.0), "topk(): argument 'k' (position 1) must be int, not float"),
    'topk too big': (lambda m: m.arange(5.).topk(7), "selected index k out of range"),
    '0-d [0]': (lambda m: m.tensor(3.)[0], "invalid index of a 0-dim tensor. Use `tensor.item()`"),
    '0-d [0] =': (lambda m: m.tensor(3.).__setitem__(0, 1.), "invalid index of a 0-dim tensor"),
    '0-d [0:1]': (lambda m: m.tensor(3.)[0:1], "slice() cannot be applied to a 0-dim tensor."),
    '0-d [[0]]': (lambda m: m.tensor(3.)[[0]], None),
    '1-d [0, 0]': (lambda m: m.ones(3)[0, 0], "too many indices for tensor of dimension 1"),
    'float index': (lambda m: m.arange(4.)[m.tensor([0., 1.])], None),
    'index out of range': (lambda m: m.arange(4.)[4], None),
    'cat shapes': (lambda m: m.cat([m.ones(2, 3), m.ones(3, 4)]), None),
    'cat dims': (lambda m: m.cat([m.ones(2, 3), m.ones(3)]), None),
    'stack shapes': (lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]), None),
    'matmul shapes': (lambda m: m.ones(2, 3) @ m.ones(4, 5), None),
    'mm 3-d': (lambda m: m.mm(m.ones(2, 3, 3), m.ones(3, 5)), None),
    'bmm batches': (lambda m: m.bmm(m.ones(2, 3, 4), m.ones(3, 4, 5)), None),
    'add shapes': (lambda m: m.ones(2, 3) + m.ones(4), None),
    'view size': (lambda m: m.ones(2, 3).view(4), None),
    'view of a transpose': (lambda m: m.ones(2, 3).t().view(6), None),
    'expand': (lambda m: m.ones(2, 3).expand(4, 3), None),
    'sum dim out of range': (lambda m: m.ones(2, 3).sum(2), None),
    'conv2d channels': (lambda m: m.nn.functional.conv2d(m.ones(1, 4, 5, 5), m.ones(2, 3, 3, 3)), None),
    'conv2d 2-d input': (lambda m: m.nn.functional.conv2d(m.ones(3, 5), m.ones(2, 3, 3, 3)), None),
    'max_pool2d 1-d input': (lambda m: m.nn.functional.max_pool2d(m.ones(5), 2), None),
    'linear shapes': (lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(4, 5)), None),
    'cross_entropy float target': (lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0., 1.])), None),
    'cross_entropy target out of range': (lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 3])),
                                          None),
    'embedding float indices': (lambda m: m.nn.functional.embedding(m.tensor([0., 1.]), m.ones(3, 2)), None),
    'gather float index': (lambda m: m.ones(3).gather(0, m.tensor([0.])), None),
    'item of many': (lambda m: m.ones(3).item(), None),
    'backward of non-scalar': (lambda m: (m.ones(3, requires_grad=True) * 2).backward(), None),
}


@pytest.mark.parametrize('case', list(_ERRORS))
def test_misuse_raises_what_torch_raises(case):
    fn, match = _ERRORS[case]
    _raises_same(fn, match)
