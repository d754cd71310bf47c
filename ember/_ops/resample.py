"""Padding, resampling (upsampling / interpolation) and pixel shuffling.

Every non-constant pad and every interpolation mode is *separable*: along each spatial axis the
output is a fixed linear map of the input — a gather (reflect / replicate / circular padding, the
nearest modes) or a small weight matrix (linear, cubic). One op, `_separable`, applies such a
map per axis (`np.take`, or one GEMM per axis) and its backward applies the transposed maps, which
is again a `_separable` op, so double backward comes for free. The index and weight formulas follow
ATen's UpSample.h exactly, computed in the input's float dtype as ATen's CPU kernels do. ('area'
interpolation is adaptive average pooling, which the pooling family provides.) Antialiased resizing
(`antialias=True`) is separable too: its weight matrices are PIL's resampling filters, widened when
shrinking.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import _scalar_type_name
from ._util import record, result

__all__ = ['constant_pad_nd', 'pixel_shuffle', 'pixel_unshuffle']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


# ---- constant padding (any number of dims; negative padding crops) -------------------------------
class ConstantPadNdBackward0(Node):
    __slots__ = ('pad',)

    def backward(self, grad):
        # padding by the negated amounts crops the padding back off
        return (constant_pad_nd(grad, [-p for p in self.pad]),)


def _padded_sizes(shape, pad):
    """The output shape of padding the last len(pad)//2 dims by (left, right) pairs, last dim first."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > len(shape):
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {len(shape)}")
    sizes = list(shape)
    for i in range(len(pad) // 2):
        axis = len(shape) - 1 - i
        new_size = shape[axis] + pad[2 * i] + pad[2 * i + 1]
        if new_size < 0:
            raise RuntimeError(f"The input size {shape[axis]}, plus negative padding {pad[2 * i]} and "
                               f"{pad[2 * i + 1]} resulted in a negative output size, which is invalid. Check "
                               f"dimension {axis} of your input.")
        sizes[axis] = new_size
    return tuple(sizes)


def constant_pad_nd(input, pad, value=0):
    """Pad the last len(pad)//2 dims with `value`; `pad` is (left, right) pairs starting from the
    last dim. Negative amounts remove elements instead."""
    data = input._data
    pad = [int(p) for p in pad]
    out = np.full(_padded_sizes(data.shape, pad), value, dtype=data.dtype)
    source, target = [slice(None)] * data.ndim, [slice(None)] * data.ndim
    for i in range(len(pad) // 2):
        axis = data.ndim - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        start, stop = max(-left, 0), data.shape[axis] - max(-right, 0)
        length = max(stop - start, 0)
        source[axis] = slice(start, start + length)
        target[axis] = slice(max(left, 0), max(left, 0) + length)
    out[tuple(target)] = data[tuple(source)]
    node = record(ConstantPadNdBackward0, input)
    if node is not None:
        node.pad = pad
    return result(out, node)


# ---- separable linear maps: the engine of non-constant pads and interpolation --------------------
class _SeparableBackward(Node):
    """Backward of a per-axis linear map: the transposed maps, applied the same way."""
    __slots__ = ('axes', 'maps', 'input_sizes')

    def backward(self, grad):
        transposed = [_transpose_map(m, size) for m, size in zip(self.maps, self.input_sizes)]
        output_sizes = [grad.shape[axis] for axis in self.axes]
        return (_separable(grad, self.axes, transposed, output_sizes, SeparableBackwardBackward),)


def _backward_node(name):
    return type(name, (_SeparableBackward,), {'__slots__': (), '__doc__': f"PyTorch's {name}."})


SeparableBackwardBackward = _backward_node('SeparableBackwardBackward')


def _transpose_map(map_, input_size):
    """A matrix's transpose; a gather's transpose is the 0/1 matrix that sums each output's gradient
    into the input position it read (a GEMM beats NumPy's scatter-adds along an inner axis)."""
    if map_.dtype.kind == 'f':
        return np.ascontiguousarray(map_.T)
    scatter = np.zeros((input_size, map_.size))
    scatter[map_, np.arange(map_.size)] = 1  # each output position reads exactly one input position
    return scatter


def _separable(input, axes, maps, input_sizes, node_class):
    """Apply `maps[i]` along `axes[i]`: an integer array gathers (`np.take`), a float matrix
    (out_size, in_size) contracts (one GEMM per axis)."""
    data = input._data
    for axis, map_ in zip(axes, maps):
        if map_.dtype.kind == 'f':
            matrix = map_.astype(data.dtype, copy=False)
            data = np.moveaxis(np.tensordot(data, matrix, axes=([axis], [1])), -1, axis)
        else:
            data = np.take(data, map_, axis=axis)
    node = record(node_class, input)
    if node is not None:
        node.axes, node.maps, node.input_sizes = axes, maps, input_sizes
    return result(np.ascontiguousarray(data), node)


# ---- reflect / replicate / circular padding ------------------------------------------------------
ReflectionPad1DBackward0 = _backward_node('ReflectionPad1DBackward0')
ReflectionPad2DBackward0 = _backward_node('ReflectionPad2DBackward0')
ReflectionPad3DBackward0 = _backward_node('ReflectionPad3DBackward0')
ReplicationPad1DBackward0 = _backward_node('ReplicationPad1DBackward0')
ReplicationPad2DBackward0 = _backward_node('ReplicationPad2DBackward0')
ReplicationPad3DBackward0 = _backward_node('ReplicationPad3DBackward0')
# PyTorch builds circular padding from slice copies (its grad_fn is CopySlices); here it is a gather
CircularPadBackward0 = _backward_node('CircularPadBackward0')

_PAD_NODES = {('reflect', 1): ReflectionPad1DBackward0, ('reflect', 2): ReflectionPad2DBackward0,
              ('reflect', 3): ReflectionPad3DBackward0, ('replicate', 1): ReplicationPad1DBackward0,
              ('replicate', 2): ReplicationPad2DBackward0, ('replicate', 3): ReplicationPad3DBackward0,
              ('circular', 1): CircularPadBackward0, ('circular', 2): CircularPadBackward0,
              ('circular', 3): CircularPadBackward0}


def _pad_source_positions(mode, size, left, right):
    """For each output position along one axis, the input position it copies."""
    positions = np.arange(-left, size + right)
    if mode == 'reflect':  # mirror about the first and last element, which are not repeated
        last = size - 1
        return last - np.abs(last - np.abs(positions))
    if mode == 'replicate':
        return np.clip(positions, 0, size - 1)
    # circular: negative amounts crop first; positive amounts then wrap around what is left
    crop_left, crop_right = max(-left, 0), max(-right, 0)
    kept = size - crop_left - crop_right
    return np.arange(-max(left, 0), kept + max(right, 0)) % kept + crop_left


def pad_nonconstant(input, pad, mode):
    """Reflect, replicate or circular padding of the last 1, 2 or 3 dims (PyTorch's rules for which
    input ranks each padding length accepts)."""
    shape = input._data.shape
    padded_dims = len(pad) // 2
    if len(pad) % 2 or padded_dims > 3 or padded_dims == 0 or not padded_dims + 1 <= len(shape) <= padded_dims + 2:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {len(shape)}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    axes, maps, sizes = [], [], []
    for i in range(padded_dims):
        axis = len(shape) - 1 - i
        size, left, right = shape[axis], int(pad[2 * i]), int(pad[2 * i + 1])
        if mode == 'reflect' and (left >= size or right >= size):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({left}, {right}) at dimension {axis} of input {list(shape)}")
        if mode == 'circular' and (left > size or right > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + left + right < 0 or (size == 0 and left + right > 0):
            raise RuntimeError(f"input tensor must have a non-zero size at dimension {axis} and a non-negative "
                               f"output size, but got padding ({left}, {right}) for size {size}")
        axes.append(axis)
        maps.append(_pad_source_positions(mode, size, left, right))
        sizes.append(size)
    return _separable(input, axes, maps, sizes, _PAD_NODES[mode, padded_dims])


# ---- interpolation: ATen's source-index formulas (UpSample.h) ------------------------------------
UpsampleNearest1DBackward0 = _backward_node('UpsampleNearest1DBackward0')
UpsampleNearest2DBackward0 = _backward_node('UpsampleNearest2DBackward0')
UpsampleNearest3DBackward0 = _backward_node('UpsampleNearest3DBackward0')
UpsampleNearestExact1DBackward0 = _backward_node('UpsampleNearestExact1DBackward0')
UpsampleNearestExact2DBackward0 = _backward_node('UpsampleNearestExact2DBackward0')
UpsampleNearestExact3DBackward0 = _backward_node('UpsampleNearestExact3DBackward0')
UpsampleLinear1DBackward0 = _backward_node('UpsampleLinear1DBackward0')
UpsampleBilinear2DBackward0 = _backward_node('UpsampleBilinear2DBackward0')
UpsampleTrilinear3DBackward0 = _backward_node('UpsampleTrilinear3DBackward0')
UpsampleBicubic2DBackward0 = _backward_node('UpsampleBicubic2DBackward0')

_UPSAMPLE_NODES = {
    ('nearest', 1): UpsampleNearest1DBackward0, ('nearest', 2): UpsampleNearest2DBackward0,
    ('nearest', 3): UpsampleNearest3DBackward0, ('nearest-exact', 1): UpsampleNearestExact1DBackward0,
    ('nearest-exact', 2): UpsampleNearestExact2DBackward0, ('nearest-exact', 3): UpsampleNearestExact3DBackward0,
    ('linear', 1): UpsampleLinear1DBackward0, ('bilinear', 2): UpsampleBilinear2DBackward0,
    ('trilinear', 3): UpsampleTrilinear3DBackward0, ('bicubic', 2): UpsampleBicubic2DBackward0,
}

_CUBIC_A = -0.75  # the cubic convolution constant PyTorch (and OpenCV) use


def _scale(input_size, output_size, scale_factor, dtype):
    """compute_scales_value: 1/scale_factor when given, else input_size/output_size, in `dtype`."""
    if scale_factor is not None and scale_factor > 0:
        return dtype.type(1.0 / scale_factor)
    return dtype.type(dtype.type(input_size) / output_size)


def _linear_scale(input_size, output_size, scale_factor, align_corners, dtype):
    """area_pixel_compute_scale: align_corners maps the corner pixels' centres onto each other."""
    if align_corners:
        return dtype.type((input_size - 1) / (output_size - 1)) if output_size > 1 else dtype.type(0)
    return _scale(input_size, output_size, scale_factor, dtype)


def _source_index(scale, output_size, align_corners, cubic, dtype):
    """area_pixel_compute_source_index for every output position: the input coordinate it samples."""
    positions = np.arange(output_size, dtype=dtype)
    if align_corners:
        return scale * positions
    source = scale * (positions + dtype.type(0.5)) - dtype.type(0.5)
    return source if cubic else np.maximum(source, 0)


def _nearest_map(input_size, output_size, scale_factor, exact, dtype):
    # ATen computes nearest indices in float32 whatever the tensor's dtype
    scale = _scale(input_size, output_size, scale_factor, np.dtype(np.float32))
    if exact:
        source = ((np.arange(output_size) + 0.5) * np.float64(scale)).astype(np.float32)
    else:
        source = np.arange(output_size, dtype=np.float32) * scale
    return np.minimum(np.floor(source).astype(np.int64), input_size - 1)


def _linear_map(input_size, output_size, scale_factor, align_corners, dtype):
    matrix = np.zeros((output_size, input_size), dtype=dtype)
    rows = np.arange(output_size)
    if input_size == output_size:
        matrix[rows, rows] = 1
        return matrix
    scale = _linear_scale(input_size, output_size, scale_factor, align_corners, dtype)
    source = _source_index(scale, output_size, align_corners, False, dtype)
    index0 = np.minimum(np.floor(source).astype(np.int64), input_size - 1)
    lambda1 = np.clip(source - index0.astype(dtype), 0, 1)
    index1 = index0 + (index0 < input_size - 1)
    np.add.at(matrix, (rows, index0), 1 - lambda1)
    np.add.at(matrix, (rows, index1), lambda1)
    return matrix


def _cubic_near(x, a):
    """The cubic convolution kernel for |x| <= 1."""
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic_far(x, a):
    """The cubic convolution kernel for 1 < |x| < 2."""
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _cubic_weights(t):
    """The four cubic-convolution weights for taps at offsets -1, 0, 1, 2 from floor(source)."""
    a = _CUBIC_A
    return _cubic_far(t + 1, a), _cubic_near(t, a), _cubic_near(1 - t, a), _cubic_far(2 - t, a)


def _cubic_map(input_size, output_size, scale_factor, align_corners, dtype):
    matrix = np.zeros((output_size, input_size), dtype=dtype)
    rows = np.arange(output_size)
    scale = _linear_scale(input_size, output_size, scale_factor, align_corners, dtype)
    source = _source_index(scale, output_size, align_corners, True, dtype)
    floor = np.floor(source)
    t = source - floor
    for offset, weight in zip((-1, 0, 1, 2), _cubic_weights(t)):
        # taps outside the input read the border pixel (upsample_get_value_bounded)
        np.add.at(matrix, (rows, np.clip(floor.astype(np.int64) + offset, 0, input_size - 1)), weight)
    return matrix


def _size_error(input_sizes, output_sizes):
    """PyTorch's message for an empty spatial input or output size, each axis named D, H or W."""
    names = 'DHW'[3 - len(input_sizes):]

    def sizes(values):
        return ', '.join(f'{name}: {int(value)}' for name, value in zip(names, values))
    joint = ' and ' if len(input_sizes) == 1 else ' '
    return RuntimeError(f"Input and output sizes should be greater than 0, but got input ({sizes(input_sizes)})"
                        f"{joint}output ({sizes(output_sizes)})")


def upsample(input, mode, output_size, scale_factors=None, align_corners=False):
    """Resample the spatial dims (all dims after the first two) to `output_size` with `mode`;
    `scale_factors` (or None) are passed on to the index formulas as PyTorch does."""
    data = input._data
    spatial = data.ndim - 2
    if data.dtype.kind != 'f' and mode != 'nearest' and mode != 'nearest-exact':
        raise NotImplementedError(f'"upsample_{mode}_cpu" not implemented for \'{data.dtype}\'')
    dtype = data.dtype if data.dtype.kind == 'f' else np.dtype(np.float32)
    axes, maps, sizes = [], [], []
    for i in range(spatial):
        axis = 2 + i
        input_size, out_size = data.shape[axis], int(output_size[i])
        if input_size <= 0 or out_size <= 0:
            raise _size_error(data.shape[2:], output_size)
        scale_factor = None if scale_factors is None else scale_factors[i]
        if mode in ('nearest', 'nearest-exact'):
            map_ = _nearest_map(input_size, out_size, scale_factor, mode == 'nearest-exact', dtype)
        elif mode == 'bicubic':
            map_ = _cubic_map(input_size, out_size, scale_factor, align_corners, dtype)
        else:
            map_ = _linear_map(input_size, out_size, scale_factor, align_corners, dtype)
        axes.append(axis)
        maps.append(map_)
        sizes.append(input_size)
    return _separable(input, axes, maps, sizes, _UPSAMPLE_NODES[mode, spatial])


# ---- antialiased interpolation: PIL's resampling filters (ATen's _upsample_*_aa) ------------------
UpsampleBilinear2DAaBackward0 = _backward_node('UpsampleBilinear2DAaBackward0')
UpsampleBicubic2DAaBackward0 = _backward_node('UpsampleBicubic2DAaBackward0')
UpsampleLanczos2DAaBackward0 = _backward_node('UpsampleLanczos2DAaBackward0')

_ANTIALIAS_NODES = {'bilinear': UpsampleBilinear2DAaBackward0, 'bicubic': UpsampleBicubic2DAaBackward0,
                    'lanczos': UpsampleLanczos2DAaBackward0}


def _triangle_filter(x):
    return np.maximum(1 - np.abs(x), 0)


def _keys_cubic_filter(x):
    """Keys' cubic with a = -0.5 (PIL's bicubic), not the -0.75 of plain bicubic interpolation."""
    x = np.abs(x)
    return np.where(x < 1, _cubic_near(x, -0.5), np.where(x < 2, _cubic_far(x, -0.5), 0))


def _lanczos3_filter(x):
    """sinc(x) * sinc(x / 3) on |x| < 3 (np.sinc is the normalised sin(pi x) / (pi x))."""
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0)


# each filter and its width in input pixels at scale 1 (ATen's interp_size)
_ANTIALIAS_FILTERS = {'bilinear': (_triangle_filter, 2), 'bicubic': (_keys_cubic_filter, 4),
                      'lanczos': (_lanczos3_filter, 6)}


def _antialias_map(input_size, output_size, scale_factor, align_corners, mode, dtype):
    """The (output_size, input_size) weights of PIL-style resampling along one axis: output pixel i is
    centred at input coordinate `scale * (i + 0.5)` (with align_corners too; it only changes `scale`),
    and when shrinking (scale > 1) the filter is stretched by `scale`, so that it averages every input
    pixel under the output pixel instead of sampling a few (the antialiasing). Each row's weights,
    limited to the input, are normalised to sum to 1. Arithmetic in `dtype`, as ATen's."""
    if input_size == output_size:  # PyTorch copies such an axis unchanged, whatever the scale
        return np.eye(output_size, dtype=dtype)
    filter_, width = _ANTIALIAS_FILTERS[mode]
    scale = float(_linear_scale(input_size, output_size, scale_factor, align_corners, dtype))
    support = dtype.type(width / 2 * max(scale, 1.0))
    inverse_stretch = float(dtype.type(1 / scale)) if scale >= 1 else 1.0
    # (ATen rounds these to `dtype` but adds the 0.5s in double: so do the casts below)
    center = (scale * (np.arange(output_size) + 0.5)).astype(dtype)
    first = np.maximum(((center - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    stop = np.minimum(((center + support).astype(np.float64) + 0.5).astype(np.int64), input_size)
    stop = np.minimum(stop, first + int(np.ceil(support)) * 2 + 1)  # rounding can add a tap: ATen drops it
    positions = np.arange(input_size)
    offsets = (positions.astype(dtype) - center[:, None]).astype(np.float64)
    distance = ((offsets + 0.5) * inverse_stretch).astype(dtype)
    inside = (positions >= first[:, None]) & (positions < stop[:, None])
    weights = np.where(inside, filter_(distance), 0).astype(dtype)
    totals = weights.sum(axis=1, keepdims=True)
    return weights / np.where(totals == 0, 1, totals).astype(dtype)


def upsample_antialias(input, mode, output_size, scale_factors=None, align_corners=False):
    """`interpolate(..., antialias=True)` of an (N, C, H, W) input with 'bilinear', 'bicubic' or
    'lanczos': the width resampled first, then the height, as ATen does."""
    data = input._data
    if data.dtype == np.uint8:
        raise NotImplementedError("interpolate(antialias=True) of a uint8 image (PyTorch's fixed-point kernel) is "
                                  "not supported by ember: convert the image to float32 first")
    if data.dtype != np.float32 and data.dtype != np.float64:
        raise NotImplementedError(f"\"compute_index_ranges_weights\" not implemented for "
                                  f"'{_scalar_type_name(data.dtype)}'")
    if min(data.shape[2:]) <= 0 or min(output_size) <= 0:
        raise _size_error(data.shape[2:], output_size)
    axes, maps = [3, 2], []
    for axis in axes:
        scale_factor = None if scale_factors is None else scale_factors[axis - 2]
        maps.append(_antialias_map(data.shape[axis], int(output_size[axis - 2]), scale_factor, align_corners, mode,
                                   data.dtype))
    return _separable(input, axes, maps, [data.shape[axis] for axis in axes], _ANTIALIAS_NODES[mode])


# ---- pixel shuffle: depth <-> space rearrangement ------------------------------------------------
class PixelShuffleBackward0(Node):
    __slots__ = ('upscale_factor',)

    def backward(self, grad):
        return (pixel_unshuffle(grad, self.upscale_factor),)


class PixelUnshuffleBackward0(Node):
    __slots__ = ('downscale_factor',)

    def backward(self, grad):
        return (pixel_shuffle(grad, self.downscale_factor),)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): each group of r*r channels becomes an r x r block."""
    data = input._data
    r = int(upscale_factor)
    if data.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{data.ndim} dimension(s)")
    *batch, channels, height, width = data.shape
    if channels % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}")
    n = len(batch)
    blocks = data.reshape(*batch, channels // (r * r), r, r, height, width)
    # (c, i, j, h, w) -> (c, h, i, w, j)
    order = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    out = blocks.transpose(order).reshape(*batch, channels // (r * r), height * r, width * r)
    node = record(PixelShuffleBackward0, input)
    if node is not None:
        node.upscale_factor = r
    return result(out, node)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of pixel_shuffle."""
    data = input._data
    r = int(downscale_factor)
    if data.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{data.ndim} dimension(s)")
    *batch, channels, height, width = data.shape
    if height % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{height} is not divisible by {r}")
    if width % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{width} is not divisible by {r}")
    n = len(batch)
    blocks = data.reshape(*batch, channels, height // r, r, width // r, r)
    # (c, h, i, w, j) -> (c, i, j, h, w)
    order = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    out = blocks.transpose(order).reshape(*batch, channels * r * r, height // r, width // r)
    node = record(PixelUnshuffleBackward0, input)
    if node is not None:
        node.downscale_factor = r
    return result(out, node)
