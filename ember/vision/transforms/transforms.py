"""Transform classes: callables that hold their arguments and call `transforms.functional`.

The random ones draw from ember's generator with the same calls torchvision makes on torch's
(`rand(1) < p`, `randint(0, n, size=(1,))`, `empty(1).uniform_(a, b)`, `randperm(4)`), so the same
seed gives the same crops, flips and angles as torchvision; `RandomOrder`/`RandomChoice` use
Python's `random`, as torchvision's do. Transforms that are `nn.Module`s in torchvision are here too.
"""
import math
import numbers
import random
import warnings
from collections.abc import Sequence

from ... import empty, exp, log, rand, randint, randperm, tensor
from ..._tensor import Tensor
from ...nn.modules.module import Module
from . import functional as F
from .functional import InterpolationMode, _interpolation_mode

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ConvertImageDtype', 'ToPILImage', 'Normalize', 'Resize',
           'CenterCrop', 'Pad', 'Lambda', 'RandomApply', 'RandomChoice', 'RandomOrder', 'RandomCrop',
           'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomResizedCrop', 'FiveCrop', 'TenCrop', 'ColorJitter',
           'RandomRotation', 'RandomAffine', 'Grayscale', 'RandomGrayscale', 'RandomPerspective', 'RandomErasing',
           'GaussianBlur', 'InterpolationMode', 'RandomInvert', 'RandomPosterize', 'RandomSolarize',
           'RandomAdjustSharpness', 'RandomAutocontrast', 'RandomEqualize', 'ElasticTransform', 'LinearTransformation']


def _uniform(low, high):
    """One float drawn as torchvision draws it: `torch.empty(1).uniform_(low, high).item()`."""
    return empty(1).uniform_(low, high).item()


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else ' or '.join([str(s) for s in req_sizes])
    if not isinstance(x, Sequence):
        raise TypeError(f'{name} should be a sequence of length {msg}.')
    if len(x) not in req_sizes:
        raise ValueError(f'{name} should be a sequence of length {msg}.')


def _setup_angle(x, name, req_sizes=(2,)):
    """`[-x, x]` for a number, else the sequence as floats."""
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f'If {name} is a single number, it must be positive.')
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _check_fill(fill):
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError('Fill should be either a sequence or a number.')
    return fill


def _tensor_fill(fill, img):
    """Tensor warps take one float per channel."""
    if not isinstance(img, Tensor):
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return [float(f) for f in fill]


def _list_repr(name, transforms, first_line=None):
    lines = [f'{name}('] + ([f'    {first_line}'] if first_line is not None else [])
    return '\n'.join(lines + [f'    {t}' for t in transforms]) + '\n)'


class Compose:
    """Chain transforms: `Compose([t1, t2])(img) == t2(t1(img))`. Any callable composes."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms)


class ToTensor:
    """PIL Image or `H x W x C` ndarray -> `C x H x W` float tensor in [0, 1] (8-bit inputs)."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class PILToTensor:
    """PIL Image -> `C x H x W` tensor of its own pixel type, unscaled."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class ConvertImageDtype(Module):
    """Convert a tensor image to `dtype`, rescaling the values."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """`C x H x W` tensor or `H x W x C` ndarray -> PIL Image (mode from the channel count if not given)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        return f'{self.__class__.__name__}(' + (f'mode={self.mode}' if self.mode is not None else '') + ')'


class Normalize(Module):
    """`(input[c] - mean[c]) / std[c]` per channel of a float tensor image."""

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f'{self.__class__.__name__}(mean={self.mean}, std={self.std})'


class Resize(Module):
    """Resize to `size` ((h, w), or an int for the shorter edge, capped by `max_size`)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f'Size should be int or sequence. Got {type(size)}')
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError('If size is a sequence, it should have 1 or 2 values')
        self.size = size
        self.max_size = max_size
        self.interpolation = _interpolation_mode(interpolation)
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f'{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value}, '
                f'max_size={self.max_size}, antialias={self.antialias})')


class CenterCrop(Module):
    """Crop the centre `size` region (zero-padding an image that is smaller)."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'


