"""Model architectures: the course's LeNet, and torchvision's AlexNet, VGG and ResNet with the same
parameter names (so a state_dict converted from torchvision loads). No pretrained weights can be
downloaded; load them from a file with `ember.load`."""
from .lenet import LeNet, lenet
from .alexnet import AlexNet, alexnet
from .vgg import VGG, vgg11, vgg11_bn, vgg16, vgg16_bn
from .resnet import ResNet, BasicBlock, resnet18, resnet34

__all__ = ['LeNet', 'lenet', 'AlexNet', 'alexnet', 'VGG', 'vgg11', 'vgg11_bn', 'vgg16', 'vgg16_bn', 'ResNet',
           'BasicBlock', 'resnet18', 'resnet34']
