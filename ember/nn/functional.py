"""`nn.functional`: the stateless forms of the layers. Modules hold the parameters and call these;
these call ember ops, which carry the autograd."""
import warnings

from .. import _ops
from .._dtype import cpp_type_name
# imported here, not inside the functions: a function-level relative import warns (ImportWarning:
# __package__ != __spec__.parent) when ember.compat has this module stand in for torch.nn.functional
from .._ops.embedding import embedding_bag as _embedding_bag_kernel
from .._ops.resample import pad_nonconstant as _pad_nonconstant, upsample as _upsample_kernel
from .._ops.resample import upsample_antialias as _upsample_antialias
from .._ops._util import check_tensor_arguments
from .._tensor import _scalar_type_name

# Each family of layers has its section below and extends __all__ there.
__all__ = ['linear', 'bilinear', 'relu', 'relu_', 'sigmoid', 'tanh', 'softmax', 'log_softmax']


# ==== linear ======================================================================================
def linear(input, weight, bias=None):
    """`input @ weight.T + bias`. For a batch of vectors this is one `addmm` (AddmmBackward0), as
    in PyTorch."""
    check_tensor_arguments('linear', input=input, weight=weight, bias=bias)
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.dim()}D and "
                           f"{weight.dim()}D")
    _check_linear_dtypes(input, weight, bias)
    if bias is not None and input.dim() == 2:
        return _ops.addmm(bias, input, weight.t())
    output = _ops.matmul(input, weight.t())
    return output if bias is None else output + bias


def _check_linear_dtypes(input, weight, bias):
    """PyTorch's messages for mixed dtypes: with a bias, addmm's (which compares the dtypes before the
    shapes: the bias's with the weight's, then the input's); without one, mm's (after the shapes)."""
    if bias is not None:
        for name, tensor in (('self', bias), ('mat1', input)):
            if tensor.dtype != weight.dtype:
                raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                                   f"{_scalar_type_name(tensor._data.dtype)} and {_scalar_type_name(weight._data.dtype)}")
    elif input.dtype != weight.dtype and input.shape[-1] == weight.shape[-1]:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_type_name(input._data.dtype)} != "
                           f"{cpp_type_name(weight._data.dtype)}")


def bilinear(input1, input2, weight, bias=None):
    """`y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]`."""
    check_tensor_arguments('bilinear', input1=input1, input2=input2, weight=weight, bias=bias)
    tensors = {'input1': input1, 'input2': input2, 'weight': weight, 'bias': bias}
    if len({t.dtype for t in tensors.values() if t is not None}) > 1:
        raise RuntimeError("All tensors must have the same dtype, got " + ', '.join(
            f"{name}: {cpp_type_name(t._data.dtype)}" for name, t in tensors.items() if t is not None))
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    out_features, in1_features, in2_features = weight.shape
    if input1.shape[-1] != in1_features:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
                           f"expected {in1_features}")
    if input2.shape[-1] != in2_features:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
                           f"expected {in2_features}")
    # contract input1 with weight in one matmul: (..., in1) @ (in1, out * in2) -> (..., out, in2)
    weight_by_in1 = weight.permute(1, 0, 2).reshape(in1_features, out_features * in2_features)
    partial = _ops.matmul(input1, weight_by_in1).reshape(*input1.shape[:-1], out_features, in2_features)
    output = (partial * input2.unsqueeze(-2)).sum(-1)
    return output if bias is None else output + bias


def relu(input, inplace=False):
    """max(input, 0)."""
    return input.relu_() if inplace else input.relu()


def relu_(input):
    """In-place relu."""
    return input.relu_()


