"""clamp with number bounds, relu, relu6 and hardtanh keep the input where it equals a bound, as
PyTorch does: that decides the sign of a zero (relu(-0.) is -0.). NumPy's loops differ by dtype in
which of two equal operands they return, so every dtype, contiguous and strided inputs, and lengths
with and without a scalar tail after the vector loop are checked against torch. (Between two tensors
PyTorch's own choice depends on the position in its vectorised loop; those ops are not checked here.)"""
import numpy as np
import pytest
import torch

import ember

VALUES = np.array([-0.0, 0.0, np.nan, -1.0, 2.0, 7.0, -3.0, 0.5])

CASES = {
    'clamp min': lambda m, x: m.clamp(x, min=0.0),
    'clamp both': lambda m, x: x.clamp(-0.0, 0.0),
    'clamp_min': lambda m, x: m.clamp_min(x, 0.0),
    'clamp_max': lambda m, x: m.clamp_max(x, -0.0),
    'clamp_ in place': lambda m, x: x.clone().clamp_(min=0.0, max=5.0),
    'relu': lambda m, x: m.relu(x),
    'relu_': lambda m, x: x.clone().relu_(),
    'relu6': lambda m, x: m.nn.functional.relu6(x),
    'hardtanh': lambda m, x: m.nn.functional.hardtanh(x, -0.0, 1.0),
}


@pytest.mark.parametrize('strided', [False, True], ids=['contiguous', 'strided'])
@pytest.mark.parametrize('count', [9, 37, 1000])
@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
@pytest.mark.parametrize('case', sorted(CASES))
def test_input_kept_where_it_equals_the_bound(case, dtype, count, strided):
    data = np.resize(VALUES, count).astype(dtype)
    if strided:
        data = np.repeat(data, 2)[::2]
    expected = CASES[case](torch, torch.from_numpy(data.copy())).numpy()
    got = CASES[case](ember, ember.tensor(data)).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    zeros = expected == 0
    assert np.array_equal(np.signbit(got[zeros]), np.signbit(expected[zeros]))
