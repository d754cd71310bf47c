"""The v2 transform classes, as `torchvision.transforms.v2`.

A v2 transform takes any nesting of lists, tuples and dicts (`image, target` pairs, detection
targets), draws its random parameters once from the first image-like input, and applies them to every
input it knows how to transform: images, masks and boxes move together. Which plain tensor is the image
follows torchvision's rule: with a `tv_tensors.Image` or PIL image present, plain tensors pass through;
otherwise the first plain tensor is the image. Random draws follow v2's own code (`rand(1) >= p`,
`randint(..., size=())`, `multinomial`, `randperm`), which is not always v1's.
"""
import enum
import math
import numbers
import warnings
from collections.abc import Sequence

from PIL import Image as _PILImage

from .... import empty, exp, log, multinomial, rand, randint, randperm, tensor as _tensor
from ...._tensor import Tensor
from ....nn.modules.module import Module
from ... import tv_tensors
from ..transforms import _setup_size
from . import functional as F

__all__ = ['Transform', 'Compose', 'RandomApply', 'RandomChoice', 'RandomOrder', 'Lambda', 'ToImage', 'ToDtype',
           'ToPureTensor', 'Resize', 'CenterCrop', 'RandomCrop', 'RandomResizedCrop', 'RandomHorizontalFlip',
           'RandomVerticalFlip', 'Pad', 'Normalize']


# ------------------------------------------------------------------------------ flattening the sample

def _flatten(tree):
    """The leaves of nested lists/tuples/dicts, depth first, and a function that rebuilds the nesting."""
    if isinstance(tree, (list, tuple)) and not isinstance(tree, Tensor):
        parts = [_flatten(item) for item in tree]
        leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]

        def rebuild(new_leaves):
            items, start = [], 0
            for part_leaves, part_rebuild in parts:
                items.append(part_rebuild(new_leaves[start:start + len(part_leaves)]))
                start += len(part_leaves)
            return type(tree)(items) if not hasattr(tree, '_fields') else type(tree)(*items)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[key] for key in keys])
        return leaves, lambda new_leaves: type(tree)(zip(keys, rebuild_values(new_leaves)))
    return [tree], lambda new_leaves: new_leaves[0]


def _is_pure_tensor(inpt):
    return isinstance(inpt, Tensor) and not isinstance(inpt, tv_tensors.TVTensor)


def _query_size(flat_inputs):
    """The (height, width) that all images, masks and boxes of the sample share."""
    sizes = {tuple(F.get_size(inpt)) for inpt in flat_inputs
             if isinstance(inpt, (tv_tensors.TVTensor, _PILImage.Image)) or _is_pure_tensor(inpt)}
    if not sizes:
        raise TypeError('No image, video, mask or bounding box was found in the sample')
    if len(sizes) > 1:
        raise ValueError(f'Found multiple HxW dimensions in the sample: {sorted(sizes)}')
    return sizes.pop()


class Transform(Module):
    """The base of the v2 transforms: subclasses define `make_params(flat_inputs)` (random draws, once
    per call) and `transform(inpt, params)` (one input)."""

    # the input kinds this transform touches; everything else passes through unchanged
    _transformed_types = (Tensor, _PILImage.Image)

    def make_params(self, flat_inputs):
        return {}

    def transform(self, inpt, params):
        raise NotImplementedError

    def _needs_transform_list(self, flat_inputs):
        transform_pure_tensor = not any(isinstance(inpt, (tv_tensors.Image, _PILImage.Image)) for inpt in flat_inputs)
        needs = []
        for inpt in flat_inputs:
            needed = isinstance(inpt, self._transformed_types)
            if needed and _is_pure_tensor(inpt):
                needed, transform_pure_tensor = transform_pure_tensor, False
            needs.append(needed)
        return needs

    def _apply(self, flat_inputs, needs):
        params = self.make_params([inpt for inpt, needed in zip(flat_inputs, needs) if needed])
        return [self.transform(inpt, params) if needed else inpt for inpt, needed in zip(flat_inputs, needs)]

    def forward(self, *inputs):
        flat_inputs, rebuild = _flatten(inputs if len(inputs) > 1 else inputs[0])
        return rebuild(self._apply(flat_inputs, self._needs_transform_list(flat_inputs)))

    def extra_repr(self):
        # torchvision lists the public attributes of simple types
        return ', '.join(f'{name}={value}' for name, value in self.__dict__.items()
                         if not name.startswith('_') and name != 'training'
                         and isinstance(value, (bool, int, float, str, tuple, list, enum.Enum)))


