"""Functional image transforms: each takes a PIL Image or a tensor image `(..., C, H, W)` and returns
the same kind, as torchvision's `transforms.functional` does.

PIL images go through Pillow's own operations (the calls torchvision's `_functional_pil` makes), so
results agree with torchvision pixel for pixel. Tensor images follow torchvision's tensor backend:
flips, crops, normalisation, the colour blends and resize (`interpolate`) are ember ops (they keep
autograd); the other resampling (rotate, affine, perspective, blur) is done in NumPy with the semantics
of torch's `grid_sample` and `conv2d` that torchvision calls, and returns a tensor without history.
"""
import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ... import _dtype
from ..._creation import from_numpy, tensor as _tensor, zeros_like
from ..._tensor import Tensor
from ...nn.functional import interpolate

__all__ = ['InterpolationMode', 'get_dimensions', 'get_image_size', 'get_image_num_channels', 'to_tensor',
           'pil_to_tensor', 'convert_image_dtype', 'to_pil_image', 'normalize', 'resize', 'pad', 'crop',
           'center_crop', 'resized_crop', 'hflip', 'vflip', 'perspective', 'five_crop', 'ten_crop',
           'adjust_brightness', 'adjust_contrast', 'adjust_saturation', 'adjust_hue', 'adjust_gamma', 'rotate',
           'affine', 'to_grayscale', 'rgb_to_grayscale', 'erase', 'gaussian_blur', 'invert', 'posterize', 'solarize',
           'adjust_sharpness', 'autocontrast', 'equalize', 'elastic_transform']


class InterpolationMode(Enum):
    """How to resample: the names torch's `interpolate` and Pillow's filters share."""
    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    # Pillow-only filters
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


# Pillow's integer filter constants <-> modes (torchvision accepts either).
_MODE_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                      4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
_PIL_FILTER = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BILINEAR: 2,
               InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
               InterpolationMode.LANCZOS: 1}


def _interpolation_mode(interpolation):
    """An `InterpolationMode` from a mode or a Pillow integer constant."""
    if isinstance(interpolation, int):
        return _MODE_FROM_PIL_INT[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError('Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant')
    return interpolation


def _is_pil_image(img):
    return isinstance(img, Image.Image)


def _check_pil(img):
    if not isinstance(img, Image.Image):
        raise TypeError(f'img should be PIL Image. Got {type(img)}')


def _check_tensor_image(img):
    if img.ndim < 2:
        raise TypeError('Tensor is not a torch image.')


def _array(img):
    """The NumPy array under a tensor image (its history is dropped: resampling is not differentiated)."""
    return img.detach().numpy()


def _max_value(dtype):
    """The value that means 'full intensity' for an image dtype: 255 for uint8, 1.0 for floats."""
    if dtype.is_floating_point:
        return 1
    return int(np.iinfo(dtype.numpy_type).max)


# ---------------------------------------------------------------------------------------------- sizes

def get_dimensions(img):
    """`[channels, height, width]` of a PIL Image or a tensor image."""
    if isinstance(img, Tensor):
        _check_tensor_image(img)
        return [1 if img.ndim == 2 else img.shape[-3], img.shape[-2], img.shape[-1]]
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f'Unexpected type {type(img)}')


def get_image_size(img):
    """`[width, height]` of an image (Pillow's order)."""
    _, height, width = get_dimensions(img)
    return [width, height]


def get_image_num_channels(img):
    """The number of channels of an image."""
    return get_dimensions(img)[0]


# ----------------------------------------------------------------------------------------- conversion

# The NumPy dtype Pillow's array interface uses for the modes that are not 8 bits per band.
_PIL_MODE_DTYPE = {'I': np.int32, 'I;16' if sys.byteorder == 'little' else 'I;16B': np.int16, 'F': np.float32}


