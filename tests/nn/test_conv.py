"""Convolution and pooling behaviour the tables can't express: reprs, errors of the layers,
double backward through a convolution."""
import re

import numpy as np
import pytest
import torch

import ember

REPR_CASES = [
    "Conv2d(3, 6, 5)", "Conv2d(1, 32, 7, 2, 3)", "Conv2d(4, 8, 3, groups=2, bias=False, dilation=2)",
    "Conv2d(1, 1, 3, padding='same', padding_mode='reflect')", "Conv1d(2, 3, 4, stride=2)", "Conv3d(2, 3, 2)",
    "ConvTranspose2d(3, 1, 3, stride=2, output_padding=1)", "MaxPool2d(2, 2)", "MaxPool2d(3, (3, 2), 1)",
    "MaxPool1d(3, ceil_mode=True)", "AvgPool2d(3)", "AvgPool2d((2, 2), stride=(2, 2), divisor_override=3)",
    "AvgPool1d(2)", "MaxUnpool2d(2)", "MaxUnpool1d(2, 1)", "AdaptiveAvgPool2d((5, 7))", "AdaptiveMaxPool1d(3)",
    "LPPool2d(2, 3)", "Fold((4, 5), 2)", "Unfold(3, padding=1)",
]


@pytest.mark.parametrize('expr', REPR_CASES)
def test_repr_matches_torch(expr):
    assert repr(eval('ember.nn.' + expr)) == repr(eval('torch.nn.' + expr))


@pytest.mark.parametrize('make', [
    lambda nn: nn.Conv2d(3, 6, 3, groups=2), lambda nn: nn.Conv2d(3, 6, 3, padding='full'),
    lambda nn: nn.Conv2d(3, 6, 3, stride=2, padding='same'), lambda nn: nn.Conv2d(3, 6, 3, padding_mode='zero'),
    lambda nn: nn.ConvTranspose2d(3, 6, 3, padding_mode='reflect'),
])
def test_layer_argument_errors(make):
    with pytest.raises(ValueError) as expected:
        make(torch.nn)
    with pytest.raises(ValueError) as got:
        make(ember.nn)
    assert _sorted_sets(str(got.value)) == _sorted_sets(str(expected.value))


def _sorted_sets(message):
    """The message with each printed set's items sorted: a set's print order depends on string hashing."""
    return re.sub(r'\{([^{}]*)\}', lambda m: '{' + ', '.join(sorted(m.group(1).split(', '))) + '}', message)


def test_channel_mismatch_message():
    with pytest.raises(RuntimeError) as expected:
        torch.nn.Conv2d(3, 6, 3)(torch.zeros(1, 4, 8, 8))
    with pytest.raises(RuntimeError) as got:
        ember.nn.Conv2d(3, 6, 3)(ember.zeros(1, 4, 8, 8))
    assert str(got.value) == str(expected.value)


def test_conv_transpose_bad_output_size():
    for lib in (torch, ember):
        with pytest.raises(ValueError):
            lib.nn.ConvTranspose2d(1, 1, 3, stride=2)(lib.zeros(1, 1, 3, 3), output_size=(20, 20))


@pytest.mark.parametrize('transposed', [False, True])
def test_double_backward_matches_torch(transposed):
    rng = np.random.default_rng(0)
    x_data, w_data = rng.standard_normal((2, 4, 5, 6)), rng.standard_normal((4, 2, 3, 2))
    grads = []
    for lib in (torch, ember):
        x, w = lib.tensor(x_data, requires_grad=True), lib.tensor(w_data, requires_grad=True)
        f = lib.nn.functional.conv_transpose2d if transposed else lib.nn.functional.conv2d
        y = f(x, w, stride=2, padding=1, groups=2)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        (gx.pow(2).sum() + gw.pow(2).sum()).backward()
        grads.append((x.grad.detach().numpy(), w.grad.detach().numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)
