"""F.affine_grid and F.grid_sample against torch: a table of (shapes, mode, padding_mode,
align_corners) cases run forward and backward in float32 and float64, gradcheck and the double
backward in float64 for some, node names, errors and warnings."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember

TOLERANCES = {'float32': dict(rtol=1e-4, atol=1e-5), 'float64': dict(rtol=1e-10, atol=1e-12)}


def _grid(kind, shape, dtype, seed):
    """'inside': points around [-1, 1]; 'far': up to 4 input widths away (reflection bounces
    several times); 'ties': multiples of 1/4, on pixel centres and half-way between them."""
    rng = np.random.default_rng(seed)
    if kind == 'inside':
        return rng.uniform(-1.2, 1.2, shape).astype(dtype)
    if kind == 'far':
        return rng.uniform(-4, 4, shape).astype(dtype)
    return (rng.integers(-6, 7, shape) / 4).astype(dtype)


# (input shape, grid shape, grid kind); every mode x padding_mode x align_corners runs on each
SHAPES_2D = [((2, 3, 4, 5), (2, 6, 7, 2), 'inside'), ((1, 2, 5, 3), (1, 4, 4, 2), 'far'),
             ((2, 1, 4, 4), (2, 3, 5, 2), 'ties'), ((1, 2, 1, 4), (1, 2, 3, 2), 'inside')]
SHAPES_3D = [((2, 2, 3, 4, 5), (2, 3, 2, 4, 3), 'inside'), ((1, 1, 4, 3, 2), (1, 2, 3, 2, 3), 'far'),
             ((1, 2, 4, 4, 4), (1, 2, 2, 3, 3), 'ties')]
MODES = {2: ('bilinear', 'nearest', 'bicubic'), 3: ('bilinear', 'nearest')}  # bicubic is 2-D only
CASES = [(shapes, mode, padding_mode, align_corners)
         for shapes in SHAPES_2D + SHAPES_3D
         for mode, padding_mode, align_corners in itertools.product(
             MODES[len(shapes[0]) - 2], ('zeros', 'border', 'reflection'), (False, True))]


def _case_id(case):
    (input_shape, _, kind), mode, padding_mode, align_corners = case
    shape = 'x'.join(map(str, input_shape))
    return f"{len(input_shape) - 2}d-{kind}-{shape}-{mode}-{padding_mode}-ac{int(align_corners)}"


def _run(lib, input, grid, grad_output, mode, padding_mode, align_corners):
    input, grid = lib.tensor(input, requires_grad=True), lib.tensor(grid, requires_grad=True)
    output = lib.nn.functional.grid_sample(input, grid, mode=mode, padding_mode=padding_mode,
                                           align_corners=align_corners)
    output.backward(lib.tensor(grad_output))
    return type(output.grad_fn).__name__, output.detach().numpy(), input.grad.numpy(), grid.grad.numpy()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('case', CASES, ids=_case_id)
def test_grid_sample_forward_and_backward_match_torch(case, dtype):
    (input_shape, grid_shape, kind), mode, padding_mode, align_corners = case
    rng = np.random.default_rng(0)
    input = rng.standard_normal(input_shape).astype(dtype)
    grid = _grid(kind, grid_shape, dtype, seed=1)
    grad_output = rng.standard_normal(input_shape[:2] + grid_shape[1:-1]).astype(dtype)
    ours = _run(ember, input, grid, grad_output, mode, padding_mode, align_corners)
    theirs = _run(torch, input, grid, grad_output, mode, padding_mode, align_corners)
    assert ours[0] == theirs[0]
    for name, got, expected in zip(('output', 'input grad', 'grid grad'), ours[1:], theirs[1:]):
        assert got.dtype == expected.dtype and got.shape == expected.shape, name
        np.testing.assert_allclose(got, expected, err_msg=name, **TOLERANCES[dtype])


GRADCHECK_CASES = [((1, 2, 3, 4), (1, 2, 3, 2), mode, padding_mode, align_corners)
                   for mode, padding_mode, align_corners in [('bilinear', 'zeros', False), ('bilinear', 'border', True),
                                                             ('bilinear', 'reflection', False),
                                                             ('bicubic', 'zeros', True), ('bicubic', 'border', False),
                                                             ('bicubic', 'reflection', True)]]
GRADCHECK_CASES += [((1, 2, 2, 3, 4), (1, 2, 1, 3, 3), 'bilinear', padding_mode, align_corners)
                    for padding_mode, align_corners in [('zeros', True), ('reflection', False)]]


@pytest.mark.parametrize('input_shape,grid_shape,mode,padding_mode,align_corners', GRADCHECK_CASES)
def test_gradcheck_and_gradgradcheck(input_shape, grid_shape, mode, padding_mode, align_corners):
    rng = np.random.default_rng(2)
    input = ember.tensor(rng.standard_normal(input_shape), requires_grad=True)
    # away from the kinks (pixel centres, borders) where the finite differences straddle two pieces
    grid = ember.tensor(rng.uniform(-1.3, 1.3, grid_shape), requires_grad=True)

    def sample(input, grid):
        return ember.nn.functional.grid_sample(input, grid, mode, padding_mode, align_corners)
    assert ember.autograd.gradcheck(sample, (input, grid))
    assert ember.autograd.gradgradcheck(sample, (input, grid))


@pytest.mark.parametrize('input_shape,grid_shape,mode', [((2, 2, 3, 4), (2, 3, 2, 2), 'bilinear'),
                                                        ((1, 2, 4, 4), (1, 3, 3, 2), 'bicubic'),
                                                        ((1, 2, 4, 4), (1, 3, 3, 2), 'nearest'),
                                                        ((1, 2, 2, 3, 4), (1, 2, 2, 2, 3), 'bilinear')])
def test_double_backward_matches_torch(input_shape, grid_shape, mode):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(input_shape), rng.uniform(-1.5, 1.5, grid_shape),
              rng.standard_normal(input_shape[:2] + grid_shape[1:-1])]
    weights = [rng.standard_normal(input_shape), rng.standard_normal(grid_shape)]

    def second_derivatives(lib):
        input, grid, grad_output = (lib.tensor(a, requires_grad=True) for a in arrays)
        output = lib.nn.functional.grid_sample(input, grid, mode, 'reflection', align_corners=False)
        grads = lib.autograd.grad(output, (input, grid), grad_output, create_graph=True)
        total = sum((g * lib.tensor(w)).sum() for g, w in zip(grads, weights))
        return type(grads[1].grad_fn).__name__, lib.autograd.grad(total, (input, grid, grad_output), allow_unused=True)
    ours, theirs = second_derivatives(ember), second_derivatives(torch)
    assert ours[0] == theirs[0]
    for got, expected in zip(ours[1], theirs[1]):
        assert (got is None) == (expected is None)
        if expected is not None:
            np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_third_derivative_is_not_implemented():
    input = ember.ones(1, 1, 3, 3, requires_grad=True)
    grid = ember.full((1, 2, 2, 2), 0.3, requires_grad=True)
    output = ember.nn.functional.grid_sample(input, grid, align_corners=False)
    _, grad_grid = ember.autograd.grad(output.sum(), (input, grid), create_graph=True)
    second, = ember.autograd.grad(grad_grid.pow(2).sum(), grid, create_graph=True)
    with pytest.raises(NotImplementedError, match='third derivative'):
        second.sum().backward()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('align_corners', [False, True])
@pytest.mark.parametrize('size', [(2, 3, 4, 5), (1, 1, 1, 3), (2, 1, 3, 1), (1, 2, 3, 4, 5), (2, 1, 1, 2, 3)])
def test_affine_grid_matches_torch(size, align_corners, dtype):
    nd = len(size) - 2
    rng = np.random.default_rng(4)
    theta = rng.standard_normal((size[0], nd, nd + 1)).astype(dtype)
    grad_grid = rng.standard_normal((size[0], *size[2:], nd)).astype(dtype)

    def run(lib):
        theta_tensor = lib.tensor(theta, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # the unit-size warning
            grid = lib.nn.functional.affine_grid(theta_tensor, size, align_corners=align_corners)
        grid.backward(lib.tensor(grad_grid))
        return type(grid.grad_fn).__name__, grid.detach().numpy(), theta_tensor.grad.numpy()
    ours, theirs = run(ember), run(torch)
    assert ours[0] == theirs[0]
    for got, expected in zip(ours[1:], theirs[1:]):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, **TOLERANCES[dtype])


def test_spatial_transformer_end_to_end_matches_torch():
    """affine_grid then grid_sample, gradients back to theta and the image."""
    rng = np.random.default_rng(5)
    image = rng.standard_normal((2, 3, 8, 6)).astype(np.float32)
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.05]], [[1.2, 0.0, 0.3], [0.1, 0.7, 0.2]]], np.float32)

    def run(lib):
        image_tensor, theta_tensor = lib.tensor(image, requires_grad=True), lib.tensor(theta, requires_grad=True)
        grid = lib.nn.functional.affine_grid(theta_tensor, (2, 3, 5, 7), align_corners=False)
        output = lib.nn.functional.grid_sample(image_tensor, grid, padding_mode='border', align_corners=False)
        (output * output).sum().backward()
        return output.detach().numpy(), image_tensor.grad.numpy(), theta_tensor.grad.numpy()
    for got, expected in zip(run(ember), run(torch)):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('input_shape,grid_shape', [((0, 2, 3, 3), (0, 2, 2, 2)), ((1, 0, 3, 3), (1, 2, 2, 2)),
                                                    ((1, 2, 3, 3), (1, 0, 2, 2)), ((0, 1, 2, 2, 2), (0, 1, 1, 1, 3))])
def test_empty_batch_channels_and_grid(input_shape, grid_shape):
    def run(lib):
        input = lib.ones(input_shape, requires_grad=True)
        grid = lib.zeros(grid_shape, requires_grad=True)
        output = lib.nn.functional.grid_sample(input, grid, align_corners=False)
        output.sum().backward()
        return output.shape, input.grad.shape, grid.grad.shape
    assert [tuple(s) for s in run(ember)] == [tuple(s) for s in run(torch)]


def test_strided_input_and_grid():
    rng = np.random.default_rng(6)
    image = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    points = rng.uniform(-1.2, 1.2, (2, 2, 4, 3)).astype(np.float32)

    def run(lib):
        # a transposed input and a grid made of a channels-first tensor, as from a conv net
        input = lib.tensor(image).transpose(2, 3)
        return lib.nn.functional.grid_sample(input, lib.tensor(points).permute(0, 3, 2, 1), mode='bicubic',
                                             align_corners=True).numpy()
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-4, atol=1e-5)


def test_non_finite_grid_points_match_torch():
    """NaN and infinite points: NaN for the interpolating modes with zeros padding, the border or
    the reflection's pixel otherwise, as ATen's CPU kernels compute them; and no NumPy warnings."""
    image = np.arange(12, dtype=np.float32).reshape(1, 1, 3, 4)
    points = np.array([[[[np.nan, 0.0], [np.inf, 0.0], [-np.inf, 0.3], [1e30, 1.0]]]], np.float32)
    for mode, padding_mode in itertools.product(('bilinear', 'nearest', 'bicubic'), ('zeros', 'border', 'reflection')):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            ours = ember.nn.functional.grid_sample(ember.tensor(image), ember.tensor(points), mode, padding_mode,
                                                   align_corners=False).numpy()
        theirs = torch.nn.functional.grid_sample(torch.tensor(image), torch.tensor(points), mode, padding_mode,
                                                 align_corners=False).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{mode}, {padding_mode}")


def _x(lib, *shape, dtype='float32'):
    return lib.zeros(*shape, dtype=getattr(lib, dtype))


def _grid_sample(lib, input, grid, **kwargs):
    return lib.nn.functional.grid_sample(input, grid, align_corners=False, **kwargs)


ERRORS = {
    'batch_mismatch': lambda m: _grid_sample(m, _x(m, 2, 1, 3, 3), _x(m, 1, 2, 2, 2)),
    'grid_last_dim': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3), _x(m, 1, 2, 2, 3)),
    'input_3d': lambda m: _grid_sample(m, _x(m, 1, 2, 3), _x(m, 1, 2, 1)),
    'input_2d': lambda m: _grid_sample(m, _x(m, 2, 3), _x(m, 1, 2, 2)),
    'input_6d': lambda m: _grid_sample(m, _x(m, 1, 1, 1, 1, 1, 1), _x(m, 1, 1, 1, 1, 1, 4)),
    'grid_rank': lambda m: _grid_sample(m, _x(m, 1, 2, 3, 3), _x(m, 1, 2, 2, 2, 2)),
    'empty_spatial': lambda m: _grid_sample(m, _x(m, 1, 2, 0, 3), _x(m, 1, 2, 2, 2)),
    'bicubic_5d': lambda m: _grid_sample(m, _x(m, 1, 1, 2, 2, 2), _x(m, 1, 1, 1, 1, 3), mode='bicubic'),
    'bad_mode': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3), _x(m, 1, 2, 2, 2), mode='linear'),
    'bad_padding_mode': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3), _x(m, 1, 2, 2, 2), padding_mode='circular'),
    'long_input': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3, dtype='int64'), _x(m, 1, 2, 2, 2)),
    'long_input_3d': lambda m: _grid_sample(m, _x(m, 1, 1, 2, 2, 2, dtype='int64'), _x(m, 1, 1, 1, 1, 3)),
    'double_grid': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3), _x(m, 1, 2, 2, 2, dtype='float64')),
    'float_grid_double_input': lambda m: _grid_sample(m, _x(m, 1, 1, 3, 3, dtype='float64'), _x(m, 1, 2, 2, 2)),
    'affine_long_theta': lambda m: m.nn.functional.affine_grid(_x(m, 1, 2, 3, dtype='int64'), (1, 1, 2, 2), False),
    'affine_theta_2d_shape': lambda m: m.nn.functional.affine_grid(_x(m, 1, 3, 3), (1, 1, 2, 2), False),
    'affine_theta_3d_shape': lambda m: m.nn.functional.affine_grid(_x(m, 1, 2, 3), [1, 1, 2, 2, 2], False),
    'affine_theta_not_batched': lambda m: m.nn.functional.affine_grid(_x(m, 2, 3), (1, 1, 2, 2), False),
    'affine_size_3d': lambda m: m.nn.functional.affine_grid(_x(m, 1, 2, 3), (1, 1, 2), False),
    'affine_zero_size': lambda m: m.nn.functional.affine_grid(_x(m, 1, 2, 3), (1, 1, 0, 2), True),
    'affine_negative_size': lambda m: m.nn.functional.affine_grid(_x(m, 1, 2, 3), [1, -1, 3, 2], False),
    'affine_batch_mismatch': lambda m: m.nn.functional.affine_grid(_x(m, 2, 2, 3), (1, 1, 2, 2), False),
}


@pytest.mark.parametrize('fn', ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ember)
    assert type(ours.value) is type(theirs.value), f"ember raised {ours.value!r}"
    assert str(ours.value) == str(theirs.value).replace('torch.', 'ember.')


@pytest.mark.parametrize('call,expected_warnings', [
    (lambda m: m.nn.functional.grid_sample(m.zeros(1, 1, 2, 2), m.zeros(1, 1, 1, 2)), 1),
    (lambda m: m.nn.functional.grid_sample(m.zeros(1, 1, 2, 2), m.zeros(1, 1, 1, 2), align_corners=False), 0),
    (lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 1, 2, 2)), 1),
    (lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True), 1),
    (lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 1, 2, 2), align_corners=True), 0),
], ids=['grid_sample_default', 'grid_sample_explicit', 'affine_grid_default', 'affine_grid_unit_size',
        'affine_grid_explicit'])
def test_warnings_match_torch(call, expected_warnings):
    caught = {}
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter('always')
            call(lib)
        caught[lib] = [(r.category, str(r.message), r.filename) for r in records]
    assert len(caught[torch]) == expected_warnings
    assert [(c, m) for c, m, _ in caught[ember]] == [(c, m) for c, m, _ in caught[torch]]
    assert all(filename == __file__ for _, _, filename in caught[ember])  # stacklevel: the caller's line
