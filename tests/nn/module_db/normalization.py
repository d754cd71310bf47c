"""Module table rows: batch, instance, layer, group, RMS and local response normalization. The
buffers (running statistics) are compared after the forward, in training and eval mode."""
from ._spec import ModuleCase, Float, Int, Py  # noqa: F401


def _randomized(module, stats=True):
    """Non-trivial affine parameters and running statistics (drawn by torch's layer; the ember layer
    gets them through the state_dict), so that eval rows and weight gradients test something."""
    for p in module.parameters():
        p.data.uniform_(0.5, 1.5)
    if stats and getattr(module, 'running_mean', None) is not None:
        module.running_mean.uniform_(-1, 1)
        module.running_var.uniform_(0.5, 2)
    return module


def _seen_batches(module, count):
    """A layer that has already tracked `count` batches (momentum=None averages over them)."""
    module.num_batches_tracked.fill_(count)
    return _randomized(module)


MODULE_CASES = [
    # batch norm: training updates the running statistics, eval uses them
    ModuleCase('BatchNorm1d', lambda nn: _randomized(nn.BatchNorm1d(3)), [(4, 3)]),
    ModuleCase('BatchNorm1d_3d', lambda nn: _randomized(nn.BatchNorm1d(3, momentum=0.3)), [(4, 3, 5)]),
    ModuleCase('BatchNorm1d_eval', lambda nn: _randomized(nn.BatchNorm1d(3)), [(4, 3, 5)], train=False),
    ModuleCase('BatchNorm1d_no_bias', lambda nn: _randomized(nn.BatchNorm1d(3, bias=False)), [(5, 3)]),
    ModuleCase('BatchNorm2d', lambda nn: _randomized(nn.BatchNorm2d(3)), [(2, 3, 4, 4)]),
    ModuleCase('BatchNorm2d_eval', lambda nn: _randomized(nn.BatchNorm2d(3, eps=1e-3)), [(2, 3, 3, 3)], train=False),
    ModuleCase('BatchNorm2d_no_affine', lambda nn: _randomized(nn.BatchNorm2d(2, affine=False)), [(3, 2, 2, 3)]),
    ModuleCase('BatchNorm2d_cumulative', lambda nn: _seen_batches(nn.BatchNorm2d(2, momentum=None), 3),
               [(2, 2, 3, 3)]),
    ModuleCase('BatchNorm2d_cumulative_first', lambda nn: nn.BatchNorm2d(2, momentum=None), [(2, 2, 3, 3)]),
    ModuleCase('BatchNorm2d_untracked', lambda nn: _randomized(nn.BatchNorm2d(2, track_running_stats=False)),
               [(2, 2, 3, 3)]),
    ModuleCase('BatchNorm2d_untracked_eval', lambda nn: _randomized(nn.BatchNorm2d(2, track_running_stats=False)),
               [(2, 2, 3, 3)], train=False),
    ModuleCase('BatchNorm3d', lambda nn: _randomized(nn.BatchNorm3d(2)), [(2, 2, 2, 3, 2)]),
    ModuleCase('BatchNorm3d_eval', lambda nn: _randomized(nn.BatchNorm3d(2, affine=False)), [(2, 2, 2, 2, 2)],
               train=False),
    # instance norm: per sample and channel; running statistics only when asked for
    ModuleCase('InstanceNorm1d', lambda nn: nn.InstanceNorm1d(3), [(2, 3, 5)]),
    ModuleCase('InstanceNorm1d_unbatched', lambda nn: nn.InstanceNorm1d(3), [(3, 5)]),
    ModuleCase('InstanceNorm1d_tracked', lambda nn: _randomized(nn.InstanceNorm1d(3, track_running_stats=True)),
               [(2, 3, 5)]),
    ModuleCase('InstanceNorm1d_tracked_eval',
               lambda nn: _randomized(nn.InstanceNorm1d(3, affine=True, track_running_stats=True)), [(2, 3, 5)],
               train=False),
    ModuleCase('InstanceNorm2d_affine', lambda nn: _randomized(nn.InstanceNorm2d(3, affine=True)), [(2, 3, 3, 3)]),
    ModuleCase('InstanceNorm2d_unbatched_tracked',
               lambda nn: _randomized(nn.InstanceNorm2d(2, momentum=0.5, track_running_stats=True)), [(2, 3, 3)]),
    ModuleCase('InstanceNorm3d', lambda nn: _randomized(nn.InstanceNorm3d(2, affine=True)), [(2, 2, 2, 2, 3)]),
    # layer norm, group norm, RMS norm
    ModuleCase('LayerNorm', lambda nn: _randomized(nn.LayerNorm(5)), [(3, 5)]),
    ModuleCase('LayerNorm_2d_shape_no_bias', lambda nn: _randomized(nn.LayerNorm((3, 4), bias=False)), [(2, 3, 4)]),
    ModuleCase('LayerNorm_no_affine', lambda nn: nn.LayerNorm([4], eps=1e-3, elementwise_affine=False),
               [(2, 3, 4)]),
    ModuleCase('GroupNorm', lambda nn: _randomized(nn.GroupNorm(2, 4)), [(2, 4, 3)]),
    ModuleCase('GroupNorm_4d', lambda nn: _randomized(nn.GroupNorm(3, 6, eps=1e-3)), [(2, 6, 2, 2)]),
    ModuleCase('GroupNorm_no_affine', lambda nn: nn.GroupNorm(1, 3, affine=False), [(2, 3, 2, 2)]),
    ModuleCase('GroupNorm_no_bias', lambda nn: _randomized(nn.GroupNorm(2, 2, bias=False)), [(3, 2, 4)]),
    ModuleCase('RMSNorm', lambda nn: _randomized(nn.RMSNorm(4)), [(3, 4)]),
    ModuleCase('RMSNorm_2d_shape', lambda nn: nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False), [(2, 3, 4)]),
    # AlexNet's local response norm
    ModuleCase('LocalResponseNorm', lambda nn: nn.LocalResponseNorm(2), [(2, 4, 3, 3)]),
    ModuleCase('LocalResponseNorm_3d', lambda nn: nn.LocalResponseNorm(3, alpha=0.1, beta=0.5, k=2.), [(2, 5, 4)]),
]
