"""LeNet as the course builds it: two conv + max-pool stages and three fully connected layers,
for 3×32×32 inputs (1-channel images are expected to be expanded to 3 channels, or pass
`in_channels=1`)."""
from ... import nn
from ...nn import functional as F

__all__ = ['LeNet', 'lenet']


class LeNet(nn.Module):
    def __init__(self, classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = out.view(out.size(0), -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)

    def initialize_weights(self):
        """The course's initialisation: Xavier-normal conv weights, N(0, 0.1) linear weights, zero biases."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_normal_(m.weight.data)
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight.data, 0, 0.1)
                m.bias.data.zero_()


def lenet(num_classes=10, **kwargs):
    return LeNet(classes=num_classes, **kwargs)
