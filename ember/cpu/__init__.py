"""`torch.cpu`: the CPU device module, the one ember always has."""
from . import amp

__all__ = ['is_available', 'device_count', 'current_device', 'synchronize', 'amp']


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return 'cpu'


def synchronize(device=None):
    """CPU ops finish before they return: nothing to wait for."""
