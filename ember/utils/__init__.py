"""ember.utils."""
from . import checkpoint, data, hooks
from . import health
from .summary import summary
