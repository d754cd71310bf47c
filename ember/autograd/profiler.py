"""ember.autograd.profiler: record what ran, when and for how long, and summarise it as PyTorch does.

While a `profile` is active, every op call (`ember.add`, `x.mm(w)`, `x + y`, the ops inside
`nn.functional` and inside backward passes) and every backward node the engine evaluates becomes a
`FunctionEvent` named as in PyTorch's traces (`aten::add`, `autograd::engine::evaluate_function:
MmBackward0`); `record_function` adds ranges of the user's own. Events nest by time: an event's self
time is its time minus that of the events inside it.

How ops are seen: ember's ops are plain functions, bound by name in many modules and on `Tensor`.
Entering the first profile replaces each of those bindings by a timing wrapper, and leaving the last
one puts the originals back, so that ember without a profiler runs the very same code as before: no
check at all, not even a flag. (A hook in the ops' shared helpers would run at the end of an op,
too late to time it.)
"""
import collections
import contextlib
import functools
import json
import os
import sys
import threading
import time
import traceback
import tracemalloc

__all__ = ['profile', 'record_function', 'FunctionEvent', 'FunctionEventAvg', 'EventList']


# ---- recording ------------------------------------------------------------------------------------

class _Recorder:
    """The events of one active profile, as flat records; nesting is worked out when it stops."""

    def __init__(self, record_shapes, profile_memory, with_stack):
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.records = []  # (name, category, thread, start_ns, end_ns, input_shapes, memory, stack)
        self.lock = threading.Lock()

    def begin(self):
        """What an event needs at its start: the time, and the memory in use if memory is profiled."""
        return time.perf_counter_ns(), tracemalloc.get_traced_memory()[0] if self.profile_memory else 0

    def end(self, name, category, started, args=()):
        start_ns, memory_before = started
        end_ns = time.perf_counter_ns()
        memory = tracemalloc.get_traced_memory()[0] - memory_before if self.profile_memory else 0
        shapes = [_shape_of(a) for a in args] if self.record_shapes else None
        stack = _user_stack() if self.with_stack else None
        with self.lock:
            self.records.append((name, category, threading.get_ident(), start_ns, end_ns, shapes, memory, stack))


def _shape_of(argument):
    shape = getattr(argument, 'shape', None)
    return [int(s) for s in shape] if shape is not None and not isinstance(argument, type) else []


def _user_stack():
    """The caller's frames outside ember, innermost first, as PyTorch prints them."""
    ember_dir = os.path.dirname(os.path.dirname(__file__))
    return [f"{frame.filename}({frame.lineno}): {frame.name}" for frame in reversed(traceback.extract_stack())
            if not frame.filename.startswith(ember_dir)]


# the active recorders (profiles may nest); the op wrappers record into the innermost one
_recorders = []
_patched = []  # (namespace, name, original) of every binding replaced while a profile is active


def _active():
    return _recorders[-1] if _recorders else None


def _timed_op(function, name):
    @functools.wraps(function)
    def op(*args, **kwargs):
        recorder = _active()
        if recorder is None:  # (a thread still inside an op when the profile ended)
            return function(*args, **kwargs)
        started = recorder.begin()
        try:
            return function(*args, **kwargs)
        finally:
            recorder.end(name, 'cpu_op', started, args)
    op._profiled = function
    return op


def _timed_backward(backward, name):
    @functools.wraps(backward)
    def method(self, *grads):
        recorder = _active()
        if recorder is None:
            return backward(self, *grads)
        started = recorder.begin()
        try:
            return backward(self, *grads)
        finally:
            recorder.end(name, 'cpu_op', started)
    return method


