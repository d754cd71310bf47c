"""ember.vision against torchvision 0.28 itself (through `_oracle`): the same transform, built with the
same arguments and run under the same seed (ember's generator reproduces torch's streams), must give
the same output on PIL images and on uint8 / float / batched tensors; the models' weight enums,
registry and presets must match; models built under the same seed must hold the same weights."""
import random

import numpy as np
import pytest
import torch
from PIL import Image

import ember
import ember.vision.models as models
import ember.vision.transforms as T
import ember.vision.transforms.functional as F

from ._oracle import import_torchvision


@pytest.fixture(scope='module')
def tv():
    return import_torchvision()


def make_image(mode, height=13, width=17, seed=0):
    channels = {'L': 1, 'RGB': 3, 'RGBA': 4}[mode]
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)
    return Image.fromarray(pixels[..., 0] if mode == 'L' else pixels, mode)


def inputs(kinds):
    """(torch input, ember input) pairs: PIL images, and tensors of the same pixels."""
    rgb = np.asarray(make_image('RGB')).transpose(2, 0, 1).copy()
    batch = np.stack([rgb, rgb[:, ::-1].copy()])
    made = {'PIL-L': (make_image('L'),) * 2, 'PIL-RGB': (make_image('RGB'),) * 2, 'PIL-RGBA': (make_image('RGBA'),) * 2,
            'uint8': (torch.from_numpy(rgb.copy()), ember.from_numpy(rgb.copy())),
            'float': (torch.from_numpy(rgb / np.float32(255)), ember.from_numpy(rgb / np.float32(255))),
            'batch': (torch.from_numpy(batch.copy()), ember.from_numpy(batch.copy()))}
    return [made[kind] for kind in kinds]


def as_numpy(output):
    if isinstance(output, (tuple, list)):
        return [as_numpy(item) for item in output]
    if isinstance(output, Image.Image):
        return output.mode, np.asarray(output)
    return str(output.dtype).split('.')[-1], output.detach().numpy()


def assert_same(expected, actual, integer_tolerance=0, float_tolerance=1e-5):
    if isinstance(expected, list):
        assert len(expected) == len(actual)
        for e, a in zip(expected, actual):
            assert_same(e, a, integer_tolerance, float_tolerance)
        return
    assert expected[0] == actual[0]  # PIL mode or dtype name
    assert expected[1].shape == actual[1].shape
    if expected[1].dtype.kind == 'f':
        np.testing.assert_allclose(actual[1], expected[1], rtol=0, atol=float_tolerance)
    else:
        assert np.abs(expected[1].astype(np.int64) - actual[1].astype(np.int64)).max(initial=0) <= integer_tolerance


def run_both(tv_transform, ember_transform, kinds, seed):
    for torch_input, ember_input in inputs(kinds):
        torch.manual_seed(seed)
        random.seed(seed)
        expected = as_numpy(tv_transform(torch_input))
        ember.manual_seed(seed)
        random.seed(seed)
        yield expected, as_numpy(ember_transform(ember_input))


ALL = ('PIL-L', 'PIL-RGB', 'PIL-RGBA', 'uint8', 'float', 'batch')
RGB_AND_GREY = ('PIL-L', 'PIL-RGB', 'uint8', 'float', 'batch')
UINT8 = ('PIL-L', 'PIL-RGB', 'uint8', 'batch')
TENSORS = ('uint8', 'float', 'batch')

