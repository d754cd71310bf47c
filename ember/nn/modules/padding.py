"""Padding layers: constant (and zero), reflection, replication and circular padding of the last
1, 2 or 3 dims. `padding` is an int (the same on every side) or a tuple in `F.pad`'s order:
(left, right[, top, bottom[, front, back]])."""
from .. import functional as F
from .module import Module
from .utils import _ntuple

__all__ = ['CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
           'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
           'ReplicationPad3d', 'ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d']


class _PadNd(Module):
    """A padding layer of `padded_dims` spatial dims with `F.pad` mode `mode`."""
    mode = 'constant'
    padded_dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(2 * self.padded_dims)(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


# ---- constant ------------------------------------------------------------------------------------
class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with `value`."""
    padded_dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with `value`."""
    padded_dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with `value`."""
    padded_dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last 2 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last 3 dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


# ---- reflection (mirror without repeating the edge) ----------------------------------------------
class ReflectionPad1d(_PadNd):
    """Pads the last dim with the reflection of the input about its edges."""
    mode, padded_dims = 'reflect', 1


class ReflectionPad2d(_PadNd):
    """Pads the last 2 dims with the reflection of the input about its edges."""
    mode, padded_dims = 'reflect', 2


class ReflectionPad3d(_PadNd):
    """Pads the last 3 dims with the reflection of the input about its edges."""
    mode, padded_dims = 'reflect', 3


# ---- replication (repeat the edge) ---------------------------------------------------------------
class ReplicationPad1d(_PadNd):
    """Pads the last dim by repeating the edge values."""
    mode, padded_dims = 'replicate', 1


class ReplicationPad2d(_PadNd):
    """Pads the last 2 dims by repeating the edge values."""
    mode, padded_dims = 'replicate', 2


class ReplicationPad3d(_PadNd):
    """Pads the last 3 dims by repeating the edge values."""
    mode, padded_dims = 'replicate', 3


# ---- circular (wrap around) ----------------------------------------------------------------------
class _CircularPadNd(_PadNd):
    mode = 'circular'

    def forward(self, input):
        # PyTorch checks the rank here, before F.pad, with a ValueError
        if input.dim() not in (self.padded_dims + 1, self.padded_dims + 2):
            raise ValueError(f"expected {self.padded_dims + 1}D or {self.padded_dims + 2}D input "
                             f"(got {input.dim()}D input)")
        return F.pad(input, self.padding, 'circular')


class CircularPad1d(_CircularPadNd):
    """Pads the last dim with values wrapped around from the other end."""
    padded_dims = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last 2 dims with values wrapped around from the other end."""
    padded_dims = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last 3 dims with values wrapped around from the other end."""
    padded_dims = 3