class _RandomApplyTransform(Transform):
    """A transform that happens with probability `p` (skipped when `rand(1) >= p`)."""

    def __init__(self, p=0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError('`p` should be a floating point value in the interval [0.0, 1.0].')
        super().__init__()
        self.p = p

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        if rand(1).item() >= self.p:
            return inputs
        flat_inputs, rebuild = _flatten(inputs)
        return rebuild(self._apply(flat_inputs, self._needs_transform_list(flat_inputs)))


# ----------------------------------------------------------------------------------------- containers

def _call_all(transform, inputs):
    return transform(*inputs) if len(inputs) > 1 else transform(inputs[0])


class Compose(Transform):
    """Apply `transforms` one after another."""

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence of callables')
        if not transforms:
            raise ValueError('Pass at least one transform')
        self.transforms = transforms

    def forward(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for transform in self.transforms:
            outputs = transform(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def extra_repr(self):
        return '\n'.join(f'    {transform}' for transform in self.transforms)


class RandomApply(Transform):
    """Apply all of `transforms`, in order, with probability `p`."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        if not isinstance(transforms, (Sequence, Module)):
            raise TypeError('Argument transforms should be a sequence of callables or a `nn.ModuleList`')
        if not 0.0 <= p <= 1.0:
            raise ValueError('`p` should be a floating point value in the interval [0.0, 1.0].')
        self.transforms = transforms
        self.p = p

    def forward(self, *inputs):
        outputs = inputs if len(inputs) > 1 else inputs[0]
        if rand(1).item() >= self.p:
            return outputs
        for transform in self.transforms:
            outputs = transform(outputs)
        return outputs

    def extra_repr(self):
        return '\n'.join(f'    {transform}' for transform in self.transforms)


class RandomChoice(Transform):
    """Apply one of `transforms`, drawn with probabilities `p` (uniform by default) by `multinomial`."""

    def __init__(self, transforms, p=None):
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence of callables')
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f'Length of p doesn\'t match the number of transforms: {len(p)} != {len(transforms)}')
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [probability / total for probability in p]

    def forward(self, *inputs):
        index = int(multinomial(_tensor(self.p), 1).item())
        return self.transforms[index](*inputs)


class RandomOrder(Transform):
    """Apply all of `transforms` in an order drawn by `randperm`."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence of callables')
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs):
        outputs = inputs if len(inputs) > 1 else inputs[0]
        needs_unpacking = len(inputs) > 1
        for index in randperm(len(self.transforms)).tolist():
            outputs = self.transforms[index](*outputs) if needs_unpacking else self.transforms[index](outputs)
        return outputs


class Lambda(Transform):
    """Apply a user function to the inputs of the listed `types` (all by default)."""

    def __init__(self, lambd, *types):
        super().__init__()
        if not callable(lambd):
            raise TypeError(f'Argument lambd should be callable, got {repr(type(lambd).__name__)}')
        self.lambd = lambd
        self.types = types or (object,)

    def transform(self, inpt, params):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    _transformed_types = (object,)

    def _needs_transform_list(self, flat_inputs):
        return [True] * len(flat_inputs)

    def extra_repr(self):
        types = ', '.join(type_.__name__ for type_ in self.types)
        return f'{getattr(self.lambd, "__name__", repr(self.lambd))}, types=[{types}]'


# ---------------------------------------------------------------------------------------- conversions

class ToImage(Transform):
    """PIL images, NumPy arrays and plain tensors to `tv_tensors.Image`."""

    def _needs_transform_list(self, flat_inputs):
        import numpy as np
        needs = super()._needs_transform_list(flat_inputs)
        return [needed and not isinstance(inpt, tv_tensors.TVTensor) or isinstance(inpt, np.ndarray)
                for inpt, needed in zip(flat_inputs, needs)]

    def transform(self, inpt, params):
        return F.to_image(inpt)


class ToPureTensor(Transform):
    """Every tv_tensor back to a plain tensor."""
    _transformed_types = (tv_tensors.TVTensor,)

    def _needs_transform_list(self, flat_inputs):
        return [isinstance(inpt, tv_tensors.TVTensor) for inpt in flat_inputs]

    def transform(self, inpt, params):
        return F.to_pure_tensor(inpt)


class ToDtype(Transform):
    """Cast images (with `scale`, also rescale their values) to `dtype`; a dict maps input classes
    (`tv_tensors.Image`, `tv_tensors.Mask`, ..., or 'others') to their dtypes (None: leave alone)."""
    _transformed_types = (Tensor,)

    def __init__(self, dtype, scale=False):
        super().__init__()
        from ...._dtype import dtype as _dtype_class
        if not isinstance(dtype, (dict, _dtype_class)):
            raise ValueError(f'dtype must be a dict or a torch.dtype, got {type(dtype)} instead')
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt, params):
        if not isinstance(self.dtype, dict):
            # as ConvertImageDtype did: a single dtype only concerns images
            if not (_is_pure_tensor(inpt) or isinstance(inpt, tv_tensors.Image)):
                return inpt
            dtype = self.dtype
        elif type(inpt) in self.dtype:
            dtype = self.dtype[type(inpt)]
        elif Tensor in self.dtype and _is_pure_tensor(inpt):
            dtype = self.dtype[Tensor]
        elif 'others' in self.dtype:
            dtype = self.dtype['others']
        else:
            raise ValueError(f'No dtype was specified for type {type(inpt)}. If you only need to convert the dtype of '
                             'images or videos, you can just pass e.g. dtype=torch.float32. If you\'re passing a dict '
                             'as dtype, you can use "others" as a catch-all key e.g. dtype={tv_tensors.Mask: '
                             'torch.int64, "others": None} to pass-through the rest of the inputs.')
        if dtype is None:
            if self.scale and (_is_pure_tensor(inpt) or isinstance(inpt, tv_tensors.Image)):
                warnings.warn('scale was set to True but no dtype was specified for images or videos: no scaling '
                              'will be done.')
            return inpt
        return F.to_dtype(inpt, dtype=dtype, scale=self.scale)


# ------------------------------------------------------------------------------------------- geometry

class RandomHorizontalFlip(_RandomApplyTransform):
    """Mirror images, masks and boxes left-right with probability `p`."""

    def transform(self, inpt, params):
        return F.horizontal_flip(inpt)


class RandomVerticalFlip(_RandomApplyTransform):
    """Mirror images, masks and boxes top-bottom with probability `p`."""

    def transform(self, inpt, params):
        return F.vertical_flip(inpt)


class Resize(Transform):
    """Resize to `size` (an int sets the shorter edge; None with `max_size` sets the longer one)."""

    def __init__(self, size, interpolation='bilinear', max_size=None, antialias=True):
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif isinstance(size, Sequence) and len(size) in {1, 2}:
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(f'max_size must be an integer when size is None, but got {max_size} instead.')
        else:
            raise ValueError('size can be an integer, a sequence of one or two integers, or None, but got '
                             f'{size} instead.')
        self.size = size
        self.interpolation = interpolation  # kept as given ('bilinear' by default), as torchvision does
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt, params):
        return F.resize(inpt, self.size, interpolation=self.interpolation, max_size=self.max_size,
                        antialias=self.antialias)


