"""`make_grid` (a batch of images tiled into one image), `save_image`, and the drawing helpers
`draw_bounding_boxes`, `draw_segmentation_masks`, `draw_keypoints`, as torchvision.utils. The drawing
is Pillow's `ImageDraw`, as in torchvision, so the pixels agree."""
import math
import warnings

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .._creation import from_numpy
from .._legacy import is_tensor

__all__ = ['make_grid', 'save_image', 'draw_bounding_boxes', 'draw_segmentation_masks', 'draw_keypoints']


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


def _generate_color_palette(num_objects):
    """torchvision's default colours: object i gets `(i * [2**25 - 1, 2**15 - 1, 2**21 - 1]) % 255`."""
    palette = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * palette) % 255) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects, floating=False):
    """One RGB triple per object from None (the palette), a colour (name or triple) for all, or a list;
    scaled to [0, 1] for float images."""
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError('Number of colors must be equal or larger than the number of objects, but got '
                             f'{len(colors)} < {num_objects}.')
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f'colors must be a tuple or a string, or a list thereof, but got {colors}.')
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f'If passed as tuple, colors should be an RGB triplet, but got {colors}.')
    else:
        colors = [colors] * num_objects
    colors = [ImageColor.getrgb(color) if isinstance(color, str) else color for color in colors]
    if floating:
        colors = [tuple(v / 255 for v in color) for color in colors]
    return colors


def _check_drawable(image, channels):
    if not is_tensor(image):
        raise TypeError(f'The image must be a tensor, got {type(image)}')
    if not (str(image.dtype) == 'ember.uint8' or image.is_floating_point()):
        raise ValueError(f'The image dtype must be uint8 or float, got {image.dtype}')
    if image.dim() != 3:
        raise ValueError('Pass individual images, not batches')
    if image.size(0) not in channels:
        raise ValueError('Only grayscale and RGB images are supported' if len(channels) > 1
                         else 'Pass an RGB image. Other Image formats are not supported')


def _to_pil_rgb(image):
    """A uint8 PIL copy of a 1- or 3-channel tensor image (float images are scaled as v2's `to_dtype` does)."""
    from .transforms.v2.functional import to_dtype
    from .. import uint8
    if image.is_floating_point():
        image = to_dtype(image, uint8, scale=True)
    pixels = image.numpy()
    return Image.fromarray(np.ascontiguousarray(np.broadcast_to(pixels, (3,) + pixels.shape[1:]).transpose(1, 2, 0)))


def _from_pil(picture, dtype):
    """The drawn PIL image back as a tensor of the input's dtype."""
    from .transforms.v2.functional import to_dtype
    return to_dtype(from_numpy(np.array(picture).transpose(2, 0, 1).copy()), dtype, scale=True)


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None, font_size=None,
                        label_colors=None, label_background_colors=None, fill_labels=False):
    """Draw `xyxy` `boxes` (and their `labels`) on a `C x H x W` uint8 or float image (C = 1 or 3);
    returns a new RGB image of the input's dtype. `fill` shades the boxes with alpha 100/255."""
    _check_drawable(image, (1, 3))
    if boxes.shape[-1] == 4 and ((boxes[:, 0] > boxes[:, 2]).any() or (boxes[:, 1] > boxes[:, 3]).any()):
        raise ValueError('Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert to '
                         'convert them')
    num_boxes = boxes.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f'Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. Please specify labels '
                         'for each box.')
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else 'black', num_objects=num_boxes)
    else:
        label_colors = colors.copy()
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = colors.copy()
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        text_font = ImageFont.load_default()
    else:
        text_font = ImageFont.truetype(font=font, size=font_size or 10)
    picture = _to_pil_rgb(image)
    draw = ImageDraw.Draw(picture, 'RGBA' if fill else None)
    for box, color, label, label_color, background in zip(boxes.detach().numpy().astype(np.int64).tolist(), colors,
                                                          labels, label_colors, label_background_colors):
        draw.rectangle(box, width=width, outline=color, fill=color + (100,) if fill else None)
        if label is not None:
            box_margin = 1
            margin = width + box_margin
            if fill_labels:
                left, top, right, bottom = draw.textbbox((box[0] + margin, box[1] + margin), label, font=text_font)
                draw.rectangle((left - box_margin, top - box_margin, right + box_margin, bottom + box_margin),
                               fill=background)
            draw.text((box[0] + margin, box[1] + margin), label, fill=label_color, font=text_font)
    return _from_pil(picture, image.dtype)


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """Blend boolean `masks` (`H x W` or `N x H x W`) onto an RGB image: each mask's pixels become
    `(1 - alpha) * image + alpha * colour`; where masks overlap, the colour is black."""
    _check_drawable(image, (3,))
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError('masks must be of shape (H, W) or (batch_size, H, W)')
    if str(masks.dtype) != 'ember.bool':
        raise ValueError(f'The masks must be of dtype bool. Got {masks.dtype}')
    if masks.shape[-2:] != image.shape[-2:]:
        raise ValueError('The image and the masks must have the same height and width')
    if masks.shape[0] == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    pixels, chosen = image.detach().numpy(), masks.numpy()
    colors = np.array(_parse_colors(colors, num_objects=len(chosen), floating=image.is_floating_point()),
                      dtype=pixels.dtype)
    # the last mask covering a pixel gives its colour, as painting the masks in order would
    last = len(chosen) - 1 - np.argmax(chosen[::-1], axis=0)
    painted = np.where(chosen.any(axis=0), colors[last].transpose(2, 0, 1), pixels)
    painted[:, chosen.sum(axis=0) > 1] = 0
    return (image * (1 - alpha) + from_numpy(painted) * alpha).to(image.dtype)


def draw_keypoints(image, keypoints, connectivity=None, colors=None, radius=2, width=3, visibility=None):
    """Draw `keypoints` (`num_instances x K x 2`) as discs of `radius` on an RGB image, joined by lines of
    `width` for each (start, end) pair in `connectivity`; invisible keypoints (`visibility`) are skipped."""
    _check_drawable(image, (3,))
    if keypoints.ndim != 3:
        raise ValueError('keypoints must be of shape (num_instances, K, 2)')
    visible = (np.ones(keypoints.shape[:-1], dtype=bool) if visibility is None
               else visibility.numpy().astype(bool))
    if visible.ndim == 3:  # as `pred.split([2, 1], dim=-1)` gives it
        visible = visible.squeeze(-1)
    if visible.ndim != 2:
        raise ValueError(f'visibility must be of shape (num_instances, K). Got ndim={visible.ndim}')
    if visible.shape != tuple(keypoints.shape[:-1]):
        raise ValueError('keypoints and visibility must have the same dimensionality for num_instances and K. '
                         f'Got visibility.shape={visibility.shape} and keypoints.shape={keypoints.shape}')
    picture = _to_pil_rgb(image)
    draw = ImageDraw.Draw(picture)
    for instance, shown in zip(keypoints.detach().numpy().astype(np.int64).tolist(), visible.tolist()):
        for (x, y), is_visible in zip(instance, shown):
            if is_visible:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors, outline=None, width=0)
        for start, end in connectivity or ():
            if shown[start] and shown[end]:
                draw.line((tuple(instance[start]), tuple(instance[end])), width=width)
    return _from_pil(picture, image.dtype)
