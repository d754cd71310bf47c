"""Module table rows: convolution layers and Fold/Unfold."""
from ._spec import ModuleCase

MODULE_CASES = [
    ModuleCase('Conv2d', lambda nn: nn.Conv2d(3, 4, 3), [(2, 3, 6, 5)]),
    ModuleCase('Conv2d_stride_pad', lambda nn: nn.Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0)), [(2, 2, 7, 6)]),
    ModuleCase('Conv2d_dilation_groups_nobias', lambda nn: nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2,
                                                                   bias=False), [(1, 4, 5, 6)]),
    ModuleCase('Conv2d_same', lambda nn: nn.Conv2d(2, 3, (4, 3), padding='same'), [(1, 2, 5, 6)]),
    ModuleCase('Conv2d_reflect', lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode='reflect'), [(2, 2, 5, 4)]),
    ModuleCase('Conv2d_replicate', lambda nn: nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode='replicate'),
               [(1, 2, 5, 4)]),
    ModuleCase('Conv2d_circular', lambda nn: nn.Conv2d(2, 3, 3, stride=2, padding=1, padding_mode='circular'),
               [(1, 2, 5, 6)]),
    ModuleCase('Conv2d_unbatched', lambda nn: nn.Conv2d(2, 3, 3), [(2, 5, 4)]),
    ModuleCase('Conv1d', lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    ModuleCase('Conv1d_circular', lambda nn: nn.Conv1d(2, 2, 3, padding=2, dilation=2, padding_mode='circular'),
               [(2, 2, 7)]),
    ModuleCase('Conv3d', lambda nn: nn.Conv3d(2, 3, (2, 3, 2), padding=1), [(1, 2, 3, 4, 3)]),
    ModuleCase('ConvTranspose2d', lambda nn: nn.ConvTranspose2d(3, 2, 3, stride=2), [(2, 3, 3, 4)]),
    ModuleCase('ConvTranspose2d_pad_outpad', lambda nn: nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1,
                                                                         output_padding=1, groups=2), [(1, 2, 3, 3)]),
    ModuleCase('ConvTranspose2d_output_size', lambda nn: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
               [(1, 2, 3, 4)], forward=lambda mod, x: mod(x, output_size=[6, 8])),
    ModuleCase('ConvTranspose1d', lambda nn: nn.ConvTranspose1d(2, 3, 4, stride=3, dilation=2, bias=False), [(2, 2, 4)]),
    ModuleCase('ConvTranspose3d', lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=(1, 2, 2)), [(1, 2, 2, 3, 2)]),
    ModuleCase('Unfold', lambda nn: nn.Unfold((2, 3), padding=1, stride=2), [(2, 2, 5, 6)]),
    ModuleCase('Fold', lambda nn: nn.Fold((4, 5), 2), [(2, 8, 12)]),
]
