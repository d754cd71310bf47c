"""ember.nn.utils: helpers around modules and parameters — gradient clipping, parameter vectors,
`rnn` (padding and packing variable-length sequences), and reparametrizations of a module's
weight: `parametrize` (the general mechanism), `parametrizations` (weight and spectral norm built on
it) and the older hook-based `weight_norm` / `spectral_norm`."""
from . import parametrizations, parametrize, prune, rnn  # noqa: F401
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm
from . import fusion, memory_format, stateless, init  # noqa: F401
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from .init import skip_init

__all__ = ['parametrizations', 'parametrize', 'prune', 'rnn', 'clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_',
           'get_total_norm', 'clip_grads_with_norm_', 'parameters_to_vector', 'vector_to_parameters',
           'remove_spectral_norm', 'spectral_norm', 'remove_weight_norm', 'weight_norm',
           'fuse_conv_bn_eval', 'fuse_conv_bn_weights', 'fuse_linear_bn_eval', 'fuse_linear_bn_weights',
           'convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format', 'skip_init', 'stateless']
