"""Op table rows: channel shuffle, fractional max pooling (with fixed random samples, so the
windows are deterministic) and nn.grad's convolution gradients."""
import numpy as np

from ._spec import OpCase, ErrorCase, Arr


def F(m):
    return m.nn.functional


# one sample per (batch, channel, pooled dim), in [0, 1)
_SAMPLES_2D = Arr(np.random.default_rng(0).uniform(size=(2, 3, 2)), grad=False)
_SAMPLES_3D = Arr(np.random.default_rng(1).uniform(size=(1, 2, 3)), grad=False)

OP_CASES = [
    OpCase('channel_shuffle', lambda m, x: m.channel_shuffle(x, 3), [(2, 6, 3)], gradgrad=True),
    OpCase('channel_shuffle_4d', lambda m, x: F(m).channel_shuffle(x, 2), [(1, 4, 2, 3)]),
    OpCase('native_channel_shuffle', lambda m, x: m.native_channel_shuffle(x, 2), [(2, 4, 3)], grad=False),
    OpCase('fractional_max_pool2d', lambda m, x, s: F(m).fractional_max_pool2d(x, 2, output_size=(3, 4),
                                                                               _random_samples=s),
           [(2, 3, 7, 8), _SAMPLES_2D], gradgrad=True),
    OpCase('fractional_max_pool2d_ratio_indices', lambda m, x, s: F(m).fractional_max_pool2d_with_indices(
        x, (3, 2), output_ratio=(0.5, 0.7), _random_samples=s), [(2, 3, 9, 6), _SAMPLES_2D]),
    OpCase('fractional_max_pool2d_unbatched', lambda m, x, s: F(m).fractional_max_pool2d(
        x, 3, output_size=2, _random_samples=s), [(3, 5, 6), _SAMPLES_2D]),
    OpCase('fractional_max_pool3d', lambda m, x, s: F(m).fractional_max_pool3d(
        x, (2, 3, 2), output_size=(3, 2, 4), return_indices=True, _random_samples=s), [(1, 2, 5, 6, 7), _SAMPLES_3D],
           gradgrad=True),
    OpCase('nn_grad_conv2d_input', lambda m, w, g: m.nn.grad.conv2d_input((2, 4, 7, 6), w, g, stride=2, padding=1),
           [(3, 4, 3, 3), (2, 3, 4, 3)]),
    OpCase('nn_grad_conv1d_weight', lambda m, x, g: m.nn.grad.conv1d_weight(x, (4, 1, 3), g, dilation=2, groups=2),
           [(2, 2, 9), (2, 4, 5)]),
    OpCase('nn_grad_conv3d_input', lambda m, w, g: m.nn.grad.conv3d_input((1, 2, 4, 4, 3), w, g, padding=1),
           [(3, 2, 2, 3, 2), (1, 3, 5, 4, 4)]),
]

ERROR_CASES = [
    ErrorCase('channel_shuffle_groups_not_dividing', lambda m: m.channel_shuffle(m.zeros(2, 4, 3), 3)),
    ErrorCase('channel_shuffle_zero_groups', lambda m: m.channel_shuffle(m.zeros(2, 4, 3), 0)),
    ErrorCase('channel_shuffle_2d', lambda m: m.channel_shuffle(m.zeros(2, 4), 2)),
    ErrorCase('fractional_max_pool2d_2d_input', lambda m: F(m).fractional_max_pool2d(m.zeros(3, 7), 2,
                                                                                      output_size=3)),
    ErrorCase('fractional_max_pool2d_too_large', lambda m: F(m).fractional_max_pool2d(
        m.zeros(1, 1, 4, 4), 3, output_size=3)),
    ErrorCase('fractional_max_pool3d_samples_dtype', lambda m: F(m).fractional_max_pool3d(
        m.zeros(1, 1, 4, 4, 4), 2, output_size=2, _random_samples=m.zeros(1, 1, 3, dtype=m.float64))),
]
