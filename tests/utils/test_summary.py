"""ember.utils.summary against torchsummary's printed tables and against the same models built in torch.

torchsummary is not a dependency, so its behaviour is checked two ways: the tables it prints (its
README's, and tables torchsummary 1.5.1 printed for models here, verbatim) must come out character
for character, and for other models the rows (type, output shape, parameter count) must equal what
forward hooks record on a torch twin built with the same code.
"""
import numpy as np
import pytest
import torch

import ember
from ember.utils.summary import model_summary
from ember.vision.models import AlexNet, LeNet


def torch_rows(model, input_sizes, batch_size=-1):
    """torchsummary's rows for a torch model: a forward hook on every module that is not a
    Sequential/ModuleList nor the model itself -> ('Type-i', output shape with batch_size, params)."""
    rows = []

    def hook(module, args, output):
        shape = list(output.shape)
        shape[0] = batch_size
        # torchsummary counts a module's `weight` and `bias` only
        counted = [t for t in (getattr(module, 'weight', None), getattr(module, 'bias', None)) if t is not None]
        rows.append((f'{type(module).__name__}-{len(rows) + 1}', shape, sum(t.numel() for t in counted)))

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if m is not model and not isinstance(m, (torch.nn.Sequential, torch.nn.ModuleList))]
    model.eval()
    with torch.no_grad():
        model(*[torch.rand(2, *size) for size in input_sizes])
    for handle in handles:
        handle.remove()
    return rows


def ember_rows(result):
    return [(row.name, row.output_shape, row.num_params) for row in result.rows]


def mnist_net(lib):
    """The CNN of torchsummary's README."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

        def forward(self, x):
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 320)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)
    return Net()


README_MNIST = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1           [-1, 10, 24, 24]             260
            Conv2d-2             [-1, 20, 8, 8]           5,020
         Dropout2d-3             [-1, 20, 8, 8]               0
            Linear-4                   [-1, 50]          16,050
            Linear-5                   [-1, 10]             510
================================================================
Total params: 21,840
Trainable params: 21,840
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.06
Params size (MB): 0.08
Estimated Total Size (MB): 0.15
----------------------------------------------------------------
"""

README_MULTIPLE_INPUTS = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1            [-1, 1, 16, 16]              10
              ReLU-2            [-1, 1, 16, 16]               0
            Conv2d-3            [-1, 1, 28, 28]              10
              ReLU-4            [-1, 1, 28, 28]               0
================================================================
Total params: 20
Trainable params: 20
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.77
Forward/backward pass size (MB): 0.02
Params size (MB): 0.00
Estimated Total Size (MB): 0.78
----------------------------------------------------------------
"""


def test_readme_table_verbatim(capsys):
    assert ember.utils.summary(mnist_net(ember), (1, 28, 28)) is None   # torchsummary returns nothing
    assert capsys.readouterr().out == README_MNIST   # and prints no blank line after the table
    result = model_summary(mnist_net(ember), (1, 28, 28))
    assert result.text == str(result) == README_MNIST
    assert capsys.readouterr().out == ''
    assert ember_rows(result) == torch_rows(mnist_net(torch), [(1, 28, 28)])


class SimpleConv:
    """The two-input model of torchsummary's README (one Sequential applied to both inputs)."""

    @staticmethod
    def build(lib):
        nn = lib.nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(1, 1, kernel_size=3, stride=1, padding=1), nn.ReLU())

            def forward(self, x, y):
                return self.features(x), self.features(y)
        return Model()


def test_two_inputs_readme_table(capsys):
    sizes = [(1, 16, 16), (1, 28, 28)]
    ember.utils.summary(SimpleConv.build(ember), sizes)
    assert capsys.readouterr().out == README_MULTIPLE_INPUTS
    result = model_summary(SimpleConv.build(ember), sizes)
    assert result.text == README_MULTIPLE_INPUTS
    assert ember_rows(result) == torch_rows(SimpleConv.build(torch), sizes)
    # torchsummary's input size multiplies all the inputs' dimensions together
    assert result.input_size_mb == pytest.approx(16 * 16 * 28 * 28 * 4 / 1024 ** 2)


