"""`torch.cuda.amp`: the deprecated CUDA spellings of `torch.amp`. On a CPU-only build both disable
themselves with a warning, so a GPU lesson's training loop runs unchanged in float32."""
from .._dtype import float16
from ..amp.autocast_mode import _DeviceAutocast
from ..amp.grad_scaler import _DeviceGradScaler

__all__ = ['autocast', 'GradScaler']


class autocast(_DeviceAutocast):
    """`torch.amp.autocast('cuda', ...)`."""
    device_type, default_dtype = 'cuda', float16


class GradScaler(_DeviceGradScaler):
    """`torch.amp.GradScaler('cuda', ...)`."""
    device_type = 'cuda'
