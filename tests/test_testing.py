"""ember.testing against torch.testing: assert_close passes, fails and words its failures as
PyTorch does on a table of cases; make_tensor draws PyTorch's values under a seed."""
import collections
import warnings

import numpy as np
import pytest
import torch

import ember


def _both(build):
    """`build(module)` for ember and for torch (a case is written once, with `m` for either)."""
    return build(ember), build(torch)


def _outcome(module, actual, expected, kwargs):
    """(exception type name, message with the module's name neutralised), or None for a pass."""
    try:
        module.testing.assert_close(actual, expected, **kwargs)
    except Exception as error:  # noqa: BLE001  (the type is part of what is compared)
        return type(error).__name__, str(error).replace('torch.', 'M.').replace('ember.', 'M.')
    return None


CASES = {
    'equal float32': lambda m: (m.tensor([1., 2., 3.]), m.tensor([1., 2., 3.]), {}),
    'within float32 tolerance': lambda m: (m.tensor([1., 2., 3.]), m.tensor([1., 2., 3.000003]), {}),
    'one mismatch': lambda m: (m.tensor([1., 2.5, 3.]), m.tensor([1., 2., 3.]), {}),
    'docs example': lambda m: (m.tensor([1., 4., 5.]), m.tensor([1., 2., 3.]), {}),
    '2-d index': lambda m: (m.arange(6.).reshape(2, 3), m.arange(6.).reshape(2, 3) * 1.5, {}),
    'float64 defaults': lambda m: (m.tensor([1.0, 1 + 1e-6], dtype=m.float64),
                                   m.tensor([1.0, 1.0], dtype=m.float64), {}),
    'float16 defaults': lambda m: (m.tensor([1.0, 1.01], dtype=m.float16), m.tensor([1.0, 1.0], dtype=m.float16),
                                   {}),
    'complex64': lambda m: (m.tensor([1 + 1j, 2 + 2j]), m.tensor([1 + 1j, 2 + 3j]), {}),
    'integers exact': lambda m: (m.tensor([1, 2, 3]), m.tensor([1, 2, 4]), {}),
    'integers with tolerance': lambda m: (m.tensor([1, 2, 3]), m.tensor([1, 2, 4]), dict(rtol=0.1, atol=0.)),
    'expected zero': lambda m: (m.tensor([1., 1.]), m.tensor([1., 0.]), {}),
    'nan vs nan': lambda m: (m.tensor([1., float('nan')]), m.tensor([1., float('nan')]), {}),
    'nan equal_nan': lambda m: (m.tensor([1., float('nan')]), m.tensor([1., float('nan')]), dict(equal_nan=True)),
    'inf vs inf': lambda m: (m.tensor([float('inf')]), m.tensor([float('inf')]), {}),
    'inf vs -inf': lambda m: (m.tensor([float('inf'), 0.]), m.tensor([-float('inf'), 0.]), {}),
    '0-d tensors': lambda m: (m.tensor(1.5), m.tensor(1.0), {}),
    '0-d nan': lambda m: (m.tensor(float('nan')), m.tensor(float('nan')), {}),
    'custom tolerances': lambda m: (m.tensor([1., 2.]), m.tensor([1., 2.1]), dict(rtol=0, atol=0.2)),
    'zero tolerances': lambda m: (m.tensor([1., 2.]), m.tensor([1., 2.1]), dict(rtol=0, atol=0)),
    'only rtol': lambda m: (m.tensor([1.]), m.tensor([1.]), dict(rtol=0.1)),
    'only atol': lambda m: (m.tensor([1.]), m.tensor([1.]), dict(atol=0.1)),
    'shape': lambda m: (m.zeros(3), m.zeros(2), {}),
    'dtype': lambda m: (m.zeros(3), m.zeros(3, dtype=m.float64), {}),
    'dtype unchecked': lambda m: (m.zeros(3), m.zeros(3, dtype=m.float64), dict(check_dtype=False)),
    'dtype unchecked mismatch': lambda m: (m.tensor([1, 2]), m.tensor([1., 2.5], dtype=m.float64),
                                           dict(check_dtype=False)),
    'stride': lambda m: (m.zeros(2, 3), m.zeros(3, 2).t(), dict(check_stride=True)),
    'stride unchecked': lambda m: (m.zeros(2, 3), m.zeros(3, 2).t(), {}),
    'bool tensors': lambda m: (m.tensor([True, False]), m.tensor([True, True]), {}),
    'python floats': lambda m: (1.0, 1.0 + 1e-8, {}),
    'python floats far': lambda m: (1e-9, 1e-10, dict(rtol=0, atol=0)),
    'python float vs int': lambda m: (1.0, 1, {}),
    'python float vs int unchecked': lambda m: (1.0, 1, dict(check_dtype=False)),
    'python ints': lambda m: (3, 4, {}),
    'python complex': lambda m: (1 + 1j, 1 + 2j, {}),
    'python bools': lambda m: (True, False, {}),
    'nan floats': lambda m: (float('nan'), float('nan'), {}),
    'nan floats equal_nan': lambda m: (float('nan'), float('nan'), dict(equal_nan=True)),
    'none': lambda m: (None, None, {}),
    'none mismatch': lambda m: (None, 1, {}),
    'numpy arrays': lambda m: (np.array([1., 2.]), np.array([1., 2.5]), {}),
    'numpy arrays close': lambda m: (np.arccos(np.cos(np.array([1e0, 1e-1, 1e-2]))), np.array([1e0, 1e-1, 1e-2]), {}),
    'numpy scalars': lambda m: (np.float32(1.0), np.float32(1.5), {}),
    'numpy vs tensor': lambda m: (np.array([1., 2.]), m.tensor([1., 2.]), {}),
    'tensor vs float': lambda m: (m.tensor(1.), 1.0, {}),
    'list of tensors': lambda m: ([m.tensor([1.]), 2.0, np.array(3.0)], (m.tensor([1.]), 2.0, np.array(3.0)), {}),
    'nested failure': lambda m: ([m.tensor([1.]), [m.tensor([2.]), m.tensor([3.])]],
                                 [m.tensor([1.]), [m.tensor([2.]), m.tensor([4.])]], {}),
    'sequence length': lambda m: ([1, 2], [1, 2, 3], {}),
    'mapping': lambda m: (collections.OrderedDict(a=m.tensor(1.), b=2.0), {'b': 2.0, 'a': m.tensor(1.)}, {}),
    'mapping failure': lambda m: ({'a': m.tensor([1.]), 'b': m.tensor([2.])}, {'a': m.tensor([1.]), 'b': m.tensor([3.])},
                                  {}),
    'mapping keys': lambda m: ({'a': 1, 'c': 2}, {'a': 1, 'b': 2}, {}),
    'strings unsupported': lambda m: ('a', 'a', {}),
    'msg string': lambda m: (m.tensor([1.]), m.tensor([2.]), dict(msg='Argh!')),
    'msg callable': lambda m: (m.tensor([1., 4., 5.]), m.tensor([1., 2., 3.]),
                               dict(msg=lambda msg: f"Header\n\n{msg}\n\nFooter")),
    'msg callable nested': lambda m: ([m.tensor([1.])], [m.tensor([2.])], dict(msg=lambda msg: msg.upper())),
    'msg ignored for structure': lambda m: ([1], [1, 2], dict(msg='never shown')),
    'parameter vs tensor': lambda m: (m.nn.Parameter(m.tensor([1.])), m.tensor([1.]), {}),
    'parameter no subclasses': lambda m: (m.nn.Parameter(m.tensor([1.])), m.tensor([1.]),
                                          dict(allow_subclasses=False)),
    'large tensor': lambda m: (m.linspace(0, 1, 1000), m.linspace(0, 1, 1000) + (m.arange(1000) % 7 == 0) * 1e-3, {}),
    'uint8 wraparound': lambda m: (m.tensor([0, 255], dtype=m.uint8), m.tensor([255, 0], dtype=m.uint8), {}),
}


