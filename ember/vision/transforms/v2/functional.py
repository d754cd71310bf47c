"""The v2 functional transforms, as `torchvision.transforms.v2.functional`: each one looks at what it is
given -- `tv_tensors.BoundingBoxes`, `tv_tensors.Mask`, `tv_tensors.Image`, a plain tensor or a PIL image
-- and runs the kernel for that kind, so one call moves an image and its boxes together.

Image kernels are the v1 functional transforms; the box kernels are written here (axis-aligned formats);
masks take the image kernels with nearest-neighbour resampling. The output keeps the input's tv_tensor
class (boxes get their new `canvas_size`).
"""
from ... import tv_tensors
from ...._creation import tensor as _tensor
from ...._tensor import Tensor
from ...ops.boxes import box_convert, clip_boxes_to_image
from .. import functional as _v1
from ..functional import InterpolationMode, _interpolation_mode

__all__ = ['to_image', 'to_dtype', 'to_pure_tensor', 'horizontal_flip', 'vertical_flip', 'crop', 'center_crop',
           'resize', 'resized_crop', 'pad', 'normalize', 'convert_bounding_box_format', 'clamp_bounding_boxes',
           'get_size', 'pil_to_tensor', 'to_pil_image', 'InterpolationMode']

pil_to_tensor = _v1.pil_to_tensor
to_pil_image = _v1.to_pil_image


def _is_boxes(inpt):
    return isinstance(inpt, tv_tensors.BoundingBoxes)


def _plain(inpt):
    """The data of a tv_tensor as a plain tensor (no copy)."""
    return inpt._make_subclass_like(Tensor) if isinstance(inpt, tv_tensors.TVTensor) else inpt


def _check_axis_aligned(boxes):
    if tv_tensors.is_rotated_bounding_format(boxes.format):
        raise NotImplementedError(f'ember does not transform rotated bounding boxes ({boxes.format})')


def _rewrap(output, like, **metadata):
    return tv_tensors.wrap(output, like=like, **metadata) if isinstance(like, tv_tensors.TVTensor) else output


def get_size(inpt):
    """`[height, width]` of an image, mask or PIL image; a box set's `canvas_size`."""
    if _is_boxes(inpt):
        return list(inpt.canvas_size)
    return list(_v1.get_dimensions(inpt)[1:] if not isinstance(inpt, Tensor) else inpt.shape[-2:])


# ------------------------------------------------------------------------------------------ conversions

def to_image(inpt):
    """A PIL image, NumPy array (`H x W x C`) or tensor as a `tv_tensors.Image` (`C x H x W`)."""
    import numpy as np
    if isinstance(inpt, np.ndarray):
        from ...._creation import from_numpy
        return tv_tensors.Image(from_numpy(np.atleast_3d(inpt)).permute(2, 0, 1).contiguous())
    if isinstance(inpt, Tensor):
        return tv_tensors.Image(inpt)
    if _v1._is_pil_image(inpt):
        return tv_tensors.Image(pil_to_tensor(inpt))
    raise TypeError(f'Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} instead.')


def to_pure_tensor(inpt):
    """The tensor under a tv_tensor."""
    return _plain(inpt)


def to_dtype(inpt, dtype=None, scale=False):
    """Cast to `dtype`; with `scale`, images also move between value ranges (uint8 [0, 255] <-> float
    [0, 1]). Boxes and masks are only cast."""
    from .... import float32
    dtype = float32 if dtype is None else dtype
    if not isinstance(inpt, Tensor):
        raise TypeError(f'to_dtype expects a tensor, got {type(inpt)}')
    if isinstance(inpt, (tv_tensors.BoundingBoxes, tv_tensors.Mask)) or not scale or inpt.dtype == dtype:
        return _rewrap(_plain(inpt).to(dtype), inpt)
    image = _plain(inpt)
    if not image.is_floating_point() and dtype.is_floating_point:
        # v2 multiplies by the reciprocal where v1 divides: results differ in the last bit
        return _rewrap(image.to(dtype).mul_(1.0 / _v1._max_value(image.dtype)), inpt)
    return _rewrap(_v1.convert_image_dtype(image, dtype), inpt)


