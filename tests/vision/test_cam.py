"""ember.vision.cam: CAM and Grad-CAM find a bright square that a small network learned to detect,
Grad-CAM equals the same formula computed with torch's hooks on a twin network, and `overlay`."""
import sys

import numpy as np
import pytest
import torch
from PIL import Image

import ember
import ember.nn as nn
from ember.vision.cam import CAM, GradCAM, overlay

SIZE, SQUARE = 16, 4


def make_squares(count, seed):
    """Noise images 1x16x16 in [0, 0.6); class 1 has a 4x4 square of 1.0 at a random place. Returns
    images, labels and the squares' top-left corners."""
    rng = np.random.RandomState(seed)
    images = rng.uniform(0, 0.6, size=(count, 1, SIZE, SIZE)).astype(np.float32)
    labels = rng.randint(0, 2, size=count)
    corners = rng.randint(0, SIZE - SQUARE + 1, size=(count, 2))
    positive = np.nonzero(labels)[0]
    rows = (corners[positive, 0, None] + np.arange(SQUARE))[:, :, None]
    columns = (corners[positive, 1, None] + np.arange(SQUARE))[:, None, :]
    images[positive[:, None, None], 0, rows, columns] = 1.0
    return images, labels, corners


def gap_network(lib):
    """conv -> ReLU -> conv -> ReLU -> global average pooling -> Linear: the architecture CAM needs."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))


def flatten_network(lib):
    """No global pooling: conv -> ReLU -> max-pool (8x8 maps, upsampled by the CAM) -> flatten -> Linear."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 8 * 8, 3))


def torch_twin(model, build):
    twin = build(torch)
    twin.load_state_dict({name: torch.tensor(value.numpy()) for name, value in model.state_dict().items()})
    return twin.eval()


