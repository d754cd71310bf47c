"""Activation kernels with graph nodes of their own (leaky_relu, elu, gelu, ... as PyTorch's ATen
has them), and the dropout ops `torch.dropout`, `torch.feature_dropout`, `torch.alpha_dropout`.

Each forward is one NumPy expression next to its backward node. Backward formulas multiply the
incoming gradient by a derivative written with ember ops where the derivative depends smoothly on
the input (gelu, silu, elu, ...), so double backward works; where it is piecewise constant
(leaky_relu, hardtanh, threshold, ...) the product is a `piecewise_backward`, an op of its own under
create_graph, as in PyTorch (LeakyReluBackwardBackward0, ...): connected to the input, with a zero
second derivative.

In-place forms go through `Tensor._inplace`. PyTorch names the node of some of them `...Backward1`:
those read the derivative from the result instead of the (overwritten) input.
"""
import math

import numpy as np

from .. import _sampling
from .. import random as _random
from ..autograd.graph import Node
from ..autograd.grad_mode import GradMode
from .._tensor import _scalar_type_name
from ._util import record, result, wrap, ordered_maximum, ordered_minimum, check_tensor_arguments
from .elementwise import _float_only, _erf, _sigmoid, exp, erf, sigmoid, tanh, mul, relu
from .elementwise import piecewise_backward, PiecewiseBackwardBackward, ThresholdBackwardBackward0
from .indexing import where
from .random import in_memory_order
from .shape import cat

__all__ = ['selu', 'selu_', 'celu', 'celu_', 'rrelu', 'rrelu_', 'prelu', 'hardshrink', 'threshold', 'threshold_',
           'relu_', 'dropout', 'dropout_', 'feature_dropout', 'feature_dropout_', 'alpha_dropout', 'alpha_dropout_',
           'feature_alpha_dropout', 'feature_alpha_dropout_']
TENSOR_METHODS = ['prelu', 'hardshrink']
INPLACE_METHODS = []

# SELU's constants (Klambauer et al. 2017), to PyTorch's precision
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _activation(data, input, node_class):
    """Wrap `data`, the forward of an activation of `input`, and record `node_class`. The node keeps
    the input, or the result when it is an in-place form's node (`reads_result`)."""
    node = record(node_class, input)
    out = result(data, node)
    if node is not None:
        if node_class.reads_result:
            node.save_output(out)
        else:
            node.save_for_backward(input)
    return out, node


class _ActivationNode(Node):
    """A node that reads its derivative from the saved input (or, for in-place forms, the result)."""
    __slots__ = ()
    reads_result = False

    def saved_value(self):
        return self.saved_output if self.reads_result else self.saved_tensors[0]


def _slopes(values, like):
    """Derivative values (slopes) as an array in the dtype of `like`, for `piecewise_backward`."""
    return values.astype(like._data.dtype, copy=False)


# ---- relu family ----------------------------------------------------------------------------------
def relu_(input):
    """In-place max(input, 0)."""
    return input.relu_()


class LeakyReluBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class LeakyReluBackward0(_ActivationNode):
    __slots__ = ('negative_slope',)

    def backward(self, grad):
        saved = self.saved_value()
        slopes = _slopes(np.where(saved._data > 0, 1.0, self.negative_slope), grad)
        return (piecewise_backward(grad, slopes, saved, LeakyReluBackwardBackward0),)


class LeakyReluBackward1(LeakyReluBackward0):
    __slots__ = ()
    reads_result = True


def _leaky_relu(input, negative_slope, node_class):
    _float_only('leaky_relu_cpu', input)
    data = input._data
    out, node = _activation(np.where(data > 0, data, data * negative_slope), input, node_class)
    if node is not None:
        if node_class is LeakyReluBackward1 and negative_slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
                "supported. This is caused by calling in-place forward function with a negative slope, please "
                "call out-of-place version instead.")
        node.negative_slope = negative_slope
    return out


def leaky_relu(input, negative_slope=0.01):
    """max(0, x) + negative_slope * min(0, x)."""
    return _leaky_relu(input, negative_slope, LeakyReluBackward0)


def leaky_relu_(input, negative_slope=0.01):
    """In-place leaky_relu (LeakyReluBackward1: the slope is read from the result's sign)."""
    return input._inplace(_leaky_relu, negative_slope, LeakyReluBackward1)


class RreluWithNoiseBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class RreluWithNoiseBackward0(_ActivationNode):
    """The gradient is scaled by the slope each element got: its noise (1 where input > 0)."""
    __slots__ = ('noise',)

    def backward(self, grad):
        return (piecewise_backward(grad, self.noise, self.saved_tensors[0], RreluWithNoiseBackwardBackward0),)


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    __slots__ = ()