# --------------------------------------------------------------------------------------------- boxes

def convert_bounding_box_format(inpt, old_format=None, new_format=None, inplace=False):
    """Boxes from `old_format` (a BoundingBoxes' own when omitted) to `new_format`."""
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    if isinstance(new_format, str):
        new_format = tv_tensors.BoundingBoxFormat[new_format.upper()]
    if _is_boxes(inpt):
        if old_format is not None:
            raise ValueError('For bounding box tv_tensor inputs, `old_format` must not be passed.')
        _check_axis_aligned(inpt)
        output = box_convert(_plain(inpt), inpt.format.value.lower(), new_format.value.lower())
        return tv_tensors.wrap(output, like=inpt, format=new_format)
    if isinstance(old_format, str):
        old_format = tv_tensors.BoundingBoxFormat[old_format.upper()]
    return box_convert(inpt, old_format.value.lower(), new_format.value.lower())


def _clamp_boxes(boxes, format, canvas_size, clamping_mode):
    """Clamp axis-aligned boxes to the canvas, through XYXY (float arithmetic for integer boxes)."""
    if clamping_mode is None:
        return boxes.clone()
    in_dtype = boxes.dtype
    xyxy = box_convert(boxes if boxes.is_floating_point() else boxes.float(), format.value.lower(), 'xyxy')
    return box_convert(clip_boxes_to_image(xyxy, canvas_size), 'xyxy', format.value.lower()).to(in_dtype)


def clamp_bounding_boxes(inpt, format=None, canvas_size=None, clamping_mode='auto'):
    """Clamp boxes into their canvas (a BoundingBoxes carries both; plain tensors need them passed)."""
    if _is_boxes(inpt):
        if format is not None or canvas_size is not None:
            raise ValueError('For bounding box tv_tensor inputs, `format` and `canvas_size` must not be passed.')
        mode = inpt.clamping_mode if clamping_mode == 'auto' else clamping_mode
        return tv_tensors.wrap(_clamp_boxes(_plain(inpt), inpt.format, inpt.canvas_size, mode), like=inpt)
    if format is None or canvas_size is None or clamping_mode == 'auto':
        raise ValueError('For pure tensor inputs, `format`, `canvas_size` and `clamping_mode` have to be passed.')
    if isinstance(format, str):
        format = tv_tensors.BoundingBoxFormat[format.upper()]
    return _clamp_boxes(inpt, format, canvas_size, clamping_mode)


def _shift_boxes(boxes, dx, dy):
    """Boxes moved by (dx, dy): both corners for XYXY, the anchor point for the others."""
    shift = [dx, dy, dx, dy] if boxes.format is tv_tensors.BoundingBoxFormat.XYXY else [dx, dy, 0, 0]
    return _plain(boxes) + _tensor(shift, dtype=boxes.dtype)


def _crop_boxes(boxes, top, left, height, width):
    _check_axis_aligned(boxes)
    output = _clamp_boxes(_shift_boxes(boxes, -left, -top), boxes.format, (height, width), boxes.clamping_mode)
    return tv_tensors.wrap(output, like=boxes, canvas_size=(height, width))


def _flip_boxes(boxes, horizontal):
    """Mirror boxes across the canvas: x -> width - x (or y -> height - y), swapping the corners."""
    _check_axis_aligned(boxes)
    height, width = boxes.canvas_size
    xyxy = box_convert(_plain(boxes), boxes.format.value.lower(), 'xyxy')
    x1, y1, x2, y2 = xyxy.unbind(-1)
    from .... import stack
    flipped = (stack([width - x2, y1, width - x1, y2], dim=-1) if horizontal
               else stack([x1, height - y2, x2, height - y1], dim=-1))
    return tv_tensors.wrap(box_convert(flipped, 'xyxy', boxes.format.value.lower()).to(boxes.dtype), like=boxes)


