"""`nn.grad`: the gradients of a convolution with respect to its input and to its weight, as
functions (what a custom `autograd.Function` around a convolution needs in its backward).

Each one runs the convolution's own backward: the convolution is recorded on a zero stand-in for
the tensor whose gradient is wanted (its value does not matter: the convolution is linear in it),
and `autograd.grad` sends `grad_output` back through it."""
from .. import _creation, autograd
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from . import functional as F

__all__ = ['conv1d_input', 'conv1d_weight', 'conv2d_input', 'conv2d_weight', 'conv3d_input', 'conv3d_weight']


def _gradient(conv, input, weight, wanted, grad_output, stride, padding, dilation, groups):
    # the result is itself differentiable (in grad_output and the other conv operand), as PyTorch's
    create_graph = is_grad_enabled() and any(t.requires_grad for t in (input, weight, grad_output) if t is not wanted)
    with enable_grad():
        output = conv(input, weight, None, stride, padding, dilation, groups)
        return autograd.grad(output, wanted, grad_output, create_graph=create_graph)[0]


def _input_gradient(conv, input_size, weight, grad_output, stride, padding, dilation, groups):
    input = _creation.zeros(tuple(input_size), dtype=grad_output.dtype, requires_grad=True)
    return _gradient(conv, input, weight, input, grad_output, stride, padding, dilation, groups)


def _weight_gradient(conv, input, weight_size, grad_output, stride, padding, dilation, groups):
    weight = _creation.zeros(tuple(weight_size), dtype=grad_output.dtype, requires_grad=True)
    return _gradient(conv, input, weight, weight, grad_output, stride, padding, dilation, groups)


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to an input of shape `input_size`."""
    return _input_gradient(F.conv1d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to a weight of shape `weight_size`."""
    return _weight_gradient(F.conv1d, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to an input of shape `input_size`."""
    return _input_gradient(F.conv2d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to a weight of shape `weight_size`."""
    return _weight_gradient(F.conv2d, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to an input of shape `input_size`."""
    return _input_gradient(F.conv3d, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to a weight of shape `weight_size`."""
    return _weight_gradient(F.conv3d, input, weight_size, grad_output, stride, padding, dilation, groups)
