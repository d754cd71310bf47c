"""ember.signal: signal-processing helpers (`ember.signal.windows`)."""
from . import windows

__all__ = ['windows']
