"""The model zoo: parameter names, shapes and counts as torchvision's (counts from torchvision's
documentation), forward shapes, and the course LeNet against the same network written in torch."""
import numpy as np
import pytest
import torch

import ember
from ember.vision import models

# torchvision's published parameter counts
PARAMETER_COUNTS = {'alexnet': 61100840, 'vgg11': 132863336, 'vgg16': 138357544, 'vgg11_bn': 132868840,
                    'resnet18': 11689512, 'resnet34': 21797672, 'resnet50': 25557032, 'resnext50_32x4d': 25028904}


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
    with pytest.raises(RuntimeError, match="cannot download"):
        models.vgg13(weights='DEFAULT')
    with pytest.warns(UserWarning) as warned, pytest.raises(RuntimeError, match="cannot download"):
        models.resnet50(pretrained=True)
    # torchvision's deprecation warnings, worded as torchvision 0.28 words them
    assert [str(w.message) for w in warned] == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use 'weights' "
        "instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed in "
        "the future. The current behavior is equivalent to passing `weights=ResNet50_Weights.IMAGENET1K_V1`. You can "
        "also use `weights=ResNet50_Weights.DEFAULT` to get the most up-to-date weights."]


@pytest.mark.parametrize('name', ['alexnet', 'resnet18', 'vgg11'])
def test_pretrained_false_builds_the_model_with_torchvisions_warnings(name):
    with pytest.warns(UserWarning) as warned:
        model = getattr(models, name)(pretrained=False, num_classes=3)
    assert [str(w.message) for w in warned] == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use 'weights' "
        "instead.",
        "Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed in "
        "the future. The current behavior is equivalent to passing `weights=None`."]
    assert list(model.parameters())[-1].shape == (3,)


# sum(parameters) of torchvision's make_layers(cfgs[config], batch_norm=True): the VGG classifier (123,642,856
# parameters for 1000 classes) is the same in all four, and slow to initialise
VGG_FEATURE_COUNTS = {'A': 9225984, 'B': 9410880, 'D': 14723136, 'E': 20035392}


@pytest.mark.parametrize('config', list(VGG_FEATURE_COUNTS))
def test_vgg_configurations_match_torchvision(config):
    from ember.vision.models.vgg import _CONFIGS, make_layers
    with_batch_norm = make_layers(_CONFIGS[config], batch_norm=True)
    assert sum(p.numel() for p in with_batch_norm.parameters()) == VGG_FEATURE_COUNTS[config]
    builders = {'A': 'vgg11', 'B': 'vgg13', 'D': 'vgg16', 'E': 'vgg19'}
    assert callable(getattr(models, builders[config])) and callable(getattr(models, builders[config] + '_bn'))


# torchvision 0.29 (torch 2.14; same RNG) with torch.manual_seed(0): models.resnet50(num_classes=10) -- the md5 of
# its repr and sums of some seeded parameters
RESNET50_REPR_MD5 = '2da1e64a2d1c73a16d854cbdaa177cf9'
RESNET50_SUMS = {'conv1.weight': -1.592924, 'layer1.0.downsample.0.weight': -4.719986,
                 'layer3.2.conv2.weight': 11.806335, 'layer4.2.conv3.weight': 38.435734, 'fc.weight': -0.283743,
                 'fc.bias': 0.056088}


def test_resnet50_matches_torchvision_when_seeded():
    import hashlib
    ember.manual_seed(0)
    model = models.resnet50(num_classes=10)
    assert hashlib.md5(repr(model).encode()).hexdigest() == RESNET50_REPR_MD5
    state = model.state_dict()
    for key, expected in RESNET50_SUMS.items():
        assert float(state[key].double().sum()) == pytest.approx(expected, abs=2e-6), key
    assert sum(p.numel() for p in model.parameters()) == 23528522


def test_resnext_with_dilation_matches_torchvision():
    ember.manual_seed(0)
    model = models.resnext50_32x4d(num_classes=5, zero_init_residual=True,
                                   replace_stride_with_dilation=[False, True, True]).eval()
    x = ember.randn(1, 3, 64, 64)
    with ember.no_grad():
        out = model(x)
    # torchvision's output for the same seed
    np.testing.assert_allclose(out.numpy().ravel(), [0.028202, -0.010589, -0.000111, 0.025761, 0.009664], atol=2e-6)
    assert repr(model.layer1[0].conv2) == ('Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), '
                                           'groups=32, bias=False)')
    assert repr(model.layer4[1].conv2) == ('Conv2d(1024, 1024, kernel_size=(3, 3), stride=(1, 1), padding=(4, 4), '
                                           'dilation=(4, 4), groups=32, bias=False)')
    assert float(model.layer2[0].bn3.weight.abs().sum()) == 0.0  # zero_init_residual


@pytest.mark.parametrize('build, error, message', [
    (lambda: models.resnext50_32x4d(groups=4), ValueError, "The parameter 'groups' expected value 32 but got 4 instead."),
    (lambda: models.resnet18(groups=2), ValueError, 'BasicBlock only supports groups=1 and base_width=64'),
    (lambda: models.ResNet(models.BasicBlock, [1, 1, 1, 1], replace_stride_with_dilation=[True]), ValueError,
     'replace_stride_with_dilation should be None or a 3-element tuple, got [True]'),
    (lambda: models.ResNet(models.BasicBlock, [1, 1, 1, 1], replace_stride_with_dilation=[True, False, False]),
     NotImplementedError, 'Dilation > 1 not supported in BasicBlock'),
])
def test_resnet_argument_errors_match_torchvision(build, error, message):
    with pytest.raises(error) as info:
        build()
    assert str(info.value) == message


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


def test_resnet_blocks_run_the_shortcut_after_the_main_path():
    # forward hooks (Grad-CAM, summaries) see torchvision's order: conv1 ... bn2, then the downsample branch
    model = models.resnet18()
    order = []
    for name, module in model.layer2[0].named_modules():
        if name:
            module.register_forward_hook(lambda module, inputs, output, name=name: order.append(name))
    model(ember.randn(2, 3, 32, 32))
    assert order == ['conv1', 'bn1', 'relu', 'conv2', 'bn2', 'downsample.0', 'downsample.1', 'downsample', 'relu']
