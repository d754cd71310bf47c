"""Image transforms, as `torchvision.transforms`: the classes, and their functional forms in
`transforms.functional`."""
from . import functional
from .autoaugment import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
from . import autoaugment, transforms as _transforms

__all__ = _transforms.__all__ + autoaugment.__all__
