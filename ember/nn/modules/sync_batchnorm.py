"""`SyncBatchNorm`: batch normalization whose batch statistics span every process of a
distributed job. In one process (or in eval) it is BatchNorm; with `ember.distributed` initialised
and more than one rank it all-reduces the statistics (see `_functions.SyncBatchNorm`)."""
from .. import functional as F
from . import _functions
from .batchnorm import _BatchNorm

__all__ = ['SyncBatchNorm']


class SyncBatchNorm(_BatchNorm):
    """Batch normalization of (N, C, *) inputs over the global batch of `process_group` (all
    ranks by default)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _check_non_zero_input_channels(self, input):
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def forward(self, input):
        from ... import distributed as dist
        self._check_input_dim(input)
        self._check_non_zero_input_channels(input)
        exponential_average_factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # the plain average of all batches so far
                exponential_average_factor = 1.0 / self.num_batches_tracked.item()
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_running = not self.training or self.track_running_stats
        running_mean = self.running_mean if use_running else None
        running_var = self.running_var if use_running else None
        # the statistics are shared only while training, and only when there is someone to share with
        # (PyTorch also demands a GPU input here; ember's processes are CPU ones)
        world_size = 1
        if bn_training and self.training and dist.is_available() and dist.is_initialized():
            process_group = self.process_group or dist.group.WORLD
            world_size = dist.get_world_size(process_group)
        if world_size <= 1:
            return F.batch_norm(input, running_mean, running_var, self.weight, self.bias, bn_training,
                                exponential_average_factor, self.eps)
        return _functions.SyncBatchNorm.apply(input, self.weight, self.bias, running_mean, running_var, self.eps,
                                              exponential_average_factor, process_group, world_size)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm*D layer (at any depth) replaced by a SyncBatchNorm that
        shares its parameters and running statistics."""
        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                          module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                module_output.weight = module.weight
                module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, 'qconfig'):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return module_output
