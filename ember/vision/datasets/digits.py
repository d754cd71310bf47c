"""`Digits`: the 8x8 handwritten digits shipped with ember (1,797 images, 10 classes), so examples
run with no download. Data: UCI "Optical Recognition of Handwritten Digits" (CC BY 4.0), see
`_data/README.md`."""
import os

import numpy as np

from ..._creation import from_numpy
from .vision import _GreyImageTensors

__all__ = ['Digits']

_DATA_FILE = os.path.join(os.path.dirname(__file__), '_data', 'digits.csv.gz')
TRAIN_FRACTION = 0.8


def _load_digits():
    """`(pixels (N, 8, 8) in 0..16, labels (N,))` from the CSV: 64 pixels then the label per row."""
    table = np.loadtxt(_DATA_FILE, delimiter=',', dtype=np.int64)
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def _train_mask(labels):
    """The fixed stratified split: within each class, 80% of the rows (rounded down) are training rows and
    the rest test rows, the rows taken in a fixed shuffled order. (The file lists the digits writer by
    writer; a split in file order would test on writers never seen in training, which costs LeNet about
    two points of accuracy and makes 10-epoch runs swing around 95%.) The shuffle is a multiplicative
    hash of the row number (Knuth's 2654435761), not a random generator, so the split is the same with
    every NumPy version and on every machine."""
    shuffled = np.argsort((np.arange(len(labels), dtype=np.uint64) * 2654435761) % 2 ** 32, kind='stable')
    one_hot = labels[shuffled, None] == np.arange(labels.max() + 1)
    rank_in_class = np.empty(len(labels), dtype=np.int64)
    rank_in_class[shuffled] = (np.cumsum(one_hot, axis=0) - 1)[np.arange(len(labels)), labels[shuffled]]
    train_per_class = np.floor(TRAIN_FRACTION * one_hot.sum(axis=0)).astype(np.int64)
    return rank_in_class < train_per_class[labels]


class Digits(_GreyImageTensors):
    """8x8 grey digits. Items are `(PIL 'L' image, int label)`; pixels 0..16 are scaled to 0..255
    (`round(v * 255 / 16)`). `train=True` gives 80% of each class (a fixed split, see `_train_mask`),
    False the rest (1,433 / 364 images). `data` is a uint8 tensor `(N, 8, 8)`, `targets` an int64 tensor.
    `root` is accepted for torchvision's signature and unused: the data ships with ember."""

    classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

    def __init__(self, root=None, train=True, transform=None, target_transform=None):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        pixels, labels = _load_digits()
        rows = _train_mask(labels) == bool(train)
        self.data = from_numpy(np.round(pixels[rows] * (255 / 16)).astype(np.uint8))
        self.targets = from_numpy(labels[rows])
