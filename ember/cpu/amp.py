"""`torch.cpu.amp`: the deprecated CPU spellings of `torch.amp`."""
from .._dtype import bfloat16
from ..amp.autocast_mode import _DeviceAutocast
from ..amp.grad_scaler import _DeviceGradScaler

__all__ = ['autocast', 'GradScaler']


class autocast(_DeviceAutocast):
    """`torch.amp.autocast('cpu', ...)`."""
    device_type, default_dtype = 'cpu', bfloat16


class GradScaler(_DeviceGradScaler):
    """`torch.amp.GradScaler('cpu', ...)`."""
    device_type = 'cpu'
