"""`interpolate(..., antialias=True)` beyond the op table rows (tests/op_db/nn_misc.py): the error
messages, the backward node names, a sweep of sizes and scales against torch, and torchvision-style
`resize` of tensor images, which goes through it."""
import numpy as np
import pytest
import torch

import ember
from ember.vision.transforms import functional as VF


def _message(lib, call):
    with pytest.raises(Exception) as caught:
        call(lib)
    return type(caught.value).__name__, str(caught.value)


@pytest.mark.parametrize('call', [
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4), size=2, antialias=True), id='nearest'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4), size=2, mode='bilinear', antialias=True),
                 id='3d_input'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4), size=2, mode='lanczos'),
                 id='lanczos_without_antialias'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4), size=2, mode='lanczos',
                                                       align_corners=True, antialias=True), id='lanczos_align'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4), size=2, mode='box'), id='unknown_mode'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4, dtype=m.float16), size=2, mode='bicubic',
                                                       antialias=True), id='float16'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4), size=(0, 2), mode='bilinear',
                                                       antialias=True), id='empty_output'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4), size=0, mode='linear'), id='empty_1d'),
    pytest.param(lambda m: m.nn.functional.interpolate(m.zeros(1, 1, 4, 4, 4), size=(2, 0, 2), mode='trilinear'),
                 id='empty_3d'),
])
def test_errors_match_torch(call):
    assert _message(ember, call) == _message(torch, call)


@pytest.mark.parametrize('mode', ['bilinear', 'bicubic', 'lanczos'])
def test_backward_node_names(mode):
    names = []
    for lib in (torch, ember):
        x = lib.ones(1, 1, 5, 6, requires_grad=True)
        names.append(type(lib.nn.functional.interpolate(x, size=(3, 2), mode=mode, antialias=True).grad_fn).__name__)
    assert names[0] == names[1]


def _sweep():
    rng = np.random.default_rng(0)
    for index in range(60):
        mode = ('bilinear', 'bicubic', 'lanczos')[index % 3]
        align_corners = mode != 'lanczos' and index % 4 == 1
        in_size = tuple(int(s) for s in rng.integers(1, 30, 2))
        if index % 2:
            kwargs = {'size': (int(rng.integers(1, 40)), int(rng.integers(2, 40)))}
        else:
            scale = tuple(float(s) for s in rng.uniform(0.1, 3, 2))
            out = [int(n * s) for n, s in zip(in_size, scale)]
            if min(out) < 2 or in_size[0] == out[0] or in_size[1] == out[1]:
                continue   # see the note in test_forward_and_backward_sweep
            kwargs = {'scale_factor': scale, 'recompute_scale_factor': index % 3 == 0}
        yield pytest.param(mode, align_corners, in_size, kwargs, id=f'{index}-{mode}')


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('mode, align_corners, in_size, kwargs', list(_sweep()))
def test_forward_and_backward_sweep(dtype, mode, align_corners, in_size, kwargs):
    # Not swept, where torch disagrees with itself: an output width of 1 (its forward repeats the first
    # row down the height; its backward is right), and an axis whose size a scale_factor leaves
    # unchanged (its forward copies that axis, its backward resamples it with 1 / scale_factor)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3) + in_size).astype(dtype)
    results = []
    for lib in (torch, ember):
        input = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.interpolate(input, mode=mode, align_corners=align_corners, antialias=True, **kwargs)
        grad_output = np.random.default_rng(2).standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(lib.tensor(grad_output))
        results.append((out.detach().numpy(), input.grad.numpy()))
    (expected, expected_grad), (got, got_grad) = results
    assert got.dtype == expected.dtype and got.shape == expected.shape
    tolerance = {'rtol': 1e-4, 'atol': 2e-5} if dtype == 'float32' else {'rtol': 1e-10, 'atol': 1e-12}
    np.testing.assert_allclose(got, expected, **tolerance)
    np.testing.assert_allclose(got_grad, expected_grad, **tolerance)


def test_gradcheck_and_double_backward():
    x = ember.tensor(np.random.default_rng(3).standard_normal((1, 2, 6, 5)), requires_grad=True)
    for mode in ('bilinear', 'bicubic', 'lanczos'):
        def resize(t, mode=mode):
            return ember.nn.functional.interpolate(t, size=(3, 8), mode=mode, antialias=True)
        assert ember.autograd.gradcheck(resize, (x,))
        assert ember.autograd.gradgradcheck(resize, (x,))


@pytest.mark.parametrize('mode', ['bilinear', 'bicubic'])
@pytest.mark.parametrize('dtype', ['uint8', 'float32'])
def test_resize_tensor_image_antialiases_like_torchvision(mode, dtype):
    # torchvision's tensor resize: interpolate(antialias=True) in float32, clamped (bicubic) and rounded
    # back to uint8
    rng = np.random.default_rng(4)
    image = (rng.integers(0, 256, (3, 21, 30)) if dtype == 'uint8' else rng.random((3, 21, 30))).astype(dtype)
    for size in ([7, 11], [40, 13]):
        got = VF.resize(ember.from_numpy(image.copy()), size, VF.InterpolationMode(mode))
        expected = torch.nn.functional.interpolate(torch.from_numpy(image)[None].float(), size=size, mode=mode,
                                                   align_corners=False, antialias=True)[0]
        if dtype == 'uint8':
            expected = expected.clamp(0, 255).round().to(torch.uint8)
        assert got.numpy().dtype == expected.numpy().dtype
        np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=2e-6)


def test_resize_tensor_image_keeps_autograd():
    image = ember.rand(3, 12, 9, requires_grad=True)
    VF.resize(image, [5, 4]).sum().backward()
    assert image.grad is not None and image.grad.shape == image.shape
