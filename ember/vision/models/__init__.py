"""Model architectures: the course's LeNet, and torchvision's AlexNet, VGG and ResNet (with ResNeXt and
Wide ResNet) with the same parameter names (so a state_dict converted from torchvision loads), their
weight enums (`ResNet18_Weights.DEFAULT.transforms()`, `.meta['categories']`) and the registry
(`list_models`, `get_model`). No pretrained weights can be downloaded; load them from a file with `ember.load`."""
from ._api import Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight, list_models
from .lenet import LeNet, lenet
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .vgg import (VGG, VGG11_BN_Weights, VGG11_Weights, VGG13_BN_Weights, VGG13_Weights, VGG16_BN_Weights,
                  VGG16_Weights, VGG19_BN_Weights, VGG19_Weights, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn,
                  vgg19, vgg19_bn)
from .resnet import (ResNet, BasicBlock, Bottleneck, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights,
                     ResNet101_Weights, ResNet152_Weights, ResNeXt50_32X4D_Weights, ResNeXt101_32X8D_Weights,
                     ResNeXt101_64X4D_Weights, Wide_ResNet50_2_Weights, Wide_ResNet101_2_Weights, resnet18, resnet34,
                     resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d,
                     wide_resnet50_2, wide_resnet101_2)

__all__ = ['LeNet', 'lenet', 'AlexNet', 'alexnet', 'VGG', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16',
           'vgg16_bn', 'vgg19', 'vgg19_bn', 'ResNet', 'BasicBlock', 'Bottleneck', 'resnet18', 'resnet34', 'resnet50',
           'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2',
           'wide_resnet101_2', 'Weights', 'WeightsEnum', 'get_model', 'get_model_builder', 'get_model_weights',
           'get_weight', 'list_models', 'AlexNet_Weights', 'VGG11_Weights', 'VGG11_BN_Weights', 'VGG13_Weights',
           'VGG13_BN_Weights', 'VGG16_Weights', 'VGG16_BN_Weights', 'VGG19_Weights', 'VGG19_BN_Weights',
           'ResNet18_Weights', 'ResNet34_Weights', 'ResNet50_Weights', 'ResNet101_Weights', 'ResNet152_Weights',
           'ResNeXt50_32X4D_Weights', 'ResNeXt101_32X8D_Weights', 'ResNeXt101_64X4D_Weights', 'Wide_ResNet50_2_Weights',
           'Wide_ResNet101_2_Weights']