def _rrelu_noise(data, lower, upper, training, generator):
    """The slope of each element. In training, PyTorch draws one `uniform_real_distribution<double>`
    sample per element that is <= 0, in memory order, with bounds first rounded to the input's type;
    elsewhere the slope is 1. In eval every negative element gets (lower + upper) / 2."""
    negative = data <= 0
    if not training:
        return np.where(negative, (lower + upper) / 2, 1.0).astype(data.dtype)
    compute = data.dtype.type
    generator = generator if generator is not None else _random.default_generator
    slopes = _sampling.uniform(generator, (int(np.count_nonzero(negative)),), np.float64,
                               float(compute(lower)), float(compute(upper)))
    noise = np.ones(data.shape, data.dtype)
    noise[negative] = slopes
    return noise


def _rrelu(input, lower, upper, training, generator, node_class):
    _float_only('rrelu_with_noise_out_cpu', input)
    data = input._data
    noise = _rrelu_noise(data, lower, upper, training, generator)
    out, node = _activation(data * noise, input, node_class)
    if node is not None:
        node.noise = noise
    return out


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """Leaky relu with a random slope from U(lower, upper) per negative element in training, the
    mean slope (lower + upper) / 2 in eval."""
    return _rrelu(input, lower, upper, training, generator, RreluWithNoiseBackward0)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place rrelu."""
    return input._inplace(_rrelu, lower, upper, training, generator, RreluWithNoiseBackward1)


class HardtanhBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class HardtanhBackward0(_ActivationNode):
    __slots__ = ('min_val', 'max_val')

    def backward(self, grad):
        saved = self.saved_tensors[0]
        # PyTorch blocks the gradient where input <= min_val or input >= max_val (a NaN passes it)
        blocked = (saved._data <= self.min_val) | (saved._data >= self.max_val)
        return (piecewise_backward(grad, ~blocked, saved, HardtanhBackwardBackward0),)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """input clamped to [min_val, max_val]."""
    data = input._data
    out, node = _activation(ordered_minimum(ordered_maximum(data, min_val), max_val).astype(data.dtype, copy=False),
                            input, HardtanhBackward0)
    if node is not None:
        node.min_val, node.max_val = min_val, max_val
    return out


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place hardtanh."""
    return input._inplace(hardtanh, min_val, max_val)


class ThresholdBackward0(_ActivationNode):
    __slots__ = ('threshold',)

    def backward(self, grad):
        saved = self.saved_value()
        # PyTorch's threshold_backward blocks the gradient where input <= threshold (a NaN passes it)
        blocked = saved._data <= self.threshold
        return (piecewise_backward(grad, ~blocked, saved, ThresholdBackwardBackward0),)


class ThresholdBackward1(ThresholdBackward0):
    # PyTorch's in-place threshold still masks by the input's values, not the result's
    __slots__ = ()


def _threshold(input, threshold, value, node_class):
    data = input._data
    out, node = _activation(np.where(data > threshold, data, data.dtype.type(value)), input, node_class)
    if node is not None:
        node.threshold = threshold
    return out


def threshold(input, threshold, value):
    """input where input > threshold, else value."""
    return _threshold(input, threshold, value, ThresholdBackward0)


def threshold_(input, threshold, value):
    """In-place threshold."""
    return input._inplace(_threshold, threshold, value, ThresholdBackward1)