# (constructor call, input kinds, uint8 tolerance): the tolerance of 1 is for resampling, where torch's
# float32 arithmetic and ember's can round a value that lands on .5 differently
TRANSFORMS = [
    ('ToTensor()', ('PIL-L', 'PIL-RGB', 'PIL-RGBA'), 0),
    ('PILToTensor()', ('PIL-L', 'PIL-RGB', 'PIL-RGBA'), 0),
    ('Resize(7)', ALL, 1),
    ('Resize((5, 11), interpolation=T.InterpolationMode.NEAREST)', ALL, 0),
    ('Resize((25, 30), interpolation=T.InterpolationMode.BICUBIC, antialias=False)', ALL, 1),
    ('Resize(7, max_size=10)', ('PIL-RGB', 'uint8'), 1),
    ('Resize((5, 11), interpolation=T.InterpolationMode.LANCZOS)', ('PIL-L', 'PIL-RGB'), 0),
    ('CenterCrop((6, 9))', ALL, 0),
    ('CenterCrop(20)', ALL, 0),
    ('RandomCrop(7, padding=2)', ALL, 0),
    ('RandomCrop((20, 9), pad_if_needed=True, padding_mode="reflect")', ALL, 0),
    ('RandomCrop(9, padding=(1, 2, 3, 4), padding_mode="symmetric")', ALL, 0),
    ('RandomCrop(15, padding=3, fill=(10, 20, 30))', ('PIL-RGB',), 0),
    ('RandomResizedCrop((6, 9), scale=(0.5, 1.0), ratio=(0.5, 2.0))', ALL, 1),
    ('RandomResizedCrop(8, scale=(2.0, 3.0))', ALL, 1),
    ('FiveCrop(5)', ALL, 0),
    ('TenCrop((5, 6), vertical_flip=True)', ALL, 0),
    ('Pad((1, 2, 3, 4), fill=7)', ALL, 0),
    ('Pad((-1, 2, 3, -2), padding_mode="edge")', ALL, 0),
    ('RandomHorizontalFlip()', ALL, 0),
    ('RandomVerticalFlip()', ALL, 0),
    ('RandomRotation(30, expand=True)', ALL, 0),
    ('RandomRotation((10, 80), center=(2, 3), fill=100)', ALL, 0),
    ('RandomRotation(45, interpolation=T.InterpolationMode.BILINEAR)', RGB_AND_GREY, 1),
    ('RandomAffine(20, translate=(0.1, 0.2), scale=(0.7, 1.3), shear=10)', ALL, 0),
    ('RandomAffine(10, shear=(-5, 5, -10, 10), fill=60)', ALL, 0),
    ('RandomPerspective(p=1.0)', RGB_AND_GREY, 1),
    ('RandomPerspective(0.3, p=1.0, fill=90, interpolation=T.InterpolationMode.NEAREST)', RGB_AND_GREY, 0),
    ('ColorJitter(0.4, 0.4, 0.4, 0.1)', RGB_AND_GREY, 1),
    ('ColorJitter(brightness=(0.2, 1.8), hue=(-0.5, 0.5))', RGB_AND_GREY, 1),
    ('Grayscale(3)', RGB_AND_GREY, 0),
    ('RandomGrayscale(p=1.0)', RGB_AND_GREY, 0),
    ('GaussianBlur((5, 3), sigma=(0.5, 1.5))', RGB_AND_GREY, 1),
    ('RandomInvert(p=1.0)', RGB_AND_GREY, 0),
    ('RandomPosterize(3, p=1.0)', UINT8, 0),
    ('RandomSolarize(128, p=1.0)', UINT8, 0),
    ('RandomSolarize(0.5, p=1.0)', ('float',), 0),
    ('RandomAdjustSharpness(2.0, p=1.0)', RGB_AND_GREY, 0),
    ('RandomAdjustSharpness(0.3, p=0.5)', RGB_AND_GREY, 0),
    ('RandomAutocontrast(p=1.0)', RGB_AND_GREY, 0),
    ('RandomEqualize(p=1.0)', UINT8, 0),
    ('ElasticTransform(alpha=20.0, sigma=3.0)', RGB_AND_GREY, 1),
    ('ElasticTransform(alpha=20.0, sigma=1.5, fill=30, interpolation=T.InterpolationMode.NEAREST)', UINT8, 1),
    ('ConvertImageDtype(torch.float64)', ('uint8', 'float'), 0),
    ('ConvertImageDtype(torch.int16)', ('uint8', 'float'), 0),
    ('Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))', ('float',), 0),
    ('RandomErasing(p=1.0, value="random")', TENSORS, 0),
    ('RandomErasing(p=1.0, value=(1, 2, 3), scale=(0.1, 0.4))', TENSORS, 0),
    ('RandomApply([T.RandomHorizontalFlip(1.0), T.ColorJitter(0.5)], p=0.7)', RGB_AND_GREY, 1),
    ('RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0), T.Grayscale(3)], p=[0.2, 0.3, 0.5])',
     ('PIL-RGB', 'uint8'), 0),
    ('RandomOrder([T.RandomHorizontalFlip(1.0), T.Pad(1), T.CenterCrop(5)])', ('PIL-RGB', 'uint8'), 0),
    ('Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize((0.5,), (0.5,))])',
     ('PIL-L', 'PIL-RGB'), 0),
]