def to_tensor(pic):
    """A PIL Image or an `H x W x C` ndarray as a `C x H x W` tensor; 8-bit data is scaled to
    float32 values in [0, 1] (the default float dtype), other data keeps its values and type."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f'pic should be PIL Image or ndarray. Got {type(pic)}')
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        array = np.array(pic, _PIL_MODE_DTYPE.get(pic.mode, np.uint8), copy=True)
        if pic.mode == '1':
            array = 255 * array
        array = array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    chw = np.ascontiguousarray(array.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        # torch: img.to(default_float_dtype).div(255)
        default_float = _dtype.get_default_dtype().numpy_type
        return from_numpy(chw.astype(default_float) / default_float.type(255))
    return from_numpy(chw)


def pil_to_tensor(pic):
    """A PIL Image as a `C x H x W` tensor of its own pixel type (uint8 for 8-bit modes), unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f'pic should be PIL Image. Got {type(pic)}')
    array = np.array(pic, copy=True).reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return from_numpy(array).permute(2, 0, 1)


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to `dtype`, rescaling values between the integer range [0, max] and
    the float range [0, 1] (torchvision's rule: float -> int multiplies by `max + 1 - 0.001`)."""
    from ... import float32
    dtype = float32 if dtype is None else dtype
    if not isinstance(image, Tensor):
        raise TypeError('Input img should be Tensor Image')
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype.itemsize == 4 and dtype.itemsize >= 4) or (image.dtype.itemsize == 8 and dtype.itemsize == 8):
            raise RuntimeError(f'The cast from {image.dtype} to {dtype} cannot be performed safely.')
        return image.mul(_max_value(dtype) + 1.0 - 0.001).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        return image.div(int((input_max + 1) // (output_max + 1)), rounding_mode='floor').to(dtype)
    return image.to(dtype) * int((output_max + 1) // (input_max + 1))


def to_pil_image(pic, mode=None):
    """A `C x H x W` tensor or an `H x W x C` ndarray as a PIL Image. Float data is taken to be in
    [0, 1] and multiplied by 255 (then truncated to uint8); the mode follows the channel count."""
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute(1, 2, 0)
        pic = _array(pic)
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f'pic should be Tensor or ndarray. Got {type(pic)}.')
    if pic.ndim == 2:
        pic = pic[:, :, None]
    if pic.ndim != 3:
        raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
    if pic.shape[-1] > 4:
        raise ValueError(f'pic should not have > 4 channels. Got {pic.shape[-1]} channels.')
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != 'F':
        npimg = (npimg * 255).astype(np.uint8)
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected_mode = {np.dtype(np.uint8): 'L', np.dtype(np.int16): 'I;16' if sys.byteorder == 'little' else 'I;16B',
                         np.dtype(np.int32): 'I', np.dtype(np.float32): 'F'}.get(npimg.dtype)
        if mode is not None and mode != expected_mode:
            raise ValueError(f'Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected_mode}')
        mode = expected_mode
    else:
        permitted, default = {2: (['LA'], 'LA'), 3: (['RGB', 'YCbCr', 'HSV'], 'RGB'),
                              4: (['RGBA', 'CMYK', 'RGBX'], 'RGBA')}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f'Only modes {permitted} are supported for {channels}D inputs')
        if mode is None and npimg.dtype == np.uint8:
            mode = default
    if mode is None:
        raise TypeError(f'Input type {npimg.dtype} is not supported')
    if mode in ('I;16', 'I;16B'):
        npimg = npimg.astype('<u2' if mode == 'I;16' else '>u2')
    return Image.frombuffer(mode, (npimg.shape[1], npimg.shape[0]), np.ascontiguousarray(npimg).tobytes(),
                            'raw', mode, 0, 1)


def normalize(tensor, mean, std, inplace=False):
    """`(tensor - mean[c]) / std[c]` per channel of a float tensor image `(..., C, H, W)`."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(tensor)}')
    _check_tensor_image(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f'Input tensor should be a float tensor. Got {tensor.dtype}.')
    if tensor.ndim < 3:
        raise ValueError('Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = '
                         f'{tensor.size()}')
    dtype = tensor._data.dtype
    mean = np.asarray(mean.tolist() if isinstance(mean, Tensor) else mean, dtype=np.float64).astype(dtype)
    std = np.asarray(std.tolist() if isinstance(std, Tensor) else std, dtype=np.float64).astype(dtype)
    if (std == 0).any():
        raise ValueError(f'std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.')
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    if not inplace and not tensor.requires_grad:
        # the common case, once per image in a DataLoader: the same two roundings as below, in NumPy
        # (shapes that do not fit take the ops' path below, for PyTorch's error)
        try:
            values = np.subtract(tensor._data, mean)
            if values.shape == tensor.shape:
                values /= std  # (in place: a std that does not fit raises instead of broadcasting)
                return Tensor._wrap(values)
        except ValueError:
            pass
    if not inplace:
        tensor = tensor.clone()
    return tensor.sub_(_tensor(mean)).div_(_tensor(std))


# ------------------------------------------------------------------------------------ geometry: crops

def crop(img, top, left, height, width):
    """The `height x width` region whose top-left corner is `(top, left)`; parts outside the image are 0."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return img.crop((left, top, left + width, top + height))
    _check_tensor_image(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _crop_size(size):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return size[0], size[0]
    return size


def center_crop(img, output_size):
    """The central `output_size` crop; an image smaller than that is first zero-padded around."""
    crop_height, crop_width = _crop_size(output_size)
    _, image_height, image_width = get_dimensions(img)
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [(crop_width - image_width) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height) // 2 if crop_height > image_height else 0,
                        (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height + 1) // 2 if crop_height > image_height else 0]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """`crop` then `resize` to `size`."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def five_crop(img, size):
    """The four corner crops and the central crop: `(tl, tr, bl, br, center)`."""
    size = _crop_size(size)
    if len(size) != 2:
        raise ValueError('Please provide only two dimensions (h, w) for size.')
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f'Requested crop size {size} is bigger than input size {(image_height, image_width)}')
    top_left = crop(img, 0, 0, crop_height, crop_width)
    top_right = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bottom_left = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    bottom_right = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    return top_left, top_right, bottom_left, bottom_right, center_crop(img, [crop_height, crop_width])


def ten_crop(img, size, vertical_flip=False):
    """`five_crop` of the image and of its horizontal (or vertical) flip: ten images."""
    size = _crop_size(size)
    if len(size) != 2:
        raise ValueError('Please provide only two dimensions (h, w) for size.')
    return five_crop(img, size) + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def hflip(img):
    """Mirror left to right."""
    if isinstance(img, Tensor):
        _check_tensor_image(img)
        return img.flip(-1)
    _check_pil(img)
    return img.transpose(Image.FLIP_LEFT_RIGHT)


def vflip(img):
    """Mirror top to bottom."""
    if isinstance(img, Tensor):
        _check_tensor_image(img)
        return img.flip(-2)
    _check_pil(img)
    return img.transpose(Image.FLIP_TOP_BOTTOM)


# -------------------------------------------------------------------------------------- geometry: pad

_PADDING_MODES = ('constant', 'edge', 'reflect', 'symmetric')


def _padding_ltrb(padding):
    """`[left, top, right, bottom]` from an int, or a 1-, 2- (left/right, top/bottom) or 4-sequence."""
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def _parse_fill(fill, img, name='fillcolor'):
    """Pillow's fill argument for `img`: one value per band, ints unless the image is float ('F')."""
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the image "
                             f"({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != 'F':
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode='constant'):
    """Pad the borders by `padding` (int, or (left/right, top/bottom), or (left, top, right, bottom)):
    with `fill` ('constant'), the edge pixel ('edge'), a mirror without the edge ('reflect') or with
    it ('symmetric'). Negative padding crops."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f'Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple')
    if padding_mode not in _PADDING_MODES:
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    left, top, right, bottom = _padding_ltrb(padding)
    if isinstance(img, Tensor):
        _check_tensor_image(img)
        if fill is not None and not isinstance(fill, (int, float)):
            raise TypeError('Got inappropriate fill arg')
        return _pad_array(img, left, top, right, bottom, 0 if fill is None else fill, padding_mode)
    _check_pil(img)
    if padding_mode == 'constant':
        border = padding[0] if isinstance(padding, (tuple, list)) and len(padding) == 1 else (
            tuple(padding) if isinstance(padding, (tuple, list)) else padding)
        palette = img.getpalette() if img.mode == 'P' else None
        image = ImageOps.expand(img, border=border, **_parse_fill(fill, img, name='fill'))
        if palette is not None:
            image.putpalette(palette)
        return image
    # Pillow has no edge/reflect/symmetric padding: torchvision pads the pixel array with NumPy.
    crop_left, crop_top, crop_right, crop_bottom = (-min(p, 0) for p in (left, top, right, bottom))
    if crop_left or crop_top or crop_right or crop_bottom:
        img = img.crop((crop_left, crop_top, img.width - crop_right, img.height - crop_bottom))
    palette = img.getpalette() if img.mode == 'P' else None
    array = np.asarray(img)
    widths = ((max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))) + ((0, 0),) * (array.ndim - 2)
    image = Image.fromarray(np.pad(array, widths, mode=padding_mode))
    if palette is not None:
        image.putpalette(palette)
    return image


def _pad_array(img, left, top, right, bottom, fill, padding_mode):
    """Tensor padding as torchvision's tensor backend: torch's constant/replicate/reflect `pad`, and
    symmetric by index mirroring; negative amounts crop."""
    array = _array(img)
    height, width = array.shape[-2:]
    array = array[..., max(-top, 0):height - max(-bottom, 0), max(-left, 0):width - max(-right, 0)]
    widths = ((0, 0),) * (array.ndim - 2) + ((max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0)))
    if padding_mode == 'constant':
        # torch pads with float(fill) cast to the image dtype
        out = np.pad(array, widths, mode='constant', constant_values=np.array(float(fill)).astype(array.dtype))
    else:
        out = np.pad(array, widths, mode=padding_mode)
    return from_numpy(np.ascontiguousarray(out))


# ----------------------------------------------------------------------------------- geometry: resize

def _compute_resized_output_size(image_size, size, max_size=None):
    """`[new_h, new_w]`: `size` as (h, w), or the shorter edge -> `size[0]` keeping the aspect ratio
    (the longer edge truncated to an int), capped so the longer edge is at most `max_size`."""
    height, width = image_size
    short, long = (width, height) if width <= height else (height, width)
    if len(size) == 1:
        requested_new_short = size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f'max_size = {max_size} must be strictly greater than the requested '
                                 f'size for the smaller edge size = {size}')
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to `size` ((h, w), or an int for the shorter edge). PIL images always antialias
    (bilinear/bicubic) as Pillow does; tensors antialias when `antialias` is True."""
    interpolation = _interpolation_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f'Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element tuple/list')
        if max_size is not None and len(size) != 1:
            raise ValueError('max_size should only be passed if size specifies the length of the smaller edge, i.e. '
                             'size should be an int or a sequence of length 1 in torchscript mode.')
    _, image_height, image_width = get_dimensions(img)
    output_size = _compute_resized_output_size((image_height, image_width), [size] if isinstance(size, int)
                                               else list(size), max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn('Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.')
        return img.resize(tuple(output_size[::-1]), _PIL_FILTER[interpolation])
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT,
                             InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        # torchvision passes the mode on to torch's interpolate, which raises NotImplementedError
        raise NotImplementedError(f"Interpolation mode '{interpolation.value}' is unsupported with Tensor input "
                                  "(Pillow-only filter: resize a PIL Image instead)")
    # torchvision's tensor path: `interpolate` in float32 (or the image's float dtype), antialiasing
    # only bilinear and bicubic, then rounded back to an integer dtype
    mode = interpolation.value
    smooth = mode in ('bilinear', 'bicubic')
    work = img if img.dtype in (_dtype.float32, _dtype.float64) else img.to(_dtype.float32)
    out = interpolate(work.reshape(-1, 1, image_height, image_width), size=output_size, mode=mode,
                      align_corners=False if smooth else None, antialias=bool(antialias) and smooth)
    out = out.reshape(*img.shape[:-2], *output_size)
    if out.dtype != img.dtype:
        if interpolation is InterpolationMode.BICUBIC and img.dtype == _dtype.uint8:
            out = out.clamp(0, 255)
        out = out.round().to(img.dtype)
    return out


# ------------------------------------------------------------------------- geometry: affine warps

def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2x3 matrix (as 6 floats) of rotation `angle` about `center`, then `translate`, `scale` and
    `shear` (degrees): M = T * C * RotateScaleShear * C^-1; inverted, it maps output to input pixels."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty) + cx
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty) + cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * -cx + matrix[1] * -cy + cx + tx
        matrix[5] += matrix[3] * -cx + matrix[4] * -cy + cy + ty
    return matrix


