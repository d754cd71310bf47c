"""VGG-11, -13, -16 and -19 (with and without batch norm) with torchvision's architecture,
initialisation and parameter names."""
from ... import nn, flatten
from ._api import WeightsEnum, imagenet_weights, register_model
from ._utils import check_no_weights

__all__ = ['VGG', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn', 'VGG11_Weights',
           'VGG11_BN_Weights', 'VGG13_Weights', 'VGG13_BN_Weights', 'VGG16_Weights', 'VGG16_BN_Weights',
           'VGG19_Weights', 'VGG19_BN_Weights']

# numbers are conv output channels, 'M' a 2x2 max-pool; the letters are the paper's columns (11, 13,
# 16 and 19 weight layers)
_CONFIGS = {
    'A': [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'B': [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'D': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
    'E': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


def make_layers(config, batch_norm=False):
    layers = []
    in_channels = 3
    for v in config:
        if v == 'M':
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))
            in_channels = v
    return nn.Sequential(*layers)


# The weights torchvision publishes for these builders: `url`, `meta` and `transforms()` (ember cannot
# download them: see WeightsEnum.get_state_dict).
class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg11-8a719046.pth', 132863336, 69.02,
        88.628, 7.609, 506.84, 'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
        min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg11_bn-6002323d.pth', 132868840, 70.37,
        89.81, 7.609, 506.881, 'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
        min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg13-19584684.pth', 133047848, 69.928,
        89.246, 11.308, 507.545,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg13_bn-abd245e5.pth', 133053736, 71.586,
        90.374, 11.308, 507.59,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg16-397923af.pth', 138357544, 71.592,
        90.382, 15.47, 527.796,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    # the feature extractor of the SSD detector (ported from amdegroot/ssd.pytorch): no classifier
    # weights, hence no categories or accuracy; it takes 0..255 inputs minus the channel means
    IMAGENET1K_FEATURES = imagenet_weights(
        'https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth', 138357544, float('nan'),
        float('nan'), 15.47, 527.802, 'https://github.com/amdegroot/ssd.pytorch#training-ssd', min_size=(32, 32),
        categories=None, mean=(0.48235, 0.45882, 0.40784), std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0))
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg16_bn-6c64b313.pth', 138365992, 73.36,
        91.516, 15.47, 527.866,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg19-dcbb9e9d.pth', 143667240, 72.376,
        90.876, 19.632, 548.051,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/vgg19_bn-c79401a0.pth', 143678248, 74.218,
        91.842, 19.632, 548.143,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


def _vgg(config, batch_norm, weights_enum, weights, **kwargs):
    check_no_weights(weights_enum, weights, kwargs)
    return VGG(make_layers(_CONFIGS[config], batch_norm=batch_norm), **kwargs)


@register_model()
def vgg11(*, weights: VGG11_Weights = None, progress=True, **kwargs):
    """VGG-11 (configuration A)."""
    return _vgg('A', False, VGG11_Weights, weights, **kwargs)


@register_model()
def vgg11_bn(*, weights: VGG11_BN_Weights = None, progress=True, **kwargs):
    """VGG-11 with batch norm after each conv."""
    return _vgg('A', True, VGG11_BN_Weights, weights, **kwargs)


@register_model()
def vgg13(*, weights: VGG13_Weights = None, progress=True, **kwargs):
    """VGG-13 (configuration B)."""
    return _vgg('B', False, VGG13_Weights, weights, **kwargs)


@register_model()
def vgg13_bn(*, weights: VGG13_BN_Weights = None, progress=True, **kwargs):
    """VGG-13 with batch norm after each conv."""
    return _vgg('B', True, VGG13_BN_Weights, weights, **kwargs)


@register_model()
def vgg16(*, weights: VGG16_Weights = None, progress=True, **kwargs):
    """VGG-16 (configuration D)."""
    return _vgg('D', False, VGG16_Weights, weights, **kwargs)


@register_model()
def vgg16_bn(*, weights: VGG16_BN_Weights = None, progress=True, **kwargs):
    """VGG-16 with batch norm after each conv."""
    return _vgg('D', True, VGG16_BN_Weights, weights, **kwargs)


@register_model()
def vgg19(*, weights: VGG19_Weights = None, progress=True, **kwargs):
    """VGG-19 (configuration E)."""
    return _vgg('E', False, VGG19_Weights, weights, **kwargs)


@register_model()
def vgg19_bn(*, weights: VGG19_BN_Weights = None, progress=True, **kwargs):
    """VGG-19 with batch norm after each conv."""
    return _vgg('E', True, VGG19_BN_Weights, weights, **kwargs)
