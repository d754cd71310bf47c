"""`torchvision.transforms.v2`: transforms that take whole samples -- an image with its masks and
bounding boxes (`ember.vision.tv_tensors`), in any nesting of lists, tuples and dicts -- and transform
them together. The classes live in `_transforms`, the kernels in `functional`.

Not here yet: v2's AutoAugment family (its random draws differ from v1's, so v1's classes cannot stand
in), CutMix/MixUp, and the colour, rotation and affine transforms."""
from . import functional
from ._transforms import *  # noqa: F401,F403
from ._transforms import __all__ as _transform_names
from ..functional import InterpolationMode

__all__ = _transform_names + ['InterpolationMode', 'functional']
