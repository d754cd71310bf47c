"""The small layers torchvision's models are assembled from, as `torchvision.ops.misc`."""
import warnings
from collections.abc import Sequence

from ... import nn, ones, zeros
from ...nn.modules.module import Module

__all__ = ['FrozenBatchNorm2d', 'Conv2dNormActivation', 'Conv3dNormActivation', 'SqueezeExcitation', 'MLP',
           'Permute']


class FrozenBatchNorm2d(Module):
    """BatchNorm2d with its statistics and affine parameters fixed (all buffers, nothing trains): the
    normalisation detection backbones use when batches are too small to estimate statistics."""

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer('weight', ones(num_features))
        self.register_buffer('bias', zeros(num_features))
        self.register_buffer('running_mean', zeros(num_features))
        self.register_buffer('running_var', ones(num_features))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        # a BatchNorm2d's state dict loads too: its step counter has no place here
        state_dict.pop(prefix + 'num_batches_tracked', None)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, x):
        # folded into one scale and shift per channel: x * w / sqrt(var + eps) + (b - mean * that scale)
        scale = self.weight.reshape(1, -1, 1, 1) * (self.running_var.reshape(1, -1, 1, 1) + self.eps).rsqrt()
        bias = self.bias.reshape(1, -1, 1, 1) - self.running_mean.reshape(1, -1, 1, 1) * scale
        return x * scale + bias

    def __repr__(self):
        return f'{self.__class__.__name__}({self.weight.shape[0]}, eps={self.eps})'


class ConvNormActivation(nn.Sequential):
    """Convolution, then an optional norm layer, then an optional activation. The padding defaults to
    `(kernel_size - 1) // 2 * dilation` ('same' for odd kernels at stride 1); the convolution has a
    bias only when there is no norm layer to absorb it."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None,
                 conv_layer=nn.Conv2d):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                conv_dim = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)
                kernel_size = _ntuple(kernel_size, conv_dim)
                dilation = _ntuple(dilation, conv_dim)
                padding = tuple((k - 1) // 2 * d for k, d in zip(kernel_size, dilation))
        if bias is None:
            bias = norm_layer is None
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                             groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {'inplace': inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels
        if self.__class__ == ConvNormActivation:
            warnings.warn("Don't use ConvNormActivation directly, please use Conv2dNormActivation and "
                          "Conv3dNormActivation instead.")


def _ntuple(value, n):
    return tuple(value) if isinstance(value, Sequence) else (value,) * n


class Conv2dNormActivation(ConvNormActivation):
    """Conv2d -> norm (BatchNorm2d by default) -> activation (ReLU by default); see `ConvNormActivation`."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv2d)


class Conv3dNormActivation(ConvNormActivation):
    """Conv3d -> norm (BatchNorm3d by default) -> activation (ReLU by default); see `ConvNormActivation`."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm3d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv3d)


class SqueezeExcitation(Module):
    """Squeeze-and-Excitation ("Squeeze-and-Excitation Networks"): global average pool, a 1x1-conv
    bottleneck (`activation` between) and `scale_activation` give one weight per channel, which
    rescales the input."""

    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(input)))))

    def forward(self, input):
        return self._scale(input) * input


class MLP(nn.Sequential):
    """Linear layers of widths `hidden_channels`, each but the last followed by an optional norm, the
    activation and dropout; the last by dropout only."""

    def __init__(self, in_channels, hidden_channels, norm_layer=None, activation_layer=nn.ReLU, inplace=None,
                 bias=True, dropout=0.0):
        params = {} if inplace is None else {'inplace': inplace}
        layers = []
        in_dim = in_channels
        for hidden_dim in hidden_channels[:-1]:
            layers.append(nn.Linear(in_dim, hidden_dim, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden_dim))
            layers.append(activation_layer(**params))
            layers.append(nn.Dropout(dropout, **params))
            in_dim = hidden_dim
        layers.append(nn.Linear(in_dim, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **params))
        super().__init__(*layers)


class Permute(Module):
    """Permutes the input's dimensions to `dims`."""

    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(self.dims)
