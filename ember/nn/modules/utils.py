"""Argument normalisation shared by the layers (as `torch.nn.modules.utils`): `kernel_size=3` of a
2-d layer means `(3, 3)`."""
import collections.abc
from itertools import repeat

__all__ = []


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """`(pad_h, pad_w)` -> `(pad_w, pad_w, pad_h, pad_h)` for n=2: a layer's padding in `F.pad`'s
    order (last dimension first)."""
    return tuple(x for x in reversed(t) for _ in range(n))
