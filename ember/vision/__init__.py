"""ember.vision: torchvision's part of the course — image `transforms`, `datasets`, `models`, and
`utils.make_grid` / `utils.save_image`. `import ember.vision as torchvision` runs torchvision code."""
from . import datasets, io, models, ops, transforms, tv_tensors, utils

__all__ = ['datasets', 'io', 'models', 'ops', 'transforms', 'tv_tensors', 'utils', 'get_image_backend',
           'set_image_backend']

__version__ = '0.28.0'  # the torchvision release that pairs with PyTorch 2.13 (a plain str, as there)

_image_backend = 'PIL'


def get_image_backend():
    """The package used to load images: always 'PIL' here."""
    return _image_backend


def set_image_backend(backend):
    """Choose the image loader; only 'PIL' exists in ember."""
    if backend != 'PIL':
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
