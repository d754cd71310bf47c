"""ResNet (basic blocks: ResNet-18/34; bottlenecks: ResNet-50/101/152, ResNeXt, Wide ResNet) with
torchvision's architecture, initialisation and parameter names."""
from ... import nn, flatten
from ._api import WeightsEnum, imagenet_weights, register_model
from ._utils import check_no_weights, overwrite_named_param

__all__ = ['ResNet', 'BasicBlock', 'Bottleneck', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152',
           'resnext50_32x4d', 'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2', 'wide_resnet101_2',
           'ResNet18_Weights', 'ResNet34_Weights', 'ResNet50_Weights', 'ResNet101_Weights', 'ResNet152_Weights',
           'ResNeXt50_32X4D_Weights', 'ResNeXt101_32X8D_Weights', 'ResNeXt101_64X4D_Weights',
           'Wide_ResNet50_2_Weights', 'Wide_ResNet101_2_Weights']


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convs with batch norm; the input is added back (through `downsample` when the shape
    changes) before the last ReLU."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError('BasicBlock only supports groups=1 and base_width=64')
        if dilation > 1:
            raise NotImplementedError('Dilation > 1 not supported in BasicBlock')
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        # the shortcut runs after the main path, as in torchvision: forward hooks fire in that order
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 conv down to `width` channels, 3x3 conv (grouped for ResNeXt), 1x1 conv up to
    `planes * 4`; the input is added back before the last ReLU. The stride sits on the 3x3 conv
    (torchvision's "ResNet v1.5"; the paper put it on the first 1x1)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    """A 7x7 stem, four stages of `layers[i]` blocks (64, 128, 256, 512 planes; the last three halve
    the resolution, or dilate instead where `replace_stride_with_dilation` says so), global average
    pooling and a linear classifier."""

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError('replace_stride_with_dilation should be None or a 3-element tuple, '
                             f'got {replace_stride_with_dilation}')
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            # each residual branch starts at zero, so each block starts as the identity (Goyal et al. 2017)
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       self._norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        self._norm_layer)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, groups=self.groups, base_width=self.base_width, dilation=self.dilation,
                         norm_layer=self._norm_layer) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(flatten(self.avgpool(x), 1))


# The weights torchvision publishes for these builders: `url`, `meta` and `transforms()` (ember cannot
# download them: see WeightsEnum.get_state_dict).
class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnet18-f37072fd.pth', 11689512, 69.758,
        89.078, 1.814, 44.661, 'https://github.com/pytorch/vision/tree/main/references/classification#resnet')
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnet34-b627a593.pth', 21797672, 73.314,
        91.42, 3.664, 83.275, 'https://github.com/pytorch/vision/tree/main/references/classification#resnet')
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnet50-0676ba61.pth', 25557032, 76.13,
        92.862, 4.089, 97.781, 'https://github.com/pytorch/vision/tree/main/references/classification#resnet')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/resnet50-11ad3fa6.pth', 25557032, 80.858,
        95.434, 4.089, 97.79, 'https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621', resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnet101-63fe2227.pth', 44549160, 77.374,
        93.546, 7.801, 170.511, 'https://github.com/pytorch/vision/tree/main/references/classification#resnet')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/resnet101-cd907fc2.pth', 44549160, 81.886,
        95.78, 7.801, 170.53, 'https://github.com/pytorch/vision/issues/3995#new-recipe', resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnet152-394f9c45.pth', 60192808, 78.312,
        94.046, 11.514, 230.434, 'https://github.com/pytorch/vision/tree/main/references/classification#resnet')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/resnet152-f82ba261.pth', 60192808, 82.284,
        96.002, 11.514, 230.474, 'https://github.com/pytorch/vision/issues/3995#new-recipe', resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt50_32X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth', 25028904,
        77.618, 93.698, 4.23, 95.789, 'https://github.com/pytorch/vision/tree/main/references/classification#resnext')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth', 25028904,
        81.198, 95.34, 4.23, 95.833, 'https://github.com/pytorch/vision/issues/3995#new-recipe', resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_32X8D_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnext101_32x8d-8ba56ff5.pth', 88791336,
        79.312, 94.526, 16.414, 339.586,
        'https://github.com/pytorch/vision/tree/main/references/classification#resnext')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/resnext101_32x8d-110c445d.pth', 88791336,
        82.834, 96.228, 16.414, 339.673, 'https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres',
        resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_64X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/resnext101_64x4d-173b62eb.pth', 83455272,
        83.246, 96.454, 15.46, 319.318, 'https://github.com/pytorch/vision/pull/5935', resize_size=232)
    DEFAULT = IMAGENET1K_V1


class Wide_ResNet50_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth', 68883240,
        78.468, 94.086, 11.398, 131.82, 'https://github.com/pytorch/vision/pull/912#issue-445437439')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/wide_resnet50_2-9ba9bcbe.pth', 68883240,
        81.602, 95.758, 11.398, 263.124, 'https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres',
        resize_size=232)
    DEFAULT = IMAGENET1K_V2


class Wide_ResNet101_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/wide_resnet101_2-32ee1156.pth', 126886696,
        78.848, 94.284, 22.753, 242.896, 'https://github.com/pytorch/vision/pull/912#issue-445437439')
    IMAGENET1K_V2 = imagenet_weights('https://download.pytorch.org/models/wide_resnet101_2-d733dc28.pth', 126886696,
        82.51, 96.02, 22.753, 484.747, 'https://github.com/pytorch/vision/issues/3995#new-recipe', resize_size=232)
    DEFAULT = IMAGENET1K_V2


def _resnet(block, layers, weights_enum, weights, **kwargs):
    check_no_weights(weights_enum, weights, kwargs)
    return ResNet(block, layers, **kwargs)


@register_model()
def resnet18(*, weights: ResNet18_Weights = None, progress=True, **kwargs):
    """ResNet-18: basic blocks [2, 2, 2, 2]."""
    return _resnet(BasicBlock, [2, 2, 2, 2], ResNet18_Weights, weights, **kwargs)


@register_model()
def resnet34(*, weights: ResNet34_Weights = None, progress=True, **kwargs):
    """ResNet-34: basic blocks [3, 4, 6, 3]."""
    return _resnet(BasicBlock, [3, 4, 6, 3], ResNet34_Weights, weights, **kwargs)


@register_model()
def resnet50(*, weights: ResNet50_Weights = None, progress=True, **kwargs):
    """ResNet-50: bottlenecks [3, 4, 6, 3]."""
    return _resnet(Bottleneck, [3, 4, 6, 3], ResNet50_Weights, weights, **kwargs)


@register_model()
def resnet101(*, weights: ResNet101_Weights = None, progress=True, **kwargs):
    """ResNet-101: bottlenecks [3, 4, 23, 3]."""
    return _resnet(Bottleneck, [3, 4, 23, 3], ResNet101_Weights, weights, **kwargs)


@register_model()
def resnet152(*, weights: ResNet152_Weights = None, progress=True, **kwargs):
    """ResNet-152: bottlenecks [3, 8, 36, 3]."""
    return _resnet(Bottleneck, [3, 8, 36, 3], ResNet152_Weights, weights, **kwargs)


@register_model()
def resnext50_32x4d(*, weights: ResNeXt50_32X4D_Weights = None, progress=True, **kwargs):
    """ResNeXt-50 32x4d: ResNet-50 whose 3x3 convs have 32 groups of 4 channels per group."""
    overwrite_named_param(kwargs, 'groups', 32)
    overwrite_named_param(kwargs, 'width_per_group', 4)
    return _resnet(Bottleneck, [3, 4, 6, 3], ResNeXt50_32X4D_Weights, weights, **kwargs)


@register_model()
def resnext101_32x8d(*, weights: ResNeXt101_32X8D_Weights = None, progress=True, **kwargs):
    """ResNeXt-101 32x8d: ResNet-101 whose 3x3 convs have 32 groups of 8 channels per group."""
    overwrite_named_param(kwargs, 'groups', 32)
    overwrite_named_param(kwargs, 'width_per_group', 8)
    return _resnet(Bottleneck, [3, 4, 23, 3], ResNeXt101_32X8D_Weights, weights, **kwargs)


@register_model()
def resnext101_64x4d(*, weights: ResNeXt101_64X4D_Weights = None, progress=True, **kwargs):
    """ResNeXt-101 64x4d: ResNet-101 whose 3x3 convs have 64 groups of 4 channels per group."""
    overwrite_named_param(kwargs, 'groups', 64)
    overwrite_named_param(kwargs, 'width_per_group', 4)
    return _resnet(Bottleneck, [3, 4, 23, 3], ResNeXt101_64X4D_Weights, weights, **kwargs)


@register_model()
def wide_resnet50_2(*, weights: Wide_ResNet50_2_Weights = None, progress=True, **kwargs):
    """Wide ResNet-50-2: ResNet-50 with bottlenecks twice as wide (the outer 1x1 convs keep their size)."""
    overwrite_named_param(kwargs, 'width_per_group', 64 * 2)
    return _resnet(Bottleneck, [3, 4, 6, 3], Wide_ResNet50_2_Weights, weights, **kwargs)


@register_model()
def wide_resnet101_2(*, weights: Wide_ResNet101_2_Weights = None, progress=True, **kwargs):
    """Wide ResNet-101-2: ResNet-101 with bottlenecks twice as wide."""
    overwrite_named_param(kwargs, 'width_per_group', 64 * 2)
    return _resnet(Bottleneck, [3, 4, 23, 3], Wide_ResNet101_2_Weights, weights, **kwargs)
