"""Tensor subclasses that tell `transforms.v2` what a tensor holds, as `torchvision.tv_tensors`:
`Image`, `Mask` and `BoundingBoxes` (which carries its `format` and `canvas_size`).

A v2 transform picks its kernel by the subclass: boxes move with the image they belong to, masks are
resampled with nearest neighbour. Any other operation on a tv_tensor returns a plain `Tensor`, as
torchvision's do (ember's ops build plain tensors), so the subclass is re-attached with `wrap`.
"""
from enum import Enum

from PIL import Image as _PILImage

from .._creation import as_tensor
from .._tensor import Tensor

__all__ = ['TVTensor', 'Image', 'Mask', 'BoundingBoxes', 'BoundingBoxFormat', 'wrap', 'is_rotated_bounding_format']


class TVTensor(Tensor):
    """The base of the tv_tensors: a tensor that shares its data with the tensor it was made from."""

    @staticmethod
    def _to_tensor(data, dtype=None, requires_grad=None):
        if requires_grad is None:
            requires_grad = data.requires_grad if isinstance(data, Tensor) else False
        return as_tensor(data, dtype=dtype).requires_grad_(requires_grad)

    @classmethod
    def wrap(cls, tensor, like, **kwargs):
        """`tensor`'s data as this subclass (no copy)."""
        return tensor._make_subclass_like(cls)

    def _make_repr(self, **kwargs):
        # torchvision's form: the tensor's repr with the class name, then the metadata
        body = Tensor.__repr__(self)
        body = type(self).__name__ + body[body.index('('):]
        extra = ', '.join(f'{key}={value}' for key, value in kwargs.items())
        return f'{body[:-1]}, {extra})'

    def __repr__(self):
        return self._make_repr()

    def __deepcopy__(self, memo):
        return wrap(self.detach().clone().requires_grad_(self.requires_grad), like=self)


def _pil_to_tensor(data):
    if isinstance(data, _PILImage.Image):
        from .transforms.functional import pil_to_tensor
        return pil_to_tensor(data)
    return data


class Image(TVTensor):
    """An image, `(..., C, H, W)`; a 2-D tensor gets a channel dimension, a PIL Image becomes uint8."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        tensor = cls._to_tensor(_pil_to_tensor(data), dtype=dtype, requires_grad=requires_grad)
        if tensor.ndim < 2:
            raise ValueError(f'Tensor must be 2D or higher, got {tensor.ndim}D tensor.')
        if tensor.ndim == 2:
            tensor = tensor.unsqueeze(0)
        return tensor._make_subclass_like(cls)

    def __init__(self, *args, **kwargs):
        pass


class Mask(TVTensor):
    """A segmentation or detection mask, `(..., H, W)`: resampled with nearest neighbour, never blended."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        return cls._to_tensor(_pil_to_tensor(data), dtype=dtype, requires_grad=requires_grad)._make_subclass_like(cls)

    def __init__(self, *args, **kwargs):
        pass


class BoundingBoxFormat(Enum):
    """How a box's four numbers are read: corners (XYXY), corner and size (XYWH), centre and size (CXCYWH);
    the rotated formats exist for compatibility, ember's transforms do not handle them."""
    XYXY = 'XYXY'
    XYWH = 'XYWH'
    CXCYWH = 'CXCYWH'
    XYWHR = 'XYWHR'
    CXCYWHR = 'CXCYWHR'
    XYXYXYXY = 'XYXYXYXY'


def is_rotated_bounding_format(format):
    if isinstance(format, BoundingBoxFormat):
        return format in (BoundingBoxFormat.XYWHR, BoundingBoxFormat.CXCYWHR, BoundingBoxFormat.XYXYXYXY)
    if isinstance(format, str):
        return format in ('XYWHR', 'CXCYWHR', 'XYXYXYXY')
    raise ValueError(f'format should be str or BoundingBoxFormat, got {type(format)}')


class BoundingBoxes(TVTensor):
    """`N x 4` boxes (a 1-D box becomes `1 x 4`) in `format`, on an image of `canvas_size = (height, width)`.
    `clamping_mode` ('soft', 'hard' or None) says whether transforms clamp them to the canvas."""

    @classmethod
    def _wrap(cls, tensor, *, format, canvas_size, clamping_mode='soft', check_dims=True):
        if check_dims:
            if tensor.ndim == 1:
                tensor = tensor.unsqueeze(0)
            elif tensor.ndim != 2:
                raise ValueError(f'Expected a 1D or 2D tensor, got {tensor.ndim}D')
        if clamping_mode is not None and clamping_mode not in ('hard', 'soft'):
            raise ValueError(f'clamping_mode must be None, hard or soft, got {clamping_mode}.')
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        boxes = tensor._make_subclass_like(cls)
        boxes.format = format
        boxes.canvas_size = tuple(canvas_size)
        boxes.clamping_mode = clamping_mode
        return boxes

    @classmethod
    def wrap(cls, tensor, like, **kwargs):
        return cls._wrap(tensor, format=kwargs.get('format', like.format),
                         canvas_size=kwargs.get('canvas_size', like.canvas_size),
                         clamping_mode=kwargs.get('clamping_mode', like.clamping_mode))

    def __new__(cls, data, *, format, canvas_size, clamping_mode='soft', dtype=None, device=None,
                requires_grad=None):
        tensor = cls._to_tensor(data, dtype=dtype, requires_grad=requires_grad)
        if not tensor.is_floating_point() and is_rotated_bounding_format(format):
            raise ValueError(f'Rotated bounding boxes should be floating point tensors, got {tensor.dtype}.')
        return cls._wrap(tensor, format=format, canvas_size=canvas_size, clamping_mode=clamping_mode)

    def __init__(self, *args, **kwargs):
        pass

    def __repr__(self):
        return self._make_repr(format=self.format, canvas_size=self.canvas_size, clamping_mode=self.clamping_mode)


def wrap(wrappee, *, like, **kwargs):
    """`wrappee` as the same tv_tensor class as `like`, with `like`'s metadata (overridden by `kwargs`)."""
    return type(like).wrap(wrappee, like, **kwargs)
