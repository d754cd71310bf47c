"""Double backward through ops whose derivative is constant between kinks (the relu family, the pools):
PyTorch records their backward as an op of its own (ThresholdBackwardBackward0, ...), so a gradient taken
with create_graph stays connected to the input, with a zero second derivative, and to grad_outputs.
Each case is compared with torch: requires_grad, the grad_fn's name and edges, the second-order
gradients (and which of them are None under allow_unused), and the programs that need all this:
a Hessian in strict mode, a PINN's d2u/dt2 and a WGAN-GP gradient penalty."""
import numpy as np
import pytest
import torch

import ember
from _compare import same, graph_structure

F = lambda m: m.nn.functional  # noqa: E731

# values on and around the kinks of relu (0), hardtanh (+-1), relu6 (6), hardsigmoid (+-3), shrink (+-0.5)
KINKS = [-6.5, -3.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 7.0, -2.0, 4.5, -0.75]


def _seeded(fn):
    def run(m, x):
        m.manual_seed(3)
        return fn(m, x)
    return run


# (name, fn(m, x)) with x of 16 elements, float64
CASES = [
    ('relu', lambda m, x: m.relu(x)),
    ('relu_method', lambda m, x: x.relu()),
    ('relu_', lambda m, x: m.relu_(x * 1)),
    ('F.relu_inplace', lambda m, x: F(m).relu(x * 1, inplace=True)),
    ('leaky_relu', lambda m, x: F(m).leaky_relu(x, 0.2)),
    ('leaky_relu_', lambda m, x: F(m).leaky_relu_(x * 1, 0.2)),
    ('hardtanh', lambda m, x: F(m).hardtanh(x, -1.0, 0.5)),
    ('hardtanh_', lambda m, x: F(m).hardtanh_(x * 1)),
    ('relu6', lambda m, x: F(m).relu6(x)),
    ('threshold', lambda m, x: F(m).threshold(x, 0.25, 20.0)),
    ('threshold_', lambda m, x: m.threshold_(x * 1, 0.0, -3.0)),
    ('softshrink', lambda m, x: F(m).softshrink(x, 0.5)),
    ('hardshrink', lambda m, x: F(m).hardshrink(x, 0.5)),
    ('rrelu_eval', lambda m, x: F(m).rrelu(x)),
    ('rrelu_train', _seeded(lambda m, x: F(m).rrelu(x, training=True))),
    ('elu', lambda m, x: F(m).elu(x, 0.7)),
    ('elu_', lambda m, x: F(m).elu_(x * 1, 0.7)),
    ('selu', lambda m, x: F(m).selu(x)),
    ('celu', lambda m, x: F(m).celu(x, 1.5)),
    ('abs', lambda m, x: m.abs(x)),
    ('max_pool1d', lambda m, x: F(m).max_pool1d(x.view(2, 8), 2)),
    ('max_pool2d', lambda m, x: F(m).max_pool2d(x.view(1, 1, 4, 4), 2)),
    ('max_pool2d_overlap', lambda m, x: F(m).max_pool2d(x.view(1, 4, 4), 3, stride=1, padding=1)),
    ('max_pool3d', lambda m, x: F(m).max_pool3d(x.view(1, 1, 2, 2, 4), (1, 2, 2))),
    ('adaptive_max_pool1d', lambda m, x: F(m).adaptive_max_pool1d(x.view(2, 8), 3)),
    ('adaptive_max_pool2d', lambda m, x: F(m).adaptive_max_pool2d(x.view(1, 1, 4, 4), 3)),
    ('adaptive_max_pool3d', lambda m, x: F(m).adaptive_max_pool3d(x.view(1, 1, 2, 2, 4), (1, 2, 3))),
    ('avg_pool1d', lambda m, x: F(m).avg_pool1d(x.view(2, 8), 3, stride=2, padding=1)),
    ('avg_pool2d', lambda m, x: F(m).avg_pool2d(x.view(1, 1, 4, 4), 2)),
    ('avg_pool3d', lambda m, x: F(m).avg_pool3d(x.view(1, 1, 2, 2, 4), (1, 2, 2))),
    ('adaptive_avg_pool2d', lambda m, x: F(m).adaptive_avg_pool2d(x.view(1, 1, 4, 4), 3)),
    ('adaptive_avg_pool3d', lambda m, x: F(m).adaptive_avg_pool3d(x.view(1, 1, 2, 2, 4), (1, 2, 3))),
    ('max_unpool2d', lambda m, x: F(m).max_unpool2d(*F(m).max_pool2d(x.view(1, 1, 4, 4), 2, return_indices=True), 2)),
]