def test_lenet_params_and_memory_estimate():
    model = LeNet()
    result = model_summary(model, (3, 32, 32))
    torch_model = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 5), torch.nn.Conv2d(6, 16, 5), torch.nn.Linear(400, 120),
                                      torch.nn.Linear(120, 84), torch.nn.Linear(84, 10))
    expected_total = sum(p.numel() for p in torch_model.parameters())
    assert result.total_params == result.trainable_params == expected_total == 62006
    assert result.non_trainable_params == 0
    assert [row.module_name for row in result.rows] == ['conv1', 'conv2', 'fc1', 'fc2', 'fc3']
    assert [row.output_shape for row in result.rows] == [[-1, 6, 28, 28], [-1, 16, 10, 10], [-1, 120], [-1, 84],
                                                        [-1, 10]]
    assert result.rows[1].input_shape == [-1, 6, 14, 14]
    output_elements = 6 * 28 * 28 + 16 * 10 * 10 + 120 + 84 + 10
    assert result.forward_backward_size_mb == pytest.approx(2 * output_elements * 4 / 1024 ** 2)
    assert result.params_size_mb == pytest.approx(62006 * 4 / 1024 ** 2)
    assert result.input_size_mb == pytest.approx(3 * 32 * 32 * 4 / 1024 ** 2)
    assert result.total_size_mb == pytest.approx(result.input_size_mb + result.forward_backward_size_mb
                                                 + result.params_size_mb)
    assert 'Total params: 62,006\n' in result.text
    assert 'Estimated Total Size (MB): %0.2f\n' % result.total_size_mb in result.text

    # an explicit batch size goes into the shapes and scales the activation and input sizes
    batched = model_summary(model, (3, 32, 32), batch_size=16)
    assert batched.rows[0].output_shape == [16, 6, 28, 28]
    assert batched.forward_backward_size_mb == pytest.approx(16 * result.forward_backward_size_mb)
    assert batched.input_size_mb == pytest.approx(16 * result.input_size_mb)
    assert '{:>20}  {:>25} {:>15}\n'.format('Conv2d-1', '[16, 6, 28, 28]', '456') in batched.text


def torch_alexnet():
    """torchvision's AlexNet, written out (torchvision is not installed)."""
    nn = torch.nn
    model = nn.Module()
    model.features = nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
    model.avgpool = nn.AdaptiveAvgPool2d((6, 6))
    model.classifier = nn.Sequential(
        nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 1000))
    model.forward = lambda x: model.classifier(torch.flatten(model.avgpool(model.features(x)), 1))
    return model


def test_alexnet_rows_match_torch():
    result = model_summary(AlexNet(), (3, 224, 224))
    expected = torch_rows(torch_alexnet(), [(3, 224, 224)])
    assert ember_rows(result) == expected
    assert result.total_params == 61100840
    assert len(result.text.splitlines()) == len(expected) + 13


def nested_model(lib):
    """Sequential inside Sequential, a ModuleList, and a custom block with its own parameter."""
    nn = lib.nn

    class Scaled(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.scale = nn.Parameter(lib.ones(channels, 1, 1))
            self.conv = nn.Conv2d(channels, channels, 3, padding=1)
            self.norm = nn.BatchNorm2d(channels)

        def forward(self, x):
            return self.norm(self.conv(x)) * self.scale

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU()), Scaled(4))
            self.heads = nn.ModuleList([nn.Linear(4, 3), nn.Linear(4, 5)])

        def forward(self, x):
            features = self.stem(x).mean(dim=(2, 3))
            return lib.cat([head(features) for head in self.heads], dim=1)
    return Model()


