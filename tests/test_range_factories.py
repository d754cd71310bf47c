"""linspace, arange and logspace against PyTorch's CPU kernels, bit for bit.

The values print: `torch.linspace(-10, 10, 7)` has 2.3842e-07 in the middle (and so prints in scientific
notation) because PyTorch steps in the output dtype with fused multiply-adds; `arange(-1, 1, 0.2)` has
5.5511e-17. A tolerance would hide exactly these differences, so the comparisons here are of the bits.
"""
import numpy as np
import pytest
import torch

import ember

FLOAT_DTYPES = ['float32', 'float64']
ENDS = [(-10, 10), (-1, 1), (0, 1), (0.1, 7.3), (3, -2.7), (-5.5, 1e3), (1e-3, 2.5e-3), (2, 2), (0, 1e10)]
STEPS = list(range(0, 101)) + [1000, 4097, 65537, 100001]


def assert_same_bits(ours, theirs):
    theirs = theirs.numpy()
    ours = ours.numpy()
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.shape == theirs.shape
    if ours.tobytes() != theirs.tobytes():
        first = np.nonzero(ours != theirs)[0][:1]
        pytest.fail(f"{np.count_nonzero(ours != theirs)} values differ, the first at {first}: "
                    f"{ours[first]!r} != {theirs[first]!r}")


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('start,end', ENDS)
def test_linspace_float_bits(start, end, dtype):
    for steps in STEPS:
        assert_same_bits(ember.linspace(start, end, steps, dtype=getattr(ember, dtype)),
                         torch.linspace(start, end, steps, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize('dtype', ['int64', 'int32', 'uint8', 'float16'])
@pytest.mark.parametrize('start,end', [(0, 10), (0.5, 9.7), (3, 250)])
def test_linspace_other_dtypes(start, end, dtype):
    for steps in list(range(0, 40)) + [257, 1000]:
        assert_same_bits(ember.linspace(start, end, steps, dtype=getattr(ember, dtype)),
                         torch.linspace(start, end, steps, dtype=getattr(torch, dtype)))


def test_linspace_default_dtype_out_and_tensor_ends():
    assert_same_bits(ember.linspace(-1, 1, 11), torch.linspace(-1, 1, 11))
    assert_same_bits(ember.linspace(ember.tensor(-10.), ember.tensor(10.), 7),
                     torch.linspace(torch.tensor(-10.), torch.tensor(10.), 7))
    ours, theirs = ember.empty(5, dtype=ember.float64), torch.empty(5, dtype=torch.float64)
    ember.linspace(0, 1, 5, out=ours)
    torch.linspace(0, 1, 5, out=theirs)
    assert_same_bits(ours, theirs)
    assert str(ember.linspace(-10, 10, 7)) == str(torch.linspace(-10, 10, 7))
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ember.linspace(0, 1, -1)


@pytest.mark.parametrize('dtype', FLOAT_DTYPES)
@pytest.mark.parametrize('start,end,step', [
    (-1, 1, 0.2), (0, 10, 0.1), (0.3, 17.1, 0.7), (5, -3, -0.37), (0, 1, 1 / 3), (-2.5, 40, 0.013),
    (0, 1000.5, 0.01), (0, 65537 * 0.1, 0.1), (1, 2, 1e-6)])
def test_float_arange_bits(start, end, step, dtype):
    # sizes past the kernel's grain (32768) are split between threads, each with its own vector loop
    assert_same_bits(ember.arange(start, end, step, dtype=getattr(ember, dtype)),
                     torch.arange(start, end, step, dtype=getattr(torch, dtype)))


def test_arange_prints_like_torch():
    assert str(ember.arange(-1, 1, 0.2)) == str(torch.arange(-1, 1, 0.2))
    assert_same_bits(ember.arange(0, 1, 0.1), torch.arange(0, 1, 0.1))
    assert_same_bits(ember.arange(10), torch.arange(10))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'float16'])
@pytest.mark.parametrize('start,end,base', [(0, 2, 10.0), (-3, 3, 2.0), (0.5, 9.7, 10.0), (-10, 10, 10.0),
                                             (0, 1, 2.718281828)])
def test_logspace_bits(start, end, base, dtype):
    for steps in list(range(0, 40)) + [101, 1000]:
        assert_same_bits(ember.logspace(start, end, steps, base=base, dtype=getattr(ember, dtype)),
                         torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype)))
