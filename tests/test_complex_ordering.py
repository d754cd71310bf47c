"""Complex numbers have no order: the ops that need one raise PyTorch's exception, with its message
(NumPy would order them lexicographically and answer)."""
import pytest
import torch

import ember

OPS = {
    'lt': lambda m, z: z < z, 'le': lambda m, z: z <= z, 'gt': lambda m, z: z > z, 'ge': lambda m, z: z >= z,
    'lt_scalar': lambda m, z: z < 1, 'real_lt_complex_scalar': lambda m, z: m.ones(2) < 1j,
    'lt_': lambda m, z: z.clone().lt_(z),
    'max': lambda m, z: z.max(), 'min': lambda m, z: z.min(), 'max_dim': lambda m, z: z.max(1),
    'min_dim': lambda m, z: z.min(dim=0), 'max_binary': lambda m, z: m.max(z, z),
    'amax': lambda m, z: z.amax(), 'amin': lambda m, z: z.amin(1), 'aminmax': lambda m, z: m.aminmax(z),
    'argmax': lambda m, z: z.argmax(), 'argmin': lambda m, z: z.argmin(1),
    'clamp': lambda m, z: z.clamp(0, 1), 'clamp_min': lambda m, z: z.clamp_min(0),
    'clamp_max': lambda m, z: z.clamp_max(1), 'clamp_tensor': lambda m, z: z.clamp(min=m.zeros(1)),
    'clamp_': lambda m, z: z.clone().clamp_(0), 'relu': lambda m, z: m.relu(z), 'F.relu': lambda m, z: m.nn.functional.relu(z),
    'sort': lambda m, z: z.sort(), 'sort_descending': lambda m, z: z.sort(descending=True),
    'argsort': lambda m, z: z.argsort(), 'msort': lambda m, z: m.msort(z), 'topk': lambda m, z: z.topk(1),
    'kthvalue': lambda m, z: z.kthvalue(1), 'median': lambda m, z: z.median(), 'median_dim': lambda m, z: z.median(1),
    'nanmedian': lambda m, z: z.nanmedian(), 'cummax': lambda m, z: z.cummax(1), 'cummin': lambda m, z: z.cummin(0),
    'maximum': lambda m, z: m.maximum(z, z), 'minimum': lambda m, z: m.minimum(z, z),
    'fmax': lambda m, z: m.fmax(z, z), 'fmin': lambda m, z: m.fmin(z, z),
    'floor': lambda m, z: z.floor(), 'ceil': lambda m, z: z.ceil(), 'trunc': lambda m, z: z.trunc(),
    'round': lambda m, z: z.round(), 'round_decimals': lambda m, z: z.round(decimals=1), 'frac': lambda m, z: z.frac(),
    'sign': lambda m, z: z.sign(), 'heaviside': lambda m, z: m.heaviside(z, z),
    'remainder': lambda m, z: z % 2, 'remainder_tensor': lambda m, z: m.remainder(z, z), 'fmod': lambda m, z: m.fmod(z, 2),
    'floor_divide': lambda m, z: z // 2, 'rfloordiv': lambda m, z: 2 // z,
    'isposinf': lambda m, z: m.isposinf(z), 'isneginf': lambda m, z: m.isneginf(z),
    'unique': lambda m, z: m.unique(z), 'unique_dim': lambda m, z: m.unique(z, dim=1),
    'unique_consecutive': lambda m, z: m.unique_consecutive(z), 'searchsorted': lambda m, z: m.searchsorted(m.ones(3), z),
}


@pytest.mark.parametrize('dtype', ['complex64', 'complex128'])
@pytest.mark.parametrize('name', sorted(OPS))
def test_ordering_ops_refuse_complex_as_pytorch(name, dtype):
    errors = []
    for m in (ember, torch):
        z = m.tensor([[1 + 2j, 3 - 1j]], dtype=getattr(m, dtype))
        with pytest.raises(Exception) as info:
            OPS[name](m, z)
        errors.append((type(info.value).__name__, str(info.value)))
    assert errors[0] == errors[1]


def test_real_tensors_still_ordered():
    x = ember.tensor([[3., 1.], [2., 5.]])
    assert (x < 2).tolist() == [[False, True], [False, False]]
    assert x.max().item() == 5. and x.sort().values.tolist() == [[1., 3.], [2., 5.]]
    assert x.clamp(2, 3).tolist() == [[3., 2.], [2., 3.]] and x.floor().tolist() == x.tolist()
    assert ember.tensor([True, False]).floor is not None
