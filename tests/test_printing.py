"""Tensors print exactly as PyTorch prints them (with `ember.` for `torch.`).

Each row builds the same tensor in both libraries from the same NumPy data and compares `repr`;
rows with print options set them in both libraries and restore the defaults afterwards.
"""
import numpy as np
import pytest
import torch

import ember

_random = np.random.default_rng(0)
inf, nan = np.inf, np.nan


def randn(*shape, scale=1.0, dtype=np.float32):
    return (_random.standard_normal(shape) * scale).astype(dtype)


def _from(array):
    """A builder of the tensor holding `array`, in either library."""
    return lambda m: m.tensor(array)


def _leaf(array):
    return lambda m: m.tensor(array, requires_grad=True)


def _doubled(array):
    """A non-leaf: prints its grad_fn."""
    return lambda m: m.tensor(array, requires_grad=True) * 2


def _cases():
    cases = {
        # dtypes: which ones print a dtype= suffix
        'float32': _from(randn(4)),
        'float64': _from(randn(4, dtype=np.float64)),
        'float16': _from(randn(4, dtype=np.float16)),
        'int64': _from(np.array([3, -12, 7, 0], dtype=np.int64)),
        'int32': _from(np.array([3, -12, 7, 0], dtype=np.int32)),
        'int16': _from(np.array([[3, -1200], [7, 0]], dtype=np.int16)),
        'int8': _from(np.array([3, -128, 7], dtype=np.int8)),
        'uint8': _from(np.array([3, 255, 7, 0], dtype=np.uint8)),
        'bool': _from(np.array([[True, False], [False, True]])),
        'complex64': _from(np.array([1 + 2j, -0.5 - 1j, 3j], dtype=np.complex64)),
        'complex128': _from(np.array([1.25 + 2j, -0.5 + 0j], dtype=np.complex128)),
        # 0-d
        'scalar_float': _from(np.array(3.14159, dtype=np.float32)),
        'scalar_int_valued': _from(np.array(-7.0, dtype=np.float32)),
        'scalar_int': _from(np.array(42)),
        'scalar_bool': _from(np.array(True)),
        'scalar_float64': _from(np.array(1e-7)),
        'scalar_nan': _from(np.array(nan, dtype=np.float32)),
        'scalar_neg_zero': _from(np.array(-0.0, dtype=np.float32)),
        'scalar_uint8': _from(np.array(200, dtype=np.uint8)),
        # shapes
        '2d': _from(randn(3, 4)),
        '3d': _from(randn(2, 3, 4)),
        '4d': _from(randn(2, 2, 2, 3)),
        '5d': _from(randn(2, 1, 2, 1, 2)),
        'single': _from(randn(1)),
        'column': _from(randn(4, 1)),
        'int_3d': _from(_random.integers(-50, 1000, (2, 3, 4))),
        # empty tensors
        'empty_float': _from(np.zeros(0, dtype=np.float32)),
        'empty_float64': _from(np.zeros(0)),
        'empty_int': _from(np.zeros(0, dtype=np.int64)),
        'empty_2d': _from(np.zeros((3, 0), dtype=np.float32)),
        'empty_3d_int32': _from(np.zeros((0, 2, 3), dtype=np.int32)),
        'empty_bool': _from(np.zeros((2, 0), dtype=bool)),
        # values
        'small_sci': _from(np.array([1e-5, 2.5e-3, 0.5], dtype=np.float32)),
        'large_sci': _from(np.array([1.5e10, -2.0, 3.0], dtype=np.float32)),
        'above_1e8': _from(np.array([123456789.0, 1.0], dtype=np.float32)),
        'ratio_over_1000': _from(np.array([0.1, 100.5], dtype=np.float32)),
        'ratio_1000_ints': _from(np.array([1.0, 1000.0], dtype=np.float32)),
        'ratio_1001_ints': _from(np.array([1.0, 1001.0], dtype=np.float32)),
        'huge_exponents': _from(np.array([1e-120, -1e120, 5.0])),
        'mixed_magnitudes': _from(randn(3, 3) * np.logspace(-6, 6, 9).reshape(3, 3).astype(np.float32)),
        'negatives': _from(-np.abs(randn(2, 3))),
        'ints_as_floats': _from(np.array([[1.0, -20.0, 300.0], [0.0, 5.0, -6.0]], dtype=np.float32)),
        'big_ints_as_floats': _from(np.array([1e7, -3.0], dtype=np.float32)),
        'inf_nan': _from(np.array([inf, -inf, nan, 1.0], dtype=np.float32)),
        'inf_nan_fraction': _from(np.array([inf, -inf, nan, 1.5], dtype=np.float32)),
        'inf_nan_sci': _from(np.array([inf, nan, 1e-6, 1.0], dtype=np.float32)),
        'only_nonfinite': _from(np.array([inf, nan, -inf], dtype=np.float32)),
        'neg_zero': _from(np.array([-0.0, 0.0, 2.0], dtype=np.float32)),
        'neg_zero_fraction': _from(np.array([-0.0, 0.5], dtype=np.float32)),
        'all_zeros': _from(np.zeros((2, 3), dtype=np.float32)),
        'rounds_up': _from(np.array([9.99996, 0.5], dtype=np.float32)),
        'float16_extremes': _from(np.array([65504.0, -1e-4, 6e-8], dtype=np.float16)),
        'bool_mixed_width': _from(np.array([True, False, True])),
        'int_wide': _from(np.array([1024, 7, 0, -2])),
        # wrapping at the line width
        'long_row': _from(np.arange(30, dtype=np.float32) * 1.1),
        'long_row_int': _from(np.arange(100)),
        'long_rows_2d': _from(randn(3, 25)),
        'long_rows_3d': _from(randn(2, 2, 20)),
        'long_sci_row': _from(randn(20) * 1e5),
        'long_complex_row': _from((randn(12) + 1j * randn(12)).astype(np.complex64)),
        # summarisation around the 1000-element threshold
        'threshold_1000': _from(np.arange(1000, dtype=np.float32)),
        'threshold_1001': _from(np.arange(1001, dtype=np.float32)),
        'summarised_1d': _from(randn(2000)),
        'summarised_2d': _from(np.arange(1200).reshape(40, 30)),
        'summarised_3d': _from(randn(11, 10, 10)),
        'summarised_short_dim': _from(randn(2, 600)),
        'summarised_4d': _from(randn(7, 2, 9, 10)),
        'summarised_edges_decide_format': _from(
            np.concatenate([np.ones(3), np.full(1000, 1e-9), np.ones(3)]).astype(np.float32)),
        # autograd suffixes
        'leaf': _leaf(randn(2, 2)),
        'leaf_scalar': _leaf(np.array(2.5, dtype=np.float32)),
        'leaf_float64': _leaf(randn(3, dtype=np.float64)),
        'leaf_empty': _leaf(np.zeros((0, 3), dtype=np.float32)),
        'grad_fn': _doubled(randn(3)),
        'grad_fn_sum': lambda m, array=randn(3): (m.tensor(array, requires_grad=True) * 2).sum(),
        'grad_fn_4d': _doubled(np.array([[[[9.0]], [[18.0]]]], dtype=np.float32)),
        # suffixes that no longer fit on the last line move to the next one
        'suffix_wraps': _doubled(np.arange(18, dtype=np.float64) + 0.5),
        'suffix_just_fits': _leaf(np.arange(13, dtype=np.float32) + 0.5),
        'suffix_wraps_2d': _leaf(randn(2, 9, dtype=np.float64)),
    }
    return cases