def _op_names():
    """{op function: its PyTorch trace name} for every op of ember._ops and every factory function,
    each under its own function and under the NumPy-keyword wrapper ember binds (see `ember._tensor`)."""
    from .. import _ops, _creation
    from .._tensor import Tensor
    names = {}
    functions = [(getattr(module, name), name) for module in _ops.MODULES for name in module.__all__]
    functions += [(getattr(_creation, name), name) for name in _creation.__all__
                  if not name.startswith(('set_', 'get_')) and not isinstance(getattr(_creation, name), type)]
    for module in _ops.MODULES:  # in-place methods: `x.add_(y)` is aten::add_
        functions += [(Tensor.__dict__[name + '_'], name + '_') for name in module.INPLACE_METHODS
                      if name + '_' in Tensor.__dict__]
    exported = collections.defaultdict(set)
    for function, name in functions:
        exported[function].add(name)
    for function, name in functions:
        if callable(function) and not isinstance(function, type):
            # an op exported under several names (mul, multiply) is known by its own
            name = function.__name__ if getattr(function, '__name__', None) in exported[function] else name
            names[function] = 'aten::' + name
            wrapped = getattr(function, '__wrapped__', None)
            if wrapped is not None:
                names[wrapped] = 'aten::' + name
    return names


def _patch():
    """Replace every binding of an op (in ember's modules and on Tensor) and every backward node's
    `backward` by a timing wrapper."""
    from .._tensor import Tensor
    from .graph import Node
    names = _op_names()
    wrappers = {}
    namespaces = [module for name, module in list(sys.modules.items())
                  if module is not None and (name == 'ember' or name.startswith('ember.'))]
    for namespace in namespaces + [Tensor]:
        for attribute, value in list(vars(namespace).items()):
            try:  # (a NumPy-keyword wrapper is named after the op it wraps)
                name = names.get(value) or names.get(getattr(value, '__wrapped__', None))
            except TypeError:  # (unhashable values)
                continue
            if name is None or attribute.startswith('__') and namespace is not Tensor:
                continue
            wrapper = wrappers.get(id(value))
            if wrapper is None:
                wrapper = wrappers[id(value)] = _timed_op(value, name)
            _patched.append((namespace, attribute, value))
            setattr(namespace, attribute, wrapper)
    node_classes, pending = set(), [Node]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in node_classes:
                node_classes.add(subclass)
                pending.append(subclass)
    for node_class in node_classes:
        backward = node_class.__dict__.get('backward')
        if backward is not None:
            _patched.append((node_class, 'backward', backward))
            node_class.backward = _timed_backward(
                backward, f"autograd::engine::evaluate_function: {node_class.__name__}")


def _unpatch():
    while _patched:
        namespace, attribute, original = _patched.pop()
        setattr(namespace, attribute, original)


def _start(recorder):
    if not _recorders:
        _patch()
        if recorder.profile_memory and not tracemalloc.is_tracing():
            tracemalloc.start()
            recorder.started_tracemalloc = True
    _recorders.append(recorder)


def _stop(recorder):
    _recorders.remove(recorder)
    if getattr(recorder, 'started_tracemalloc', False):
        tracemalloc.stop()
    if not _recorders:
        _unpatch()


class record_function(contextlib.ContextDecorator):
    """Mark a range of code (a `with` block, or a decorated function) to appear by `name` in the
    profile; outside a profile it does nothing."""

    def __init__(self, name, args=None):
        self.name, self.args = name, args
        self._recorder = self._started = None

    def __enter__(self):
        self._recorder = _active()
        if self._recorder is not None:
            self._started = self._recorder.begin()
        return self

    def __exit__(self, *exc_info):
        if self._recorder is not None:
            self._recorder.end(self.name, 'user_annotation', self._started)
            self._recorder = None
        return False


# ---- events ----------------------------------------------------------------------------------------

def _format_time(time_us):
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_time_share(time_us, total_time_us):
    if total_time_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_time_us:.2f}%"


def _format_memory(nbytes):
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


