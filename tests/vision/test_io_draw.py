"""ember.vision.utils' drawing helpers against torchvision 0.28's (pure Python over Pillow there, run
through `_oracle`), and ember.vision.io against Pillow + torchvision's PILToTensor (torchvision's own
decoders are compiled and cannot load here)."""
import io

import numpy as np
import pytest
import torch
from PIL import Image

import ember
import ember.vision.io as eio
import ember.vision.utils as utils

from ._oracle import import_torchvision


@pytest.fixture(scope='module')
def tv():
    return import_torchvision()


def image_pair(channels=3, floating=False, seed=0, height=30, width=40):
    pixels = np.random.default_rng(seed).integers(0, 256, (channels, height, width), dtype=np.uint8)
    if floating:
        pixels = pixels.astype(np.float32) / np.float32(255)
    return torch.from_numpy(pixels.copy()), ember.from_numpy(pixels.copy())


def assert_same_image(expected, actual):
    assert str(expected.dtype).split('.')[-1] == str(actual.dtype).split('.')[-1]
    assert tuple(expected.shape) == tuple(actual.shape)
    np.testing.assert_array_equal(actual.numpy(), expected.numpy())


BOXES = np.array([[2, 3, 20, 15], [10.7, 5.2, 35.9, 28.1], [0, 0, 39, 29]], dtype=np.float32)

BOX_CASES = [
    dict(),
    dict(labels=['cat', 'dog', 'bird'], colors='red', width=2),
    dict(colors=[(255, 0, 0), 'blue', '#00ff00'], fill=True),
    dict(labels=['a', 'b', 'c'], fill_labels=True, label_background_colors='yellow', label_colors=['white'] * 3),
]


@pytest.mark.parametrize('kwargs', BOX_CASES)
@pytest.mark.parametrize('channels, floating', [(3, False), (1, False), (3, True)])
def test_draw_bounding_boxes(tv, kwargs, channels, floating):
    t_image, e_image = image_pair(channels, floating)
    expected = tv.utils.draw_bounding_boxes(t_image, torch.from_numpy(BOXES), **kwargs)
    assert_same_image(expected, utils.draw_bounding_boxes(e_image, ember.from_numpy(BOXES), **kwargs))


def test_draw_bounding_boxes_errors(tv):
    t_image, e_image = image_pair()
    bad = np.array([[5, 5, 2, 8]], dtype=np.float32)
    for args in [(bad,), (BOXES[:1], ['a', 'b'])]:
        with pytest.raises(ValueError) as expected:
            tv.utils.draw_bounding_boxes(t_image, torch.from_numpy(args[0]), *args[1:])
        with pytest.raises(ValueError) as actual:
            utils.draw_bounding_boxes(e_image, ember.from_numpy(args[0]), *args[1:])
        assert str(actual.value) == str(expected.value)
    with pytest.raises(ValueError, match='individual images'):
        utils.draw_bounding_boxes(ember.zeros((1, 3, 4, 4), dtype=ember.uint8), ember.from_numpy(BOXES))


@pytest.mark.parametrize('floating', [False, True])
@pytest.mark.parametrize('kwargs', [dict(), dict(alpha=0.3, colors='green'), dict(colors=['red', (0, 0, 255), 'navy'])])
def test_draw_segmentation_masks(tv, floating, kwargs):
    t_image, e_image = image_pair(3, floating)
    masks = np.random.default_rng(1).random((3, 30, 40)) > 0.6
    expected = tv.utils.draw_segmentation_masks(t_image, torch.from_numpy(masks), **kwargs)
    actual = utils.draw_segmentation_masks(e_image, ember.from_numpy(masks), **kwargs)
    if floating:
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), atol=1e-6)
    else:
        assert_same_image(expected, actual)
    single = tv.utils.draw_segmentation_masks(t_image, torch.from_numpy(masks[0]))
    assert np.allclose(utils.draw_segmentation_masks(e_image, ember.from_numpy(masks[0])).numpy(), single.numpy(),
                       atol=1e-6)
    with pytest.raises(ValueError, match='dtype bool'):
        utils.draw_segmentation_masks(e_image, ember.from_numpy(masks.astype(np.uint8)))


