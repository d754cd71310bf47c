"""Reading and writing image files, as `torchvision.io`'s image part, done with Pillow.

Images are `C x H x W` uint8 tensors; encoded files are 1-D uint8 tensors of their bytes. torchvision
decodes with libpng and libjpeg-turbo, Pillow with libpng and its own libjpeg build: PNG pixels are the
same, JPEG pixels can differ by a few levels (decoders may choose different IDCT and upsampling
methods), and GRAY conversions of colour images follow Pillow's ITU-R 601-2 luma weights.
"""
import io as _bytes_io
from enum import Enum

import numpy as np
from PIL import Image, ImageOps

from .._creation import from_numpy
from .._tensor import Tensor

__all__ = ['ImageReadMode', 'read_file', 'write_file', 'decode_image', 'read_image', 'decode_png', 'decode_jpeg',
           'encode_png', 'encode_jpeg', 'write_png', 'write_jpeg']


class ImageReadMode(Enum):
    """The channels to decode to: UNCHANGED (as stored), GRAY, GRAY_ALPHA, RGB, RGB_ALPHA (alias RGBA).
    The functions also take the names as strings, e.g. `mode="RGB"`."""
    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


# the Pillow mode each requested mode converts to
_PIL_MODE = {ImageReadMode.GRAY: 'L', ImageReadMode.GRAY_ALPHA: 'LA', ImageReadMode.RGB: 'RGB',
             ImageReadMode.RGB_ALPHA: 'RGBA'}


def _read_mode(mode):
    return ImageReadMode[mode.upper()] if isinstance(mode, str) else mode


def read_file(path):
    """The bytes of the file at `path` as a 1-D uint8 tensor."""
    with open(str(path), 'rb') as file:
        return from_numpy(np.frombuffer(file.read(), dtype=np.uint8).copy())


def write_file(filename, data):
    """Write a 1-D uint8 tensor of bytes to `filename`."""
    with open(str(filename), 'wb') as file:
        file.write(data.numpy().tobytes())


def _check_encoded(input):
    if not isinstance(input, Tensor) or input.ndim != 1 or str(input.dtype) != 'ember.uint8':
        raise RuntimeError('Expected a non empty 1-dimensional uint8 tensor of encoded bytes, got '
                           f'{type(input).__name__} {getattr(input, "dtype", "")} {tuple(getattr(input, "shape", ()))}')


def _decode(input, mode, apply_exif_orientation, expected_format=None):
    _check_encoded(input)
    mode = _read_mode(mode)
    picture = Image.open(_bytes_io.BytesIO(input.numpy().tobytes()))
    if expected_format is not None and picture.format != expected_format:
        raise RuntimeError(f'Expected a {expected_format} image, got {picture.format}')
    if apply_exif_orientation:
        picture = ImageOps.exif_transpose(picture)
    if mode is not ImageReadMode.UNCHANGED:
        picture = picture.convert(_PIL_MODE[mode])
    elif picture.mode == 'P':  # palette images decode to their colours, as libpng expands them
        picture = picture.convert('RGBA' if 'transparency' in picture.info else 'RGB')
    elif picture.mode == '1':
        picture = picture.convert('L')
    pixels = np.asarray(picture)
    if picture.mode.startswith('I;16'):
        pixels = pixels.astype(np.uint16)  # 16-bit PNGs decode to uint16, as in torchvision 0.21+
    return from_numpy(np.ascontiguousarray(pixels.reshape(pixels.shape[0], pixels.shape[1], -1).transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode a PNG, JPEG, GIF or WebP image -- a 1-D uint8 tensor of its bytes, or a path -- into a
    `C x H x W` uint8 tensor, converted to `mode`."""
    if not isinstance(input, Tensor):
        input = read_file(str(input))
    return _decode(input, mode, apply_exif_orientation)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """`decode_image` of the file at `path`."""
    return _decode(read_file(path), mode, apply_exif_orientation)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode PNG bytes (a 1-D uint8 tensor) into a `C x H x W` tensor (uint8, or uint16 for 16-bit PNGs)."""
    return _decode(input, mode, apply_exif_orientation, 'PNG')


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device='cpu', apply_exif_orientation=False):
    """Decode JPEG bytes (a 1-D uint8 tensor, or a list of them) into `C x H x W` uint8 tensor(s)."""
    if isinstance(input, list):
        return [_decode(data, mode, apply_exif_orientation, 'JPEG') for data in input]
    return _decode(input, mode, apply_exif_orientation, 'JPEG')


def _encode(input, format, **options):
    if not isinstance(input, Tensor) or str(input.dtype) != 'ember.uint8' or input.ndim != 3:
        raise RuntimeError(f'Input tensor dtype should be uint8 and have 3 dimensions (C x H x W), got '
                           f'{getattr(input, "dtype", type(input).__name__)} of shape {tuple(getattr(input, "shape", ()))}')
    pixels = input.numpy().transpose(1, 2, 0)
    if pixels.shape[2] not in (1, 3):
        raise RuntimeError(f'The number of channels should be 1 or 3, got: {pixels.shape[2]}')
    buffer = _bytes_io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels[..., 0] if pixels.shape[2] == 1 else pixels)).save(
        buffer, format=format, **options)
    return from_numpy(np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level=6):
    """A `C x H x W` uint8 image (C = 1 or 3) as PNG bytes, a 1-D uint8 tensor."""
    if compression_level < 0 or compression_level > 9:
        raise ValueError('Compression level should be between 0 and 9')
    return _encode(input, 'PNG', compress_level=compression_level)


def encode_jpeg(input, quality=75):
    """A `C x H x W` uint8 image (C = 1 or 3), or a list of them, as JPEG bytes (1-D uint8 tensors)."""
    if quality < 1 or quality > 100:
        raise ValueError('Image quality should be a positive number between 1 and 100')
    if isinstance(input, list):
        if not input:
            raise ValueError('encode_jpeg requires at least one input tensor when a list is passed')
        return [_encode(image, 'JPEG', quality=quality) for image in input]
    return _encode(input, 'JPEG', quality=quality)


def write_png(input, filename, compression_level=6):
    """Encode a `C x H x W` uint8 image as PNG and write it to `filename`."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input, filename, quality=75):
    """Encode a `C x H x W` uint8 image as JPEG and write it to `filename`."""
    write_file(filename, encode_jpeg(input, quality))
