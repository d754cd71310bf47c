"""DataParallel: single-process data parallelism across the GPUs of one machine.

On a GPU machine PyTorch's DataParallel scatters each batch over `device_ids`, runs a replica of the
module on every GPU and gathers the outputs on `output_device`. With no GPU (ember's case, and any
CPU-only PyTorch) it keeps the module as `self.module`, ignores `device_ids`/`output_device`/`dim`,
and its forward is the module's forward. What stays visible is the wrapping: the state_dict keys
gain a `module.` prefix and the inner module's attributes are reached through `.module`.
"""
from ..modules.module import Module

__all__ = ['DataParallel', 'data_parallel']


class DataParallel(Module):
    """`DataParallel(module, device_ids=None, output_device=None, dim=0)`; on the CPU, `module` runs as is."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        # PyTorch's CPU-only path keeps no dim, output_device or src_device_obj: only an empty device list
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """The functional form of DataParallel; it needs an accelerator to scatter to, as in PyTorch."""
    raise RuntimeError("device type could not be determined")