class Pad(Module):
    """Pad the borders (see `functional.pad` for the padding forms and modes)."""

    def __init__(self, padding, fill=0, padding_mode='constant'):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate padding arg')
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate fill arg')
        if padding_mode not in ['constant', 'edge', 'reflect', 'symmetric']:
            raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
        if isinstance(padding, Sequence) and len(padding) not in [1, 2, 4]:
            raise ValueError(f'Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple')
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f'{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})'


class Lambda:
    """Wrap a function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f'Argument lambd should be callable, got {repr(type(lambd).__name__)}')
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class RandomTransforms:
    """Base of the transforms that pick among a list of transforms."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence')
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms)


class RandomApply(Module):
    """Apply all of `transforms`, in order, with probability `p` (else none)."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if self.p < rand(1):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(self.__class__.__name__, self.transforms, first_line=f'p={self.p}')


class RandomOrder(RandomTransforms):
    """Apply `transforms` in a random order (Python's `random.shuffle`)."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one of `transforms`, picked with weights `p` (Python's `random.choices`)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError('Argument p should be a sequence')
        self.p = p

    def __call__(self, *args):
        return random.choices(self.transforms, weights=self.p)[0](*args)

    def __repr__(self):
        return f'{super().__repr__()}(p={self.p})'


