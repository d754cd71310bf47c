"""ember.vision.transforms.v2 and tv_tensors against torchvision 0.28's (through `_oracle`): the same
seeded transform on the same sample -- an image with its boxes and mask, or a plain image -- must give
the same pixels, boxes (with format and canvas size) and mask, with the same tv_tensor classes."""
import numpy as np
import pytest
import torch
from PIL import Image

import ember
import ember.vision.transforms.v2 as T
import ember.vision.tv_tensors as tvt

from ._oracle import import_torchvision


@pytest.fixture(scope='module')
def tv():
    torchvision = import_torchvision()
    import torchvision.transforms.v2  # noqa: F401  (a submodule torchvision does not import itself)
    return torchvision


HEIGHT, WIDTH = 14, 19
PIXELS = np.random.default_rng(0).integers(0, 256, (3, HEIGHT, WIDTH), dtype=np.uint8)
MASK = (np.random.default_rng(1).random((HEIGHT, WIDTH)) > 0.5).astype(np.uint8)
BOXES = np.array([[1, 2, 9, 11], [4.5, 0.5, 18, 7.25], [0, 0, 19, 14]], dtype=np.float32)


def sample(lib, tv_tensors, box_format='XYXY'):
    """(image, {'boxes', 'mask', 'label'}) built with `lib` (torch or ember) and its tv_tensors module."""
    boxes = BOXES if box_format == 'XYXY' else ember.vision.ops.box_convert(
        ember.from_numpy(BOXES), 'xyxy', box_format.lower()).numpy()
    return (tv_tensors.Image(lib.from_numpy(PIXELS.copy())),
            {'boxes': tv_tensors.BoundingBoxes(lib.from_numpy(boxes.copy()), format=box_format,
                                               canvas_size=(HEIGHT, WIDTH)),
             'mask': tv_tensors.Mask(lib.from_numpy(MASK.copy())), 'label': 3})


def assert_same(expected, actual, tolerance=0):
    if isinstance(expected, (tuple, list)):
        assert type(expected) is type(actual) and len(expected) == len(actual)
        for e, a in zip(expected, actual):
            assert_same(e, a, tolerance)
    elif isinstance(expected, dict):
        assert list(expected) == list(actual)
        for key in expected:
            assert_same(expected[key], actual[key], tolerance)
    elif isinstance(expected, torch.Tensor):
        assert type(expected).__name__ == type(actual).__name__
        assert str(expected.dtype).split('.')[-1] == str(actual.dtype).split('.')[-1]
        assert tuple(expected.shape) == tuple(actual.shape)
        if type(expected).__name__ == 'BoundingBoxes':
            assert expected.format.value == actual.format.value
            assert tuple(expected.canvas_size) == tuple(actual.canvas_size)
        e, a = expected.detach().numpy(), actual.detach().numpy()
        if e.dtype.kind == 'f':
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)
        else:
            assert np.abs(e.astype(np.int64) - a.astype(np.int64)).max(initial=0) <= tolerance
    elif isinstance(expected, Image.Image):
        assert expected.mode == actual.mode
        np.testing.assert_array_equal(np.asarray(actual), np.asarray(expected))
    else:
        assert expected == actual


# (constructor call, uint8 tolerance: 1 where torch resizes uint8 with its integer kernel)
CASES = [
    ('RandomHorizontalFlip()', 0),
    ('RandomVerticalFlip(p=0.7)', 0),
    ('Resize(9)', 1),
    ('Resize((8, 25), interpolation=T.InterpolationMode.NEAREST)', 0),
    ('CenterCrop((10, 11))', 0),
    ('CenterCrop(20)', 0),
    ('RandomCrop(10, padding=2)', 0),
    ('RandomCrop((16, 21), pad_if_needed=True, fill=7)', 0),
    ('RandomResizedCrop((8, 10), scale=(0.3, 1.0))', 1),
    ('Pad((1, 2, 3, 4), fill=9)', 0),
    ('Compose([T.RandomHorizontalFlip(), T.RandomCrop(12), T.Resize(7)])', 1),
    ('RandomApply([T.RandomVerticalFlip(1.0), T.Pad(2)], p=0.5)', 0),
    ('RandomChoice([T.CenterCrop(8), T.RandomHorizontalFlip(1.0), T.Pad(1)], p=[1, 2, 3])', 0),
    ('RandomOrder([T.CenterCrop(8), T.RandomHorizontalFlip(1.0), T.Pad(1)])', 0),
    ('ToDtype(torch.float32, scale=True)', 0),
    ('ToDtype({tv_tensors.Image: torch.float64, tv_tensors.Mask: torch.int64, "others": None}, scale=True)', 0),
    ('ToPureTensor()', 0),
]


