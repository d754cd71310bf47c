"""Learned and random augmentation policies, as torchvision's `transforms.autoaugment`: `AutoAugment`
(the policies searched on ImageNet, CIFAR10 and SVHN), `RandAugment`, `TrivialAugmentWide` and `AugMix`.

Each draws from ember's generator with torchvision's calls in torchvision's order (`randint(n, (1,))`,
`rand((2,))`, `_sample_dirichlet`), and its magnitude tables are built with the same float32
`linspace`, so a seeded run picks the same operations at the same strengths as torchvision's.
Inputs: PIL images ('L' or 'RGB') or uint8 tensors `(..., 1 or 3, H, W)`.
"""
import math
from enum import Enum

from ... import _sample_dirichlet, arange, int64, linspace, rand, randint, tensor
from ..._tensor import Tensor
from ...nn.modules.module import Module
from . import functional as F
from .functional import InterpolationMode

__all__ = ['AutoAugmentPolicy', 'AutoAugment', 'RandAugment', 'TrivialAugmentWide', 'AugMix']


def _apply_op(img, op_name, magnitude, interpolation, fill):
    """One named image operation at strength `magnitude` (its meaning depends on the operation)."""
    if op_name in ('ShearX', 'ShearY'):
        # the policies give the shear as a slope; F.affine takes an angle, and shears about the corner
        shear = math.degrees(math.atan(magnitude))
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0,
                        shear=[shear, 0.0] if op_name == 'ShearX' else [0.0, shear],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name in ('TranslateX', 'TranslateY'):
        translate = [int(magnitude), 0] if op_name == 'TranslateX' else [0, int(magnitude)]
        return F.affine(img, angle=0.0, translate=translate, scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == 'Rotate':
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    if op_name == 'Brightness':
        return F.adjust_brightness(img, 1.0 + magnitude)
    if op_name == 'Color':
        return F.adjust_saturation(img, 1.0 + magnitude)
    if op_name == 'Contrast':
        return F.adjust_contrast(img, 1.0 + magnitude)
    if op_name == 'Sharpness':
        return F.adjust_sharpness(img, 1.0 + magnitude)
    if op_name == 'Posterize':
        return F.posterize(img, int(magnitude))
    if op_name == 'Solarize':
        return F.solarize(img, magnitude)
    if op_name == 'AutoContrast':
        return F.autocontrast(img)
    if op_name == 'Equalize':
        return F.equalize(img)
    if op_name == 'Invert':
        return F.invert(img)
    if op_name == 'Identity':
        return img
    raise ValueError(f'The provided operator {op_name} is not recognized.')


def _tensor_fill(fill, img, channels):
    """torchvision hands tensors a per-channel list of floats as the fill (PIL images get `fill` as is)."""
    if not isinstance(img, Tensor) or fill is None:
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * channels
    return [float(value) for value in fill]


def _posterize_bits(highest, num_bins, steps):
    """`highest - round(i / ((num_bins - 1) / steps))` for the bins i: fewer bits as the bin grows."""
    return highest - (arange(num_bins) / ((num_bins - 1) / steps)).round().int()


def _no_magnitude():
    return tensor(0.0)  # a 0-d table: the operation has no strength


def _pick_op(op_meta):
    """One operation name, uniformly: `randint(len(op_meta), (1,))` indexes the table's keys."""
    return list(op_meta)[int(randint(len(op_meta), (1,)).item())]


def _random_sign(magnitude, signed):
    """Signed operations go the negative way when `randint(2, (1,))` draws a 1."""
    if signed and randint(2, (1,)).item():
        return -magnitude
    return magnitude


class AutoAugmentPolicy(Enum):
    """AutoAugment policies learned on different datasets. Available policies are IMAGENET, CIFAR10 and SVHN."""
    IMAGENET = 'imagenet'
    CIFAR10 = 'cifar10'
    SVHN = 'svhn'


# Each policy is a list of sub-policies; a sub-policy is two (operation, probability, magnitude bin) steps.
_POLICIES = {
    AutoAugmentPolicy.IMAGENET: [
        (('Posterize', 0.4, 8), ('Rotate', 0.6, 9)), (('Solarize', 0.6, 5), ('AutoContrast', 0.6, None)),
        (('Equalize', 0.8, None), ('Equalize', 0.6, None)), (('Posterize', 0.6, 7), ('Posterize', 0.6, 6)),
        (('Equalize', 0.4, None), ('Solarize', 0.2, 4)), (('Equalize', 0.4, None), ('Rotate', 0.8, 8)),
        (('Solarize', 0.6, 3), ('Equalize', 0.6, None)), (('Posterize', 0.8, 5), ('Equalize', 1.0, None)),
        (('Rotate', 0.2, 3), ('Solarize', 0.6, 8)), (('Equalize', 0.6, None), ('Posterize', 0.4, 6)),
        (('Rotate', 0.8, 8), ('Color', 0.4, 0)), (('Rotate', 0.4, 9), ('Equalize', 0.6, None)),
        (('Equalize', 0.0, None), ('Equalize', 0.8, None)), (('Invert', 0.6, None), ('Equalize', 1.0, None)),
        (('Color', 0.6, 4), ('Contrast', 1.0, 8)), (('Rotate', 0.8, 8), ('Color', 1.0, 2)),
        (('Color', 0.8, 8), ('Solarize', 0.8, 7)), (('Sharpness', 0.4, 7), ('Invert', 0.6, None)),
        (('ShearX', 0.6, 5), ('Equalize', 1.0, None)), (('Color', 0.4, 0), ('Equalize', 0.6, None)),
        (('Equalize', 0.4, None), ('Solarize', 0.2, 4)), (('Solarize', 0.6, 5), ('AutoContrast', 0.6, None)),
        (('Invert', 0.6, None), ('Equalize', 1.0, None)), (('Color', 0.6, 4), ('Contrast', 1.0, 8)),
        (('Equalize', 0.8, None), ('Equalize', 0.6, None)),
    ],
    AutoAugmentPolicy.CIFAR10: [
        (('Invert', 0.1, None), ('Contrast', 0.2, 6)), (('Rotate', 0.7, 2), ('TranslateX', 0.3, 9)),
        (('Sharpness', 0.8, 1), ('Sharpness', 0.9, 3)), (('ShearY', 0.5, 8), ('TranslateY', 0.7, 9)),
        (('AutoContrast', 0.5, None), ('Equalize', 0.9, None)), (('ShearY', 0.2, 7), ('Posterize', 0.3, 7)),
        (('Color', 0.4, 3), ('Brightness', 0.6, 7)), (('Sharpness', 0.3, 9), ('Brightness', 0.7, 9)),
        (('Equalize', 0.6, None), ('Equalize', 0.5, None)), (('Contrast', 0.6, 7), ('Sharpness', 0.6, 5)),
        (('Color', 0.7, 7), ('TranslateX', 0.5, 8)), (('Equalize', 0.3, None), ('AutoContrast', 0.4, None)),
        (('TranslateY', 0.4, 3), ('Sharpness', 0.2, 6)), (('Brightness', 0.9, 6), ('Color', 0.2, 8)),
        (('Solarize', 0.5, 2), ('Invert', 0.0, None)), (('Equalize', 0.2, None), ('AutoContrast', 0.6, None)),
        (('Equalize', 0.2, None), ('Equalize', 0.6, None)), (('Color', 0.9, 9), ('Equalize', 0.6, None)),
        (('AutoContrast', 0.8, None), ('Solarize', 0.2, 8)), (('Brightness', 0.1, 3), ('Color', 0.7, 0)),
        (('Solarize', 0.4, 5), ('AutoContrast', 0.9, None)), (('TranslateY', 0.9, 9), ('TranslateY', 0.7, 9)),
        (('AutoContrast', 0.9, None), ('Solarize', 0.8, 3)), (('Equalize', 0.8, None), ('Invert', 0.1, None)),
        (('TranslateY', 0.7, 9), ('AutoContrast', 0.9, None)),
    ],
    AutoAugmentPolicy.SVHN: [
        (('ShearX', 0.9, 4), ('Invert', 0.2, None)), (('ShearY', 0.9, 8), ('Invert', 0.7, None)),
        (('Equalize', 0.6, None), ('Solarize', 0.6, 6)), (('Invert', 0.9, None), ('Equalize', 0.6, None)),
        (('Equalize', 0.6, None), ('Rotate', 0.9, 3)), (('ShearX', 0.9, 4), ('AutoContrast', 0.8, None)),
        (('ShearY', 0.9, 8), ('Invert', 0.4, None)), (('ShearY', 0.9, 5), ('Solarize', 0.2, 6)),
        (('Invert', 0.9, None), ('AutoContrast', 0.8, None)), (('Equalize', 0.6, None), ('Rotate', 0.9, 3)),
        (('ShearX', 0.9, 4), ('Solarize', 0.3, 3)), (('ShearY', 0.8, 8), ('Invert', 0.7, None)),
        (('Equalize', 0.9, None), ('TranslateY', 0.6, 6)), (('Invert', 0.9, None), ('Equalize', 0.6, None)),
        (('Contrast', 0.3, 3), ('Rotate', 0.8, 4)), (('Invert', 0.8, None), ('TranslateY', 0.0, 2)),
        (('ShearY', 0.7, 6), ('Solarize', 0.4, 8)), (('Invert', 0.6, None), ('Rotate', 0.8, 4)),
        (('ShearY', 0.3, 7), ('TranslateX', 0.9, 3)), (('ShearX', 0.1, 6), ('Invert', 0.6, None)),
        (('Solarize', 0.7, 2), ('TranslateY', 0.6, 7)), (('ShearY', 0.8, 4), ('Invert', 0.8, None)),
        (('ShearX', 0.7, 9), ('TranslateY', 0.8, 3)), (('ShearY', 0.8, 5), ('AutoContrast', 0.7, None)),
        (('ShearX', 0.7, 2), ('Invert', 0.1, None)),
    ],
}


def _standard_space(num_bins, height, width, *, identity):
    """The magnitude table AutoAugment and RandAugment share: operation -> (magnitudes per bin, signed).
    The table's key order matters: a seeded draw indexes it."""
    space = {'Identity': (_no_magnitude(), False)} if identity else {}
    space.update({
        'ShearX': (linspace(0.0, 0.3, num_bins), True),
        'ShearY': (linspace(0.0, 0.3, num_bins), True),
        'TranslateX': (linspace(0.0, 150.0 / 331.0 * width, num_bins), True),
        'TranslateY': (linspace(0.0, 150.0 / 331.0 * height, num_bins), True),
        'Rotate': (linspace(0.0, 30.0, num_bins), True),
        'Brightness': (linspace(0.0, 0.9, num_bins), True),
        'Color': (linspace(0.0, 0.9, num_bins), True),
        'Contrast': (linspace(0.0, 0.9, num_bins), True),
        'Sharpness': (linspace(0.0, 0.9, num_bins), True),
        'Posterize': (_posterize_bits(8, num_bins, 4), False),
        'Solarize': (linspace(255.0, 0.0, num_bins), False),
        'AutoContrast': (_no_magnitude(), False),
        'Equalize': (_no_magnitude(), False),
    })
    return space


class AutoAugment(Module):
    """AutoAugment ("AutoAugment: Learning Augmentation Strategies from Data"): each call applies one
    sub-policy, drawn uniformly from `policy`'s list, whose two steps each happen with their own probability."""

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.policy = policy
        self.interpolation = interpolation
        self.fill = fill
        self.policies = self._get_policies(policy)

    def _get_policies(self, policy):
        if policy not in _POLICIES:
            raise ValueError(f'The provided policy {policy} is not recognized.')
        return _POLICIES[policy]

    def _augmentation_space(self, num_bins, image_size):
        space = _standard_space(num_bins, *image_size, identity=False)
        space['Invert'] = (_no_magnitude(), False)
        return space

    @staticmethod
    def get_params(transform_num):
        """(sub-policy index, the two steps' probabilities, the two steps' signs), drawn in that order."""
        policy_id = int(randint(transform_num, (1,)).item())
        probs = rand((2,))
        signs = randint(2, (2,))
        return policy_id, probs, signs

    def forward(self, img):
        channels, height, width = F.get_dimensions(img)
        fill = _tensor_fill(self.fill, img, channels)
        transform_id, probs, signs = self.get_params(len(self.policies))
        op_meta = self._augmentation_space(10, (height, width))
        for i, (op_name, p, magnitude_id) in enumerate(self.policies[transform_id]):
            if probs[i].item() <= p:
                magnitudes, signed = op_meta[op_name]
                magnitude = float(magnitudes[magnitude_id].item()) if magnitude_id is not None else 0.0
                if signed and signs[i].item() == 0:
                    magnitude *= -1.0
                img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(policy={self.policy}, fill={self.fill})'


class RandAugment(Module):
    """RandAugment ("RandAugment: Practical automated data augmentation with a reduced search space"):
    `num_ops` operations drawn uniformly, all at the same `magnitude` bin out of `num_magnitude_bins`."""

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        super().__init__()
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        return _standard_space(num_bins, *image_size, identity=True)

    def forward(self, img):
        channels, height, width = F.get_dimensions(img)
        fill = _tensor_fill(self.fill, img, channels)
        op_meta = self._augmentation_space(self.num_magnitude_bins, (height, width))
        for _ in range(self.num_ops):
            op_name = _pick_op(op_meta)
            magnitudes, signed = op_meta[op_name]
            magnitude = float(magnitudes[self.magnitude].item()) if magnitudes.ndim > 0 else 0.0
            img = _apply_op(img, op_name, _random_sign(magnitude, signed), interpolation=self.interpolation,
                            fill=fill)
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, '
                f'num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, '
                f'fill={self.fill})')