def _nothing_or_values(grads):
    # (`+ 0`: PyTorch's zero gradients may be ZeroTensors, which refuse .numpy())
    return tuple(None if g is None else g.detach() + 0 for g in grads)


# ember's backwards of these are composites of ember ops (the values match, the node names do not)
COMPOSITE = ('elu', 'elu_', 'selu', 'celu')


def _node_names(name, g):
    return None if name in COMPOSITE else graph_structure(g.grad_fn, depth=1)


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
def test_double_backward_with_grad_outputs_that_require_grad(name, fn):
    def run(m):
        x = m.tensor(KINKS, dtype=m.float64, requires_grad=True)
        y = fn(m, x)
        weights = m.tensor(np.linspace(0.5, 2.0, y.numel()).reshape(tuple(y.shape)), requires_grad=True)
        g, = m.autograd.grad(y, x, weights, create_graph=True)
        probe = m.tensor(np.linspace(-1.0, 1.0, 16), dtype=m.float64)
        second = m.autograd.grad((g * probe).sum(), (x, weights), allow_unused=True, materialize_grads=False)
        return g.detach(), g.requires_grad, _node_names(name, g), _nothing_or_values(second)
    same(run)


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
def test_double_backward_of_a_sum(name, fn):
    """grad_outputs that need no gradient (`y.sum()`): the gradient is still a function of the input."""
    def run(m):
        x = m.tensor(KINKS, dtype=m.float64, requires_grad=True)
        g, = m.autograd.grad(fn(m, x).sum(), x, create_graph=True)
        second = m.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=False) if g.requires_grad else None
        return g.requires_grad, _node_names(name, g), second and _nothing_or_values(second)
    same(run)


def test_third_derivative_through_relu():
    """The backward of threshold_backward is threshold_backward again."""
    def run(m):
        x = m.tensor(KINKS, dtype=m.float64, requires_grad=True)
        weights = m.tensor(np.linspace(0.5, 2.0, 16), requires_grad=True)
        g, = m.autograd.grad(m.relu(x), x, weights, create_graph=True)
        gg, = m.autograd.grad((g * g).sum(), weights, create_graph=True)
        ggg = m.autograd.grad(gg.sum(), (x, weights), allow_unused=True)
        return graph_structure(gg.grad_fn, depth=3), _nothing_or_values(ggg)
    same(run)


def test_nan_inputs_pass_the_gradient_where_pytorch_does():
    """PyTorch's masks block the gradient where input <= threshold (a NaN input passes it)."""
    def run(m):
        x = m.tensor([float('nan'), -1.0, 2.0], dtype=m.float64, requires_grad=True)
        return [m.autograd.grad(f(x).sum(), x)[0] for f in (
            lambda t: F(m).threshold(t, 0.0, 1.0), lambda t: F(m).hardtanh(t), lambda t: F(m).softshrink(t),
            lambda t: F(m).hardshrink(t), lambda t: F(m).leaky_relu(t), lambda t: F(m).hardsigmoid(t))]
    same(run)