class RandomCrop(Module):
    """Crop a `size` region at a random place, after optional `padding` (and padding up to `size`
    when `pad_if_needed`)."""

    @staticmethod
    def get_params(img, output_size):
        """`(top, left, height, width)` of a random crop of `output_size`."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f'Required crop size {(th, tw)} is larger than input image size {(h, w)}')
        if w == tw and h == th:
            return 0, 0, h, w
        i = randint(0, h - th + 1, size=(1,)).item()
        j = randint(0, w - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        super().__init__()
        self.size = tuple(_setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.'))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size}, padding={self.padding})'


class RandomHorizontalFlip(Module):
    """Mirror left to right with probability `p`."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        if rand(1) < self.p:
            return F.hflip(img)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top to bottom with probability `p`."""

    def forward(self, img):
        if rand(1) < self.p:
            return F.vflip(img)
        return img


class RandomPerspective(Module):
    """With probability `p`, move each corner inwards by up to `distortion_scale` of half the size."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.p = p
        self.interpolation = _interpolation_mode(interpolation)
        self.distortion_scale = distortion_scale
        self.fill = _check_fill(fill)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        if rand(1) < self.p:
            startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
            return F.perspective(img, startpoints, endpoints, self.interpolation, fill)
        return img

    @staticmethod
    def get_params(width, height, distortion_scale):
        """Start points (the corners) and random end points, [tl, tr, br, bl] as (x, y)."""
        half_height, half_width = height // 2, width // 2
        dx, dy = int(distortion_scale * half_width), int(distortion_scale * half_height)

        def draw(low, high):
            return int(randint(low, high, size=(1,)).item())
        top_left = [draw(0, dx + 1), draw(0, dy + 1)]
        top_right = [draw(width - dx - 1, width), draw(0, dy + 1)]
        bottom_right = [draw(width - dx - 1, width), draw(height - dy - 1, height)]
        bottom_left = [draw(0, dx + 1), draw(height - dy - 1, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [top_left, top_right, bottom_right, bottom_left]

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


class RandomResizedCrop(Module):
    """Crop a random region of random area (`scale` of the image) and aspect ratio (`ratio`, drawn
    log-uniformly), then resize it to `size`: the Inception-style augmentation."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')
        if not isinstance(scale, Sequence):
            raise TypeError('Scale should be a sequence')
        if not isinstance(ratio, Sequence):
            raise TypeError('Ratio should be a sequence')
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn('Scale and ratio should be of kind (min, max)')
        self.interpolation = _interpolation_mode(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """`(top, left, height, width)`: up to 10 random tries for a region that fits, else the
        central crop with the ratio clamped into `ratio` (torchvision's fallback)."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = log(tensor(ratio))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = exp(empty(1).uniform_(log_ratio[0].item(), log_ratio[1].item())).item()
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = randint(0, height - h + 1, size=(1,)).item()
                j = randint(0, width - w + 1, size=(1,)).item()
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return (f'{self.__class__.__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, '
                f'ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, '
                f'antialias={self.antialias})')


class FiveCrop(Module):
    """The four corner crops and the central crop, as a tuple."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')

    def forward(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'


class TenCrop(Module):
    """`FiveCrop` of the image and of its flip (horizontal, or vertical with `vertical_flip`)."""

    def __init__(self, size, vertical_flip=False):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')
        self.vertical_flip = vertical_flip

    def forward(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})'


class ColorJitter(Module):
    """Randomly change brightness, contrast, saturation and hue, in a random order. Each factor is
    drawn uniformly from `[max(0, 1 - x), 1 + x]` for a number `x` (hue: `[-x, x]`) or from a (min, max)."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self.brightness = self._check_input(brightness, 'brightness')
        self.contrast = self._check_input(contrast, 'contrast')
        self.saturation = self._check_input(saturation, 'saturation')
        self.hue = self._check_input(hue, 'hue', center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def _check_input(self, value, name, center=1, bound=(0, float('inf')), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f'If {name} is a single number, it must be non negative.')
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f'{name} should be a single number or a list/tuple with length 2.')
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f'{name} values should be between {bound}, but got {value}.')
        return None if value[0] == value[1] == center else tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """The order of the four adjustments (a permutation of 0..3) and their factors (None: skipped)."""
        fn_idx = randperm(4)
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return fn_idx, b, c, s, h

    def forward(self, img):
        fn_idx, brightness_factor, contrast_factor, saturation_factor, hue_factor = self.get_params(
            self.brightness, self.contrast, self.saturation, self.hue)
        adjustments = ((F.adjust_brightness, brightness_factor), (F.adjust_contrast, contrast_factor),
                       (F.adjust_saturation, saturation_factor), (F.adjust_hue, hue_factor))
        for fn_id in fn_idx.tolist():
            adjust, factor = adjustments[fn_id]
            if factor is not None:
                img = adjust(img, factor)
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, '
                f'saturation={self.saturation}, hue={self.hue})')


class RandomRotation(Module):
    """Rotate by an angle drawn uniformly from `degrees` ((min, max), or (-d, d) for a number)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        super().__init__()
        self.interpolation = _interpolation_mode(interpolation)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center
        self.expand = expand
        self.fill = _check_fill(fill)

    @staticmethod
    def get_params(degrees):
        """A random angle in [degrees[0], degrees[1]]."""
        return float(_uniform(float(degrees[0]), float(degrees[1])))

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        s = f'{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, ' \
            f'expand={self.expand}'
        if self.center is not None:
            s += f', center={self.center}'
        if self.fill is not None:
            s += f', fill={self.fill}'
        return s + ')'


class RandomAffine(Module):
    """Random rotation (`degrees`), translation (fractions of the size), scale and shear, keeping
    the centre fixed."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        super().__init__()
        self.interpolation = _interpolation_mode(interpolation)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, 'translate', req_sizes=(2,))
            for t in translate:
                if not (0.0 <= t <= 1.0):
                    raise ValueError('translation values should be between 0 and 1')
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, 'scale', req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError('scale values should be positive')
        self.scale = scale
        self.shear = _setup_angle(shear, name='shear', req_sizes=(2, 4)) if shear is not None else None
        self.fill = _check_fill(fill)
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """`(angle, (tx, ty), scale, (shear_x, shear_y))`, drawn in torchvision's order."""
        angle = float(_uniform(float(degrees[0]), float(degrees[1])))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))), int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = float(_uniform(scale_ranges[0], scale_ranges[1])) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = float(_uniform(shears[0], shears[1]))
            if len(shears) == 4:
                shear_y = float(_uniform(shears[2], shears[3]))
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear, [width, height])
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self):
        s = f'{self.__class__.__name__}(degrees={self.degrees}'
        s += f', translate={self.translate}' if self.translate is not None else ''
        s += f', scale={self.scale}' if self.scale is not None else ''
        s += f', shear={self.shear}' if self.shear is not None else ''
        s += f', interpolation={self.interpolation.value}' if self.interpolation != InterpolationMode.NEAREST else ''
        s += f', fill={self.fill}' if self.fill != 0 else ''
        s += f', center={self.center}' if self.center is not None else ''
        return s + ')'


