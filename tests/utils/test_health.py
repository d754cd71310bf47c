"""ember.utils.health: the gradient-health report on the course's 100-layer MLPs and on crafted layers.

PyTorch has no such report; where a number can be checked against torch (the per-layer statistics of
the same seeded network) it is."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils import health

LAYERS, WIDTH, BATCH = 100, 256, 16


def course_mlp(m, activation):
    """The course's bias-free MLP (notes 000 In[6]-In[13]), forward exactly as written there: the
    activation is applied functionally, and forward stops at the first layer whose std is NaN."""

    class MLP(m.nn.Module):
        def __init__(self, neural_num, layers):
            super().__init__()
            self.linears = m.nn.ModuleList([m.nn.Linear(neural_num, neural_num, bias=False) for i in range(layers)])
            self.neural_num = neural_num

        def forward(self, x):
            for (i, linear) in enumerate(self.linears):
                x = linear(x)
                if activation is not None:
                    x = activation(m)(x)
                print("layer:{}, std:{}".format(i, x.std()))
                if m.isnan(x.std()):
                    print("output is nan in {} layers".format(i))
                    break
            return x

    return MLP(WIDTH, LAYERS)


INITS = {   # name: (activation applied in forward, init of each weight) - the course's four cells
    'normal_std1': (None, lambda m, w: m.nn.init.normal_(w)),
    'normal_scaled_tanh': (lambda m: m.tanh, lambda m, w: m.nn.init.normal_(w, std=np.sqrt(1 / WIDTH))),
    'xavier_tanh': (lambda m: m.tanh,
                    lambda m, w: m.nn.init.xavier_uniform_(w, gain=m.nn.init.calculate_gain('tanh'))),
    'kaiming_relu': (lambda m: m.relu, lambda m, w: m.nn.init.kaiming_normal_(w)),
}


def seeded_mlp(m, case):
    """The network and the batch, drawn from seed 1 as the course does (identical in ember and torch)."""
    activation, init = INITS[case]
    m.manual_seed(1)
    net = course_mlp(m, activation)
    for module in net.modules():
        if isinstance(module, m.nn.Linear):
            init(m, module.weight.data)
    return net, m.randn((BATCH, WIDTH))


def mse_to_zero(output):
    return (output * output).mean()


@pytest.fixture(autouse=True)
def quiet_overflow():
    with np.errstate(all='ignore'):
        yield


@pytest.fixture
def torch_one_thread():
    """torch's intra-op threads fight the other test worker for 2 cores: 40x slower on 16x256 matmuls."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_normal_std1_explodes_and_names_layer_about_30():
    net, inputs = seeded_mlp(ember, 'normal_std1')
    report = health.inspect(net, inputs)
    assert report.verdict == 'exploding'
    name, index = report.first_bad_layer
    assert 25 <= index <= 35 and name == f'linears.{index}'
    bad = report.rows[index]
    # layer 30's values are still finite, but their float32 std overflows to nan, as the course prints
    assert bad.std_overflows or not bad.finite
    assert all(row.finite and not row.std_overflows for row in report.rows[:index])
    assert 14 < report.per_layer_factor < 18   # sqrt(fan_in * Var(W)) = sqrt(256)
    assert f"exploding at layer {index} (linears.{index})" in str(report)


def test_normal_scaled_with_tanh_vanishes():
    net, inputs = seeded_mlp(ember, 'normal_scaled_tanh')
    report = health.inspect(net, inputs, mse_to_zero)
    assert report.verdict == 'vanishing'
    assert report.rows[-1].act_std < 0.1 * report.input_std
    assert report.first_bad_layer.name.startswith('linears.')
    assert report.per_layer_factor < 1


@pytest.mark.parametrize('case', ['xavier_tanh', 'kaiming_relu'])
def test_matching_init_is_healthy(case):
    net, inputs = seeded_mlp(ember, case)
    report = health.inspect(net, inputs, mse_to_zero)
    assert report.verdict == 'healthy' and report.first_bad_layer is None
    assert len(report.rows) == LAYERS
    assert 'Verdict: healthy' in str(report)