def _check_warp_args(interpolation, angle, center):
    interpolation = _interpolation_mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError('Argument angle should be int or float')
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError('Argument center should be a sequence')
    return interpolation


def _tensor_center(img, center):
    """torchvision's tensor backend puts the origin at the image centre."""
    if center is None:
        return [0.0, 0.0]
    _, height, width = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate by `angle` degrees counter-clockwise about `center` (default: the image centre);
    `expand` grows the output to hold the whole rotated image; uncovered pixels get `fill`."""
    interpolation = _check_warp_args(interpolation, angle, center)
    if not isinstance(img, Tensor):
        _check_pil(img)
        return img.rotate(angle, _PIL_FILTER[interpolation], expand, center, **_parse_fill(fill, img))
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    height, width = img.shape[-2:]
    out_width, out_height = _compute_affine_output_size(matrix, width, height) if expand else (width, height)
    return _warp_tensor(img, _affine_grid(matrix, width, height, out_width, out_height), interpolation, fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotate by `angle` (degrees, clockwise here as in torchvision), translate by `translate`
    pixels, scale by `scale` and shear by `shear` degrees, keeping `center` fixed."""
    interpolation = _check_warp_args(interpolation, angle, center)
    if not isinstance(translate, (list, tuple)):
        raise TypeError('Argument translate should be a sequence')
    if len(translate) != 2:
        raise ValueError('Argument translate should be a sequence of length 2')
    if scale <= 0.0:
        raise ValueError('Argument scale should be positive')
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError('Shear should be either a single value or a sequence of two values')
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f'Shear should be a sequence containing two values. Got {shear}')
    angle = float(angle)
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        _check_pil(img)
        matrix = _get_inverse_affine_matrix(center if center is not None else [width * 0.5, height * 0.5],
                                            angle, list(translate), scale, shear)
        return img.transform(img.size, Image.AFFINE, matrix, _PIL_FILTER[interpolation], **_parse_fill(fill, img))
    matrix = _get_inverse_affine_matrix(_tensor_center(img, center), angle, [1.0 * t for t in translate], scale, shear)
    return _warp_tensor(img, _affine_grid(matrix, width, height, width, height), interpolation, fill)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients (a..h) mapping output pixel (x, y) to input
    ((ax + by + c) / (gx + hy + 1), (dx + ey + f) / (gx + hy + 1)), by least squares on the 4 corners."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f'Please provide exactly four corners, got {len(startpoints)} startpoints and '
                         f'{len(endpoints)} endpoints.')
    end = np.asarray(endpoints, dtype=np.float64)
    start = np.asarray(startpoints, dtype=np.float64)
    ones, zeros = np.ones(4), np.zeros(4)
    rows_x = np.stack([end[:, 0], end[:, 1], ones, zeros, zeros, zeros, -start[:, 0] * end[:, 0],
                       -start[:, 0] * end[:, 1]], axis=1)
    rows_y = np.stack([zeros, zeros, zeros, end[:, 0], end[:, 1], ones, -start[:, 1] * end[:, 0],
                       -start[:, 1] * end[:, 1]], axis=1)
    a_matrix = np.stack([rows_x, rows_y], axis=1).reshape(8, 8)
    solution = np.linalg.lstsq(a_matrix, start.reshape(8), rcond=None)[0]
    return solution.astype(np.float32).tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp so that the four `startpoints` corners land on `endpoints` ([tl, tr, br, bl], (x, y))."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interpolation_mode(interpolation)
    if not isinstance(img, Tensor):
        _check_pil(img)
        return img.transform(img.size, Image.PERSPECTIVE, coeffs, _PIL_FILTER[interpolation], **_parse_fill(fill, img))
    height, width = img.shape[-2:]
    dtype = _work_dtype(img)
    # torchvision's _perspective_grid: pixel centres through the projective map, to [-1, 1]
    xs = np.linspace(0.5, width - 0.5, width, dtype=np.float32).astype(dtype)
    ys = np.linspace(0.5, height - 0.5, height, dtype=np.float32).astype(dtype)
    x, y = np.meshgrid(xs, ys)
    c = np.asarray(coeffs, dtype=dtype)
    # torchvision rescales the numerator coefficients to [0, 2] first, then divides (same roundings)
    cx, cy = c[0:3] / dtype(0.5 * width), c[3:6] / dtype(0.5 * height)
    denominator = c[6] * x + c[7] * y + dtype(1.0)
    grid_x = (cx[0] * x + cx[1] * y + cx[2]) / denominator - dtype(1.0)
    grid_y = (cy[0] * x + cy[1] * y + cy[2]) / denominator - dtype(1.0)
    return _warp_tensor(img, np.stack([grid_x, grid_y], axis=-1), interpolation, fill)


