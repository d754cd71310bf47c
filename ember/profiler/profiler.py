"""`profile` with PyTorch's schedule: over a loop that calls `prof.step()` once per iteration, the
schedule says which steps are skipped, warmed up or recorded, and `on_trace_ready` is called with the
profiler at the end of each recorded cycle (`tensorboard_trace_handler` writes it to a directory)."""
import enum
import os
import socket
import time
import warnings
from functools import partial

from ..autograd import profiler as autograd_profiler

__all__ = ['profile', 'ProfilerActivity', 'ProfilerAction', 'schedule', 'tensorboard_trace_handler',
           'supported_activities']


class ProfilerActivity(enum.Enum):
    """What to profile. ember runs on the CPU: CUDA (and the others) record nothing."""
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


def supported_activities():
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What the profiler does during a step, as a schedule decides."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """A schedule: skip `skip_first` steps, then cycles of `wait` idle steps, `warmup` steps and
    `active` recorded steps (the last of which saves the trace), `repeat` times (0: without end).
    `skip_first_wait` skips the first cycle's waiting."""

    def schedule_fn(step):
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
                             f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
                             f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results", stacklevel=2)
    return schedule_fn


def _default_schedule_fn(_):
    """Without a schedule every step is recorded."""
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An `on_trace_ready` that writes each trace to `dir_name` as
    `<worker_name>.<time in ns>.pt.trace.json`, which TensorBoard's profiler plugin reads."""

    def handler_fn(prof):
        nonlocal worker_name
        try:
            os.makedirs(dir_name, exist_ok=True)
        except Exception as error:
            raise RuntimeError("Can't create directory: " + dir_name) from error
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        path = os.path.join(dir_name, file_name)
        if use_gzip:
            import gzip
            import shutil
            prof.export_chrome_trace(path)
            with open(path, 'rb') as source, gzip.open(path + '.gz', 'wb') as target:
                shutil.copyfileobj(source, target)
            os.remove(path)
        else:
            prof.export_chrome_trace(path)

    return handler_fn


class profile:
    """Profile ember's ops: a context manager (or `start()` / `stop()`), optionally stepped through a
    `schedule` with `step()`. While recording, each step is a "ProfilerStep#<n>" range.

    `activities` defaults to the CPU, the only one ember has; `record_shapes`, `profile_memory` and
    `with_stack` are those of `ember.autograd.profiler.profile`."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None, post_processing_timeout_s=None):
        self.activities = set(activities) if activities is not None else supported_activities()
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.acc_events = acc_events
        self.schedule = schedule if schedule is not None else _default_schedule_fn
        self.record_steps = bool(schedule is not None or on_trace_ready is not None)
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self.profiler = None  # the ember.autograd.profiler.profile of the current cycle
        self._step_range = None
        # what to do when the action changes from one step to the next (None: the profile ends)
        A = ProfilerAction
        save = [self.stop_trace, self._trace_ready]
        self.action_map = {
            (A.NONE, A.NONE): [], (A.NONE, A.WARMUP): [self.prepare_trace],
            (A.NONE, A.RECORD): [self.prepare_trace, self.start_trace],
            (A.NONE, A.RECORD_AND_SAVE): [self.prepare_trace, self.start_trace],
            (A.WARMUP, A.NONE): [partial(warnings.warn, "Incorrect schedule: WARMUP followed by NONE"),
                                 self.start_trace, self.stop_trace],
            (A.WARMUP, A.WARMUP): [], (A.WARMUP, A.RECORD): [self.start_trace],
            (A.WARMUP, A.RECORD_AND_SAVE): [self.start_trace],
            (A.RECORD, A.NONE): [partial(warnings.warn, "Incorrect schedule: RECORD followed by NONE"),
                                 self.stop_trace],
            (A.RECORD, A.WARMUP): [partial(warnings.warn, "Incorrect schedule: RECORD followed by WARMUP"),
                                   self.stop_trace],
            (A.RECORD, A.RECORD): [], (A.RECORD, A.RECORD_AND_SAVE): [],
            (A.RECORD_AND_SAVE, A.NONE): save,
            (A.RECORD_AND_SAVE, A.WARMUP): save + [self.prepare_trace],
            (A.RECORD_AND_SAVE, A.RECORD): save + [self.prepare_trace, self.start_trace],
            (A.RECORD_AND_SAVE, A.RECORD_AND_SAVE): save + [self.prepare_trace, self.start_trace],
            (A.WARMUP, None): [self.start_trace, self.stop_trace],
            (A.RECORD, None): save,
            (A.RECORD_AND_SAVE, None): save,
        }

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        self._transit_action(ProfilerAction.NONE, self.current_action)
        self._enter_step_range()

    def stop(self):
        self._exit_step_range()
        self._transit_action(self.current_action, None)

    def step(self):
        """Signal that the next step (loop iteration) begins."""
        self._exit_step_range()
        previous_action = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit_action(previous_action, self.current_action)
        self._enter_step_range()

    def _enter_step_range(self):
        if self.record_steps and self.profiler is not None and self.profiler.entered:
            self._step_range = autograd_profiler.record_function("ProfilerStep#" + str(self.step_num))
            self._step_range.__enter__()

    def _exit_step_range(self):
        if self._step_range is not None:
            self._step_range.__exit__(None, None, None)
            self._step_range = None

    def _transit_action(self, previous_action, current_action):
        for action in self.action_map.get((previous_action, current_action), []):
            action()

    # the stages of a cycle
    def prepare_trace(self):
        if self.profiler is None or not self.acc_events:
            self.profiler = autograd_profiler.profile(use_cpu=ProfilerActivity.CPU in self.activities,
                                                      record_shapes=self.record_shapes,
                                                      profile_memory=self.profile_memory, with_stack=self.with_stack)
            self._events_so_far = []

    def start_trace(self):
        self.profiler.enabled = ProfilerActivity.CPU in self.activities
        self.profiler.__enter__()

    def stop_trace(self):
        if self.profiler is not None and self.profiler.entered:
            self.profiler.__exit__(None, None, None)
            if self.acc_events:  # (keep the events of earlier cycles too)
                self._events_so_far += self.profiler.function_events
                self.profiler.function_events = autograd_profiler.EventList(
                    self._events_so_far, profile_memory=self.profile_memory, with_stack=self.with_stack)
        elif self.profiler is not None and self.profiler.function_events is None:
            self.profiler.function_events = autograd_profiler.EventList(profile_memory=self.profile_memory,
                                                                        with_stack=self.with_stack)

    def _trace_ready(self):
        if self.on_trace_ready:
            self.on_trace_ready(self)

    # the results of the last cycle
    def events(self):
        """The recorded FunctionEvents."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before getting events")
        return self.profiler.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        """The events averaged by name (see EventList.key_averages): `.table()` prints them."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before getting key averages")
        return self.profiler.key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        """Write the events as Chrome trace JSON (chrome://tracing, Perfetto, TensorBoard)."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before exporting chrome trace")
        return self.profiler.export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before exporting stacks")
        return self.profiler.export_stacks(path, metric)
