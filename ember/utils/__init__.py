"""ember.utils."""
from . import data, hooks
from .summary import summary
