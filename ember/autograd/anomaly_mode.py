"""Anomaly mode: debugging help for the backward pass.

While it is on,
- every node created records the traceback of the forward call that created it, in
  `grad_fn.metadata['traceback_']` (a node created during a `create_graph` backward also records
  the node whose backward created it, in `metadata['parent_']`);
- when a node's backward fails, the engine warns with that traceback, so the error names the
  user's forward line and not only a line inside backward;
- with `check_nan`, a node whose backward returns NaN is such a failure.

When it is off, creating a node costs one flag check and the engine one check per backward call.
"""
import functools
import os
import sys
import traceback
import warnings

import numpy as np

__all__ = ['detect_anomaly', 'set_detect_anomaly']


class AnomalyMode:
    """The process-wide switches (PyTorch keeps one per process too)."""
    enabled = False
    check_nan = True
    # the node whose backward the engine is running, so that nodes it creates know their parent
    current_node = None


def is_anomaly_enabled():
    """Whether anomaly detection is on."""
    return AnomalyMode.enabled


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection checks the gradients for NaN."""
    return AnomalyMode.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (the plain function behind the context managers)."""
    AnomalyMode.enabled = bool(enabled)
    AnomalyMode.check_nan = bool(check_nan)


class detect_anomaly:
    """Turn anomaly detection on inside a `with` block (or a decorated function).

    Forward calls record their traceback; a backward that fails, or with `check_nan=True` returns
    NaN, reports the traceback of the forward call that created the failing node."""

    def __init__(self, check_nan=True):
        self.prev = AnomalyMode.enabled
        self.check_nan = check_nan
        self.prev_check_nan = AnomalyMode.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        # the state to restore is read here, not in __init__, so a decorated function nests correctly
        self.prev, self.prev_check_nan = AnomalyMode.enabled, AnomalyMode.check_nan
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
        return False

    def __call__(self, func):
        # PyTorch 2.13's detect_anomaly is a context manager only; as a decorator it is ember's extra
        check_nan = self.check_nan

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = AnomalyMode.enabled, AnomalyMode.check_nan
            set_anomaly_enabled(True, check_nan)
            try:
                return func(*args, **kwargs)
            finally:
                set_anomaly_enabled(*previous)
        return wrapper


class set_detect_anomaly:
    """Set anomaly detection on or off: at once when called, restored at the end of a `with` block."""

    def __init__(self, mode, check_nan=True):
        self.prev = AnomalyMode.enabled
        self.prev_check_nan = AnomalyMode.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
        return False


# ---- what the graph and the engine call in anomaly mode -----------------------------------------
_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_TRACEBACK_KEY = 'traceback_'
_PARENT_KEY = 'parent_'


def _user_frames():
    """The current stack without ember's own frames: in PyTorch the ops are C++, so the traceback
    PyTorch stores shows only the user's Python lines; ember's ops are Python and are left out."""
    frames = [frame for frame in traceback.extract_stack() if not frame.filename.startswith(_EMBER_DIR)]
    return traceback.format_list(frames)


def store_forward_traceback(node):
    """Called by `Node.__init__` in anomaly mode: remember where the node was created, and which
    node's backward created it (during a `create_graph` backward)."""
    metadata = node.metadata
    metadata[_TRACEBACK_KEY] = _user_frames()
    if AnomalyMode.current_node is not None:
        metadata[_PARENT_KEY] = AnomalyMode.current_node


def _stacklevel_outside_ember():
    """The `stacklevel` that attributes a warning to the user's line that called into ember."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_EMBER_DIR):
        frame, level = frame.f_back, level + 1
    return level


def warn_forward_traceback(node):
    """PyTorch's report of a failing node: one warning with the traceback of the forward call that
    created it, then one for each node whose backward created it in turn."""
    stacklevel = _stacklevel_outside_ember()
    warnings.warn(_format_traceback(node, is_parent=False), stacklevel=stacklevel)
    parent = node.metadata.get(_PARENT_KEY)
    while parent is not None:
        warnings.warn("\n\n" + _format_traceback(parent, is_parent=True), stacklevel=stacklevel)
        parent = parent.metadata.get(_PARENT_KEY)


def _format_traceback(node, is_parent):
    name = node.name()
    stack = node.metadata.get(_TRACEBACK_KEY)
    if stack is None:
        return (f"Error detected in {name}. No forward pass information available. Enable detect anomaly "
                "during forward pass for more information.")
    if is_parent:
        return (f"Previous calculation was induced by {name}. Traceback of forward call that induced the "
                "previous calculation:\n" + ''.join(stack))
    return f"Error detected in {name}. Traceback of forward call that caused the error:\n" + ''.join(stack)


def raise_on_nan(node, input_grads):
    """Raise PyTorch's error if a gradient `node`'s backward returned contains NaN."""
    for i, grad in enumerate(input_grads):
        if grad is not None and grad._data.dtype.kind in 'fc' and np.isnan(grad._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
