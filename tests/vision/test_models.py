"""The model zoo: parameter names, shapes and counts as torchvision's (counts from torchvision's
documentation), forward shapes, and the course LeNet against the same network written in torch."""
import numpy as np
import pytest
import torch

import ember
from ember.vision import models

# torchvision's published parameter counts
PARAMETER_COUNTS = {'alexnet': 61100840, 'vgg11': 132863336, 'vgg16': 138357544, 'vgg11_bn': 132868840,
                    'resnet18': 11689512, 'resnet34': 21797672}


@pytest.mark.parametrize('name', list(PARAMETER_COUNTS))
def test_parameter_count_matches_torchvision(name):
    model = getattr(models, name)()
    assert sum(p.numel() for p in model.parameters()) == PARAMETER_COUNTS[name]


def test_resnet18_state_dict_keys_follow_torchvision():
    keys = list(models.resnet18().state_dict().keys())
    for key in ['conv1.weight', 'bn1.running_mean', 'bn1.num_batches_tracked', 'layer1.0.conv1.weight',
                'layer2.0.downsample.0.weight', 'layer2.0.downsample.1.running_var', 'layer4.1.bn2.bias',
                'fc.weight', 'fc.bias']:
        assert key in keys
    assert len(keys) == 122


@pytest.mark.parametrize('name,size', [('alexnet', 64), ('resnet18', 32), ('vgg11', 32)])
def test_forward_shapes(name, size):
    model = getattr(models, name)(num_classes=7).eval()
    with ember.no_grad():
        out = model(ember.randn(2, 3, size, size))
    assert tuple(out.shape) == (2, 7)


def test_pretrained_weights_raise_a_clear_error():
    with pytest.raises(RuntimeError, match="cannot download"):
        models.resnet18(weights='IMAGENET1K_V1')


class TorchLeNet(torch.nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 6, 5)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1 = torch.nn.Linear(16 * 5 * 5, 120)
        self.fc2 = torch.nn.Linear(120, 84)
        self.fc3 = torch.nn.Linear(84, classes)

    def forward(self, x):
        F = torch.nn.functional
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = out.view(out.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(out)))))


def test_lenet_matches_torch_and_its_repr():
    torch.manual_seed(0)
    theirs = TorchLeNet(10)
    ember.manual_seed(0)
    ours = models.LeNet(classes=10)
    # same seed, same default init: the weights are equal before anything is copied
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)
    assert repr(ours) == repr(theirs).replace('TorchLeNet', 'LeNet')
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype('float32')
    out_ours, out_theirs = ours(ember.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out_ours.detach().numpy(), out_theirs.detach().numpy(), rtol=1e-4, atol=1e-5)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    np.testing.assert_allclose(ours.conv1.weight.grad.numpy(), theirs.conv1.weight.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_lenet_initialize_weights_is_seeded():
    ember.manual_seed(1)
    a = models.LeNet(2)
    a.initialize_weights()
    ember.manual_seed(1)
    b = models.LeNet(2)
    b.initialize_weights()
    assert all(np.array_equal(p.detach().numpy(), q.detach().numpy()) for p, q in zip(a.parameters(), b.parameters()))
    assert float(a.fc1.bias.abs().sum()) == 0.0