class Grayscale(Module):
    """Convert to grey, with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f'{self.__class__.__name__}(num_output_channels={self.num_output_channels})'


class RandomGrayscale(Module):
    """Convert to grey (keeping the channel count) with probability `p`."""

    def __init__(self, p=0.1):
        super().__init__()
        self.p = p

    def forward(self, img):
        num_output_channels, _, _ = F.get_dimensions(img)
        if rand(1) < self.p:
            return F.rgb_to_grayscale(img, num_output_channels=num_output_channels)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


class RandomInvert(RandomGrayscale):
    """Invert the colours with probability `p`."""

    def __init__(self, p=0.5):
        super().__init__(p)

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.invert(img)
        return img


class RandomPosterize(Module):
    """Keep only the `bits` high bits of each channel, with probability `p`."""

    def __init__(self, bits, p=0.5):
        super().__init__()
        self.bits = bits
        self.p = p

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.posterize(img, self.bits)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(bits={self.bits},p={self.p})'


class RandomSolarize(Module):
    """Invert the values at or above `threshold`, with probability `p`."""

    def __init__(self, threshold, p=0.5):
        super().__init__()
        self.threshold = threshold
        self.p = p

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.solarize(img, self.threshold)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(threshold={self.threshold},p={self.p})'


class RandomAdjustSharpness(Module):
    """Sharpen (factor > 1) or smooth (factor < 1) by `sharpness_factor`, with probability `p`."""

    def __init__(self, sharpness_factor, p=0.5):
        super().__init__()
        self.sharpness_factor = sharpness_factor
        self.p = p

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.adjust_sharpness(img, self.sharpness_factor)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(sharpness_factor={self.sharpness_factor},p={self.p})'


class RandomAutocontrast(RandomGrayscale):
    """Stretch each channel to the full range, with probability `p`."""

    def __init__(self, p=0.5):
        super().__init__(p)

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.autocontrast(img)
        return img


class RandomEqualize(RandomGrayscale):
    """Equalise the histogram of each channel, with probability `p`."""

    def __init__(self, p=0.5):
        super().__init__(p)

    def forward(self, img):
        if rand(1).item() < self.p:
            return F.equalize(img)
        return img


def _pair_of_floats(value, name):
    """`[v, v]` for a float, the two floats of a sequence of length 2 (torchvision's strict check:
    ints are refused)."""
    if not isinstance(value, (float, Sequence)):
        raise TypeError(f'{name} should be float or a sequence of floats. Got {type(value)}')
    if isinstance(value, Sequence):
        if len(value) != 2:
            raise ValueError(f'If {name} is a sequence its length should be 2. Got {len(value)}')
        for element in value:
            if not isinstance(element, float):
                raise TypeError(f'{name} should be a sequence of floats. Got {type(element)}')
        return list(value)
    return [float(value), float(value)]


class ElasticTransform(Module):
    """Move every pixel by a random displacement field: uniform noise in [-1, 1] smoothed by a
    Gaussian of `sigma` (pixels) and scaled by `alpha` (pixels), drawn anew for each call."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.alpha = _pair_of_floats(alpha, 'alpha')
        self.sigma = _pair_of_floats(sigma, 'sigma')
        self.interpolation = _interpolation_mode(interpolation)
        if isinstance(fill, (int, float)):
            fill = [float(fill)]
        elif isinstance(fill, (list, tuple)):
            fill = [float(f) for f in fill]
        else:
            raise TypeError(f'fill should be int or float or a list or tuple of them. Got {type(fill)}')
        self.fill = fill

    @staticmethod
    def get_params(alpha, sigma, size):
        """The displacement field `1 x H x W x 2` in grid units, x then y, drawn as torchvision draws it."""
        from ... import cat
        displacements = []
        for axis in (0, 1):  # x (scaled by the width), then y (by the height)
            noise = rand([1, 1] + list(size)) * 2 - 1
            if sigma[axis] > 0.0:
                kernel = int(8 * sigma[axis] + 1)
                kernel += 1 - kernel % 2  # the Gaussian kernel size must be odd
                noise = F.gaussian_blur(noise, [kernel, kernel], sigma)
            displacements.append(noise * alpha[axis] / size[1 - axis])
        return cat(displacements, 1).permute([0, 2, 3, 1])

    def forward(self, tensor):
        _, height, width = F.get_dimensions(tensor)
        displacement = self.get_params(self.alpha, self.sigma, [height, width])
        return F.elastic_transform(tensor, displacement, self.interpolation, self.fill)

    def __repr__(self):
        return (f'{self.__class__.__name__}(alpha={self.alpha}, sigma={self.sigma}, '
                f'interpolation={self.interpolation}, fill={self.fill})')


