"""ember.nn: modules, functional forms, init."""
from .parameter import Parameter, Buffer
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import functional, init, parallel, utils  # noqa: F401
from .parallel import DataParallel
from . import attention, common_types, grad  # noqa: F401,E402

__all__ = ['Parameter', 'Buffer', 'DataParallel', 'functional', 'init', 'parallel', 'utils'] + _modules_all