class PreluKernelBackward0(Node):
    def backward(self, grad):
        input, weight = self.saved_tensors
        positive = input > 0
        grad_input = grad * where(positive, 1.0, weight) if self.needs_input_grad(0) else None
        grad_weight = grad * where(positive, 0.0, input) if self.needs_input_grad(1) else None
        return grad_input, grad_weight


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one learned slope per channel (dim 1) or one for all."""
    check_tensor_arguments('prelu', input=input, weight=weight)
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_scalar_type_name(input._data.dtype)} and "
                           f"{_scalar_type_name(weight._data.dtype)}")
    _float_only('prelu_cpu', input)
    channels = input.shape[1] if input.dim() >= 2 else 1
    count = weight.numel()
    if count != 1 and count != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{count} and channel size = {channels}.")
    # the slopes line up with dim 1 of the input (PyTorch views the weight the same way)
    if input.dim() >= 2:
        weight = weight.view(count, *([1] * (input.dim() - 2)))
    data = input._data
    node = record(PreluKernelBackward0, input, weight)
    if node is not None:
        node.save_for_backward(input, weight)
    return result(np.where(data > 0, data, data * weight._data), node)


# ---- exponential units ----------------------------------------------------------------------------
class EluBackward0(_ActivationNode):
    """x > 0: grad * scale; else grad * input_scale * alpha * scale * exp(x * input_scale)."""
    __slots__ = ('alpha', 'scale', 'input_scale')

    def backward(self, grad):
        alpha_scale = self.alpha * self.scale
        out = self.saved_output if self.reads_result else self.saved_tensors[0]
        # min(out, 0) as -relu(-out): the unused branch stays finite (0 * inf would poison double
        # backward), and its derivative is 0 at out = 0, where PyTorch's elu_double_backward masks by out < 0
        negative_part = -relu(-out)
        if self.reads_result:  # the negative branch's derivative from its value: input_scale * (y + alpha*scale)
            negative_slope = (negative_part + alpha_scale) * self.input_scale
        else:
            negative_slope = exp(negative_part * self.input_scale) * (alpha_scale * self.input_scale)
        return (grad * where(out > 0, self.scale, negative_slope),)


class EluBackward1(EluBackward0):
    __slots__ = ()
    reads_result = True


class CeluBackward0(EluBackward0):
    __slots__ = ()


class CeluBackward1(EluBackward0):
    __slots__ = ()
    reads_result = True


def _elu(input, alpha, scale, input_scale, node_class):
    _float_only('elu_cpu', input)
    data = input._data
    with np.errstate(over='ignore'):
        negative = np.expm1(data * input_scale) * (alpha * scale)
    out, node = _activation(np.where(data > 0, data * scale if scale != 1 else data, negative), input, node_class)
    if node is not None:
        node.alpha, node.scale, node.input_scale = alpha, scale, input_scale
    return out


def elu(input, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return _elu(input, alpha, 1.0, 1.0, EluBackward0)


def elu_(input, alpha=1.0):
    """In-place elu."""
    return input._inplace(_elu, alpha, 1.0, 1.0, EluBackward1)


def selu(input):
    """scale * elu(x, alpha) with SELU's self-normalising constants."""
    return _elu(input, SELU_ALPHA, SELU_SCALE, 1.0, EluBackward0)


def selu_(input):
    """In-place selu."""
    return input._inplace(_elu, SELU_ALPHA, SELU_SCALE, 1.0, EluBackward1)


