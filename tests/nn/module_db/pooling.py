"""Module table rows: pooling layers."""
from ._spec import ModuleCase, Float

MODULE_CASES = [
    ModuleCase('MaxPool2d', lambda nn: nn.MaxPool2d(2), [(2, 3, 6, 5)]),
    ModuleCase('MaxPool2d_stride_pad_ceil', lambda nn: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
               [(1, 2, 8, 7)]),
    ModuleCase('MaxPool2d_dilation', lambda nn: nn.MaxPool2d((2, 3), stride=1, dilation=(2, 1)), [(1, 2, 6, 6)]),
    ModuleCase('MaxPool2d_return_indices', lambda nn: nn.MaxPool2d(2, return_indices=True), [(2, 2, 4, 6)],
               forward=lambda mod, x: mod(x)[0]),
    ModuleCase('MaxPool1d', lambda nn: nn.MaxPool1d(3, stride=2), [(2, 3, 9)]),
    ModuleCase('MaxPool3d', lambda nn: nn.MaxPool3d(2, padding=1), [(1, 2, 3, 4, 4)]),
    ModuleCase('AvgPool2d', lambda nn: nn.AvgPool2d(2), [(2, 3, 6, 5)]),
    ModuleCase('AvgPool2d_options', lambda nn: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True,
                                                            count_include_pad=False), [(1, 2, 8, 7)]),
    ModuleCase('AvgPool2d_divisor', lambda nn: nn.AvgPool2d(2, divisor_override=3), [(1, 2, 4, 4)]),
    ModuleCase('AvgPool1d', lambda nn: nn.AvgPool1d(3, 2, 1), [(2, 3, 9)]),
    ModuleCase('AvgPool3d', lambda nn: nn.AvgPool3d((1, 2, 2)), [(1, 2, 3, 4, 4)]),
    ModuleCase('AdaptiveAvgPool2d', lambda nn: nn.AdaptiveAvgPool2d((2, 3)), [(2, 2, 5, 7)]),
    ModuleCase('AdaptiveAvgPool2d_1', lambda nn: nn.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)]),
    ModuleCase('AdaptiveAvgPool1d', lambda nn: nn.AdaptiveAvgPool1d(3), [(2, 2, 7)]),
    ModuleCase('AdaptiveAvgPool3d', lambda nn: nn.AdaptiveAvgPool3d((1, 2, 3)), [(1, 2, 3, 4, 5)]),
    ModuleCase('AdaptiveMaxPool2d', lambda nn: nn.AdaptiveMaxPool2d((3, 2)), [(2, 2, 7, 5)]),
    ModuleCase('AdaptiveMaxPool1d', lambda nn: nn.AdaptiveMaxPool1d(4), [(2, 2, 9)]),
    ModuleCase('LPPool2d', lambda nn: nn.LPPool2d(2, 2), [Float((2, 2, 4, 6), 0.5, 2.0)]),
    ModuleCase('LPPool1d', lambda nn: nn.LPPool1d(3, 2), [Float((2, 2, 8), 0.5, 2.0)]),
]
