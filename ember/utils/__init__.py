"""ember.utils."""
from . import data, hooks
from . import health
from .summary import summary