class TrivialAugmentWide(Module):
    """TrivialAugment Wide ("TrivialAugment: Tuning-free Yet State-of-the-Art Data Augmentation"): one
    operation drawn uniformly, at a magnitude drawn uniformly from its (wider than RandAugment's) range."""

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins):
        return {
            'Identity': (_no_magnitude(), False),
            'ShearX': (linspace(0.0, 0.99, num_bins), True),
            'ShearY': (linspace(0.0, 0.99, num_bins), True),
            'TranslateX': (linspace(0.0, 32.0, num_bins), True),
            'TranslateY': (linspace(0.0, 32.0, num_bins), True),
            'Rotate': (linspace(0.0, 135.0, num_bins), True),
            'Brightness': (linspace(0.0, 0.99, num_bins), True),
            'Color': (linspace(0.0, 0.99, num_bins), True),
            'Contrast': (linspace(0.0, 0.99, num_bins), True),
            'Sharpness': (linspace(0.0, 0.99, num_bins), True),
            'Posterize': (_posterize_bits(8, num_bins, 6), False),
            'Solarize': (linspace(255.0, 0.0, num_bins), False),
            'AutoContrast': (_no_magnitude(), False),
            'Equalize': (_no_magnitude(), False),
        }

    def forward(self, img):
        channels, _, _ = F.get_dimensions(img)
        fill = _tensor_fill(self.fill, img, channels)
        op_meta = self._augmentation_space(self.num_magnitude_bins)
        op_name = _pick_op(op_meta)
        magnitudes, signed = op_meta[op_name]
        magnitude = (float(magnitudes[randint(len(magnitudes), (1,), dtype=int64)].item())
                     if magnitudes.ndim > 0 else 0.0)
        return _apply_op(img, op_name, _random_sign(magnitude, signed), interpolation=self.interpolation, fill=fill)

    def __repr__(self):
        return (f'{self.__class__.__name__}(num_magnitude_bins={self.num_magnitude_bins}, '
                f'interpolation={self.interpolation}, fill={self.fill})')