def test_nested_containers_match_torch():
    result = model_summary(nested_model(ember), (2, 9, 9))
    expected = torch_rows(nested_model(torch), [(2, 9, 9)])
    assert ember_rows(result) == expected
    # the block's row comes after its layers' rows; its own `scale` is not a weight or a bias, so
    # torchsummary counts it nowhere
    assert [row.name for row in result.rows] == ['Conv2d-1', 'ReLU-2', 'Conv2d-3', 'BatchNorm2d-4', 'Scaled-5',
                                                 'Linear-6', 'Linear-7']
    assert result.rows[4].num_params == 0 and result.rows[4].module_name == 'stem.1'
    assert result.total_params == sum(p.numel() for p in nested_model(torch).parameters()) - 4


# Printed by torchsummary 1.5.1 (on torch 2.13) for the models below
TORCHSUMMARY_NESTED = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1              [-1, 4, 7, 7]              76
              ReLU-2              [-1, 4, 7, 7]               0
            Conv2d-3              [-1, 4, 7, 7]             148
       BatchNorm2d-4              [-1, 4, 7, 7]               8
            Scaled-5              [-1, 4, 7, 7]               0
            Linear-6                    [-1, 3]              15
            Linear-7                    [-1, 5]              25
================================================================
Total params: 272
Trainable params: 272
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.01
Params size (MB): 0.00
Estimated Total Size (MB): 0.01
----------------------------------------------------------------
"""

TORCHSUMMARY_FROZEN = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1              [-1, 4, 7, 7]              76
              ReLU-2              [-1, 4, 7, 7]               0
            Conv2d-3              [-1, 4, 7, 7]             148
       BatchNorm2d-4              [-1, 4, 7, 7]               8
            Scaled-5              [-1, 4, 7, 7]               0
            Linear-6                    [-1, 3]              15
            Linear-7                    [-1, 5]              25
================================================================
Total params: 272
Trainable params: 181
Non-trainable params: 91
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.01
Params size (MB): 0.00
Estimated Total Size (MB): 0.01
----------------------------------------------------------------
"""

TORCHSUMMARY_TUPLE_OUTPUT = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Linear-1                     [4, 5]              35
             Split-2         [[-1, 2], [-1, 3]]               0
            Linear-3                     [4, 1]               4
================================================================
Total params: 39
Trainable params: 39
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.00
Params size (MB): 0.00
Estimated Total Size (MB): 0.00
----------------------------------------------------------------
"""

TORCHSUMMARY_BATCH_16 = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1              [16, 4, 8, 8]              40
       BatchNorm2d-2              [16, 4, 8, 8]               8
              ReLU-3              [16, 4, 8, 8]               0
           Dropout-4              [16, 4, 8, 8]               0
           Flatten-5                  [16, 256]               0
            Linear-6                    [16, 2]             514
================================================================
Total params: 562
Trainable params: 562
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.00
Forward/backward pass size (MB): 0.16
Params size (MB): 0.00
Estimated Total Size (MB): 0.16
----------------------------------------------------------------
"""


def frozen_nested_model(lib):
    model = nested_model(lib)
    for p in model.stem[0].parameters():
        p.requires_grad_(False)
    model.heads[1].bias.requires_grad_(False)   # torchsummary judges a layer by its weight alone
    model.heads[0].weight.requires_grad_(False)
    return model


def tuple_output_model(lib):
    nn = lib.nn

    class Split(nn.Module):
        def forward(self, x):
            return x[:, :2], x[:, 2:]

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.split, self.out = nn.Linear(6, 5), Split(), nn.Linear(3, 1)

        def forward(self, x):
            a, b = self.split(self.fc(x))
            return self.out(b) + a.sum(1, keepdim=True)
    return Model()


def batch_norm_model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.2), nn.Flatten(),
                         nn.Linear(4 * 8 * 8, 2))


