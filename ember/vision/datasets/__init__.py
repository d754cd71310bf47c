"""Datasets, as `torchvision.datasets`: image folders, MNIST/FashionMNIST (IDX files), CIFAR
(pickle batches, read safely), FakeData, and the bundled 8x8 `Digits`. Nothing is downloaded:
missing files raise an error that says what to put where."""
from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder, default_loader, pil_loader
from .mnist import MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ['CIFAR10', 'CIFAR100', 'Digits', 'FakeData', 'DatasetFolder', 'ImageFolder', 'default_loader',
           'pil_loader', 'MNIST', 'FashionMNIST', 'VisionDataset']
