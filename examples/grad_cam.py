"""The course's Grad-CAM lesson: where in an image did the CNN look when it chose a class?

It teaches module hooks. A forward hook on the target conv layer keeps its output A (N, K, h, w); a
full backward hook keeps dScore/dA. Grad-CAM weights each channel A_k by the spatial mean of its
gradient, alpha_k, and keeps the positive part of the weighted sum: ReLU(sum_k alpha_k A_k),
upsampled to the image and scaled to [0, 1].

The network is a small CNN trained here in a few seconds on synthetic 32x32 noisy images showing a
bright filled square, a bright plus sign, or nothing. So the right answer is known — a good heat map
sits on the shape — and the script prints, per image, the share of the map's mass that falls inside
the shape's box (the box is ~10% of the image). The "nothing" class matters: with only squares and
plus signs, the network may learn "plus = no square", and Grad-CAM then (rightly) shows no evidence
on the plus at all.

`ember.vision.cam` packages the same computation (`GradCAM(model, target_layer)`, `CAM`, `overlay`);
when it is available the script also computes the maps with it and prints the largest difference.

Writes `<out>/cam_<i>_<class>.png` (image | heat map overlay, enlarged) for `--num-images` test
images, and `<out>/grad_cam_grid.png` with all of them.

    python examples/grad_cam.py
    python examples/grad_cam.py --steps 10 --num-images 2     # smoke run
"""
import argparse
import os

import numpy as np
from PIL import Image

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

CLASSES = ['nothing', 'square', 'plus']
IMAGE_SIZE = 32
SHAPE_SIZE = 10


