"""The layers of `ember.nn`, one family per file; each file's `__all__` lists its public layers."""
from . import module, container, linear, flatten, activation

from .module import *  # noqa: F401,F403,E402
from .container import *  # noqa: F401,F403,E402
from .linear import *  # noqa: F401,F403,E402
from .flatten import *  # noqa: F401,F403,E402
from .activation import *  # noqa: F401,F403,E402

__all__ = module.__all__ + container.__all__ + linear.__all__ + flatten.__all__ + activation.__all__