def celu(input, alpha=1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return _elu(input, alpha, 1.0, 1.0 / alpha, CeluBackward0)


def celu_(input, alpha=1.0):
    """In-place celu."""
    return input._inplace(_elu, alpha, 1.0, 1.0 / alpha, CeluBackward1)


# ---- smooth gates ---------------------------------------------------------------------------------
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_TANH_KAPPA = 0.044715


class GeluBackward0(_ActivationNode):
    __slots__ = ('approximate', 'cdf')

    def backward(self, grad):
        x, = self.saved_tensors
        if self.approximate == 'tanh':
            # d/dx [x/2 (1 + tanh(u))], u = sqrt(2/pi) (x + kappa x^3)
            x_squared = x * x
            tanh_inner = tanh((x + x_squared * x * _GELU_TANH_KAPPA) * _SQRT_2_OVER_PI)
            derivative = ((tanh_inner + 1) * 0.5
                          + x * 0.5 * (1 - tanh_inner * tanh_inner)
                          * ((x_squared * (3 * _GELU_TANH_KAPPA) + 1) * _SQRT_2_OVER_PI))
        else:
            # Phi(x) + x * phi(x): the normal CDF plus x times its density. erf is costly, so the
            # forward's Phi(x) is reused unless this backward is itself being recorded (create_graph)
            cdf = (erf(x * math.sqrt(0.5)) + 1) * 0.5 if GradMode.enabled else wrap(self.cdf)
            derivative = cdf + x * exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return (grad * derivative,)


def gelu(input, approximate='none'):
    """x * Phi(x), Phi the standard normal CDF; `approximate='tanh'` uses the tanh approximation."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only('GeluKernelImpl', input)
    data = input._data
    if approximate == 'tanh':
        inner = (data + data * data * data * _GELU_TANH_KAPPA) * _SQRT_2_OVER_PI
        values = data * 0.5 * (1 + np.tanh(inner))
    else:
        erf_part = _erf(data * math.sqrt(0.5))
        values = data * 0.5 * (1 + erf_part)
    out, node = _activation(values, input, GeluBackward0)
    if node is not None:
        node.approximate = approximate
        node.cdf = (1 + erf_part) * 0.5 if approximate == 'none' else None
    return out


class SiluBackward0(_ActivationNode):
    def backward(self, grad):
        x, = self.saved_tensors
        gate = sigmoid(x)
        return (grad * gate * (1 + x * (1 - gate)),)


def silu(input):
    """x * sigmoid(x)."""
    _float_only('silu_cpu', input)
    data = input._data
    return _activation(data * _sigmoid(data), input, SiluBackward0)[0]


def _softplus(data):
    """log(1 + exp(x)) without overflow."""
    return np.logaddexp(0, data).astype(data.dtype, copy=False)


class MishBackward0(_ActivationNode):
    def backward(self, grad):
        x, = self.saved_tensors
        tanh_softplus = tanh(softplus(x))
        # the softplus' derivative is sigmoid: tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2)
        return (grad * (tanh_softplus + x * sigmoid(x) * (1 - tanh_softplus * tanh_softplus)),)


def mish(input):
    """x * tanh(softplus(x))."""
    _float_only('mish_cpu', input)
    data = input._data
    return _activation(data * np.tanh(_softplus(data)), input, MishBackward0)[0]


class SoftplusBackward0(_ActivationNode):
    __slots__ = ('beta', 'threshold')

    def backward(self, grad):
        x, = self.saved_tensors
        scaled = x * self.beta
        return (grad * where(scaled > self.threshold, 1.0, sigmoid(scaled)),)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    _float_only('softplus_cpu', input)
    data = input._data
    scaled = data * beta
    with np.errstate(over='ignore'):
        values = np.where(scaled > threshold, data, np.log1p(np.exp(scaled)) / beta)
    out, node = _activation(values.astype(data.dtype, copy=False), input, SoftplusBackward0)
    if node is not None:
        node.beta, node.threshold = beta, threshold
    return out


class LogSigmoidBackward0(_ActivationNode):
    def backward(self, grad):
        x, = self.saved_tensors
        return (grad * sigmoid(-x),)


def logsigmoid(input):
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    _float_only('log_sigmoid_forward_cpu', input)
    data = input._data
    return _activation(np.minimum(data, 0) - np.log1p(np.exp(-np.abs(data))), input, LogSigmoidBackward0)[0]


class GluBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, grad):
        x, = self.saved_tensors
        first, second = x.chunk(2, self.dim)
        gate = sigmoid(second)
        return (cat([grad * gate, grad * first * gate * (1 - gate)], self.dim),)


def glu(input, dim=-1):
    """a * sigmoid(b), with a and b the two halves of input along `dim`."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    _float_only('glu_cpu', input)
    dim = dim + input.dim() if dim < 0 else dim
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    first, second = np.split(input._data, 2, axis=dim)
    node = record(GluBackward0, input)
    if node is not None:
        node.save_for_backward(input)
        node.dim = dim
    return result(first * _sigmoid(second), node)


# ---- hard approximations and shrinkage ------------------------------------------------------------
class HardsigmoidBackwardBackward0(PiecewiseBackwardBackward):
    # (PyTorch 2.13 has no double backward for hardsigmoid; ember's is the one its formula gives)
    __slots__ = ()
    zero_slope_selects = True


class HardsigmoidBackward0(_ActivationNode):
    def backward(self, grad):
        saved = self.saved_tensors[0]
        x = saved._data
        # PyTorch's kernel multiplies by 1.0f / 6.0f, a float constant, in every dtype
        slopes = _slopes(((x > -3) & (x < 3)) * np.float32(1 / 6), grad)
        return (piecewise_backward(grad, slopes, saved, HardsigmoidBackwardBackward0),)


def hardsigmoid(input):
    """min(max(x + 3, 0), 6) / 6."""
    _float_only('hardsigmoid_cpu', input)
    data = input._data
    return _activation(np.minimum(np.maximum(data + 3, 0), 6) / 6, input, HardsigmoidBackward0)[0]


class HardswishBackward0(_ActivationNode):
    def backward(self, grad):
        x, = self.saved_tensors
        # 0 up to -3 (selected: an inf gradient gives 0 there), x/3 + 1/2 on (-3, 3), 1 from 3 on
        # (PyTorch's choice at the kinks)
        return (where(x <= -3, 0., grad * where(x < 3, x / 3 + 0.5, 1.)),)


def hardswish(input):
    """x * min(max(x + 3, 0), 6) / 6."""
    _float_only('hardswish_cpu', input)
    data = input._data
    return _activation(data * np.minimum(np.maximum(data + 3, 0), 6) / 6, input, HardswishBackward0)[0]


def _check_lambd(lambd, input):
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {float(np.finfo(input._data.dtype).max):g}] for input "
                           f"dtype {_scalar_type_name(input._data.dtype)}, but found {lambd:g}")


