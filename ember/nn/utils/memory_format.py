"""Converting the weights of 2-d and 3-d convolutions to a memory format (channels_last ...)."""
from ..modules.conv import Conv2d, ConvTranspose2d, Conv3d, ConvTranspose3d

__all__ = ['convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format']


def _convert_weights(module, conv_types, memory_format):
    # as PyTorch: only the weight (not the bias), of every matching layer in the tree, in place
    if isinstance(module, conv_types):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert_weights(child, conv_types, memory_format)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Lay out the weight of every Conv2d / ConvTranspose2d in `module` in `memory_format`; returns
    `module`."""
    return _convert_weights(module, (Conv2d, ConvTranspose2d), memory_format)


def convert_conv3d_weight_memory_format(module, memory_format):
    """Lay out the weight of every Conv3d / ConvTranspose3d in `module` in `memory_format`; returns
    `module`."""
    return _convert_weights(module, (Conv3d, ConvTranspose3d), memory_format)