class _FormattedTimes:
    """The `*_str` forms of the times the table prints."""
    cpu_time_str = property(lambda self: _format_time(self.cpu_time))
    cpu_time_total_str = property(lambda self: _format_time(self.cpu_time_total))
    self_cpu_time_total_str = property(lambda self: _format_time(self.self_cpu_time_total))
    # the CPU is the only device: no time is spent on another (what PyTorch reports without a GPU)
    device_time_total = self_device_time_total = 0
    device_time = 0.0
    device_time_str = property(lambda self: _format_time(self.device_time))
    device_time_total_str = property(lambda self: _format_time(self.device_time_total))
    self_device_time_total_str = property(lambda self: _format_time(self.self_device_time_total))

    @property
    def cpu_time(self):
        """The average time of one call, in microseconds."""
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count


class FunctionEvent(_FormattedTimes):
    """One recorded range: an op call, a backward node, or a `record_function` block. Times are in
    microseconds since the profile started."""

    def __init__(self, id, name, thread, start_us, end_us, input_shapes=None, stack=None, cpu_memory_usage=0,
                 is_user_annotation=False):
        # the steps of a scheduled profile add up in the tables as one "ProfilerStep*"; the trace
        # keeps their numbers
        self.trace_name = name
        self.name = "ProfilerStep*" if name.startswith("ProfilerStep#") else name
        self.id, self.thread = id, thread
        self.time_range = _Interval(start_us, end_us)
        self.input_shapes = input_shapes
        self.stack = stack if stack is not None else []
        self.cpu_memory_usage = cpu_memory_usage
        self.is_user_annotation = is_user_annotation
        self.cpu_children = []
        self.cpu_parent = None
        self.count = 1
        self.is_async = False

    key = property(lambda self: self.name)

    @property
    def cpu_time_total(self):
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    @property
    def self_cpu_memory_usage(self):
        return self.cpu_memory_usage - sum(child.cpu_memory_usage for child in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_total_str} "
                f"start_us={self.time_range.start} end_us={self.time_range.end} "
                f"cpu_children={[child.id for child in self.cpu_children]} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class _Interval:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def elapsed_us(self):
        return self.end - self.start


class FunctionEventAvg(_FormattedTimes):
    """The events of one key (name, and input shapes or stack if grouped by them), added up."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.input_shapes = self.stack = None
        self.is_user_annotation = False
        self.is_async = False
        self.cpu_parent = None

    def add(self, other):
        if self.key is None:  # (the first event gives the key and what the key was made of)
            self.key, self.input_shapes, self.stack = other.key, other.input_shapes, other.stack
            self.is_user_annotation = other.is_user_annotation
            self.cpu_parent = getattr(other, 'cpu_parent', None)
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        return self

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class EventList(list):
    """A list of FunctionEvents (or of their averages) that can print itself as PyTorch's table."""

    def __init__(self, *args, profile_memory=False, with_stack=False, **kwargs):
        super().__init__(*args)
        self._profile_memory, self._with_stack = profile_memory, with_stack

    @property
    def self_cpu_time_total(self):
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One FunctionEventAvg per event name (and per input shapes, or per innermost
        `group_by_stack_n` stack frames, if asked), in order of first appearance."""
        averages = collections.defaultdict(FunctionEventAvg)
        for event in self:
            key = (event.key,)
            if group_by_input_shape:
                key += (str(event.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(event.stack[:group_by_stack_n])
            averages[key].add(event)
        for average in averages.values():  # (what wasn't grouped by isn't shown)
            average.stack = (average.stack or [])[:group_by_stack_n]
            if not group_by_input_shape:
                average.input_shapes = ""
        return EventList(averages.values(), profile_memory=self._profile_memory, with_stack=self._with_stack)

    def total_average(self):
        total = FunctionEventAvg()
        for event in self:
            total.add(event)
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        """PyTorch's summary table: name, self and total CPU time (and their share of all self
        time), average time, memory (if profiled), number of calls, input shapes (if recorded),
        source location (if stacks were recorded); rows sorted by `sort_by`, at most `row_limit`."""
        return _build_table(self, sort_by=sort_by, header=header, row_limit=row_limit,
                            max_src_column_width=max_src_column_width, max_name_column_width=max_name_column_width,
                            max_shapes_column_width=max_shapes_column_width, profile_memory=self._profile_memory,
                            top_level_events_only=top_level_events_only, time_unit=time_unit)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (open it in chrome://tracing or Perfetto)."""
        trace_events = []
        for event in self:
            args = {"External id": event.id}
            if event.input_shapes is not None and not event.is_user_annotation:
                args["Input Dims"] = event.input_shapes
            trace_events.append({"ph": "X", "cat": "user_annotation" if event.is_user_annotation else "cpu_op",
                                 "name": event.trace_name, "pid": os.getpid(), "tid": event.thread,
                                 "ts": event.time_range.start, "dur": event.cpu_time_total, "args": args})
        with open(path, "w") as file:
            json.dump({"schemaVersion": 1, "displayTimeUnit": "ms", "traceEvents": trace_events,
                       "traceName": str(path)}, file)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Each event's stack and `metric` (in microseconds), one line per event, for flame graphs."""
        with open(path, "w") as file:
            for event in self:
                if event.stack:
                    file.write(";".join(reversed(event.stack)) + f" {int(getattr(event, metric))}\n")


