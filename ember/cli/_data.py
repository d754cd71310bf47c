"""The datasets and image transforms of the `ember` commands.

A run's data is described by a small dict, its *source*, stored in every checkpoint so that
`ember evaluate` and `ember predict` rebuild exactly what training used:

    {'name': 'digits'}                                 the 8x8 digits shipped with ember (default)
    {'name': 'mnist' | 'cifar10', 'root': DIR}         files in those formats (no download)
    {'name': 'folder', 'root': PATH, 'seed': S}        an ImageFolder tree

Every source gives three splits. Digits, MNIST and CIFAR-10 have a train and a test split; the test
split also serves as the validation split. A folder tree uses `PATH/train` for training and
`PATH/valid` (or `val`) and `PATH/test` for validation and test (either one serves as both when only
one exists); without those subfolders, the tree (or `PATH/train` alone) is split 80/20 by
`random_split` with a generator seeded by `S`, and the 20% is both validation and test split.

The images go through the same steps for training and inference: resize to `image_size` squared,
repeat grey into 3 channels when the model wants 3, `ToTensor`, and `Normalize` with mean and std 0.5
(which maps [0, 1] to [-1, 1]). Training adds the course's `RandomCrop(image_size, padding=4)`.
"""
import os

import numpy as np

from ..random import Generator, _reseeded
from ..utils.data import Dataset, Subset, random_split
from ..vision import datasets, transforms
from ._common import UsageError

__all__ = ['data_source', 'load_splits', 'image_spec', 'image_transform', 'image_mode', 'TransformedDataset',
           'limit']

_NORMALIZE_MEAN, _NORMALIZE_STD = 0.5, 0.5
_VALID_FOLDERS = ('valid', 'val')


def data_source(args):
    """The source named by `--data`, `--mnist` or `--cifar10` (Digits when none is given)."""
    chosen = [(name, path) for name, path in (('folder', args.data), ('mnist', args.mnist),
                                              ('cifar10', args.cifar10)) if path is not None]
    if len(chosen) > 1:
        raise UsageError("give at most one of --data, --mnist and --cifar10")
    if not chosen:
        return {'name': 'digits'}
    name, path = chosen[0]
    if not os.path.isdir(path):
        flag = '--data' if name == 'folder' else f'--{name}'
        raise UsageError(f"{flag} {path}: no such directory")
    source = {'name': name, 'root': os.path.abspath(path)}
    if name == 'folder':
        source['seed'] = args.seed
    return source


def _image_folder(path):
    try:
        return datasets.ImageFolder(path)
    except (FileNotFoundError, RuntimeError) as error:
        raise UsageError(f"--data {path}: {error}") from error


def _first_folder(root, names):
    return next((os.path.join(root, name) for name in names if os.path.isdir(os.path.join(root, name))), None)


def _folder_splits(source):
    root = source['root']
    train_dir = _first_folder(root, ['train'])
    valid_dir = _first_folder(root, _VALID_FOLDERS)
    test_dir = _first_folder(root, ['test'])
    if train_dir is not None and (valid_dir or test_dir):
        train = _image_folder(train_dir)
        valid = _image_folder(valid_dir or test_dir)
        test = _image_folder(test_dir or valid_dir)
        for split in (valid, test):
            if split.classes != train.classes:
                raise UsageError(f"--data {root}: {split.root} has classes {split.classes}, "
                                 f"but {train_dir} has {train.classes}")
        return train, valid, test, train.classes
    whole = _image_folder(train_dir or root)
    train, valid = random_split(whole, [0.8, 0.2], generator=Generator().manual_seed(source['seed']))
    return train, valid, valid, whole.classes


def load_splits(source):
    """`(train, valid, test, classes, channels)`: datasets of `(PIL image, class index)` without any
    transform, the class names, and the images' channel count (1 for grey, 3 for colour)."""
    name = source['name']
    if name == 'digits':
        train, test = datasets.Digits(train=True), datasets.Digits(train=False)
        return train, test, test, list(train.classes), 1
    if name == 'folder':
        return (*_folder_splits(source), 3)
    dataset_class, channels = {'mnist': (datasets.MNIST, 1), 'cifar10': (datasets.CIFAR10, 3)}[name]
    try:
        train = dataset_class(source['root'], train=True, download=False)
        test = dataset_class(source['root'], train=False, download=False)
    except (FileNotFoundError, RuntimeError) as error:
        raise UsageError(f"--{name} {source['root']}: {error}") from error
    return train, test, test, list(train.classes), channels


def image_spec(image_size, channels, model_channels):
    """What the transforms need, recorded in the checkpoint for `ember predict`."""
    return {'image_size': image_size, 'channels': channels, 'model_channels': model_channels,
            'mean': [_NORMALIZE_MEAN] * model_channels, 'std': [_NORMALIZE_STD] * model_channels}


def image_transform(spec, augment=False):
    """PIL image (in `image_mode(spec)`) -> normalized `model_channels x size x size` tensor."""
    size = spec['image_size']
    steps = [transforms.Resize((size, size))]
    if augment:
        steps.append(transforms.RandomCrop(size, padding=4))
    if spec['model_channels'] == 3 and spec['channels'] == 1:
        steps.append(transforms.Grayscale(num_output_channels=3))
    steps += [transforms.ToTensor(), transforms.Normalize(spec['mean'], spec['std'])]
    return transforms.Compose(steps)


def image_mode(spec):
    """The PIL mode the dataset's images have, to convert any other image to before `image_transform`."""
    return 'L' if spec['channels'] == 1 else 'RGB'


def _sample_seed(seed, epoch, index):
    # SeedSequence mixes the three numbers into a well-spread 32-bit seed
    return int(np.random.SeedSequence([seed, epoch, index]).generate_state(1)[0])


class TransformedDataset(Dataset):
    """`dataset[index]` with `transform` applied to its image.

    With a `seed`, the transform's random draws (the random crop) come from a generator seeded by
    `(seed, epoch, index)` and the global generator is left untouched. So an image's augmentation
    depends only on the seed, the epoch (`set_epoch`) and the image, not on which process or worker
    loads it or on what ran before: a resumed run and a run split over N processes see exactly the
    same training images as one uninterrupted run.
    """

    def __init__(self, dataset, transform, seed=None):
        self.dataset = dataset
        self.transform = transform
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch):
        """Augment as in epoch `epoch`."""
        self.epoch = epoch

    def __getitem__(self, index):
        image, target = self.dataset[index]
        if self.seed is None:
            return self.transform(image), target
        with _reseeded(_sample_seed(self.seed, self.epoch, index)):  # fork_rng + manual_seed, faster
            return self.transform(image), target

    def __len__(self):
        return len(self.dataset)


def limit(dataset, count):
    """The first `count` items of `dataset` (all of it when `count` is None)."""
    return dataset if count is None or count >= len(dataset) else Subset(dataset, range(count))
