"""Grad mode: whether ops record the graph. `no_grad`, `enable_grad`, `set_grad_enabled` and
`inference_mode` work as context managers and as function decorators."""
import copy
import functools

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled']


class GradMode:
    """The switch every op reads. One process-wide flag (PyTorch keeps one per thread)."""
    enabled = True
    inference = False


def is_grad_enabled():
    return GradMode.enabled


def is_inference_mode_enabled():
    return GradMode.inference


class _GradModeContext:
    """Sets `GradMode.enabled` to `self.mode` inside a `with` block or a decorated function."""
    mode = True
    inference = False

    def __enter__(self):
        self._prev = (GradMode.enabled, GradMode.inference)
        GradMode.enabled, GradMode.inference = self.mode, self.inference or GradMode.inference

    def __exit__(self, *exc):
        GradMode.enabled, GradMode.inference = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with copy.copy(self):  # a fresh context per call, so recursion and threads nest correctly
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    """Ops inside do not record the graph: their results have `requires_grad=False`."""
    mode = False

    def __new__(cls, func=None):
        # `@no_grad` without parentheses decorates directly
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func=None):
        pass


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a `no_grad` block."""
    mode = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func=None):
        pass


class set_grad_enabled(_GradModeContext):
    """Set grad mode to `mode`. Like PyTorch, it takes effect at once when called as a function,
    and is restored at the end of a `with` block."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._prev = (GradMode.enabled, GradMode.inference)
        GradMode.enabled = self.mode

    def __enter__(self):
        # the state to restore was taken in __init__, before the switch was flipped
        GradMode.enabled = self.mode

    def __call__(self, func):
        GradMode.enabled = self._prev[0]  # used as a decorator: don't leave the switch flipped
        return super().__call__(func)

    def __copy__(self):
        # the decorator's per-call context: remember the state at call time, as PyTorch's clone()
        return type(self)(self.mode)


class inference_mode(_GradModeContext):
    """Like `no_grad`; ember keeps no separate inference tensors."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.mode, self.inference = False, True
            return self(mode)
        return self

    def __init__(self, mode=True):
        if not callable(mode):
            self.mode, self.inference = not mode, bool(mode)
