"""ember.utils.hooks: RemovableHandle re-export, FeatureMapRecorder, feature_map_grid, save_feature_maps."""
import io

import numpy as np
import pytest
from PIL import Image

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.hooks import FeatureMapRecorder, RemovableHandle, feature_map_grid, save_feature_maps
from ember.vision.models import LeNet
from ember.vision.utils import make_grid


@pytest.fixture
def lenet_and_images():
    ember.manual_seed(0)
    return LeNet(), ember.rand(4, 3, 32, 32)


def test_removable_handle_is_the_autograd_one():
    import ember.autograd.graph
    assert RemovableHandle is ember.autograd.graph.RemovableHandle
    assert ember.utils.hooks.RemovableHandle is RemovableHandle
    handle = nn.ReLU().register_forward_hook(lambda *args: None)
    assert isinstance(handle, RemovableHandle)


def test_recorded_maps_equal_the_layer_outputs(lenet_and_images):
    model, images = lenet_and_images
    with FeatureMapRecorder(model, ['conv1', model.conv2, nn.Linear]) as recorder:
        model(images)
    assert set(recorder.maps) == {'conv1', 'conv2', 'fc1', 'fc2', 'fc3'}
    # the prefix of LeNet's forward, run by hand
    conv1 = model.conv1(images)
    conv2 = model.conv2(F.max_pool2d(F.relu(conv1), 2))
    np.testing.assert_array_equal(recorder.maps['conv1'].numpy(), conv1.detach().numpy())
    np.testing.assert_array_equal(recorder.maps['conv2'].numpy(), conv2.detach().numpy())
    assert recorder.maps['fc3'].shape == (4, 10)
    assert recorder.maps['conv1'].grad_fn is None and not recorder.maps['conv1'].requires_grad
    # leaving the with block removed the hooks; the maps stay
    assert all(not module._forward_hooks for module in model.modules())
    model(images[:1])
    assert recorder.maps['conv1'].shape == (4, 6, 28, 28)


def test_recorder_remove_and_unknown_layer(lenet_and_images):
    model, images = lenet_and_images
    recorder = FeatureMapRecorder(model, 'conv2')
    model(images[:2])
    assert recorder.maps['conv2'].shape == (2, 16, 10, 10)
    recorder.remove()
    assert not model.conv2._forward_hooks
    with pytest.raises(ValueError, match='no submodule matching'):
        FeatureMapRecorder(model, 'conv9')


@pytest.mark.parametrize('channels, nrow, padding', [(6, None, 1), (16, 5, 2), (1, None, 0), (7, 3, 3)])
def test_grid_shape_and_tiles(channels, nrow, padding):
    ember.manual_seed(1)
    maps = ember.randn(2, channels, 5, 7)
    grid = feature_map_grid(maps, nrow=nrow, padding=padding)
    columns = min(nrow or int(np.ceil(np.sqrt(channels))), channels)
    rows = int(np.ceil(channels / columns))
    if channels == 1:   # make_grid returns a single image unpadded
        assert grid.shape == (3, 5, 7)
    else:
        assert grid.shape == (3, rows * (5 + padding) + padding, columns * (7 + padding) + padding)
    expected = make_grid(maps[0].unsqueeze(1), nrow=nrow or columns, padding=padding, normalize=True,
                         scale_each=True)
    np.testing.assert_array_equal(grid.numpy(), expected.numpy())
    # each grey tile is its channel stretched to [0, 1] on its own
    first = maps[0, 0].numpy()
    offset = padding if channels > 1 else 0
    tile = grid.numpy()[:, offset:offset + 5, offset:offset + 7]
    np.testing.assert_allclose(tile, np.broadcast_to((first - first.min()) / (first.max() - first.min()), tile.shape),
                               rtol=1e-5, atol=1e-6)


def test_grid_rejects_non_image_maps():
    with pytest.raises(ValueError, match=r'\(C, H, W\)'):
        feature_map_grid(ember.randn(4, 10))


def test_save_feature_maps_as_png(lenet_and_images, tmp_path):
    model, images = lenet_and_images
    with FeatureMapRecorder(model, nn.Conv2d) as recorder:
        model(images)
    paths = save_feature_maps(recorder, str(tmp_path / 'maps'))
    assert [p.split('/')[-1] for p in paths] == ['conv1.png', 'conv2.png']
    for path, name in zip(paths, ['conv1', 'conv2']):
        grid = feature_map_grid(recorder.maps[name]).numpy()
        with Image.open(path) as image:
            assert image.mode == 'RGB' and image.size == (grid.shape[2], grid.shape[1])
            pixels = np.asarray(image)
        np.testing.assert_array_equal(pixels, np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0))
    with pytest.raises(TypeError, match='not a tensor'):
        save_feature_maps({'lstm': (ember.zeros(1, 2, 3, 3), ember.zeros(1))}, str(tmp_path))


def test_save_feature_maps_to_tensorboard(lenet_and_images, tmp_path):
    pytest.importorskip('tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from ember.utils.tensorboard import SummaryWriter
    model, images = lenet_and_images
    with FeatureMapRecorder(model, ['conv1', 'conv2']) as recorder:
        model(images)
    with SummaryWriter(str(tmp_path)) as writer:
        tags = save_feature_maps(recorder.maps, writer, global_step=3, padding=2)
    assert tags == ['feature_maps/conv1', 'feature_maps/conv2']
    accumulator = EventAccumulator(str(tmp_path), size_guidance={'images': 0}).Reload()
    assert sorted(accumulator.Tags()['images']) == tags
    for tag, name in zip(tags, ['conv1', 'conv2']):
        event, = accumulator.Images(tag)
        grid = feature_map_grid(recorder.maps[name], padding=2)
        assert event.step == 3 and (event.height, event.width) == tuple(grid.shape[1:])
        with Image.open(io.BytesIO(event.encoded_image_string)) as image:
            assert image.size == (grid.shape[2], grid.shape[1])