def make_shapes(labels, rng):
    """Images (N, 1, 32, 32) in [0, 1] showing the shape named by each label, and each shape's box
    (top, left)."""
    count = len(labels)
    tops = rng.integers(0, IMAGE_SIZE - SHAPE_SIZE + 1, size=count)
    lefts = rng.integers(0, IMAGE_SIZE - SHAPE_SIZE + 1, size=count)
    rows = np.arange(IMAGE_SIZE)[None, :, None] - tops[:, None, None]      # row offset from each box
    cols = np.arange(IMAGE_SIZE)[None, None, :] - lefts[:, None, None]
    in_box = (rows >= 0) & (rows < SHAPE_SIZE) & (cols >= 0) & (cols < SHAPE_SIZE)
    middle = (SHAPE_SIZE // 2 - 1, SHAPE_SIZE // 2 + 1)
    on_bar = ((rows >= middle[0]) & (rows < middle[1])) | ((cols >= middle[0]) & (cols < middle[1]))
    masks = np.stack([np.zeros_like(in_box), in_box, in_box & on_bar])   # (classes, N, H, W)
    shape = masks[labels, np.arange(count)]
    images = 0.2 + 0.15 * rng.standard_normal((count, IMAGE_SIZE, IMAGE_SIZE)) + 0.6 * shape
    return np.clip(images, 0, 1).astype(np.float32)[:, None], np.stack([tops, lefts], axis=1)


class SmallCNN(nn.Module):
    """conv-pool-conv-pool-conv, global average pooling, one Linear: `features.6` (the last conv,
    8x8) is where Grad-CAM looks."""

    def __init__(self, classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Linear(32, classes)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.mean(dim=(2, 3)))


def train(net, steps, batch_size, rng):
    """Adam on freshly drawn batches of shapes; `steps` updates."""
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()
    net.train()
    for step in range(steps):
        labels = rng.integers(0, len(CLASSES), size=batch_size)
        images, _ = make_shapes(labels, rng)
        outputs = net(torch.from_numpy(images))
        loss = criterion(outputs, torch.from_numpy(labels))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % 20 == 0 or step + 1 == steps:
            acc = (outputs.argmax(dim=1).numpy() == labels).mean()
            print("Training: Step[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}".format(step + 1, steps, loss.item(), acc))


def grad_cam(net, target_layer, images):
    """Grad-CAM heat maps (N, H, W) in [0, 1] for each image's predicted class, and those classes."""
    fmap_block, grad_block = [], []

    def forward_hook(module, input, output):
        fmap_block.append(output.detach())

    def backward_hook(module, grad_input, grad_output):
        grad_block.append(grad_output[0].detach())

    handles = [target_layer.register_forward_hook(forward_hook),
               target_layer.register_full_backward_hook(backward_hook)]
    net.eval()
    output = net(images)
    predicted = output.argmax(dim=1)
    net.zero_grad()
    # the images are independent, so one backward of the summed class scores gives each its own gradient
    class_score = output.gather(1, predicted.unsqueeze(1)).sum()
    class_score.backward()
    for handle in handles:
        handle.remove()

    fmap, grads = fmap_block[0], grad_block[0]                   # (N, K, h, w) each
    weights = grads.mean(dim=(2, 3), keepdim=True)               # alpha_k per image and channel
    cam = F.relu((weights * fmap).sum(dim=1, keepdim=True))      # (N, 1, h, w)
    cam = F.interpolate(cam, size=images.shape[-2:], mode='bilinear', align_corners=False).squeeze(1)
    low = cam.amin(dim=(1, 2), keepdim=True)
    spread = (cam.amax(dim=(1, 2), keepdim=True) - low).clamp(min=1e-12)   # an all-zero map stays zero
    return (cam - low) / spread, predicted


def overlay(image, heatmap, alpha=0.5):
    """An RGB uint8 array: the grey image blended with the jet-coloured heat map."""
    import matplotlib
    colours = matplotlib.colormaps['jet'](heatmap)[..., :3]
    return np.round(255 * ((1 - alpha) * image[..., None] + alpha * colours)).astype(np.uint8)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join('runs', 'grad_cam'))
    parser.add_argument('--steps', type=int, default=150, help='training steps')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--num-images', type=int, default=8, help='test images to explain')
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)

    net = SmallCNN()
    train(net, args.steps, args.batch_size, rng)

    labels = 1 + np.arange(args.num_images) % 2          # alternately a square and a plus to explain
    images, boxes = make_shapes(labels, rng)
    inputs = torch.from_numpy(images)
    heatmaps, predicted = grad_cam(net, net.features[6], inputs)
    heatmaps = heatmaps.numpy()

    panels = []
    for i in range(args.num_images):
        top, left = boxes[i]
        inside = heatmaps[i, top:top + SHAPE_SIZE, left:left + SHAPE_SIZE].sum() / max(heatmaps[i].sum(), 1e-12)
        print("image {}: label {:<6} predicted {:<6} CAM mass inside the shape's box: {:.0%}".format(
            i, CLASSES[labels[i]], CLASSES[predicted[i].item()], inside))
        grey = images[i, 0]
        panel = np.concatenate([np.round(255 * np.repeat(grey[..., None], 3, axis=2)).astype(np.uint8),
                                overlay(grey, heatmaps[i])], axis=1)
        panels.append(panel)
        path = os.path.join(args.out, 'cam_{}_{}.png'.format(i, CLASSES[labels[i]]))
        Image.fromarray(panel).resize((panel.shape[1] * 4, panel.shape[0] * 4), Image.NEAREST).save(path)
    grid = np.concatenate(panels, axis=0)
    Image.fromarray(grid).resize((grid.shape[1] * 4, grid.shape[0] * 4), Image.NEAREST).save(
        os.path.join(args.out, 'grad_cam_grid.png'))
    print("Saved {} overlays and grad_cam_grid.png in {}".format(args.num_images, args.out))

    try:
        from ember.vision.cam import GradCAM
    except ImportError:
        return
    with GradCAM(net, net.features[6]) as cam:
        library_maps = cam(inputs).numpy()
    print("ember.vision.cam.GradCAM: largest difference from the hooks above {:.2e}".format(
        np.abs(library_maps - heatmaps).max()))


if __name__ == "__main__":
    main()