def _build_events(records, origin_ns):
    """FunctionEvents from a recorder's records, each linked to the innermost event enclosing it
    on its thread."""
    events = [FunctionEvent(id=i, name=name, thread=thread, start_us=(start - origin_ns) / 1e3,
                            end_us=(end - origin_ns) / 1e3, input_shapes=shapes, stack=stack, cpu_memory_usage=memory,
                            is_user_annotation=category == 'user_annotation')
              for i, (name, category, thread, start, end, shapes, memory, stack) in enumerate(records)]
    # by start time, the outer of two events that start together first
    events.sort(key=lambda event: (event.thread, event.time_range.start, -event.time_range.end))
    open_events = []
    for event in events:
        if open_events and open_events[-1].thread != event.thread:
            open_events = []
        while open_events and open_events[-1].time_range.end <= event.time_range.start:
            open_events.pop()
        if open_events:
            event.cpu_parent = open_events[-1]
            open_events[-1].cpu_children.append(event)
        open_events.append(event)
    events.sort(key=lambda event: event.time_range.start)
    for new_id, event in enumerate(events):
        event.id = new_id
    return events


def _build_table(events, sort_by, header, row_limit, max_src_column_width, max_name_column_width,
                 max_shapes_column_width, profile_memory, top_level_events_only, time_unit):
    if len(events) == 0:
        return ""
    has_input_shapes = any(event.input_shapes for event in events)
    if sort_by is not None:
        events = sorted(events, key=lambda event: getattr(event, sort_by.replace("cuda", "device")), reverse=True)
    name_width = min(max(len(event.key) for event in events) + 4, max_name_column_width)
    shapes_width = min(max(len(str(event.input_shapes)) for event in events) + 4, max_shapes_column_width)
    stacks = [event.stack for event in events if event.stack]
    src_width = min(max(len(entry) for stack in stacks for entry in stack) + 4, max_src_column_width) \
        if stacks else None

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    widths = [name_width] + [12] * 5
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
        widths += [12, 12]
    headers.append("# of Calls")
    widths.append(12)
    if has_input_shapes:
        headers.append("Input Shapes")
        widths.append(shapes_width)
    if stacks:
        headers.append("Source Location")
        widths.append(src_width)
    # every column right-aligned but the source location, two spaces after each (even the last)
    row_format = "".join("{: " + ("<" if header_name == "Source Location" else ">") + str(width) + "}  "
                         for header_name, width in zip(headers, widths))
    separator = "".join("-" * width + "  " for width in widths)
    line_length = sum(width + 2 for width in widths) - 2

    def in_unit(time_us, default):
        scale = {"s": 1e6, "ms": 1e3, "us": 1.0}.get(time_unit)
        return default if scale is None else f"{time_us / scale:.3f}{time_unit}"

    def trim_path(path):
        if len(path) > src_width:
            path = path[len(path) - src_width:]
            path = "..." + path[3:] if len(path) > 3 else path
        return path

    total_self_time = sum(event.self_cpu_time_total for event in events)
    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [separator, row_format.format(*headers), separator]
    shown = 0
    for event in events:
        if shown == row_limit:
            break
        if top_level_events_only and event.cpu_parent is not None:
            continue
        shown += 1
        name = event.key
        if len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        row = [name, _format_time_share(event.self_cpu_time_total, total_self_time),
               in_unit(event.self_cpu_time_total, event.self_cpu_time_total_str),
               _format_time_share(event.cpu_time_total, total_self_time),
               in_unit(event.cpu_time_total, event.cpu_time_total_str), in_unit(event.cpu_time, event.cpu_time_str)]
        if profile_memory:
            row += [_format_memory(event.cpu_memory_usage), _format_memory(event.self_cpu_memory_usage)]
        row.append(event.count)
        if has_input_shapes:
            row.append(str(event.input_shapes)[:shapes_width])
        if stacks:
            row.append(trim_path(event.stack[0]) if event.stack else "")
        lines.append(row_format.format(*row))
        if stacks:  # the rest of the stack under the row, then a blank row
            blanks = [""] * (len(headers) - 1)
            lines += [row_format.format(*blanks, trim_path(entry)) for entry in (event.stack or [])[1:]]
            lines.append(row_format.format(*blanks, ""))
    lines += [separator, f"Self CPU time total: {in_unit(total_self_time, _format_time(total_self_time))}"]
    return "\n".join(lines) + "\n"