class AugMix(Module):
    """AugMix ("AugMix: A Simple Data Processing Method to Improve Robustness and Uncertainty"):
    `mixture_width` chains of `chain_depth` random operations (1 to 3 when negative), mixed with
    Dirichlet(`alpha`) weights, then blended with the original by a Beta(`alpha`, `alpha`) weight."""

    _PARAMETER_MAX = 10

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
                 interpolation=InterpolationMode.BILINEAR, fill=None):
        super().__init__()
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(f'The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead.')
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        height, width = image_size
        space = {
            'ShearX': (linspace(0.0, 0.3, num_bins), True),
            'ShearY': (linspace(0.0, 0.3, num_bins), True),
            'TranslateX': (linspace(0.0, width / 3.0, num_bins), True),
            'TranslateY': (linspace(0.0, height / 3.0, num_bins), True),
            'Rotate': (linspace(0.0, 30.0, num_bins), True),
            'Posterize': (_posterize_bits(4, num_bins, 4), False),
            'Solarize': (linspace(255.0, 0.0, num_bins), False),
            'AutoContrast': (_no_magnitude(), False),
            'Equalize': (_no_magnitude(), False),
        }
        if self.all_ops:
            space.update({
                'Brightness': (linspace(0.0, 0.9, num_bins), True),
                'Color': (linspace(0.0, 0.9, num_bins), True),
                'Contrast': (linspace(0.0, 0.9, num_bins), True),
                'Sharpness': (linspace(0.0, 0.9, num_bins), True),
            })
        return space

    def _sample_dirichlet(self, params):
        return _sample_dirichlet(params)

    def forward(self, orig_img):
        channels, height, width = F.get_dimensions(orig_img)
        fill = _tensor_fill(self.fill, orig_img, channels)
        # the chains work on tensors; a PIL image goes through as a uint8 tensor and comes back as PIL
        img = orig_img if isinstance(orig_img, Tensor) else F.pil_to_tensor(orig_img)
        op_meta = self._augmentation_space(self._PARAMETER_MAX, (height, width))
        orig_dims = list(img.shape)
        batch = img.view([1] * max(4 - img.ndim, 0) + orig_dims)
        batch_dims = [batch.size(0)] + [1] * (batch.ndim - 1)
        # Beta(alpha, alpha) as a two-parameter Dirichlet: column 0 weighs the original, column 1 the chains
        m = self._sample_dirichlet(tensor([self.alpha, self.alpha]).expand(batch_dims[0], -1))
        combined_weights = self._sample_dirichlet(
            tensor([self.alpha] * self.mixture_width).expand(batch_dims[0], -1)) * m[:, 1].view([batch_dims[0], -1])
        mix = m[:, 0].view(batch_dims) * batch
        for i in range(self.mixture_width):
            aug = batch
            depth = self.chain_depth if self.chain_depth > 0 else int(randint(low=1, high=4, size=(1,)).item())
            for _ in range(depth):
                op_name = _pick_op(op_meta)
                magnitudes, signed = op_meta[op_name]
                magnitude = (float(magnitudes[randint(self.severity, (1,), dtype=int64)].item())
                             if magnitudes.ndim > 0 else 0.0)
                aug = _apply_op(aug, op_name, _random_sign(magnitude, signed), interpolation=self.interpolation,
                                fill=fill)
            mix.add_(combined_weights[:, i].view(batch_dims) * aug)
        mix = mix.view(orig_dims).to(dtype=img.dtype)
        return mix if isinstance(orig_img, Tensor) else F.to_pil_image(mix)

    def __repr__(self):
        return (f'{self.__class__.__name__}(severity={self.severity}, mixture_width={self.mixture_width}, '
                f'chain_depth={self.chain_depth}, alpha={self.alpha}, all_ops={self.all_ops}, '
                f'interpolation={self.interpolation}, fill={self.fill})')
