"""MNIST and Fashion-MNIST from their IDX files in `root/<ClassName>/raw/` (plain or .gz)."""
import gzip
import os
import warnings

import numpy as np

from ..._creation import from_numpy
from .vision import _GreyImageTensors, missing_files_error

__all__ = ['MNIST', 'FashionMNIST', 'read_image_file', 'read_label_file', 'read_idx']

# IDX type codes (third byte of the magic number) -> big-endian element types
_IDX_TYPES = {0x08: '>u1', 0x09: '>i1', 0x0B: '>i2', 0x0C: '>i4', 0x0D: '>f4', 0x0E: '>f8'}


def read_idx(path):
    """An IDX file as a NumPy array: magic `0 0 <type> <ndim>`, then `ndim` big-endian int32
    sizes, then the data, big-endian. A `.gz` file is decompressed."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise RuntimeError(f'{path} is not an IDX file (bad magic number)')
    ndim = data[3]
    shape = tuple(int(s) for s in np.frombuffer(data, dtype='>i4', count=ndim, offset=4))
    array = np.frombuffer(data, dtype=_IDX_TYPES[data[2]], offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise RuntimeError(f'{path}: the header says {shape} but the file holds {array.size} values')
    return array.reshape(shape).astype(array.dtype.newbyteorder('='))


def read_image_file(path):
    """The images of an IDX file as a uint8 tensor `(N, H, W)`."""
    array = read_idx(path)
    if array.dtype != np.uint8 or array.ndim != 3:
        raise RuntimeError(f'{path}: expected uint8 images of 3 dimensions, got {array.dtype} of {array.ndim}')
    return from_numpy(np.ascontiguousarray(array))


def read_label_file(path):
    """The labels of an IDX file as an int64 tensor `(N,)`."""
    array = read_idx(path)
    if array.dtype != np.uint8 or array.ndim != 1:
        raise RuntimeError(f'{path}: expected uint8 labels of 1 dimension, got {array.dtype} of {array.ndim}')
    return from_numpy(array.astype(np.int64))


class MNIST(_GreyImageTensors):
    """Handwritten digits, 28x28 grey. Items are `(PIL 'L' image, int label)`; `data` is a uint8
    tensor `(N, 28, 28)`, `targets` an int64 tensor. The four IDX files (`train-images-idx3-ubyte`,
    `train-labels-idx1-ubyte`, `t10k-...`, optionally `.gz`) must be in `root/MNIST/raw/`:
    nothing is downloaded."""

    resources = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
                 't10k-labels-idx1-ubyte']
    # the files of torchvision's old processed cache; ember reads the raw files only
    training_file = 'training.pt'
    test_file = 'test.pt'
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven',
               '8 - eight', '9 - nine']

    # the names torchvision used before `data` and `targets`; older tutorials still use them
    @property
    def train_labels(self):
        warnings.warn('train_labels has been renamed targets')
        return self.targets

    @property
    def test_labels(self):
        warnings.warn('test_labels has been renamed targets')
        return self.targets

    @property
    def train_data(self):
        warnings.warn('train_data has been renamed data')
        return self.data

    @property
    def test_data(self):
        warnings.warn('test_data has been renamed data')
        return self.data

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        split = 'train' if train else 't10k'
        paths = [self._find(f'{split}-images-idx3-ubyte'), self._find(f'{split}-labels-idx1-ubyte')]
        if None in paths:
            missing = [name for name in self.resources if self._find(name) is None]
            raise missing_files_error(self.__class__.__name__, self.raw_folder,
                                      [f'{name} (or {name}.gz)' for name in missing], download)
        self.data = read_image_file(paths[0])
        self.targets = read_label_file(paths[1])

    def _find(self, name):
        for candidate in (name, name + '.gz'):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'raw')

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'processed')


class FashionMNIST(MNIST):
    """Zalando's clothing images in MNIST's format, under `root/FashionMNIST/raw/`."""

    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
               'Ankle boot']
