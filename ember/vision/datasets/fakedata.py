"""`FakeData`: random images, the same for an index on every call."""
from ... import manual_seed, randint, randn
from ...random import get_rng_state, set_rng_state
from ..transforms import functional as F
from .vision import VisionDataset

__all__ = ['FakeData']


class FakeData(VisionDataset):
    """`size` random images of `image_size` (C, H, W) as PIL Images, with random labels below
    `num_classes`. Item `i` is drawn from seed `i + random_offset` (the global generator's state is
    restored afterwards), as torchvision does, so items are reproducible."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f'{self.__class__.__name__} index out of range')
        rng_state = get_rng_state()
        manual_seed(index + self.random_offset)
        img = randn(*self.image_size)
        target = randint(0, self.num_classes, size=(1,))[0]
        set_rng_state(rng_state)
        image, target = self._apply_transforms(F.to_pil_image(img), target)
        return image, target.item() if hasattr(target, 'item') else target

    def __len__(self):
        return self.size