def _work_dtype(img):
    return np.float64 if img.dtype.itemsize == 8 and img.is_floating_point() else np.float32


def _affine_grid(matrix, width, height, out_width, out_height):
    """torchvision's `_gen_affine_grid`: output pixel centres (origin at the centre) through the
    2x3 `matrix`, normalised to grid_sample's [-1, 1]."""
    xs = np.linspace(-out_width * 0.5 + 0.5, out_width * 0.5 - 0.5, out_width, dtype=np.float32)
    ys = np.linspace(-out_height * 0.5 + 0.5, out_height * 0.5 - 0.5, out_height, dtype=np.float32)
    x, y = np.meshgrid(xs, ys)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3) / np.array([[0.5 * width], [0.5 * height]],
                                                                         dtype=np.float32)
    # torch's bmm rounds each product and sum in float32 as (x * t0 + y * t1) + t2; a matmul here may
    # fuse them, and a grid point that lands 1 ulp the other side of a .5 picks another nearest pixel
    return np.stack([(x * t[0] + y * t[1]) + t[2] for t in theta], axis=-1)


def _compute_affine_output_size(matrix, width, height):
    """The size of the box holding the four transformed corners (rounded outwards, 1e-4 tolerance)."""
    corners = np.array([[-0.5 * width, -0.5 * height, 1.0], [-0.5 * width, 0.5 * height, 1.0],
                        [0.5 * width, 0.5 * height, 1.0], [0.5 * width, -0.5 * height, 1.0]], dtype=np.float32)
    points = corners @ np.asarray(matrix, dtype=np.float32).reshape(2, 3).T
    half = np.array([width * 0.5, height * 0.5], dtype=np.float32)
    low, high = points.min(axis=0) + half, points.max(axis=0) + half
    tol = np.float32(1e-4)
    size = np.ceil(np.trunc(high / tol) * tol) - np.floor(np.trunc(low / tol) * tol)
    return int(size[0]), int(size[1])


