"""`VisionDataset`: the base of the image datasets (root, transform, target_transform, repr)."""
import os

from PIL import Image

from ...utils.data import Dataset

__all__ = ['VisionDataset', 'StandardTransform']


class VisionDataset(Dataset):
    """A dataset under `root` whose items are `(transform(image), target_transform(target))`.
    `transforms` (a callable of both) may be given instead of the two separate transforms."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError('Only transforms or transform/target_transform can be passed as argument')
        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def _apply_transforms(self, image, target):
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self):
        body = [f'Number of datapoints: {self.__len__()}']
        if self.root is not None:
            body.append(f'Root location: {self.root}')
        body += self.extra_repr().splitlines()
        if getattr(self, 'transforms', None) is not None:
            body += [repr(self.transforms)]
        return '\n'.join(['Dataset ' + self.__class__.__name__] + [' ' * self._repr_indent + line for line in body])

    def extra_repr(self):
        return ''


class _GreyImageTensors(VisionDataset):
    """The item methods of datasets that hold grey images as a uint8 tensor `data` (N, H, W), with an
    int64 tensor `targets`, a `train` flag and `classes` (MNIST, Digits): items are `(PIL 'L' image,
    int label)`."""

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        image = Image.fromarray(self.data[index].numpy(), mode='L')
        return self._apply_transforms(image, int(self.targets[index]))

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


def _format_transform_repr(transform, head):
    lines = transform.__repr__().splitlines()
    return [f'{head}{lines[0]}'] + ['{}{}'.format(' ' * len(head), line) for line in lines[1:]]


class StandardTransform:
    """`(input, target) -> (transform(input), target_transform(target))`."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += _format_transform_repr(self.transform, 'Transform: ')
        if self.target_transform is not None:
            body += _format_transform_repr(self.target_transform, 'Target transform: ')
        return '\n'.join(body)


def missing_files_error(dataset_name, folder, missing, download):
    """The error for a dataset whose files are not on disk: ember downloads nothing, so say what to
    put where."""
    reason = 'download=True cannot fetch it here (ember downloads nothing). ' if download else ''
    return RuntimeError(f'Dataset {dataset_name} not found: {reason}Place these files in {folder}: '
                        + ', '.join(missing))
