"""AlexNet with torchvision's architecture and parameter names, so a converted state_dict loads."""
from ... import nn, flatten
from ._api import WeightsEnum, imagenet_weights, register_model
from ._utils import check_no_weights

__all__ = ['AlexNet', 'alexnet', 'AlexNet_Weights']


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


# The weights torchvision publishes (ember cannot download them: see WeightsEnum.get_state_dict).
class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = imagenet_weights('https://download.pytorch.org/models/alexnet-owt-7be5be79.pth', 61100840, 56.522,
        79.066, 0.714, 233.087,
        'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg', min_size=(63, 63))
    DEFAULT = IMAGENET1K_V1


@register_model()
def alexnet(*, weights: AlexNet_Weights = None, progress=True, **kwargs):
    """AlexNet (the one-GPU variant torchvision builds)."""
    check_no_weights(AlexNet_Weights, weights, kwargs)
    return AlexNet(**kwargs)
