"""`Timer`: run a statement many times in a block and time the block, as `timeit` does, choosing the
block size and the number of blocks the way PyTorch's `Timer` chooses them."""
import contextlib
import enum
import textwrap
import timeit

import numpy as np

from ... import _legacy
from . import common

__all__ = ['Timer', 'timer', 'Language']


def timer():
    """The clock blocks are timed with (ember runs on the CPU: nothing to synchronise)."""
    return timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    """Time `stmt` (a string of Python) after running `setup` once, with `globals` as its namespace
    (`torch` is bound to ember there unless given). `label`, `sub_label`, `description` and `env`
    place the measurement in a `Compare` table; `num_threads` is set for the timing."""

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timer, globals=None, label=None,
                 sub_label=None, description=None, env=None, num_threads=1, language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Invalid language `{language}`." if language not in (Language.CPP, "cpp", "c++")
                             else "ember times Python statements only: C++ has no ember to call.")
        if global_setup:
            raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely this code can simply "
                             "be moved to `setup`.")
        import ember
        self._globals = dict(globals or {})
        self._globals.setdefault("torch", ember)  # (the statements of `import torch` scripts name it so)
        stmt, setup = _tidy(stmt), _tidy(setup)
        self._timer = timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                          sub_label=sub_label, description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number):
        return max(self._timer.timeit(number), 1e-9)  # (a zero time would break the statistics)

    def timeit(self, number=1000000):
        """One block of `number` runs (after a warm-up of a hundredth of them)."""
        with _num_threads(self._task_spec.num_threads):
            self._timeit(number=max(int(number // 100), 2))
            return common.Measurement(number_per_run=number, raw_times=[self._timeit(number=number)],
                                      task_spec=self._task_spec)

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _estimate_block_size(self, min_run_time):
        """The number of runs per block: grown tenfold until the timer's own overhead is under 0.01%
        of a block and a block lasts a thousandth of `min_run_time` (or all of it)."""
        with _num_threads(self._task_spec.num_threads):
            overhead = float(np.median([self._timeit(0) for _ in range(5)]))
            number = 1
            while True:
                time_taken = self._timeit(number)
                if overhead / time_taken <= 1e-4 and time_taken >= min_run_time / 1000:
                    break
                if time_taken > min_run_time or number * 10 > 2147483647:
                    break
                number *= 10
        return number

    def _measurement_loop(self, number, stop, min_run_time, max_run_time=None, callback=None):
        """Time blocks of `number` runs until `min_run_time` has passed and `stop(times)` agrees, or
        `max_run_time` has passed."""
        total_time, can_stop, times = 0.0, False, []
        with _num_threads(self._task_spec.num_threads):
            while total_time < min_run_time or not can_stop:
                time_spent = self._timeit(number)
                times.append(time_spent)
                total_time += time_spent
                if callback:
                    callback(number, time_spent)
                can_stop = stop(times)
                if max_run_time and total_time > max_run_time:
                    break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Blocks of a size chosen so that timer overhead is negligible, for at least `min_run_time`
        seconds in all."""
        number = self._estimate_block_size(min_run_time)
        times = self._measurement_loop(number, lambda times: True, min_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        """Blocks until the interquartile range of their times is under `threshold` of the median
        (from 4 blocks on), for at least `min_run_time` and at most `max_run_time` seconds."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop(times):
            return len(times) > 3 and common.Measurement(number_per_run=number, raw_times=times,
                                                         task_spec=self._task_spec).meets_confidence(threshold)

        times = self._measurement_loop(number, stop, min_run_time, max_run_time, callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)


def _tidy(code):
    """Dedented, without a leading newline or trailing whitespace."""
    code = textwrap.dedent(code)
    return (code[1:] if code and code[0] == "\n" else code).rstrip()


@contextlib.contextmanager
def _num_threads(n):
    """ember's thread count set to `n` for the timing, restored after."""
    prior = _legacy.get_num_threads()
    _legacy.set_num_threads(n)
    try:
        yield
    finally:
        _legacy.set_num_threads(prior)