def build(call, tv):
    return (eval('T.' + call, {'T': tv.transforms, 'torch': torch}),  # noqa: S307  (our own table)
            eval('T.' + call, {'T': T, 'torch': ember}))  # noqa: S307


@pytest.mark.parametrize('call,kinds,tolerance', TRANSFORMS, ids=[row[0] for row in TRANSFORMS])
def test_transform_matches_torchvision(call, kinds, tolerance, tv):
    tv_transform, ember_transform = build(call, tv)
    assert repr(ember_transform) == repr(tv_transform)
    for seed in (0, 3):
        for expected, actual in run_both(tv_transform, ember_transform, kinds, seed):
            assert_same(expected, actual, integer_tolerance=tolerance)


# functional forms the classes above do not reach with these arguments
FUNCTIONAL = [
    ('posterize', (1,), UINT8), ('posterize', (8,), UINT8), ('solarize', (0,), UINT8),
    ('adjust_sharpness', (0.0,), RGB_AND_GREY), ('adjust_gamma', (2.0, 1.5), RGB_AND_GREY),
    ('adjust_hue', (-0.45,), RGB_AND_GREY), ('autocontrast', (), ('PIL-RGB', 'float', 'batch')),
    ('equalize', (), ('PIL-RGB', 'uint8', 'batch')), ('crop', (-2, 3, 9, 30), ALL),
    ('affine', (10.0, [1, 2], 1.2, [5.0, 3.0]), ALL), ('to_grayscale', (3,), ('PIL-RGB', 'PIL-RGBA')),
]


@pytest.mark.parametrize('name,args,kinds', FUNCTIONAL, ids=[f'{row[0]}{row[1]}' for row in FUNCTIONAL])
def test_functional_matches_torchvision(name, args, kinds, tv):
    for expected, actual in run_both(lambda img: getattr(tv.transforms.functional, name)(img, *args),
                                     lambda img: getattr(F, name)(img, *args), kinds, seed=0):
        assert_same(expected, actual)


@pytest.mark.parametrize('name', ['autocontrast', 'equalize'])
def test_single_level_channels_are_left_alone(name, tv):
    image = np.zeros((2, 3, 4, 5), np.uint8)
    image[0, 1] = 7
    image[1, 2, 0, 0] = 9
    expected = getattr(tv.transforms.functional, name)(torch.from_numpy(image))
    np.testing.assert_array_equal(getattr(F, name)(ember.from_numpy(image)).numpy(), expected.numpy())


def test_elastic_transform_with_a_given_displacement(tv):
    displacement = np.random.default_rng(0).random((1, 13, 17, 2)).astype(np.float32) * 0.2
    for fill in (None, [40.0]):
        for expected, actual in run_both(
                lambda img: tv.transforms.functional.elastic_transform(img, torch.from_numpy(displacement), fill=fill),
                lambda img: F.elastic_transform(img, ember.from_numpy(displacement), fill=fill), RGB_AND_GREY, 0):
            assert_same(expected, actual, integer_tolerance=1)


@pytest.mark.parametrize('call', ['equalize', 'posterize'])
def test_uint8_only_functions_refuse_floats(call, tv):
    args = (3,) if call == 'posterize' else ()
    with pytest.raises(TypeError):
        getattr(tv.transforms.functional, call)(torch.zeros(3, 4, 4), *args)
    with pytest.raises(TypeError):
        getattr(F, call)(ember.zeros(3, 4, 4), *args)


def test_linear_transformation(tv):
    rng = np.random.default_rng(0)
    matrix, mean = rng.random((60, 60)).astype(np.float32), rng.random(60).astype(np.float32)
    image = rng.random((3, 4, 5)).astype(np.float32)
    expected = tv.transforms.LinearTransformation(torch.from_numpy(matrix), torch.from_numpy(mean))
    actual = T.LinearTransformation(ember.from_numpy(matrix), ember.from_numpy(mean))
    assert repr(actual) == repr(expected)
    np.testing.assert_allclose(actual(ember.from_numpy(image)).numpy(), expected(torch.from_numpy(image)).numpy(),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match='square'):
        T.LinearTransformation(ember.zeros(2, 3), ember.zeros(2))