class CenterCrop(Transform):
    """The central `size` window of images, masks and boxes."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')

    def transform(self, inpt, params):
        return F.center_crop(inpt, output_size=self.size)


class RandomResizedCrop(Transform):
    """A random window (area fraction in `scale`, aspect ratio in `ratio`) resized to `size`."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation='bilinear',
                 antialias=True):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError('Scale should be a sequence of two floats.')
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError('Ratio should be a sequence of two floats.')
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn('Scale and ratio should be of kind (min, max)')
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation  # kept as given ('bilinear' by default), as torchvision does
        self.antialias = antialias
        self._log_ratio = log(_tensor(self.ratio))

    def make_params(self, flat_inputs):
        height, width = _query_size(flat_inputs)
        area = height * width
        log_ratio = self._log_ratio
        for _ in range(10):
            target_area = area * empty(1).uniform_(self.scale[0], self.scale[1]).item()
            aspect_ratio = exp(empty(1).uniform_(log_ratio[0].item(), log_ratio[1].item())).item()
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                return dict(top=randint(0, height - h + 1, size=(1,)).item(),
                            left=randint(0, width - w + 1, size=(1,)).item(), height=h, width=w)
        # no draw fitted: the largest central window with an allowed ratio
        in_ratio = float(width) / float(height)
        if in_ratio < min(self.ratio):
            w, h = width, int(round(width / min(self.ratio)))
        elif in_ratio > max(self.ratio):
            w, h = int(round(height * max(self.ratio))), height
        else:
            w, h = width, height
        return dict(top=(height - h) // 2, left=(width - w) // 2, height=h, width=w)

    def transform(self, inpt, params):
        return F.resized_crop(inpt, **params, size=self.size, interpolation=self.interpolation,
                              antialias=self.antialias)


def _parse_padding(padding):
    """`padding` as [left, right, top, bottom], from 1, 2 or 4 numbers (v2 keeps this order internally)."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _check_padding(padding, padding_mode):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError(f'Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple')
    if padding_mode not in ['constant', 'edge', 'reflect', 'symmetric']:
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')


def _fill_for(fill, inpt):
    """The fill for this kind of input: one value for all, or a dict by class (with an 'others' entry)."""
    if isinstance(fill, dict):
        return fill.get(type(inpt), fill.get('others'))
    return fill


class Pad(Transform):
    """Pad the borders of images and masks; boxes move with the image."""

    def __init__(self, padding, fill=0, padding_mode='constant'):
        super().__init__()
        _check_padding(padding, padding_mode)
        self.padding = list(padding) if isinstance(padding, tuple) else padding
        self.fill = fill
        self.padding_mode = padding_mode

    def transform(self, inpt, params):
        return F.pad(inpt, padding=self.padding, fill=_fill_for(self.fill, inpt), padding_mode=self.padding_mode)


class RandomCrop(Transform):
    """A random `size` window, after optional `padding` (and padding up to `size` with `pad_if_needed`)."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        super().__init__()
        self.size = _setup_size(size, error_msg='Please provide only two dimensions (h, w) for size.')
        if pad_if_needed or padding is not None:
            if padding is not None:
                _check_padding(padding, padding_mode)
        self.padding = _parse_padding(padding) if padding is not None else None
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def make_params(self, flat_inputs):
        padded_height, padded_width = _query_size(flat_inputs)
        if self.padding is not None:
            pad_left, pad_right, pad_top, pad_bottom = self.padding
            padded_height += pad_top + pad_bottom
            padded_width += pad_left + pad_right
        else:
            pad_left = pad_right = pad_top = pad_bottom = 0
        cropped_height, cropped_width = self.size
        if self.pad_if_needed:
            # v2 pads both sides by the whole shortfall (v1 pads by it once on each side too)
            if padded_height < cropped_height:
                diff = cropped_height - padded_height
                pad_top, pad_bottom, padded_height = pad_top + diff, pad_bottom + diff, padded_height + 2 * diff
            if padded_width < cropped_width:
                diff = cropped_width - padded_width
                pad_left, pad_right, padded_width = pad_left + diff, pad_right + diff, padded_width + 2 * diff
        if padded_height < cropped_height or padded_width < cropped_width:
            raise ValueError(f'Required crop size {(cropped_height, cropped_width)} is larger than '
                             f"{'padded ' if self.padding is not None else ''}input image size "
                             f'{(padded_height, padded_width)}.')
        padding = [pad_left, pad_top, pad_right, pad_bottom]
        top = int(randint(0, padded_height - cropped_height + 1, size=()).item()) if padded_height > cropped_height else 0
        left = int(randint(0, padded_width - cropped_width + 1, size=()).item()) if padded_width > cropped_width else 0
        return dict(needs_crop=padded_height > cropped_height or padded_width > cropped_width, top=top, left=left,
                    height=cropped_height, width=cropped_width, needs_pad=any(padding), padding=padding)

    def transform(self, inpt, params):
        if params['needs_pad']:
            inpt = F.pad(inpt, padding=params['padding'], fill=_fill_for(self.fill, inpt),
                         padding_mode=self.padding_mode)
        if params['needs_crop']:
            inpt = F.crop(inpt, top=params['top'], left=params['left'], height=params['height'],
                          width=params['width'])
        return inpt


# ------------------------------------------------------------------------------------------ colour

class Normalize(Transform):
    """`(image - mean) / std` per channel, for float images; masks and boxes pass through."""

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def transform(self, inpt, params):
        if isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
            return inpt
        return F.normalize(inpt, mean=self.mean, std=self.std, inplace=self.inplace)