def _warp_tensor(img, grid, interpolation, fill):
    """Sample `img` at `grid` (H' x W' x 2 in [-1, 1]) as torch's grid_sample(zeros padding,
    align_corners=False); with a `fill`, pixels sampled from outside take the fill value (nearest)
    or are blended with it by how much of them was outside (bilinear), as torchvision does."""
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with Tensor input")
    _check_tensor_image(img)
    channels = get_image_num_channels(img)
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of the "
                         f"image ({len(fill)} != {channels})")
    array = _array(img)
    dtype = _work_dtype(img)
    work = array.astype(dtype, copy=False)
    squeeze = work.ndim == 2
    if squeeze:
        work = work[None]
    if fill is not None:
        work = np.concatenate([work, np.ones_like(work[..., :1, :, :])], axis=-3)
    height, width = work.shape[-2:]
    x = ((grid[..., 0].astype(dtype) + 1) * width - 1) / 2
    y = ((grid[..., 1].astype(dtype) + 1) * height - 1) / 2
    if interpolation is InterpolationMode.NEAREST:
        out = _gather(work, np.rint(y).astype(np.int64), np.rint(x).astype(np.int64))
    else:
        x0, y0 = np.floor(x), np.floor(y)
        wx, wy = (x - x0).astype(dtype), (y - y0).astype(dtype)
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        out = (_gather(work, y0, x0) * ((1 - wx) * (1 - wy)) + _gather(work, y0, x0 + 1) * (wx * (1 - wy))
               + _gather(work, y0 + 1, x0) * ((1 - wx) * wy) + _gather(work, y0 + 1, x0 + 1) * (wx * wy))
    if fill is not None:
        out, mask = out[..., :-1, :, :], out[..., -1:, :, :]
        fill_values = np.asarray(fill if isinstance(fill, (tuple, list)) else [float(fill)], dtype=dtype)
        fill_image = np.broadcast_to(fill_values.reshape(-1, 1, 1), out.shape)
        if interpolation is InterpolationMode.NEAREST:
            out = np.where(np.broadcast_to(mask < 0.5, out.shape), fill_image, out)
        else:
            out = out * mask + (1.0 - mask) * fill_image
    if squeeze:
        out = out[0]
    if out.dtype != array.dtype:
        out = (np.round(out) if np.issubdtype(array.dtype, np.integer) else out).astype(array.dtype)
    return from_numpy(np.ascontiguousarray(out))


