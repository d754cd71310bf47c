"""CIFAR-10 / CIFAR-100 from their Python pickle batches, read without running pickled code."""
import codecs
import os
import pickle

import numpy as np
from PIL import Image

from .vision import VisionDataset, missing_files_error

__all__ = ['CIFAR10', 'CIFAR100']

# The only globals a CIFAR batch refers to: NumPy's array reconstruction (named `numpy.core...` in
# files written by NumPy 1, `numpy._core...` by NumPy 2). Everything else in the batches is plain
# dicts, lists, bytes, str and numbers, which need no global -- except bytes pickled by Python 3 at
# protocol 2, which are rebuilt with `_codecs.encode(text, 'latin1')`, a pure conversion.
_RECONSTRUCT = np.ndarray((0,)).__reduce__()[0]
_SCALAR = np.float64(0).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy._core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy.core.multiarray', 'scalar'): _SCALAR,
    ('numpy._core.multiarray', 'scalar'): _SCALAR,
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
    ('_codecs', 'encode'): codecs.encode,
}


class _BatchUnpickler(pickle.Unpickler):
    """An unpickler that resolves only NumPy's array-rebuilding globals, so a batch file cannot run code."""

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f'CIFAR batch refers to {module}.{name}, which is not allowed') from None


def _load_batch(path):
    with open(path, 'rb') as f:
        # the batches were written by Python 2: latin1 turns their byte-string keys into str
        # (a batch re-written by Python 3 has bytes keys: decode those the same way)
        batch = _BatchUnpickler(f, encoding='latin1').load()
    return {key.decode('latin1') if isinstance(key, bytes) else key: value for key, value in batch.items()}


class CIFAR10(VisionDataset):
    """32x32 colour images in 10 classes. Items are `(PIL RGB image, int label)`; `data` is a uint8
    array `(N, 32, 32, 3)`, `targets` a list of ints. The batches of `cifar-10-python.tar.gz`
    must be extracted under `root/cifar-10-batches-py/`: nothing is downloaded."""

    base_folder = 'cifar-10-batches-py'
    train_list = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5']
    test_list = ['test_batch']
    meta = {'filename': 'batches.meta', 'key': 'label_names'}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        folder = os.path.join(self.root, self.base_folder)
        needed = self.train_list + self.test_list + [self.meta['filename']]
        missing = [name for name in needed if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            raise missing_files_error(self.__class__.__name__, folder, missing, download)
        data, self.targets = [], []
        for file_name in self.train_list if self.train else self.test_list:
            entry = _load_batch(os.path.join(folder, file_name))
            data.append(entry['data'])
            self.targets.extend(entry['labels'] if 'labels' in entry else entry['fine_labels'])
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self.classes = _load_batch(os.path.join(folder, self.meta['filename']))[self.meta['key']]
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        return self._apply_transforms(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR's 100-class version (fine labels), under `root/cifar-100-python/`."""

    base_folder = 'cifar-100-python'
    train_list = ['train']
    test_list = ['test']
    meta = {'filename': 'meta', 'key': 'fine_label_names'}
