"""Model architectures: the course's LeNet, and torchvision's AlexNet, VGG and ResNet (with ResNeXt and
Wide ResNet) with the same parameter names (so a state_dict converted from torchvision loads). No
pretrained weights can be downloaded; load them from a file with `ember.load`."""
from .lenet import LeNet, lenet
from .alexnet import AlexNet, alexnet
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn
from .resnet import (ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, resnet101, resnet152,
                     resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2)

__all__ = ['LeNet', 'lenet', 'AlexNet', 'alexnet', 'VGG', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16',
           'vgg16_bn', 'vgg19', 'vgg19_bn', 'ResNet', 'BasicBlock', 'Bottleneck', 'resnet18', 'resnet34', 'resnet50',
           'resnet101', 'resnet152', 'resnext50_32x4d', 'resnext101_32x8d', 'resnext101_64x4d', 'wide_resnet50_2',
           'wide_resnet101_2']