@pytest.fixture(scope='module')
def trained():
    ember.manual_seed(0)
    model = gap_network(ember)
    optimizer = ember.optim.Adam(model.parameters(), lr=0.02)
    images, labels, _ = make_squares(1024, seed=0)
    batches = np.random.RandomState(1).randint(0, len(images), size=(120, 16))
    for batch in batches:
        loss = nn.functional.cross_entropy(model(ember.tensor(images[batch])), ember.tensor(labels[batch]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    test_images, test_labels, corners = make_squares(200, seed=2)
    return model, ember.tensor(test_images), test_labels, corners


def share_on_square(heatmaps, corners):
    """Share of heat maps whose brightest pixel is on the square or at most one pixel off it."""
    brightest = heatmaps.reshape(len(heatmaps), -1).argmax(axis=1)
    rows, columns = brightest // SIZE, brightest % SIZE
    return np.mean((rows >= corners[:, 0] - 1) & (rows <= corners[:, 0] + SQUARE)
                   & (columns >= corners[:, 1] - 1) & (columns <= corners[:, 1] + SQUARE))


@pytest.mark.parametrize('method', [CAM, GradCAM])
def test_heat_map_finds_the_square(trained, method):
    model, images, labels, corners = trained
    with ember.no_grad():
        accuracy = np.mean(model(images).argmax(dim=1).numpy() == labels)
    assert accuracy >= 0.95
    positive = np.nonzero(labels)[0]
    with method(model, '3') as cam:
        heatmaps = cam(images[ember.tensor(positive)]).numpy()
    assert heatmaps.shape == (len(positive), SIZE, SIZE)
    assert heatmaps.min() == 0 and np.allclose(heatmaps.max(axis=(1, 2)), 1)
    assert share_on_square(heatmaps, corners[positive]) >= 0.8
    assert not model[3]._forward_hooks and not model[3]._backward_hooks


def torch_grad_cam(model, layer, images, classes):
    """Grad-CAM written with torch's hooks: alpha_k = mean of dScore/dA_k, map = ReLU(sum_k alpha_k A_k),
    bilinear upsampling to the input size, min-max scaled per image."""
    saved = {}
    handles = [layer.register_forward_hook(lambda module, args, output: saved.update(activations=output.detach())),
               layer.register_full_backward_hook(lambda module, grad_input, grad_output:
                                                 saved.update(gradients=grad_output[0]))]
    logits = model(images.requires_grad_())
    logits.gather(1, classes[:, None]).sum().backward()
    for handle in handles:
        handle.remove()
    alpha = saved['gradients'].mean(dim=(2, 3), keepdim=True)
    maps = torch.relu((alpha * saved['activations']).sum(dim=1, keepdim=True))
    return normalise(torch.nn.functional.interpolate(maps, size=images.shape[-2:], mode='bilinear',
                                                     align_corners=False)[:, 0])


def normalise(maps):
    low = maps.amin(dim=(1, 2), keepdim=True)
    return (maps - low) / (maps.amax(dim=(1, 2), keepdim=True) - low).clamp(min=1e-12)


@pytest.mark.parametrize('build, layer, class_idx', [
    (gap_network, '2', None),        # a conv layer, each image's predicted class
    (gap_network, '3', 0),           # the same class for every image
    (flatten_network, '1', [2, 0, 1, 1, 0, 2]),   # no global pooling; 8x8 maps upsampled to 16x16
])
def test_grad_cam_matches_torch(build, layer, class_idx):
    ember.manual_seed(3)
    model = build(ember).eval()
    images = ember.tensor(make_squares(6, seed=4)[0])
    twin = torch_twin(model, build)
    with GradCAM(model, layer) as cam:
        heatmaps = cam(images, class_idx)
    with torch.no_grad():
        logits = twin(torch.tensor(images.numpy()))
    classes = (logits.argmax(dim=1) if class_idx is None
               else torch.tensor(class_idx).expand(6) if isinstance(class_idx, int) else torch.tensor(class_idx))
    expected = torch_grad_cam(twin, twin.get_submodule(layer), torch.tensor(images.numpy()), classes)
    assert heatmaps.shape == expected.shape
    np.testing.assert_allclose(heatmaps.numpy(), expected.numpy(), atol=1e-5)
    # the model's parameters got no gradient and the hooks are gone
    assert all(p.grad is None for p in model.parameters())
    assert all(not m._forward_hooks and not m._backward_hooks for m in model.modules())


def test_cam_matches_the_formula_in_torch():
    ember.manual_seed(5)
    model = gap_network(ember).eval()
    images = ember.tensor(make_squares(4, seed=6)[0])
    twin = torch_twin(model, gap_network)
    cam = CAM(model, model[3])
    heatmaps = cam(images, [1, 0, 1, 0])
    cam.remove()
    assert not model[3]._forward_hooks
    with torch.no_grad():
        activations = twin[:4](torch.tensor(images.numpy()))
        weights = twin[6].weight[torch.tensor([1, 0, 1, 0])]
        maps = (weights[:, :, None, None] * activations).sum(dim=1, keepdim=True)
        expected = normalise(torch.nn.functional.interpolate(maps, size=(SIZE, SIZE), mode='bilinear',
                                                             align_corners=False)[:, 0])
    np.testing.assert_allclose(heatmaps.numpy(), expected.numpy(), atol=1e-5)


def test_cam_needs_global_pooling_then_linear():
    model = flatten_network(ember)
    with pytest.raises(ValueError, match='in_features'):
        with CAM(model, '1') as cam:
            cam(ember.rand(2, 1, SIZE, SIZE))
    assert not model[1]._forward_hooks
    with pytest.raises(ValueError, match='has none'):
        CAM(nn.Sequential(nn.Conv2d(1, 2, 3)), '0')
    with pytest.raises(ValueError, match='no submodule'):
        GradCAM(model, 'conv1')
    with pytest.raises(ValueError, match='matches 2 modules'):
        GradCAM(gap_network(ember), nn.Conv2d)
    with CAM(gap_network(ember), nn.Linear, fc_layer='6') as cam:   # a class with one instance is fine
        assert cam.target_name == '6' and cam.fc_layer is cam.target_layer

    class WithUnusedLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = flatten_network(ember), nn.Conv2d(1, 1, 1)

        def forward(self, x):
            return self.used(x)
    with pytest.raises(RuntimeError, match="'unused' did not run"):
        GradCAM(WithUnusedLayer(), 'unused')(ember.rand(1, 1, SIZE, SIZE))


def test_overlay():
    rng = np.random.RandomState(0)
    image = Image.fromarray(rng.randint(0, 256, size=(12, 10, 3)).astype(np.uint8))
    heatmap = ember.tensor(rng.uniform(size=(12, 10)).astype(np.float32))
    matplotlib = pytest.importorskip('matplotlib')
    jet = matplotlib.colormaps['jet'](heatmap.numpy())[..., :3]

    blended = overlay(image, heatmap, alpha=0.4)
    assert blended.mode == 'RGB' and blended.size == image.size
    expected = np.round((0.6 * np.asarray(image) / 255. + 0.4 * jet) * 255)
    np.testing.assert_allclose(np.asarray(blended), expected, atol=1)
    np.testing.assert_array_equal(np.asarray(overlay(image, heatmap, alpha=0.)), np.asarray(image))
    # a (1, H, W) tensor image in [0, 1] is grey; a smaller heat map is resized to the image
    grey = ember.rand(1, 12, 10)
    assert overlay(grey, ember.rand(6, 5)).size == (10, 12)
    np.testing.assert_allclose(np.asarray(overlay(grey, heatmap, alpha=0.)),
                               np.round(np.repeat(grey.numpy().transpose(1, 2, 0), 3, axis=2) * 255), atol=1)
    assert GradCAM.overlay is overlay


def test_overlay_without_matplotlib_uses_builtin_jet(monkeypatch):
    image = np.zeros((1, 256), dtype=np.uint8)
    ramp = np.linspace(0, 1, 256, dtype=np.float32)[None]
    matplotlib = pytest.importorskip('matplotlib')
    expected = matplotlib.colormaps['jet'](ramp)[..., :3] * 255
    monkeypatch.setitem(sys.modules, 'matplotlib', None)   # `import matplotlib` now raises ImportError
    builtin = np.asarray(overlay(image, ramp, alpha=1.)).astype(np.float64)
    # matplotlib looks colours up in a 256-entry table; the built-in ramp is the exact piecewise-linear jet
    np.testing.assert_allclose(builtin, expected, atol=5)
    with pytest.raises(ValueError, match='needs matplotlib'):
        overlay(image, ramp, colormap='viridis')
