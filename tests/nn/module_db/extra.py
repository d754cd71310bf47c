"""Module table rows: ChannelShuffle, FractionalMaxPool (windows drawn from the re-seeded stream),
AdaptiveLogSoftmaxWithLoss, CrossMapLRN2d and SyncBatchNorm (one process)."""
from ._spec import ModuleCase, Int

MODULE_CASES = [
    ModuleCase('ChannelShuffle', lambda nn: nn.ChannelShuffle(2), [(2, 4, 3, 2)]),
    ModuleCase('FractionalMaxPool2d', lambda nn: nn.FractionalMaxPool2d(2, output_size=(4, 3)), [(2, 3, 8, 7)]),
    ModuleCase('FractionalMaxPool2d_ratio', lambda nn: nn.FractionalMaxPool2d((3, 2), output_ratio=0.6),
               [(3, 9, 8)], seed=4),
    ModuleCase('FractionalMaxPool3d_indices', lambda nn: nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.6, 0.7),
                                                                               return_indices=True),
               [(1, 2, 6, 5, 7)], forward=lambda mod, x: mod(x)[0]),
    ModuleCase('AdaptiveLogSoftmaxWithLoss', lambda nn: nn.AdaptiveLogSoftmaxWithLoss(6, 12, [3, 7], div_value=2.0),
               [(5, 6), Int((5,), 0, 12)]),
    ModuleCase('AdaptiveLogSoftmaxWithLoss_head_bias', lambda nn: nn.AdaptiveLogSoftmaxWithLoss(
        8, 10, [5], head_bias=True), [(4, 8), Int((4,), 0, 10)], seed=1),
    ModuleCase('AdaptiveLogSoftmaxWithLoss_log_prob', lambda nn: nn.AdaptiveLogSoftmaxWithLoss(16, 9, [2, 5]),
               [(3, 16)], forward=lambda mod, x: mod.log_prob(x)),
    # CrossMapLRN2d's backward is PyTorch's hand-written one, not the forward's exact derivative
    ModuleCase('CrossMapLRN2d', lambda nn: nn.CrossMapLRN2d(3, alpha=0.5, beta=0.6, k=2.0), [(2, 5, 3, 3)],
               gradcheck=False),
    ModuleCase('SyncBatchNorm', lambda nn: nn.SyncBatchNorm(3), [(4, 3, 2, 2)]),
    ModuleCase('SyncBatchNorm_eval', lambda nn: nn.SyncBatchNorm(3, momentum=None), [(4, 3, 5)], train=False),
]
