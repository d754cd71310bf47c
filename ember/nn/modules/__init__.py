"""The layers of `ember.nn`, one family per file; each file's `__all__` lists its public layers."""
from . import module, container, linear, flatten, activation

from .module import *  # noqa: F401,F403,E402
from .container import *  # noqa: F401,F403,E402
from .linear import *  # noqa: F401,F403,E402
from .flatten import *  # noqa: F401,F403,E402
from .activation import *  # noqa: F401,F403,E402
from . import dropout
from .dropout import *  # noqa: F401,F403,E402
from . import rnn
from .rnn import *  # noqa: F401,F403,E402
from . import batchnorm, instancenorm, normalization
from .batchnorm import *  # noqa: F401,F403,E402
from .instancenorm import *  # noqa: F401,F403,E402
from .normalization import *  # noqa: F401,F403,E402
from . import attention
from .attention import *  # noqa: F401,F403,E402
from . import transformer
from .transformer import *  # noqa: F401,F403,E402
from . import loss
from .loss import *  # noqa: F401,F403,E402
from . import sparse, padding, upsampling, pixelshuffle, distance
from .sparse import *  # noqa: F401,F403,E402
from .padding import *  # noqa: F401,F403,E402
from .upsampling import *  # noqa: F401,F403,E402
from .pixelshuffle import *  # noqa: F401,F403,E402
from .distance import *  # noqa: F401,F403,E402

from . import conv, pooling, fold
from .conv import *  # noqa: F401,F403,E402
from .pooling import *  # noqa: F401,F403,E402
from .fold import *  # noqa: F401,F403,E402
__all__ = module.__all__ + container.__all__ + linear.__all__ + flatten.__all__ + activation.__all__ + dropout.__all__ + rnn.__all__ + batchnorm.__all__ + instancenorm.__all__ + normalization.__all__ + attention.__all__ + loss.__all__ + transformer.__all__
__all__ += sparse.__all__ + padding.__all__ + upsampling.__all__ + pixelshuffle.__all__ + distance.__all__
__all__ += conv.__all__ + pooling.__all__ + fold.__all__

from . import lazy, adaptive, channelshuffle, fractional_pooling, sync_batchnorm  # noqa: E402
from .lazy import *  # noqa: F401,F403,E402
from .adaptive import *  # noqa: F401,F403,E402
from .channelshuffle import *  # noqa: F401,F403,E402
from .fractional_pooling import *  # noqa: F401,F403,E402
from .sync_batchnorm import *  # noqa: F401,F403,E402
__all__ += (lazy.__all__ + adaptive.__all__ + channelshuffle.__all__ + fractional_pooling.__all__
            + sync_batchnorm.__all__)
