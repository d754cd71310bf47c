"""float32 full reductions and PyTorch's summation order (ATen's cascade_sum).

`_cascade_sum` replays PyTorch's order and must give torch's bits for every row; the public
sum/mean/std/var use NumPy's faster pairwise sum and fall back to that order when a sum of finite
values overflows, so they match torch to float32 rounding, and exactly (inf or nan) on overflow. Each
row is a tensor (given as a view of a NumPy array, so layouts are covered too)."""
import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(7)


def _normal(*shape, scale=1.0, shift=0.0):
    return (_rng.standard_normal(shape) * scale + shift).astype(np.float32)


# name -> (array, how to view it); the sizes cross the boundaries of the cascade: one 8-lane vector,
# 4 accumulators of vectors (32), the first cascade block (16 rows of 32 = 512) and the next levels
CASES = {f'1d_{n}': (_normal(n, shift=0.3), None) for n in
         (1, 3, 7, 8, 9, 31, 32, 33, 100, 511, 512, 513, 4096, 8191, 20000, 70001)}
CASES.update({
    'large_values': (_normal(5000, scale=1e3, shift=2e3), None),
    'overflow_nan': (_normal(16, 256, scale=2e37), None),  # partial sums overflow with both signs
    'overflow_inf': (np.abs(_normal(4096, scale=3e36)), None),
    'transposed': (_normal(16, 256), lambda a: a.t()),
    'sliced_rows': (_normal(64, 300), lambda a: a[:, :100]),
    'short_rows': (_normal(30, 3), lambda a: a[:, :2]),
    'permuted_3d': (_normal(5, 7, 9), lambda a: a.permute(2, 0, 1)),
})

OPS = {
    'sum': lambda t: t.sum(),
    'mean': lambda t: t.mean(),
    'mean_keepdim': lambda t: t.mean(dim=tuple(range(t.dim())), keepdim=True),
    'std': lambda t: t.std(),
    'var_biased': lambda t: t.var(correction=0),
    'std_all_dims': lambda t: t.std(dim=tuple(range(t.dim())), keepdim=True),
}


@pytest.mark.parametrize('op', sorted(OPS))
@pytest.mark.parametrize('case', sorted(CASES))
def test_float32_full_reduction_matches_torch(case, op):
    array, view = CASES[case]
    view = view or (lambda a: a)
    with np.errstate(all='ignore'):
        expected = OPS[op](view(torch.from_numpy(array))).numpy()
        actual = OPS[op](view(ember.tensor(array))).numpy()
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if case.startswith('overflow'):
        assert expected.tobytes() == actual.tobytes(), f"torch {expected}, ember {actual}"
    else:
        np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=0)


@pytest.mark.parametrize('case', sorted(CASES))
def test_cascade_sum_replays_torch_order_bit_for_bit(case):
    from ember._ops.reduction import _cascade_sum
    array, view = CASES[case]
    view = view or (lambda a: a)
    with np.errstate(all='ignore'):
        expected = view(torch.from_numpy(array)).sum().numpy()
        actual = np.asarray(_cascade_sum(view(ember.tensor(array))._data))
    assert expected.tobytes() == actual.tobytes(), f"torch {expected}, ember {actual}"