def sigmoid(input):
    """1 / (1 + exp(-input))."""
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent."""
    return input.tanh()


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) / sum(exp(input)) along `dim`."""
    if dim is None:
        dim = _get_softmax_dim('softmax', input.dim(), _stacklevel)
    return _ops.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(input)) along `dim`, computed stably."""
    if dim is None:
        dim = _get_softmax_dim('log_softmax', input.dim(), _stacklevel)
    return _ops.log_softmax(input, dim, dtype=dtype)


# ==== convolution and pooling =====================================================================
import math  # noqa: E402

from .modules.utils import _single, _pair, _triple  # noqa: E402
from .._ops import pooling as _pooling  # noqa: E402

__all__ += ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'unfold', 'fold',
            'max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
            'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'max_unpool1d', 'max_unpool2d',
            'max_unpool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
            'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d', 'adaptive_max_pool1d_with_indices',
            'adaptive_max_pool2d_with_indices', 'adaptive_max_pool3d_with_indices', 'lp_pool1d', 'lp_pool2d',
            'lp_pool3d']

# the convolutions are the ops themselves, as in PyTorch (F.conv2d is torch.conv2d)
conv1d, conv2d, conv3d = _ops.conv1d, _ops.conv2d, _ops.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = _ops.conv_transpose1d, _ops.conv_transpose2d, _ops.conv_transpose3d
unfold, fold = _ops.conv.unfold, _ops.conv.fold

_EXPAND = {1: _single, 2: _pair, 3: _triple}


def _check_pool_input(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but got input of size "
                           f"{list(input.shape)}")


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, name, return_indices=True):
    _check_pool_input(input, nd, name)
    expand = _EXPAND[nd]
    kernel_size = expand(kernel_size)
    stride = kernel_size if stride is None or stride == [] or stride == () else expand(stride)
    return _pooling.max_pool_with_indices(input, kernel_size, stride, expand(padding), expand(dilation), ceil_mode,
                                          return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """1-d max pooling and the flat indices of the maxima: the 2-d pool on (N, C, 1, L)."""
    _check_pool_input(input, 1, 'max_pool1d')
    output, indices = _max_pool(2, input.unsqueeze(-2), (1,) + _single(kernel_size),
                                None if stride is None or stride == [] else (1,) + _single(stride),
                                (0,) + _single(padding), (1,) + _single(dilation), ceil_mode, 'max_pool1d')
    return output.squeeze(-2), indices.squeeze(-2)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """2-d max pooling and the flat (per-plane, H*W) indices of the maxima."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, 'max_pool2d')


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """3-d max pooling and the flat (per-plane, D*H*W) indices of the maxima."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, 'max_pool3d')


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of the last dim (with the indices if `return_indices`)."""
    output, indices = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (output, indices) if return_indices else output


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of the last two dims (with the indices if `return_indices`)."""
    # the indices are computed only when asked for (the backward keeps the window offsets)
    output, indices = _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, 'max_pool2d',
                                return_indices)
    return (output, indices) if return_indices else output


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows of the last three dims (with the indices if `return_indices`)."""
    output, indices = _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, 'max_pool3d',
                                return_indices)
    return (output, indices) if return_indices else output


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name):
    _check_pool_input(input, nd, name)
    expand = _EXPAND[nd]
    kernel_size = expand(kernel_size)
    stride = kernel_size if stride is None or stride == [] or stride == () else expand(stride)
    return _pooling.avg_pool(input, kernel_size, stride, expand(padding), ceil_mode, count_include_pad,
                             divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of the last dim: the 2-d pool on (N, C, 1, L)."""
    _check_pool_input(input, 1, 'avg_pool1d')
    stride = None if stride is None or stride == [] else (1,) + _single(stride)
    return _avg_pool(2, input.unsqueeze(-2), (1,) + _single(kernel_size), stride, (0,) + _single(padding),
                     ceil_mode, count_include_pad, None, 'avg_pool1d').squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of the last two dims."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     'avg_pool2d')


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over sliding windows of the last three dims."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     'avg_pool3d')


def _unpool_size(nd, input, kernel_size, stride, padding, output_size):
    """The default (in - 1) * stride - 2 * padding + kernel, or the last nd entries of `output_size`."""
    expand = _EXPAND[nd]
    kernel_size = expand(kernel_size)
    stride = kernel_size if stride is None else expand(stride)
    padding = expand(padding)
    default = tuple((i - 1) * s - 2 * p + k for i, k, s, p in zip(input.shape[-nd:], kernel_size, stride, padding))
    if output_size is None:
        return default
    output_size = tuple(output_size)
    if len(output_size) == nd + 2 or (len(output_size) == nd + 1 and input.dim() == nd + 1):
        output_size = output_size[-nd:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for size, low, s in zip(output_size, default, stride):
        if not low - s < size < low + s:
            raise ValueError(f"invalid output_size \"{list(output_size)}\" (dim {output_size.index(size)} must be "
                             f"between {low - s} and {low + s})")
    return output_size


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool1d: zeros with the maxima put back at their indices."""
    size = _unpool_size(1, input, kernel_size, stride, padding, output_size)
    return _pooling.max_unpool(input.unsqueeze(-2), indices.unsqueeze(-2), (1,) + size).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool2d: zeros with the maxima put back at their indices."""
    return _pooling.max_unpool(input, indices, _unpool_size(2, input, kernel_size, stride, padding, output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool3d: zeros with the maxima put back at their indices."""
    return _pooling.max_unpool(input, indices, _unpool_size(3, input, kernel_size, stride, padding, output_size))


def _adaptive_size(nd, input, output_size):
    """`output_size` per dim; None keeps that dim's input size."""
    output_size = _EXPAND[nd](output_size)
    return tuple(i if o is None else int(o) for i, o in zip(input.shape[-nd:], output_size))


def _adaptive_avg(nd, input, output_size):
    _check_pool_input(input, nd, f'adaptive_avg_pool{nd}d')
    output_size = _adaptive_size(nd, input, output_size)
    if all(o == 1 for o in output_size):  # PyTorch takes the mean here (MeanBackward1)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    return _pooling.adaptive_avg_pool(input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """Mean over `output_size` adaptive windows of the last dim."""
    _check_pool_input(input, 1, 'adaptive_avg_pool1d')
    return _adaptive_avg(2, input.unsqueeze(-2), (1,) + _single(output_size)).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Mean over adaptive windows giving an `output_size` (H, W) output."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Mean over adaptive windows giving an `output_size` (D, H, W) output."""
    return _adaptive_avg(3, input, output_size)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """Max over adaptive windows of the last dim, and the indices of the maxima."""
    _check_pool_input(input, 1, 'adaptive_max_pool1d')
    output, indices = _pooling.adaptive_max_pool(input.unsqueeze(-2), (1,) + _single(output_size))
    return output.squeeze(-2), indices.squeeze(-2)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """Max over adaptive windows giving an `output_size` (H, W) output, and the indices of the maxima."""
    _check_pool_input(input, 2, 'adaptive_max_pool2d')
    return _pooling.adaptive_max_pool(input, _adaptive_size(2, input, output_size))


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """Max over adaptive windows giving an `output_size` (D, H, W) output, and the indices of the maxima."""
    _check_pool_input(input, 3, 'adaptive_max_pool3d')
    return _pooling.adaptive_max_pool(input, _adaptive_size(3, input, output_size))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over adaptive windows of the last dim (with the indices if `return_indices`)."""
    output, indices = adaptive_max_pool1d_with_indices(input, output_size)
    return (output, indices) if return_indices else output


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over adaptive windows of the last two dims (with the indices if `return_indices`)."""
    output, indices = adaptive_max_pool2d_with_indices(input, output_size)
    return (output, indices) if return_indices else output


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over adaptive windows of the last three dims (with the indices if `return_indices`)."""
    output, indices = adaptive_max_pool3d_with_indices(input, output_size)
    return (output, indices) if return_indices else output


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    # PyTorch's formula: (sum over the window of x^p)^(1/p), from the average pool times the window size;
    # sign * relu(abs) keeps a negative rounding error of the sum from becoming NaN
    kernel_size = _EXPAND[nd](kernel_size)
    pooled = _avg_pool(nd, input.pow(norm_type), kernel_size, stride, 0, ceil_mode, True, None, f'lp_pool{nd}d')
    return (pooled.sign() * pooled.abs().relu()).mul(math.prod(kernel_size)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim: (sum of x^p over each window)^(1/p)."""
    if stride is not None:
        stride = (1,) + _single(stride)
    kernel_size = (1,) + _single(kernel_size)
    return _lp_pool(2, input.unsqueeze(-2), norm_type, kernel_size, stride, ceil_mode).squeeze(-2)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last two dims: (sum of x^p over each window)^(1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last three dims: (sum of x^p over each window)^(1/p)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ==== activations =================================================================================
from .._ops import activation as _activation  # noqa: E402  (the kernels with their own graph nodes)

__all__ += ['threshold', 'threshold_', 'relu6', 'leaky_relu', 'leaky_relu_', 'prelu', 'rrelu', 'rrelu_', 'elu',
            'elu_', 'selu', 'selu_', 'celu', 'celu_', 'gelu', 'silu', 'mish', 'softplus', 'softsign', 'hardtanh',
            'hardtanh_', 'hardsigmoid', 'hardswish', 'logsigmoid', 'softmin', 'glu', 'tanhshrink', 'softshrink',
            'hardshrink']


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    if inplace:
        return _activation.threshold_(input, threshold, value)
    return _activation.threshold(input, threshold, value)


threshold_ = _activation.threshold_


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _activation.hardtanh_(input, min_val, max_val)
    return _activation.hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(input, 0), 6): a hardtanh, as in PyTorch (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(0, x) + negative_slope * min(0, x)."""
    if inplace:
        return _activation.leaky_relu_(input, negative_slope)
    return _activation.leaky_relu(input, negative_slope)


leaky_relu_ = _activation.leaky_relu_


prelu = _activation.prelu


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky relu with slopes drawn from U(lower, upper) in training, (lower + upper) / 2 in eval."""
    if inplace:
        return _activation.rrelu_(input, lower, upper, training)
    return _activation.rrelu(input, lower, upper, training)


rrelu_ = _activation.rrelu_


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return _activation.elu_(input, alpha) if inplace else _activation.elu(input, alpha)


elu_ = _activation.elu_


def selu(input, inplace=False):
    """scale * elu(x, alpha) with alpha = 1.6733, scale = 1.0507."""
    return _activation.selu_(input) if inplace else _activation.selu(input)


selu_ = _activation.selu_


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return _activation.celu_(input, alpha) if inplace else _activation.celu(input, alpha)


celu_ = _activation.celu_
gelu = _activation.gelu
softplus = _activation.softplus
logsigmoid = _activation.logsigmoid
glu = _activation.glu
softshrink = _activation.softshrink
hardshrink = _activation.hardshrink


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return input._inplace(_activation.silu) if inplace else _activation.silu(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return input._inplace(_activation.mish) if inplace else _activation.mish(input)


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6."""
    return input._inplace(_activation.hardsigmoid) if inplace else _activation.hardsigmoid(input)


def hardswish(input, inplace=False):
    """x * min(max(x + 3, 0), 6) / 6."""
    return input._inplace(_activation.hardswish) if inplace else _activation.hardswish(input)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along `dim`."""
    if dim is None:
        dim = _get_softmax_dim('softmin', input.dim(), _stacklevel)
    return _ops.softmax(-input, dim, dtype=dtype)


# ==== normalization and dropout ===================================================================
__all__ += ['batch_norm', 'instance_norm', 'layer_norm', 'group_norm', 'rms_norm', 'local_response_norm']


def _verify_batch_size(size):
    """Statistics of a single value per channel are meaningless (its variance is 0): PyTorch refuses."""
    values_per_channel = size[0]
    for s in size[2:]:
        values_per_channel *= s
    if values_per_channel == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel of (N, C, *) with the batch's statistics (training) or the running ones,
    then `* weight + bias`; in training the running statistics (when given) are updated in place."""
    if training:
        _verify_batch_size(input.size())
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _ops.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _verify_spatial_size(size):
    spatial_size = 1
    for s in size[2:]:
        spatial_size *= s
    if spatial_size == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample of (N, C, *) over its spatial positions."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _ops.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last `len(normalized_shape)` dims of each sample, then `* weight + bias`."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    return _ops.layer_norm(input, normalized_shape, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """`x / sqrt(mean(x^2) + eps) * weight` over the last `len(normalized_shape)` dims."""
    return _ops.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of `C // num_groups` channels of each sample, then `* weight + bias` per
    channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:]))
    return _ops.group_norm(input, num_groups, weight, bias, eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """AlexNet's normalisation across channels: `x / (k + alpha * mean of x^2 over a window of `size`
    neighbouring channels) ** beta`, the window zero-padded at the ends (size // 2 before,
    (size - 1) // 2 after). A composite of ember ops, as in PyTorch."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    # PyTorch averages the padded squares with avg_pool (size, 1, ...): the same sum of the `size`
    # shifted channel slices, divided by size
    num_channels = input.shape[1]
    squares = pad(input.mul(input), (0, 0) * (dim - 2) + (size // 2, (size - 1) // 2))
    window_sum = squares[:, :num_channels]
    for offset in range(1, size):
        window_sum = window_sum + squares[:, offset:offset + num_channels]
    div = (window_sum / size).mul(alpha).add(k).pow(beta)
    return input / div


# ---- dropout
def _check_dropout_probability(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p (in training) and scale the kept ones by 1 / (1 - p)."""
    _check_dropout_probability(p)
    return _ops.dropout_(input, p, training) if inplace else _ops.dropout(input, p, training)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU activations at zero mean and unit variance."""
    _check_dropout_probability(p)
    return _ops.alpha_dropout_(input, p, training) if inplace else _ops.alpha_dropout(input, p, training)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_dropout_probability(p)
    if inplace:
        return _ops.feature_alpha_dropout_(input, p, training)
    return _ops.feature_alpha_dropout(input, p, training)


def _feature_dropout(input, p, training, inplace, unbatched_dims):
    """Channel-wise dropout; an unbatched input (`unbatched_dims` dims) gets a batch dim around it."""
    is_batched = input.dim() != unbatched_dims
    if not is_batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    output = _ops.feature_dropout_(input, p, training) if inplace else _ops.feature_dropout(input, p, training)
    if not is_batched:
        output = output.squeeze_(0) if inplace else output.squeeze(0)
    return output


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, L) or (C, L) input with probability p."""
    _check_dropout_probability(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 2)


def _warn_unexpected_dims(spatial_dims, ndim):
    """dropout2d/3d still accept other ranks (as plain feature dropout), with PyTorch's deprecation warning."""
    if ndim in (spatial_dims + 1, spatial_dims + 2):
        return
    name = f"dropout{spatial_dims}d"
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error in "
                  "a future release. To retain the behavior and silence this warning, please use dropout instead. "
                  f"Note that {name} exists to provide channel-wise dropout on inputs with {spatial_dims} spatial "
                  "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial_dims + 1}D or {spatial_dims + 2}D inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, H, W) input with probability p. PyTorch treats a 3-D input as
    (N, C, L), not as an unbatched (C, H, W), and warns about it."""
    _check_dropout_probability(p)
    ndim = input.dim()
    _warn_unexpected_dims(2, ndim)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, None)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_dropout_probability(p)
    ndim = input.dim()
    _warn_unexpected_dims(3, ndim)
    # PyTorch adds a batch dim to everything that is not 5-D
    return _feature_dropout(input, p, training, inplace, ndim if ndim != 5 else None)


__all__ += ['dropout', 'alpha_dropout', 'feature_alpha_dropout', 'dropout1d', 'dropout2d', 'dropout3d']


# ==== losses ======================================================================================
import math as _math  # noqa: E402

from .._ops import loss as _loss  # noqa: E402  (the losses with graph nodes of their own)
from .. import _creation  # noqa: E402
from ..autograd.grad_mode import no_grad as _no_grad  # noqa: E402
from . import _reduction as _Reduction  # noqa: E402

__all__ += ['l1_loss', 'mse_loss', 'smooth_l1_loss', 'huber_loss', 'nll_loss', 'cross_entropy', 'binary_cross_entropy',
            'binary_cross_entropy_with_logits', 'poisson_nll_loss', 'gaussian_nll_loss', 'kl_div',
            'margin_ranking_loss', 'hinge_embedding_loss', 'multilabel_margin_loss', 'soft_margin_loss',
            'multilabel_soft_margin_loss', 'cosine_embedding_loss', 'multi_margin_loss', 'triplet_margin_loss',
            'triplet_margin_with_distance_loss', 'ctc_loss']


def _reduction_of(size_average, reduce, reduction):
    """The reduction name, from the deprecated size_average/reduce flags when either is given."""
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_string(size_average, reduce)
    # raises for an unknown name; the deprecated 'elementwise_mean' means 'mean'
    return 'mean' if _Reduction.get_enum(reduction) == 1 else reduction


def _apply_reduction(loss, reduction):
    """A per-element loss reduced as aten's apply_loss_reduction does."""
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def _broadcast_pair(input, target):
    """PyTorch warns when the target's shape differs from the input's, then broadcasts the two."""
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", stacklevel=3)
        return _ops.broadcast_tensors(input, target)
    return input, target


def _weighted_by_elements(loss, weight, input, reduction, mean_by_weight):
    """A per-element `weight` (same shape as the input) applied to an unreduced loss."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == 'mean' and mean_by_weight:
        return loss.sum() / weight.sum()
    return _apply_reduction(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """|input - target|, reduced (a composite in PyTorch: AbsBackward0 then Mean/SumBackward0)."""
    input, target = _broadcast_pair(input, target)
    reduction = _reduction_of(size_average, reduce, reduction)
    errors = (input - target).abs()
    if weight is not None:
        return _weighted_by_elements(errors, weight, input, reduction, mean_by_weight=True)
    return _apply_reduction(errors, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """(input - target) ** 2, reduced; with `weight`, 'mean' divides by the sum of the weights."""
    input, target = _broadcast_pair(input, target)
    reduction = _reduction_of(size_average, reduce, reduction)
    if weight is not None:
        return _weighted_by_elements((input - target) ** 2, weight, input, reduction, mean_by_weight=True)
    return _loss.mse_loss(input, target, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """0.5 (input - target) ** 2 / beta where |input - target| < beta, else |input - target| - 0.5 beta."""
    input, target = _broadcast_pair(input, target)
    reduction = _reduction_of(size_average, reduce, reduction)
    if beta == 0.0:  # PyTorch switches to the L1 loss
        return _apply_reduction((input - target).abs(), reduction)
    return _loss.smooth_l1_loss(input, target, reduction, beta)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """0.5 (input - target) ** 2 where |input - target| <= delta, else delta (|input - target| - 0.5 delta);
    with `weight`, 'mean' is the plain mean of the weighted losses, as in PyTorch."""
    input, target = _broadcast_pair(input, target)
    reduction = _reduction_of(None, None, reduction)
    if weight is None:
        return _loss.huber_loss(input, target, reduction, delta)
    return _weighted_by_elements(_loss.huber_loss(input, target, 'none', delta), weight, input, reduction,
                                 mean_by_weight=False)


def _nll_loss_nd(input, target, weight, reduction, ignore_index):
    """nll_loss for inputs (C,), (N, C) and (N, C, d1, d2, ...): like aten, any N-d input other than
    4-d runs through the 2-d kernel as (N, C, 1, d1*d2*...)."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    target_batch_size = target.shape[0] if target.dim() else 0  # (what aten reads for a 0-d target)
    if input.dim() != 1 and input.shape[0] != target_batch_size:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target_batch_size}).")
    if input.dim() in (1, 2, 4):
        return _loss.nll_loss(input, target, weight, ignore_index, reduction)
    n_samples = input.shape[0]
    expected = (n_samples,) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    flat_input = input.reshape(n_samples, input.shape[1], 1, -1)
    flat_target = target.reshape(n_samples, 1, -1)
    if reduction != 'none':
        return _loss.nll_loss(flat_input, flat_target, weight, ignore_index, reduction)
    return _loss.nll_loss(flat_input, flat_target, weight, ignore_index, 'none').reshape(target.shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    """-input[n, target[n]] * weight[target[n]]; 'mean' divides by the summed weights of the targets
    that are not `ignore_index`."""
    return _nll_loss_nd(input, target, weight, _reduction_of(size_average, reduce, reduction), ignore_index)


def _class_weight(weight, input, class_dim):
    """The class weights shaped to broadcast along the class dimension of `input`."""
    if input.dim() <= 1:
        return weight
    shape = [1] * input.dim()
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean',
                  label_smoothing=0.0):
    """nll_loss(log_softmax(input)) for class-index targets; -sum(target * log_softmax(input)) for
    class-probability targets (a target of the input's shape). Follows aten's LossNLL.cpp."""
    reduction = _reduction_of(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    if input.shape == target.shape:
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_scalar_type_name(target._data.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    if label_smoothing > 0.0:
        return _cross_entropy_label_smoothing(input, target, weight, reduction, ignore_index, label_smoothing,
                                              class_dim)
    return _nll_loss_nd(_ops.log_softmax(input, class_dim), target, weight, reduction, ignore_index)


def _check_label_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing, class_dim):
    n_classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    log_probs = _ops.log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = log_probs * target
    if weight is not None:
        terms = terms * _class_weight(weight, input, class_dim)
    if reduction == 'none':
        return -terms.sum(class_dim)
    if reduction == 'sum':
        return -terms.sum()
    # 'mean' averages over the samples (all positions but the class dimension), not over the weights;
    # PyTorch divides by a number here (DivBackward1), and negates a NaN sum when there are no samples
    if not input.numel():
        return -(terms.sum() * float('nan'))
    return _ops.elementwise._div_by_number(-terms.sum(), input.numel() // n_classes)


def _cross_entropy_label_smoothing(input, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    # (1 - eps) * nll + eps / C * (the loss against a uniform target), the second term normalised
    # like nll_loss: by the summed weights of the non-ignored targets
    _check_label_smoothing(label_smoothing)
    n_classes = input.shape[class_dim]
    log_probs = _ops.log_softmax(input, class_dim)
    nll = _nll_loss_nd(log_probs, target, weight, reduction, ignore_index)
    ignored = target == ignore_index
    if weight is not None:
        smooth_loss = -(log_probs * _class_weight(weight, input, class_dim)).sum(class_dim)
    else:
        smooth_loss = -log_probs.sum(class_dim)
    smooth_loss = smooth_loss.masked_fill(ignored, 0.0)
    if reduction == 'mean':
        kept = ~ignored
        normaliser = weight.gather(0, target.masked_select(kept).flatten()).sum() if weight is not None \
            else kept.sum()
        smooth = smooth_loss.sum() / normaliser
    else:
        smooth = _apply_reduction(smooth_loss, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    """-weight * (target log(input) + (1 - target) log(1 - input)), the logs clamped at -100."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if weight is not None and weight.shape != target.shape:
        weight = weight.expand(_ops.broadcast_shapes(target.shape, weight.shape))
    return _loss.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction='mean',
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits; `pos_weight`
    scales the positive term per class."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _loss.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction='mean'):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); `full` adds
    Stirling's approximation of log(target!) for targets > 1."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * _math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """0.5 (log(var) + (input - target) ** 2 / var), var clamped at eps (without blocking its
    gradient); `var` may have one dimension fewer than the input, or size 1 in one dimension."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _creation.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim() and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with _no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * _math.log(2 * _math.pi)
    return _apply_reduction(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """target * (log(target) - input), input being log-probabilities; 'batchmean' divides the sum by
    the batch size (the KL divergence), 'mean' by the number of elements."""
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction != 'batchmean':
        _Reduction.get_enum(reduction)
    _loss.check_kl_div_inputs(input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _ops.xlogy(target, target) - target * input  # xlogy: 0 log 0 = 0
    if reduction == 'batchmean':
        return loss.sum() / input.shape[0] if input.dim() != 0 else loss.sum()
    return _apply_reduction(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _apply_reduction((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction_of(size_average, reduce, reduction)
    zeros = _creation.zeros_like(input)
    margin_term = _ops.where(target != 1, (margin - input).clamp_min(0), zeros)
    self_term = _ops.where(target != -1, input, zeros)
    return _apply_reduction(margin_term + self_term, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """Hinge loss between each target class and each non-target class (targets: class indices,
    ended by the first -1)."""
    return _loss.multilabel_margin_loss(input, target, _reduction_of(size_average, reduce, reduction))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """log(1 + exp(-target * input)), targets being 1 or -1."""
    return _loss.soft_margin_loss(input, target, _reduction_of(size_average, reduce, reduction))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    """Per-class binary cross entropy on logits, averaged over the classes of each sample."""
    reduction = _reduction_of(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    return _apply_reduction(loss, reduction)


_COSINE_EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    """1 - cos(input1, input2) where target is 1, max(0, cos(input1, input2) - margin) where it is -1."""
    reduction = _reduction_of(size_average, reduce, reduction)
    target_dim = target.dim()
    if target_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != target_dim + 1 or input2.dim() != target_dim + 1:
        raise RuntimeError(f"{target_dim}D target tensor expects {target_dim + 1}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    # aten's formula: the epsilon goes into each squared magnitude
    dot = (input1 * input2).sum(target_dim)
    magnitude_square1 = (input1 * input1).sum(target_dim) + _COSINE_EPSILON
    magnitude_square2 = (input2 * input2).sum(target_dim) + _COSINE_EPSILON
    cos = dot / (magnitude_square1 * magnitude_square2).sqrt()
    zeros = _creation.zeros_like(cos)
    positive = _ops.where(target == 1, 1 - cos, zeros)
    negative = _ops.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _apply_reduction(positive + negative, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    """Multi-class hinge loss: sum over j != target of max(0, margin - x[target] + x[j]) ** p, over C."""
    reduction = _reduction_of(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    return _loss.multi_margin_loss(input, target, p, margin, weight, reduction)


def _check_triplet_dims(anchor, positive, negative):
    if not (anchor.dim() == positive.dim() == negative.dim()):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.dim()}D, positive {positive.dim()}D, and negative "
                           f"{negative.dim()}D inputs")


def _triplet_loss(anchor, positive, negative, distance_function, margin, swap, reduction):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)); `swap` uses the smaller of
    d(anchor, negative) and d(positive, negative) (Balntas et al.)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance_positive = distance_function(anchor, positive)
    distance_negative = distance_function(anchor, negative)
    if swap:
        distance_negative = _ops.minimum(distance_negative, distance_function(positive, negative))
    return _apply_reduction((margin + distance_positive - distance_negative).clamp_min(0), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    """Triplet loss with the p-norm distance."""
    reduction = _reduction_of(size_average, reduce, reduction)
    return _triplet_loss(anchor, positive, negative, lambda x1, x2: pairwise_distance(x1, x2, p, eps), margin, swap,
                         reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction='mean'):
    """Triplet loss with any distance function (pairwise_distance by default)."""
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _triplet_loss(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)


def _lengths(lengths):
    return lengths._data if hasattr(lengths, '_data') else lengths


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False):
    """Connectionist temporal classification loss of log_probs (T, N, C) (or (T, C)) against targets
    padded (N, S) or concatenated (sum(target_lengths),). 'mean' divides each sample's loss by its
    target length before averaging over the batch, as PyTorch does."""
    reduction = _reduction_of(None, None, reduction)
    batched = log_probs.dim() == 3
    loss = _loss.ctc_loss(log_probs if batched else log_probs.unsqueeze(1), targets, _lengths(input_lengths),
                          _lengths(target_lengths), blank, zero_infinity)
    if zero_infinity:
        loss = _ops.where(loss == float('inf'), _creation.zeros((), dtype=loss.dtype), loss)
    if reduction == 'mean':
        lengths = _creation.as_tensor(_lengths(target_lengths), dtype=loss.dtype).reshape(-1).clamp_min(1)
        return (loss / lengths).mean()
    if reduction == 'sum':
        return loss.sum()
    return loss if batched else loss.squeeze(0)


# ==== embeddings, padding, resampling and distances ===============================================
__all__ += ['embedding', 'embedding_bag', 'one_hot', 'pad', 'interpolate', 'upsample', 'upsample_nearest',
            'upsample_bilinear', 'affine_grid', 'grid_sample', 'pixel_shuffle', 'pixel_unshuffle', 'normalize',
            'cosine_similarity', 'pairwise_distance', 'pdist']


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """The rows of `weight` picked by the integer tensor `input`: output shape input.shape + (dim,).
    `max_norm` first renormalises the looked-up rows of `weight` in place."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _ops.embedding_renorm_(weight, input, max_norm, norm_type)
    return _ops.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode='mean',
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows. A 2-D `input` is one bag per row; a 1-D
    `input` is cut into bags starting at `offsets`."""
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must "
                         f"have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        offsets = _creation.arange(0, input.numel(), input.size(1), dtype=input.dtype)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == 'max' and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == 'max' and sparse:
        raise ValueError("max mode does not support sparse weights")
    if scale_grad_by_freq and sparse and weight.requires_grad:
        # PyTorch raises this from the backward; ember knows it already
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding_bag(scale_grad_by_freq=True) is not supported by ember")
    if max_norm is not None:
        _ops.embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if padding_idx is not None and padding_idx < 0:
        padding_idx = weight.size(0) + padding_idx
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type {weight.type()} does not equal {per_sample_weights.type()} "
                           f"(while checking arguments for embedding_bag)")
    return _embedding_bag_kernel(weight, input, offsets, mode, per_sample_weights, include_last_offset, padding_idx,
                                 sparse)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each value's position;
    num_classes=-1 means max(tensor) + 1."""
    import numpy as np
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not data.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    elif data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _creation.as_tensor((np.arange(num_classes) == data[..., None]).astype(np.int64))


def pad(input, pad, mode='constant', value=None):
    """Pad the last len(pad)//2 dims; `pad` lists (left, right) amounts starting from the last dim.
    'constant' fills with `value` (any number of dims; negative amounts crop); 'reflect',
    'replicate' and 'circular' pad the last 1, 2 or 3 dims of a batched or unbatched input."""
    if mode == 'constant':
        return _ops.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return _pad_nonconstant(input, pad, mode)


_INTERPOLATE_DIMS = {'linear': 1, 'bilinear': 2, 'bicubic': 2, 'trilinear': 3}


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resample the spatial dims of an (N, C, *spatial) input to `size`, or by `scale_factor`, with
    'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area', or
    (4-D input, `antialias=True`) 'bilinear' | 'bicubic' | 'lanczos' with PIL's antialiasing filters."""
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == 'area' and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [int(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
    if recompute_scale_factor:
        scale_factors = None  # the kernels then use input_size / output_size
    if antialias and not (mode in ('bilinear', 'bicubic', 'lanczos') and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if mode == 'lanczos' and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if antialias:
        return _upsample_antialias(input, mode, output_size, scale_factors, align_corners)
    if mode in _INTERPOLATE_DIMS and _INTERPOLATE_DIMS[mode] != dim:
        if input.dim() in (3, 4, 5):
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{_INTERPOLATE_DIMS[mode] + 2}D input")
    if mode not in ('nearest', 'nearest-exact', 'area', *_INTERPOLATE_DIMS) or input.dim() not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
                                  f"area | nearest-exact (got {mode})")
    if mode == 'area':  # PyTorch's 'area' is adaptive average pooling
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, output_size)
    return _upsample_kernel(input, mode, output_size, scale_factors, align_corners)


_ALIGN_CORNERS_DEFAULT_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details.")


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of a batch of affine maps `theta`
    (N, 2, 3) or (N, 3, 4), for an output of `size` (N, C, H, W) or (N, C, D, H, W): each output
    pixel's centre mapped by theta, in grid_sample's normalised coordinates."""
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_DEFAULT_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:  # every pixel of a unit axis sits at 0 (PyTorch >= 1.3)
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return _ops.affine_grid_generator(theta, size, align_corners)


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample `input` (N, C, H, W) or (N, C, D, H, W) at the points of `grid` (N, H_out, W_out, 2)
    or (N, D_out, H_out, W_out, 3), given as (x, y[, z]) in [-1, 1] across the input.
    `mode`: 'bilinear' | 'nearest' | 'bicubic' (4-D only); `padding_mode` for points outside:
    'zeros' | 'border' | 'reflection'."""
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_DEFAULT_WARNING, stacklevel=2)
        align_corners = False
    return _ops.grid_sampler(input, grid, mode, padding_mode, align_corners)


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Deprecated alias of `interpolate`."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: `interpolate(..., mode='nearest')`."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: `interpolate(..., mode='bilinear', align_corners=True)`."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    return _ops.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    return _ops.pixel_unshuffle(input, downscale_factor)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along `dim`."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom if out is None else _ops.div(input, denom, out=out)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along `dim` (norms clamped to at least eps)."""
    return _ops.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim."""
    return _ops.pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2):
    """p-norm distances between all pairs of rows of a 2-D input (upper triangle, row-major)."""
    return _ops.pdist(input, p)


# ==== attention ===================================================================================
import math  # noqa: E402

from .. import _dtype  # noqa: E402
from .._tensor import Tensor  # noqa: E402
from .._ops.attention import scaled_dot_product_attention  # noqa: E402
from .._creation import zeros as _zeros, zeros_like as _zeros_like  # noqa: E402

__all__ += ['scaled_dot_product_attention', 'multi_head_attention_forward']


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the call is batched (3-D query) or not (2-D), checking that the other inputs agree."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            expected_shape = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected_shape:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected_shape} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A float mask of `target_type`: a bool mask (True = masked out) becomes -inf where True, 0 elsewhere."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dtype.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if not is_float:
        mask = _zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _in_projection_packed(q, k, v, w, b=None):
    """q, k, v projected by the packed (3E, E) weight: one matmul for self-attention, two for
    encoder-decoder attention (k is v), three otherwise."""
    E = q.size(-1)
    if k is v:
        if q is k:
            return linear(q, w, b).unflatten(-1, (3, E)).unbind(-2)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        return (linear(q, w_q, b_q),) + linear(k, w_kv, b_kv).unflatten(-1, (2, E)).unbind(-2)
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """q, k, v projected by separate weights (MultiheadAttention with kdim/vdim != embed_dim)."""
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _pad_last(mask):
    """One more key column that no mask hides (for bias_k/bias_v and add_zero_attn)."""
    return _ops.cat([mask, _zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)], -1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E)/(S, E)):
    project, split into heads, attend, merge the heads, project out. Returns (output, weights); the
    weights (averaged over heads unless `average_attn_weights=False`) only when `need_weights`.
    Boolean masks mark with True the positions that are masked out."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the attention kernel builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer the causal one
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)

    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k = _ops.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _ops.cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError(f"bias_{'k' if bias_k is not None else 'v'} is set but "
                             f"bias_{'v' if bias_k is not None else 'k'} is None")

    # split the heads: (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        k = _ops.cat([k, _zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)], 1)
        v = _ops.cat([v, _zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype)], 1)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"Expected key_padded_mask.shape to be {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        # the weights are an output: compute them explicitly, (N * heads, L, S)
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if attn_mask is not None:
            attn_output_weights = _ops.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            attn_output_weights = _ops.bmm(q_scaled, k.transpose(-2, -1))
        attn_output_weights = softmax(attn_output_weights, dim=-1)
        if dropout_p > 0.0:
            attn_output_weights = dropout(attn_output_weights, p=dropout_p)
        attn_output = _ops.bmm(attn_output_weights, v)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        attn_output_weights = attn_output_weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_output_weights = attn_output_weights.mean(dim=1)
        if not is_batched:
            return attn_output.squeeze(1), attn_output_weights.squeeze(0)
        return attn_output, attn_output_weights

    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.size(0) == 1 else attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    return (attn_output if is_batched else attn_output.squeeze(1)), None


# ==== channel shuffle, fractional max pooling, Gumbel-softmax =====================================
from .._ops import fractional_pooling as _fractional_pooling  # noqa: E402

__all__ += ['channel_shuffle', 'native_channel_shuffle', 'fractional_max_pool2d', 'fractional_max_pool3d',
            'fractional_max_pool2d_with_indices', 'fractional_max_pool3d_with_indices', 'gumbel_softmax']

channel_shuffle = _ops.channel_shuffle
native_channel_shuffle = _ops.native_channel_shuffle


def _fractional_max_pool(nd, input, kernel_size, output_size, output_ratio, random_samples):
    expand = _pair if nd == 2 else _triple
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # (PyTorch takes len() of the 2-d ratio, so a bare float is a TypeError there; the module passes pairs)
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        output_size = [int(size * ratio) for size, ratio in zip(input.shape[-nd:], expand(output_ratio))]
    if random_samples is None:
        # one uniform sample per plane and pooled dim, drawn as PyTorch draws them
        batch = 1 if input.dim() == nd + 1 else input.size(0)
        random_samples = _creation.rand(batch, input.size(-nd - 1), nd, dtype=input.dtype)
    return _fractional_pooling.fractional_max_pool(input, expand(kernel_size), expand(output_size), random_samples,
                                                   name)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """Fractional max pooling of (N, C, H, W) or (C, H, W) inputs to `output_size` (or
    `output_ratio` times the input size), with the flat per-plane indices of the maxima."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) inputs, with indices."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling of (N, C, H, W) or (C, H, W) inputs (and the indices if asked)."""
    output, indices = _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return (output, indices) if return_indices else output


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) inputs (and the indices if asked)."""
    output, indices = _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return (output, indices) if return_indices else output


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution: `softmax((logits + g) / tau)` with standard
    Gumbel noise g = -log(Exponential(1)). `hard=True` returns the one-hot of the argmax whose
    gradient is the soft sample's (the straight-through estimator)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # the noise is drawn as PyTorch draws it (exponential_ on a contiguous tensor), so seeds agree
    gumbels = -_creation.empty(logits.shape, dtype=logits.dtype).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
