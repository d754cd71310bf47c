"""float(t), int(t), complex(t), '%f' % t and t as an index, against torch: a tensor that is not one
element raises ValueError (item() keeps its RuntimeError); any one-element integer tensor indexes."""
import pytest
import torch

import ember

CONVERSIONS = {
    'float_two': lambda m: float(m.ones(2)),
    'float_empty': lambda m: float(m.ones(0)),
    'float_one_1x1': lambda m: float(m.ones(1, 1)),
    'int_two': lambda m: int(m.ones(2)),
    'int_one': lambda m: int(m.tensor([2.7])),
    'complex_two': lambda m: complex(m.ones(2)),
    'percent_two': lambda m: '%.4f' % m.ones(2),
    'percent_one': lambda m: '%.4f' % m.tensor([1.5]),
    'percent_d_two': lambda m: '%d' % m.ones(2),
    'item_two': lambda m: m.ones(2).item(),
    'item_empty': lambda m: m.ones(0).item(),
    'bool_two': lambda m: bool(m.ones(2)),
    'index_1d': lambda m: [1, 2][m.tensor([1])],
    'index_2d': lambda m: [1, 2][m.tensor([[1]])],
    'index_bool': lambda m: [1, 2][m.tensor([True])],
    'index_float': lambda m: [1, 2][m.tensor(1.)],
    'index_two': lambda m: [1, 2][m.tensor([1, 0])],
    'index_empty': lambda m: [1, 2][m.tensor([], dtype=m.int64)],
    'range': lambda m: list(range(m.tensor([3]))),
}


def outcome(call, module):
    try:
        return 'returns', call(module)
    except Exception as error:  # noqa: BLE001  (compared with torch's)
        return type(error).__name__, str(error)


@pytest.mark.parametrize('name', list(CONVERSIONS))
def test_python_scalar_conversions_match_torch(name):
    assert outcome(CONVERSIONS[name], ember) == outcome(CONVERSIONS[name], torch)
