"""Channel shuffle (ShuffleNet): the channels, split into `groups` groups, are interleaved so the
next grouped convolution sees channels of every group."""
from ..autograd.graph import Node
from ._util import record, result

__all__ = ['channel_shuffle', 'native_channel_shuffle']
TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _shuffled(data, groups):
    """(N, C, *) -> (N, groups, C/groups, *) -> swap those two -> (N, C, *)."""
    batch, channels = data.shape[:2]
    grouped = data.reshape(batch, groups, channels // groups, *data.shape[2:])
    return grouped.swapaxes(1, 2).reshape(data.shape)


class ChannelShuffleBackward0(Node):
    # the inverse permutation is the shuffle with the other factor of C as the group count
    __slots__ = ('groups',)

    def backward(self, grad):
        channels = grad._data.shape[1]
        return (channel_shuffle(grad, channels // self.groups) if channels else grad,)


def channel_shuffle(input, groups):
    """Reorder the channels of an (N, C, *) input: channel `g * (C / groups) + i` goes to
    position `i * groups + g`."""
    data = input._data
    if data.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"[{', '.join(str(s) for s in data.shape)}]")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    channels = data.shape[1]
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} channels and {groups} "
                           "groups.")
    node = record(ChannelShuffleBackward0, input)
    if node is not None:
        node.groups = groups
    return result(_shuffled(data, groups), node)


native_channel_shuffle = channel_shuffle
