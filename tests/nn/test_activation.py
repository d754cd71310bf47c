"""Activation and dropout behaviour a table row can't express: reprs, graph node names (in-place
forms included), double backward, train/eval, the identity cases of dropout, warnings and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember

REPRS = ['ReLU()', 'ReLU(inplace=True)', 'ReLU6()', 'ReLU6(True)', 'LeakyReLU()', 'LeakyReLU(0.2, True)', 'PReLU()',
         'PReLU(3, 0.1)', 'RReLU()', 'RReLU(0.1, 0.3, True)', 'ELU()', 'ELU(0.5, True)', 'SELU()', 'SELU(True)',
         'CELU(2.0)', 'GELU()', "GELU('tanh')", 'SiLU()', 'SiLU(True)', 'Mish(True)', 'Softplus()', 'Softplus(2, 10)',
         'Softsign()', 'Hardtanh()', 'Hardtanh(-2, 3, True)', 'Hardsigmoid(True)', 'Hardswish(True)',
         'Threshold(0.1, 20)', 'Threshold(0.1, 20, True)', 'Tanhshrink()', 'Softshrink()', 'Hardshrink(0.3)',
         'LogSigmoid()', 'Softmax(1)', 'LogSoftmax(-1)', 'Softmin(dim=1)', 'Softmax2d()', 'GLU()', 'GLU(0)',
         'Dropout()', 'Dropout(0.2, True)', 'Dropout1d()', 'Dropout2d(0.3)', 'Dropout3d()', 'AlphaDropout(0.1)',
         'FeatureAlphaDropout()']


@pytest.mark.parametrize('expression', REPRS)
def test_repr_matches_torch(expression):
    assert repr(eval('ember.nn.' + expression)) == repr(eval('torch.nn.' + expression))


# (functional call, whether it may run in place on its argument)
NODE_CASES = [
    'F.relu6(x)', 'F.leaky_relu(x)', 'F.elu(x)', 'F.selu(x)', 'F.celu(x)', 'F.gelu(x)', "F.gelu(x, approximate='tanh')",
    'F.silu(x)', 'F.mish(x)', 'F.softplus(x)', 'F.softsign(x)', 'F.hardtanh(x)', 'F.hardsigmoid(x)', 'F.hardswish(x)',
    'F.threshold(x, 0.1, 20.0)', 'F.rrelu(x)', 'F.rrelu(x, training=True)', 'F.logsigmoid(x)', 'F.softmin(x, 1)',
    'F.glu(x, 1)', 'F.tanhshrink(x)', 'F.softshrink(x)', 'F.hardshrink(x)', 'F.prelu(x, w)',
    'F.dropout(x)', 'F.dropout2d(x)', 'F.alpha_dropout(x, 0.5, True)', 'F.feature_alpha_dropout(x, 0.5, True)',
    # in-place forms on a non-leaf: some are `...Backward1` nodes in PyTorch
    'F.relu(x * 1, inplace=True)', 'F.relu6(x * 1, inplace=True)', 'F.leaky_relu_(x * 1)', 'F.elu_(x * 1)',
    'F.selu(x * 1, inplace=True)', 'F.celu(x * 1, inplace=True)', 'F.silu(x * 1, inplace=True)',
    'F.mish(x * 1, inplace=True)', 'F.hardtanh_(x * 1)', 'F.hardsigmoid(x * 1, inplace=True)',
    'F.hardswish(x * 1, inplace=True)', 'F.threshold_(x * 1, 0.1, 20.0)', 'F.rrelu_(x * 1, training=True)',
    'F.dropout(x * 1, inplace=True)', 'F.alpha_dropout(x * 1, 0.5, True, True)',
]


@pytest.mark.parametrize('expression', NODE_CASES)
def test_grad_fn_name_matches_torch(expression):
    names = []
    for m in (torch, ember):
        F = m.nn.functional  # noqa: F841 (used by eval)
        x = m.ones(2, 4, 3, requires_grad=True) * m.tensor([-1.0, 0.5, 2.0])  # noqa: F841
        w = m.full((4,), 0.25, requires_grad=True)  # noqa: F841
        names.append(type(eval(expression).grad_fn).__name__)
    assert names[1] == names[0]


@pytest.mark.parametrize('expression', [
    'F.leaky_relu(x, 0.2)', 'F.elu(x)', 'F.selu(x)', 'F.celu(x, 0.7)', 'F.gelu(x)', "F.gelu(x, approximate='tanh')",
    'F.silu(x)', 'F.mish(x)', 'F.softplus(x, 2.0)', 'F.logsigmoid(x)', 'F.glu(x, 0)', 'F.hardswish(x * 3)',
    'F.prelu(x, w)', 'F.elu_(x * 1)', 'F.leaky_relu_(x * 1, 0.3)', 'F.softshrink(x)', 'F.hardtanh(x)'])
def test_double_backward(expression):
    F = ember.nn.functional  # noqa: F841
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.uniform(-2, 2, (4, 3)), requires_grad=True)
    w = ember.tensor([0.2, 0.4, -0.3], dtype=ember.float64, requires_grad=True)
    inputs = (x, w) if 'w)' in expression else (x,)
    assert ember.autograd.gradgradcheck(lambda *a: eval(expression, {'F': F, 'x': a[0], 'w': a[-1]}), inputs)


@pytest.mark.parametrize('name', ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout',
                                  'FeatureAlphaDropout', 'RReLU'])
def test_train_and_eval(name):
    layer = getattr(ember.nn, name)()
    x = ember.randn(*{'Dropout1d': (2, 8, 4), 'Dropout3d': (2, 8, 4, 4, 2)}.get(name, (2, 8, 4, 4)))
    assert not np.array_equal(layer(x).numpy(), x.numpy() if name != 'RReLU' else ember.nn.functional.leaky_relu(
        x, (1 / 8 + 1 / 3) / 2).numpy())
    layer.eval()
    expected = x if name != 'RReLU' else ember.nn.functional.leaky_relu(x, (1 / 8 + 1 / 3) / 2)
    np.testing.assert_array_equal(layer(x).numpy(), expected.numpy())


def test_dropout_identity_cases_return_the_input():
    # PyTorch returns the very same tensor when there is nothing to drop
    for m in (torch, ember):
        x = m.randn(3, 4)
        assert m.nn.functional.dropout(x, 0.0) is x
        assert m.nn.functional.dropout(x, 0.5, training=False) is x


def test_dropout_mask_matches_torch_bit_for_bit():
    x = np.random.default_rng(1).standard_normal((37, 53)).astype(np.float32)
    for p in (0.1, 0.5, 0.9):
        torch.manual_seed(11)
        theirs = torch.nn.functional.dropout(torch.tensor(x), p).numpy()
        ember.manual_seed(11)
        ours = ember.nn.functional.dropout(ember.tensor(x), p).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_dropout_draws_continue_the_stream():
    # two dropouts in a row consume the generator exactly as PyTorch's do
    outputs = []
    for m in (torch, ember):
        m.manual_seed(5)
        layer = m.nn.Dropout(0.3)
        x = m.ones(10, 10)
        outputs.append([layer(x).numpy(), layer(x).numpy(), m.rand(3).numpy()])
    for theirs, ours in zip(*outputs):
        np.testing.assert_array_equal(ours, theirs)


def test_inplace_returns_self_and_modifies_it():
    for expression in ['F.relu6(x, inplace=True)', 'F.leaky_relu_(x)', 'F.elu(x, inplace=True)', 'F.selu_(x)',
                       'F.hardswish(x, inplace=True)', 'F.threshold_(x, 0.0, 2.0)', 'F.dropout(x, 0.5, True, True)',
                       'F.dropout2d(x, 0.5, True, True)', 'F.rrelu_(x, training=True)']:
        x = ember.randn(2, 3, 4)
        before = x.numpy().copy()
        out = eval(expression, {'F': ember.nn.functional, 'x': x})
        assert out is x, expression
        assert not np.array_equal(x.numpy(), before), expression


def test_inplace_on_leaf_requiring_grad_raises():
    x = ember.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        ember.nn.functional.leaky_relu_(x)


def test_dropout2d_3d_input_warns_like_torch():
    for m in (torch, ember):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            m.nn.functional.dropout2d(m.ones(2, 3, 4))
        assert any('dropout2d: Received a 3D input' in str(w.message) for w in caught)


@pytest.mark.parametrize('expression', [
    'nn.Dropout(1.5)', 'nn.Dropout2d(-0.1)', 'nn.Hardtanh(1.0, 0.5)', 'nn.Softmax2d()(m.ones(2, 3))',
    'nn.GLU()(m.ones(2, 3))', 'nn.PReLU(3)(m.ones(2, 4))', "nn.GELU('fast')(m.ones(2))",
    'nn.functional.dropout1d(m.ones(3))', 'nn.functional.softshrink(m.ones(3), -0.5)'])
def test_errors_match_torch(expression):
    errors = []
    for m in (torch, ember):
        with pytest.raises(Exception) as info:
            eval(expression, {'nn': m.nn, 'm': m})
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]).replace('ember', 'torch') == str(errors[0])


def test_prelu_parameter_and_state_dict():
    layer = ember.nn.PReLU(4, init=0.3)
    assert list(layer.state_dict()) == ['weight']
    np.testing.assert_array_equal(layer.weight.detach().numpy(), np.full(4, 0.3, np.float32))
    x = ember.randn(2, 4, 3)
    layer(x).sum().backward()
    expected = np.where(x.numpy() > 0, 0, x.numpy()).sum(axis=(0, 2))
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-5)