def test_hardsigmoid_double_backward():
    """PyTorch 2.13 has no double backward for hardsigmoid ("not implemented"); ember's is its formula:
    zero for the input, and for grad_outputs the first derivative, which is PyTorch's."""
    x = ember.tensor(KINKS, dtype=ember.float64, requires_grad=True)
    weights = ember.tensor(np.linspace(0.5, 2.0, 16), requires_grad=True)
    g, = ember.autograd.grad(F(ember).hardsigmoid(x), x, weights, create_graph=True)
    assert type(g.grad_fn).__name__ == 'HardsigmoidBackwardBackward0'
    grad_x, grad_weights = ember.autograd.grad(g.sum(), (x, weights))
    assert not grad_x.numpy().any()
    theirs_x = torch.tensor(KINKS, dtype=torch.float64, requires_grad=True)
    expected, = torch.autograd.grad(F(torch).hardsigmoid(theirs_x).sum(), theirs_x)
    np.testing.assert_allclose(grad_weights.numpy(), expected.numpy())
    with pytest.raises(RuntimeError, match="not implemented"):  # (if PyTorch adds one, match it)
        theirs_g, = torch.autograd.grad(F(torch).hardsigmoid(theirs_x).sum(), theirs_x, create_graph=True)
        torch.autograd.grad(theirs_g.sum(), theirs_x)


# ---- the programs that need it ---------------------------------------------------------------------
def _mlp(m, sizes, activation, seed=0):
    m.manual_seed(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [m.nn.Linear(fan_in, fan_out), activation(m)]
    layers.append(m.nn.Linear(sizes[-2], sizes[-1]))
    rng = np.random.default_rng(seed)
    net = m.nn.Sequential(*layers)
    with m.no_grad():
        for p in net.parameters():
            p.copy_(m.tensor(rng.uniform(-0.8, 0.8, tuple(p.shape)).astype(np.float32)))
    return net


@pytest.mark.parametrize('activation', ['ReLU', 'LeakyReLU', 'Hardtanh', 'ReLU6'])
def test_wgan_gp_penalty_gives_every_parameter_a_gradient(activation):
    """The gradient penalty's parameter gradients, zeros included: an optimizer skips a None."""
    def run(m):
        critic = _mlp(m, (4, 8, 8, 1), lambda lib: getattr(lib.nn, activation)())
        x = m.tensor(np.random.default_rng(1).uniform(-2, 2, (6, 4)).astype(np.float32), requires_grad=True)
        out = critic(x)
        g, = m.autograd.grad(out, x, grad_outputs=m.ones_like(out), create_graph=True)
        penalty = ((g.norm(2, dim=1) - 1) ** 2).mean()
        penalty.backward()
        return penalty, [(name, p.grad) for name, p in critic.named_parameters()]
    same(run, atol=1e-5)


def test_pinn_second_derivative_through_relu():
    """d2u/dt2 of a ReLU network: zeros, as in PyTorch, not "appears to not have been used in the graph"."""
    def run(m):
        net = _mlp(m, (1, 6, 1), lambda lib: lib.nn.ReLU())
        t = m.linspace(0, 1, 5).view(-1, 1).requires_grad_()
        u = net(t)
        du, = m.autograd.grad(u.sum(), t, create_graph=True)
        d2u, = m.autograd.grad(du.sum(), t, create_graph=True)
        return du, d2u, d2u.requires_grad
    same(run)


def test_hessian_strict_through_relu_mlp():
    def run(m):
        net = _mlp(m, (3, 4, 1), lambda lib: lib.nn.ReLU())
        x = m.tensor([-1.0, 0.5, 2.0])
        return (m.autograd.functional.hessian(lambda t: net(t).sum(), x, strict=True),
                m.autograd.functional.hessian(lambda t: (m.relu(t) ** 2).sum(), x, strict=True),
                m.autograd.functional.jacobian(m.relu, x, create_graph=True).requires_grad)
    same(run)


def test_max_pool_cnn_gradient_penalty():
    """The same through a conv -> relu -> max_pool -> linear critic."""
    def run(m):
        m.manual_seed(0)
        rng = np.random.default_rng(2)
        conv, linear = m.nn.Conv2d(1, 2, 3), m.nn.Linear(8, 1)
        with m.no_grad():
            for p in (*conv.parameters(), *linear.parameters()):
                p.copy_(m.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
        x = m.tensor(rng.uniform(-1, 1, (3, 1, 6, 6)).astype(np.float32), requires_grad=True)
        out = linear(F(m).max_pool2d(m.relu(conv(x)), 2).flatten(1))
        g, = m.autograd.grad(out.sum(), x, create_graph=True)
        (g ** 2).sum().backward()
        return [p.grad for p in (*conv.parameters(), *linear.parameters())]
    same(run, atol=1e-5)
