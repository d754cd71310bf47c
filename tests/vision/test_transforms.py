"""ember.vision.transforms against Pillow/NumPy directly and against torch's RNG (ember's generator
is bit-exact with torch's, so torchvision's draws can be replayed with torch)."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F

MODES = {'RGB': 3, 'L': 1, 'RGBA': 4}


def make_image(mode, height=13, width=17, seed=0):
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, MODES[mode]), dtype=np.uint8)
    return Image.fromarray(pixels[..., 0] if mode == 'L' else pixels, mode)


def pixels(img):
    return np.asarray(img).reshape(img.size[1], img.size[0], -1)


def float_tensor(img):
    return ember.from_numpy(pixels(img).transpose(2, 0, 1).astype(np.float32) / 255)


@pytest.mark.parametrize('mode', MODES)
def test_to_tensor_and_back(mode):
    img = make_image(mode)
    out = T.ToTensor()(img)
    assert out.dtype == ember.float32 and tuple(out.shape) == (MODES[mode], 13, 17)
    np.testing.assert_array_equal(out.numpy(), pixels(img).transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    as_uint8 = T.PILToTensor()(img)
    assert as_uint8.dtype == ember.uint8
    np.testing.assert_array_equal(as_uint8.numpy(), pixels(img).transpose(2, 0, 1))
    back = T.ToPILImage()(as_uint8)
    assert back.mode == mode and np.array_equal(np.asarray(back), np.asarray(img))


def test_normalize_and_inplace():
    x = float_tensor(make_image('RGB'))
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    expected = (x.numpy() - np.float32(mean).reshape(3, 1, 1)) / np.float32(std).reshape(3, 1, 1)
    before = x.numpy().copy()
    np.testing.assert_allclose(T.Normalize(mean, std)(x).numpy(), expected, rtol=1e-6)
    assert np.array_equal(x.numpy(), before)
    out = T.Normalize(mean, std, inplace=True)(x)
    assert out is x
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)
    with pytest.raises(TypeError):
        F.normalize(ember.zeros(3, 2, 2, dtype=ember.uint8), mean, std)


@pytest.mark.parametrize('mode', MODES)
def test_resize_matches_pillow(mode):
    img = make_image(mode)
    # shorter edge (13) -> 7, longer edge int(7 * 17 / 13) = 9
    assert T.Resize(7)(img).size == (9, 7)
    out = T.Resize((5, 11), interpolation=T.InterpolationMode.BICUBIC)(img)
    assert np.array_equal(np.asarray(out), np.asarray(img.resize((11, 5), Image.BICUBIC)))
    assert T.Resize(10, max_size=12)(img).size == (12, int(12 * 10 / 13))
    with pytest.raises(ValueError):
        T.Resize((4, 5), max_size=9)(img)


@pytest.mark.parametrize('mode,antialias', [('bilinear', True), ('bilinear', False), ('bicubic', True),
                                            ('bicubic', False), ('nearest', False)])
def test_resize_tensor_matches_interpolate(mode, antialias):
    x = np.random.default_rng(1).random((2, 3, 13, 17), dtype=np.float32)
    for size in [(5, 9), (20, 8), (31, 40)]:
        out = F.resize(ember.from_numpy(x.copy()), list(size), T.InterpolationMode(mode), antialias=antialias)
        expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode,
                                                   align_corners=None if mode == 'nearest' else False,
                                                   antialias=antialias)
        np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=2e-6)


@pytest.mark.parametrize('mode', MODES)
def test_crops(mode):
    img = make_image(mode)
    out = T.CenterCrop((6, 9))(img)
    assert np.array_equal(np.asarray(out), np.asarray(img.crop((4, 4, 13, 10))))   # round((13-6)/2)=4, round(8/2)
    padded = T.CenterCrop(15)(img)    # larger than the image: zero-padded around
    assert padded.size == (15, 15) and np.asarray(padded)[0].max() == 0
    crops = T.FiveCrop(5)(img)
    expected_boxes = [(0, 0, 5, 5), (12, 0, 17, 5), (0, 8, 5, 13), (12, 8, 17, 13), (6, 4, 11, 9)]
    for crop, box in zip(crops, expected_boxes):
        assert np.array_equal(np.asarray(crop), np.asarray(img.crop(box)))
    ten = T.TenCrop(5, vertical_flip=True)(img)
    assert len(ten) == 10
    flipped = img.transpose(Image.FLIP_TOP_BOTTOM)
    assert np.array_equal(np.asarray(ten[5]), np.asarray(flipped.crop((0, 0, 5, 5))))


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('padding_mode', ['constant', 'edge', 'reflect', 'symmetric'])
def test_random_crop_draws_like_torchvision(mode, padding_mode):
    img = make_image(mode)
    ember.manual_seed(3)
    out = T.RandomCrop((9, 10), padding=(2, 1), padding_mode=padding_mode)(img)
    numpy_mode = {'constant': 'constant', 'edge': 'edge', 'reflect': 'reflect', 'symmetric': 'symmetric'}[padding_mode]
    padded = np.pad(pixels(img), ((1, 1), (2, 2), (0, 0)), mode=numpy_mode)
    torch.manual_seed(3)
    i = torch.randint(0, padded.shape[0] - 9 + 1, size=(1,)).item()
    j = torch.randint(0, padded.shape[1] - 10 + 1, size=(1,)).item()
    np.testing.assert_array_equal(pixels(out), padded[i:i + 9, j:j + 10])
    tensor_out = T.RandomCrop((9, 10), padding=(2, 1), padding_mode=padding_mode)
    ember.manual_seed(3)
    np.testing.assert_array_equal(tensor_out(T.PILToTensor()(img)).numpy(), padded[i:i + 9, j:j + 10].transpose(2, 0, 1))


def test_random_crop_pad_if_needed_and_errors():
    img = make_image('RGB', 5, 6)
    assert T.RandomCrop((8, 9), pad_if_needed=True, fill=(1, 2, 3))(img).size == (9, 8)
    with pytest.raises(ValueError):
        T.RandomCrop(8)(img)


@pytest.mark.parametrize('transform,flip', [(T.RandomHorizontalFlip, Image.FLIP_LEFT_RIGHT),
                                            (T.RandomVerticalFlip, Image.FLIP_TOP_BOTTOM)])
def test_random_flips_draw_like_torchvision(transform, flip):
    img = make_image('RGB')
    for seed in range(6):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        expected = img.transpose(flip) if torch.rand(1) < 0.5 else img
        assert np.array_equal(np.asarray(transform()(img)), np.asarray(expected))
    x = float_tensor(img)
    np.testing.assert_array_equal(transform(p=1.0)(x).numpy(), x.numpy()[:, :, ::-1] if transform is
                                  T.RandomHorizontalFlip else x.numpy()[:, ::-1])


def test_random_resized_crop_sampling_loop():
    img = make_image('RGB', 13, 17)
    for scale, ratio in [((0.08, 1.0), (3 / 4, 4 / 3)), ((0.9, 1.0), (3.0, 4.0))]:
        for seed in range(4):
            ember.manual_seed(seed)
            params = T.RandomResizedCrop.get_params(img, scale, ratio)
            torch.manual_seed(seed)   # torchvision's loop, replayed on torch's generator
            log_ratio = torch.log(torch.tensor(ratio))
            for _ in range(10):
                area = 13 * 17 * torch.empty(1).uniform_(scale[0], scale[1]).item()
                aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
                w, h = int(round((area * aspect) ** 0.5)), int(round((area / aspect) ** 0.5))
                if 0 < w <= 17 and 0 < h <= 13:
                    expected = (torch.randint(0, 13 - h + 1, size=(1,)).item(),
                                torch.randint(0, 17 - w + 1, size=(1,)).item(), h, w)
                    break
            else:   # the fallback: ratio 17/13 < 3, so full width, height = round(17 / 3)
                expected = ((13 - 6) // 2, 0, 6, 17)
            assert params == expected
    out = T.RandomResizedCrop(8)(img)
    assert out.size == (8, 8)


@pytest.mark.parametrize('mode', MODES)
def test_rotation_and_affine(mode):
    img = make_image(mode, 11, 11)
    for seed in range(3):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        angle = torch.empty(1).uniform_(-30.0, 30.0).item()
        expected = img.rotate(angle, Image.NEAREST, False, None, fillcolor=(5,) * MODES[mode] if MODES[mode] > 1 else 5)
        assert np.array_equal(np.asarray(T.RandomRotation(30, fill=5)(img)), np.asarray(expected))
    assert T.RandomRotation((45, 45), expand=True)(img).size == img.rotate(45, expand=True).size
    # identity affine changes nothing; a 90 degree tensor rotation of a square image is exact
    assert np.array_equal(np.asarray(F.affine(img, 0.0, [0, 0], 1.0, [0.0, 0.0])), np.asarray(img))
    x = T.PILToTensor()(img)
    np.testing.assert_array_equal(F.rotate(x, 90.0).numpy(), np.rot90(x.numpy(), 1, axes=(1, 2)))
    np.testing.assert_array_equal(F.affine(x, 0.0, [2, 1], 1.0, 0.0).numpy()[:, 1:, 2:], x.numpy()[:, :-1, :-2])
    out = T.RandomAffine(20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=(-5, 5, -5, 5))(img)
    assert out.size == img.size and out.mode == mode


@pytest.mark.parametrize('mode', MODES)
def test_perspective_identity_and_random(mode):
    img = make_image(mode)
    corners = [[0, 0], [16, 0], [16, 12], [0, 12]]
    assert np.array_equal(np.asarray(F.perspective(img, corners, corners, T.InterpolationMode.NEAREST)),
                          np.asarray(img))
    out = T.RandomPerspective(p=1.0)(img)
    assert out.size == img.size and out.mode == mode


@pytest.mark.parametrize('mode', MODES)
def test_pad_modes(mode):
    img = make_image(mode)
    for padding_mode in ['edge', 'reflect', 'symmetric']:
        out = T.Pad((1, 2, 3, 4), padding_mode=padding_mode)(img)
        expected = np.pad(pixels(img), ((2, 4), (1, 3), (0, 0)), mode=padding_mode)
        np.testing.assert_array_equal(pixels(out), expected)
    out = T.Pad(2, fill=7)(img)
    assert out.size == (21, 17) and (pixels(out)[0] == 7).all()


@pytest.mark.parametrize('mode', ['RGB', 'L'])
def test_color_adjustments_match_pillow(mode):
    img = make_image(mode)
    assert np.array_equal(np.asarray(F.adjust_brightness(img, 1.3)), np.asarray(ImageEnhance.Brightness(img).enhance(1.3)))
    assert np.array_equal(np.asarray(F.adjust_contrast(img, 0.6)), np.asarray(ImageEnhance.Contrast(img).enhance(0.6)))
    assert np.array_equal(np.asarray(F.adjust_saturation(img, 0.2)), np.asarray(ImageEnhance.Color(img).enhance(0.2)))
    hue = F.adjust_hue(img, 0.25)
    if mode == 'L':
        assert hue is img
    else:
        h, s, v = img.convert('HSV').split()
        shifted = ((np.asarray(h).astype(np.int64) + int(0.25 * 255)) % 256).astype(np.uint8)
        expected = Image.merge('HSV', (Image.fromarray(shifted, 'L'), s, v)).convert('RGB')
        assert np.array_equal(np.asarray(hue), np.asarray(expected))
    with pytest.raises(ValueError):
        F.adjust_hue(img, 0.7)


def test_color_adjustments_on_tensors():
    x = float_tensor(make_image('RGB'))
    data = x.numpy()
    np.testing.assert_allclose(F.adjust_brightness(x, 1.5).numpy(), np.clip(1.5 * data, 0, 1), rtol=1e-6)
    grey = 0.2989 * data[0] + 0.587 * data[1] + 0.114 * data[2]
    np.testing.assert_allclose(F.rgb_to_grayscale(x).numpy()[0], grey, rtol=1e-5)
    np.testing.assert_allclose(F.adjust_contrast(x, 0.5).numpy(), np.clip(0.5 * data + 0.5 * grey.mean(), 0, 1),
                               rtol=1e-5)
    np.testing.assert_allclose(F.adjust_saturation(x, 0.0).numpy(), np.broadcast_to(grey, data.shape), atol=1e-6)
    # a full turn of hue is the identity; half a turn of pure red is cyan
    np.testing.assert_allclose(F.adjust_hue(F.adjust_hue(x, 0.5), -0.5).numpy(), data, atol=1e-5)
    red = ember.tensor([[[1.0]], [[0.0]], [[0.0]]])
    np.testing.assert_allclose(F.adjust_hue(red, 0.5).numpy().ravel(), [0.0, 1.0, 1.0], atol=1e-6)
    jittered = T.ColorJitter(0.4, 0.4, 0.4, 0.1)(x)
    assert jittered.shape == x.shape and jittered.dtype == x.dtype


@pytest.mark.parametrize('mode', MODES)
def test_grayscale(mode):
    img = make_image(mode)
    assert np.array_equal(np.asarray(T.Grayscale()(img)), np.asarray(img.convert('L')))
    three = T.Grayscale(3)(img)
    assert three.mode == 'RGB' and np.array_equal(pixels(three)[..., 2], np.asarray(img.convert('L')))
    assert T.RandomGrayscale(p=0.0)(img) is img


def test_gaussian_blur_matches_conv2d():
    x = np.random.default_rng(2).random((3, 13, 17), dtype=np.float32)
    out = F.gaussian_blur(ember.from_numpy(x.copy()), [5, 3], [1.2, 0.7])
    kernels = []
    for size, sigma in ((5, 1.2), (3, 0.7)):
        pdf = torch.exp(-0.5 * (torch.linspace(-(size - 1) / 2, (size - 1) / 2, size) / sigma) ** 2)
        kernels.append(pdf / pdf.sum())
    kernel = torch.outer(kernels[1], kernels[0]).expand(3, 1, 3, 5)
    padded = torch.nn.functional.pad(torch.from_numpy(x)[None], [2, 2, 1, 1], mode='reflect')
    expected = torch.nn.functional.conv2d(padded, kernel, groups=3)[0]
    np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-6)
    img = make_image('RGB')
    assert T.GaussianBlur(3)(img).size == img.size


def test_random_erasing():
    x = float_tensor(make_image('RGB'))
    out = T.RandomErasing(p=1.0, value=(1, 2, 3))(x)
    changed = (out.numpy() != x.numpy()).any(axis=0)
    rows, cols = np.nonzero(changed)
    region = out.numpy()[:, rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    np.testing.assert_array_equal(region, np.broadcast_to(np.float32([1, 2, 3]).reshape(3, 1, 1), region.shape))
    ember.manual_seed(5)
    first = T.RandomErasing(p=1.0, value='random')(x)
    ember.manual_seed(5)
    assert np.array_equal(first.numpy(), T.RandomErasing(p=1.0, value='random')(x).numpy())
    same = T.RandomErasing(p=1.0, inplace=True)(x)
    assert same is x
    with pytest.raises(ValueError):
        T.RandomErasing(value='noise')


def test_seeded_pipeline_is_repeatable_and_user_transforms_compose():
    class AddOne:
        def __call__(self, x):
            return x + 1

    pipeline = T.Compose([T.RandomResizedCrop(9), T.RandomHorizontalFlip(), T.ColorJitter(0.3, 0.3, 0.3, 0.05),
                          T.RandomRotation(15), T.ToTensor(), T.RandomErasing(), AddOne(),
                          T.Lambda(lambda x: x * 2)])
    img = make_image('RGB', 21, 19)
    outputs = []
    for _ in range(2):
        ember.manual_seed(11)
        outputs.append(pipeline(img).numpy())
    assert outputs[0].shape == (3, 9, 9) and outputs[0].min() >= 2.0
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_reprs():
    pipeline = T.Compose([T.ToTensor(), T.Normalize(mean=(0.5,), std=(0.5,))])
    assert repr(pipeline) == 'Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)'
    assert repr(T.Resize(5)) == 'Resize(size=5, interpolation=bilinear, max_size=None, antialias=True)'
    assert repr(T.RandomResizedCrop(5)) == ('RandomResizedCrop(size=(5, 5), scale=(0.08, 1.0), ratio=(0.75, 1.3333), '
                                            'interpolation=bilinear, antialias=True)')
    assert repr(T.RandomApply([T.CenterCrop(3)], p=0.3)) == 'RandomApply(\n    p=0.3\n    CenterCrop(size=(3, 3))\n)'
    assert repr(T.ColorJitter(brightness=0.2)) == ('ColorJitter(brightness=(0.8, 1.2), contrast=None, '
                                                   'saturation=None, hue=None)')
    assert isinstance(T.Normalize((0.5,), (0.5,)), ember.nn.Module)