@pytest.mark.filterwarnings('ignore:Full backward hook is firing')
def test_statistics_match_torch_per_layer(torch_one_thread):
    """Activation std and dL/d(output) norms of every layer equal the same network's in torch (in
    float64: near the edge of chaos float32 rounding differences grow to ~1% over 100 layers)."""
    net, inputs = seeded_mlp(ember, 'xavier_tanh')
    report = health.inspect(net.double(), inputs.double(), mse_to_zero)

    torch_net, torch_inputs = seeded_mlp(torch, 'xavier_tanh')
    stds, means, grad_norms = [], [], []
    for linear in torch_net.double().linears:
        linear.register_forward_hook(lambda module, args, output: stds.append(output.detach().std(unbiased=False)))
        linear.register_forward_hook(lambda module, args, output: means.append(output.detach().mean()))
        linear.register_full_backward_hook(lambda module, grad_in, grad_out: grad_norms.append(grad_out[0].norm()))
    mse_to_zero(torch_net(torch_inputs.double())).backward()
    np.testing.assert_allclose([row.act_std for row in report.rows], [float(s) for s in stds], rtol=1e-9)
    np.testing.assert_allclose([row.grad_norm for row in report.rows], [float(g) for g in grad_norms[::-1]],
                               rtol=1e-9)
    np.testing.assert_allclose([row.act_mean for row in report.rows], [float(m) for m in means], rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_allclose([row.weight_grad_norm for row in report.rows],
                               [float(linear.weight.grad.norm()) for linear in torch_net.linears], rtol=1e-9)


def test_functional_activation_detected_and_recommended():
    tanh_net, inputs = seeded_mlp(ember, 'normal_scaled_tanh')
    tanh_report = health.inspect(tanh_net, inputs)
    assert {row.activation.name for row in tanh_report.rows} == {'tanh'}
    assert all(row.activation.source == 'functional' for row in tanh_report.rows)
    [tanh_advice] = tanh_report.recommendations
    assert 'xavier_uniform_' in tanh_advice and "calculate_gain('tanh')" in tanh_advice

    relu_net, inputs = seeded_mlp(ember, 'kaiming_relu')
    [relu_advice] = health.inspect(relu_net, inputs).recommendations
    assert 'kaiming_normal_' in relu_advice and "nonlinearity='relu'" in relu_advice

    overridden = health.inspect(relu_net, inputs, activation='tanh')
    assert "calculate_gain('tanh')" in overridden.recommendations[0]


@pytest.mark.parametrize('function, expected', [(ember.tanh, 'tanh'), (ember.sigmoid, 'sigmoid'),
                                                 (F.relu, 'relu'), (lambda x: x, 'linear')])
def test_functional_activation_recognised_from_values(function, expected):
    ember.manual_seed(0)
    first, second = nn.Linear(6, 12), nn.Linear(12, 3)
    model = nn.Sequential(first, second)
    model.forward = lambda x: second(function(first(x)))
    report = health.inspect(model, ember.randn(20, 6))
    assert report.rows[0].activation.name == expected
    assert report.rows[0].activation.source == 'functional'


class LeakyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.act, self.fc3 = nn.Linear(6, 8), nn.Linear(8, 8), nn.LeakyReLU(0.2), nn.Linear(8, 2)

    def forward(self, x):
        return self.fc3(self.act(self.fc2(F.leaky_relu(self.fc1(x), 0.1))))


def test_leaky_relu_slope_from_module_and_from_values():
    ember.manual_seed(0)
    report = health.inspect(LeakyNet(), ember.randn(32, 6))
    fc1, fc2 = report.rows[0], report.rows[1]
    assert fc1.activation.name == 'leaky_relu' and fc1.activation.negative_slope == pytest.approx(0.1)
    assert fc2.activation == health.Activation('leaky_relu', 0.2, 'module')
    assert any("a=0.1, nonlinearity='leaky_relu'" in line for line in report.recommendations)
    assert any("a=0.2, nonlinearity='leaky_relu'" in line for line in report.recommendations)


class SmallCNN(nn.Module):
    """Modules and functional calls mixed, as course networks are: conv->bn->ReLU module, functional
    max_pool, conv->functional relu->max_pool->view, a reused ReLU module."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(inplace=True))
        self.conv2 = nn.Conv2d(6, 8, 3)
        self.fc1 = nn.Linear(8 * 3 * 3, 16)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        x = F.max_pool2d(self.features(x), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.relu(self.fc1(x.view(x.size(0), -1)))
        return self.fc2(self.relu(x))


def test_cnn_rows_follow_execution_order():
    ember.manual_seed(0)
    model = SmallCNN()
    report = health.inspect(model, ember.randn(4, 3, 16, 16), nn.CrossEntropyLoss(), ember.tensor([0, 1, 2, 3]))
    assert [row.name for row in report.rows] == ['features.0', 'features.1', 'features.2', 'conv2', 'fc1', 'relu',
                                                 'relu (call 2)', 'fc2']
    assert [row.index for row in report.rows] == list(range(8))
    assert [row.type for row in report.rows][:4] == ['Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d']
    by_name = {row.name: row for row in report.rows}
    assert by_name['features.0'].activation_for_init.name == 'relu'       # through the BatchNorm
    assert by_name['conv2'].activation.name == 'relu'                     # functional, behind a max_pool
    assert by_name['fc2'].activation.name == 'linear'
    assert all(row.grad_norm is not None and row.grad_norm > 0 for row in report.rows)
    assert by_name['fc1'].weight_grad_norm > 0 and by_name['relu'].weight_grad_norm is None


def crafted(bias, activation_module):
    """A Linear whose outputs are exactly its bias (zero weights), then an activation module."""
    layer = nn.Linear(5, len(bias))
    with ember.no_grad():
        layer.weight.zero_()
        layer.bias.copy_(ember.tensor(bias))
    return nn.Sequential(layer, activation_module)


def test_dead_relu_fraction_is_exact():
    all_dead = health.inspect(crafted([-100.0] * 8, nn.ReLU()), ember.randn(10, 5))
    assert [row.dead_fraction for row in all_dead.rows] == [1.0, 1.0]
    assert all_dead.rows[0].flag.startswith('dead')
    quarter = health.inspect(crafted([-100.0] * 2 + [100.0] * 6, nn.ReLU()), ember.randn(10, 5))
    assert [row.dead_fraction for row in quarter.rows] == [0.25, 0.25]


def test_saturated_tanh_and_sigmoid_fractions_are_exact():
    tanh = health.inspect(crafted([100.0, -100.0, 0.0, 0.0], nn.Tanh()), ember.randn(10, 5))
    assert [row.saturated_fraction for row in tanh.rows] == [0.5, 0.5]
    sigmoid = health.inspect(crafted([100.0, -100.0, -100.0, 0.0], nn.Sigmoid()), ember.randn(10, 5))
    assert [row.saturated_fraction for row in sigmoid.rows] == [0.75, 0.75]
    assert tanh.rows[0].dead_fraction is None and sigmoid.rows[1].dead_fraction is None


def test_nan_names_the_first_nan_layer():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.Linear(4, 4), nn.ReLU())
    with ember.no_grad():
        model[2].weight[0, 0] = float('nan')
    report = health.inspect(model, ember.randn(3, 4))
    assert report.verdict == 'exploding'
    assert report.first_bad_layer == health.FirstBadLayer('2', 2)
    assert report.rows[2].nan_count == 3 and report.rows[1].nan_count == 0
    assert 'NaN' in report.reason


def test_hooks_grads_mode_and_buffers_restored():
    ember.manual_seed(0)
    model = SmallCNN()
    model.eval()
    model.fc1.train()
    inputs, targets = ember.randn(4, 3, 16, 16), ember.tensor([0, 1, 2, 3])
    model.fc2.weight.grad = ember.full_like(model.fc2.weight, 7.0)
    saved_grad = model.fc2.weight.grad
    running_mean = model.features[1].running_mean.clone()
    health.inspect(model, inputs, nn.CrossEntropyLoss(), targets, training=True)

    assert all(not m._forward_hooks and not m._backward_hooks for m in model.modules())
    assert model.fc2.weight.grad is saved_grad and bool((saved_grad == 7).all())
    assert all(p.grad is None for name, p in model.named_parameters() if not name.startswith('fc2.weight'))
    assert not model.training and model.fc1.training and not model.features.training
    assert ember.equal(model.features[1].running_mean, running_mean)

    def failing_loss(output, target):
        raise ValueError("loss failed")
    with pytest.raises(ValueError, match="loss failed"):
        health.inspect(model, inputs, failing_loss, targets)
    assert all(not m._forward_hooks and not m._backward_hooks for m in model.modules())
    assert model.fc2.weight.grad is saved_grad


def test_table_and_plot(tmp_path):
    net, inputs = seeded_mlp(ember, 'normal_std1')
    report = health.inspect(net, inputs)
    table = str(report).splitlines()
    assert table[0].split() == ['#', 'layer', 'type', 'act', 'mean', 'act', 'std', 'grad', 'norm', 'dead', '%',
                                'sat', '%', 'nan/inf', 'flag']
    assert len(table) > len(report.rows) + 2 and 'Recommended initialisation' in str(report)

    path = tmp_path / 'health.png'
    ax = report.plot(str(path))
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert ax.get_yscale() == 'log'
    assert [text.get_text() for text in ax.get_legend().get_texts()][0] == 'activation std'


def test_monitor_writes_scalars_to_tensorboard(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from ember.utils.tensorboard import SummaryWriter

    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    writer = SummaryWriter(str(tmp_path))
    monitor = health.HealthMonitor(model, writer, every=2)
    inputs, targets = ember.randn(6, 4), ember.randn(6, 2)
    returned = [monitor.step(inputs, targets, nn.MSELoss()) for _ in range(3)]
    writer.close()
    assert [report is not None for report in returned] == [True, False, True]
    assert [step for step, _ in monitor.reports] == [0, 2]

    events = EventAccumulator(str(tmp_path))
    events.Reload()
    act_std = events.Scalars('health/0/act_std')
    assert [event.step for event in act_std] == [0, 2]
    assert act_std[0].value == pytest.approx(returned[0].rows[0].act_std, rel=1e-6)
    assert events.Scalars('health/1/saturated_fraction')[0].value == pytest.approx(
        returned[0].rows[1].saturated_fraction)
    assert events.Scalars('health/2/grad_norm')[1].value == pytest.approx(returned[2].rows[2].grad_norm, rel=1e-6)
    assert 'health/gain' in events.Tags()['scalars']
