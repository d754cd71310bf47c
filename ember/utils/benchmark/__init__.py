"""ember.utils.benchmark: time a statement the way PyTorch's benchmark utilities do (`Timer`), keep the
times with their statistics (`Measurement`), and lay many of them out as one table (`Compare`)."""
from .common import Measurement, TaskSpec, select_unit, unit_to_english, trim_sigfig, ordered_unique
from .timer import Timer, timer, Language
from .compare import Compare, Colorize

__all__ = ['Timer', 'timer', 'Language', 'Measurement', 'TaskSpec', 'Compare', 'Colorize', 'select_unit',
           'unit_to_english', 'trim_sigfig', 'ordered_unique']