def _gather(image, rows, cols):
    """`image[..., rows, cols]` with zeros where (rows, cols) falls outside the image."""
    height, width = image.shape[-2:]
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    values = image[..., np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)]
    return values * inside


# ----------------------------------------------------------------------------------------------- colour

def _blend(img1, img2, ratio):
    """`ratio * img1 + (1 - ratio) * img2`, clamped to the dtype's range and cast back."""
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, _max_value(img1.dtype)).to(img1.dtype)


def _check_channels(img, permitted):
    channels = get_dimensions(img)[0]
    if channels not in permitted:
        raise TypeError(f'Input image tensor permitted channel values are {permitted}, but found {channels}')


def adjust_brightness(img, brightness_factor):
    """Multiply intensities by `brightness_factor` (0: black, 1: unchanged)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    if brightness_factor < 0:
        raise ValueError(f'brightness_factor ({brightness_factor}) is not non-negative.')
    _check_tensor_image(img)
    _check_channels(img, [1, 3])
    return _blend(img, zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level (0: solid grey, 1: unchanged)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    if contrast_factor < 0:
        raise ValueError(f'contrast_factor ({contrast_factor}) is not non-negative.')
    _check_tensor_image(img)
    _check_channels(img, [3, 1])
    from ... import float32
    dtype = img.dtype if img.is_floating_point() else float32
    grey = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    return _blend(img, grey.to(dtype).mean(dim=(-3, -2, -1), keepdim=True), contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image (0: grey, 1: unchanged, 2: twice as saturated)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Color(img).enhance(saturation_factor)
    if saturation_factor < 0:
        raise ValueError(f'saturation_factor ({saturation_factor}) is not non-negative.')
    _check_tensor_image(img)
    _check_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def adjust_hue(img, hue_factor):
    """Rotate the hue channel (in HSV) by `hue_factor` turns, in [-0.5, 0.5]."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor ({hue_factor}) is not in [-0.5, 0.5].')
    if not isinstance(img, Tensor):
        _check_pil(img)
        if img.mode in {'L', '1', 'I', 'F'}:
            return img
        hue, saturation, value = img.convert('HSV').split()
        hue_array = np.array(hue, dtype=np.uint8)
        # Pillow's hue is a byte: shift it with uint8 wrap-around, as torchvision does
        hue_array += np.int32(hue_factor * 255).astype(np.uint8)
        return Image.merge('HSV', (_image_from_array(hue_array, 'L'), saturation, value)).convert(img.mode)
    _check_tensor_image(img)
    _check_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    from ... import float32
    as_float = convert_image_dtype(img, float32)
    hsv = _rgb_to_hsv(_array(as_float))
    hsv[..., 0, :, :] = np.fmod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    hsv[..., 0, :, :] += np.where(hsv[..., 0, :, :] < 0, np.float32(1.0), np.float32(0.0))  # Python-style %
    return convert_image_dtype(from_numpy(_hsv_to_rgb(hsv)), img.dtype)


def _image_from_array(array, mode):
    return Image.frombuffer(mode, (array.shape[1], array.shape[0]), np.ascontiguousarray(array).tobytes(),
                            'raw', mode, 0, 1)


def _rgb_to_hsv(rgb):
    """torchvision's `_rgb2hsv` on a float array `(..., 3, H, W)`."""
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    equal = maxc == minc
    chroma = maxc - minc
    ones = np.ones_like(maxc)
    saturation = chroma / np.where(equal, ones, maxc)
    divisor = np.where(equal, ones, chroma)
    rc, gc, bc = (maxc - r) / divisor, (maxc - g) / divisor, (maxc - b) / divisor
    hue = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
           + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)).astype(rgb.dtype)
    hue = np.fmod(hue / 6.0 + 1.0, 1.0).astype(rgb.dtype)
    return np.stack([hue, saturation, maxc], axis=-3)


def _hsv_to_rgb(hsv):
    """torchvision's `_hsv2rgb`: pick (r, g, b) among (v, p, q, t) by the hue sector."""
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    sector = np.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    choices = np.stack([np.stack(channel, axis=0) for channel in
                        ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))], axis=0)
    picked = np.take_along_axis(choices, np.broadcast_to(sector, (3, 1) + sector.shape), axis=1)[:, 0]
    return np.moveaxis(picked, 0, -3).astype(hsv.dtype)