CASES = _cases()


@pytest.fixture
def restore_printoptions():
    yield
    for m in (ember, torch):
        m.set_printoptions(profile='default')
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


def expected(torch_object):
    """What ember should print: torch's text (or repr) with `ember.` for `torch.`."""
    text = torch_object if isinstance(torch_object, str) else repr(torch_object)
    return text.replace('torch.', 'ember.')


def check(build):
    assert repr(build(ember)) == expected(build(torch))


@pytest.mark.parametrize('name', list(CASES))
def test_repr(name):
    check(CASES[name])


OPTIONS = {
    'precision_2': dict(precision=2),
    'precision_0': dict(precision=0),
    'precision_8': dict(precision=8),
    'threshold_5': dict(threshold=5),
    'threshold_0': dict(threshold=0),
    'edgeitems_1': dict(threshold=5, edgeitems=1),
    'edgeitems_0': dict(threshold=5, edgeitems=0),
    'linewidth_40': dict(linewidth=40),
    'linewidth_10': dict(linewidth=10),
    'sci_on': dict(sci_mode=True),
    'sci_off': dict(sci_mode=False),
    'profile_short': dict(profile='short'),
    'profile_full': dict(profile='full'),
    'profile_short_override': dict(profile='short', precision=6),
}

OPTION_CASES = ['float32', 'scalar_float', 'scalar_int', 'int_3d', '3d', '4d', 'small_sci',
                'large_sci', 'ints_as_floats', 'inf_nan', 'neg_zero', 'long_row', 'long_rows_2d',
                'summarised_2d', 'summarised_3d', 'leaf', 'grad_fn', 'empty_2d', 'bool',
                'complex64', 'suffix_wraps']