def _shrink_backward(node, grad, node_class):
    """PyTorch blocks the gradient where -lambd <= input <= lambd (a NaN passes it)."""
    saved = node.saved_tensors[0]
    blocked = np.abs(saved._data) <= node.lambd
    return (piecewise_backward(grad, ~blocked, saved, node_class),)


class SoftshrinkBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class SoftshrinkBackward0(_ActivationNode):
    __slots__ = ('lambd',)

    def backward(self, grad):
        return _shrink_backward(self, grad, SoftshrinkBackwardBackward0)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    _float_only('softshrink_cpu', input)
    _check_lambd(lambd, input)
    data = input._data
    values = np.where(data > lambd, data - lambd, np.where(data < -lambd, data + lambd, 0))
    out, node = _activation(values.astype(data.dtype, copy=False), input, SoftshrinkBackward0)
    if node is not None:
        node.lambd = lambd
    return out


class HardshrinkBackwardBackward0(PiecewiseBackwardBackward):
    __slots__ = ()


class HardshrinkBackward0(_ActivationNode):
    __slots__ = ('lambd',)

    def backward(self, grad):
        return _shrink_backward(self, grad, HardshrinkBackwardBackward0)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, 0 elsewhere."""
    _float_only('hardshrink_cpu', input)
    data = input._data
    out, node = _activation(np.where(np.abs(data) > lambd, data, 0).astype(data.dtype, copy=False),
                            input, HardshrinkBackward0)
    if node is not None:
        node.lambd = lambd
    return out


# ---- dropout --------------------------------------------------------------------------------------
# PyTorch's CPU dropout (ATen's _dropout_impl): noise = empty(...).bernoulli_(1 - p), scaled, then
# `input * noise` -- a plain MulBackward0 -- and `+ b` for alpha dropout. The noise is drawn in the
# input's dtype with the same generator calls, so seeded runs match PyTorch bit for bit.
_SELU_NEGATIVE_SATURATION = SELU_ALPHA * SELU_SCALE  # alpha' of alpha dropout, 1.7580993408473766


def _noise(input, p, feature):
    """0/1 keep-mask samples, one per element or (feature dropout) one per (sample, channel)."""
    shape = input.shape
    dtype = input._data.dtype

    def draw(shape):
        return _sampling.bernoulli_scalar(_random.default_generator, shape, dtype, 1 - p)
    if feature:
        if len(shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        # what `empty(shape).bernoulli_(1 - p)` draws, without building the empty tensor first
        return draw((shape[0], shape[1]) + (1,) * (len(shape) - 2))
    # `empty_like(input).bernoulli_(1 - p)`: drawn in the input's memory order
    return in_memory_order(input._data, draw)


def _dropout(input, p, train, feature, alpha, inplace):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    dtype = input._data.dtype
    if p == 1:
        zero = wrap(np.zeros((), dtype))
        return input.mul_(zero) if inplace else mul(input, zero)
    keep = _noise(input, p, feature)
    if alpha:
        # dropped units go to SELU's negative saturation, then an affine map restores mean and variance
        a = 1.0 / math.sqrt((_SELU_NEGATIVE_SATURATION ** 2 * p + 1) * (1 - p))
        shift = wrap((keep - 1) * (_SELU_NEGATIVE_SATURATION * a) + _SELU_NEGATIVE_SATURATION * a * p)
        scale = wrap(keep * a)
        return input.mul_(scale).add_(shift) if inplace else input * scale + shift
    scale = wrap(keep / dtype.type(1 - p))
    return input.mul_(scale) if inplace else mul(input, scale)


def dropout(input, p, train):
    """Zero each element with probability p in training and scale the rest by 1 / (1 - p)."""
    return _dropout(input, p, train, False, False, False)


def dropout_(input, p, train):
    """In-place dropout."""
    return _dropout(input, p, train, False, False, True)


def feature_dropout(input, p, train):
    """Dropout of whole channels: one keep/zero draw per (sample, channel)."""
    return _dropout(input, p, train, True, False, False)


def feature_dropout_(input, p, train):
    """In-place feature_dropout."""
    return _dropout(input, p, train, True, False, True)


def alpha_dropout(input, p, train):
    """Dropout for SELU networks: keeps zero mean and unit variance."""
    return _dropout(input, p, train, False, True, False)


def alpha_dropout_(input, p, train):
    """In-place alpha_dropout."""
    return _dropout(input, p, train, False, True, True)


def feature_alpha_dropout(input, p, train):
    """Alpha dropout of whole channels."""
    return _dropout(input, p, train, True, True, False)


def feature_alpha_dropout_(input, p, train):
    """In-place feature_alpha_dropout."""
    return _dropout(input, p, train, True, True, True)