@pytest.mark.parametrize('build, args, expected', [
    (nested_model, ((2, 9, 9),), TORCHSUMMARY_NESTED),
    (frozen_nested_model, ((2, 9, 9),), TORCHSUMMARY_FROZEN),
    (tuple_output_model, ((6,), 4), TORCHSUMMARY_TUPLE_OUTPUT),
    (batch_norm_model, ((1, 8, 8), 16), TORCHSUMMARY_BATCH_16),
], ids=['nested', 'frozen', 'tuple_output', 'batch_16'])
def test_printed_exactly_as_torchsummary(capsys, build, args, expected):
    assert ember.utils.summary(build(ember), *args, device='cpu') is None
    assert capsys.readouterr().out == expected


def test_frozen_parameters_are_non_trainable():
    result = model_summary(frozen_nested_model(ember), (2, 9, 9))
    assert result.non_trainable_params == 2 * 4 * 9 + 4 + 3 * 4 + 3
    assert [row.trainable for row in result.rows] == [False, False, True, True, False, False, True]


def test_device_is_checked_as_torchsummary_checks_it():
    with pytest.raises(AssertionError, match="Input device is not valid, please specify 'cuda' or 'cpu'"):
        ember.utils.summary(batch_norm_model(ember), (1, 8, 8), device='mps')


def test_layer_with_two_inputs_and_tuple_output():
    nn = ember.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.bilinear = nn.Bilinear(3, 4, 5)
            self.lstm = nn.LSTM(5, 6, batch_first=True)

        def forward(self, x, y):
            output, _ = self.lstm(self.bilinear(x, y).unsqueeze(1))
            return output

    model = Model()
    result = model_summary(model, [(3,), (4,)])
    bilinear, lstm = result.rows
    assert bilinear.input_shape == [-1, 3] and bilinear.output_shape == [-1, 5]
    assert bilinear.num_params == 3 * 4 * 5 + 5
    # a module returning a tuple: one shape per tensor (torchsummary itself fails on the (h, c) pair);
    # an LSTM has no `weight` or `bias`, so torchsummary's rule counts none of its parameters
    assert lstm.output_shape == [[-1, 1, 6]]
    assert lstm.num_params == 0


def test_modes_restored_and_hooks_removed_even_on_error():
    model = nested_model(ember)
    model.train()
    model.stem[1].eval()
    running_mean = model.stem[1].norm.running_mean.clone()
    model_summary(model, (2, 9, 9))
    assert model.training and model.stem[0].training and not model.stem[1].training
    assert model.stem[1].norm.training is False   # it was set by stem[1].eval()
    # eval mode: the BatchNorm statistics were not updated by the summary's forward pass
    np.testing.assert_array_equal(model.stem[1].norm.running_mean.numpy(), running_mean.numpy())
    assert all(not m._forward_hooks for m in model.modules())

    with pytest.raises(RuntimeError):
        model_summary(model, (3, 9, 9))   # wrong channel count
    assert all(not m._forward_hooks for m in model.modules())
    assert model.training


def test_integer_inputs_with_dtypes():
    model = ember.nn.Sequential(ember.nn.Embedding(10, 3), ember.nn.Linear(3, 2))
    result = model_summary(model, (7,), dtypes=[ember.long])
    assert ember_rows(result) == [('Embedding-1', [-1, 7, 3], 30), ('Linear-2', [-1, 7, 2], 8)]


def test_random_stream_advances_as_with_torchsummary():
    """torchsummary draws `torch.rand(2, *size)` and runs the model in its current mode (dropout
    masks drawn in training mode): a script's later random numbers stay equal to PyTorch's."""
    ember.manual_seed(3)
    torch.manual_seed(3)
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Dropout(0.5), ember.nn.Linear(8, 2))
    twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 2))
    ember.utils.summary(model, (4,))
    twin(torch.rand(2, 4))   # what torchsummary's forward pass does
    np.testing.assert_array_equal(ember.rand(5).numpy(), torch.rand(5).numpy())