def _resize_boxes(boxes, size, max_size):
    _check_axis_aligned(boxes)
    old_height, old_width = boxes.canvas_size
    new_height, new_width = _v1._compute_resized_output_size((old_height, old_width), size, max_size)
    if (new_height, new_width) == (old_height, old_width):
        return boxes
    ratios = [new_width / old_width, new_height / old_height] * 2
    return tv_tensors.wrap((_plain(boxes) * _tensor(ratios)).to(boxes.dtype), like=boxes,
                           canvas_size=(new_height, new_width))


def _pad_boxes(boxes, padding, padding_mode):
    if padding_mode != 'constant':
        raise ValueError(f"Padding mode '{padding_mode}' is not supported with bounding boxes")
    _check_axis_aligned(boxes)
    left, top, right, bottom = _v1._padding_ltrb(padding)
    height, width = boxes.canvas_size
    canvas_size = (height + top + bottom, width + left + right)
    output = _clamp_boxes(_shift_boxes(boxes, left, top), boxes.format, canvas_size, boxes.clamping_mode)
    return tv_tensors.wrap(output, like=boxes, canvas_size=canvas_size)


# ------------------------------------------------------------------------------------------ geometry

def horizontal_flip(inpt):
    """Mirror left-right."""
    if _is_boxes(inpt):
        return _flip_boxes(inpt, horizontal=True)
    return _rewrap(_v1.hflip(_plain(inpt)), inpt)


def vertical_flip(inpt):
    """Mirror top-bottom."""
    if _is_boxes(inpt):
        return _flip_boxes(inpt, horizontal=False)
    return _rewrap(_v1.vflip(_plain(inpt)), inpt)


def crop(inpt, top, left, height, width):
    """The `height x width` window at (`top`, `left`); boxes are shifted and clamped into it."""
    if _is_boxes(inpt):
        return _crop_boxes(inpt, top, left, height, width)
    return _rewrap(_v1.crop(_plain(inpt), top, left, height, width), inpt)


def center_crop(inpt, output_size):
    """The central `output_size` window (padded with zeros where the image is smaller)."""
    if _is_boxes(inpt):
        crop_height, crop_width = _v1._crop_size(output_size)
        height, width = inpt.canvas_size
        return _crop_boxes(inpt, int(round((height - crop_height) / 2.0)), int(round((width - crop_width) / 2.0)),
                           crop_height, crop_width)
    return _rewrap(_v1.center_crop(_plain(inpt), output_size), inpt)


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to `size` (see v1 `resize`); masks always resample with nearest neighbour."""
    if _is_boxes(inpt):
        return _resize_boxes(inpt, size, max_size)
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    interpolation = _interpolation_mode(interpolation)
    if isinstance(inpt, tv_tensors.Mask):
        mask = _plain(inpt)
        squeeze = mask.ndim < 3
        mode = interpolation if interpolation is InterpolationMode.NEAREST_EXACT else InterpolationMode.NEAREST
        output = _v1.resize(mask.unsqueeze(0) if squeeze else mask, size, mode, max_size)
        return _rewrap(output.squeeze(0) if squeeze else output, inpt)
    return _rewrap(_v1.resize(_plain(inpt), size, interpolation, max_size, antialias), inpt)


def resized_crop(inpt, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """`crop` then `resize`."""
    return resize(crop(inpt, top, left, height, width), size, interpolation=interpolation, antialias=antialias)


def pad(inpt, padding, fill=None, padding_mode='constant'):
    """Pad the borders (see v1 `pad`); boxes move by the left/top padding and their canvas grows."""
    if _is_boxes(inpt):
        return _pad_boxes(inpt, padding, padding_mode)
    return _rewrap(_v1.pad(_plain(inpt), padding, 0 if fill is None else fill, padding_mode), inpt)


def normalize(inpt, mean, std, inplace=False):
    """`(image - mean) / std` per channel, for float images."""
    return _rewrap(_v1.normalize(_plain(inpt), mean, std, inplace), inpt)
