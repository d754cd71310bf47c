"""`make_grid` (a batch of images tiled into one image) and `save_image`, as torchvision.utils."""
import math

import numpy as np
from PIL import Image

from .._creation import from_numpy
from .._legacy import is_tensor

__all__ = ['make_grid', 'save_image']


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a `B x C x H x W` tensor (or a list of `C x H x W` tensors) into one `C x H' x W'` image:
    `nrow` images per row, `padding` pixels of `pad_value` around each. One-channel images become
    three (grey RGB). `normalize` maps `value_range` (default: the min and max, per image with
    `scale_each`) to [0, 1]."""
    if not is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not is_tensor(t):
                    raise TypeError(f'tensor or list of tensors expected, got a list containing {type(t)}')
        else:
            raise TypeError(f'tensor or list of tensors expected, got {type(tensor)}')
    images = (np.stack([t.detach().numpy() for t in tensor]) if isinstance(tensor, list)
              else tensor.detach().numpy())
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 3:
        if images.shape[0] == 1:
            images = np.concatenate([images] * 3, axis=0)
        images = images[None]
    if images.ndim == 4 and images.shape[1] == 1:
        images = np.concatenate([images] * 3, axis=1)
    if normalize is True:
        images = images.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError('value_range has to be a tuple (min, max) if specified. min and max are numbers')
        for image in (images if scale_each is True else [images]):
            low, high = value_range if value_range is not None else (float(image.min()), float(image.max()))
            # torchvision: clamp_(low, high), sub_(low), div_(max(high - low, 1e-5)), in the image dtype
            np.clip(image, low, high, out=image)
            np.subtract(image, image.dtype.type(low), out=image)
            np.divide(image, image.dtype.type(max(high - low, 1e-5)), out=image)
    if images.shape[0] == 1:
        return from_numpy(np.ascontiguousarray(images[0]))
    num_images, num_channels = images.shape[:2]
    columns = min(nrow, num_images)
    rows = int(math.ceil(float(num_images) / columns))
    height, width = images.shape[2] + padding, images.shape[3] + padding
    # every image sits at the bottom-right of a (height x width) cell of pad_value; the cells are laid
    # out row by row and one more strip of padding closes the right and bottom edges
    cells = np.full((rows * columns, num_channels, height, width), pad_value, dtype=images.dtype)
    cells[:num_images, :, padding:, padding:] = images
    grid = np.full((num_channels, height * rows + padding, width * columns + padding), pad_value, dtype=images.dtype)
    grid[:, :height * rows, :width * columns] = (cells.reshape(rows, columns, num_channels, height, width)
                                                 .transpose(2, 0, 3, 1, 4).reshape(num_channels, height * rows,
                                                                                   width * columns))
    return from_numpy(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Write `make_grid(tensor, **kwargs)` as an image file (values in [0, 1] -> 0..255, rounded)."""
    grid = make_grid(tensor, **kwargs).numpy()
    # torchvision: grid.mul(255).add_(0.5).clamp_(0, 255) then truncation to uint8
    scaled = np.clip(grid * grid.dtype.type(255) + grid.dtype.type(0.5), 0, 255)
    Image.fromarray(np.ascontiguousarray(scaled.transpose(1, 2, 0).astype(np.uint8))).save(fp, format=format)
