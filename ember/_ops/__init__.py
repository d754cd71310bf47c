"""Every differentiable op, grouped by kind. Each module lists in `__all__` the functions it adds
to `ember.*`, in `TENSOR_METHODS` those that are also `Tensor` methods (same name, the tensor as
first argument), and in `INPLACE_METHODS` the ops whose `name_` in-place form `Tensor` gets."""
from . import elementwise, reduction, view as _view_module, indexing, conversion, shape, linalg
from . import random as _random_module
from . import decomposition, contraction
from . import activation
from . import conv, pooling
from . import normalization
from . import embedding as _embedding_module, resample, distance
from . import counting, weight_norm

MODULES = (elementwise, reduction, _view_module, indexing, conversion, shape, linalg, _random_module, decomposition,
           contraction, conv, pooling, activation, normalization)

from .elementwise import *  # noqa: F401,F403,E402
from .reduction import *  # noqa: F401,F403,E402
from .view import *  # noqa: F401,F403,E402
from .indexing import *  # noqa: F401,F403,E402
from .conversion import *  # noqa: F401,F403,E402
from .shape import *  # noqa: F401,F403,E402
from .linalg import *  # noqa: F401,F403,E402
from .random import *  # noqa: F401,F403,E402
from .decomposition import *  # noqa: F401,F403,E402
from .contraction import *  # noqa: F401,F403,E402
from .activation import *  # noqa: F401,F403,E402
from .conv import *  # noqa: F401,F403,E402
from .pooling import *  # noqa: F401,F403,E402
from .normalization import *  # noqa: F401,F403,E402
from .embedding import *  # noqa: F401,F403,E402
from .resample import *  # noqa: F401,F403,E402
from .distance import *  # noqa: F401,F403,E402
from .counting import *  # noqa: F401,F403,E402
from .weight_norm import *  # noqa: F401,F403,E402
MODULES += (_embedding_module, resample, distance, counting, weight_norm)
from . import grid_sample  # noqa: E402
from .grid_sample import *  # noqa: F401,F403,E402
MODULES += (grid_sample,)
from . import rejection_sampling  # noqa: E402
from .rejection_sampling import *  # noqa: F401,F403,E402
MODULES += (rejection_sampling,)
from . import complex as _complex_module, spectral  # noqa: E402
from .complex import *  # noqa: F401,F403,E402
from .spectral import *  # noqa: F401,F403,E402
MODULES += (_complex_module, spectral)
from . import special  # noqa: E402
from .special import *  # noqa: F401,F403,E402
MODULES += (special,)
from . import channel_shuffle as _channel_shuffle_module, fractional_pooling  # noqa: E402
from .channel_shuffle import *  # noqa: F401,F403,E402
MODULES += (_channel_shuffle_module, fractional_pooling)
from . import numeric  # noqa: E402
from .numeric import *  # noqa: F401,F403,E402
MODULES += (numeric,)

__all__ = [name for module in MODULES for name in module.__all__]

# `ember.sum(x, axis=0)`: NumPy's keyword spellings, accepted where PyTorch accepts them (see ember._tensor)
from .._tensor import accepting_numpy_keywords  # noqa: E402
for _module in MODULES:
    for _name in _module.__all__:
        globals()[_name] = accepting_numpy_keywords(getattr(_module, _name))