class LinearTransformation(Module):
    """Flatten the image, subtract `mean_vector` and multiply by the square `transformation_matrix`
    (e.g. a ZCA whitening matrix computed offline), then restore the shape."""

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        size = tuple(transformation_matrix.shape)
        if size[0] != size[1]:
            raise ValueError(f'transformation_matrix should be square. Got {size} rectangular matrix.')
        if mean_vector.shape[0] != size[0]:
            raise ValueError(f'mean_vector should have the same length {mean_vector.shape[0]} as any one of the '
                             f'dimensions of the transformation_matrix [{size}]')
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError('Input tensors should have the same dtype. Got '
                             f'{transformation_matrix.dtype} and {mean_vector.dtype}')
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def forward(self, tensor):
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError('Input tensor and transformation matrix have incompatible shape.'
                             f'[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {self.transformation_matrix.shape[0]}')
        flat_tensor = tensor.reshape(-1, n) - self.mean_vector
        return flat_tensor.mm(self.transformation_matrix.to(flat_tensor.dtype)).reshape(shape)

    def __repr__(self):
        return (f'{self.__class__.__name__}(transformation_matrix={self.transformation_matrix.tolist()}, '
                f'mean_vector={self.mean_vector.tolist()})')


class RandomErasing(Module):
    """With probability `p`, erase a random rectangle of a tensor image (area fraction `scale`,
    aspect ratio `ratio`) with `value`: a number, one per channel, or 'random' (normal noise)."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        super().__init__()
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError('Argument value should be either a number or str or a sequence')
        if isinstance(value, str) and value != 'random':
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError('Scale should be a sequence')
        if not isinstance(ratio, Sequence):
            raise TypeError('Ratio should be a sequence')
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn('Scale and ratio should be of kind (min, max)')
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError('Scale should be between 0 and 1')
        if p < 0 or p > 1:
            raise ValueError('Random erasing probability should be between 0 and 1')
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """`(i, j, h, w, v)` of the region to erase; after 10 misses, the whole image with itself."""
        from ... import float32
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = log(tensor(ratio))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = exp(empty(1).uniform_(log_ratio[0].item(), log_ratio[1].item())).item()
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = empty([img_c, h, w], dtype=float32).normal_()
            else:
                v = tensor(value)[:, None, None]
            i = randint(0, img_h - h + 1, size=(1,)).item()
            j = randint(0, img_w - w + 1, size=(1,)).item()
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        if rand(1) < self.p:
            if isinstance(self.value, (int, float)):
                value = [float(self.value)]
            elif isinstance(self.value, str):
                value = None
            else:
                value = [float(v) for v in self.value]
            if value is not None and len(value) not in (1, img.shape[-3]):
                raise ValueError('If value is a sequence, it should have either a single value or '
                                 f'{img.shape[-3]} (number of input channels)')
            x, y, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
            return F.erase(img, x, y, h, w, v, self.inplace)
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, '
                f'inplace={self.inplace})')


class GaussianBlur(Module):
    """Blur with a Gaussian of `kernel_size` and a sigma drawn uniformly from `sigma` (min, max)."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _setup_size(kernel_size, 'Kernel size should be a tuple/list of two integers')
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError('Kernel size value should be an odd and positive number.')
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError('If sigma is a single number, it must be positive.')
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError('sigma values should be positive and of the form (min, max).')
        else:
            raise ValueError('sigma should be a single number or a list/tuple with length 2.')
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        """A random sigma in [sigma_min, sigma_max]."""
        return _uniform(sigma_min, sigma_max)

    def forward(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f'{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})'