def build(call, lib_name, tv):
    if lib_name == 'torch':
        namespace = {'T': tv.transforms.v2, 'torch': torch, 'tv_tensors': tv.tv_tensors}
    else:
        namespace = {'T': T, 'torch': ember, 'tv_tensors': tvt}
    return eval('T.' + call, namespace)


@pytest.mark.parametrize('box_format', ['XYXY', 'CXCYWH'])
@pytest.mark.parametrize('call, tolerance', CASES)
def test_sample_matches_torchvision(tv, call, tolerance, box_format):
    theirs, ours = build(call, 'torch', tv), build(call, 'ember', tv)
    for seed in range(3):
        torch.manual_seed(seed)
        expected = theirs(sample(torch, tv.tv_tensors, box_format))
        ember.manual_seed(seed)
        actual = ours(sample(ember, tvt, box_format))
        assert_same(expected, actual, tolerance)


@pytest.mark.parametrize('call, tolerance', CASES[:11])
def test_plain_tensor_and_pil_images(tv, call, tolerance):
    theirs, ours = build(call, 'torch', tv), build(call, 'ember', tv)
    picture = Image.fromarray(PIXELS.transpose(1, 2, 0))
    for seed in range(3):
        torch.manual_seed(seed)
        expected = theirs(torch.from_numpy(PIXELS.copy()), torch.from_numpy(PIXELS[:1].copy()))
        ember.manual_seed(seed)
        assert_same(expected, ours(ember.from_numpy(PIXELS.copy()), ember.from_numpy(PIXELS[:1].copy())), tolerance)
        torch.manual_seed(seed)
        expected = theirs(picture)
        ember.manual_seed(seed)
        assert_same(expected, ours(picture))


def test_to_image_normalize_and_reprs(tv):
    picture = Image.fromarray(PIXELS.transpose(1, 2, 0))
    expected = tv.transforms.v2.Compose([tv.transforms.v2.ToImage(), tv.transforms.v2.ToDtype(torch.float32, True),
                                         tv.transforms.v2.Normalize([0.5, 0.4, 0.3], [0.2, 0.3, 0.4])])
    actual = T.Compose([T.ToImage(), T.ToDtype(ember.float32, True), T.Normalize([0.5, 0.4, 0.3], [0.2, 0.3, 0.4])])
    assert_same(expected(picture), actual(picture))
    assert_same(expected(PIXELS.transpose(1, 2, 0).copy()), actual(PIXELS.transpose(1, 2, 0).copy()))
    for call, _ in CASES[:10]:
        assert repr(build(call, 'ember', tv)) == repr(build(call, 'torch', tv))


def test_tv_tensors(tv):
    boxes = tvt.BoundingBoxes([1, 2, 3, 4], format='xywh', canvas_size=(5, 6))
    expected = tv.tv_tensors.BoundingBoxes([1, 2, 3, 4], format='xywh', canvas_size=(5, 6))
    assert tuple(boxes.shape) == tuple(expected.shape) == (1, 4)
    assert boxes.format is tvt.BoundingBoxFormat.XYWH and boxes.clamping_mode == expected.clamping_mode
    assert type(boxes + 1) is ember.Tensor  # operations unwrap, as in torchvision
    assert type(tvt.wrap(boxes + 1, like=boxes)) is tvt.BoundingBoxes
    assert tvt.Image(ember.zeros(4, 5)).shape == (1, 4, 5)
    with pytest.raises(ValueError, match='2D or higher'):
        tvt.Image(ember.zeros(3))
    with pytest.raises(ValueError, match='1D or 2D'):
        tvt.BoundingBoxes(ember.zeros(1, 1, 4), format='XYXY', canvas_size=(2, 2))
    converted = T.functional.convert_bounding_box_format(boxes, new_format='CXCYWH')
    assert converted.format is tvt.BoundingBoxFormat.CXCYWH and converted.tolist() == [[2.5, 4.0, 3.0, 4.0]]
    with pytest.raises(ValueError, match='Found multiple HxW'):
        T.RandomCrop(2)(tvt.Image(ember.zeros(3, 4, 4)), tvt.Mask(ember.zeros(5, 5)))
