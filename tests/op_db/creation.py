"""Op table rows: tensor creation (from data, filled, ranges, and seeded random draws, which ember
reproduces bit for bit)."""
from ._spec import OpCase, ErrorCase, Float, Int, Bool, Arr, Py, positive, unit  # noqa: F401
import numpy as np  # noqa: F401


def seeded(draw):
    """Seed both libraries the same way, then draw."""
    return lambda m: (m.manual_seed(7), draw(m))[1]


OP_CASES = [
    OpCase('tensor_nested_list', lambda m: m.tensor([[1.5, 2], [3, 4]]), [], grad=False),
    OpCase('tensor_int_bool', lambda m: (m.tensor([1, 2, 3]), m.tensor([True, False]), m.tensor(2.5)), [], grad=False),
    OpCase('tensor_dtype', lambda m: m.tensor([1, 2], dtype=m.float64), [], grad=False),
    # NumPy scalars and arrays in a list keep their dtype; PyTorch promotes it with the other elements'
    OpCase('tensor_numpy_scalars', lambda m: (m.tensor([np.int32(3)]), m.tensor(np.float32(2.0)), m.tensor(np.int32(2)),
                                              m.tensor([np.float64(1.0)]), m.tensor([[np.int8(1)], [np.int8(2)]]),
                                              m.tensor([np.uint8(1), np.int8(2)]), m.tensor([np.int16(3), 4])),
           [], grad=False),
    OpCase('tensor_numpy_scalars_promoted', lambda m: (m.tensor([np.float32(1), 2.0]), m.tensor([np.int32(1), 2.5]),
                                                       m.tensor([np.float16(1), 2]),
                                                       m.tensor([np.float32(1), np.float64(2)]),
                                                       m.tensor([np.int32(1), 1j]), m.tensor([np.float64(1), 2])),
           [], grad=False),
    OpCase('tensor_numpy_arrays_in_list', lambda m: (m.tensor([np.array([1, 2], dtype=np.int32)]),
                                                     m.tensor([np.array([1.0]), [2.0]]),
                                                     m.tensor([np.array([1, 2], dtype=np.int8), [3, 4]])),
           [], grad=False),
    OpCase('as_tensor_from_tensor', lambda m, a: m.as_tensor(a, dtype=m.float64) * 2, [(3,)]),
    OpCase('from_numpy_shares', lambda m: m.from_numpy(np.arange(6.0).reshape(2, 3)), [], grad=False),
    OpCase('zeros_ones_full', lambda m: (m.zeros(2, 3), m.ones((2,)), m.full((2, 2), 7), m.full((1,), 1.5)), [],
           grad=False),
    OpCase('zeros_dtype', lambda m: m.zeros(2, dtype=m.int32), [], grad=False),
    OpCase('empty_filled', lambda m: m.empty(3, 2).fill_(4), [], grad=False),
    OpCase('like_family', lambda m, a: (m.zeros_like(a), m.ones_like(a), m.full_like(a, 3), m.empty_like(a).shape),
           [(2, 3)], grad=False),
    OpCase('arange_int', lambda m: m.arange(5), [], grad=False),
    OpCase('arange_float_step', lambda m: m.arange(1, 2.5, 0.5), [], grad=False),
    OpCase('arange_negative_step', lambda m: m.arange(10, 0, -3), [], grad=False),
    OpCase('linspace', lambda m: (m.linspace(0, 1, 5), m.linspace(-2, 10, 7), m.linspace(3, 7, 1)), [], grad=False),
    OpCase('logspace', lambda m: (m.logspace(0, 2, 3), m.logspace(0, 4, 5, base=2)), [], grad=False),
    OpCase('eye', lambda m: (m.eye(3), m.eye(2, 4)), [], grad=False),
    OpCase('rand_seeded', seeded(lambda m: m.rand(3, 5)), [], grad=False, dtypes=('float32',)),
    OpCase('randn_seeded', seeded(lambda m: (m.randn(4), m.randn(20))), [], grad=False, dtypes=('float32',)),
    OpCase('randn_float64_seeded', seeded(lambda m: m.randn(17, dtype=m.float64)), [], grad=False,
           dtypes=('float64',)),
    OpCase('randint_seeded', seeded(lambda m: m.randint(0, 10, (3, 4))), [], grad=False, dtypes=('float32',)),
    OpCase('randperm_seeded', seeded(lambda m: m.randperm(12)), [], grad=False, dtypes=('float32',)),
    OpCase('normal_forms_seeded', seeded(lambda m: (m.normal(2.0, 3.0, size=(5,)), m.normal(m.zeros(4), m.ones(4)),
                                                     m.normal(m.ones(3), 2.0), m.normal(1.0, m.ones(3)))), [],
           grad=False, dtypes=('float32',)),
    OpCase('like_random_seeded', seeded(lambda m: (m.rand_like(m.ones(3)), m.randn_like(m.ones(2, 2)),
                                                    m.randint_like(m.ones(4), 5))), [], grad=False, dtypes=('float32',)),
    OpCase('bernoulli_seeded', seeded(lambda m: m.bernoulli(m.full((6,), 0.5))), [], grad=False, dtypes=('float32',)),
]

ERROR_CASES = [
    ErrorCase('arange_zero_step', lambda m: m.arange(0, 1, 0)),
    ErrorCase('arange_wrong_sign', lambda m: m.arange(0, 5, -1)),
    ErrorCase('tensor_from_string', lambda m: m.tensor('abc')),
    ErrorCase('randint_empty_range', lambda m: m.randint(5, 5, (2,))),
    ErrorCase('normal_negative_std', lambda m: m.normal(0.0, -1.0, size=(2,))),
]