@pytest.mark.parametrize('floating', [False, True])
def test_draw_keypoints(tv, floating):
    t_image, e_image = image_pair(3, floating)
    keypoints = np.array([[[5, 5], [20.5, 10], [30, 25]], [[8, 20], [15, 15], [35, 3]]], dtype=np.float32)
    visibility = np.array([[True, True, False], [True, True, True]])
    for kwargs in [dict(), dict(connectivity=[(0, 1), (1, 2)], colors='blue', radius=3, width=2)]:
        expected = tv.utils.draw_keypoints(t_image, torch.from_numpy(keypoints), visibility=torch.from_numpy(visibility),
                                           **kwargs)
        actual = utils.draw_keypoints(e_image, ember.from_numpy(keypoints), visibility=ember.from_numpy(visibility),
                                      **kwargs)
        assert_same_image(expected, actual)


def pil_bytes(picture, format, **options):
    buffer = io.BytesIO()
    picture.save(buffer, format=format, **options)
    return buffer.getvalue()


def encoded(data):
    return ember.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


PICTURES = {
    'RGB': Image.fromarray(np.random.default_rng(2).integers(0, 256, (9, 11, 3), dtype=np.uint8)),
    'L': Image.fromarray(np.random.default_rng(3).integers(0, 256, (9, 11), dtype=np.uint8)),
    'RGBA': Image.fromarray(np.random.default_rng(4).integers(0, 256, (9, 11, 4), dtype=np.uint8)),
}


@pytest.mark.parametrize('pil_mode', ['RGB', 'L', 'RGBA'])
@pytest.mark.parametrize('read_mode', ['UNCHANGED', 'GRAY', 'RGB', 'RGB_ALPHA', 'GRAY_ALPHA'])
def test_decode_png_matches_pil_to_tensor(tv, pil_mode, read_mode):
    picture = PICTURES[pil_mode]
    data = encoded(pil_bytes(picture, 'PNG'))
    reference = picture if read_mode == 'UNCHANGED' else picture.convert(eio._PIL_MODE[eio.ImageReadMode[read_mode]])
    expected = tv.transforms.PILToTensor()(reference)
    for actual in (eio.decode_png(data, read_mode), eio.decode_image(data, eio.ImageReadMode[read_mode])):
        assert_same_image(expected, actual)


def test_files_and_jpeg(tv, tmp_path):
    t_image, e_image = image_pair(3, seed=5)
    png_path, jpeg_path = tmp_path / 'a.png', tmp_path / 'a.jpg'
    eio.write_png(e_image, str(png_path))
    assert_same_image(t_image, eio.read_image(png_path))
    assert_same_image(t_image, tv.transforms.PILToTensor()(Image.open(png_path)))
    assert eio.read_file(png_path).numpy().tobytes() == png_path.read_bytes()
    assert eio.encode_png(e_image).numpy().tobytes() == png_path.read_bytes()
    eio.write_jpeg(e_image, str(jpeg_path), quality=90)
    # the same bytes as Pillow writes, and decoded as Pillow decodes them (libjpeg-turbo may differ a little)
    assert jpeg_path.read_bytes() == pil_bytes(Image.fromarray(e_image.numpy().transpose(1, 2, 0)), 'JPEG', quality=90)
    expected = tv.transforms.PILToTensor()(Image.open(jpeg_path))
    assert_same_image(expected, eio.decode_jpeg(eio.read_file(jpeg_path)))
    assert_same_image(tv.transforms.PILToTensor()(Image.open(jpeg_path).convert('L')),
                      eio.read_image(jpeg_path, eio.ImageReadMode.GRAY))
    assert len(eio.decode_jpeg([eio.read_file(jpeg_path)] * 2)) == 2
    with pytest.raises(RuntimeError, match='Expected a PNG'):
        eio.decode_png(eio.read_file(jpeg_path))
    with pytest.raises(ValueError, match='quality'):
        eio.encode_jpeg(e_image, quality=0)
    assert [m.value for m in eio.ImageReadMode] == [m.value for m in tv.io.ImageReadMode]
    assert eio.ImageReadMode.RGBA is eio.ImageReadMode.RGB_ALPHA