@pytest.mark.parametrize('option', list(OPTIONS))
@pytest.mark.parametrize('name', OPTION_CASES)
def test_repr_with_printoptions(name, option, restore_printoptions):
    for m in (ember, torch):
        m.set_printoptions(**OPTIONS[option])
    check(CASES[name])


def test_set_printoptions_resets_sci_mode(restore_printoptions):
    for m in (ember, torch):
        m.set_printoptions(sci_mode=True)
        m.set_printoptions(precision=3)  # sci_mode not given: back to automatic
    check(CASES['float32'])


def test_profile_default_restores(restore_printoptions):
    for m in (ember, torch):
        m.set_printoptions(precision=1, threshold=3, edgeitems=1, linewidth=20, sci_mode=True)
        m.set_printoptions(profile='default')
    for name in ('summarised_2d', 'long_row', 'float32'):
        check(CASES[name])


@pytest.mark.parametrize('name', ['float32', 'float64', 'empty_float', 'empty_float64',
                                  'complex64', 'complex128'])
def test_repr_with_float64_default(name, restore_printoptions):
    """The dtype suffix follows the default dtype."""
    for m in (ember, torch):
        m.set_default_dtype(m.float64)
    check(CASES[name])


def test_str_is_repr():
    for name in ('float32', 'summarised_3d', 'grad_fn', 'empty_2d'):
        t = CASES[name](ember)
        assert str(t) == repr(t)


def test_list_and_tuple_of_tensors():
    build = CASES['leaf']
    assert repr([build(ember)]) == expected([build(torch)])
    assert str((build(ember), build(ember))) == expected((build(torch), build(torch)))


def test_tensor_subclass_prefix():
    class Special(ember.Tensor):
        pass

    class SpecialT(torch.Tensor):
        pass

    assert repr(Special([1.5, 2.0])) == repr(SpecialT([1.5, 2.0])).replace('SpecialT', 'Special')


def test_parameter():
    for array in (np.array([1.0, -2.0], dtype=np.float32), randn(3, 4), np.array(1.5, dtype=np.float32)):
        assert repr(ember.nn.Parameter(ember.tensor(array))) == expected(torch.nn.Parameter(torch.tensor(array)))
    no_grad = (ember.nn.Parameter(ember.ones(2), requires_grad=False),
               torch.nn.Parameter(torch.ones(2), requires_grad=False))
    assert repr(no_grad[0]) == expected(no_grad[1])
    assert '{}'.format(no_grad[0]) == expected('{}'.format(no_grad[1]))


@pytest.mark.parametrize('spec', ['', '.3f', '.2%', '>10', '.1e', '+'])
@pytest.mark.parametrize('array', [np.array(15.959932327270508, dtype=np.float32), np.array(2.0 / 3),
                                   np.array(7), np.array(0.5875, dtype=np.float32)])
def test_format_0d(spec, array):
    if array.dtype.kind == 'i' and spec in ('.3f', '.2%', '.1e'):
        spec = 'd'
    assert format(ember.tensor(array), spec) == format(torch.tensor(array), spec)


def test_format_0d_requires_grad():
    assert '{:.2f}'.format(ember.tensor(1.5, requires_grad=True) * 2) == \
        '{:.2f}'.format(torch.tensor(1.5, requires_grad=True) * 2)


def test_format_of_non_scalar():
    assert '{}'.format(CASES['2d'](ember)) == expected('{}'.format(CASES['2d'](torch)))
    for m in (ember, torch):
        with pytest.raises(TypeError):
            '{:.2f}'.format(m.ones(2))


def test_size_dtype_device():
    for sizes in ([2, 3], [], [4], [1, 0, 5]):
        assert repr(ember.Size(sizes)) == expected(torch.Size(sizes))
        assert str(ember.Size(sizes)) == expected(str(torch.Size(sizes)))
    assert repr(ember.ones(2, 3).shape) == expected(torch.ones(2, 3).shape)
    for name in ('float32', 'float', 'float64', 'double', 'float16', 'half', 'int64', 'long', 'int32',
                 'int16', 'int8', 'uint8', 'bool', 'complex64', 'cfloat', 'complex128'):
        assert repr(getattr(ember, name)) == expected(getattr(torch, name))
        assert str(getattr(ember, name)) == expected(str(getattr(torch, name)))
    for spec in (('cpu',), ('cuda',), ('cuda:1',), ('cpu', 0)):
        assert repr(ember.device(*spec)) == repr(torch.device(*spec))
        assert str(ember.device(*spec)) == str(torch.device(*spec))
    assert repr(ember.ones(1).device) == repr(torch.ones(1).device)