# ---- the profiler ----------------------------------------------------------------------------------

class profile:
    """Record ember's ops while active (`with profile() as prof:`), then summarise them:
    `prof.key_averages().table(sort_by="self_cpu_time_total")`, `prof.export_chrome_trace(path)`.

    `record_shapes` keeps the shapes of each op's tensor arguments; `profile_memory` the memory each
    op allocates net (as `tracemalloc` sees it: NumPy reports its buffers there); `with_stack` the
    Python frames that called it. (`use_cuda`, `use_device`, `with_flops`, `with_modules` and
    `use_kineto` are accepted for compatibility: ember runs on the CPU and counts no FLOPs.)"""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        self.enabled = enabled
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.function_events = None
        self._recorder = None
        self._origin_ns = None
        self.entered = False

    def __enter__(self):
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._recorder = _Recorder(self.record_shapes, self.profile_memory, self.with_stack)
        self._origin_ns = time.perf_counter_ns()
        _start(self._recorder)
        return self

    def __exit__(self, *exc_info):
        if not self.enabled or self._recorder is None:
            return False
        _stop(self._recorder)
        self.function_events = EventList(_build_events(self._recorder.records, self._origin_ns),
                                         profile_memory=self.profile_memory, with_stack=self.with_stack)
        self._recorder = None
        self.entered = False
        return False

    def _check_finish(self):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        self._check_finish()
        return self.function_events.table(sort_by=sort_by, row_limit=row_limit,
                                          max_src_column_width=max_src_column_width,
                                          max_name_column_width=max_name_column_width,
                                          max_shapes_column_width=max_shapes_column_width, header=header,
                                          top_level_events_only=top_level_events_only, time_unit=time_unit)

    def export_chrome_trace(self, path):
        self._check_finish()
        return self.function_events.export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        self._check_finish()
        return self.function_events.export_stacks(path, metric)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        self._check_finish()
        return self.function_events.key_averages(group_by_input_shape, group_by_stack_n)

    def total_average(self):
        self._check_finish()
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self):
        self._check_finish()
        return self.function_events.self_cpu_time_total

    def __str__(self):
        self._check_finish()
        return str(self.function_events)
