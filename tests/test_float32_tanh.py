"""float32 tanh against PyTorch's, which is correctly rounded in all but a few hundredths of a percent
of its results (NumPy's float32 tanh is one ulp off in about a third). ember's must agree with torch's
except in such rare last-bit cases, never by more than one ulp, and exactly on the special values.
Each magnitude row lands in one of ember's three evaluation paths (identity, series, table)."""
import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(11)


def _ulp_distance(a, b):
    return np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32).astype(np.int64))


def _torch_tanh(values):
    return torch.tanh(torch.from_numpy(np.ascontiguousarray(values))).numpy()


@pytest.mark.parametrize('scale', [1e-5, 1e-3, 0.02, 0.3, 1.0, 3.0, 8.0, 1e3])
def test_random_values_match_torch(scale):
    values = (_rng.standard_normal(200_000) * scale).astype(np.float32)
    ours = ember.tanh(ember.tensor(values)).numpy()
    theirs = _torch_tanh(values)
    assert _ulp_distance(ours, theirs).max() <= 1
    assert np.mean(ours != theirs) < 2e-3


def _around(points):
    """Each point and its float32 neighbours, both signs."""
    points = np.asarray(points, dtype=np.float32)
    near = np.concatenate([np.nextafter(points, np.float32(0)), points, np.nextafter(points, np.float32(np.inf))])
    return np.concatenate([near, -near])


def _large(values):
    """`values` repeated past the size where ember switches from NumPy's float64 tanh to its own paths."""
    return np.resize(values, max(4096, values.size))


@pytest.mark.parametrize('size', ['small', 'large'])
@pytest.mark.parametrize('name, points', [
    ('table_points', np.arange(1, 40) / 2048 + np.arange(39)),
    ('saturation', np.linspace(9.0, 9.03, 40)),
    ('table_end', [9.5, 9.6, 20.0]),
])
def test_boundaries_match_torch(name, points, size):
    values = _around(points)
    values = _large(values) if size == 'large' else values
    ours = ember.tanh(ember.tensor(values)).numpy()
    theirs = _torch_tanh(values)
    assert _ulp_distance(ours, theirs).max() <= 1
    assert np.mean(ours != theirs) < 0.05  # a few hundred distinct values: at most a rare last-bit case


@pytest.mark.parametrize('bound', [2.0 ** -12, 1 / 16])
@pytest.mark.parametrize('largest', ['below', 'at', 'above'])
def test_path_edges_match_torch(bound, largest):
    """Arrays whose largest |x| is just below, at or just above the bound where ember changes path."""
    values = (_rng.uniform(-1, 1, 4096) * bound).astype(np.float32)
    edge = np.float32(bound)
    values[:2] = {'below': np.nextafter(edge, np.float32(0)), 'at': edge,
                  'above': np.nextafter(edge, np.float32(1))}[largest] * np.float32([1, -1])
    values[2:4] = [-0.0, 0.0]
    ours = ember.tanh(ember.tensor(values)).numpy()
    theirs = _torch_tanh(values)
    assert _ulp_distance(ours, theirs).max() <= 1
    assert np.mean(ours != theirs) < 2e-3
    np.testing.assert_array_equal(np.signbit(ours[2:4]), [True, False])


@pytest.mark.parametrize('size', ['small', 'large'])
@pytest.mark.parametrize('extra', [None, 1e-6, 0.01, 1.0])  # alone, and with values of each path
def test_special_values_exactly(extra, size):
    special = [0.0, -0.0, 1e-45, -1e-45, 1e-38, np.inf, -np.inf, np.nan, 3e38, -3e38]
    values = np.array(special + ([] if extra is None else [extra, -extra]), dtype=np.float32)
    if size == 'large':  # the specials among values of the path under test only
        filler = np.full(4096, np.float32(extra or 0.0))
        filler[:values.size] = values
        values = filler if extra is not None else np.resize(values[:5], 4096)  # zeros and denormals
    ours = ember.tanh(ember.tensor(values)).numpy()
    theirs = _torch_tanh(values)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))  # tanh(-0.) is -0.


@pytest.mark.parametrize('values', [np.float32(-0.0), np.float32(0.5), np.zeros((0, 3), np.float32),
                                    np.zeros(5, np.float32)], ids=['scalar_zero', 'scalar', 'empty', 'zeros'])
def test_shapes_and_scalars(values):
    ours = ember.tanh(ember.tensor(values))
    theirs = torch.tanh(torch.tensor(values))
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(np.signbit(ours.numpy()), np.signbit(theirs.numpy()))


def test_views_inplace_and_out():
    base = (_rng.standard_normal((64, 48)) * 2).astype(np.float32)
    view = ember.tensor(base)[::2, 5:].t()
    expected = _torch_tanh(base[::2, 5:].T)
    assert _ulp_distance(ember.tanh(view).numpy(), expected).max() <= 1
    out = ember.empty(view.shape)
    ember.tanh(view, out=out)
    np.testing.assert_array_equal(out.numpy(), ember.tanh(view).numpy())
    copy = view.clone()
    copy.tanh_()
    np.testing.assert_array_equal(copy.numpy(), out.numpy())


def test_no_numpy_warnings():
    values = np.array([np.nan, np.inf, 3e38, -3e38, 1.0], dtype=np.float32)
    with np.errstate(all='raise'):
        ember.tanh(ember.tensor(values))


def test_other_dtypes_still_follow_torch():
    values = _rng.standard_normal(1000) * 2
    np.testing.assert_allclose(ember.tanh(ember.tensor(values)).numpy(), np.tanh(values), rtol=1e-15)
    half = values.astype(np.float16)
    ours = ember.tanh(ember.tensor(half)).numpy()
    theirs = torch.tanh(torch.from_numpy(half)).numpy()
    assert ours.dtype == np.float16
    assert np.max(np.abs(ours.astype(np.float32) - theirs.astype(np.float32))) <= 1e-3