def test_gaussian_blur_larger_than_the_image_raises_as_torch(tv):
    with pytest.raises(RuntimeError):
        tv.transforms.functional.gaussian_blur(torch.zeros(1, 4, 4), [9, 9])
    with pytest.raises(RuntimeError, match='Padding size'):
        F.gaussian_blur(ember.zeros(1, 4, 4), [9, 9])


# ------------------------------------------------------------------------------------------- models

def test_weight_enums_match_torchvision(tv):
    enum_names = [name for name in models.__all__ if name.endswith('_Weights')]
    assert len(enum_names) == 19
    for name in enum_names:
        expected, actual = getattr(tv.models, name), getattr(models, name)
        assert list(actual.__members__) == list(expected.__members__)  # DEFAULT is an alias, as there
        assert actual.DEFAULT.name == expected.DEFAULT.name
        for tv_weights, weights in zip(expected, actual):
            assert (repr(weights), str(weights), weights.url) == (repr(tv_weights), str(tv_weights), tv_weights.url)
            tv_meta = {key: value for key, value in tv_weights.meta.items() if key != '_docs'}
            assert weights.meta.keys() == tv_meta.keys()
            assert str(weights.meta['_metrics']) == str(tv_meta['_metrics'])  # (nan for VGG16's features)
            assert all(weights.meta[key] == tv_meta[key] for key in tv_meta if key != '_metrics')
            assert repr(weights.transforms()) == repr(tv_weights.transforms())


def test_registry_matches_torchvision(tv):
    ours = models.list_models()
    assert ours == tv.models.list_models(include=['alexnet', 'vgg*', 'resnet*', 'resnext*', 'wide_resnet*'])
    assert models.list_models(include='vgg1?_bn') == ['vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn']
    assert models.get_model_weights('resnet50') is models.ResNet50_Weights
    assert models.get_model_weights(models.vgg16) is models.VGG16_Weights
    assert models.get_weight('ResNet50_Weights.DEFAULT') is models.ResNet50_Weights.IMAGENET1K_V2
    assert isinstance(models.get_model('resnet18', num_classes=3).fc, ember.nn.Linear)
    with pytest.raises(ValueError):
        models.get_model('no_such_model')


def test_preset_transform_matches_torchvision(tv):
    image = make_image('RGB', 300, 280)
    expected = tv.models.ResNet50_Weights.DEFAULT.transforms()(image)
    actual = models.ResNet50_Weights.DEFAULT.transforms()(image)
    assert actual.dtype == ember.float32 and tuple(actual.shape) == (3, 224, 224)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), atol=1e-6)


@pytest.mark.parametrize('weights', ['DEFAULT', 'ResNet18_Weights.IMAGENET1K_V1', models.ResNet18_Weights.DEFAULT])
def test_weights_cannot_be_downloaded(weights):
    with pytest.raises(RuntimeError, match='cannot download .*resnet18-f37072fd.pth'):
        models.resnet18(weights=weights)


def test_weights_of_another_model_or_unknown_names_are_refused(tv):
    with pytest.raises(TypeError, match='expected ResNet18_Weights but received ResNet50_Weights'):
        models.resnet18(weights=models.ResNet50_Weights.DEFAULT)
    with pytest.raises(KeyError):
        models.resnet18(weights='IMAGENET1K_V9')


@pytest.mark.parametrize('name', ['resnet18'])  # (AlexNet and VGG: 60M+ parameters to initialise, too slow here)
def test_seeded_model_has_torchvisions_weights_and_outputs(name, tv):
    torch.manual_seed(0)
    tv_model = getattr(tv.models, name)(num_classes=10).eval()
    ember.manual_seed(0)
    model = getattr(models, name)(num_classes=10).eval()
    assert repr(model) == repr(tv_model)
    expected_state, state = tv_model.state_dict(), model.state_dict()
    assert list(state) == list(expected_state)
    for key, value in expected_state.items():
        np.testing.assert_array_equal(state[key].numpy(), value.numpy(), err_msg=key)
    image = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    with torch.no_grad():
        expected = tv_model(torch.from_numpy(image)).numpy()
    with ember.no_grad():
        actual = model(ember.from_numpy(image)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