def adjust_gamma(img, gamma, gain=1):
    """`gain * I ** gamma` on intensities scaled to [0, 1]."""
    if gamma < 0:
        raise ValueError('Gamma should be a non-negative real number')
    if not isinstance(img, Tensor):
        _check_pil(img)
        input_mode = img.mode
        gamma_map = [int((255 + 1 - 0.001) * gain * pow(level / 255.0, gamma)) for level in range(256)] * 3
        return img.convert('RGB').point(gamma_map).convert(input_mode)
    _check_channels(img, [1, 3])
    from ... import float32
    result = img if img.is_floating_point() else convert_image_dtype(img, float32)
    return convert_image_dtype((gain * result.pow(gamma)).clamp(0, 1), img.dtype)


def invert(img):
    """`max - I` per channel."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.invert(img)
    _check_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def _check_image_3d(img):
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found {img.ndim}')


def _check_uint8(img):
    if img.dtype != _dtype.uint8:
        raise TypeError(f'Only ember.uint8 image tensors are supported, but found {img.dtype}')


def posterize(img, bits):
    """Keep the `bits` high bits of each 8-bit channel value (0 to 8)."""
    if not 0 <= bits <= 8:
        raise ValueError(f'The number if bits should be between 0 and 8. Got {bits}')
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.posterize(img, bits)
    _check_image_3d(img)
    _check_uint8(img)
    _check_channels(img, [1, 3])
    # -2**(8 - bits) is the mask ~(2**(8 - bits) - 1): the low bits cleared
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    """Invert the values at or above `threshold`."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.solarize(img, threshold)
    _check_image_3d(img)
    _check_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError('Threshold should be less than bound of img.')
    from ... import where
    return where(img >= threshold, invert(img), img)


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy (0: smoothed, 1: unchanged, 2: twice as sharp), as Pillow's
    `ImageEnhance.Sharpness`: the smoothing kernel is [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 and
    the border pixels are kept."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    if sharpness_factor < 0:
        raise ValueError(f'sharpness_factor ({sharpness_factor}) is not non-negative.')
    _check_tensor_image(img)
    _check_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return _blend(img, _smoothed(img), sharpness_factor)


def _smoothed(img):
    """torchvision's `_blurred_degenerate_image`: the 3x3 smoothing of the interior, in float32 (or
    the image's float dtype), rounded back for integer images; the one-pixel border unchanged."""
    array = _array(img)
    work = array.astype(_work_dtype(img), copy=False)
    kernel = np.ones((3, 3), dtype=work.dtype)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    height, width = work.shape[-2:]
    interior = sum(kernel[dy, dx] * work[..., dy:height - 2 + dy, dx:width - 2 + dx]
                   for dy in range(3) for dx in range(3))
    if np.issubdtype(array.dtype, np.integer):
        interior = np.round(interior)
    out = array.copy()
    out[..., 1:-1, 1:-1] = interior.astype(array.dtype)
    return from_numpy(out)


def autocontrast(img):
    """Stretch each channel linearly so its darkest value becomes 0 and its brightest the maximum
    (channels of a single value are left as they are)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.autocontrast(img)
    _check_image_3d(img)
    _check_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    work_dtype = img.dtype if img.is_floating_point() else _dtype.float32
    minimum = img.amin(dim=(-2, -1), keepdim=True).to(work_dtype)
    maximum = img.amax(dim=(-2, -1), keepdim=True).to(work_dtype)
    flat = maximum == minimum  # where bound / 0 would not be finite, torchvision uses scale 1, offset 0
    scale = (bound / (maximum - minimum).masked_fill(flat, 1)).masked_fill(flat, 1)
    minimum = minimum.masked_fill(flat, 0)
    return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)


def equalize(img):
    """Histogram equalisation of each channel of a uint8 image (Pillow's `ImageOps.equalize`)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.equalize(img)
    _check_tensor_image(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f'Input image tensor should have 3 or 4 dimensions, but found {img.ndim}')
    _check_uint8(img)
    _check_channels(img, [1, 3])
    array = _array(img)
    channels = array.reshape(-1, array.shape[-2] * array.shape[-1]).astype(np.int64)
    count = channels.shape[0]
    # one 256-bin histogram per channel, in one bincount: channel k counts in bins 256k..256k+255
    hist = np.bincount((channels + 256 * np.arange(count)[:, None]).ravel(), minlength=256 * count).reshape(count, 256)
    # step: the pixels outside the last non-empty bin, spread over 255 levels
    last_level = 255 - np.argmax(hist[:, ::-1] != 0, axis=1)
    step = (channels.shape[1] - hist[np.arange(count), last_level]) // 255
    safe_step = np.maximum(step, 1)[:, None]
    lut = (np.cumsum(hist, axis=1) + safe_step // 2) // safe_step
    lut = np.clip(np.concatenate([np.zeros((count, 1), np.int64), lut[:, :-1]], axis=1), 0, 255)
    equalized = np.take_along_axis(lut, channels, axis=1)
    out = np.where((step == 0)[:, None], channels, equalized)  # one level only: unchanged
    return from_numpy(out.astype(np.uint8).reshape(array.shape))


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Sample the image at each pixel moved by `displacement` (`1 x H x W x 2`, in grid_sample's
    [-1, 1] units), as torchvision does for `ElasticTransform`."""
    interpolation = _interpolation_mode(interpolation)
    if not isinstance(displacement, Tensor):
        raise TypeError('Argument displacement should be a Tensor')
    tensor_img = img
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f'img should be PIL Image or Tensor. Got {type(img)}')
        tensor_img = pil_to_tensor(img)
    expected_shape = (1, *tensor_img.shape[-2:], 2)
    if tuple(displacement.shape) != expected_shape:
        raise ValueError(f'Argument displacement shape should be {expected_shape}, but given '
                         f'{tuple(displacement.shape)}')
    from ... import linspace, meshgrid, stack
    # pixel centres in [-1, 1] (align_corners=False) plus the displacement
    rows, cols = (linspace((1 - size) / size, (size - 1) / size, size) for size in tensor_img.shape[-2:])
    grid_y, grid_x = meshgrid(rows, cols, indexing='ij')
    grid = (stack([grid_x, grid_y], -1) + displacement[0].to(grid_x.dtype)).numpy()
    output = _warp_tensor(tensor_img, grid, interpolation, fill)
    return output if isinstance(img, Tensor) else to_pil_image(output, mode=img.mode)


def to_grayscale(img, num_output_channels=1):
    """A PIL Image of any mode in grey ('L'), or as 3 equal RGB channels."""
    if not isinstance(img, Image.Image):
        raise TypeError('Input should be PIL Image')
    if num_output_channels == 1:
        return img.convert('L')
    if num_output_channels == 3:
        grey = np.array(img.convert('L'), dtype=np.uint8)
        return _image_from_array(np.dstack([grey, grey, grey]), 'RGB')
    raise ValueError('num_output_channels should be either 1 or 3')


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma `0.2989 R + 0.587 G + 0.114 B` (Pillow's 'L' conversion for PIL Images)."""
    if not isinstance(img, Tensor):
        return to_grayscale(img, num_output_channels)
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found {img.ndim}')
    _check_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError('num_output_channels should be either 1 or 3')
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        grey = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        grey = img.clone()
    return grey.expand(img.shape) if num_output_channels == 3 else grey


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the `h x w` region at `(i, j)` of a tensor image with `v`."""
    if not isinstance(img, Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(img)}')
    _check_tensor_image(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a Gaussian kernel of odd `kernel_size` (x, y) and standard deviation `sigma`
    (default `0.3 * ((k - 1) * 0.5 - 1) + 0.8`), reflecting at the borders."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f'kernel_size should be int or a sequence of integers. Got {type(kernel_size)}')
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f'If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}')
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f'kernel_size should have odd and positive integers. Got {kernel_size}')
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f'sigma should be either float or sequence of floats. Got {type(sigma)}')
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f'If sigma is a sequence, its length should be 2. Got {len(sigma)}')
    if any(s <= 0.0 for s in sigma):
        raise ValueError(f'sigma should have positive values. Got {sigma}')
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f'img should be PIL Image or Tensor. Got {type(img)}')
        return to_pil_image(gaussian_blur(pil_to_tensor(img), kernel_size, sigma), mode=img.mode)
    _check_tensor_image(img)
    array = _array(img)
    dtype = _work_dtype(img)
    kernel_x = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    kernel_y = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    kernel = np.outer(kernel_y, kernel_x)
    half_x, half_y = kernel_size[0] // 2, kernel_size[1] // 2
    if half_x >= array.shape[-1] or half_y >= array.shape[-2]:
        # torch's reflect padding (which torchvision calls) cannot reflect more than the image holds
        raise RuntimeError(f'Padding size should be less than the corresponding input dimension, but got: padding '
                           f'({half_x}, {half_x}, {half_y}, {half_y}) for an image of size {tuple(array.shape[-2:])} '
                           f'(gaussian_blur with kernel_size {list(kernel_size)})')
    widths = ((0, 0),) * (array.ndim - 2) + ((half_y, half_y), (half_x, half_x))
    padded = np.pad(array.astype(dtype, copy=False), widths, mode='reflect')
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kernel_size[1], kernel_size[0]), axis=(-2, -1))
    out = np.tensordot(windows, kernel, axes=([-2, -1], [0, 1])).astype(dtype, copy=False)
    if out.dtype != array.dtype:
        out = (np.round(out) if np.issubdtype(array.dtype, np.integer) else out).astype(array.dtype)
    return from_numpy(np.ascontiguousarray(out))


def _gaussian_kernel1d(kernel_size, sigma, dtype):
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size).astype(dtype)
    pdf = np.exp(-0.5 * (x / dtype(sigma)) ** 2)
    return pdf / pdf.sum()