@pytest.mark.parametrize('name', list(CASES))
def test_assert_close_matches_torch(name):
    (ember_args, torch_args) = _both(CASES[name])
    assert _outcome(ember, *ember_args) == _outcome(torch, *torch_args)


def test_assert_close_message_text():
    with pytest.raises(AssertionError) as info:
        ember.testing.assert_close(ember.tensor([1., 2.1, 3.]), ember.tensor([1., 2., 3.]))
    assert str(info.value) == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
                               "Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\n"
                               "Greatest relative difference: 0.04999995231628418 at index (1,) (up to 1.3e-06 allowed)")


def test_assert_allclose_is_deprecated_and_looser():
    for module in (ember, torch):
        with pytest.warns(FutureWarning, match='assert_allclose'):
            module.testing.assert_allclose(module.tensor([1., 2.]), [1., 2.00001])  # passes at rtol 1e-4
    outcomes = []
    for module in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try:
                module.testing.assert_allclose(module.tensor([1., float('nan')]), [1.1, float('nan')])
            except AssertionError as error:
                outcomes.append(str(error))
    assert len(outcomes) == 2 and outcomes[0] == outcomes[1]


@pytest.mark.parametrize('dtype, kwargs', [
    ('float32', {}), ('float64', dict(low=-1, high=1)), ('float16', {}), ('complex64', {}), ('int64', {}),
    ('int8', dict(low=-3, high=3)), ('uint8', {}), ('bool', {}), ('int32', dict(exclude_zero=True)),
    ('float32', dict(noncontiguous=True)), ('float32', dict(low=0.5, high=0.6, exclude_zero=True)),
    ('int16', dict(low=-1e9, high=1e9)),
])
def test_make_tensor_matches_torch_under_a_seed(dtype, kwargs):
    results = []
    for module in (ember, torch):
        module.manual_seed(7)
        results.append(module.testing.make_tensor(3, 4, dtype=getattr(module, dtype), device='cpu', **kwargs))
    ours, theirs = results
    assert str(ours.dtype).replace('ember', 'torch') == str(theirs.dtype)
    assert ours.shape == theirs.shape and ours.is_contiguous() == theirs.is_contiguous()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_make_tensor_arguments():
    ours = ember.testing.make_tensor((2, 2), dtype=ember.float32, requires_grad=True)
    assert ours.requires_grad and ours.is_leaf
    assert ember.testing.make_tensor([], dtype=ember.float32).shape == ()
    messages = []
    for module in (ember, torch):
        for kwargs, error in [(dict(dtype=module.int64, requires_grad=True), ValueError),
                              (dict(dtype=module.float32, low=2, high=1), ValueError),
                              (dict(dtype=module.float32, low=float('nan')), ValueError),
                              (dict(dtype=module.uint8, low=-10, high=-1), ValueError)]:
            with pytest.raises(error) as info:
                module.testing.make_tensor(2, device='cpu', **kwargs)
            messages.append(str(info.value).replace('torch.', 'M.').replace('ember.', 'M.'))
    assert messages[:4] == messages[4:]
