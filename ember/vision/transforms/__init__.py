"""Image transforms, as `torchvision.transforms`: the classes, and their functional forms in
`transforms.functional`."""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__
